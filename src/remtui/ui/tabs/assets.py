"""Assets (F5): the client's devices, newest first; Enter opens one, n adds one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from textual.binding import Binding

from ...i18n import N_, _, ngettext
from ..safe import cell
from .crm_list import CrmListTab

if TYPE_CHECKING:
    from ...domain.assets import AssetRow


class AssetsTab(CrmListTab):
    HELP_TEXT = N_(
        "The client's assets (devices left with the shop or known to it): serial number or "
        "IMEI, name and the warehouse where it is now. Enter opens the selected asset (edit "
        "it, move it, see its moves and work orders); n adds an asset."
    )
    BINDINGS = [Binding("n", "new_asset", N_("+ Asset"), id="assets.new")]
    TABLE_ID = "assets-table"
    FIXED = {"serial": 20, "warehouse": 18}
    FLEX = "name"

    def __init__(self, client_id: int) -> None:
        super().__init__(client_id, id="assets")

    def columns(self) -> list[tuple[str, str]]:
        return [
            ("serial", _("Serial / IMEI")),
            ("name", _("Name")),
            ("warehouse", _("Warehouse")),
        ]

    def fetch(self, session: Any, limit: int, offset: int) -> tuple[Sequence[Any], int]:
        from ...domain import assets

        rows = assets.list_assets(session, self.client_id, limit=limit, offset=offset)
        return rows, assets.count_assets(session, self.client_id)

    def cells(self, row: AssetRow) -> list[Any]:
        return [cell(row.serial), cell(row.name or "—"), cell(row.warehouse_name)]

    def status_text(self) -> str:
        if not self.total:
            return _("No assets yet: n adds one.")
        return ngettext("{n} asset.", "{n} assets.", self.total).format(n=self.total)

    def open_item(self, item_id: int) -> None:
        from ..dialogs.asset import AssetDialog

        self.push_item(AssetDialog(item_id))

    def action_new_asset(self) -> None:
        from ..dialogs.asset import NewAssetDialog

        self.push_new(NewAssetDialog(self.client_id))
