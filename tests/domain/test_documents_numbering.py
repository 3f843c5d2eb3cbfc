"""Document numbers under concurrency: two OS processes, each with its own Store on the same
database, create documents at the same time and get distinct, consecutive numbers."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any

from sqlmodel import col, select

from remtui.domain import clients, staff
from remtui.domain import documents as docs
from remtui.store.engine import Store
from remtui.store.tables.documents import Document

PER_PROCESS = 30


def _create_many(url: str, actor: staff.Actor, client_id: int, start: Any, results: Any) -> None:
    """Runs in a spawned process: its own Store, its own connections."""
    store = Store(url)
    try:
        start.wait(timeout=120)
        numbers = []
        for i in range(PER_PROCESS):
            kind = "work_order" if i % 3 else "sale"
            with store.write() as session:
                doc = docs.create_document(
                    session, actor, client_id, kind, [docs.LineInput(f"Linha {i}", "1", 100 + i)]
                )
                numbers.append(doc.number)
        results.put(numbers)
    except BaseException as exc:  # reported to the parent, which fails the test
        results.put(repr(exc))
    finally:
        store.close()


def test_two_processes_get_distinct_consecutive_numbers(
    store: Store, admin: staff.Actor, make_client: Callable[..., clients.ClientRecord]
) -> None:
    client_id = make_client("Concorrência").id
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_create_many, args=(store.url, admin, client_id, start, results))
        for _ in range(2)
    ]
    for p in procs:
        p.start()
    start.set()
    got = [results.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    for item in got:
        assert isinstance(item, list), item
    numbers = [n for item in got for n in item]
    assert len(numbers) == len(set(numbers)) == 2 * PER_PROCESS
    wo = sorted(int(n.removeprefix("WO-")) for n in numbers if n.startswith("WO-"))
    sales = sorted(int(n.removeprefix("S-")) for n in numbers if n.startswith("S-"))
    # each series starts at 1 and has no gap
    assert wo == list(range(1, len(wo) + 1)) and len(wo) == 40
    assert sales == list(range(1, len(sales) + 1)) and len(sales) == 20
    # each process saw its own numbers rise
    for item in got:
        own = [int(n.split("-")[1]) for n in item if n.startswith("WO-")]
        assert own == sorted(own)
    with store.read() as session:
        stored = session.exec(select(Document.number).order_by(col(Document.id))).all()
    assert sorted(stored) == sorted(numbers)
