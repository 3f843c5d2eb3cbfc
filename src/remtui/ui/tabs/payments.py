"""Payments (F7): every payment of the client, newest first, paged; advances, refunds, voids."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ...i18n import N_, _
from ...permissions import Perm
from ..documents_text import fit_columns, money, money_cell, text_width, when
from ..safe import cell, line
from ..work import run_store
from .base import ProfileTab

if TYPE_CHECKING:
    from ...domain.payments import PaymentRecord

PAGE = 50
MORE_AT = 5
VOIDED = "✗"  # marks a payment that was voided
VOID = "↺"  # marks the payment that voids another


class PaymentsTable(DataTable[Any]):
    HELP_TEXT = N_(
        "Up and Down move through the payments; Enter opens the work order or sale the "
        "payment is for. ✗ marks a voided payment, ↺ the payment that voids it."
    )


class PaymentsTab(ProfileTab):
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

    def __init__(self, client_id: int) -> None:
        super().__init__(client_id, id="payments")
        self.rows: list[PaymentRecord] = []
        self.has_more = False
        self._loading_more = False

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

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Times, types, amounts and numbers whole; note and cashbox share the rest."""
        app, rows = self.app, self.rows
        fixed = {
            "when": text_width([when(app, r.at) for r in rows[:50]], _("Date and time"), 14),
            "type": text_width([self._type(r)[0] for r in rows], _("Type"), 7),
            "amount": text_width(
                [money(app, r.signed_amount, signed=True) for r in rows], _("Amount"), 8
            ),
            "document": text_width([r.document_number for r in rows], _("Document"), 8),
        }
        fixed["when"] = min(fixed["when"], 16)
        fixed["cashbox"] = min(text_width([r.cashbox for r in rows], _("Cashbox"), 7), 14)
        fit_columns(self.query_one(PaymentsTable), self.size.width, fixed, {"note": 1})

    def focus_first(self) -> None:
        self.query_one(PaymentsTable).focus()

    def _can(self, perm: Perm) -> bool:
        actor = self.rem.actor
        return actor is not None and actor.can(perm)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "advance":
            return self.rem.actor is not None
        if action == "refund":
            return self._can(Perm.REFUND)
        if action == "void":
            return self._can(Perm.CORRECTIONS)
        return True

    # --- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        client_id = self.client_id
        limit = min(500, max(PAGE, len(self.rows)))

        def fetch() -> list[PaymentRecord]:
            from ...domain.payments import list_payments

            with self.rem.store().read() as session:
                return list_payments(session, client_id, limit=limit)

        run_store(self, fetch, lambda rows: self._show(rows, limit, reset=True), group="pay-load")

    def _load_more(self) -> None:
        if not self.rows:
            return
        client_id, before = self.client_id, self.rows[-1].id
        self._loading_more = True

        def fetch() -> list[PaymentRecord]:
            from ...domain.payments import list_payments

            with self.rem.store().read() as session:
                return list_payments(session, client_id, before_id=before, limit=PAGE)

        run_store(self, fetch, lambda rows: self._show(rows, PAGE, reset=False), group="pay-more")

    def _show(self, rows: list[PaymentRecord], limit: int, *, reset: bool) -> None:
        table = self.query_one(PaymentsTable)
        self.refresh_bindings()
        current = self.selected() if reset else None
        selected = current.id if current is not None else None
        if reset:
            table.clear()
            self.rows = []
        elif self.rows and rows and rows[0].id >= self.rows[-1].id:
            return
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

    @staticmethod
    def _type(p: PaymentRecord) -> tuple[str, str]:
        """What kind of payment it is, with its mark, and the row's style."""
        if p.voided:
            return f"{VOIDED} {p.label}", "strike dim"
        if p.is_void:
            return f"{VOID} {p.label}", "italic"
        return p.label, ""

    def _add(self, table: PaymentsTable, p: PaymentRecord) -> None:
        app = self.app
        kind, style = self._type(p)
        table.add_row(
            cell(when(app, p.at), style=style),
            cell(kind, style=style),
            cell(p.note, style=style),
            cell(p.cashbox, style=style),
            money_cell(money(app, p.signed_amount, signed=True), style=style or "bold"),
            cell(p.document_number),
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
        table = self.query_one(PaymentsTable)
        if 0 <= table.cursor_row < len(self.rows):
            return self.rows[table.cursor_row]
        return None

    @on(DataTable.RowHighlighted, "#payments-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if (
            self.has_more
            and not self._loading_more
            and event.cursor_row >= len(self.rows) - MORE_AT
        ):
            self._load_more()

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
            self.rem.broadcast_change()
            self.reload()

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
