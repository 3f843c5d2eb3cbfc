"""Payments: money in from a client (payments of documents, advances), money back to a
client (refunds), and voids. The payment table is append-only: a wrong payment is voided
by a reversing payment, and both stay visible, linked to each other.

The package: ``records`` (kinds, labels, the record, the errors), ``taking`` (money in
and out, voids), ``reading`` (queries, paid, due, advance held). What it needs to know
about a document comes from ``domain.settlement``, not from ``documents``.

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

from .reading import (
    advance_held,
    cashbox_balance,
    document_payments,
    due,
    get_payment,
    list_payments,
    paid,
)
from .records import (
    MAX_NOTE,
    PAGE,
    SOURCE_TYPE,
    CashFlowItem,
    Direction,
    PaymentExceedsDue,
    PaymentRecord,
    RefundNeedsConfirmation,
    RefundPreview,
    cash_flow_label,
    direction_label,
)
from .taking import (
    refund,
    refund_preview,
    take_payment,
    void_payment,
)

__all__ = [
    "MAX_NOTE",
    "PAGE",
    "SOURCE_TYPE",
    "CashFlowItem",
    "Direction",
    "PaymentExceedsDue",
    "PaymentRecord",
    "RefundNeedsConfirmation",
    "RefundPreview",
    "advance_held",
    "cash_flow_label",
    "cashbox_balance",
    "direction_label",
    "document_payments",
    "due",
    "get_payment",
    "list_payments",
    "paid",
    "refund",
    "refund_preview",
    "take_payment",
    "void_payment",
]
