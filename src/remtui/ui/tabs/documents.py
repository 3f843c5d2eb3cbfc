"""Documents (F6): the client's work orders, estimates and sales, newest first, paged."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import DataTable, Static

from ...i18n import N_, _
from ..documents_text import day, fit_columns, money, money_cell, status_text
from ..safe import cell, line
from .paged import PagedTab, PagedTable

if TYPE_CHECKING:
    from sqlmodel import Session

    from ...domain.documents import DocumentRow


class DocumentsTable(PagedTable):
    HELP_TEXT = N_(
        "Up and Down move through the documents; Enter opens the selected one. More load "
        "as you scroll."
    )


class DocumentsTab(PagedTab["DocumentRow"]):
    HELP_TEXT = N_(
        "Every work order, estimate and sale of this client, newest first, with what is "
        "still due. Enter opens a document (its lines, payments, status and actions). w "
        "creates a work order, s a sale (it charges the client at once, and its payment is "
        "offered next), t an estimate (it never charges)."
    )
    BINDINGS = [
        Binding(
            "w", "new_document('work_order')", N_("+ Work order"), id="documents.new_work_order"
        ),
        Binding("s", "new_document('sale')", N_("+ Sale"), id="documents.new_sale"),
        Binding("t", "new_document('estimate')", N_("+ Estimate"), id="documents.new_estimate"),
    ]

    GROUP = "docs"
    TABLE = DocumentsTable

    def __init__(self, client_id: int) -> None:
        super().__init__(client_id, id="documents")

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

    def _fit(self) -> None:
        """Dates, numbers, kinds and amounts whole; status and employee share the rest."""
        width = self.fit_width
        fixed = {
            "date": width("date", _("Date"), 8),
            "number": width("number", _("Number"), 9),
            "kind": width("kind", _("Kind"), 8),
            "total": width("total", _("Total"), 8),
            "due": width("due", _("Due"), 8),
        }
        fit_columns(self.paged_table(), self.size.width, fixed, {"status": 3, "employee": 2})

    def first_focus(self) -> Widget:
        return self.paged_table()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_document":
            return self.desk.actor is not None
        return True

    # --- loading (paged.PagedTab: a screenful first, more as the cursor nears the end) ---

    @staticmethod
    def fetch_page(
        session: Session, client_id: int, before_id: int | None, limit: int
    ) -> list[DocumentRow]:
        from ...domain.documents import list_documents

        return list_documents(session, client_id, before_id=before_id, limit=limit)

    def add_row(self, table: PagedTable, row: DocumentRow) -> None:
        app, widest = self.desk, self.widest
        status = status_text(row.status)
        if row.due > 0:
            due = money_cell(widest("due", money(app, row.due)), style="bold")
        elif row.kind != "estimate" and row.status not in ("cancelled", "refunded") and row.total:
            due = money_cell(widest("due", _("paid")))
        else:
            due = money_cell("")
        dim = "dim" if row.status in ("cancelled", "rejected", "refunded") else ""
        table.add_row(
            cell(widest("date", day(app, row.at))),
            cell(widest("number", row.number), style="bold"),
            cell(widest("kind", row.kind_label)),
            cell(status, style=dim),
            cell(row.employee),
            money_cell(widest("total", money(app, row.total)), style=dim),
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

    @on(DataTable.RowSelected, "#documents-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.rows):
            self.open_document(self.rows[event.cursor_row].id)

    # --- actions -------------------------------------------------------------------------

    def open_document(
        self, document_id: int, *, take_payment: bool = False, just_saved: bool = False
    ) -> None:
        from ..dialogs.document import DocumentDialog

        dialog = DocumentDialog(document_id, take_payment=take_payment, just_saved=just_saved)
        self.app.push_screen(dialog, lambda _r: self.reload())

    def action_new_document(self, kind: str) -> None:
        from ..dialogs.document_editor import DocumentEditor

        def saved(document_id: int | None) -> None:
            if document_id is None:
                return
            self.desk.broadcast_change()
            self.reload(select_id=document_id)
            # A sale is paid at the counter as it is made: its payment comes next.
            self.open_document(document_id, take_payment=kind == "sale", just_saved=True)

        self.app.push_screen(DocumentEditor(self.client_id, kind), saved)
