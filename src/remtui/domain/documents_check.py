"""`remtui check` for documents and payments: recompute, per client, the ledger entries
that documents and payments should have produced and compare them with the ledger rows
whose source_type is "document" or "payment".

For each document: its lines' totals follow the rounding rule and add up to its total;
its status history starts at the kind's first status, follows allowed moves and ends at
its status; a reopen or sale refund reverses exactly what the close or sale charged; what
it charges now is its total. The entries it should have produced come from the history
(``documents.EFFECTS``: sale made +total, sale refunded -total, work order closed +total,
reopened -total, each with the total recorded on the status change; none for zero).

For each payment: one entry (Kind.PAYMENT -amount for money in, Kind.REFUND +amount for
money out, Kind.PAYMENT_VOID with the opposite sign of the voided payment's entry), on the
same client and cashbox; a void reverses a payment of the same client with the same
amount in the opposite direction, and is not itself voided; a payment against a document
is against one of the same client's.

Any ledger row with those source types that no document or payment explains is reported.
Reads only.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from ..i18n import _
from . import documents as docs
from . import ledger
from . import payments as pay
from .check import register_source_check

Problems = list[tuple[int | None, str]]


def _rows(session: Session, sql: str) -> list[Any]:
    return list(session.connection().execute(text(sql)))


def _fmt(entries: list[tuple[str, int]]) -> str:
    return ", ".join(f"{k} {a:+d}" for k, a in entries) or "-"


def _ledger_by_source(session: Session, source_type: str) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for r in session.connection().execute(
        text(
            "SELECT id, client_id, kind, amount, source_id, cashbox_id FROM ledger_entry "
            "WHERE source_type = :s ORDER BY source_id, id"
        ),
        {"s": source_type},
    ):
        out[int(r.source_id) if r.source_id is not None else -1].append(r)
    return out


def _check_documents(session: Session) -> Problems:
    problems: Problems = []
    documents = {
        int(r.id): r
        for r in _rows(session, "SELECT id, client_id, kind, status, total, number FROM document")
    }
    line_sums: dict[int, int] = defaultdict(int)
    for r in _rows(
        session,
        "SELECT document_id, position, quantity_milli, unit_price, discount_kind, "
        "discount_value, line_total FROM document_line ORDER BY document_id, position, id",
    ):
        doc = documents.get(int(r.document_id))
        line_sums[int(r.document_id)] += int(r.line_total)
        if doc is None:
            continue
        computed = docs.compute_line(
            int(r.quantity_milli), int(r.unit_price), r.discount_kind, int(r.discount_value)
        )
        valid = (
            r.quantity_milli > 0
            and r.unit_price >= 0
            and r.discount_kind in {k.value for k in docs.DiscountKind}
            and r.discount_value >= 0
            and (r.discount_kind != docs.DiscountKind.PERCENT or r.discount_value <= 10_000)
            and computed.total >= 0
        )
        if not valid or computed.total != r.line_total:
            problems.append(
                (
                    int(doc.client_id),
                    _(
                        "Document {number}: line {line} holds {stored} but its quantity, "
                        "price and discount make {expected}."
                    ).format(
                        number=doc.number,
                        line=int(r.position) + 1,
                        stored=r.line_total,
                        expected=computed.total if valid else "?",
                    ),
                )
            )
    history: dict[int, list[Any]] = defaultdict(list)
    for r in _rows(
        session,
        "SELECT document_id, from_status, to_status, total FROM document_status_change "
        "ORDER BY document_id, id",
    ):
        history[int(r.document_id)].append(r)
    entries = _ledger_by_source(session, docs.SOURCE_TYPE)
    for doc_id, doc in documents.items():
        client_id = int(doc.client_id)

        def report(message: str, client_id: int = client_id) -> None:
            problems.append((client_id, message))

        if line_sums.get(doc_id, 0) != doc.total:
            report(
                _("Document {number}: its total {total} is not the sum of its lines {sum}.").format(
                    number=doc.number, total=doc.total, sum=line_sums.get(doc_id, 0)
                )
            )
        expected: list[tuple[str, int]] = []
        changes = history.get(doc_id, [])
        previous = ""
        last_charge: int | None = None
        try:
            kind = docs.DocKind(doc.kind)
            first = docs.INITIAL_STATUS[kind].value
        except ValueError:
            report(_("Document {number} has an unknown kind.").format(number=doc.number))
            continue
        for index, change in enumerate(changes):
            ok = change.from_status == previous and (
                (index == 0 and change.to_status == first)
                or (index > 0 and change.to_status in docs.allowed_next(kind, previous))
            )
            if not ok:
                report(
                    _(
                        "Document {number}: its status history has a move from {old} to {new} "
                        "that is not allowed."
                    ).format(number=doc.number, old=change.from_status or "-", new=change.to_status)
                )
            effect = docs.ledger_effect(kind, change.from_status, change.to_status)
            if effect is not None:
                ledger_kind, sign = effect
                if sign < 0 and last_charge is not None and change.total != last_charge:
                    report(
                        _(
                            "Document {number}: a reversal of {reversed} does not match "
                            "the charge of {charged}."
                        ).format(number=doc.number, reversed=change.total, charged=last_charge)
                    )
                last_charge = change.total if sign > 0 else None
                if change.total != 0:
                    expected.append((ledger_kind.value, sign * int(change.total)))
            previous = change.to_status
        if previous != doc.status:
            report(
                _("Document {number}: its status {status} is not where its history ends.").format(
                    number=doc.number, status=doc.status
                )
            )
        if docs.charged(kind, doc.status, doc.total) and last_charge != doc.total:
            report(
                _(
                    "Document {number}: it charges {total} now but its history charged {charged}."
                ).format(number=doc.number, total=doc.total, charged=last_charge)
            )
        actual_rows = entries.pop(doc_id, [])
        actual = [(r.kind, int(r.amount)) for r in actual_rows]
        if actual != expected:
            report(
                _(
                    "Document {number}: the ledger has [{actual}] but the document should "
                    "have produced [{expected}]."
                ).format(number=doc.number, actual=_fmt(actual), expected=_fmt(expected))
            )
        for r in actual_rows:
            if int(r.client_id) != client_id:
                problems.append(
                    (
                        int(r.client_id),
                        _("Ledger entry {id} is for document {number} of another client.").format(
                            id=r.id, number=doc.number
                        ),
                    )
                )
    for source_id, rows in sorted(entries.items()):
        for r in rows:
            problems.append(
                (
                    int(r.client_id),
                    _("Ledger entry {id} refers to document {doc}, which does not exist.").format(
                        id=r.id, doc=source_id if source_id >= 0 else "-"
                    ),
                )
            )
    return problems


def _check_payments(session: Session) -> Problems:
    problems: Problems = []
    payments = {
        int(r.id): r
        for r in _rows(
            session,
            "SELECT id, client_id, cashbox_id, direction, amount, cash_flow_item, "
            "document_id, voids_id FROM payment",
        )
    }
    doc_clients = {
        int(r.id): (int(r.client_id), r.kind)
        for r in _rows(session, "SELECT id, client_id, kind FROM document")
    }
    entries = _ledger_by_source(session, pay.SOURCE_TYPE)
    for pid, p in sorted(payments.items()):
        client_id = int(p.client_id)
        amount = int(p.amount)
        if p.direction not in (pay.Direction.IN, pay.Direction.OUT) or amount <= 0:
            problems.append(
                (client_id, _("Payment {id} has no valid direction or amount.").format(id=pid))
            )
            continue
        voided = payments.get(int(p.voids_id)) if p.voids_id is not None else None
        if p.voids_id is not None:
            if (
                voided is None
                or int(voided.client_id) != client_id
                or int(voided.amount) != amount
                or voided.direction == p.direction
                or voided.voids_id is not None
            ):
                problems.append(
                    (
                        client_id,
                        _("Payment {id} does not reverse the payment {other} it voids.").format(
                            id=pid, other=p.voids_id
                        ),
                    )
                )
                continue
            want = (
                ledger.Kind.PAYMENT_VOID.value,
                amount if voided.direction == pay.Direction.IN else -amount,
            )
        elif p.direction == pay.Direction.IN:
            want = (ledger.Kind.PAYMENT.value, -amount)
        else:
            want = (ledger.Kind.REFUND.value, amount)
        if p.document_id is not None:
            owner = doc_clients.get(int(p.document_id))
            if owner is None or owner[0] != client_id:
                problems.append(
                    (
                        client_id,
                        _("Payment {id} is against a document of another client.").format(id=pid),
                    )
                )
        rows = entries.pop(pid, [])
        got = [(r.kind, int(r.amount), int(r.client_id), r.cashbox_id) for r in rows]
        expected = [(want[0], want[1], client_id, int(p.cashbox_id))]
        if got != expected:
            problems.append(
                (
                    client_id,
                    _(
                        "Payment {id}: the ledger has [{actual}] but the payment should have "
                        "produced [{expected}] (cashbox {cashbox})."
                    ).format(
                        id=pid,
                        actual=_fmt([(g[0], g[1]) for g in got]),
                        expected=_fmt([want]),
                        cashbox=p.cashbox_id,
                    ),
                )
            )
    for source_id, rows in sorted(entries.items()):
        for r in rows:
            problems.append(
                (
                    int(r.client_id),
                    _(
                        "Ledger entry {id} refers to payment {payment}, which does not exist."
                    ).format(id=r.id, payment=source_id if source_id >= 0 else "-"),
                )
            )
    return problems


@register_source_check
def ledger_matches_sources(session: Session) -> Problems:
    """(client_id, problem) for every difference between the ledger and what documents
    and payments say it should hold; empty when all is well."""
    return _check_documents(session) + _check_payments(session)
