"""Payments: advances, payments of documents, refunds, voids, cashboxes, advance held."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlmodel import col, select

from remtui import i18n
from remtui.domain import audit, clients, ledger, payments, staff
from remtui.domain import documents as docs
from remtui.domain.documents import LineInput
from remtui.errors import DomainError, PermissionDenied, ValidationError
from remtui.store.engine import Store
from remtui.store.tables.documents import Payment
from remtui.store.tables.ledger import LedgerEntry

MakeClient = Callable[..., clients.ClientRecord]
TABLES = ("payment", "ledger_entry", "audit", "document", "document_status_change")


def counts(store: Store) -> dict[str, int]:
    with store.read() as session:
        conn = session.connection()
        return {
            t: int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()) for t in TABLES
        }


def entries(store: Store, client_id: int) -> list[tuple[str, int, str, int | None, int | None]]:
    with store.read() as session:
        rows = session.exec(
            select(LedgerEntry)
            .where(LedgerEntry.client_id == client_id)
            .order_by(col(LedgerEntry.id))
        ).all()
        return [(r.kind, r.amount, r.source_type, r.source_id, r.cashbox_id) for r in rows]


def balance(store: Store, client_id: int) -> int:
    with store.read() as session:
        return ledger.balance(session, client_id)


@pytest.fixture
def client_id(make_client: MakeClient) -> int:
    return make_client("Maria Santos").id


@pytest.fixture
def boxes(store: Store, admin: staff.Actor) -> list[int]:
    with store.read() as session:
        return [b for b, _name in staff.cashboxes(session)]


@pytest.fixture
def clerk(store: Store, admin: staff.Actor) -> staff.Actor:
    with store.write() as session:
        return staff.add_employee(session, admin, "carla", "Carla Clerk", "password1", "clerk")


def doc(
    store: Store, actor: staff.Actor, client_id: int, kind: str = "work_order", price: int = 10000
) -> docs.DocumentDetail:
    with store.write() as session:
        return docs.create_document(
            session, actor, client_id, kind, [LineInput("Reparação", "1", price)]
        )


def close(store: Store, actor: staff.Actor, doc_id: int) -> None:
    for status in ("in_progress", "ready", "closed"):
        with store.write() as session:
            docs.change_status(session, actor, doc_id, status)


def take(store: Store, actor: staff.Actor, client_id: int, **kw: Any) -> payments.PaymentRecord:
    with store.write() as session:
        return payments.take_payment(session, actor, client_id, **kw)


# --- money in ------------------------------------------------------------------------------


def test_an_advance_is_a_prepayment_into_a_cashbox(
    store: Store, admin: staff.Actor, client_id: int, boxes: list[int]
) -> None:
    p = take(store, admin, client_id, cashbox_id=boxes[0], amount=5000, note=" sinal ")
    assert (p.direction, p.amount, p.signed_amount, p.cash_flow_item, p.label, p.note) == (
        "in",
        5000,
        5000,
        "prepayment",
        "Advance",
        "sinal",
    )
    assert p.document_id is None and p.cashbox == "Main cash desk" and p.employee == "Ana Admin"
    assert entries(store, client_id) == [("payment", -5000, "payment", p.id, boxes[0])]
    with store.read() as session:
        assert payments.cashbox_balance(session, boxes[0]) == 5000
        assert payments.cashbox_balance(session, boxes[1]) == 0
        assert payments.advance_held(session, client_id) == 5000
        row = session.get(Payment, p.id)
        assert row is not None and row.employee_id == admin.id
        assert [a.action for a in audit.recent(session, entity="payment")] == ["payment.advance"]


def test_payment_against_a_document_reduces_what_is_due(
    store: Store, admin: staff.Actor, client_id: int, boxes: list[int]
) -> None:
    wo = doc(store, admin, client_id)
    p = take(store, admin, client_id, cashbox_id=boxes[1], amount=3000, document_id=wo.id)
    assert (p.cash_flow_item, p.label, p.document_number) == (
        "client_payment",
        "Payment",
        wo.number,
    )
    with store.read() as session:
        assert payments.due(session, wo.id) == 7000
        assert payments.paid(session, wo.id) == 3000
        assert payments.advance_held(session, client_id) == 3000  # not yet consumed
    with store.read() as session:
        ref = session.exec(select(LedgerEntry.reference).where(LedgerEntry.source_id == p.id)).one()
    assert ref == wo.number
    close(store, admin, wo.id)
    take(store, admin, client_id, cashbox_id=boxes[0], amount=7000, document_id=wo.id)
    with store.read() as session:
        assert payments.due(session, wo.id) == 0
        assert payments.advance_held(session, client_id) == 0
        assert docs.get_document(session, wo.id).can_take_payment is False
    assert balance(store, client_id) == 0


def test_more_than_due_is_refused_unless_the_excess_is_kept_as_an_advance(
    store: Store, admin: staff.Actor, client_id: int, boxes: list[int]
) -> None:
    sale = doc(store, admin, client_id, "sale", 2500)
    take(store, admin, client_id, cashbox_id=boxes[0], amount=500, document_id=sale.id)
    before = counts(store)
    with pytest.raises(payments.PaymentExceedsDue) as err, store.write() as session:
        payments.take_payment(
            session, admin, client_id, cashbox_id=boxes[0], amount=3000, document_id=sale.id
        )
    assert (err.value.due, err.value.excess, err.value.field) == (2000, 1000, "amount")
    assert counts(store) == before
    p = take(
        store,
        admin,
        client_id,
        cashbox_id=boxes[0],
        amount=3000,
        document_id=sale.id,
        advance_excess=True,
    )
    assert (p.amount, p.document_id) == (2000, sale.id)
    with store.read() as session:
        rows = payments.list_payments(session, client_id)
        assert payments.due(session, sale.id) == 0
        assert payments.advance_held(session, client_id) == 1000
    assert [(r.amount, r.cash_flow_item, r.document_id) for r in rows[:2]] == [
        (1000, "prepayment", None),
        (2000, "client_payment", sale.id),
    ]
    assert balance(store, client_id) == -1000
    # nothing due: all of it becomes an advance
    p2 = take(
        store,
        admin,
        client_id,
        cashbox_id=boxes[0],
        amount=700,
        document_id=sale.id,
        advance_excess=True,
    )
    assert (p2.amount, p2.document_id, p2.cash_flow_item) == (700, None, "prepayment")


@pytest.mark.parametrize("case", ["estimate", "cancelled", "refunded", "other", "missing"])
def test_payments_against_unpayable_documents_are_refused(
    store: Store,
    admin: staff.Actor,
    client_id: int,
    boxes: list[int],
    make_client: MakeClient,
    case: str,
) -> None:
    if case == "estimate":
        target = doc(store, admin, client_id, "estimate").id
    elif case == "cancelled":
        target = doc(store, admin, client_id).id
        with store.write() as session:
            docs.change_status(session, admin, target, "cancelled")
    elif case == "refunded":
        target = doc(store, admin, client_id, "sale").id
        with store.write() as session:
            docs.refund_sale(session, admin, target)
    elif case == "other":
        target = doc(store, admin, make_client("Outro").id).id
    else:
        target = 999
    before = counts(store)
    with pytest.raises(ValidationError) as err, store.write() as session:
        payments.take_payment(
            session, admin, client_id, cashbox_id=boxes[0], amount=100, document_id=target
        )
    assert set(err.value.errors) == {"document"}
    assert counts(store) == before


@pytest.mark.parametrize(
    ("amount", "cashbox", "note", "keys"),
    [
        (0, 0, "", {"amount"}),
        (-100, 0, "", {"amount"}),
        (12.5, 0, "", {"amount"}),
        (True, 0, "", {"amount"}),
        (10**12, 0, "", {"amount"}),
        (100, 999, "", {"cashbox"}),
        (100, 0, "x" * 501, {"note"}),
        (0, 999, "", {"amount", "cashbox"}),
    ],
)
def test_bad_payment_input_writes_nothing(
    store: Store,
    admin: staff.Actor,
    client_id: int,
    boxes: list[int],
    amount: Any,
    cashbox: int,
    note: str,
    keys: set[str],
) -> None:
    before = counts(store)
    box = boxes[0] if cashbox == 0 else cashbox
    with pytest.raises(ValidationError) as err, store.write() as session:
        payments.take_payment(session, admin, client_id, cashbox_id=box, amount=amount, note=note)
    assert set(err.value.errors) == keys
    with pytest.raises(ValidationError), store.write() as session:
        payments.refund(
            session, admin, client_id, cashbox_id=box, amount=amount, note=note, confirmed=True
        )
    with pytest.raises(DomainError), store.write() as session:
        payments.take_payment(session, admin, 999, cashbox_id=boxes[0], amount=100)
    assert counts(store) == before


# --- money out -----------------------------------------------------------------------------


def test_refund_within_what_we_owe_needs_no_confirmation(
    store: Store, admin: staff.Actor, client_id: int, boxes: list[int]
) -> None:
    take(store, admin, client_id, cashbox_id=boxes[0], amount=5000)
    with store.write() as session:
        r = payments.refund(
            session, admin, client_id, cashbox_id=boxes[0], amount=5000, note="desistiu"
        )
    assert (r.direction, r.signed_amount, r.cash_flow_item, r.label) == (
        "out",
        -5000,
        "client_refund",
        "Refund",
    )
    assert entries(store, client_id)[-1] == ("refund", 5000, "payment", r.id, boxes[0])
    assert balance(store, client_id) == 0
    with store.read() as session:
        assert payments.cashbox_balance(session, boxes[0]) == 0
        assert payments.advance_held(session, client_id) == 0


def test_refund_larger_than_what_we_owe_asks_for_confirmation(
    store: Store, admin: staff.Actor, client_id: int, boxes: list[int]
) -> None:
    take(store, admin, client_id, cashbox_id=boxes[0], amount=3000)
    with store.read() as session:
        preview = payments.refund_preview(session, client_id, 5000)
    assert (preview.balance, preview.owed, preview.balance_after, preview.needs_confirmation) == (
        -3000,
        3000,
        2000,
        True,
    )
    before = counts(store)
    with pytest.raises(payments.RefundNeedsConfirmation) as err, store.write() as session:
        payments.refund(session, admin, client_id, cashbox_id=boxes[0], amount=5000, note="")
    assert isinstance(err.value, DomainError)
    assert (err.value.balance_after, err.value.owed, err.value.amount) == (2000, 3000, 5000)
    assert counts(store) == before
    with store.write() as session:
        payments.refund(
            session, admin, client_id, cashbox_id=boxes[0], amount=5000, note="", confirmed=True
        )
    assert balance(store, client_id) == 2000
    with store.read() as session:
        detail = audit.recent(session, entity="payment")[0]
    assert detail.action == "payment.refund" and '"confirmed": true' in detail.detail


def test_refund_needs_the_refund_permission(
    store: Store, clerk: staff.Actor, client_id: int, boxes: list[int]
) -> None:
    take(store, clerk, client_id, cashbox_id=boxes[0], amount=3000)  # anyone takes money
    before = counts(store)
    with pytest.raises(PermissionDenied), store.write() as session:
        payments.refund(session, clerk, client_id, cashbox_id=boxes[0], amount=100, note="")
    assert counts(store) == before


# --- voids ---------------------------------------------------------------------------------


def test_void_reverses_a_payment_once_and_both_stay_linked(
    store: Store, admin: staff.Actor, client_id: int, boxes: list[int]
) -> None:
    wo = doc(store, admin, client_id)
    p = take(store, admin, client_id, cashbox_id=boxes[1], amount=4000, document_id=wo.id)
    with store.write() as session:
        v = payments.void_payment(session, admin, p.id, "  wrong client ")
    assert (v.direction, v.amount, v.cashbox_id, v.document_id, v.voids_id, v.note, v.label) == (
        "out",
        4000,
        boxes[1],
        wo.id,
        p.id,
        "wrong client",
        "Void",
    )
    assert v.cash_flow_item == "client_payment"
    assert entries(store, client_id)[-1] == ("payment_void", 4000, "payment", v.id, boxes[1])
    assert balance(store, client_id) == 0
    with store.read() as session:
        assert payments.due(session, wo.id) == 10000
        assert payments.cashbox_balance(session, boxes[1]) == 0
        rows = payments.list_payments(session, client_id)
        assert [(r.id, r.voids_id, r.voided_by_id) for r in rows] == [
            (v.id, p.id, None),
            (p.id, None, v.id),
        ]
        assert rows[1].voided and rows[0].is_void and not rows[0].can_void
        assert [x.id for x in docs.get_document(session, wo.id).payments] == [p.id, v.id]
    before = counts(store)
    with pytest.raises(DomainError) as twice, store.write() as session:
        payments.void_payment(session, admin, p.id, "again")
    assert "already" in twice.value.message
    with pytest.raises(DomainError) as void_of_void, store.write() as session:
        payments.void_payment(session, admin, v.id, "undo")
    assert "cannot be voided" in void_of_void.value.message
    assert counts(store) == before


def test_voiding_a_refund_takes_the_money_back(
    store: Store, admin: staff.Actor, client_id: int, boxes: list[int]
) -> None:
    with store.write() as session:
        r = payments.refund(
            session, admin, client_id, cashbox_id=boxes[0], amount=1500, note="", confirmed=True
        )
        v = payments.void_payment(session, admin, r.id, "typo")
    assert v.direction == "in"
    assert entries(store, client_id)[-1] == ("payment_void", -1500, "payment", v.id, boxes[0])
    assert balance(store, client_id) == 0


def test_void_needs_a_reason_and_the_corrections_permission(
    store: Store, admin: staff.Actor, clerk: staff.Actor, client_id: int, boxes: list[int]
) -> None:
    p = take(store, admin, client_id, cashbox_id=boxes[0], amount=100)
    before = counts(store)
    with pytest.raises(ValidationError) as err, store.write() as session:
        payments.void_payment(session, admin, p.id, "   ")
    assert set(err.value.errors) == {"reason"}
    with pytest.raises(PermissionDenied), store.write() as session:
        payments.void_payment(session, clerk, p.id, "wrong")
    with pytest.raises(DomainError), store.write() as session:
        payments.void_payment(session, admin, 999, "wrong")
    assert counts(store) == before
    with store.read() as session:
        assert session.exec(select(Payment).where(col(Payment.voids_id).is_not(None))).all() == []


# --- lists and the advance held ----------------------------------------------------------


def test_list_payments_pages_newest_first_in_constant_queries(
    store: Store, admin: staff.Actor, client_id: int, boxes: list[int], make_client: MakeClient
) -> None:
    other = make_client("Outro")
    take(store, admin, other.id, cashbox_id=boxes[0], amount=1)
    made = [
        take(store, admin, client_id, cashbox_id=boxes[i % 2], amount=100 + i) for i in range(7)
    ]
    with store.read() as session:
        first = payments.list_payments(session, client_id, limit=3)
        second = payments.list_payments(session, client_id, before_id=first[-1].id, limit=3)
        third = payments.list_payments(session, client_id, before_id=second[-1].id, limit=3)
    assert [p.id for p in first + second + third] == [p.id for p in reversed(made)]
    assert [p.cashbox for p in first] == ["Main cash desk", "Card terminal", "Main cash desk"]

    def selects(limit: int) -> int:
        seen: list[str] = []

        def hook(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                seen.append(statement)

        event.listen(store.read_engine, "before_cursor_execute", hook)
        try:
            with store.read() as session:
                assert len(payments.list_payments(session, client_id, limit=limit)) == limit
        finally:
            event.remove(store.read_engine, "before_cursor_execute", hook)
        return len(seen)

    assert selects(1) == selects(7) == 1


def test_advance_held_is_money_in_not_consumed_by_charges_nor_more_than_owed(
    store: Store, admin: staff.Actor, client_id: int, boxes: list[int]
) -> None:
    def held() -> int:
        with store.read() as session:
            return payments.advance_held(session, client_id)

    take(store, admin, client_id, cashbox_id=boxes[0], amount=10000)
    assert held() == 10000
    wo = doc(store, admin, client_id, price=8000)
    assert held() == 10000  # open work orders consume nothing yet
    close(store, admin, wo.id)
    assert held() == 2000
    with store.write() as session:  # corrections are debt or credit, not money received
        ledger.post(
            session,
            client_id=client_id,
            employee_id=admin.id,
            kind=ledger.Kind.CORRECTION,
            amount=-700,
            source_type="correction",
        )
    assert held() == 2000
    assert balance(store, client_id) == -2700
    with store.write() as session:  # a forgotten charge: it uses the advance up
        ledger.post(
            session,
            client_id=client_id,
            employee_id=admin.id,
            kind=ledger.Kind.CORRECTION,
            amount=2500,
            source_type="correction",
        )
    assert balance(store, client_id) == -200
    assert held() == 200  # never more than the shop owes
    doc(store, admin, client_id, "sale", 5000)
    assert held() == 0
    assert balance(store, client_id) == 4800


def test_payment_labels_are_translated(
    store: Store, admin: staff.Actor, client_id: int, boxes: list[int]
) -> None:
    i18n.set_language("pt_PT")
    try:
        p = take(store, admin, client_id, cashbox_id=boxes[0], amount=100)
        assert (p.label, p.cash_flow_label) == ("Adiantamento", "Pré-pagamento")
        assert payments.direction_label("out") == "Saída"
        with pytest.raises(ValidationError) as err, store.write() as session:
            payments.take_payment(session, admin, client_id, cashbox_id=boxes[0], amount=0)
        assert err.value.errors["amount"] != "The amount must be more than zero."
    finally:
        i18n.set_language("en")
