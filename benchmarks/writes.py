"""Several clerks writing at once: throughput and p50/p99 latency of the mixed writes of
tests/multi/workload.py (advances, refunds, corrections, sales, work orders taken through
their statuses, client edits) with 1, 2, 4 and 8 processes, on SQLite and PostgreSQL,
side by side.

    uv run python -m benchmarks writes [--repeat N]

PostgreSQL: the server at REMTUI_BENCH_PG_URL (a role that may CREATE DATABASE), or else a
throw-away cluster this benchmark starts itself from Debian's postgresql packages (initdb
+ pg_ctl, on a loopback port, as the postgres user when run as root), or else SQLite only.
Each run gets a fresh store. Both databases keep their durable defaults (SQLite
synchronous=FULL, PostgreSQL fsync and synchronous_commit on), so the figures compare.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .common import table

PROCESSES = (1, 2, 4, 8)
OPS_PER_PROCESS = 60
CLIENTS = 20


def run(repeat: int = 1, ops: int = OPS_PER_PROCESS) -> dict[str, Any]:
    """Measure every (database, processes) pair ``repeat`` times; print and return the
    figures: {database: {processes: {ops_per_s, p50_ms, p99_ms, ops}}}."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="remtui-bench-writes-") as tmp:
        results["sqlite"] = _measure(
            lambda n: (f"sqlite:///{Path(tmp) / f'store-{n}.sqlite3'}", None), repeat, ops
        )
        with _postgresql() as server:
            if server is not None:
                results["postgresql"] = _measure(server.fresh, repeat, ops)
    _print(results, repeat, ops)
    return results


def _measure(fresh: Any, repeat: int, ops: int) -> dict[int, dict[str, float]]:
    from remtui.store.engine import Store
    from remtui.store.migrate import upgrade
    from tests.multi.workload import run_clerks, seed_store

    figures: dict[int, dict[str, float]] = {}
    for processes in PROCESSES:
        rates: list[float] = []
        latencies: list[float] = []
        for attempt in range(repeat):
            url, drop = fresh(f"{processes}-{attempt}")
            store = Store(url)
            try:
                upgrade(store)
                ids = seed_store(store, CLIENTS)
            finally:
                store.close()
            try:
                reports = run_clerks(url, processes, ops, ids, seed=processes * 100 + attempt)
            finally:
                if drop is not None:
                    drop()
            errors = [e for r in reports for e in r.errors]
            if errors:
                raise RuntimeError(f"{processes} clerks on {url.split(':')[0]}: {errors[0]}")
            wall = max(r.elapsed for r in reports)
            rates.append(sum(r.ops for r in reports) / wall)
            latencies.extend(x for r in reports for x in r.latencies)
        cuts = statistics.quantiles(latencies, n=100, method="inclusive")
        figures[processes] = {
            "ops_per_s": statistics.median(rates),
            "p50_ms": cuts[49] * 1000,
            "p99_ms": cuts[98] * 1000,
            "ops": len(latencies),
        }
    return figures


def _print(results: dict[str, Any], repeat: int, ops: int) -> None:
    names = list(results)
    header = ["processes"]
    for name in names:
        header += [f"{name} ops/s", f"{name} p50 ms", f"{name} p99 ms"]
    rows = []
    for processes in PROCESSES:
        row: list[object] = [processes]
        for name in names:
            f = results[name][processes]
            row += [f"{f['ops_per_s']:.0f}", f"{f['p50_ms']:.1f}", f"{f['p99_ms']:.1f}"]
        rows.append(tuple(row))
    table(
        f"mixed writes: {ops} per process, {CLIENTS} shared clients, median of {repeat} "
        "run(s); latency per committed operation",
        tuple(header),
        rows,
    )
    if "postgresql" not in results:
        print("(no PostgreSQL: set REMTUI_BENCH_PG_URL or install postgresql)")


# --- a PostgreSQL server: given, or a throw-away cluster -----------------------------------


class _Server:
    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.url = make_url(url)
        self.admin = create_engine(
            self.url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
        )

    def fresh(self, tag: str) -> tuple[str, Any]:
        from sqlalchemy import text

        name = f"remtui_bench_{tag.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))

        def drop() -> None:
            from sqlalchemy.exc import DBAPIError

            # A role without pg_signal_backend may not end an autovacuum worker: wait for it.
            for attempt in range(50):
                try:
                    with self.admin.connect() as conn:
                        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    return
                except DBAPIError:
                    if attempt == 49:
                        raise
                    time.sleep(0.2)

        return self.url.set(database=name).render_as_string(hide_password=False), drop


@contextlib.contextmanager
def _postgresql() -> Iterator[_Server | None]:
    url = os.environ.get("REMTUI_BENCH_PG_URL")
    if url:
        server = _Server(url)
        try:
            yield server
        finally:
            server.admin.dispose()
        return
    with _throwaway_cluster() as started:
        if started is None:
            yield None
            return
        server = _Server(started)
        try:
            yield server
        finally:
            server.admin.dispose()


@contextlib.contextmanager
def _throwaway_cluster() -> Iterator[str | None]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    if not found:
        yield None
        return
    bindir = Path(found[-1]).parent
    root = os.geteuid() == 0
    as_owner = ["runuser", "-u", "postgres", "--"] if root else []
    if root and shutil.which("runuser") is None:
        yield None
        return
    tmp = Path(tempfile.mkdtemp(prefix="remtui-bench-pg-"))
    if root:
        shutil.chown(tmp, "postgres")
    data, port = tmp / "data", _free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": True}
    try:
        subprocess.run(
            [*as_owner, str(bindir / "initdb"), "-D", str(data), "--auth=trust",
             "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8"],
            **quiet,
        )  # fmt: skip
        subprocess.run(
            [*as_owner, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(tmp / "log"), "-w",
             "-o", f"-k {tmp} -p {port} -c listen_addresses=127.0.0.1 -c max_connections=100",
             "start"],
            **quiet,
        )  # fmt: skip
    except (subprocess.CalledProcessError, OSError):
        print("(could not start a PostgreSQL cluster)", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)
        yield None
        return
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_owner, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        time.sleep(0.1)
        shutil.rmtree(tmp, ignore_errors=True)


def _version_key(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
