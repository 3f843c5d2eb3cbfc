"""Desk tasks typed in one burst into the installed command in a real terminal (tmux writes
the whole sequence to the pty at once, from before the app is up, as a slow SSH link
delivers a fast typist's keys): the store ends exactly as if the keys were typed slowly."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from remtui.domain import ledger, payments
from remtui.store.engine import Store

from .test_terminal import REMTUI, Pane, _need_tmux

pytestmark = pytest.mark.e2e

SIGN_IN = ("admin", "Enter", "correct horse", "Enter")
FIND = ("913 000", "Enter")  # Bruno's phone; Ana is listed first


def signed(store: Store, client_id: int) -> list[int]:
    with store.read() as session:
        return sorted(p.signed_amount for p in payments.list_payments(session, client_id))


def balance(store: Store, client_id: int) -> int:
    with store.read() as session:
        return ledger.balance(session, client_id)


TASKS = {
    "advance": ((*SIGN_IN, *FIND, "F7", "a", "150,00", "Enter"), signed, [15000]),
    "correction": (
        (*SIGN_IN, *FIND, "F3", "c", "20", "Down", "Enter", "acerto", "Enter"),
        balance,
        -2000,
    ),
}


def wait_until(check, what: str, timeout: float = 60) -> None:
    """Poll the store (state, not time) until ``check()`` holds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last is True:
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}: last saw {last!r}")


@pytest.mark.parametrize("task", sorted(TASKS))
def test_a_burst_in_a_real_terminal_lands_as_typed(task, store, admin, make_client, tmp_path: Path):
    _need_tmux()
    if not store.is_sqlite:
        pytest.skip("the terminal test opens the SQLite file")
    ana = make_client("Ana Silva", "912345678").id
    bruno = make_client("Bruno Costa", "913000111").id
    keys, result, expected = TASKS[task]
    db = store.url.removeprefix("sqlite:///")
    env = {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    pane = Pane(f"{REMTUI} --db {db}; sleep 60", (80, 24), env)
    try:
        pane.keys(*keys)  # at once, while the app is still starting
        wait_until(lambda: result(store, bruno) == expected or result(store, bruno), task)
        assert result(store, bruno) == expected
        assert result(store, ana) in ([], 0)  # nothing went to the first client listed
        pane.wait_for("Bruno Costa")
    finally:
        pane.close()
