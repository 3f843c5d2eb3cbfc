"""Money in and out: taking a payment (with an excess kept as an advance), refunding, and
voiding a wrong payment; each writes its ledger entry and audit row."""

from __future__ import annotations

from sqlmodel import Session, select

from ...errors import DomainError, ValidationError
from ...i18n import _
from ...permissions import Perm
from ...safetext import clean_input
from ...store.tables import Cashbox, Client
from ...store.tables.documents import Document, Payment
from ...store.types import utcnow
from .. import audit, ledger
from ..actor import Actor, require
from ..settlement import (
    DocKind,
    Status,
    due_amount,
    lock_for_write,
    takes_payments,
)
from .reading import get_payment, paid
from .records import (
    MAX_NOTE,
    SOURCE_TYPE,
    CashFlowItem,
    Direction,
    PaymentExceedsDue,
    PaymentRecord,
    RefundNeedsConfirmation,
    RefundPreview,
)

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
    lock_for_write(session, client_id)
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
        elif doc.kind == DocKind.ESTIMATE:
            errors["document"] = _(
                "An estimate cannot be paid; turn it into a work order or a sale first."
            )
        elif doc.status == Status.CANCELLED:
            errors["document"] = _("A cancelled document cannot be paid.")
        elif not takes_payments(doc.kind, doc.status):
            errors["document"] = _("A refunded sale cannot be paid.")
        else:
            due = due_amount(doc.kind, doc.status, doc.total, paid(session, doc.id or 0))
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
    lock_for_write(session, client_id)
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
    lock_for_write(session, original.client_id)
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
