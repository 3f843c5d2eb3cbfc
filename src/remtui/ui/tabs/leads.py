"""Leads (F4): the client's leads, newest first; Enter opens one, n adds one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from textual.binding import Binding

from ...i18n import N_, _, ngettext
from ..safe import cell
from .crm_list import CrmListTab

if TYPE_CHECKING:
    from ...domain.leads import LeadRow

# Statuses get a style as well as their label (never colour alone).
STATUS_STYLE = {"won_order": "green", "won_sale": "green", "lost": "red", "in_work": "bold"}


class LeadsTab(CrmListTab):
    HELP_TEXT = N_(
        "The client's leads, newest first: number, when it was created, its status and what "
        "it came to. Enter opens the selected lead (edit it, take it into work, mark it won "
        "or lost); n adds a lead."
    )
    BINDINGS = [Binding("n", "new_lead", N_("+ Lead"), id="leads.new")]
    TABLE_ID = "leads-table"
    FIXED = {"number": 9, "created": 16, "status": 17}
    FLEX = "result"

    def __init__(self, client_id: int) -> None:
        super().__init__(client_id, id="leads")

    def columns(self) -> list[tuple[str, str]]:
        return [
            ("number", _("Number")),
            ("created", _("Created")),
            ("status", _("Status")),
            ("result", _("Result")),
        ]

    def fetch(self, session: Any, limit: int, offset: int) -> tuple[Sequence[Any], int]:
        from ...domain import leads

        rows = leads.list_leads(session, self.client_id, limit=limit, offset=offset)
        return rows, leads.count_leads(session, self.client_id)

    def cells(self, row: LeadRow) -> list[Any]:
        from ...dates import format_datetime

        return [
            cell(row.number),
            cell(format_datetime(row.created_at, self.desk.settings.locale)),
            cell(row.status_label, style=STATUS_STYLE.get(row.status, "")),
            cell(row.result or "—"),
        ]

    def status_text(self) -> str:
        if not self.total:
            return _("No leads yet: n adds one.")
        return ngettext("{n} lead.", "{n} leads.", self.total).format(n=self.total)

    def open_item(self, item_id: int) -> None:
        from ..dialogs.lead import LeadDialog

        self.push_item(LeadDialog(item_id))

    def action_new_lead(self) -> None:
        from ..dialogs.lead import NewLeadDialog

        self.push_new(NewLeadDialog(self.client_id))
