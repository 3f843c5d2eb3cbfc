"""Start-up: launch `remtui demo` in tmux (120x40) until the clients screen is visible,
against the bare Textual app with the same widgets, interleaved in one run; then, for
information, until the demo's client list is on screen (the store opened and searched).

    uv run python -m benchmarks startup [--repeat N]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import textual

import remtui as remtui_pkg

from .common import table

MARK = "Search: name, phone"
FIRST_CLIENT = "Afonso Magalhães"  # the demo's first client by name: the list is shown


def _time_to_screen(command: str, needle: str, timeout: float = 60) -> float:
    socket = f"remtui-bench-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["TERM"] = "xterm-256color"
    started = time.perf_counter()
    subprocess.run(
        ["tmux", "-L", socket, "new-session", "-d", "-s", "b", "-x", "120", "-y", "40", command],
        check=True,
        env=env,
    )
    try:
        while time.perf_counter() - started < timeout:
            shown = subprocess.run(
                ["tmux", "-L", socket, "capture-pane", "-p", "-t", "b"],
                capture_output=True,
                text=True,
            ).stdout
            if needle in shown:
                return time.perf_counter() - started
            time.sleep(0.01)
        raise RuntimeError(f"{needle!r} never appeared for {command}")
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


def run(repeat: int = 10) -> dict[str, Any]:
    if shutil.which("tmux") is None:
        raise SystemExit("the start-up benchmark needs tmux")
    remtui = Path(sys.executable).with_name("remtui")
    bare = f"{sys.executable} {Path(__file__).with_name('bare_app.py')}"
    # Installed programs start from compiled bytecode; compile it once so neither side
    # pays for compiling on every start (some shells set PYTHONDONTWRITEBYTECODE).
    site = Path(textual.__file__).parents[1]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            str(site),
            str(Path(remtui_pkg.__file__).parent),
        ],
        check=False,
        capture_output=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.sqlite3"
        subprocess.run(
            [str(remtui), "demo", "--no-ui", "--db", str(db)], check=True, capture_output=True
        )
        ours, base, listed = [], [], []
        for _ in range(repeat):
            base.append(_time_to_screen(bare, MARK))
            ours.append(_time_to_screen(f"{remtui} demo --db {db}", MARK))
        for _ in range(max(3, repeat // 3)):  # not the goal, but what the clerk waits for
            listed.append(_time_to_screen(f"{remtui} demo --db {db}", FIRST_CLIENT))
    m_ours, m_base = statistics.median(ours) * 1000, statistics.median(base) * 1000
    m_list = statistics.median(listed) * 1000
    table(
        f"start-up to the clients screen in tmux 120x40, median of {repeat} interleaved runs",
        ("app", "median ms", "ratio"),
        [
            ("bare Textual app, same widgets", f"{m_base:.0f}", "1.00x"),
            ("remtui demo", f"{m_ours:.0f}", f"{m_ours / m_base:.2f}x"),
            ("remtui demo, its client list shown", f"{m_list:.0f}", f"{m_list / m_base:.2f}x"),
        ],
    )
    return {"remtui_ms": m_ours, "bare_ms": m_base, "ratio": m_ours / m_base, "list_ms": m_list}
