"""The forked `remtui` runs (tests/forks.py) answer as `python -m remtui` does."""

from __future__ import annotations

import subprocess
import sys

import pytest

from . import forks


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["--db"], ""),  # a usage error: exit 2 and argparse's lines
        (["--db", "{tmp}/nowhere/x.sqlite3", "user", "list"], ""),
        (["--db", "{tmp}/nowhere/x.sqlite3", "chat", "receive"], '{"bad json\n'),
        (["--db", "{tmp}/shop.sqlite3", "locate", "db"], ""),
    ],
)
def test_a_forked_run_answers_as_a_new_interpreter(tmp_path, args, stdin):
    argv = [a.format(tmp=tmp_path) for a in args]
    real = subprocess.run(
        [sys.executable, "-m", "remtui", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    forked = forks.remtui(argv, stdin=stdin)
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        real.returncode,
        real.stdout,
        real.stderr,
    )


def _crash() -> None:
    raise RuntimeError("a bug")


def test_a_crash_in_a_forked_process_shows_its_traceback(tmp_path):
    err = tmp_path / "err"
    proc = forks.start(forks.with_stderr, str(err), _crash)
    proc.join(60)
    assert proc.exitcode == 1
    text = err.read_text()
    assert "Traceback" in text and "RuntimeError: a bug" in text
