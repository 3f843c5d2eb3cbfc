"""Assets: + Asset, the asset's profile (fields, moves between warehouses, the move
history, linked work orders) and the dialog that moves it."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Button, DataTable, Input, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from ...errors import DomainError, ValidationError
from ...i18n import N_, _
from ..app import StoreChanged
from ..safe import cell, line
from ..widgets.note import FieldNote
from ..work import run_store
from .base import Dialog
from .crm_common import (
    INPUT_CAP,
    clear_errors,
    document_status_label,
    fit_column,
    form_row,
    merge_edits,
    money_cell,
    options,
    show_errors,
)
from .crm_common import when as fmt_when

if TYPE_CHECKING:
    from ...domain.assets import AssetForm, AssetRecord
    from ..app import RemApp

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
        "serial",
        _("Serial / IMEI"),
        Input(
            id="f-serial",
            placeholder=_("Serial number or IMEI (*#06#)"),
            max_length=INPUT_CAP,
            compact=True,
        ),
    )
    yield from form_row(
        "kind",
        _("Name"),
        Input(
            id="f-kind",
            placeholder=_("Kind"),
            max_length=INPUT_CAP,
            compact=True,
            suggester=SuggestFromList([_(k) for k in KINDS], case_sensitive=False),
            classes="crm-name-part",
        ),
        Input(
            id="f-brand",
            placeholder=_("Brand"),
            max_length=INPUT_CAP,
            compact=True,
            classes="crm-name-part",
        ),
        Input(
            id="f-model",
            placeholder=_("Model"),
            max_length=INPUT_CAP,
            compact=True,
            classes="crm-name-part",
        ),
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

    def value(name: str) -> str:
        return str(root.query_one(f"#f-{name}", Input).value)

    return AssetForm(
        serial=value("serial"),
        kind=value("kind"),
        brand=value("brand"),
        model=value("model"),
        notes=root.query_one("#f-notes", TextArea).text,
    )


def set_asset_form(root: Any, form: AssetForm) -> None:
    for name in ("serial", "kind", "brand", "model"):
        root.query_one(f"#f-{name}", Input).value = getattr(form, name)
    root.query_one("#f-notes", TextArea).text = form.notes


def _errors(exc: DomainError) -> dict[str, str]:
    return exc.errors if isinstance(exc, ValidationError) else {exc.field or "": exc.message}


# --- + Asset --------------------------------------------------------------------------------


class NewAssetDialog(Dialog[int]):
    HELP_TEXT = N_(
        "A new asset for this client: its serial number or IMEI (unique in the shop; an "
        "IMEI's check digit is verified), its name (kind, brand, model: at least one), notes "
        "and the warehouse where it is now. ctrl+s saves; Escape closes without saving."
    )

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog crm-form wide-form", id="new-asset"):
            yield Static(_("New asset"), classes="dialog-title")
            yield from asset_fields()
            yield from form_row(
                "warehouse",
                _("Warehouse"),
                Select[int]([], id="f-warehouse", prompt=_("Choose a warehouse"), compact=True),
            )
            yield FieldNote("", id="err-general", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Save") + " (ctrl+s)", id="save", variant="primary", compact=True)
                yield Button(_("Cancel") + " (Esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        app: RemApp = self.app  # type: ignore[assignment]

        def fetch() -> Warehouses:
            from ...domain.staff import warehouses

            with app.store().read() as session:
                return warehouses(session)

        def show(found: Warehouses) -> None:
            select = self.query_one("#f-warehouse", Select)
            select.set_options(options((wid, name) for wid, name, _kind in found))
            shop = [wid for wid, _name, kind in found if kind == "shop"]
            if shop:
                select.value = shop[0]

        run_store(self, fetch, show, group="asset-warehouses")
        self.query_one("#f-serial").focus()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        app: RemApp = self.app  # type: ignore[assignment]
        form = read_asset_form(self)
        warehouse = self.query_one("#f-warehouse", Select).selection
        actor, client_id = app.actor, self.client_id

        def create() -> AssetRecord:
            from ...domain.assets import create_asset

            assert actor is not None
            with app.store().write() as session:
                return create_asset(session, actor, client_id, form, warehouse or 0)

        run_store(self, create, self._created, group="asset-create", error=self._failed)

    def _created(self, record: AssetRecord) -> None:
        self.app.notify(_("Asset {serial} registered.").format(serial=record.serial), markup=False)
        self.dismiss(record.id)

    def _failed(self, exc: DomainError) -> None:
        show_errors(self, _errors(exc), "general")
        self.notify(
            _("Nothing was saved: correct the marked fields."), severity="warning", markup=False
        )


# --- the asset's profile --------------------------------------------------------------------


class AssetDialog(Dialog[bool]):
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

    def __init__(self, asset_id: int) -> None:
        super().__init__()
        self.asset_id = asset_id
        self.record: AssetRecord | None = None
        self.shown_form: AssetForm | None = None
        self._mine: AssetForm | None = None
        self._base: AssetForm | None = None  # what the clerk had opened when editing
        self.changed = False

    @property
    def rem(self) -> RemApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog crm-profile", id="asset-profile"):
            yield Static(_("Asset"), id="asset-title", classes="dialog-title crm-title")
            with VerticalScroll(classes="crm-scroll"):
                yield Static(_("Loading…"), id="asset-summary", classes="crm-summary")
                yield Static("", id="asset-meta", classes="crm-meta")
                yield FieldNote("", id="asset-notice", classes="crm-notice")
                yield from asset_fields()
                yield FieldNote("", id="err-general", classes="field-error")
                with Horizontal(classes="crm-buttons"):
                    yield Button(
                        _("Save") + " (ctrl+s)", id="asset-save", variant="primary", compact=True
                    )
                    yield Button(_("Move…") + " (m)", id="asset-move", compact=True)
                    yield Button(_("Close") + " (Esc)", id="asset-close", compact=True)
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

    def on_mount(self) -> None:
        self._load(focus=True)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        fit_column(self.query_one("#asset-moves", DataTable), "move")

    # --- loading and showing ------------------------------------------------------------

    def _load(self, *, focus: bool = False, keep_edits: bool = False) -> None:
        app, asset_id = self.rem, self.asset_id

        def fetch() -> tuple[AssetRecord, dict[str, str]]:
            from ...domain.assets import get_asset

            with app.store().read() as session:
                record = get_asset(session, asset_id)
            return record, {d.status: document_status_label(d.status) for d in record.work_orders}

        def show(found: tuple[AssetRecord, dict[str, str]]) -> None:
            self._show(*found, keep_edits=keep_edits)
            if focus:
                self.query_one("#asset-move").focus()

        run_store(self, fetch, show, group="asset-load")

    def _show(
        self, record: AssetRecord, statuses: dict[str, str] | None = None, *, keep_edits: bool
    ) -> None:
        app = self.rem
        edits = read_asset_form(self) if keep_edits and self.has_unsaved_edits() else None
        self.record = record
        self.shown_form = record.as_form()
        set_asset_form(self, edits or self.shown_form)
        title = _("Asset {serial} · {client}").format(
            serial=record.serial, client=record.client_name
        )
        self.query_one("#asset-title", Static).update(line(title, limit=90))
        summary = _("{name} · now in: {warehouse}").format(
            name=record.name or "—", warehouse=record.warehouse_name
        )
        if record.is_imei:
            summary += " · IMEI"
        self.query_one("#asset-summary", Static).update(line(summary, limit=300))
        meta = _("Registered {when} by {who}.").format(
            when=fmt_when(app, record.created_at), who=record.created_by_name or "?"
        )
        if record.version > 1:
            meta += " " + _("Last changed {when} by {who}.").format(
                when=fmt_when(app, record.updated_at), who=record.updated_by_name or "?"
            )
        self.query_one("#asset-meta", Static).update(line(meta, limit=300))
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

        labels = statuses or {}
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

    def _notice(self, text: str) -> None:
        self.query_one("#asset-notice", FieldNote).update(line(text, limit=400))

    def has_unsaved_edits(self) -> bool:
        return self.shown_form is not None and read_asset_form(self) != self.shown_form

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "move":
            return self.record is not None
        if action == "restore":
            return self._mine is not None
        return True

    def on_store_changed(self, _event: StoreChanged) -> None:
        if self.record is None:
            return
        seen, app, asset_id = self.record.version, self.rem, self.asset_id

        def fetch() -> int:
            from ...domain.assets import asset_version

            with app.store().read() as session:
                return asset_version(session, asset_id)

        def compare(version: int) -> None:
            if version == seen or self.record is None or self.record.version != seen:
                return
            if self.has_unsaved_edits():
                self._notice(
                    _(
                        "Another employee changed this asset. Your edits are kept; saving "
                        "will tell you if theirs would be lost."
                    )
                )
            else:
                self._load()

        run_store(self, fetch, compare, group="asset-watch")

    # --- saving -------------------------------------------------------------------------

    @on(Button.Pressed, "#asset-save")
    def _save_pressed(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#asset-close")
    def _close_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#asset-move")
    def _move_pressed(self) -> None:
        self.action_move()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        if self.record is None:
            return
        if not self.has_unsaved_edits():
            self._notice(_("Nothing to save: no field was changed."))
            return
        form, expected = read_asset_form(self), self.record.version
        app, actor, asset_id = self.rem, self.rem.actor, self.asset_id

        def save() -> tuple[AssetRecord, dict[str, str]]:
            from ...domain.assets import update_asset

            assert actor is not None
            with app.store().write() as session:
                record = update_asset(session, actor, asset_id, form, expected)
            return record, {d.status: document_status_label(d.status) for d in record.work_orders}

        run_store(self, save, self._saved, group="asset-save", error=self._failed)

    def _saved(self, found: tuple[AssetRecord, dict[str, str]]) -> None:
        clear_errors(self)
        self._mine = None
        self.changed = True
        self._show(*found, keep_edits=False)
        self._notice(_("Saved."))

    def _failed(self, exc: DomainError) -> None:
        from ...domain.assets import StaleAsset

        if isinstance(exc, StaleAsset):
            self._stale(exc)
            return
        show_errors(self, _errors(exc), "general")
        self._notice(_("Nothing was saved: correct the marked fields."))

    def _stale(self, exc: Any) -> None:
        current: AssetRecord = exc.current
        clear_errors(self)
        who, at = current.updated_by_name or "?", fmt_when(self.rem, current.updated_at)
        if exc.mine is not None:
            self._mine, self._base = exc.mine, self.shown_form
            text = _(
                "Not saved: {who} changed this asset at {when}. Their version is shown now; "
                "ctrl+r puts back your edits (then save again)."
            ).format(who=who, when=at)
        else:
            text = _(
                "Not done: {who} changed this asset at {when}. It is shown as it is now; "
                "check it and try again."
            ).format(who=who, when=at)
        self._load(keep_edits=exc.mine is None)
        self._notice(text)
        self.notify(text, severity="warning", markup=False)

    def action_restore(self) -> None:
        if self._mine is not None and self._base is not None and self.shown_form is not None:
            set_asset_form(self, merge_edits(self._base, self._mine, self.shown_form))
            self._mine = None
            self._notice(_("Your edits are back: ctrl+s saves them over the current version."))
            self.refresh_bindings()

    # --- moving -------------------------------------------------------------------------

    def action_move(self) -> None:
        if self.record is None:
            return

        def moved(result: object) -> None:
            from ...domain.assets import AssetRecord, StaleAsset

            if isinstance(result, StaleAsset):
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

    def action_cancel(self) -> None:
        if not self.has_unsaved_edits():
            self.dismiss(self.changed)
            return
        from .confirm import ConfirmDialog

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(self.changed)

        self.app.push_screen(
            ConfirmDialog(
                _("Unsaved changes"),
                _("This asset has edits that are not saved. Close without saving?"),
                yes=_("Close"),
                no=_("Stay"),
            ),
            answered,
        )


# --- move -----------------------------------------------------------------------------------


class MoveDialog(Dialog[object]):
    """Moves the asset; dismisses with the asset as it is now, or StaleAsset."""

    HELP_TEXT = N_(
        "Where the asset goes: Up and Down choose the warehouse, Enter moves it there. The "
        "move is recorded with the time and your name."
    )

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
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Move") + " (Enter)", id="move-ok", variant="primary", compact=True)
                yield Button(_("Cancel") + " (Esc)", id="move-cancel", compact=True)

    def on_mount(self) -> None:
        app: RemApp = self.app  # type: ignore[assignment]

        def fetch() -> Warehouses:
            from ...domain.staff import warehouses

            with app.store().read() as session:
                return warehouses(session)

        run_store(self, fetch, self._show, group="move-warehouses")
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

    @on(Button.Pressed, "#move-ok")
    def _ok(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#move-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    def action_confirm(self) -> None:
        listing = self.query_one("#f-warehouse", OptionList)
        if listing.highlighted is None:
            return
        option = listing.get_option_at_index(listing.highlighted)
        warehouse_id = int(option.id or 0)
        app: RemApp = self.app  # type: ignore[assignment]
        actor, asset_id, expected = app.actor, self.asset.id, self.asset.version

        def move() -> AssetRecord:
            from ...domain.assets import move_asset

            assert actor is not None
            with app.store().write() as session:
                return move_asset(session, actor, asset_id, warehouse_id, expected)

        run_store(self, move, self.dismiss, group="asset-move", error=self._failed)

    def _failed(self, exc: DomainError) -> None:
        from ...domain.assets import StaleAsset

        if isinstance(exc, StaleAsset):
            self.dismiss(exc)
            return
        show_errors(self, _errors(exc), "general")
