"""Stored text never reaches the terminal raw, tried the way it fails.

Escape sequences (OSC 0/8/52 ended by BEL and by ST, CSI, C1 CSI, a bidi override, NUL
and markup) are written by SQL into every free-text column of every table (found from the
schema: helpers/hostile.py), then every screen and dialog is opened in a real terminal
(tmux 120x40) and the raw bytes the app wrote (tmux pipe-pane) are searched for those
sequences: there must be none. The pane's title must not change, nothing may crash, and
the `[@click=app.quit]` in every text must not quit the app. Every command of the command
line is run on the same store, and its output searched the same way.

Each step waits for what it opens (or closes) to be on the screen, never for a time: keys
sent before a dialog is up would land in the wrong field on a loaded machine. (That was the
old version's flake: after fixed sleeps a letter typed into the General tab made an edit,
so ctrl+q asked about unsaved edits instead of quitting, and the exit status never came.)
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from remtui.config import DEMO_LOGIN
from tests.e2e.test_terminal import Pane, _need_tmux

from .conftest import REMTUI, cli_env
from .helpers import hostile

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TIMEOUT = 60  # seconds for one step to show its result (a loaded 2-core machine)

# (key, what must be on the screen after it, or "!text": what must be gone). The texts sit
# on the left: a toast (the export's lasts 20 s) covers the right of the screen.
WALK: list[tuple[str, str]] = [
    ("F3", "Advance held"),
    ("e", "Saved:"),  # the statement, exported (hostile text in its file name and cells)
    ("c", "Balance correction"),
    ("Escape", "!Balance correction"),
    ("F4", "1 lead."),
    ("Enter", "Status history"),
    ("l", "Mark lost (ctrl+s)"),
    ("Escape", "!Mark lost (ctrl+s)"),
    ("o", "Link and mark won"),
    ("Escape", "!Link and mark won"),
    ("Escape", "!Status history"),
    ("n", "New lead"),
    ("Escape", "!New lead"),
    ("F5", "1 asset."),
    ("Enter", "Moves"),
    ("m", "(here now)"),
    ("Escape", "!(here now)"),
    ("Escape", "!Moves"),
    ("n", "New asset"),
    ("Escape", "!New asset"),
    ("F6", "1 document."),
    ("Enter", "Paid €5.00 · Due"),
    ("s", "Status of"),
    ("Escape", "!Status of"),
    ("p", "Pays "),
    ("Escape", "!Pays "),
    ("e", "Edit work order"),
    ("Escape", "!Edit work order"),
    ("Escape", "!Paid €5.00 · Due"),
    ("w", "New work order"),
    ("E", "E"),
    ("c", "€10.00 · Service"),  # the catalog item (its name is hostile) under the line
    ("Enter", "!€10.00 · Service"),  # Enter took it
    ("Escape", "Discard this document?"),
    ("y", "!New work order"),
    ("F7", "1 payment."),
    ("Enter", "Paid €5.00 · Due"),  # the document the payment pays
    ("Escape", "!Paid €5.00 · Due"),
    ("a", "+ Advance —"),
    ("Escape", "!+ Advance —"),
    ("r", "− Payment (refund)"),
    ("Escape", "!− Payment (refund)"),
    ("v", "Void a payment"),
    ("Escape", "!Void a payment"),
    ("F8", "Filter: All calls"),
    # The recording's placeholder (the footer says "Log a call" too, and the number's
    # placeholder goes when the client's phone fills it).
    ("l", "https://… or a file path"),
    ("Escape", "!https://… or a file path"),
    ("F9", "Date sent"),
    ("m", "Text of the SMS"),
    ("Escape", "!Text of the SMS"),
    ("F9", "Last message at"),
    ("n", "Write the first message"),
    ("Escape", "!Write the first message"),
    ("Enter", "Write a message and press Enter"),  # the chat screen
    ("Escape", "!Write a message and press Enter"),
    ("F2", "Undo edits (ctrl+r)"),  # the General tab's button: always on screen
    ("F1", "Command palette"),  # help
    ("Escape", "!Command palette"),
    ("C-p", "Search for commands"),
    ("Escape", "!Search for commands"),
    ("Escape", "1 client."),  # back to the clients screen
    ("C-l", "Filter: action, employee"),  # the audit log
    ("Escape", "1 client."),
]


def _tmux(pane: Pane, *args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", pane.socket, *args], capture_output=True, text=True, check=True
    ).stdout


def _title(pane: Pane) -> str:
    return _tmux(pane, "display", "-p", "-t", pane.name, "#{pane_title}").strip()


def _until(pane: Pane, done: Callable[[str], bool], what: str, timeout: float = TIMEOUT) -> None:
    """Poll the screen until ``done(screen)`` (a state, not a time); fail with the screen."""
    deadline = time.monotonic() + timeout
    text = pane.text()
    while not done(text):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}:\n{text}")
        time.sleep(0.05)
        text = pane.text()


def _step(pane: Pane, key: str, expect: str) -> None:
    pane.keys(key)
    if expect.startswith("!"):
        _until(pane, lambda t: expect[1:] not in t, f"{expect[1:]!r} still shown after {key}")
    else:
        _until(pane, lambda t: expect in t, f"{expect!r} not shown after {key}")


@pytest.fixture
def poisoned(tmp_path: Path) -> tuple[Path, int]:
    db = tmp_path / "hostile.sqlite3"
    client_id = hostile.build(db)
    written = hostile.poison(db)
    empty = sorted(column for column, rows in written.items() if not rows)
    assert not empty, f"no row to poison in {empty}: add one to hostile.build"
    return db, client_id


def test_skipped_columns_are_still_in_the_schema_and_the_rest_are_poisoned():
    columns = set(hostile.text_columns())
    assert not set(hostile.SKIP) - columns, "a skipped column is gone: update SKIP"
    assert set(hostile.KEEP_ROWS) <= columns - set(hostile.SKIP)
    assert ("client", "name") in hostile.poisoned_columns()


def test_every_screen_shows_hostile_text_without_a_raw_escape(poisoned, tmp_path):
    _need_tmux()
    db, _client = poisoned
    env = cli_env(tmp_path / "home")
    env.update(TERM="xterm-256color", REMTUI_EXPORT_DIR=str(tmp_path / "exports"))
    status, raw = tmp_path / "status", tmp_path / "terminal.bin"
    pane = Pane(f"{REMTUI} demo --db {db}; echo $? > {status}; sleep 600", (120, 40), env)
    try:
        _tmux(pane, "pipe-pane", "-o", "-t", pane.name, f"cat >> {raw}")
        _tmux(pane, "select-pane", "-t", pane.name, "-T", "clerk-title")
        before = _title(pane)
        pane.wait_for("1 client.", timeout=TIMEOUT)
        _step(pane, "z", "z")
        _step(pane, "e", "[@click=app.quit]Q[/]")  # shown as text, not run as an action
        _step(pane, "Enter", "Undo edits (ctrl+r)")  # the General tab
        note = "Hidden control characters are shown as symbols"
        _until(pane, lambda t: note in t, "the General tab does not say what it shows")
        visited: list[str] = []
        for key, expect in WALK:
            _step(pane, key, expect)
            visited.append(key)
            assert _title(pane) == before, f"the pane title changed after {visited}"
            if key == "e" and expect == "Edit work order":
                _until(pane, lambda t: note in t, "the line editor does not say what it shows")
        assert list((tmp_path / "exports").glob("*.xlsx")), "the export did not run"
        pane.keys("C-q")
        _until(pane, lambda _t: status.exists() and status.read_text().strip() != "", "no exit")
        assert status.read_text().strip() == "0"
        assert _title(pane) == before
    finally:
        pane.close()
    written = raw.read_bytes()
    assert len(written) > 100_000, "the capture of the terminal is missing"
    assert hostile.forbidden_in(written) == {}
    check = subprocess.run(
        [str(REMTUI), "--db", str(db), "check"], capture_output=True, text=True, env=env
    )
    assert check.returncode == 0, check.stdout + check.stderr


def _commands(db: Path, client_id: int, tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    """Every command of the command line, as run on the hostile store: name -> (argv,
    standard input). `demo` and `serve` are the app itself (the walk above)."""
    csv = tmp_path / "calls.csv"
    csv.write_text(hostile.calls_csv("912345678"), encoding="utf-8")
    store = ["--db", str(db)]
    return {
        "user list": ([*store, "user", "list"], ""),
        "user add": (
            [
                *store,
                "user",
                "add",
                "nova",
                "--name",
                hostile.PAYLOAD.replace("\x00", ""),
                "--password-stdin",
            ],
            "a-long-password-1\n",
        ),
        "user passwd": (
            [*store, "user", "passwd", DEMO_LOGIN, "--password-stdin"],
            "another-password-2\n",
        ),
        "user disable": ([*store, "user", "disable", DEMO_LOGIN], ""),
        "user enable": ([*store, "user", "enable", DEMO_LOGIN], ""),
        "backup": ([*store, "backup", str(tmp_path / "copy.sqlite3")], ""),
        "check": ([*store, "check"], ""),
        "export statement": (
            [*store, "export", "statement", str(client_id), "-o", str(tmp_path / "s.xlsx")],
            "",
        ),
        "calls import": ([*store, "calls", "import", str(csv), "--skip-bad"], ""),
        "sms send": ([*store, "sms", "send"], ""),
        "chat receive": ([*store, "chat", "receive", "--skip-bad"], hostile.chat_lines(client_id)),
        "audit": ([*store, "audit", "--limit", "500"], ""),
        "audit --client": ([*store, "audit", "--client", str(client_id)], ""),
        "migrate-store": (
            [
                *store,
                "migrate-store",
                "--from",
                str(db),
                "--to",
                f"sqlite:///{tmp_path}/moved.sqlite3",
            ],
            "",
        ),
        "locate": ([*store, "locate", "db"], ""),
    }


def test_every_command_prints_hostile_text_without_a_raw_escape(poisoned, tmp_path):
    from remtui.cli import _parser

    db, client_id = poisoned
    env = cli_env(tmp_path / "home")
    commands = _commands(db, client_id, tmp_path)
    parser = _parser()
    [sub] = [a for a in parser._actions if a.dest == "command"]
    covered = {name.split()[0] for name in commands} | {"demo", "serve"}
    assert set(sub.choices) <= covered, f"commands not tried: {set(sub.choices) - covered}"
    found = {}
    for name, (argv, stdin) in commands.items():
        done = subprocess.run(
            [str(REMTUI), *argv], input=stdin.encode(), capture_output=True, env=env, timeout=300
        )
        assert b"Traceback" not in done.stderr, (name, done.stderr.decode())
        bad = hostile.forbidden_in(done.stdout + done.stderr)
        if bad:
            found[name] = bad
    assert found == {}
