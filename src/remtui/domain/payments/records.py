"""Payments as the Payments tab shows them: direction, cash-flow item, labels, the
record, and the errors and preview a clerk is asked to confirm."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ...errors import DomainError
from ...i18n import N_, _

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


def payment_label(direction: str, item: str, voids_id: int | None) -> str:
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
