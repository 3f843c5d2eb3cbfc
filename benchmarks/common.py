"""Shared by the benchmarks: cached stores, timing, ratio tables.

Machines here are shared and noisy, so every figure is a median of interleaved runs and
is printed as a ratio against a baseline measured in the same run.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"


def demo_store(clients: int) -> Path:
    """A demo store with ``clients`` clients, built once and kept in benchmarks/.cache."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"clients-{clients}.sqlite3"
    if not path.exists():
        print(f"building {path.name} (once)…", file=sys.stderr)
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "remtui",
                "demo",
                "--no-ui",
                "--clients",
                str(clients),
                "--db",
                str(path),
            ],
            check=True,
        )
        print(f"  built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def interleaved(
    pairs: dict[str, tuple[Callable[[], object], Callable[[], object]]], repeat: int
) -> dict[str, tuple[float, float]]:
    """Median ms of (subject, baseline) for each name, alternating the two each round."""
    samples: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in pairs}
    for _ in range(repeat):
        for name, (subject, baseline) in pairs.items():
            for fn, bucket in ((subject, samples[name][0]), (baseline, samples[name][1])):
                started = time.perf_counter()
                fn()
                bucket.append(time.perf_counter() - started)
    return {
        k: (statistics.median(a) * 1000, statistics.median(b) * 1000)
        for k, (a, b) in samples.items()
    }


def table(title: str, header: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    print(f"\n{title}")
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=False)))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)))
