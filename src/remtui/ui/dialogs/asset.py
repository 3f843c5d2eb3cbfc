"""Assets: + Asset, the asset's profile (fields, moves between warehouses, the move
history, linked work orders) and the dialog that moves it."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Button, DataTable, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from ...i18n import N_, _
from ..safe import cell, line
from ..widgets.note import FieldNote
from .crm_base import CrmChangeDialog, CrmNewDialog, CrmProfileDialog
from .crm_common import (
    dialog_buttons,
    document_status_label,
    field_value,
    fill_fields,
    form_row,
    is_stale,
    money_cell,
    options,
    run_read,
    text_input,
)
from .crm_common import when as fmt_when

if TYPE_CHECKING:
    from sqlmodel import Session

    from ...domain.assets import AssetForm, AssetRecord
    from ...domain.staff import Actor

Warehouses = list[tuple[int, str, str]]  # id, name, kind ("shop" | "client")
DOCUMENT_DIALOG = "remtui.ui.dialogs.document"
KINDS = (
    N_("Mobile phone"),
    N_("Tablet"),
    N_("Laptop"),
    N_("Desktop computer"),
    N_("Smartwatch"),
    N_("Game console"),
    N_("Printer"),
    N_("Television"),
    N_("Other"),
)


# --- the fields both forms share ------------------------------------------------------------


def asset_fields() -> ComposeResult:
    yield from form_row(
        "serial", _("Serial / IMEI"), text_input("serial", _("Serial number or IMEI (*#06#)"))
    )
    yield from form_row(
        "kind",
        _("Name"),
        text_input(
            "kind",
            _("Kind"),
            suggester=SuggestFromList([_(k) for k in KINDS], case_sensitive=False),
            classes="crm-name-part",
        ),
        text_input("brand", _("Brand"), classes="crm-name-part"),
        text_input("model", _("Model"), classes="crm-name-part"),
    )
    # The name has three parts on one line; their messages go on lines of their own.
    yield FieldNote("", id="err-brand", classes="field-error")
    yield FieldNote("", id="err-model", classes="field-error")
    yield from form_row(
        "notes",
        _("Notes"),
        TextArea(id="f-notes", soft_wrap=True, show_line_numbers=False, compact=True),
        tall=True,
    )


def read_asset_form(root: Any) -> AssetForm:
    from ...domain.assets import AssetForm

    return AssetForm(
        serial=field_value(root, "serial"),
        kind=field_value(root, "kind"),
        brand=field_value(root, "brand"),
        model=field_value(root, "model"),
        notes=field_value(root, "notes"),
    )


def set_asset_form(root: Any, form: AssetForm) -> None:
    fill_fields(root, {"serial": form.serial, "notes": form.notes})
    fill_fields(root, {"kind": form.kind, "brand": form.brand, "model": form.model}, note="kind")


def load_warehouses(node: Any, show: Callable[[Warehouses], Any], group: str) -> None:
    """Read the warehouses (id, name, kind) in a worker, then ``show`` them."""

    def fetch(session: Session) -> Warehouses:
        from ...domain.staff import warehouses

        return warehouses(session)

    run_read(node, fetch, show, group=group)


# --- + Asset --------------------------------------------------------------------------------


class NewAssetDialog(CrmNewDialog):
    HELP_TEXT = N_(
        "A new asset for this client: its serial number or IMEI (unique in the shop; an "
        "IMEI's check digit is verified), its name (kind, brand, model: at least one), notes "
        "and the warehouse where it is now. ctrl+s saves; Escape closes without saving."
    )
    HEADING = N_("New asset")
    FORM_ID = "new-asset"
    FORM_CLASSES = "dialog crm-form wide-form"
    GROUP = "asset-create"

    def compose_fields(self) -> ComposeResult:
        yield from asset_fields()
        yield from form_row(
            "warehouse",
            _("Warehouse"),
            Select[int]([], id="f-warehouse", prompt=_("Choose a warehouse"), compact=True),
        )

    def on_mount(self) -> None:
        def show(found: Warehouses) -> None:
            select = self.query_one("#f-warehouse", Select)
            select.set_options(options((wid, name) for wid, name, _kind in found))
            shop = [wid for wid, _name, kind in found if kind == "shop"]
            if shop:
                select.value = shop[0]

        load_warehouses(self, show, "asset-warehouses")
        self.query_one("#f-serial").focus()

    def creator(self) -> Callable[[Session, Actor], AssetRecord]:
        form, client_id = read_asset_form(self), self.client_id
        warehouse = self.query_one("#f-warehouse", Select).selection

        def create(session: Session, actor: Actor) -> AssetRecord:
            from ...domain.assets import create_asset

            return create_asset(session, actor, client_id, form, warehouse or 0)

        return create

    def created_text(self, record: AssetRecord) -> str:
        return _("Asset {serial} registered.").format(serial=record.serial)


# --- the asset's profile --------------------------------------------------------------------

Loaded = tuple["AssetRecord", dict[str, str]]  # the asset, work order status -> label


def _loaded(record: AssetRecord) -> Loaded:
    return record, {d.status: document_status_label(d.status) for d in record.work_orders}


class AssetDialog(CrmProfileDialog["AssetRecord", "AssetForm"]):
    HELP_TEXT = N_(
        "The asset's profile. Edit its serial number, name or notes and save with ctrl+s. "
        "m moves it to another warehouse (when the focus is not in a text field); every move "
        "is listed with its time and employee. Below: the work orders for this asset. "
        "Escape closes."
    )
    BINDINGS = [
        Binding("m", "move", N_("Move"), id="asset.move"),
        Binding("ctrl+r", "restore", N_("Put back my edits"), id="asset.restore"),
    ]
    PREFIX = "asset"
    HEADING = N_("Asset")
    HISTORY = ("asset-moves", "move")
    FALLBACK = "general"
    CREATED = N_("Registered {when} by {who}.")
    CHANGED_ELSEWHERE = N_(
        "Another employee changed this asset. Your edits are kept; saving "
        "will tell you if theirs would be lost."
    )
    STALE_SAVED = N_(
        "Not saved: {who} changed this asset at {when}. Their version is shown now; "
        "ctrl+r puts back your edits (then save again)."
    )
    STALE_DONE = N_(
        "Not done: {who} changed this asset at {when}. It is shown as it is now; "
        "check it and try again."
    )
    UNSAVED = N_("This asset has edits that are not saved. Close without saving?")

    def __init__(self, asset_id: int) -> None:
        super().__init__(asset_id)
        self.asset_id = asset_id

    def compose_form(self) -> ComposeResult:
        yield from asset_fields()
        yield FieldNote("", id="err-general", classes="field-error")

    def compose_actions(self) -> ComposeResult:
        yield Button(_("Move…") + " (m)", id="asset-move", compact=True)

    def compose_sections(self) -> ComposeResult:
        yield Static(_("Moves"), classes="crm-section")
        moves: DataTable[Any] = DataTable(
            id="asset-moves", cursor_type="row", classes="crm-history"
        )
        moves.add_column(_("When"), key="at", width=16)
        moves.add_column(_("Who"), key="who", width=14)
        moves.add_column(_("From → to"), key="move", width=30)
        yield moves
        yield Static(_("Work orders"), classes="crm-section")
        orders: DataTable[Any] = DataTable(
            id="asset-orders", cursor_type="row", classes="crm-history"
        )
        orders.add_column(_("Number"), key="number", width=12)
        orders.add_column(_("Status"), key="status", width=18)
        orders.add_column(_("Date"), key="date", width=10)
        orders.add_column(_("Total"), key="total", width=12)
        yield orders
        yield Static("", id="asset-no-orders", classes="crm-meta")

    # --- the form and the store -----------------------------------------------------------

    def read_form(self) -> AssetForm:
        return read_asset_form(self)

    def set_form(self, form: AssetForm) -> None:
        set_asset_form(self, form)

    def read_item(self, session: Session) -> Loaded:
        from ...domain.assets import get_asset

        return _loaded(get_asset(session, self.asset_id))

    def write_item(self, session: Session, actor: Actor, form: AssetForm, expected: int) -> Loaded:
        from ...domain.assets import update_asset

        return _loaded(update_asset(session, actor, self.asset_id, form, expected))

    def item_version(self, session: Session) -> int:
        from ...domain.assets import asset_version

        return asset_version(session, self.asset_id)

    # --- showing --------------------------------------------------------------------------

    def show_item(self, found: Loaded, *, keep_edits: bool) -> None:
        record, labels = found
        app = self.desk
        self._take(record, keep_edits)
        title = _("Asset {serial} · {client}").format(
            serial=record.serial, client=record.client_name
        )
        summary = _("{name} · now in: {warehouse}").format(
            name=record.name or "—", warehouse=record.warehouse_name
        )
        if record.is_imei:
            summary += " · IMEI"
        self._show_header(record, title, summary)
        moves = self.query_one("#asset-moves", DataTable)
        moves.clear()
        for move in reversed(record.moves):  # newest first
            text = (
                f"{move.from_warehouse_name} → {move.to_warehouse_name}"
                if move.from_warehouse_id is not None
                else _("Registered in {warehouse}").format(warehouse=move.to_warehouse_name)
            )
            moves.add_row(
                cell(fmt_when(app, move.at)),
                cell(move.employee_name or "?"),
                cell(text),
                key=str(move.id),
            )
        orders = self.query_one("#asset-orders", DataTable)
        orders.clear()

        from ...dates import format_date

        for order in record.work_orders:
            orders.add_row(
                cell(order.number),
                cell(labels.get(order.status, order.status)),
                cell(format_date(order.created_at, app.settings.locale)),
                money_cell(order.total, app),
                key=str(order.id),
            )
        orders.display = bool(record.work_orders)
        self.call_after_refresh(self._fit)
        none = self.query_one("#asset-no-orders", Static)
        none.update(_("No work orders for this asset yet.") if not record.work_orders else "")
        none.display = not record.work_orders
        self.refresh_bindings()

    def focus_first(self) -> None:
        self.query_one("#asset-move").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "move":
            return self.record is not None
        return super().check_action(action, parameters)

    # --- moving -------------------------------------------------------------------------

    @on(Button.Pressed, "#asset-move")
    def _move_pressed(self) -> None:
        self.action_move()

    def action_move(self) -> None:
        if self.record is None:
            return

        def moved(result: object) -> None:
            from ...domain.assets import AssetRecord

            if is_stale(result):
                self._stale(result)
            elif isinstance(result, AssetRecord):
                self.changed = True
                self._load(keep_edits=True)
                self._notice(_("Moved to {warehouse}.").format(warehouse=result.warehouse_name))

        self.app.push_screen(MoveDialog(self.record), moved)

    # --- linked work orders ---------------------------------------------------------------

    @on(DataTable.RowSelected, "#asset-orders")
    def _order_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.record is None or not 0 <= event.cursor_row < len(self.record.work_orders):
            return
        if importlib.util.find_spec(DOCUMENT_DIALOG) is None:
            return  # documents do not open yet
        module = importlib.import_module(DOCUMENT_DIALOG)
        document_id = self.record.work_orders[event.cursor_row].id
        self.app.push_screen(module.DocumentDialog(document_id), lambda _r: self._load())

    @on(DataTable.RowSelected, "#asset-moves")
    def _move_row(self, event: DataTable.RowSelected) -> None:
        event.stop()


# --- move -----------------------------------------------------------------------------------


class MoveDialog(CrmChangeDialog):
    """Moves the asset; dismisses with the asset as it is now, or StaleAsset."""

    HELP_TEXT = N_(
        "Where the asset goes: Up and Down choose the warehouse, Enter moves it there. The "
        "move is recorded with the time and your name."
    )
    OK_ID = "move-ok"
    CANCEL_ID = "move-cancel"

    def __init__(self, asset: AssetRecord) -> None:
        super().__init__()
        self.asset = asset

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog crm-form", id="move-dialog"):
            yield Static(
                line(
                    _("Move {serial} (now in {warehouse}) to:").format(
                        serial=self.asset.serial, warehouse=self.asset.warehouse_name
                    ),
                    limit=120,
                ),
                classes="dialog-title",
            )
            yield OptionList(id="f-warehouse", classes="crm-options", compact=True)
            yield FieldNote("", id="err-warehouse", classes="field-error crm-status-error")
            yield FieldNote("", id="err-general", classes="field-error crm-status-error")
            yield from dialog_buttons(_("Move") + " (Enter)", self.OK_ID, self.CANCEL_ID)

    def on_mount(self) -> None:
        load_warehouses(self, self._show, "move-warehouses")
        self.query_one("#f-warehouse").focus()

    def _show(self, found: Warehouses) -> None:
        from textual.content import Content

        from ...safetext import safe_text

        listing = self.query_one("#f-warehouse", OptionList)
        listing.clear_options()
        for wid, name, _kind in found:
            text = safe_text(name, single_line=True, limit=60)
            if wid == self.asset.warehouse_id:
                text += "  " + _("(here now)")
            listing.add_option(Option(Content(text), id=str(wid)))
        others = [i for i, (wid, _n, _k) in enumerate(found) if wid != self.asset.warehouse_id]
        if found:
            listing.highlighted = others[0] if others else 0

    @on(OptionList.OptionSelected, "#f-warehouse")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_confirm()

    def action_confirm(self) -> None:
        listing = self.query_one("#f-warehouse", OptionList)
        if listing.highlighted is None:
            return
        option = listing.get_option_at_index(listing.highlighted)
        warehouse_id = int(option.id or 0)
        asset_id, expected = self.asset.id, self.asset.version

        def move(session: Session, actor: Actor) -> AssetRecord:
            from ...domain.assets import move_asset

            return move_asset(session, actor, asset_id, warehouse_id, expected)

        self.change(move, "asset-move")
