"""The client ledger: every movement of a client's balance, append-only.

Sign: positive amounts mean the client owes the shop more (receivable); negative, the
shop owes the client more (payable). The balance is the sum of a client's entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import text
from sqlmodel import Session, col, func, select

from ..errors import DomainError
from ..i18n import _
from ..store.tables.core import Client
from ..store.tables.ledger import LedgerEntry
from ..store.types import utcnow

MAX_ENTRY = 10**9 * 100  # one movement never exceeds 10^9 units of a 2-decimal currency


class Kind(StrEnum):
    CORRECTION = "correction"
    PAYMENT = "payment"  # money in from the client
    REFUND = "refund"  # money back to the client
    PAYMENT_VOID = "payment_void"
    SALE = "sale"
    SALE_REFUND = "sale_refund"
    WORK_ORDER = "work_order"  # charged when the work order is closed
    WORK_ORDER_REOPEN = "work_order_reopen"


def kind_label(kind: str | Kind) -> str:
    """The kind of a movement as a clerk reads it (translated when called)."""
    labels = {
        Kind.CORRECTION: _("Correction"),
        Kind.PAYMENT: _("Payment"),
        Kind.REFUND: _("Refund"),
        Kind.PAYMENT_VOID: _("Payment voided"),
        Kind.SALE: _("Sale"),
        Kind.SALE_REFUND: _("Sale refunded"),
        Kind.WORK_ORDER: _("Work order"),
        Kind.WORK_ORDER_REOPEN: _("Work order reopened"),
    }
    try:
        return labels[Kind(kind)]
    except ValueError:
        return str(kind)  # a kind this version does not know: shown as stored


class BalanceState(StrEnum):
    RECEIVABLE = "receivable"  # the client owes us: green
    SETTLED = "settled"
    PAYABLE = "payable"  # we owe the client: red


def state_of(balance: int) -> BalanceState:
    if balance > 0:
        return BalanceState.RECEIVABLE
    if balance < 0:
        return BalanceState.PAYABLE
    return BalanceState.SETTLED


def state_note(state: BalanceState) -> str:
    return {
        BalanceState.RECEIVABLE: _("The client owes us"),
        BalanceState.SETTLED: _("You are settled"),
        BalanceState.PAYABLE: _("We owe the client"),
    }[state]


def lock_client(session: Session, client_id: int) -> None:
    """Serialise writers of one client's ledger (SQLite already holds the write lock).
    Call it before reading a balance that a new entry will be computed from."""
    if session.connection().dialect.name != "sqlite":
        session.connection().execute(
            text("SELECT id FROM client WHERE id = :id FOR UPDATE"), {"id": client_id}
        )


_lock_client = lock_client  # the earlier name


def balance(session: Session, client_id: int) -> int:
    """The current balance: the running balance of the newest entry (0 with none)."""
    value = session.exec(
        select(LedgerEntry.balance_after)
        .where(LedgerEntry.client_id == client_id)
        .order_by(col(LedgerEntry.id).desc())
        .limit(1)
    ).first()
    return int(value or 0)


def sum_of_entries(session: Session, client_id: int) -> int:
    total = session.exec(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.client_id == client_id
        )
    ).one()
    return int(total)


def post(
    session: Session,
    *,
    client_id: int,
    employee_id: int | None,
    kind: Kind,
    amount: int,
    source_type: str = "",
    source_id: int | None = None,
    reference: str = "",
    cashbox_id: int | None = None,
    comment: str = "",
) -> LedgerEntry:
    """Append one movement, in the caller's transaction (the same one as its cause)."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError("ledger amounts are integer minor units")
    if amount == 0:
        raise DomainError(_("The amount must be more than zero."))
    if abs(amount) > MAX_ENTRY:
        raise DomainError(_("That amount is too large."))
    lock_client(session, client_id)
    # One round trip: does the client exist, and what is its balance now?
    newest = (
        select(LedgerEntry.balance_after)
        .where(LedgerEntry.client_id == client_id)
        .order_by(col(LedgerEntry.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    found = session.exec(select(Client.id, newest).where(Client.id == client_id)).first()
    if found is None:
        raise DomainError(_("That client does not exist."))
    entry = LedgerEntry(
        client_id=client_id,
        at=utcnow(),
        employee_id=employee_id,
        kind=kind.value,
        amount=amount,
        balance_after=int(found[1] or 0) + amount,
        source_type=source_type,
        source_id=source_id,
        reference=reference,
        cashbox_id=cashbox_id,
        comment=comment,
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class Balance:
    amount: int
    state: BalanceState

    @property
    def note(self) -> str:
        return state_note(self.state)


def client_balance(session: Session, client_id: int) -> Balance:
    amount = balance(session, client_id)
    return Balance(amount, state_of(amount))
