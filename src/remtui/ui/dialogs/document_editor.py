"""Create or edit a document: a line editor with catalog type-ahead and live totals.

Each line: item (picked from the catalog as you type, or free text), quantity, unit price,
discount ("10 %" is a percentage, "5" or "5,00" an amount) and its total, computed by the
domain (``preview_lines``) as the clerk types. ctrl+s saves; every wrong field gets a
message next to it and nothing is written while anything is wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import DescendantFocus, Key
from textual.timer import Timer
from textual.widgets import Button, Input, Label, OptionList, Select, Static

from ...errors import DomainError, ValidationError
from ...i18n import N_, _
from ..documents_text import HELP_BINDING, money, plain_amount
from ..safe import controls_note, field_text, fill, line, rich_line, value_of
from ..widgets.note import FieldNote
from ..work import run_store
from .base import Dialog
from .catalog_search import DEBOUNCE, CatalogSearch
from .document_lines import CatalogMatches, LineRow, check_lines, merge_errors, parse_row

__all__ = ["CatalogMatches", "DocumentEditor", "LineRow"]

if TYPE_CHECKING:
    from ...domain.catalog import CatalogItemRecord
    from ...domain.documents import DocumentDetail, LineInput, LineRecord


class DocumentEditor(Dialog[int]):
    DISCARD_TITLE = N_("Discard this document?")
    ENTER_CONFIRMS = True
    HELP_TEXT = N_(
        "One row per line: item (type to search the catalog, Down to pick; or write "
        "anything), quantity (2, 1,5), unit price, discount (10 % for a percentage, 5,00 "
        "for an amount) and the line's total. ctrl+n adds a line, ctrl+r removes the line "
        "you are on, Enter moves to the next field, ctrl+s saves."
    )
    BINDINGS = [
        HELP_BINDING,
        Binding("ctrl+n", "add_line", N_("+ Line"), id="document_editor.add_line"),
        Binding("ctrl+r", "remove_line", N_("− Line"), id="document_editor.remove_line"),
        Binding("ctrl+s", "confirm", N_("Save"), id="document_editor.save"),
        # Enter in an item field takes the highlighted catalog match (then moves on, as
        # Enter does in the other fields of a line: ui/keys.py ENTER_NEXT).
        Binding("enter", "enter_item", show=False, priority=True),
    ]

    def __init__(self, client_id: int, kind: str, document_id: int | None = None) -> None:
        super().__init__()
        self.client_id = client_id
        self.kind = kind
        self.document_id = document_id
        self.detail: DocumentDetail | None = None
        self.loaded = False
        self._client_discount = ""
        self._tried = False  # after a save was tried, messages follow the typing
        self._preview_timer: Timer | None = None
        self._catalog = CatalogSearch(self)
        self._start: list[tuple[str, ...]] = []
        self._saving = False

    def _titles(self) -> str:
        from ...domain.documents import kind_label

        if self.document_id is not None and self.detail is not None:
            return _("Edit {kind} {number}").format(
                kind=kind_label(self.kind).lower(), number=self.detail.number
            )
        return {
            "work_order": _("New work order"),
            "sale": _("New sale"),
            "estimate": _("New estimate"),
        }.get(self.kind, _("New document"))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog doc-editor"):
            yield Static(_("Loading…"), id="editor-title", classes="dialog-title")
            with Horizontal(classes="doc-line-head"):
                yield Label(_("Item"), classes="head-description")
                yield Label(_("Qty"), classes="head-quantity")
                yield Label(_("Unit price"), classes="head-unit_price")
                yield Label(_("Discount"), classes="head-discount")
                yield Label(_("Total"), classes="head-total")
                yield Label("", classes="head-remove")
            # The catalog matches sit among the lines, moved under the line being typed.
            yield VerticalScroll(
                CatalogMatches(id="catalog-matches", compact=True), id="editor-lines"
            )
            yield FieldNote("", id="err-lines", classes="field-error")
            with Horizontal(classes="form-row", id="asset-row"):
                yield Label(_("Asset"), classes="form-label")
                yield Select[int](
                    [(_("No asset"), 0)], id="editor-asset", allow_blank=False, compact=True
                )
            yield FieldNote("", id="err-asset", classes="field-error")
            with Horizontal(classes="form-row"):
                yield Label(_("Comment"), classes="form-label")
                yield Input(id="editor-comment", max_length=2000, compact=True)
            yield FieldNote("", id="err-comment", classes="field-error")
            yield FieldNote("", id="ctl-comment", classes="field-warning")
            yield Static("", id="editor-total")
            with Horizontal(classes="dialog-buttons doc-editor-foot"):
                yield Button(_("+ Line") + " (ctrl+n)", id="editor-add", compact=True)
                yield Button(
                    _("Save") + " (ctrl+s)", id="editor-save", variant="primary", compact=True
                )
                yield Button(_("Cancel") + " (Esc)", id="editor-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#catalog-matches").display = False
        self.query_one("#asset-row").display = self.kind in ("work_order", "estimate")
        client_id, document_id = self.client_id, self.document_id

        def fetch() -> tuple[Any, list[tuple[int, str]], DocumentDetail | None]:
            from ...domain.clients import get_client
            from ...domain.documents import asset_choices, get_document

            with self.desk.store().read() as session:
                client = get_client(session, client_id)
                assets = asset_choices(session, client_id)
                detail = get_document(session, document_id) if document_id is not None else None
            return client, assets, detail

        run_store(self, fetch, self._loaded, group="editor-load", error=self._load_failed)

    def _load_failed(self, exc: DomainError) -> None:
        self.query_one("#editor-title", Static).update(line(exc.message))

    def _loaded(self, data: tuple[Any, list[tuple[int, str]], DocumentDetail | None]) -> None:
        from ...domain.documents import format_percent, format_quantity

        client, assets, detail = data
        self.detail = detail
        locale = self.desk.settings.locale
        if client.discount_bp:
            self._client_discount = format_percent(client.discount_bp, locale)
        title = self._titles() + " — " + client.name
        self.query_one("#editor-title", Static).update(line(title))
        select = self.query_one("#editor-asset", Select)
        select.set_options(
            [(_("No asset"), 0), *((rich_line(label), aid) for aid, label in assets)]
        )
        box = self.query_one("#editor-lines", VerticalScroll)
        rows: list[LineRow] = []
        if detail is not None:
            comment = self.query_one("#editor-comment", Input)
            fill(comment, detail.comment)
            self.query_one("#ctl-comment", FieldNote).update(controls_note(comment))
            if detail.asset_id is not None and any(aid == detail.asset_id for aid, _l in assets):
                select.value = detail.asset_id
            for ln in detail.lines:
                rows.append(self._row_from(ln, locale, format_quantity, format_percent))
        if not rows:
            rows.append(LineRow(discount=self._client_discount))
        self.call_later(self._mount_rows, box, rows)

    async def _mount_rows(self, box: VerticalScroll, rows: list[LineRow]) -> None:
        await box.mount_all(rows)
        self.loaded = True
        self._start = self._snapshot()
        rows = self._rows()
        if rows:
            rows[0].field("description").focus()
        self._preview()

    def _row_from(self, ln: LineRecord, locale: str, fmt_qty: Any, fmt_pct: Any) -> LineRow:
        if ln.discount_kind == "percent":
            discount = fmt_pct(ln.discount_value, locale)
        elif ln.discount_kind == "amount":
            discount = plain_amount(self.desk, ln.discount_value)
        else:
            discount = ""
        return LineRow(
            description=ln.description,
            quantity=fmt_qty(ln.quantity_milli, locale),
            price=plain_amount(self.desk, ln.unit_price),
            discount=discount,
            item_id=ln.item_id,
        )

    def _rows(self) -> list[LineRow]:
        return list(self.query_one("#editor-lines").query_children(LineRow))

    def _snapshot(self) -> list[tuple[str, ...]]:
        comment = value_of(self.query_one("#editor-comment", Input))
        asset = str(self.query_one("#editor-asset", Select).value)
        return [row.texts() for row in self._rows()] + [(comment, asset)]

    def _row_of(self, widget: Any) -> LineRow | None:
        node = widget
        while node is not None and not isinstance(node, LineRow):
            node = node.parent
        return node

    # --- reading the lines -----------------------------------------------------------------

    def _collect(self) -> list[tuple[LineRow, LineInput, dict[str, str]]]:
        """Every line that is not blank: the row, its input and its own errors."""
        return [(row, *parse_row(self.desk, row)) for row in self._rows() if not row.is_blank()]

    # --- live totals ---------------------------------------------------------------------

    def _schedule_preview(self) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(DEBOUNCE, self._preview)

    def _preview(self) -> None:
        if not self.loaded:
            return
        entries = self._collect()
        check = check_lines(self.client_id, [parsed for _row, parsed, _own in entries])

        def compute() -> list[LineRecord | dict[str, str]]:
            with self.desk.store().read() as session:
                return check(session)

        def show(results: list[LineRecord | dict[str, str]]) -> None:
            self._show_preview(entries, results)

        run_store(self, compute, show, group="editor-preview")

    def _show_preview(
        self,
        entries: list[tuple[LineRow, LineInput, dict[str, str]]],
        results: list[LineRecord | dict[str, str]],
    ) -> None:
        errors = merge_errors(entries, results)
        total = discount = 0
        for (row, _parsed, _own), result in zip(entries, results, strict=False):
            if row.is_attached and row not in errors and not isinstance(result, dict):
                row.show_total(money(self.desk, result.line_total))
                total += result.line_total
                discount += result.discount
        for row in self._rows():
            if row in errors or row.is_blank():
                row.show_total("—" if row in errors else "")
            if self._tried:
                row.show_errors(errors.get(row, {}))
        text = _("Total {total}").format(total=money(self.desk, total))
        if discount:
            text += " · " + _("discount {amount}").format(amount=money(self.desk, discount))
        if errors:
            text += " · " + _("some lines are not complete")
        self.query_one("#editor-total", Static).update(line(text))

    @on(Input.Changed, ".doc-line Input")
    def _line_changed(self, event: Input.Changed) -> None:
        row = self._row_of(event.input)
        if row is not None and event.input.has_class("line-description"):
            if row.item_id is not None and event.value != row.item_name:
                row.item_id = None  # edited: free text now
            if event.input.has_focus:
                self._catalog.schedule(row, event.value)
        self._schedule_preview()

    @on(Button.Pressed, ".line-remove")
    def _remove_pressed(self, event: Button.Pressed) -> None:
        row = self._row_of(event.button)
        if row is not None:
            self._remove(row)

    @on(Button.Pressed, "#editor-add")
    async def _add_pressed(self) -> None:
        await self.action_add_line()

    @on(Button.Pressed, "#editor-save")
    def _save_pressed(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#editor-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    # --- catalog type-ahead ----------------------------------------------------------------

    def back_to_item(self) -> None:
        if self._catalog.row is not None and self._catalog.row.is_attached:
            self._catalog.row.field("description").focus()
        self._catalog.hide()

    def on_key(self, event: Key) -> None:
        focused = self.focused
        matches = self.query_one(CatalogMatches)
        if (
            event.key == "down"
            and matches.display
            and isinstance(focused, Input)
            and focused.has_class("line-description")
        ):
            matches.focus()
            matches.highlighted = 0
            event.stop()
            event.prevent_default()
        elif event.key == "up" and focused is matches and matches.highlighted in (0, None):
            self.back_to_item()
            event.stop()
            event.prevent_default()

    @on(OptionList.OptionSelected, "#catalog-matches")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        item = self._catalog.items.get(event.option.id or "")
        row = self._catalog.row
        self._catalog.hide()
        if item is None or row is None or not row.is_attached:
            return
        self._take_item(row, item)
        row.field("quantity").focus()

    def _take_item(self, row: LineRow, item: CatalogItemRecord, price_was: str = "") -> None:
        """The catalog item on the line: its name, and its price unless the clerk has
        typed one since (``price_was``: the price field when the item was asked for)."""
        row.item_id = item.id
        row.item_name = field_text(item.name)
        fill(row.field("description"), item.name)
        row.show_controls()
        price = row.field("unit_price")
        if price.value == price_was:  # safe: a comparison
            fill(price, plain_amount(self.desk, item.price))  # safe: an amount we format
            if price.has_focus:
                price.select_all()  # as if the focus came now: typing replaces it
        self._schedule_preview()

    def action_enter_item(self) -> None:
        """Enter in an item field: the highlighted catalog match goes on the line (the
        first one when none is highlighted; when the matches for what was typed are not
        shown yet, they are looked up first), then the focus moves on at once, so keys
        typed after Enter land in the quantity whether or not the matches were there."""
        field = self.focused
        row = self._row_of(field)
        if not isinstance(field, Input) or row is None or not field.has_class("line-description"):
            raise SkipAction()
        text = field.value
        wanted = bool(text.strip()) and not (row.item_id is not None and text == row.item_name)
        self._catalog.stop()
        if wanted and self._catalog.shown_for == (row, text):
            matches = self.query_one(CatalogMatches)
            index = matches.highlighted if matches.highlighted is not None else 0
            item = self._catalog.items.get(matches.get_option_at_index(index).id or "")
            if item is not None:
                self._take_item(row, item)
        elif wanted:
            price_was = row.field("unit_price").value
            self._catalog.take_first_match(row, text, price_was, self._take_item)
        self._catalog.hide()
        self.focus_next()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        widget = event.widget
        matches = self.query_one(CatalogMatches)
        if widget is matches:
            return
        typing_item = isinstance(widget, Input) and widget.has_class("line-description")
        if not typing_item or self._row_of(widget) is not self._catalog.row:
            self._catalog.hide()

    # --- adding and removing lines -----------------------------------------------------------

    async def action_add_line(self) -> None:
        if not self.loaded:
            return
        from ...domain.documents import MAX_LINES

        if len(self._rows()) >= MAX_LINES:
            self.query_one("#err-lines", FieldNote).update(
                _("At most {n} lines.").format(n=MAX_LINES)
            )
            return
        row = LineRow(discount=self._client_discount)
        await self.query_one("#editor-lines", VerticalScroll).mount(row)
        self._focus_row(row)

    def _focus_row(self, row: LineRow) -> None:
        if row.is_attached:
            row.field("description").focus()
            row.scroll_visible()

    def action_remove_line(self) -> None:
        row = self._row_of(self.focused)
        if row is None:
            rows = self._rows()
            row = rows[-1] if rows else None
        if row is not None:
            self._remove(row)

    def _remove(self, row: LineRow) -> None:
        rows = self._rows()
        index = rows.index(row) if row in rows else 0
        if self._catalog.row is row:
            self._catalog.hide()
            self._catalog.row = None
        row.remove()
        rest = [r for r in rows if r is not row]
        if rest:
            target = rest[min(index, len(rest) - 1)]
            self.call_after_refresh(lambda: self._focus_row(target))
        else:
            self.call_later(self.action_add_line)
        self._schedule_preview()

    # --- saving --------------------------------------------------------------------------

    def action_confirm(self) -> None:
        if not self.loaded or self._saving:
            return
        self._tried = True
        entries = self._collect()
        rows = [row for row, _parsed, _own in entries]
        inputs = [parsed for _row, parsed, _own in entries]
        check = check_lines(self.client_id, inputs)
        own_errors = any(own for _row, _parsed, own in entries)
        comment = value_of(self.query_one("#editor-comment", Input))
        asset_value = self.query_one("#editor-asset", Select).value
        with_asset = self.kind in ("work_order", "estimate")
        asset_id = (
            asset_value if with_asset and isinstance(asset_value, int) and asset_value else None
        )
        actor, client_id, kind = self.desk.actor, self.client_id, self.kind
        document_id = self.document_id
        version = self.detail.version if self.detail is not None else 0
        prefixes = dict(self.desk.settings.document_prefixes)

        def save() -> int | list[LineRecord | dict[str, str]]:
            from ...domain import documents

            assert actor is not None
            if own_errors:  # nothing to write: gather the domain's messages too
                with self.desk.store().read() as session:
                    return check(session)
            with self.desk.store().write() as session:
                if document_id is None:
                    return documents.create_document(
                        session,
                        actor,
                        client_id,
                        kind,
                        inputs,
                        comment=comment,
                        asset_id=asset_id,
                        apply_client_discount=False,
                        prefixes=prefixes,
                    ).id
                return documents.update_document(
                    session,
                    actor,
                    document_id,
                    version,
                    lines=inputs,
                    comment=comment,
                    asset_id=asset_id,
                    apply_client_discount=False,
                ).id

        def failed(exc: DomainError) -> None:
            self._saving = False
            self._failed(exc, rows)

        def done(result: int | list[LineRecord | dict[str, str]]) -> None:
            self._saving = False
            if isinstance(result, list):
                self._clear_errors()
                for row, row_errors in merge_errors(entries, result).items():
                    row.show_errors(row_errors)
                self._nothing_saved()
                return
            # No toast: the document opens next and says "Saved" in its title (a toast sat
            # over its buttons for three seconds).
            self.dismiss(result)

        self._saving = True
        run_store(self, save, done, group="editor-save", error=failed)

    def _clear_errors(self) -> None:
        for row in self._rows():
            row.show_errors({})
        for name in ("lines", "asset", "comment"):
            self.query_one(f"#err-{name}", FieldNote).update("")

    def _nothing_saved(self) -> None:
        self.notify(
            _("Nothing was saved: correct the marked fields."), severity="warning", markup=False
        )

    def _failed(self, exc: DomainError, rows: list[LineRow]) -> None:
        self._clear_errors()
        errors = (
            exc.errors if isinstance(exc, ValidationError) else {exc.field or "lines": exc.message}
        )
        per_row: dict[LineRow, dict[str, str]] = {}
        general: list[str] = []
        for key, message in errors.items():
            parts = key.split(".")
            if len(parts) == 3 and parts[0] == "line" and parts[1].isdigit():
                index = int(parts[1])
                if index < len(rows):
                    per_row.setdefault(rows[index], {})[parts[2]] = message
                    continue
            if key in ("asset", "comment"):
                self.query_one(f"#err-{key}", FieldNote).update(line(message, limit=400))
            else:
                general.append(message)
        for row, row_errors in per_row.items():
            row.show_errors(row_errors)
        self.query_one("#err-lines", FieldNote).update(line(" ".join(general), limit=400))
        self._nothing_saved()

    def has_unsaved_edits(self) -> bool:
        return self.loaded and self._snapshot() != self._start  # Escape asks (Dialog)
