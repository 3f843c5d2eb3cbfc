"""Money dialogs: take a payment or an advance, give money back (refund), void a payment.

Amounts are typed as the clerk writes them ("12,50", "1.234,00 €") and parsed exactly;
every wrong field gets a message next to it and nothing is written. Paying more than a
document's due asks whether to keep the rest as an advance; refunding more than the shop
owes the client asks for confirmation and says what the balance will become.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from ...errors import DomainError, ValidationError
from ...i18n import N_, _
from ..documents_text import HELP_BINDING, money, parse_money, plain_amount, when
from ..safe import content, line, rich_line
from ..widgets.note import FieldNote
from ..work import run_store
from .base import Dialog
from .confirm import ConfirmDialog

# The value of the "Loading…" option. No real option may share it: Textual's Select does
# not redraw its shown choice when set_options() keeps the value it had.
LOADING = -1

if TYPE_CHECKING:
    from sqlmodel import Session

    from ...domain.documents import DocumentRow
    from ...domain.payments import PaymentRecord
    from ...domain.staff import Actor


class MoneyDialog(Dialog[int]):
    """What the three dialogs share: labelled rows, messages under fields, saving."""

    ENTER_CONFIRMS = True

    BINDINGS = [HELP_BINDING]

    FIELDS: tuple[str, ...] = ()

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id
        self.loaded = False
        self._saving = False

    def row(self, name: str, label: str, widget: Input | Select[int]) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label(label, classes="form-label")
            yield widget
        yield FieldNote("", id=f"err-{name}", classes="field-error")

    def buttons(self, ok: str) -> ComposeResult:
        with Horizontal(classes="dialog-buttons"):
            yield Button(ok + " (ctrl+s)", id="money-ok", variant="primary", compact=True)
            yield Button(_("Cancel") + " (Esc)", id="money-cancel", compact=True)

    def has_unsaved_edits(self) -> bool:
        """What the clerk typed (an amount the dialog filled in is not theirs)."""
        return any(
            widget.value.strip() not in ("", self.filled_amount()) for widget in self.query(Input)
        )

    def filled_amount(self) -> str:
        return ""

    @on(Button.Pressed, "#money-ok")
    def _ok(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#money-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def clear_errors(self) -> None:
        for name in self.FIELDS:
            self.query_one(f"#err-{name}", FieldNote).update("")
            for widget in self.query(f"#pay-{name}"):
                widget.remove_class("invalid")

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            key = name if name in self.FIELDS else self.FIELDS[-1]
            note = self.query_one(f"#err-{key}", FieldNote)
            note.update(line(message, limit=400))
            for widget in self.query(f"#pay-{key}"):
                widget.add_class("invalid")
        self.notify(
            _("Nothing was saved: correct the marked fields."), severity="warning", markup=False
        )

    def failed(self, exc: DomainError) -> None:
        self._saving = False
        if isinstance(exc, ValidationError):
            self.show_errors(exc.errors)
        else:
            self.show_errors({exc.field or self.FIELDS[-1]: exc.message})

    def cashbox_value(self, errors: dict[str, str]) -> int:
        value = self.query_one("#pay-cashbox", Select).value
        if not isinstance(value, int) or value <= 0:
            errors["cashbox"] = _("Choose a cashbox.")
            return 0
        return value

    def amount_value(self, errors: dict[str, str]) -> int:
        try:
            return parse_money(self.desk, self.query_one("#pay-amount", Input).value)
        except DomainError as exc:
            errors["amount"] = exc.message
            return 0

    def set_cashboxes(self, boxes: list[tuple[int, str]]) -> None:
        select = self.query_one("#pay-cashbox", Select)
        if boxes:
            select.set_options([(rich_line(name), box_id) for box_id, name in boxes])
            select.value = boxes[0][0]
        else:
            select.set_options([(_("No cashbox is open."), 0)])
            self.query_one("#err-cashbox", FieldNote).update(_("No cashbox is open."))

    def saved(self, record: PaymentRecord) -> None:
        self._saving = False
        self.dismiss(record.id)

    def write_payment(
        self,
        change: Callable[[Session, Actor], PaymentRecord],
        *,
        group: str,
        error: Callable[[DomainError], None],
    ) -> None:
        """Run ``change(session, actor)`` in one write transaction, in a worker; the dialog
        closes with the payment when it succeeds, ``error`` hears why when it does not."""
        actor = self.desk.actor

        def write() -> PaymentRecord:
            assert actor is not None
            with self.desk.store().write() as session:
                return change(session, actor)

        self._saving = True
        run_store(self, write, self.saved, group=group, error=error)


class PaymentDialog(MoneyDialog):
    """Money in: an advance, or a payment of one of the client's work orders or sales."""

    HELP_TEXT = N_(
        "Money from the client into a cashbox. Leave the document empty for an advance, "
        "or choose the work order or sale it pays (its due is offered as the amount). "
        "More than is due can be kept as an advance."
    )
    FIELDS = ("cashbox", "amount", "document", "note")

    def __init__(
        self, client_id: int, *, document_id: int | None = None, amount: int | None = None
    ) -> None:
        super().__init__(client_id)
        self.document_id = document_id
        self.preset_amount = amount
        self.documents: dict[int, DocumentRow] = {}
        self._auto_amount = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog money-dialog"):
            yield Static(_("Loading…"), id="pay-title", classes="dialog-title")
            yield from self.row(
                "cashbox",
                _("Cashbox"),
                Select[int](
                    [(_("Loading…"), LOADING)], id="pay-cashbox", allow_blank=False, compact=True
                ),
            )
            yield from self.row(
                "amount", _("Amount"), Input(id="pay-amount", max_length=24, compact=True)
            )
            yield from self.row(
                "document",
                _("Pays"),
                Select[int](
                    [(_("Loading…"), LOADING)], id="pay-document", allow_blank=False, compact=True
                ),
            )
            yield from self.row(
                "note", _("Note"), Input(id="pay-note", max_length=500, compact=True)
            )
            yield from self.buttons(_("Take"))

    def on_mount(self) -> None:
        client_id, document_id = self.client_id, self.document_id

        def fetch() -> tuple[str, list[tuple[int, str]], list[DocumentRow]]:
            from ...domain import documents, staff
            from ...domain.clients import get_client

            with self.desk.store().read() as session:
                name = get_client(session, client_id).name
                boxes = staff.cashboxes(session)
                payable = documents.payable_documents(session, client_id)
                if document_id is not None and all(d.id != document_id for d in payable):
                    # Offer the document asked for even if it is not among the newest.
                    own = documents.list_documents(
                        session, client_id, before_id=document_id + 1, limit=1
                    )
                    payable[:0] = [d for d in own if d.id == document_id and d.due > 0]
            return name, boxes, payable

        run_store(self, fetch, self._loaded, group="pay-load")

    def _loaded(self, data: tuple[str, list[tuple[int, str]], list[DocumentRow]]) -> None:
        name, boxes, payable = data
        self.documents = {d.id: d for d in payable}
        preset = self.documents.get(self.document_id or 0)
        title = (
            _("Take payment for {number} — {client}").format(number=preset.number, client=name)
            if preset is not None
            else _("+ Advance — {client}").format(client=name)
        )
        self.query_one("#pay-title", Static).update(line(title))
        self.set_cashboxes(boxes)
        options: list[tuple[Any, int]] = [(_("Nothing: an advance"), 0)]
        for d in payable:
            label = _("{number} · {kind} · due {due}").format(
                number=d.number, kind=d.kind_label, due=money(self.desk, d.due)
            )
            options.append((rich_line(label), d.id))
        select = self.query_one("#pay-document", Select)
        select.set_options(options)
        select.value = preset.id if preset is not None else 0
        amount = self.query_one("#pay-amount", Input)
        if self.preset_amount:
            self._fill_amount(plain_amount(self.desk, self.preset_amount))
        self.loaded = True
        amount.focus()

    def filled_amount(self) -> str:
        return self._auto_amount

    def _fill_amount(self, text: str) -> None:
        """The dialog (not the clerk) fills the amount: select it all, so what the clerk
        types replaces it ("20" is 20, not "2011.11"). The Input selects its text when it
        gains focus, but focus may come before the value (or never leave the field)."""
        self._auto_amount = text
        amount = self.query_one("#pay-amount", Input)
        amount.value = text
        amount.select_all()

    @on(Select.Changed, "#pay-document")
    def _document_changed(self, event: Select.Changed) -> None:
        if not self.loaded:
            return
        doc = self.documents.get(event.value) if isinstance(event.value, int) else None
        amount = self.query_one("#pay-amount", Input)
        if amount.value.strip() in ("", self._auto_amount):
            self._fill_amount(plain_amount(self.desk, doc.due) if doc is not None else "")
        # The document picked, the amount is next: typing replaces what is offered.
        amount.focus()

    def action_confirm(self, advance_excess: bool = False) -> None:
        if not self.loaded or self._saving:
            return
        self.clear_errors()
        errors: dict[str, str] = {}
        cashbox = self.cashbox_value(errors)
        amount = self.amount_value(errors)
        chosen = self.query_one("#pay-document", Select).value
        document_id = chosen if isinstance(chosen, int) and chosen > 0 else None
        note = self.query_one("#pay-note", Input).value
        if errors:
            self.show_errors(errors)
            return
        client_id = self.client_id

        def change(session: Session, actor: Actor) -> PaymentRecord:
            from ...domain.payments import take_payment

            return take_payment(
                session,
                actor,
                client_id,
                cashbox_id=cashbox,
                amount=amount,
                document_id=document_id,
                note=note,
                advance_excess=advance_excess,
            )

        self.write_payment(change, group="pay-save", error=self._payment_failed)

    def _payment_failed(self, exc: DomainError) -> None:
        from ...domain.payments import PaymentExceedsDue

        if not isinstance(exc, PaymentExceedsDue):
            self.failed(exc)
            return
        self._saving = False
        chosen = self.query_one("#pay-document", Select).value
        doc = self.documents.get(chosen) if isinstance(chosen, int) else None
        number = doc.number if doc is not None else "?"
        text = _(
            "{number} has {due} due. The other {excess} can be kept as an advance for the "
            "client (it pays later documents)."
        ).format(number=number, due=money(self.desk, exc.due), excess=money(self.desk, exc.excess))

        def answered(keep: bool | None) -> None:
            if keep:
                self.action_confirm(advance_excess=True)
            else:
                self.show_errors({"amount": exc.message})

        self.app.push_screen(
            ConfirmDialog(
                _("More than is due"),
                text,
                yes=_("Keep as advance"),
                no=_("Change the amount"),
            ),
            answered,
        )


class RefundDialog(MoneyDialog):
    """Money back to the client from a cashbox (needs the "refund" permission)."""

    HELP_TEXT = N_(
        "Money given back to the client from a cashbox, with the reason. A refund larger "
        "than what the shop owes the client asks for confirmation first."
    )
    FIELDS = ("cashbox", "amount", "note")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog money-dialog"):
            yield Static(_("Loading…"), id="pay-title", classes="dialog-title")
            yield Static("", id="pay-owed", classes="dialog-text")
            yield from self.row(
                "cashbox",
                _("Cashbox"),
                Select[int](
                    [(_("Loading…"), LOADING)], id="pay-cashbox", allow_blank=False, compact=True
                ),
            )
            yield from self.row(
                "amount", _("Amount"), Input(id="pay-amount", max_length=24, compact=True)
            )
            yield from self.row(
                "note",
                _("Reason"),
                Input(
                    id="pay-note",
                    max_length=500,
                    compact=True,
                    placeholder=_("why the money goes back"),
                ),
            )
            yield from self.buttons(_("Pay back"))

    def on_mount(self) -> None:
        client_id = self.client_id

        def fetch() -> tuple[str, list[tuple[int, str]], int]:
            from ...domain import staff
            from ...domain.clients import get_client
            from ...domain.payments import refund_preview

            with self.desk.store().read() as session:
                name = get_client(session, client_id).name
                boxes = staff.cashboxes(session)
                owed = refund_preview(session, client_id, 0).balance
            return name, boxes, owed

        run_store(self, fetch, self._loaded, group="refund-load")

    def _loaded(self, data: tuple[str, list[tuple[int, str]], int]) -> None:
        name, boxes, balance = data
        self.query_one("#pay-title", Static).update(
            line(_("− Payment (refund) — {client}").format(client=name))
        )
        if balance < 0:
            owed = _("The shop owes the client {amount}.").format(amount=money(self.desk, -balance))
        elif balance > 0:
            owed = _("The shop owes the client nothing; the client owes {amount}.").format(
                amount=money(self.desk, balance)
            )
        else:
            owed = _("The shop owes the client nothing; the balance is settled.")
        self.query_one("#pay-owed", Static).update(content(owed))
        self.set_cashboxes(boxes)
        self.loaded = True
        self.query_one("#pay-amount", Input).focus()

    def action_confirm(self, confirmed: bool = False) -> None:
        if not self.loaded or self._saving:
            return
        self.clear_errors()
        errors: dict[str, str] = {}
        cashbox = self.cashbox_value(errors)
        amount = self.amount_value(errors)
        note = self.query_one("#pay-note", Input).value
        if not note.strip():
            errors["note"] = _("Enter the reason for the refund.")
        if errors:
            self.show_errors(errors)
            return
        client_id = self.client_id

        def change(session: Session, actor: Actor) -> PaymentRecord:
            from ...domain.payments import refund

            return refund(
                session,
                actor,
                client_id,
                cashbox_id=cashbox,
                amount=amount,
                note=note,
                confirmed=confirmed,
            )

        self.write_payment(change, group="refund-save", error=self._refund_failed)

    def _refund_failed(self, exc: DomainError) -> None:
        from ...domain.payments import RefundNeedsConfirmation

        if not isinstance(exc, RefundNeedsConfirmation):
            self.failed(exc)
            return
        self._saving = False
        after = exc.balance_after
        if after > 0:
            meaning = _("the client will owe the shop {amount}").format(
                amount=money(self.desk, after)
            )
        elif after < 0:
            meaning = _("the shop will still owe the client {amount}").format(
                amount=money(self.desk, -after)
            )
        else:
            meaning = _("settled")
        text = _(
            "The shop owes the client {owed}, and this refund is {amount}. After it the "
            "balance will be {after}: {meaning}."
        ).format(
            owed=money(self.desk, exc.owed),
            amount=money(self.desk, exc.amount),
            after=money(self.desk, after),
            meaning=meaning,
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.action_confirm(confirmed=True)

        self.app.push_screen(
            ConfirmDialog(
                _("Refund more than is owed?"), text, yes=_("Refund anyway"), no=_("Go back")
            ),
            answered,
        )


class VoidDialog(MoneyDialog):
    """A wrong payment voided by a reversing one, with a mandatory reason."""

    HELP_TEXT = N_(
        "Voiding writes a reversing payment: the money goes back the other way in the same "
        "cashbox, and both rows stay in the list, linked. The reason is required."
    )
    FIELDS = ("reason",)

    def __init__(self, payment: PaymentRecord) -> None:
        super().__init__(payment.client_id)
        self.payment = payment

    def compose(self) -> ComposeResult:
        p = self.payment
        with Vertical(classes="dialog money-dialog"):
            yield Static(_("Void a payment"), classes="dialog-title")
            what = _("{label} of {amount} on {when}, {cashbox}").format(
                label=p.label,
                amount=money(self.desk, p.amount),
                when=when(self.desk, p.at),
                cashbox=p.cashbox,
            )
            if p.document_number:
                what += " · " + p.document_number
            if p.note:
                what += "\n" + _("Note: {note}").format(note=p.note)
            yield Static(content(what, limit=800), classes="dialog-text")
            yield from self.row(
                "reason", _("Reason"), Input(id="pay-reason", max_length=500, compact=True)
            )
            yield from self.buttons(_("Void payment"))

    def on_mount(self) -> None:
        self.loaded = True
        self.query_one("#pay-reason", Input).focus()

    def action_confirm(self) -> None:
        if self._saving:
            return
        self.clear_errors()
        reason = self.query_one("#pay-reason", Input).value
        if not reason.strip():
            self.show_errors({"reason": _("Enter the reason for voiding the payment.")})
            return
        payment_id = self.payment.id

        def change(session: Session, actor: Actor) -> PaymentRecord:
            from ...domain.payments import void_payment

            return void_payment(session, actor, payment_id, reason)

        self.write_payment(change, group="void-save", error=self.failed)
