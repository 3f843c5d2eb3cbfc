"""Start the installed `remtui serve` on a free loopback port and follow what it says."""

from __future__ import annotations

import queue
import socket
import subprocess
import sys
import threading
from pathlib import Path

REMTUI = Path(sys.executable).with_name("remtui")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """`remtui serve ARGS --port P`; every line it prints is kept, and waited on."""

    def __init__(self, *args: str, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.proc = subprocess.Popen(
            [str(REMTUI), "serve", *args, "--port", str(self.port)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, needle: str, timeout: float = 30) -> str:
        """The first line (from now on) that holds ``needle``; fails on exit or timeout."""
        while True:
            try:
                line = self._queue.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(
                    f"{needle!r} not said in {timeout}s:\n" + self.said()
                ) from None
            if line is None:
                raise AssertionError(f"serve ended before saying {needle!r}:\n" + self.said())
            self.lines.append(line)
            if needle in line:
                return line

    def said(self) -> str:
        return "\n".join(self.lines)

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def __enter__(self) -> Served:
        try:
            self.wait_for("serving on")
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
