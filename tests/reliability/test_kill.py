"""Kill at any moment: writers SIGKILLed at random points never lose or half-write anything.

Two writer processes (helpers/writer.py) take payments, add corrections, make sales with
their payment, and take work orders to "closed" (in one transaction or step by step) and
reopen them, on one SQLite store, each logging every COMMITTED operation (fsynced). Each
round both are killed with SIGKILL at random moments; after every round the store must
pass PRAGMA integrity_check, hold every logged operation exactly once, hold at most the
one operation each writer had in flight beyond its log, contain nothing half-written,
and pass `remtui check`. At the end a writer runs to completion on the same store (no
lock was left behind) and the installed command checks it once more.
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing.process
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from remtui.domain import clients, documents, staff
from remtui.store.engine import Store
from remtui.store.migrate import upgrade

from .. import forks
from .helpers import writer

pytestmark = pytest.mark.slow

ROUNDS = int(os.environ.get("REMTUI_KILL_ROUNDS", "13"))  # two kills a round
SEED = int(os.environ.get("REMTUI_KILL_SEED", "20261128"))
WRITERS = 2
STARTUP_TIMEOUT = 60.0


@pytest.fixture
def kill_store(tmp_path: Path) -> Iterator[Path]:
    db = tmp_path / "kill.sqlite3"
    store = Store(f"sqlite:///{db}")
    upgrade(store)
    with store.write() as session:
        admin = staff.create_first_admin(session, "admin", "Ana Admin", "correct horse")
    for i in range(6):
        with store.write() as session:
            clients.create_client(
                session, admin, clients.ClientForm(name=f"Cliente {i}", email=f"c{i}@example.pt")
            )
    store.close()
    yield db


def _spawn(
    db: Path, log: Path, name: str, seed: int, ops: int | None = None
) -> multiprocessing.process.BaseProcess:
    # Forked from a server that imported the store once (tests/forks.py): each writer is
    # still its own process with its own connections, SIGKILLed, without half a second of
    # imports 27 times.
    err = log.with_suffix(".err")
    return forks.start(writer.run_forked, str(db), str(log), name, seed, ops, str(err))


def _errors(log: Path) -> str:
    err = log.with_suffix(".err")
    return err.read_text() if err.exists() else ""


def _wait_for_first_commit(proc: multiprocessing.process.BaseProcess, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if log.exists() and log.stat().st_size > 0:
            return
        if proc.exitcode is not None:
            raise AssertionError(f"writer died by itself ({proc.exitcode}):\n{_errors(log)}")
        time.sleep(0.005)
    raise AssertionError("the writer committed nothing in time")


def _read_log(path: Path) -> list[dict]:
    """Complete lines only (a kill cannot tear a line: each is one write, but be strict)."""
    if not path.exists():
        return []
    entries = []
    for raw in path.read_text().splitlines():
        entries.append(json.loads(raw))
    return entries


def _q(conn: sqlite3.Connection, sql: str, *params: object) -> list[tuple]:
    return conn.execute(sql, params).fetchall()


def _check_logged(conn: sqlite3.Connection, name: str, log: list[dict]) -> None:
    """One writer's log against the store."""
    logged_tokens = {e["token"] for e in log}
    last_n = max((int(e["token"].rsplit("-", 1)[1]) for e in log), default=0)
    in_flight = f"{name}-{last_n + 1}"
    # Every token of this writer in the store was logged, or is the one in flight.
    found = {
        t
        for (t,) in _q(conn, "SELECT note FROM payment WHERE note LIKE ?", f"{name}-%")
        + _q(
            conn,
            "SELECT comment FROM ledger_entry WHERE source_type = 'correction' AND comment LIKE ?",
            f"{name}-%",
        )
        + _q(conn, "SELECT comment FROM document WHERE comment LIKE ?", f"{name}-%")
    }
    assert found - logged_tokens <= {in_flight}, f"{name}: unlogged writes {found - logged_tokens}"

    history_rows: dict[int, int] = {}  # rows the log says each document's history has
    for e in log:
        token = e["token"]
        if e["op"] in ("payment", "sale"):
            rows = _q(conn, "SELECT id, amount, client_id FROM payment WHERE note = ?", token)
            assert rows == [(e["ids"][0], e["amounts"][0], e["client"])], (token, rows)
            ledger_rows = _q(
                conn,
                "SELECT amount FROM ledger_entry WHERE source_type = 'payment' AND source_id = ?",
                e["ids"][0],
            )
            assert ledger_rows == [(-e["amounts"][0],)], (token, ledger_rows)
        if e["op"] == "correction":
            rows = _q(
                conn,
                "SELECT id, amount, client_id FROM ledger_entry "
                "WHERE source_type = 'correction' AND comment = ?",
                token,
            )
            assert rows == [(e["entry"], e["amount"], e["client"])], (token, rows)
        if e["op"] in ("sale", "work_order"):
            rows = _q(conn, "SELECT id, client_id FROM document WHERE comment = ?", token)
            assert rows == [(e["doc"], e["client"])], (token, rows)
        if e["op"] == "sale":
            history_rows[e["doc"]] = 1
        elif e["op"] == "work_order":
            history_rows[e["doc"]] = 1 if e["status"] == "new" else 4
        elif e["op"] in ("status", "reopen"):
            history_rows[e["doc"]] += 1
    # Only the document the writer was working on (the last logged one, or the one its
    # unlogged reopen names) may be one committed step ahead of the log.
    current = log[-1].get("doc") if log else None
    ahead = []
    for doc_id, expected in history_rows.items():
        notes = _q(
            conn,
            "SELECT note FROM document_status_change WHERE document_id = ? ORDER BY id",
            doc_id,
        )
        assert len(notes) in (expected, expected + 1), (name, doc_id, len(notes), expected)
        if len(notes) == expected + 1:
            assert doc_id == current or notes[-1][0] == in_flight, (name, doc_id, notes)
            ahead.append(doc_id)
    assert len(ahead) <= 1, (name, ahead)


def _check_whole(conn: sqlite3.Connection) -> None:
    """Nothing half-written anywhere, whoever wrote it."""
    assert _q(conn, "PRAGMA integrity_check") == [("ok",)]
    assert _q(conn, "PRAGMA foreign_key_check") == []
    assert _q(conn, "PRAGMA journal_mode") == [("wal",)]
    # Documents: lines, totals, history and the charge all there, or none of it.
    assert (
        _q(
            conn,
            "SELECT d.id FROM document d WHERE NOT EXISTS "
            "(SELECT 1 FROM document_line l WHERE l.document_id = d.id)",
        )
        == []
    ), "a document without lines"
    assert (
        _q(
            conn,
            "SELECT l.id FROM document_line l LEFT JOIN document d ON d.id = l.document_id "
            "WHERE d.id IS NULL",
        )
        == []
    ), "lines without a document"
    assert (
        _q(
            conn,
            "SELECT d.id FROM document d WHERE d.total != "
            "(SELECT SUM(line_total) FROM document_line l WHERE l.document_id = d.id)",
        )
        == []
    ), "a document whose total is not the sum of its lines"
    docs = _q(conn, "SELECT id, kind, status, total FROM document")
    for doc_id, kind, status, total in docs:
        history = _q(
            conn,
            "SELECT from_status, to_status FROM document_status_change "
            "WHERE document_id = ? ORDER BY id",
            doc_id,
        )
        assert history and history[0][0] == "" and history[-1][1] == status, (doc_id, history)
        (charged,) = _q(
            conn,
            "SELECT COALESCE(SUM(amount), 0) FROM ledger_entry "
            "WHERE source_type = 'document' AND source_id = ?",
            doc_id,
        )[0]
        assert charged == documents.charged(kind, status, total), (doc_id, kind, status)
        audits = _q(
            conn,
            "SELECT action, COUNT(*) FROM audit WHERE entity = 'document' AND entity_id = ? "
            "GROUP BY action ORDER BY action",
            doc_id,
        )
        expected = [("document.create", 1)]
        if len(history) > 1:
            expected.append(("document.status", len(history) - 1))
        assert audits == expected, (doc_id, audits)
    # Payments: one ledger entry each, of the opposite sign, and one audit record.
    assert (
        _q(
            conn,
            "SELECT p.id FROM payment p WHERE (SELECT COUNT(*) FROM ledger_entry l "
            "WHERE l.source_type = 'payment' AND l.source_id = p.id AND l.amount = -p.amount "
            "AND l.client_id = p.client_id) != 1",
        )
        == []
    ), "a payment without exactly one ledger entry"
    assert (
        _q(
            conn,
            "SELECT p.id FROM payment p WHERE (SELECT COUNT(*) FROM audit a "
            "WHERE a.entity = 'payment' AND a.entity_id = p.id) != 1",
        )
        == []
    ), "a payment without its audit record"
    assert (
        _q(
            conn,
            "SELECT l.id FROM ledger_entry l WHERE l.source_type = 'payment' AND NOT EXISTS "
            "(SELECT 1 FROM payment p WHERE p.id = l.source_id)",
        )
        == []
    ), "a payment entry without its payment"


def _remtui_check(db: Path) -> tuple[int, str]:
    """`remtui --db DB check` through the command line's own entry point."""
    from remtui import cli

    out = io.StringIO()
    mask = os.umask(0o022)
    os.umask(mask)
    try:
        with contextlib.redirect_stdout(out):
            code = cli.main(["--db", str(db), "check"])
    finally:
        os.umask(mask)
    return code, out.getvalue()


def _check(db: Path, logs: dict[str, list[dict]]) -> None:
    conn = sqlite3.connect(db)
    try:
        _check_whole(conn)
        for name, log in logs.items():
            _check_logged(conn, name, log)
    finally:
        conn.close()
    code, output = _remtui_check(db)
    assert code == 0, output


def test_writers_killed_at_random_moments_lose_and_half_write_nothing(
    kill_store: Path, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    logs: dict[str, list[dict]] = {}
    kills = committed = 0
    for rnd in range(ROUNDS):
        procs = []
        for w in range(WRITERS):
            name = f"r{rnd}w{w}"
            log = tmp_path / f"{name}.jsonl"
            procs.append((name, log, _spawn(kill_store, log, name, rng.randrange(2**32))))
        for _name, log, proc in procs:
            _wait_for_first_commit(proc, log)
        # Kill each at its own random moment (sometimes at once, sometimes mid-stride).
        moments = sorted((rng.choice((0.0, rng.uniform(0, 0.6))), i) for i in range(WRITERS))
        start = time.monotonic()
        for moment, i in moments:
            time.sleep(max(0.0, start + moment - time.monotonic()))
            procs[i][2].kill()
        for name, log, proc in procs:
            proc.join(timeout=30)
            assert proc.exitcode == -signal.SIGKILL, f"{name} ended with {proc.exitcode}"
            kills += 1
            logs[name] = _read_log(log)
            committed += len(logs[name])
        _check(kill_store, logs)
    assert kills == ROUNDS * WRITERS
    assert committed >= kills  # every writer committed something before it died

    # The store still takes writes: a writer runs to its end on it, and checks clean.
    log = tmp_path / "final.jsonl"
    proc = _spawn(kill_store, log, "final", SEED, ops=20)
    proc.join(timeout=120)
    assert proc.exitcode == 0, _errors(log)
    logs["final"] = _read_log(log)
    assert len(logs["final"]) >= 20
    _check(kill_store, logs)
    done = subprocess.run(
        [sys.executable, "-m", "remtui", "--db", str(kill_store), "check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the store is intact" in done.stdout
