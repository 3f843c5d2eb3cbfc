"""What a payment needs to know about a document: its kind and status, whether it takes
money, what it charges and what is due on it, the money already against it, and the lock
that serialises writers of one client's documents and payments.

Documents and payments both build on this module; neither imports the other for it (the
document dialog's list of payments reads ``payments``, which does not read documents)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy import case, text
from sqlmodel import Session, col, func, select

from ..store.tables.documents import Payment

DOCUMENT_SOURCE_TYPE = "document"  # ledger_entry.source_type of document charges


class DocKind(StrEnum):
    WORK_ORDER = "work_order"
    ESTIMATE = "estimate"
    SALE = "sale"


class Status(StrEnum):
    # work orders
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING_PARTS = "waiting_parts"
    READY = "ready"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    # estimates
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    # sales
    COMPLETED = "completed"
    REFUNDED = "refunded"


def takes_payments(kind: str, status: str) -> bool:
    """Whether money may be taken against a document in this state."""
    if kind == DocKind.WORK_ORDER:
        return status != Status.CANCELLED
    if kind == DocKind.SALE:
        return status == Status.COMPLETED
    return False


def charged(kind: str, status: str, total: int) -> int:
    """What the document currently charges the client's balance."""
    if (kind, status) in ((DocKind.SALE, Status.COMPLETED), (DocKind.WORK_ORDER, Status.CLOSED)):
        return total
    return 0


def due_amount(kind: str, status: str, total: int, paid: int) -> int:
    return max(0, total - paid) if takes_payments(kind, status) else 0


def lock_for_write(session: Session, client_id: int, document_id: int | None = None) -> None:
    """Serialise writers of one client's documents and payments (SQLite: the write lock
    is already held by BEGIN IMMEDIATE)."""
    if session.connection().dialect.name == "sqlite":
        return
    session.connection().execute(
        text("SELECT id FROM client WHERE id = :id FOR UPDATE"), {"id": client_id}
    )
    if document_id is not None:
        session.connection().execute(
            text("SELECT id FROM document WHERE id = :id FOR UPDATE"), {"id": document_id}
        )


def signed_payment() -> Any:
    """A payment's amount as money from the client: + in, - out (a SQL expression)."""
    return case((col(Payment.direction) == "in", col(Payment.amount)), else_=-col(Payment.amount))


def paid_by_document(session: Session, document_ids: Iterable[int]) -> dict[int, int]:
    """Net money against each document (in minus out), in one grouped query."""
    ids = list(document_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(Payment.document_id, func.sum(signed_payment()))
        .where(col(Payment.document_id).in_(ids))
        .group_by(col(Payment.document_id))
    ).all()
    return {int(doc_id): int(total or 0) for doc_id, total in rows if doc_id is not None}
