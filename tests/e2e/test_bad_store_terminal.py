"""The installed `remtui` on a store it cannot use, in a real terminal (tmux): one clear
message (no traceback, no raw exception), then it quits with that line; a typo in --db
is asked about, and Escape quits without making a store."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from .test_terminal import REMTUI, Pane, _need_tmux

pytestmark = pytest.mark.e2e


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(TERM="xterm-256color", LANG="C.UTF-8")
    env.pop("TEXTUAL", None)
    return env


def _flat(text: str) -> str:
    return re.sub(r"[\s█▀▄▌▐│]+", " ", text)


def _status(path: Path, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.1)
    raise AssertionError("the app did not quit")


def test_a_folder_given_as_the_store_is_one_clear_message(tmp_path: Path) -> None:
    _need_tmux()
    folder = tmp_path / "shop"
    folder.mkdir()
    status = tmp_path / "status"
    pane = Pane(
        f"{REMTUI} --db {folder}; echo rc=$? > {status}; sleep 60", (100, 30), _env(tmp_path)
    )
    try:
        screen = _flat(pane.wait_for("Cannot open the store", timeout=60))
        assert "is a folder, not a store" in screen, screen
        for raw in ("Traceback", "sqlalche.me", "OperationalError", "Something went wrong"):
            assert raw not in screen
        pane.keys("Enter")
        assert _status(status) == "rc=2"
        after = _flat(pane.text())
        assert f"remtui: {folder} is a folder, not a store" in after, after
        assert "Traceback" not in after
    finally:
        pane.close()
    assert sorted(p.name for p in folder.iterdir()) == []


def test_a_typo_in_db_is_asked_about_and_escape_quits(tmp_path: Path) -> None:
    _need_tmux()
    typo = tmp_path / "shpo.sqlite3"
    status = tmp_path / "status"
    pane = Pane(f"{REMTUI} --db {typo}; echo rc=$? > {status}; sleep 60", (100, 30), _env(tmp_path))
    try:
        screen = _flat(pane.wait_for("Make a new store", timeout=60))
        assert "No store at" in screen and "Check the path given to --db" in screen
        pane.keys("Escape")
        assert _status(status) == "rc=2"
        # the terminal wraps the long line where it must: compare without the breaks
        assert "".join(f"remtui: No store at {typo}.".split()) in "".join(pane.text().split())
    finally:
        pane.close()
    assert not typo.exists()
