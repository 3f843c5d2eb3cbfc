"""documents_check.ledger_matches_sources: silent on a consistent store, loud on tampering."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text

from remtui.domain import clients, ledger, payments, staff
from remtui.domain import documents as docs
from remtui.domain.documents import LineInput
from remtui.domain.documents_check import ledger_matches_sources
from remtui.store.engine import Store

MakeClient = Callable[..., clients.ClientRecord]


@pytest.fixture
def world(store: Store, admin: staff.Actor, make_client: MakeClient) -> dict[str, int]:
    """A client with a sale, a closed-reopened-closed work order, payments, a refund, a void."""
    client_id = make_client("Maria").id
    with store.write() as session:
        box = staff.cashboxes(session)[0][0]
        sale = docs.create_document(
            session, admin, client_id, "sale", [LineInput("Capa", "2", 1250)]
        )
        wo = docs.create_document(
            session, admin, client_id, "work_order", [LineInput("Ecrã", "1", 8000)]
        )
        for status in ("in_progress", "ready", "closed"):
            docs.change_status(session, admin, wo.id, status)
        docs.reopen(session, admin, wo.id)
        detail = docs.get_document(session, wo.id)
        docs.update_document(
            session, admin, wo.id, detail.version, lines=[LineInput("Ecrã", "1", 9000)]
        )
        for status in ("ready", "closed"):
            docs.change_status(session, admin, wo.id, status)
        est = docs.create_document(
            session, admin, client_id, "estimate", [LineInput("Bateria", "1", 3000)]
        )
        pay = payments.take_payment(
            session, admin, client_id, cashbox_id=box, amount=2500, document_id=sale.id
        )
        adv = payments.take_payment(session, admin, client_id, cashbox_id=box, amount=1000)
        payments.void_payment(session, admin, adv.id, "engano")
        ref = payments.refund(
            session, admin, client_id, cashbox_id=box, amount=100, note="", confirmed=True
        )
    return {
        "client": client_id,
        "sale": sale.id,
        "wo": wo.id,
        "estimate": est.id,
        "payment": pay.id,
        "refund": ref.id,
        "box": box,
    }


def problems(store: Store) -> list[tuple[int | None, str]]:
    with store.read() as session:
        return ledger_matches_sources(session)


def test_a_consistent_store_has_no_problems(store: Store, world: dict[str, int]) -> None:
    assert problems(store) == []
    with store.read() as session:
        assert ledger.balance(session, world["client"]) == 2500 + 9000 - 2500 + 100


def test_an_unexplained_document_entry_is_reported(
    store: Store, admin: staff.Actor, world: dict[str, int]
) -> None:
    with store.write() as session:
        ledger.post(
            session,
            client_id=world["client"],
            employee_id=admin.id,
            kind=ledger.Kind.SALE,
            amount=100,
            source_type="document",
            source_id=world["estimate"],
        )
        ledger.post(
            session,
            client_id=world["client"],
            employee_id=admin.id,
            kind=ledger.Kind.SALE,
            amount=100,
            source_type="document",
            source_id=9999,
        )
    found = problems(store)
    assert len(found) == 2
    assert all(cid == world["client"] for cid, _m in found)
    assert "E-000001" in found[0][1] and "9999" in found[1][1]


def test_a_missing_or_extra_payment_entry_is_reported(
    store: Store, admin: staff.Actor, world: dict[str, int]
) -> None:
    with store.write() as session:
        conn = session.connection()
        conn.execute(
            text(
                "INSERT INTO payment (at, client_id, cashbox_id, direction, amount, "
                "cash_flow_item, note) VALUES (:at, :c, :b, 'in', 700, 'prepayment', '')"
            ),
            {"at": "2026-01-01 10:00:00", "c": world["client"], "b": world["box"]},
        )
        ledger.post(
            session,
            client_id=world["client"],
            employee_id=admin.id,
            kind=ledger.Kind.REFUND,
            amount=5,
            source_type="payment",
            source_id=world["refund"],
        )
    found = problems(store)
    assert len(found) == 2
    assert all("Payment" in m for _c, m in found)


def test_tampered_totals_and_lines_are_reported(store: Store, world: dict[str, int]) -> None:
    with store.write() as session:
        session.connection().execute(
            text("UPDATE document SET total = total + 1 WHERE id = :id"), {"id": world["sale"]}
        )
        session.connection().execute(
            text("UPDATE document_line SET line_total = 1 WHERE document_id = :id"),
            {"id": world["estimate"]},
        )
    messages = [m for _c, m in problems(store)]
    assert any("S-000001" in m and "sum of its lines" in m for m in messages)
    assert any("S-000001" in m and "charges" in m for m in messages)
    assert any("E-000001" in m and "line 1" in m for m in messages)


def test_a_status_set_behind_the_historys_back_is_reported(
    store: Store, world: dict[str, int]
) -> None:
    with store.write() as session:
        session.connection().execute(
            text("UPDATE document SET status = 'cancelled' WHERE id = :id"), {"id": world["wo"]}
        )
    messages = [m for _c, m in problems(store)]
    assert any("WO-000001" in m and "history ends" in m for m in messages)


def test_the_status_history_is_append_only(store: Store, world: dict[str, int]) -> None:
    with pytest.raises(Exception, match="append-only"), store.write() as session:
        session.connection().execute(text("UPDATE document_status_change SET total = 0"))
    with pytest.raises(Exception, match="append-only"), store.write() as session:
        session.connection().execute(text("DELETE FROM payment"))
