"""The Documents and Payments tabs for a client with 2,000 documents and 5,000 payments vs a
client with 5 of each. Goal: within 1.2x.

1. The fetch each tab's worker does when it opens (tabs/paged.py: a first page of
   ``FIRST_PAGE`` rows, plus one to know whether there are more), both tabs, interleaved.
2. The real thing: a headless RemApp (120x40) on the same store with the client's profile
   open; from the F6 (Documents) or F7 (Payments) key until the table paints its first
   page (the compositor asks the table for its lines while it holds the rows). Clients
   alternate, each round on a fresh profile screen, after the app has gone quiet.

A third client with exactly one first page (``FIRST_PAGE`` documents and payments) tells
the two costs apart: what the history costs (big vs one page: should be ~1.0x) and what
showing a screenful of rows instead of 5 costs (one page vs small).

    uv run python -m benchmarks tabs [--repeat N]
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from .common import table

BIG = (2000, 5000)  # documents, payments
SMALL = (5, 5)


def _clients() -> dict[str, tuple[int, int]]:
    from remtui.ui.tabs.paged import FIRST_PAGE

    return {
        f"{SMALL[0]} documents, {SMALL[1]} payments": SMALL,
        f"{FIRST_PAGE} documents, {FIRST_PAGE} payments": (FIRST_PAGE, FIRST_PAGE),
        f"{BIG[0]:,} documents, {BIG[1]:,} payments": BIG,
    }


def _store(tmp: Path) -> tuple[Any, dict[str, int]]:
    """A store with the clients of ``_clients()``: name -> client id."""
    from remtui.domain import clients, documents, payments, staff
    from remtui.store.engine import Store
    from remtui.store.migrate import upgrade

    store = Store(f"sqlite:///{tmp / 'tabs.sqlite3'}")
    upgrade(store)
    ids: dict[str, int] = {}
    with store.write() as session:
        admin = staff.create_first_admin(session, "admin", "Admin", "benchmark-pass")
        box = staff.cashboxes(session)[0][0]
        for name, (docs, pays) in _clients().items():
            client = clients.create_client(session, admin, clients.ClientForm(name=name)).id
            ids[name] = client
            made = []
            for i in range(docs):
                line = documents.LineInput(f"Item {i}", "1", 1000 + i % 500)
                made.append(documents.create_document(session, admin, client, "sale", [line]).id)
            for i in range(pays):  # the oldest pay the documents, the rest are advances
                payments.take_payment(
                    session,
                    admin,
                    client,
                    cashbox_id=box,
                    amount=100 + i % 900,
                    document_id=made[i] if i < len(made) else None,
                )
    return store, ids


def _fetch(store: Any, client_id: int) -> None:
    """What the two tabs' workers fetch when they open (each its own read)."""
    from remtui.domain.documents import list_documents
    from remtui.domain.payments import list_payments
    from remtui.ui.tabs.paged import FIRST_PAGE

    with store.read() as session:
        list_documents(session, client_id, limit=FIRST_PAGE + 1)
    with store.read() as session:
        list_payments(session, client_id, limit=FIRST_PAGE + 1)


def _fetch_times(store: Any, ids: dict[str, int], repeat: int) -> dict[str, float]:
    """Median ms of ``_fetch`` per client, the clients in turn each round."""
    samples: dict[str, list[float]] = {name: [] for name in ids}
    for round_ in range(repeat + 1):
        order = list(ids) if round_ % 2 else list(reversed(ids))
        for name in order:
            started = time.perf_counter()
            _fetch(store, ids[name])
            if round_:
                samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(v) * 1000 for name, v in samples.items()}


def _watch_paint(tab: Any, rows: int) -> list[float]:
    """Times at which the tab's table paints lines while holding ``rows`` rows (the
    compositor calls ``render_lines`` for what it puts on screen)."""
    data_table = tab.paged_table()
    render_lines = data_table.render_lines
    painted: list[float] = []

    def paint(crop: Any) -> Any:
        strips = render_lines(crop)
        if len(tab.rows) == rows:
            painted.append(time.perf_counter())
        return strips

    data_table.render_lines = paint
    return painted


async def _open_tabs(url: str, ids: dict[str, int], repeat: int) -> dict[str, dict[str, float]]:
    """Median ms from the tab's key to its first page painted: {tab: {client: ms}}."""
    import gc

    from textual import events
    from textual._wait import wait_for_idle

    from remtui.config import Settings
    from remtui.ui.app import RemApp
    from remtui.ui.screens.profile import ProfileScreen
    from remtui.ui.tabs.documents import DocumentsTab
    from remtui.ui.tabs.paged import FIRST_PAGE
    from remtui.ui.tabs.payments import PaymentsTab

    sizes = _clients()
    tabs: list[tuple[str, str, type[Any], int]] = [
        ("documents", "f6", DocumentsTab, 0),
        ("payments", "f7", PaymentsTab, 1),
    ]
    samples = {tab: {name: list[float]() for name in ids} for tab, *_ in tabs}
    app = RemApp(Settings(db_url=url), demo_login="admin", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:

        async def until(condition: Any) -> None:
            deadline = time.perf_counter() + 30
            while not condition():
                if time.perf_counter() > deadline:
                    raise RuntimeError("the tab never showed its rows")
                await asyncio.sleep(0.0005)  # releases the GIL to the worker thread

        async def settle() -> None:
            """Nothing left from the last step (workers, footer, focus): a quiet start."""
            await until(lambda: all(w.is_finished for w in app.workers))
            await pilot.pause()
            await wait_for_idle(0.1)
            gc.collect()

        await until(lambda: app.actor is not None)
        for round_ in range(repeat + 1):  # round 0 warms up (imports, compiled queries)
            for name in list(ids) if round_ % 2 else list(reversed(ids)):
                screen = ProfileScreen(ids[name])
                await app.push_screen(screen)
                await settle()  # the header and the General tab are shown
                for tab_name, key, cls, which in tabs:
                    tab = screen.query_one(cls)
                    painted = _watch_paint(tab, min(FIRST_PAGE, sizes[name][which]))
                    started = time.perf_counter()
                    app._driver.send_message(events.Key(key, None))  # type: ignore[union-attr]
                    await until(lambda out=painted: bool(out))
                    del tab.paged_table().render_lines
                    if round_:
                        samples[tab_name][name].append(painted[0] - started)
                    await settle()
                app.pop_screen()
                await settle()
    return {
        tab: {name: statistics.median(v) * 1000 for name, v in by.items()}
        for tab, by in samples.items()
    }


def run(repeat: int = 21) -> dict[str, Any]:
    from remtui.ui.tabs.paged import FIRST_PAGE

    rounds = max(5, repeat // 2)
    with tempfile.TemporaryDirectory() as tmp:
        store, ids = _store(Path(tmp))
        fetch = _fetch_times(store, ids, repeat)
        ui = asyncio.run(_open_tabs(store.url, ids, rounds))
        store.close()
    small, page, big = list(ids)
    table(
        f"1. Documents + Payments fetch on open (first page: {FIRST_PAGE} rows each), "
        f"median of {repeat} alternating runs",
        ("client", "ms", "ratio"),
        [(name, f"{fetch[name]:.2f}", f"{fetch[name] / fetch[small]:.2f}x") for name in ids],
    )
    rows: list[tuple[object, ...]] = []
    for tab, by in ui.items():
        rows.extend((tab, name, f"{by[name]:.1f}", f"{by[name] / by[small]:.2f}x") for name in ids)
    table(
        f"2. Headless RemApp 120x40: tab key to its first page painted, median of {rounds} "
        "alternating rounds",
        ("tab", "client", "ms", "ratio"),
        rows,
    )
    return {
        "fetch_ratio": fetch[big] / fetch[small],
        "fetch_history_ratio": fetch[big] / fetch[page],
        **{f"{tab}_ratio": by[big] / by[small] for tab, by in ui.items()},
        **{f"{tab}_history_ratio": by[big] / by[page] for tab, by in ui.items()},
    }
