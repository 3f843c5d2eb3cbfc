"""Payments: money in from a client (payments of documents, advances), money back to a
client (refunds), and voids. The payment table is append-only: a wrong payment is voided
by a reversing payment, and both stay visible, linked to each other.

Each payment writes one ledger entry (source_type "payment", source_id = the payment's
id, cashbox_id = its cashbox) in the same transaction::

    take_payment   direction in,  Kind.PAYMENT       -amount   (the client owes less)
    refund         direction out, Kind.REFUND        +amount   (money back: owes more)
    void_payment   the opposite direction of the payment it voids, same amount, cashbox,
                   cash-flow item and document; Kind.PAYMENT_VOID with the opposite sign
                   of the voided payment's entry. A payment is voided at most once; a
                   void cannot be voided (take the payment again instead).

Cash-flow items: "client_payment" (money in against a work order or sale), "prepayment"
(money in not against a document: an advance), "client_refund" (money out).

**Paying more than is due.** A payment against a document may not exceed what is due on
it (``PaymentExceedsDue``, carrying the due and the excess) unless the clerk chose to
keep the excess as an advance (``advance_excess=True``): then the due is paid against the
document and the excess is a separate "prepayment" row without a document, in the same
transaction. Money is only taken against a work order (not cancelled) or a completed
sale of the same client; never against an estimate, a cancelled document or a refunded
sale.

**Refunds** need the "refund" permission. A refund larger than what the shop owes the
client (max(0, -balance)) raises ``RefundNeedsConfirmation`` carrying the balance it would
leave, unless ``confirmed=True``. Voids need the "corrections" permission.

**Advance held** (``advance_held``): money received from the client and not yet consumed
by charges, and never more than the shop owes the client::

    advance_held = max(0, min(-(sum of the client's ledger entries with source_type
                                "payment" or "document"),
                              -balance))
                 = max(0, min(paid in - refunded - (sales + closed work orders - reversals),
                              what the shop owes the client))

(voids count with their sign). A correction in the client's favour is credit, not money
received, so it adds nothing; one against the client uses the advance up like a charge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import case
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from ..errors import DomainError, ValidationError
from ..i18n import N_, _
from ..safetext import clean_input
from ..store.tables import Cashbox, Client, Employee
from ..store.tables.documents import Document, Payment
from ..store.tables.ledger import LedgerEntry
from ..store.types import utcnow
from . import audit, documents, ledger
from .staff import Actor, Perm, require

SOURCE_TYPE = "payment"  # ledger_entry.source_type of payments, refunds and voids
MAX_NOTE = 500
PAGE = 100


class Direction(StrEnum):
    IN = "in"  # money from the client
    OUT = "out"  # money back to the client


class CashFlowItem(StrEnum):
    CLIENT_PAYMENT = "client_payment"
    PREPAYMENT = "prepayment"
    CLIENT_REFUND = "client_refund"


def direction_label(direction: str) -> str:
    labels = {Direction.IN: _("In"), Direction.OUT: _("Out")}
    try:
        return labels[Direction(direction)]
    except ValueError:
        return str(direction)


_CASH_FLOW_LABELS = {
    CashFlowItem.CLIENT_PAYMENT.value: N_("Client payment"),
    CashFlowItem.PREPAYMENT.value: N_("Prepayment"),
    CashFlowItem.CLIENT_REFUND.value: N_("Client refund"),
}


def cash_flow_label(item: str) -> str:
    message = _CASH_FLOW_LABELS.get(item)
    return _(message) if message is not None else str(item)


def _kind_label(direction: str, item: str, voids_id: int | None) -> str:
    if voids_id is not None:
        return _("Void")
    if direction == Direction.OUT:
        return _("Refund")
    if item == CashFlowItem.PREPAYMENT:
        return _("Advance")
    return _("Payment")


@dataclass(frozen=True)
class PaymentRecord:
    """One row of the Payments tab (and of a document's payments)."""

    id: int
    at: datetime
    client_id: int
    cashbox_id: int
    cashbox: str
    direction: str  # "in" | "out"
    amount: int  # positive minor units
    signed_amount: int  # + money from the client, - money back to the client
    cash_flow_item: str
    cash_flow_label: str
    label: str  # "Payment", "Advance", "Refund", "Void"
    document_id: int | None
    document_kind: str
    document_number: str
    voids_id: int | None  # this row voids that payment
    voided_by_id: int | None  # that row voids this payment
    note: str
    employee: str

    @property
    def is_void(self) -> bool:
        return self.voids_id is not None

    @property
    def voided(self) -> bool:
        return self.voided_by_id is not None

    @property
    def can_void(self) -> bool:
        return self.voids_id is None and self.voided_by_id is None


class PaymentExceedsDue(DomainError):
    """More than is due on the document; ``due`` and ``excess`` say by how much."""

    def __init__(self, due: int, excess: int) -> None:
        super().__init__(
            _(
                "That is more than is due on this document. Take only what is due, "
                "or keep the rest as an advance."
            ),
            "amount",
        )
        self.due = due
        self.excess = excess


class RefundNeedsConfirmation(DomainError):
    """The refund is larger than what the shop owes the client. ``balance_after`` is the
    balance it would leave (positive: the client would owe us), ``owed`` what the shop
    owes now."""

    def __init__(self, amount: int, owed: int, balance_after: int) -> None:
        super().__init__(
            _("This refund is more than the shop owes the client. Confirm to refund anyway."),
            "amount",
        )
        self.amount = amount
        self.owed = owed
        self.balance_after = balance_after


@dataclass(frozen=True)
class RefundPreview:
    balance: int
    owed: int  # what the shop owes the client now (>= 0)
    balance_after: int
    needs_confirmation: bool


# --- validation ------------------------------------------------------------------------------


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_amount(amount: object, errors: dict[str, str]) -> int:
    if not _is_int(amount):
        errors["amount"] = _("Enter an amount.")
        return 0
    assert isinstance(amount, int)
    if amount <= 0:
        errors["amount"] = _("The amount must be more than zero.")
    elif amount > ledger.MAX_ENTRY:
        errors["amount"] = _("That amount is too large.")
    return amount


def _check_cashbox(session: Session, cashbox_id: object, errors: dict[str, str]) -> None:
    box = session.get(Cashbox, cashbox_id) if _is_int(cashbox_id) else None
    if box is None:
        errors["cashbox"] = _("Choose a cashbox.")
    elif not box.active:
        errors["cashbox"] = _("That cashbox is closed.")


def _check_note(note: str, errors: dict[str, str], key: str = "note") -> str:
    value = clean_input(note or "")
    if len(value) > MAX_NOTE:
        errors[key] = _("At most {n} characters.").format(n=MAX_NOTE)
    return value


def _client(session: Session, client_id: int) -> Client:
    client = session.get(Client, client_id) if _is_int(client_id) else None
    if client is None:
        raise DomainError(_("That client does not exist."), "client")
    return client


def _write(
    session: Session,
    actor: Actor,
    *,
    client_id: int,
    cashbox_id: int,
    direction: Direction,
    amount: int,
    item: str,
    document: Document | None,
    note: str,
    voids: Payment | None = None,
) -> Payment:
    row = Payment(
        at=utcnow(),
        client_id=client_id,
        cashbox_id=cashbox_id,
        direction=direction.value,
        amount=amount,
        cash_flow_item=item,
        document_id=document.id if document is not None else None,
        voids_id=voids.id if voids is not None else None,
        note=note,
        employee_id=actor.id,
    )
    session.add(row)
    session.flush()
    if voids is not None:
        kind = ledger.Kind.PAYMENT_VOID
        signed = amount if voids.direction == Direction.IN else -amount
    elif direction == Direction.IN:
        kind, signed = ledger.Kind.PAYMENT, -amount
    else:
        kind, signed = ledger.Kind.REFUND, amount
    ledger.post(
        session,
        client_id=client_id,
        employee_id=actor.id,
        kind=kind,
        amount=signed,
        source_type=SOURCE_TYPE,
        source_id=row.id,
        reference=document.number if document is not None else "",
        cashbox_id=cashbox_id,
        comment=note,
    )
    return row


# --- writing -------------------------------------------------------------------------------


def take_payment(
    session: Session,
    actor: Actor,
    client_id: int,
    *,
    cashbox_id: int,
    amount: int,
    document_id: int | None = None,
    note: str = "",
    advance_excess: bool = False,
) -> PaymentRecord:
    """Money in from the client into a cashbox: an advance, or a payment of one of the
    client's work orders or sales. Returns the row against the document (or the advance
    row when nothing was against a document). Raises ValidationError (keys "amount",
    "cashbox", "note", "document"), PaymentExceedsDue, and writes nothing on error."""
    _client(session, client_id)
    documents.lock_for_write(session, client_id)
    errors: dict[str, str] = {}
    value = _check_amount(amount, errors)
    _check_cashbox(session, cashbox_id, errors)
    text = _check_note(note, errors)
    doc: Document | None = None
    due = 0
    if document_id is not None:
        doc = session.get(Document, document_id, populate_existing=True)
        if doc is None:
            errors["document"] = _("That document does not exist.")
        elif doc.client_id != client_id:
            errors["document"] = _("That document belongs to another client.")
        elif doc.kind == documents.DocKind.ESTIMATE:
            errors["document"] = _(
                "An estimate cannot be paid; turn it into a work order or a sale first."
            )
        elif doc.status == documents.Status.CANCELLED:
            errors["document"] = _("A cancelled document cannot be paid.")
        elif not documents.takes_payments(doc.kind, doc.status):
            errors["document"] = _("A refunded sale cannot be paid.")
        else:
            due = documents.due_amount(doc.kind, doc.status, doc.total, paid(session, doc.id or 0))
    if errors:
        raise ValidationError(errors)
    if doc is None:
        row = _receive(session, actor, client_id, cashbox_id, value, None, text)
        return get_payment(session, row.id or 0)
    if value > due and not advance_excess:
        raise PaymentExceedsDue(due, value - due)
    against = min(value, due)
    excess = value - against
    main: Payment | None = None
    if against > 0:
        main = _receive(
            session,
            actor,
            client_id,
            cashbox_id,
            against,
            doc,
            text,
            document_id=doc.id,
            number=doc.number,
        )
    if excess > 0:
        extra = _receive(
            session, actor, client_id, cashbox_id, excess, None, text, excess_of_document_id=doc.id
        )
        main = main or extra
    assert main is not None
    return get_payment(session, main.id or 0)


def _receive(
    session: Session,
    actor: Actor,
    client_id: int,
    cashbox_id: int,
    amount: int,
    doc: Document | None,
    note: str,
    **detail: object,
) -> Payment:
    """Money in: a payment of ``doc``, or an advance when it is None, and its audit row."""
    row = _write(
        session,
        actor,
        client_id=client_id,
        cashbox_id=cashbox_id,
        direction=Direction.IN,
        amount=amount,
        item=CashFlowItem.PREPAYMENT if doc is None else CashFlowItem.CLIENT_PAYMENT,
        document=doc,
        note=note,
    )
    audit.record(
        session,
        actor.id,
        "payment.advance" if doc is None else "payment.take",
        "payment",
        row.id,
        client_id=client_id,
        amount=amount,
        cashbox_id=cashbox_id,
        **detail,
    )
    return row


def refund_preview(session: Session, client_id: int, amount: int) -> RefundPreview:
    """What a refund of ``amount`` would leave (for the dialog, before confirming)."""
    balance = ledger.balance(session, client_id)
    owed = max(0, -balance)
    return RefundPreview(balance, owed, balance + amount, amount > owed)


def refund(
    session: Session,
    actor: Actor,
    client_id: int,
    *,
    cashbox_id: int,
    amount: int,
    note: str,
    confirmed: bool = False,
) -> PaymentRecord:
    """Money back to the client from a cashbox (needs the "refund" permission). More
    than the shop owes the client raises RefundNeedsConfirmation unless ``confirmed``."""
    require(actor, Perm.REFUND)
    _client(session, client_id)
    documents.lock_for_write(session, client_id)
    errors: dict[str, str] = {}
    value = _check_amount(amount, errors)
    _check_cashbox(session, cashbox_id, errors)
    text = _check_note(note, errors)
    if errors:
        raise ValidationError(errors)
    preview = refund_preview(session, client_id, value)
    if preview.needs_confirmation and not confirmed:
        raise RefundNeedsConfirmation(value, preview.owed, preview.balance_after)
    row = _write(
        session,
        actor,
        client_id=client_id,
        cashbox_id=cashbox_id,
        direction=Direction.OUT,
        amount=value,
        item=CashFlowItem.CLIENT_REFUND,
        document=None,
        note=text,
    )
    audit.record(
        session,
        actor.id,
        "payment.refund",
        "payment",
        row.id,
        client_id=client_id,
        amount=value,
        cashbox_id=cashbox_id,
        balance_before=preview.balance,
        confirmed=preview.needs_confirmation,
    )
    return get_payment(session, row.id or 0)


def void_payment(session: Session, actor: Actor, payment_id: int, reason: str) -> PaymentRecord:
    """A reversing payment for a wrong one (needs the "corrections" permission), with a
    mandatory reason. Returns the void row."""
    require(actor, Perm.CORRECTIONS)
    original = session.get(Payment, payment_id) if _is_int(payment_id) else None
    if original is None:
        raise DomainError(_("That payment does not exist."))
    documents.lock_for_write(session, original.client_id)
    errors: dict[str, str] = {}
    text = _check_note(reason, errors, "reason")
    if not text and not errors:
        errors["reason"] = _("Enter the reason for voiding the payment.")
    if errors:
        raise ValidationError(errors)
    if original.voids_id is not None:
        raise DomainError(_("A void cannot be voided; take the payment again instead."))
    already = session.exec(select(Payment.id).where(Payment.voids_id == payment_id)).first()
    if already is not None:
        raise DomainError(_("This payment was already voided."))
    doc = session.get(Document, original.document_id) if original.document_id else None
    direction = Direction.OUT if original.direction == Direction.IN else Direction.IN
    row = _write(
        session,
        actor,
        client_id=original.client_id,
        cashbox_id=original.cashbox_id,
        direction=direction,
        amount=original.amount,
        item=original.cash_flow_item,
        document=doc,
        note=text,
        voids=original,
    )
    audit.record(
        session,
        actor.id,
        "payment.void",
        "payment",
        row.id,
        client_id=original.client_id,
        voids_id=payment_id,
        amount=original.amount,
        reason=text,
    )
    return get_payment(session, row.id or 0)


# --- reading -------------------------------------------------------------------------------


@cache
def _query() -> Any:
    """A payment row with its cashbox, document, void and employee (built once: the
    statement is immutable; each caller adds its own WHERE and ORDER BY)."""
    void = aliased(Payment)
    return (
        sa_select(
            col(Payment.id),
            col(Payment.at),
            col(Payment.client_id),
            col(Payment.cashbox_id),
            col(Payment.direction),
            col(Payment.amount),
            col(Payment.cash_flow_item),
            col(Payment.document_id),
            col(Payment.voids_id),
            col(Payment.note),
            col(Cashbox.name).label("cashbox"),
            col(Document.kind).label("document_kind"),
            col(Document.number).label("document_number"),
            col(void.id).label("voided_by_id"),
            col(Employee.name).label("employee"),
        )
        .select_from(Payment)
        .join(Cashbox, col(Cashbox.id) == col(Payment.cashbox_id), isouter=True)
        .join(Document, col(Document.id) == col(Payment.document_id), isouter=True)
        .join(void, col(void.voids_id) == col(Payment.id), isouter=True)
        .join(Employee, col(Employee.id) == col(Payment.employee_id), isouter=True)
    )


def _records(session: Session, query: Any) -> list[PaymentRecord]:
    """PaymentRecords from a ``_query()`` query; each label is translated once a call."""
    labels: dict[tuple[str, str, bool], tuple[str, str]] = {}
    out = []
    for (
        payment_id,
        at,
        client_id,
        cashbox_id,
        direction,
        amount,
        item,
        document_id,
        voids_id,
        note,
        cashbox,
        document_kind,
        document_number,
        voided_by_id,
        employee,
    ) in session.connection().execute(query).all():
        key = (direction, item, voids_id is None)
        text = labels.get(key)
        if text is None:
            text = labels[key] = (cash_flow_label(item), _kind_label(direction, item, voids_id))
        out.append(
            PaymentRecord(
                id=payment_id,
                at=at,
                client_id=client_id,
                cashbox_id=cashbox_id,
                cashbox=cashbox or "",
                direction=direction,
                amount=amount,
                signed_amount=amount if direction == Direction.IN else -amount,
                cash_flow_item=item,
                cash_flow_label=text[0],
                label=text[1],
                document_id=document_id,
                document_kind=document_kind or "",
                document_number=document_number or "",
                voids_id=voids_id,
                voided_by_id=voided_by_id,
                note=note,
                employee=employee or "",
            )
        )
    return out


def get_payment(session: Session, payment_id: int) -> PaymentRecord:
    rows = _records(session, _query().where(col(Payment.id) == payment_id))
    if not rows:
        raise DomainError(_("That payment does not exist."))
    return rows[0]


def list_payments(
    session: Session, client_id: int, before_id: int | None = None, limit: int = PAGE
) -> list[PaymentRecord]:
    """The client's payments, newest first, a page at a time (keyset: pass the last row's
    id as ``before_id``). One query whatever the page size."""
    query = (
        _query()
        .where(col(Payment.client_id) == client_id)
        .order_by(col(Payment.id).desc())
        .limit(max(1, min(limit, 500)))
    )
    if before_id is not None:
        query = query.where(col(Payment.id) < before_id)
    return _records(session, query)


def document_payments(session: Session, document_id: int) -> list[PaymentRecord]:
    """The payments against a document (and their voids), oldest first."""
    return _records(
        session, _query().where(col(Payment.document_id) == document_id).order_by(col(Payment.id))
    )


def _signed() -> Any:
    return case((col(Payment.direction) == "in", col(Payment.amount)), else_=-col(Payment.amount))


def cashbox_balance(session: Session, cashbox_id: int) -> int:
    """The money in a cashbox from client payments: in minus out."""
    value = session.exec(
        select(func.coalesce(func.sum(_signed()), 0)).where(Payment.cashbox_id == cashbox_id)
    ).one()
    return int(value)


def paid(session: Session, document_id: int) -> int:
    """Net money against the document (payments in minus their voids)."""
    return documents.paid_by_document(session, [document_id]).get(document_id, 0)


def due(session: Session, document_id: int) -> int:
    """What is still to be paid on the document (see documents' module docstring)."""
    doc = session.get(Document, document_id, populate_existing=True)
    if doc is None:
        raise DomainError(_("That document does not exist."))
    return documents.due_amount(doc.kind, doc.status, doc.total, paid(session, document_id))


def advance_held(session: Session, client_id: int) -> int:
    """Money received from the client and not yet consumed by charges (see the module
    docstring): max(0, -sum of the client's payment and document ledger entries).

    Computed as the balance (one indexed read) less the other entries (corrections: few),
    so it costs the same for a client with 5,000 payments as for one with 5."""
    mine = (SOURCE_TYPE, documents.SOURCE_TYPE)
    # Ranges of the (client, source, amount) index around the two sources we count, so
    # only the other entries are read.
    lo, hi = sorted(mine)
    source = col(LedgerEntry.source_type)
    others = 0
    for where in (source < lo, (source > lo) & (source < hi), source > hi):
        others += int(
            session.exec(
                select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
                    LedgerEntry.client_id == client_id, where
                )
            ).one()
        )
    balance = ledger.balance(session, client_id)
    # Never more than the shop owes the client: a correction that the client owes more
    # (a forgotten charge) uses the advance up as a charge would, so the two figures on
    # screen never contradict each other ("settled" beside an advance held).
    return max(0, min(-(balance - others), -balance))
