"""Reading payments: pages of a client's payments, a document's payments, a cashbox's
money, what is paid and due on a document, and the advance held."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from ...errors import DomainError
from ...i18n import _
from ...store.tables import Cashbox, Employee
from ...store.tables.documents import Document, Payment
from ...store.tables.ledger import LedgerEntry
from .. import ledger
from ..settlement import (
    DOCUMENT_SOURCE_TYPE,
    due_amount,
    paid_by_document,
    signed_payment,
)
from .records import PAGE, SOURCE_TYPE, Direction, PaymentRecord, cash_flow_label, payment_label


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
            text = labels[key] = (cash_flow_label(item), payment_label(direction, item, voids_id))
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


def cashbox_balance(session: Session, cashbox_id: int) -> int:
    """The money in a cashbox from client payments: in minus out."""
    value = session.exec(
        select(func.coalesce(func.sum(signed_payment()), 0)).where(Payment.cashbox_id == cashbox_id)
    ).one()
    return int(value)


def paid(session: Session, document_id: int) -> int:
    """Net money against the document (payments in minus their voids)."""
    return paid_by_document(session, [document_id]).get(document_id, 0)


def due(session: Session, document_id: int) -> int:
    """What is still to be paid on the document (see ``settlement.due_amount``)."""
    doc = session.get(Document, document_id, populate_existing=True)
    if doc is None:
        raise DomainError(_("That document does not exist."))
    return due_amount(doc.kind, doc.status, doc.total, paid(session, document_id))


def advance_held(session: Session, client_id: int) -> int:
    """Money received from the client and not yet consumed by charges (see the
    package's docstring): max(0, -sum of the client's payment and document ledger entries).

    Computed as the balance (one indexed read) less the other entries (corrections: few),
    so it costs the same for a client with 5,000 payments as for one with 5."""
    mine = (SOURCE_TYPE, DOCUMENT_SOURCE_TYPE)
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
