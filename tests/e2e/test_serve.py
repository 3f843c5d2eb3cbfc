"""`remtui serve` answers a browser on loopback with the app's page."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_on_loopback(tmp_path):
    port = _free_port()
    remtui = Path(sys.executable).with_name("remtui")
    proc = subprocess.Popen(
        [
            str(remtui),
            "serve",
            "--demo",
            "--db",
            str(tmp_path / "d.sqlite3"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        page = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
                    page = resp.read().decode()
                    break
            except OSError:
                time.sleep(0.2)
        assert "remtui" in page and "<html" in page.lower()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
