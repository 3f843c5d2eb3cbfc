"""Payments (F7): every payment of the client, newest first, paged; advances, refunds, voids."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import DataTable, Static

from ...i18n import N_, _
from ...permissions import Perm
from ..documents_text import fit_columns, money, money_cell, when
from ..safe import cell, line
from .paged import PagedTab, PagedTable

if TYPE_CHECKING:
    from sqlmodel import Session

    from ...domain.payments import PaymentRecord

VOIDED = "✗"  # marks a payment that was voided
VOID = "↺"  # marks the payment that voids another


class PaymentsTable(PagedTable):
    HELP_TEXT = N_(
        "Up and Down move through the payments; Enter opens the work order or sale the "
        "payment is for. ✗ marks a voided payment, ↺ the payment that voids it."
    )


class PaymentsTab(PagedTab["PaymentRecord"]):
    HELP_TEXT = N_(
        "Every payment of this client, newest first: money in (+) and money back (−), the "
        "cashbox, and the document paid. a takes an advance or a payment of a document, r "
        "gives money back (refund), v voids the selected payment with a reason (both rows "
        "stay, linked)."
    )
    BINDINGS = [
        Binding("a", "advance", N_("+ Advance"), id="payments.advance"),
        Binding("r", "refund", N_("− Payment"), id="payments.refund"),
        Binding("v", "void", N_("Void payment"), id="payments.void"),
    ]

    GROUP = "pay"
    TABLE = PaymentsTable

    def __init__(self, client_id: int) -> None:
        super().__init__(client_id, id="payments")

    def compose(self) -> ComposeResult:
        table = PaymentsTable(id="payments-table", cursor_type="row", zebra_stripes=True)
        table.add_column(_("Date and time"), key="when", width=16)
        table.add_column(_("Type"), key="type", width=10)
        table.add_column(_("Note"), key="note", width=12)
        table.add_column(_("Cashbox"), key="cashbox", width=10)
        table.add_column(Text(_("Amount"), justify="right"), key="amount", width=11)
        table.add_column(_("Document"), key="document", width=9)
        yield table
        yield Static(_("Loading…"), id="payments-status", classes="status-line")

    def _fit(self) -> None:
        """Times, types, amounts and numbers whole; note and cashbox share the rest."""
        width = self.fit_width
        fixed = {
            "when": min(width("when", _("Date and time"), 14), 16),
            "type": width("type", _("Type"), 7),
            "amount": width("amount", _("Amount"), 8),
            "document": width("document", _("Document"), 8),
            "cashbox": min(width("cashbox", _("Cashbox"), 7), 14),
        }
        fit_columns(self.paged_table(), self.size.width, fixed, {"note": 1})

    def first_focus(self) -> Widget:
        return self.paged_table()

    def _can(self, perm: Perm) -> bool:
        actor = self.desk.actor
        return actor is not None and actor.can(perm)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "advance":
            return self.desk.actor is not None
        if action == "refund":
            return self._can(Perm.REFUND)
        if action == "void":
            return self._can(Perm.CORRECTIONS)
        return True

    # --- loading (paged.PagedTab: a screenful first, more as the cursor nears the end) ---

    @staticmethod
    def fetch_page(
        session: Session, client_id: int, before_id: int | None, limit: int
    ) -> list[PaymentRecord]:
        from ...domain.payments import list_payments

        return list_payments(session, client_id, before_id=before_id, limit=limit)

    @staticmethod
    def _type(p: PaymentRecord) -> tuple[str, str]:
        """What kind of payment it is, with its mark, and the row's style."""
        if p.voided:
            return f"{VOIDED} {p.label}", "strike dim"
        if p.is_void:
            return f"{VOID} {p.label}", "italic"
        return p.label, ""

    def add_row(self, table: PagedTable, p: PaymentRecord) -> None:
        app, widest = self.desk, self.widest
        kind, style = self._type(p)
        amount = widest("amount", money(app, p.signed_amount, signed=True))
        table.add_row(
            cell(widest("when", when(app, p.at)), style=style),
            cell(widest("type", kind), style=style),
            cell(p.note, style=style),
            cell(widest("cashbox", p.cashbox), style=style),
            money_cell(amount, style=style or "bold"),
            cell(widest("document", p.document_number)),
            key=str(p.id),
        )

    def _status(self) -> None:
        status = self.query_one("#payments-status", Static)
        count = len(self.rows)
        if count == 0:
            status.update(line(_("No payments yet: a takes an advance.")))
            return
        if self.has_more:
            text = _("{n} payments shown; more load as you scroll.").format(n=count)
        else:
            text = _("1 payment.") if count == 1 else _("{n} payments.").format(n=count)
        if any(p.voided for p in self.rows):
            text += "  " + _("{mark} voided, {void} its void.").format(mark=VOIDED, void=VOID)
        status.update(line(text))

    def selected(self) -> PaymentRecord | None:
        table = self.paged_table()
        if 0 <= table.cursor_row < len(self.rows):
            return self.rows[table.cursor_row]
        return None

    @on(DataTable.RowSelected, "#payments-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if not 0 <= event.cursor_row < len(self.rows):
            return
        payment = self.rows[event.cursor_row]
        if payment.document_id is None:
            self.notify(
                _("This payment is not for a document (it is an advance or a refund)."),
                markup=False,
            )
            return
        from ..dialogs.document import DocumentDialog

        self.app.push_screen(DocumentDialog(payment.document_id), lambda _r: self.reload())

    # --- actions -------------------------------------------------------------------------

    def _written(self, result: object) -> None:
        if result is not None:
            self.desk.broadcast_change()
            self.reload(select_id=result if isinstance(result, int) else None)

    def action_advance(self) -> None:
        from ..dialogs.payment import PaymentDialog

        self.app.push_screen(PaymentDialog(self.client_id), self._written)

    def action_refund(self) -> None:
        if not self._can(Perm.REFUND):
            return
        from ..dialogs.payment import RefundDialog

        self.app.push_screen(RefundDialog(self.client_id), self._written)

    def action_void(self) -> None:
        if not self._can(Perm.CORRECTIONS):
            return
        payment = self.selected()
        if payment is None:
            self.notify(_("Choose the payment to void first."), markup=False)
            return
        if payment.is_void:
            self.notify(
                _("A void cannot be voided; take the payment again instead."),
                severity="warning",
                markup=False,
            )
            return
        if payment.voided:
            self.notify(_("This payment was already voided."), severity="warning", markup=False)
            return
        from ..dialogs.payment import VoidDialog

        self.app.push_screen(VoidDialog(payment), self._written)
