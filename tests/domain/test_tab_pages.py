"""The pages the Documents and Payments tabs fetch: one indexed query each, whatever the
client's history; what is paid and due (voids included); labels in the clerk's language."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from remtui import i18n
from remtui.domain import documents as docs
from remtui.domain import payments, staff
from remtui.domain.documents import LineInput
from remtui.store.engine import Store


@contextmanager
def statements(store: Store) -> Iterator[list[tuple[str, Any]]]:
    """Every SELECT the read engine runs meanwhile, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def hook(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(store.read_engine, "before_cursor_execute", hook)
    try:
        yield seen
    finally:
        event.remove(store.read_engine, "before_cursor_execute", hook)


def fill(store: Store, admin: staff.Actor, client_id: int, n: int) -> list[int]:
    """n sales, each paid in part; returns the document ids, oldest first."""
    ids = []
    with store.write() as session:
        box = staff.cashboxes(session)[0][0]
        for i in range(n):
            doc = docs.create_document(
                session, admin, client_id, "sale", [LineInput(f"Item {i}", "1", 1000 + i)]
            )
            payments.take_payment(
                session, admin, client_id, cashbox_id=box, amount=100, document_id=doc.id
            )
            ids.append(doc.id)
    return ids


def test_each_page_is_one_query_on_the_client_index(
    sqlite_store: Store, admin: staff.Actor, make_client: Any
) -> None:
    store = sqlite_store
    client = make_client("Maria Santos").id
    other = make_client("Outro").id
    fill(store, admin, client, 30)
    fill(store, admin, other, 30)
    with store.read() as session:
        first = docs.list_documents(session, client, limit=10)
        for fetch in (
            lambda: docs.list_documents(session, client, limit=10),
            lambda: docs.list_documents(session, client, before_id=first[-1].id, limit=10),
            lambda: payments.list_payments(session, client, limit=10),
            lambda: payments.list_payments(session, client, before_id=10**9, limit=10),
        ):
            with statements(store) as seen:
                assert len(fetch()) == 10
            assert len(seen) == 1  # the paid sums ride along: no query per row or per page
            sql, params = seen[0]
            plan = " | ".join(
                str(row[-1])
                for row in session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)
            )
            # the client's rows through its (client_id, id) index, newest first without a
            # sort, and the per-row lookups by key: nothing grows with the history
            assert "USING INDEX ix_document_client" in plan or "ix_payment_client" in plan
            assert "TEMP B-TREE" not in plan, plan
            assert "SCAN" not in plan, plan


def test_paid_and_due_count_voids_and_refunds(
    store: Store, admin: staff.Actor, make_client: Any
) -> None:
    client = make_client("Maria Santos").id
    with store.write() as session:
        box = staff.cashboxes(session)[0][0]
        sale = docs.create_document(session, admin, client, "sale", [LineInput("A", "1", 5000)])
        wo = docs.create_document(session, admin, client, "work_order", [LineInput("B", "1", 800)])
        paid = payments.take_payment(
            session, admin, client, cashbox_id=box, amount=2000, document_id=sale.id
        )
        payments.take_payment(session, admin, client, cashbox_id=box, amount=800, document_id=wo.id)
    with store.read() as session:
        rows = {r.id: r for r in docs.list_documents(session, client)}
        payable = [r.id for r in docs.payable_documents(session, client)]
    assert (rows[sale.id].paid, rows[sale.id].due) == (2000, 3000)
    assert (rows[wo.id].paid, rows[wo.id].due) == (800, 0)
    assert payable == [sale.id]  # the work order is paid in full
    with store.write() as session:
        payments.void_payment(session, admin, paid.id, "wrong document")
    with store.read() as session:
        rows = {r.id: r for r in docs.list_documents(session, client)}
        listed = payments.list_payments(session, client)
    assert (rows[sale.id].paid, rows[sale.id].due) == (0, 5000)
    assert rows[sale.id].charged == 5000 and rows[wo.id].charged == 0  # open work order
    voided = next(p for p in listed if p.id == paid.id)
    void = next(p for p in listed if p.voids_id == paid.id)
    assert voided.voided_by_id == void.id and voided.label == "Payment"
    assert (void.label, void.signed_amount, void.document_number) == ("Void", -2000, sale.number)


def test_labels_follow_the_language_of_the_moment(
    store: Store, admin: staff.Actor, make_client: Any
) -> None:
    client = make_client("Maria Santos").id
    with store.write() as session:
        box = staff.cashboxes(session)[0][0]
        for kind in ("work_order", "estimate", "sale"):
            docs.create_document(session, admin, client, kind, [LineInput("A", "1", 100)])
        payments.take_payment(session, admin, client, cashbox_id=box, amount=100)
    i18n.set_language("pt_PT")
    try:
        with store.read() as session:
            rows = docs.list_documents(session, client)
            advance = payments.list_payments(session, client)[0]
    finally:
        i18n.set_language("en")
    assert [r.kind_label for r in rows] == ["Venda", "Orçamento", "Ordem de reparação"]
    assert [r.status_label for r in rows] == [_pt(docs.status_label, r.status) for r in rows]
    assert rows[1].status_label != "Draft"
    assert advance.cash_flow_label == _pt(payments.cash_flow_label, "prepayment")
    assert advance.cash_flow_label != "Prepayment"
    with store.read() as session:
        assert docs.list_documents(session, client)[0].kind_label == "Sale"


def _pt(label: Any, value: str) -> str:
    i18n.set_language("pt_PT")
    try:
        return str(label(value))
    finally:
        i18n.set_language("en")
