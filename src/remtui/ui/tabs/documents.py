"""Documents (F6): the client's work orders, estimates and sales, newest first, paged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ...i18n import N_, _
from ..documents_text import day, fit_columns, money, money_cell, status_text, text_width
from ..safe import cell, line
from ..work import run_store
from .base import ProfileTab

if TYPE_CHECKING:
    from ...domain.documents import DocumentRow

PAGE = 50
MORE_AT = 5  # load the next page when the cursor is this close to the end


class DocumentsTable(DataTable[Any]):
    HELP_TEXT = N_(
        "Up and Down move through the documents; Enter opens the selected one. More load "
        "as you scroll."
    )


class DocumentsTab(ProfileTab):
    HELP_TEXT = N_(
        "Every work order, estimate and sale of this client, newest first, with what is "
        "still due. Enter opens a document (its lines, payments, status and actions). w "
        "creates a work order, s a sale (it charges the client at once), t an estimate "
        "(it never charges)."
    )
    BINDINGS = [
        Binding(
            "w", "new_document('work_order')", N_("+ Work order"), id="documents.new_work_order"
        ),
        Binding("s", "new_document('sale')", N_("+ Sale"), id="documents.new_sale"),
        Binding("t", "new_document('estimate')", N_("+ Estimate"), id="documents.new_estimate"),
    ]

    def __init__(self, client_id: int) -> None:
        super().__init__(client_id, id="documents")
        self.rows: list[DocumentRow] = []
        self.has_more = False
        self._loading_more = False

    def compose(self) -> ComposeResult:
        table = DocumentsTable(id="documents-table", cursor_type="row", zebra_stripes=True)
        table.add_column(_("Date"), key="date", width=10)
        table.add_column(_("Number"), key="number", width=9)
        table.add_column(_("Kind"), key="kind", width=10)
        table.add_column(_("Status"), key="status", width=11)
        table.add_column(_("Employee"), key="employee", width=10)
        table.add_column(Text(_("Total"), justify="right"), key="total", width=10)
        table.add_column(Text(_("Due"), justify="right"), key="due", width=10)
        yield table
        yield Static(_("Loading…"), id="documents-status", classes="status-line")

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Dates, numbers, kinds and amounts whole; status and employee share the rest."""
        app, rows = self.app, self.rows
        fixed = {
            "date": text_width([day(app, r.at) for r in rows[:50]], _("Date"), 8),
            "number": text_width([r.number for r in rows], _("Number"), 9),
            "kind": text_width([r.kind_label for r in rows], _("Kind"), 8),
            "total": text_width([money(app, r.total) for r in rows], _("Total"), 8),
            "due": text_width([money(app, r.due) for r in rows], _("Due"), 8),
        }
        fit_columns(
            self.query_one(DocumentsTable), self.size.width, fixed, {"status": 3, "employee": 2}
        )

    def focus_first(self) -> None:
        self.query_one(DocumentsTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_document":
            return self.rem.actor is not None
        return True

    # --- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        client_id = self.client_id
        limit = min(500, max(PAGE, len(self.rows)))

        def fetch() -> list[DocumentRow]:
            from ...domain.documents import list_documents

            with self.rem.store().read() as session:
                return list_documents(session, client_id, limit=limit)

        run_store(self, fetch, lambda rows: self._show(rows, limit, reset=True), group="docs-load")

    def _load_more(self) -> None:
        if not self.rows:
            return
        client_id, before = self.client_id, self.rows[-1].id
        self._loading_more = True

        def fetch() -> list[DocumentRow]:
            from ...domain.documents import list_documents

            with self.rem.store().read() as session:
                return list_documents(session, client_id, before_id=before, limit=PAGE)

        run_store(self, fetch, lambda rows: self._show(rows, PAGE, reset=False), group="docs-more")

    def _show(self, rows: list[DocumentRow], limit: int, *, reset: bool) -> None:
        table = self.query_one(DocumentsTable)
        self.refresh_bindings()
        selected = self._selected_id() if reset else None
        if reset:
            table.clear()
            self.rows = []
        elif self.rows and rows and rows[0].id >= self.rows[-1].id:
            return  # a page that a reload has overtaken
        self._loading_more = False
        for row in rows:
            self._add(table, row)
        self.rows.extend(rows)
        self.has_more = len(rows) == limit
        if selected is not None:
            for index, row in enumerate(self.rows):
                if row.id == selected:
                    table.move_cursor(row=index, animate=False)
                    break
        self._fit()
        self._status()

    def _add(self, table: DocumentsTable, row: DocumentRow) -> None:
        app = self.app
        # A completed sale has nothing to say about its status; a refunded one has.
        status = "" if row.status == "completed" else status_text(row.status)
        if row.due > 0:
            due = money_cell(money(app, row.due), style="bold")
        elif row.kind != "estimate" and row.status not in ("cancelled", "refunded") and row.total:
            due = money_cell(_("paid"))
        else:
            due = money_cell("")
        dim = "dim" if row.status in ("cancelled", "rejected", "refunded") else ""
        table.add_row(
            cell(day(app, row.at)),
            cell(row.number, style="bold"),
            cell(row.kind_label),
            cell(status, style=dim),
            cell(row.employee),
            money_cell(money(app, row.total), style=dim),
            due,
            key=str(row.id),
        )

    def _status(self) -> None:
        status = self.query_one("#documents-status", Static)
        count = len(self.rows)
        if count == 0:
            status.update(line(_("No documents yet: w, s or t creates one.")))
        elif self.has_more:
            status.update(line(_("{n} documents shown; more load as you scroll.").format(n=count)))
        else:
            status.update(
                line(_("1 document.") if count == 1 else _("{n} documents.").format(n=count))
            )

    def _selected_id(self) -> int | None:
        table = self.query_one(DocumentsTable)
        if 0 <= table.cursor_row < len(self.rows):
            return self.rows[table.cursor_row].id
        return None

    @on(DataTable.RowHighlighted, "#documents-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if (
            self.has_more
            and not self._loading_more
            and event.cursor_row >= len(self.rows) - MORE_AT
        ):
            self._load_more()

    @on(DataTable.RowSelected, "#documents-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.rows):
            self.open_document(self.rows[event.cursor_row].id)

    # --- actions -------------------------------------------------------------------------

    def open_document(self, document_id: int) -> None:
        from ..dialogs.document import DocumentDialog

        self.app.push_screen(DocumentDialog(document_id), lambda _r: self.reload())

    def action_new_document(self, kind: str) -> None:
        from ..dialogs.document_editor import DocumentEditor

        def saved(document_id: int | None) -> None:
            if document_id is None:
                return
            self.rem.broadcast_change()
            self.reload()
            self.open_document(document_id)

        self.app.push_screen(DocumentEditor(self.client_id, kind), saved)
