"""The statement: newest first, keyset pages, running balances, periods."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert
from sqlmodel import Session, col, select

from remtui import i18n
from remtui.domain import clients, ledger, staff
from remtui.domain import statement as st
from remtui.domain.corrections import add_correction
from remtui.errors import DomainError
from remtui.store.engine import Store
from remtui.store.tables import Cashbox
from remtui.store.tables.ledger import LedgerEntry

MakeClient = Callable[..., clients.ClientRecord]
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class Clock:
    """Stands in for ledger.utcnow so that entries get the times a test chooses."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock(T0)
    monkeypatch.setattr(ledger, "utcnow", c)
    return c


def _post(session: Session, client_id: int, amount: int, **kw: Any) -> ledger.LedgerEntry:
    kw.setdefault("kind", ledger.Kind.SALE)
    kw.setdefault("employee_id", None)
    return ledger.post(session, client_id=client_id, amount=amount, **kw)


def _bulk_post(session: Session, client_id: int, amounts: list[int], start: int, end: int) -> None:
    """Rows ``start:end`` of ``amounts`` as ledger entries, in one INSERT."""
    before = sum(amounts[:start])
    rows = []
    for amount in amounts[start:end]:
        before += amount
        rows.append(
            {
                "client_id": client_id,
                "at": datetime.now(UTC),
                "employee_id": None,
                "kind": ledger.Kind.SALE.value,
                "amount": amount,
                "balance_after": before,
                "source_type": "",
                "source_id": None,
                "reference": "",
                "cashbox_id": None,
                "comment": "",
            }
        )
    session.execute(insert(LedgerEntry), rows)


def _all_pages(
    session: Session, client_id: int, limit: int, **kw: Any
) -> Iterator[st.StatementPage]:
    before = None
    while True:
        page = st.statement_page(session, client_id, before_id=before, limit=limit, **kw)
        yield page
        if not page.has_more:
            return
        assert page.next_before_id == page.rows[-1].id
        before = page.next_before_id


def test_rows_carry_everything_the_tab_shows(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    c = make_client("Joana Reis")
    with store.write() as session:
        cashbox = session.exec(select(Cashbox).order_by(col(Cashbox.id))).first()
        assert cashbox is not None
        _post(session, c.id, 5000, reference="V-0001", employee_id=admin.id, comment="Screen")
        _post(
            session,
            c.id,
            -3000,
            kind=ledger.Kind.PAYMENT,
            cashbox_id=cashbox.id,
            employee_id=admin.id,
            comment="Cash",
            source_type="payment",
            source_id=7,
        )
        add_correction(session, admin, c.id, direction="we_owe_more", amount=2500, reason="Promo")
    with store.read() as session:
        page = st.statement_page(session, c.id)
    assert [r.kind for r in page.rows] == ["correction", "payment", "sale"]
    assert [r.kind_label for r in page.rows] == ["Correction", "Payment", "Sale"]
    assert [r.amount for r in page.rows] == [-2500, -3000, 5000]
    assert [r.balance_after for r in page.rows] == [-500, 2000, 5000]
    payment = page.rows[1]
    assert payment.cashbox == cashbox.name
    assert payment.employee == "Ana Admin"
    assert (payment.source_type, payment.source_id, payment.comment) == ("payment", 7, "Cash")
    assert page.rows[2].reference == "V-0001"
    assert page.rows[2].cashbox == ""
    assert page.rows[0].comment == "Promo"
    assert all(r.at.tzinfo is not None for r in page.rows)
    assert (page.opening_balance, page.closing_balance) == (0, -500)
    assert page.current.amount == -500
    assert page.current.state is ledger.BalanceState.PAYABLE
    assert not page.has_more and page.next_before_id is None and not page.filtered
    i18n.set_language("pt_PT")
    with store.read() as session:
        labels = [r.kind_label for r in st.statement_page(session, c.id).rows]
    assert labels == ["Correção", "Pagamento", "Venda"]


def test_empty_statement_and_unknown_client(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    c = make_client()
    with store.read() as session:
        page = st.statement_page(session, c.id)
        assert page.rows == () and not page.has_more
        assert (page.opening_balance, page.closing_balance) == (0, 0)
        assert list(st.iter_statement(session, c.id)) == []
        with pytest.raises(DomainError):
            st.statement_page(session, 999)


def test_twenty_thousand_entries_page_correctly_and_cheaply(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    big = make_client("Muitos Movimentos")
    small = make_client("Poucos Movimentos")
    rng = random.Random(3)
    amounts = [rng.choice([-1, 1]) * rng.randint(1, 50_000) for _ in range(20_000)]
    # The history is written in bulk, as `post` would write it (each row's balance the one
    # before plus its amount), and its last movements through `post` itself, which must
    # carry the running balance on after 20,000 rows; every row through `post` would make
    # this the suite's slowest test for no more coverage (tests/domain/test_ledger.py
    # holds `post` one row at a time).
    bulk, posted = amounts[:-50], amounts[-50:]
    with store.write() as session:
        for start in range(0, len(bulk), 2000):
            _bulk_post(session, big.id, bulk, start, start + 2000)
            _post(session, small.id, 100)
        for amount in posted:
            _post(session, big.id, amount)
    running, expected = 0, []
    for amount in amounts:
        running += amount
        expected.append((amount, running))
    with store.read() as session:
        pages = list(_all_pages(session, big.id, 100))
        rows = [r for p in pages for r in p.rows]
        assert len(pages) == 200
        assert all(len(p.rows) == 100 for p in pages)
        assert [p.has_more for p in pages] == [True] * 199 + [False]
        assert [(r.amount, r.balance_after) for r in reversed(rows)] == expected
        ids = [r.id for r in rows]
        assert ids == sorted(ids, reverse=True)
        assert all(p.closing_balance == running for p in pages)
        assert ledger.balance(session, big.id) == running == sum(amounts)
        # A page from the middle, by keyset.
        middle = st.statement_page(session, big.id, before_id=rows[5000].id, limit=3)
        assert [r.id for r in middle.rows] == ids[5001:5004]

        # Page cost does not grow with history: count SQLite's VM steps for one page.
        if store.is_sqlite:
            big_cost = _vm_steps(session, lambda: st.statement_page(session, big.id, limit=10))
            small_cost = _vm_steps(session, lambda: st.statement_page(session, small.id, limit=10))
            assert big_cost <= 1.5 * small_cost + 50, (big_cost, small_cost)


def _vm_steps(session: Session, fn: Callable[[], object]) -> int:
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    raw.set_progress_handler(tick, 10)
    try:
        fn()
    finally:
        raw.set_progress_handler(None, 10)
    return steps[0]


def test_page_query_uses_the_client_index(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    if not store.is_sqlite:
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")

    from remtui.store.tables.ledger import LedgerEntry

    c = make_client()
    with store.read() as session:
        query = st._query(c.id, [col(LedgerEntry.id) < 50]).order_by(col(LedgerEntry.id).desc())
        compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        plan = " ".join(
            str(r[-1])
            for r in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
        )
    assert "USING INDEX ix_ledger_client (client_id=? AND id<?)" in plan
    assert "TEMP B-TREE" not in plan  # no sorting: the index gives the order


def test_period_opening_and_closing(
    store: Store, admin: staff.Actor, make_client: MakeClient, clock: Clock
) -> None:
    c = make_client()
    days = {}
    with store.write() as session:
        for day, amount in [(1, 1000), (2, -300), (3, 200), (4, -50), (5, 70), (6, 5)]:
            clock.now = T0 + timedelta(days=day)
            days[day] = _post(session, c.id, amount).id
    start, end = T0 + timedelta(days=2), T0 + timedelta(days=5)  # days 2, 3 and 4
    with store.read() as session:
        page = st.statement_page(session, c.id, date_from=start, date_to=end)
        assert [r.amount for r in page.rows] == [-50, 200, -300]
        assert (page.opening_balance, page.closing_balance) == (1000, 850)
        assert page.opening_balance + sum(r.amount for r in page.rows) == page.closing_balance
        assert page.filtered
        # Paged one row at a time, the same rows.
        paged = [
            r.id for p in _all_pages(session, c.id, 1, date_from=start, date_to=end) for r in p.rows
        ]
        assert paged == [days[4], days[3], days[2]]
        assert [r.id for r in st.iter_statement(session, c.id, start, end)] == paged[::-1]
        # Only a start: up to now.
        page = st.statement_page(session, c.id, date_from=start)
        assert (page.opening_balance, page.closing_balance) == (1000, 925)
        assert len(page.rows) == 5
        # Only an end.
        page = st.statement_page(session, c.id, date_to=end)
        assert (page.opening_balance, page.closing_balance) == (0, 850)
        assert len(page.rows) == 4
        # A period before everything, one after everything, one in a gap.
        early = st.statement_page(session, c.id, date_from=T0 - timedelta(days=9), date_to=T0)
        assert (early.rows, early.opening_balance, early.closing_balance) == ((), 0, 0)
        late = st.statement_page(session, c.id, date_from=T0 + timedelta(days=30))
        assert (late.rows, late.opening_balance, late.closing_balance) == ((), 925, 925)
        gap = st.statement_page(
            session,
            c.id,
            date_from=T0 + timedelta(days=2, hours=1),
            date_to=T0 + timedelta(days=2, hours=2),
        )
        assert (gap.rows, gap.opening_balance, gap.closing_balance) == ((), 700, 700)
        # Bounds: from is inclusive, to is exclusive.
        exact = st.statement_page(
            session, c.id, date_from=T0 + timedelta(days=3), date_to=T0 + timedelta(days=4)
        )
        assert [r.id for r in exact.rows] == [days[3]]
        with pytest.raises(DomainError) as info:
            st.statement_page(session, c.id, date_from=end, date_to=start)
        assert info.value.field == "date_to"
        with pytest.raises(ValueError):
            st.statement_page(session, c.id, date_from=datetime(2026, 1, 1))


def test_iter_statement_reads_in_chunks_oldest_first(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    c = make_client()
    with store.write() as session:
        for n in range(1, 31):
            _post(session, c.id, n)
    with store.read() as session:
        rows = list(st.iter_statement(session, c.id, chunk_size=7))
        again = list(st.iter_statement(session, c.id, chunk_size=30))
        period = st.statement_period(session, c.id)
        assert st.count_rows(session, c.id, period) == 30
    assert [r.amount for r in rows] == list(range(1, 31))
    assert rows == again
    assert rows[-1].balance_after == sum(range(1, 31))


def test_local_period_and_labels() -> None:
    lisbon = ZoneInfo("Europe/Lisbon")
    start, end = st.local_period(date(2026, 7, 1), date(2026, 7, 31), lisbon)
    assert start == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)  # summer time: UTC+1
    assert end == datetime(2026, 7, 31, 23, 0, tzinfo=UTC)
    start, end = st.local_period(date(2026, 1, 1), None, "Europe/Lisbon")
    assert start == datetime(2026, 1, 1, 0, 0, tzinfo=UTC) and end is None
    assert st.local_period(None, None) == (None, None)
    with pytest.raises(DomainError):
        st.local_period(date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(DomainError):
        st.shop_timezone("Mars/Olympus_Mons")
    assert st.to_local(datetime(2026, 7, 1, 12, 0, tzinfo=UTC), lisbon) == datetime(2026, 7, 1, 13)
    assert st.period_label(None, None) == "All movements"
    assert st.period_label(date(2026, 1, 1), date(2026, 1, 31)) == "From 1 Jan 2026 to 31 Jan 2026"
    i18n.set_language("pt_PT")
    assert st.period_label(None, None, "pt_PT") == "Todos os movimentos"
    assert "01/01/2026" in st.period_label(date(2026, 1, 1), None, "pt_PT")
