"""A stale save: show the clerk's version beside the one saved meanwhile; let them choose."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Static

from ...i18n import N_, _
from ..safe import cell, line
from .base import Dialog

if TYPE_CHECKING:
    from ...domain.clients import ClientForm, ClientRecord

Choice = Literal["mine", "theirs", "edit"]

FIELD_LABELS = {
    "kind": N_("Kind"),
    "name": N_("Name"),
    "phones": N_("Phones"),
    "email": N_("E-mail"),
    "address": N_("Address"),
    "company_name": N_("Company"),
    "tax_id": N_("Tax id (NIF)"),
    "discount": N_("Discount %"),
    "marketing_source": N_("Came from"),
    "notes": N_("Notes"),
    "conflicted": N_("Conflicted client"),
}


def _show(form: ClientForm, name: str) -> str:
    value = getattr(form, name)
    if name == "phones":
        return "; ".join(f"{p.number} {p.label}".strip() for p in value)
    if name == "conflicted":
        return _("Yes") if value else _("No")
    if name == "kind":
        return _("Company") if value == "company" else _("Person")
    return str(value)


class ConflictDialog(Dialog[Choice]):
    HELP_TEXT = N_(
        "Another employee saved this client after you opened it. Compare the two versions: "
        "keep yours (it replaces theirs), take theirs (your edits are dropped), or go back "
        "to editing."
    )
    BINDINGS = [
        Binding("k", "choose('mine')", N_("Keep mine"), id="conflict.mine"),
        Binding("t", "choose('theirs')", N_("Take theirs"), id="conflict.theirs"),
        Binding("e", "choose('edit')", N_("Back to editing"), id="conflict.edit"),
    ]

    def __init__(
        self, mine: ClientForm, theirs: ClientRecord, saved_by: str, saved_at: str
    ) -> None:
        super().__init__()
        self.mine, self.theirs = mine, theirs
        self.saved_by, self.saved_at = saved_by, saved_at

    def compose(self) -> ComposeResult:
        theirs = self.theirs.as_form()
        with Vertical(classes="dialog wide"):
            yield Static(_("This client was changed meanwhile"), classes="dialog-title")
            yield Static(
                line(
                    _("{who} saved it at {when}. Fields that differ are marked ≠.").format(
                        who=self.saved_by, when=self.saved_at
                    )
                ),
                classes="dialog-text",
            )
            table: DataTable[object] = DataTable(id="conflict-table", cursor_type="row")
            table.add_column("", width=1)
            table.add_column(_("Field"), width=14)
            table.add_column(_("Yours"), width=28)
            table.add_column(_("Theirs"), width=28)
            for name, label in FIELD_LABELS.items():
                mine_v, theirs_v = _show(self.mine, name), _show(theirs, name)
                differs = mine_v.strip() != theirs_v.strip()
                table.add_row(
                    cell("≠" if differs else "", style="bold yellow"),
                    cell(_(label)),
                    cell(mine_v, limit=80),
                    cell(theirs_v, limit=80),
                )
            yield table
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Keep mine") + " (k)", id="mine", variant="warning")
                yield Button(_("Take theirs") + " (t)", id="theirs", variant="primary")
                yield Button(_("Back to editing") + " (e)", id="edit")

    def on_mount(self) -> None:
        self.query_one("#edit").focus()

    def action_choose(self, choice: Choice) -> None:
        self.dismiss(choice)

    def action_cancel(self) -> None:
        self.dismiss("edit")

    def action_confirm(self) -> None:
        self.dismiss("mine")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        choice: Choice = (
            "mine"
            if event.button.id == "mine"
            else ("theirs" if event.button.id == "theirs" else "edit")
        )
        self.dismiss(choice)
