"""Client search on 100,000 clients: median latency per query kind, against the plain
LIKE '%q%' scan of the same table giving the same page (the baseline).

    uv run python -m benchmarks search [--clients N] [--repeat N]
"""

from __future__ import annotations

import statistics
from typing import Any

from .common import demo_store, interleaved, table

KINDS: dict[str, list[str]] = {
    "name fragment": ["silv", "ferreira", "ana cos", "magalh", "rodrigues", "tavares lo"],
    "accent-free name": ["joao", "goncalves", "simoes", "antonio", "conceicao", "araujo"],
    "phone fragment": ["912 3", "+351 93", "9634", "96 12", "(21) 4", "917 2"],
    "email": ["maria.costa1", "afonso.santos95@", "@exemplo.pt", "rui.reis", "jose.", "joana"],
}


def run(clients: int = 100_000, repeat: int = 15) -> dict[str, Any]:
    from remtui.domain.search import scan_search, search_clients
    from remtui.store.engine import Store

    store = Store(f"sqlite:///{demo_store(clients)}")
    results: dict[str, Any] = {}
    rows = []
    with store.read() as session:
        for kind, queries in KINDS.items():
            pairs = {
                q: ((lambda q=q: search_clients(session, q)), (lambda q=q: scan_search(session, q)))
                for q in queries
            }
            for q in queries:  # same answers, or the comparison means nothing
                assert [h.id for h in search_clients(session, q).hits] == [
                    h.id for h in scan_search(session, q)
                ], q
            medians = interleaved(pairs, repeat)
            ours = statistics.median(m[0] for m in medians.values())
            scan = statistics.median(m[1] for m in medians.values())
            worst = max(m[0] for m in medians.values())
            results[kind] = {"median_ms": ours, "scan_ms": scan, "worst_ms": worst}
            rows.append((kind, f"{ours:.2f}", f"{worst:.2f}", f"{scan:.2f}", f"{scan / ours:.1f}x"))
    store.close()
    table(
        f"search, {clients:,} clients, first page of 50, median of {repeat} "
        "interleaved runs per query",
        ("query kind", "median ms", "worst query ms", "LIKE scan ms", "faster than scan"),
        rows,
    )
    return results
