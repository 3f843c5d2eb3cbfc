"""Terminal loss: the terminal (or the SSH connection) goes away while a clerk has half an
edit and a half-filled dialog open. The app must exit, keep everything saved before,
write nothing unsaved, leave no lock behind, and start cleanly next time."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.test_terminal import REMTUI, Pane, _need_tmux

pytestmark = pytest.mark.e2e

SAVED = " Guardado"  # appended to the client's name and saved
UNSAVED = " Rascunho"  # appended after that and never saved
AMOUNT, REASON = "12,50", "motivo a meio"  # typed into the correction dialog, never saved


def _snapshot(db: Path) -> dict[str, str]:
    """Every table's content, as a digest per table (what the store holds, logically)."""
    conn = sqlite3.connect(db)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]
        digests = {}
        for table in tables:
            rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()
            digests[table] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
        return digests
    finally:
        conn.close()


def _client_name(db: Path, client_id: int) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("SELECT name FROM client WHERE id = ?", (client_id,)).fetchone()[0])
    finally:
        conn.close()


def _pick_client(db: Path) -> tuple[int, str]:
    """A client whose whole name is typed in the search to find exactly that client."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT id, name FROM client WHERE conflicted = 0 ORDER BY id")
        names = [(i, n) for i, n in rows if n.isascii()]
        counts = {n: sum(1 for _, m in names if m == n) for _, n in names}
    finally:
        conn.close()
    return next((i, n) for i, n in names if counts[n] == 1)


def _pid_of(pane: Pane) -> int:
    out = subprocess.run(
        ["tmux", "-L", pane.socket, "list-panes", "-t", pane.name, "-F", "#{pane_pid}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.split()[0])


def _gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status  # a zombie has exited (its parent has not reaped it)


def _wait_gone(pid: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _gone(pid):
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} is still running after the terminal went away")


def _wait_form_loaded(pane: Pane, name: str, timeout: float = 30) -> None:
    """The General tab shows the stored name and phones (typing earlier would race the
    form's load)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = pane.text().splitlines()
        if any(ln.startswith("Name") and name in ln for ln in lines) and any(
            ln.startswith("Phones") and "+" in ln for ln in lines
        ):
            return
        time.sleep(0.1)
    raise AssertionError("the General tab did not load:\n" + pane.text())


def _assert_not_locked(db: Path) -> None:
    """A writer gets the store at once: nothing holds its lock."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def test_hangup_with_half_an_edit_and_a_half_filled_dialog_loses_nothing(
    demo_copy: Path, term_env: dict[str, str]
) -> None:
    _need_tmux()
    db = demo_copy
    client_id, name = _pick_client(db)
    env = dict(term_env)
    pane = Pane(f"exec {REMTUI} demo --db {db}", (80, 24), env)
    try:
        pane.wait_for("clients shown", timeout=60)
        pid = _pid_of(pane)
        assert "remtui" in Path(f"/proc/{pid}/cmdline").read_text()
        pane.keys("-l", name)
        pane.wait_for("1 client.")
        pane.keys("Enter")
        pane.wait_for("Came from")  # the General tab
        _wait_form_loaded(pane, name)

        # A saved edit: it must survive.
        # The name field opens focused with its text selected: typing replaces it.
        pane.keys("-l", name + SAVED)
        pane.wait_for(name + SAVED)
        pane.keys("C-s")
        deadline = time.monotonic() + 30
        while _client_name(db, client_id) != name + SAVED:
            assert time.monotonic() < deadline, "the saved edit never reached the store"
            time.sleep(0.05)
        saved = _snapshot(db)

        # Half an edit, then a half-filled dialog over it: neither may reach the store.
        pane.keys("-l", UNSAVED)
        pane.wait_for(name + SAVED + UNSAVED)
        pane.keys("F3")
        pane.wait_for("Correction")  # the Balance tab's key, in the footer
        pane.keys("c")
        pane.wait_for("Balance correction")
        # No wait for the focus: keys typed while the dialog loads go to the field that
        # takes them (type-ahead), as they would over a slow ssh link.
        pane.keys("-l", AMOUNT)
        pane.wait_for("After the correction")  # the amount is in its field
        pane.keys("Tab")
        pane.keys("-l", REASON)
        pane.wait_for(REASON)

        # The terminal goes away: tmux hangs up on the app (SIGHUP).
        subprocess.run(
            ["tmux", "-L", pane.socket, "kill-session", "-t", pane.name],
            check=True,
            capture_output=True,
        )
        _wait_gone(pid)
    finally:
        pane.close()

    _assert_not_locked(db)

    # The next start is clean: the clients screen, with the saved edit findable.
    again = Pane(f"exec {REMTUI} demo --db {db}", (80, 24), env)
    try:
        again.wait_for("clients shown", timeout=60)
        pid = _pid_of(again)
        again.keys("-l", SAVED.strip())
        again.wait_for("1 client.")
        assert name.split()[0] in again.text()
        again.keys("C-q")
        _wait_gone(pid)
    finally:
        again.close()

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute(
            "SELECT COUNT(*) FROM client WHERE name LIKE ?", (f"%{UNSAVED.strip()}%",)
        ).fetchone() == (0,)
        assert conn.execute(
            "SELECT COUNT(*) FROM ledger_entry WHERE comment = ?", (REASON,)
        ).fetchone() == (0,)
    finally:
        conn.close()
    assert _client_name(db, client_id) == name + SAVED
    assert _snapshot(db) == saved, "the store changed after the last save"
    done = subprocess.run(
        [str(REMTUI), "--db", str(db), "check"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert not Path(f"{db}-wal").exists() or os.path.getsize(f"{db}-wal") == 0
