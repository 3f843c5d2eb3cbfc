"""The installed `remtui` command in a real terminal (tmux), typed at like a clerk."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REMTUI = Path(sys.executable).with_name("remtui")


def _need_tmux() -> None:
    if shutil.which("tmux") is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is required in CI (.ci/run installs it)")
        pytest.skip("tmux not installed")


class Pane:
    def __init__(self, command: str, size: tuple[int, int], env: dict[str, str]) -> None:
        self.name = f"remtui-{uuid.uuid4().hex[:8]}"
        self.socket = f"remtui-test-{self.name}"
        width, height = size
        subprocess.run(
            [
                "tmux",
                "-L",
                self.socket,
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(width),
                "-y",
                str(height),
                command,
            ],
            check=True,
            env=env,
        )

    def text(self) -> str:
        out = subprocess.run(
            ["tmux", "-L", self.socket, "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
        )
        return out.stdout

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "-L", self.socket, "send-keys", "-t", self.name, *keys], check=True)

    def wait_for(self, needle: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.text()
            if needle in text:
                return text
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} not on screen:\n{text}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def term_env(tmp_path):
    env = dict(os.environ)
    env.update(TERM="xterm-256color", LANG="C.UTF-8")
    env.pop("TEXTUAL", None)
    return env


def test_demo_opens_on_the_clients_screen_at_80x24(tmp_path, term_env):
    _need_tmux()
    assert REMTUI.exists(), "the remtui console script is not installed"
    status = tmp_path / "status"
    db = tmp_path / "demo.sqlite3"
    pane = Pane(f"{REMTUI} demo --db {db}; echo $? > {status}; sleep 60", (80, 24), term_env)
    try:
        pane.wait_for("Search: name, phone", timeout=60)
        pane.wait_for("signed in as Helena Duarte", timeout=30)
        screen = pane.wait_for("clients shown", timeout=30)
        pane.keys("silva")
        pane.wait_for("Silva")
        pane.keys("Enter")
        screen = pane.wait_for("Phones")
        assert "Name" in screen and "Phones" in screen
        pane.keys("Escape")
        pane.wait_for("Search")
        pane.keys("C-q")
        deadline = time.monotonic() + 15
        while not status.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status.read_text().strip() == "0"
    finally:
        pane.close()
