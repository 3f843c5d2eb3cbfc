"""Paging of the Documents (F6) and Payments (F7) tabs: a screenful first, the next page as
the cursor nears the end, no row twice, the last page says so, and a reload after another
clerk's write keeps what was loaded with the cursor on the same row."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remtui.domain import documents as docs
from remtui.domain import payments, staff
from remtui.domain.documents import LineInput
from remtui.ui.screens.profile import ProfileScreen
from remtui.ui.tabs.documents import DocumentsTab
from remtui.ui.tabs.paged import FIRST_PAGE, MORE_AT, PAGE, PagedTab, collect
from remtui.ui.tabs.payments import PaymentsTab

from .conftest import screen_text, wait_for

KINDS = {
    # tab key, tab class, the word the status line counts
    "documents": ("f6", DocumentsTab, "documents"),
    "payments": ("f7", PaymentsTab, "payments"),
}


def add_rows(store, admin, client_id: int, kind: str, n: int) -> None:
    """n documents (estimates: they never charge) or n payments, oldest first."""
    with store.write() as session:
        box = staff.cashboxes(session)[0][0]
        for i in range(n):
            if kind == "documents":
                docs.create_document(
                    session, admin, client_id, "estimate", [LineInput(f"Linha {i}", "1", 100 + i)]
                )
            else:
                payments.take_payment(session, admin, client_id, cashbox_id=box, amount=100 + i)


def stored_ids(store, client_id: int, kind: str) -> list[int]:
    """Every row the tab should list, newest first, as the store holds them."""
    ids: list[int] = []
    with store.read() as session:
        while True:
            before = ids[-1] if ids else None
            if kind == "documents":
                page = [r.id for r in docs.list_documents(session, client_id, before_id=before)]
            else:
                page = [r.id for r in payments.list_payments(session, client_id, before)]
            if not page:
                return ids
            ids.extend(page)


async def open_tab(app, pilot, kind: str) -> PagedTab:
    key, cls, _word = KINDS[kind]
    await wait_for(pilot, lambda: app.actor is not None)
    await pilot.press(*"ana")
    await wait_for(pilot, lambda: app.screen.query_one("#results").row_count >= 1)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
    await pilot.press(key)
    tab = app.screen.query_one(cls)
    await wait_for(pilot, lambda: tab.loaded and len(tab.rows) > 0)
    return tab


def shown_ids(tab: PagedTab) -> list[int]:
    """The rows the table holds (by key), in order: what the clerk can scroll through."""
    table = tab.paged_table()
    return [int(str(row.key.value)) for row in table.ordered_rows]


@pytest.mark.parametrize("kind", ["documents", "payments"])
async def test_first_a_screenful_then_pages_until_the_last(
    make_app, store, make_client, admin, kind
):
    rec = make_client("Ana Silva", "912345678")
    n = FIRST_PAGE + PAGE  # exactly two pages: the second must know it is the last
    add_rows(store, admin, rec.id, kind, n)
    expected = stored_ids(store, rec.id, kind)
    word = KINDS[kind][2]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(app, pilot, kind)
        table = tab.paged_table()
        assert len(tab.rows) == FIRST_PAGE and tab.has_more
        assert shown_ids(tab) == expected[:FIRST_PAGE]
        await wait_for(pilot, lambda: "more load as you scroll" in screen_text(app))
        # Down, key by key, to MORE_AT rows before the end: the next page loads
        await pilot.press(*["down"] * (FIRST_PAGE - MORE_AT - 1))
        await pilot.pause()
        assert len(tab.rows) == FIRST_PAGE  # not yet
        await pilot.press("down")
        await wait_for(pilot, lambda: len(tab.rows) == n)
        assert not tab.has_more  # the last page said so: no empty page needed
        assert table.cursor_row == FIRST_PAGE - MORE_AT  # the cursor did not move
        assert shown_ids(tab) == [r.id for r in tab.rows] == expected
        assert len(set(shown_ids(tab))) == n
        await wait_for(pilot, lambda: f"{n} {word}." in screen_text(app))
        # End goes to the last row; PageUp and Home back up; nothing more is fetched
        await pilot.press("end")
        await wait_for(pilot, lambda: table.cursor_row == n - 1)
        await pilot.press("pageup", "home")
        await wait_for(pilot, lambda: table.cursor_row == 0)
        await pilot.pause()
        assert shown_ids(tab) == expected and not tab.has_more


@pytest.mark.parametrize("kind", ["documents", "payments"])
async def test_page_down_and_end_load_more_without_duplicates(
    make_app, store, make_client, admin, kind
):
    rec = make_client("Ana Silva", "912345678")
    n = FIRST_PAGE + PAGE + 7
    add_rows(store, admin, rec.id, kind, n)
    expected = stored_ids(store, rec.id, kind)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_tab(app, pilot, kind)
        while len(tab.rows) == FIRST_PAGE:
            await pilot.press("pagedown")
            await pilot.pause()
        await wait_for(pilot, lambda: len(tab.rows) == FIRST_PAGE + PAGE)
        assert tab.has_more
        await pilot.press("end")  # to the last row loaded: the rest loads
        await wait_for(pilot, lambda: len(tab.rows) == n)
        await pilot.press("end")
        await pilot.pause()
        assert not tab.has_more and tab.paged_table().cursor_row == n - 1
        assert shown_ids(tab) == [r.id for r in tab.rows] == expected


@pytest.mark.parametrize("kind", ["documents", "payments"])
async def test_another_clerks_write_keeps_the_rows_and_the_cursor(
    make_app, store, make_client, admin, kind
):
    rec = make_client("Ana Silva", "912345678")
    n = FIRST_PAGE + PAGE + 10
    add_rows(store, admin, rec.id, kind, n)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(app, pilot, kind)
        table = tab.paged_table()
        await pilot.press("end")
        await wait_for(pilot, lambda: len(tab.rows) == FIRST_PAGE + PAGE)
        await pilot.press(*["up"] * 20)  # a row in the second page
        await pilot.pause()
        row, selected = table.cursor_row, tab.selected_id()
        line = row - round(table.scroll_y)  # where the clerk sees it
        assert selected == tab.rows[row].id and tab.has_more
        add_rows(store, admin, rec.id, kind, 2)  # another clerk, at the same time
        app.broadcast_change()
        await wait_for(pilot, lambda: len(tab.rows) == FIRST_PAGE + PAGE + 2)
        # the two new rows on top, every row loaded before still there, once
        expected = stored_ids(store, rec.id, kind)
        assert shown_ids(tab) == [r.id for r in tab.rows] == expected[: FIRST_PAGE + PAGE + 2]
        assert tab.has_more
        # the cursor on the same document or payment, on the same line of the screen
        assert tab.selected_id() == selected and table.cursor_row == row + 2
        await wait_for(pilot, lambda: table.cursor_row - round(table.scroll_y) == line)
        # and paging carries on from there
        await pilot.press("end")
        await wait_for(pilot, lambda: len(tab.rows) == n + 2)
        assert shown_ids(tab) == expected and not tab.has_more


async def test_a_page_overtaken_by_a_reload_is_dropped(make_app, store, make_client, admin):
    rec = make_client("Ana Silva", "912345678")
    add_rows(store, admin, rec.id, "payments", FIRST_PAGE + 5)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(app, pilot, "payments")
        before = [r.id for r in tab.rows]
        stale = list(tab.rows[:3])  # rows a page fetched before the last reload began
        tab._show(stale, True, reset=False, generation=tab._generation - 1)
        assert [r.id for r in tab.rows] == before == shown_ids(tab)


# --- collect: what one fetch gathers, against a plain list --------------------------------


@dataclass(frozen=True)
class Row:
    id: int


@given(
    n=st.integers(0, 1200),
    first=st.integers(1, 150),
    down_at=st.one_of(st.none(), st.integers(0, 1300)),
    before_at=st.one_of(st.none(), st.integers(0, 1300)),
)
def test_collect_gathers_a_prefix_with_no_gaps_or_repeats(n, first, down_at, before_at):
    everything = [Row(i) for i in range(n, 0, -1)]
    calls: list[int] = []

    def fetch(before: int | None, limit: int) -> list[Row]:
        assert 1 <= limit <= 500  # what the domain accepts
        calls.append(limit)
        older = [r for r in everything if before is None or r.id < before]
        return older[:limit]

    before_id = None if before_at is None else min(before_at, n + 1)
    start = [r for r in everything if before_id is None or r.id < before_id]
    down_to = None if down_at is None or not start else start[min(down_at, len(start) - 1)].id
    rows, more = collect(fetch, before_id=before_id, first=first, down_to=down_to)
    # a prefix of what is older than before_id: newest first, no gap, nothing twice
    assert rows == start[: len(rows)]
    assert more == (len(rows) < len(start))
    # at least a screenful (or everything), everything down to down_to, and no more
    wanted = first
    if down_to is not None:
        wanted = max(first, sum(1 for r in start if r.id >= down_to))
    assert len(rows) == min(wanted, len(start))
