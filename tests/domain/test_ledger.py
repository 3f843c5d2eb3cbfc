"""The ledger: append-only, integer amounts, balance = sum, running balances."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from remtui import i18n
from remtui.domain import clients, ledger, staff
from remtui.errors import DomainError
from remtui.store.engine import Store
from remtui.store.tables.ledger import LedgerEntry

MakeClient = Callable[..., clients.ClientRecord]


def _post(store: Store, client_id: int, amount: int, kind: ledger.Kind = ledger.Kind.SALE) -> int:
    with store.write() as session:
        return ledger.post(
            session, client_id=client_id, employee_id=None, kind=kind, amount=amount
        ).balance_after


def _raw(store: Store, sql: str, **params: object) -> None:
    with store.write_engine.begin() as conn:
        conn.execute(text(sql), params)


def test_balance_is_the_sum_and_running_balances_chain(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    c = make_client("Rui Costa")
    other = make_client("Ana Lima")
    assert _post(store, c.id, 1000) == 1000
    assert _post(store, c.id, -250, ledger.Kind.PAYMENT) == 750
    assert _post(store, other.id, -40, ledger.Kind.REFUND) == -40
    assert _post(store, c.id, -900, ledger.Kind.PAYMENT) == -150
    with store.read() as session:
        assert ledger.balance(session, c.id) == -150
        assert ledger.sum_of_entries(session, c.id) == -150
        assert ledger.balance(session, other.id) == -40
        rows = session.exec(
            select(LedgerEntry).where(LedgerEntry.client_id == c.id).order_by(col(LedgerEntry.id))
        ).all()
        running = 0
        for row in rows:
            running += row.amount
            assert row.balance_after == running
        bal = ledger.client_balance(session, c.id)
        assert bal.state is ledger.BalanceState.PAYABLE
        assert bal.note == "We owe the client"


def test_states_and_notes_in_both_languages() -> None:
    assert ledger.state_of(1) is ledger.BalanceState.RECEIVABLE
    assert ledger.state_of(0) is ledger.BalanceState.SETTLED
    assert ledger.state_of(-1) is ledger.BalanceState.PAYABLE
    notes = {s: ledger.state_note(s) for s in ledger.BalanceState}
    assert notes[ledger.BalanceState.RECEIVABLE] == "The client owes us"
    assert notes[ledger.BalanceState.SETTLED] == "You are settled"
    i18n.set_language("pt_PT")
    assert ledger.state_note(ledger.BalanceState.RECEIVABLE) == "O cliente deve-nos"
    assert ledger.state_note(ledger.BalanceState.SETTLED) == "Você está resolvido"
    assert ledger.state_note(ledger.BalanceState.PAYABLE) == "Devemos ao cliente"


def test_kind_labels_in_both_languages() -> None:
    english = {k: ledger.kind_label(k) for k in ledger.Kind}
    assert english[ledger.Kind.WORK_ORDER_REOPEN] == "Work order reopened"
    assert english[ledger.Kind.PAYMENT_VOID] == "Payment voided"
    assert len(set(english.values())) == len(ledger.Kind)
    assert ledger.kind_label("something_new") == "something_new"
    i18n.set_language("pt_PT")
    portuguese = {k: ledger.kind_label(k) for k in ledger.Kind}
    assert portuguese[ledger.Kind.PAYMENT] == "Pagamento"
    assert portuguese[ledger.Kind.CORRECTION] == "Correção"
    assert all(portuguese[k] != english[k] for k in ledger.Kind)


def test_post_refuses_bad_amounts_and_unknown_clients(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    c = make_client()
    with store.write() as session:
        with pytest.raises(TypeError):
            bad: Any = 1.5
            ledger.post(
                session, client_id=c.id, employee_id=None, kind=ledger.Kind.SALE, amount=bad
            )
        with pytest.raises(TypeError):
            ledger.post(
                session, client_id=c.id, employee_id=None, kind=ledger.Kind.SALE, amount=True
            )
        with pytest.raises(DomainError):
            ledger.post(session, client_id=c.id, employee_id=None, kind=ledger.Kind.SALE, amount=0)
        with pytest.raises(DomainError, match="too large"):
            ledger.post(
                session,
                client_id=c.id,
                employee_id=None,
                kind=ledger.Kind.SALE,
                amount=ledger.MAX_ENTRY + 1,
            )
        with pytest.raises(DomainError, match="does not exist"):
            ledger.post(session, client_id=9999, employee_id=None, kind=ledger.Kind.SALE, amount=5)
    with store.read() as session:
        assert session.exec(select(LedgerEntry)).all() == []


def test_store_refuses_update_and_delete_of_a_ledger_row(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    c = make_client()
    _post(store, c.id, 500)
    for sql in (
        "UPDATE ledger_entry SET amount = 1",
        "UPDATE ledger_entry SET comment = 'edited'",
        "DELETE FROM ledger_entry",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            _raw(store, sql)
    with store.read() as session:
        (row,) = session.exec(select(LedgerEntry)).all()
        assert (row.amount, row.balance_after, row.comment) == (500, 500, "")


@pytest.mark.parametrize("bad", [1.5, 0.1, -2.25, "12.5", "twelve", b"12", None])
def test_store_refuses_non_integer_amounts(
    store: Store, admin: staff.Actor, make_client: MakeClient, bad: object
) -> None:
    if not store.is_sqlite:
        pytest.skip("SQLite's dynamic types need the guard; BIGINT columns elsewhere round")
    c = make_client()
    with pytest.raises(DBAPIError):
        _raw(
            store,
            "INSERT INTO ledger_entry (client_id, at, kind, amount, balance_after, source_type,"
            " reference, comment) VALUES (:c, '2026-01-01 00:00:00', 'sale', :a, 0, '', '', '')",
            c=c.id,
            a=bad,
        )
    with store.read() as session:
        assert session.exec(select(LedgerEntry)).all() == []


def test_rolled_back_cause_leaves_no_entry(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    c = make_client()
    with pytest.raises(RuntimeError), store.write() as session:
        ledger.post(session, client_id=c.id, employee_id=None, kind=ledger.Kind.SALE, amount=5)
        raise RuntimeError("the cause failed")
    with store.read() as session:
        assert ledger.balance(session, c.id) == 0


def test_whole_numbers_in_other_types_are_stored_as_integers(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    """SQLite turns 12.0 and "12" into the integer 12 before the guard sees them: what is
    stored is still an integer (never a float)."""
    if not store.is_sqlite:
        pytest.skip("typeof() is SQLite's")
    c = make_client()
    for value in (12.0, "12"):
        _raw(
            store,
            "INSERT INTO ledger_entry (client_id, at, kind, amount, balance_after, source_type,"
            " reference, comment) VALUES (:c, '2026-01-01 00:00:00', 'sale', :a, 12, '', '', '')",
            c=c.id,
            a=value,
        )
    with store.write_engine.connect() as conn:
        types = conn.execute(text("SELECT DISTINCT typeof(amount) FROM ledger_entry")).all()
    assert types == [("integer",)]
