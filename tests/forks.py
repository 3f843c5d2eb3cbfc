"""Processes for tests, forked from one server that imported remtui once.

A test that runs `remtui ARGS` wants a process of its own: its exit code, what it writes
on its stdout and stderr, its own umask, environment and store connections, and a
traceback if it crashes. Starting `python -m remtui` for each costs half a second of
imports, a hundred times over. multiprocessing's fork server starts one interpreter that
imports the store, the domain and the commands, then forks a child per run: a fresh
process in every way that matters here, except that its imports are already done. (The
tests that check what starting imports, and those that need the installed command or a
terminal, still start a whole new interpreter.)
"""

from __future__ import annotations

import io
import multiprocessing
import multiprocessing.process
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

PRELOAD = [
    "remtui.cli",
    "remtui.commands.check",
    "remtui.commands.export",
    "remtui.commands.comms",
    "remtui.commands.audit",
    "remtui.commands.migrate_store",
    "remtui.store.migrate",
    "remtui.domain.staff",
    "remtui.domain.clients",
    "remtui.domain.documents",
    "remtui.domain.payments",
    "remtui.domain.corrections",
    "tests.reliability.helpers.writer",
]

FORKS = multiprocessing.get_context("forkserver")
FORKS.set_forkserver_preload(PRELOAD)


def start(target: Callable[..., object], *args: Any) -> multiprocessing.process.BaseProcess:
    proc = FORKS.Process(target=target, args=args)
    proc.start()
    return proc


def _as_process_streams(stdin: str, out: str, err: str) -> None:
    """fds 0-2 on the given files, and sys.std* over them as a new interpreter has them."""
    for fd, path, flags in (
        (0, stdin, os.O_RDONLY),
        (1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
        (2, err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
    ):
        opened = os.open(path, flags, 0o600)
        os.dup2(opened, fd)
        os.close(opened)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
    )


def with_stderr(err: str, target: Callable[[], object]) -> None:
    """``target()`` with fd 2 (and sys.stderr) on the file ``err``."""
    opened = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(opened, 2)
    os.close(opened)
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), encoding="utf-8", line_buffering=True
    )
    target()


def _remtui_main(
    argv: list[str], env: dict[str, str], cwd: str, stdin: str, out: str, err: str
) -> None:
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    _as_process_streams(stdin, out, err)
    sys.argv = ["remtui", *argv]
    from remtui.cli import main

    sys.exit(main(argv))


def remtui(
    args: Sequence[str],
    *,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """`remtui ARGS` in a process of its own; what `subprocess.run(..., text=True,
    capture_output=True)` of `python -m remtui ARGS` returns."""
    with tempfile.TemporaryDirectory(prefix="remtui-run-") as tmp:
        files = [str(Path(tmp) / name) for name in ("stdin", "stdout", "stderr")]
        Path(files[0]).write_text(stdin or "", encoding="utf-8")
        proc = start(_remtui_main, list(args), dict(env or os.environ), os.getcwd(), *files)
        proc.join(timeout)
        if proc.exitcode is None:
            proc.kill()
            proc.join()
            raise subprocess.TimeoutExpired(["remtui", *args], timeout)
        out, err = (Path(f).read_text(encoding="utf-8") for f in files[1:])
    return subprocess.CompletedProcess(["remtui", *args], proc.exitcode, out, err)
