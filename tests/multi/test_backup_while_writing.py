"""`remtui backup PATH` while a clerk keeps writing: each copy is a consistent store
(integrity_check ok, `remtui check` ok) and the clerk never waits on it or fails."""

from __future__ import annotations

import io
import multiprocessing
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from remtui.commands.check import run_check
from remtui.domain import staff
from remtui.store.engine import Store

from .workload import clerk, seed_store

MAX_OPS = 5000  # the clerk stops when the backups are done (long before this)
BACKUPS = 3


def _ledger_rows(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM ledger_entry").fetchone()[0])


@pytest.mark.sqlite_only("the SQLite online backup API (PostgreSQL stores use pg_dump)")
@pytest.mark.slow
def test_backups_taken_while_a_clerk_writes_are_consistent(
    store: Store, admin: staff.Actor, tmp_path: Path
) -> None:
    assert store.path is not None
    client_ids = seed_store(store, 4)
    ctx = multiprocessing.get_context("spawn")
    copies: list[tuple[Path, int]] = []
    with ctx.Manager() as manager, ctx.Pool(1) as pool:
        stop = manager.Event()
        writing = pool.apply_async(clerk, (store.url, "w", 11, MAX_OPS, client_ids, None, stop))
        seen = _ledger_rows(store.path)
        while len(copies) < BACKUPS and not writing.ready():
            if _ledger_rows(store.path) <= seen:  # wait for the clerk's next writes
                time.sleep(0.02)
                continue
            dest = tmp_path / "backups" / f"copy-{len(copies)}.sqlite3"
            result = subprocess.run(
                [sys.executable, "-m", "remtui", "--db", str(store.path), "backup", str(dest)],
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert result.returncode == 0, result.stderr
            assert result.stdout.strip() == str(dest)
            copies.append((dest, _ledger_rows(dest)))
            seen = copies[-1][1]
        still_writing = not writing.ready()
        while copies and _ledger_rows(store.path) <= copies[-1][1] and not writing.ready():
            time.sleep(0.02)  # the clerk writes on after the last backup
        stop.set()
        report = writing.get(timeout=600)
    assert report.errors == [], report.errors[0]
    assert 0 < report.ops < MAX_OPS
    # the backups really overlapped the writes: the clerk went on after the last one
    assert len(copies) == BACKUPS and still_writing
    final = _ledger_rows(store.path)
    assert [rows for _path, rows in copies] == sorted(rows for _path, rows in copies)
    assert copies[-1][1] < final
    for dest, rows in copies:
        with sqlite3.connect(dest) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] in ("wal", "delete")
        out = io.StringIO()
        assert run_check(f"sqlite:///{dest}", out) == 0, out.getvalue()
        assert rows > 0
    assert run_check(store.url, io.StringIO()) == 0
