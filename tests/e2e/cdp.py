"""Debian's chromium, headless, driven over the DevTools protocol (JSON over a websocket,
with aiohttp's client): just what the browser test needs, every wait bounded."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

# textual-serve's page keeps its xterm.js Terminal in a closure; this catches it as the page
# assigns it (`this.terminal = new Terminal(...)`), so the test reads what xterm holds.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true});
    if (value && value.buffer && typeof value.onWriteParsed === "function") {
      window.__remtuiTerminal = value;
      window.dispatchEvent(new Event("remtui-terminal"));
    }
  },
});
"""

SCREEN_JS = """
(() => {
  const t = window.__remtuiTerminal;
  if (!t) return "";
  const b = t.buffer.active, rows = [];
  for (let y = 0; y < t.rows; y++) {
    const line = b.getLine(b.viewportY + y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
})()
"""

# Resolves with the screen once it holds every needle: checked after each write xterm
# parses (no polling); rejects with the screen when the time is up.
WAIT_JS = """
(needles, ms) => new Promise((resolve, reject) => {
  const screen = () => SCREEN;
  let sub = null, timer = null;
  const check = () => {
    const text = screen();
    if (needles.every((n) => text.includes(n))) {
      if (sub) sub.dispose();
      clearTimeout(timer);
      resolve(text);
      return true;
    }
    return false;
  };
  const start = () => {
    if (check()) return;
    sub = window.__remtuiTerminal.onWriteParsed(check);
  };
  timer = setTimeout(() => { if (sub) sub.dispose(); reject(new Error(screen())); }, ms);
  if (window.__remtuiTerminal) { start(); return; }
  window.addEventListener("remtui-terminal", start, {once: true});
})
""".replace("SCREEN", SCREEN_JS.strip())

KEYS = {
    "Enter": ("Enter", 13, "\r"),
    "Tab": ("Tab", 9, "\t"),
    "Escape": ("Escape", 27, ""),
    **{f"F{n}": (f"F{n}", 111 + n, "") for n in range(1, 13)},
}


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


class CDPError(RuntimeError):
    pass


class Browser:
    """One headless chromium; ``page()`` gives a tab attached in flat mode."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.seen: list[dict[str, Any]] = []  # every event, in order
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            if "id" in data and data["id"] in self._waiting:
                self._waiting.pop(data["id"]).set_result(data)
            elif "method" in data:
                self.seen.append(data)
                await self.events.put(data)

    async def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        ident = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[ident] = future
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        await self.ws.send_str(json.dumps(message))
        reply = await asyncio.wait_for(future, 90)
        if "error" in reply:
            raise CDPError(f"{method}: {reply['error']}")
        return dict(reply.get("result", {}))

    async def event(self, method: str, timeout: float, **match: Any) -> dict[str, Any]:
        """The next event named ``method`` whose params hold ``match`` (others are dropped)."""
        async with asyncio.timeout(timeout):
            while True:
                event = await self.events.get()
                params = event.get("params", {})
                if event["method"] == method and all(params.get(k) == v for k, v in match.items()):
                    return dict(params)

    async def page(self) -> Page:
        target = await self.send("Target.createTarget", {"url": "about:blank"})
        attached = await self.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        return Page(self, attached["sessionId"])


class Page:
    def __init__(self, browser: Browser, session: str) -> None:
        self.browser, self.session = browser, session

    async def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self.browser.send(method, params, self.session)

    async def evaluate(self, expression: str, timeout: float = 30) -> Any:
        result = await self.send(
            "Runtime.evaluate",
            {
                "expression": expression,
                "returnByValue": True,
                "awaitPromise": True,
                "timeout": int(timeout * 1000),
            },
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise CDPError(details.get("exception", {}).get("description") or str(details))
        return result["result"].get("value")

    async def screen(self) -> str:
        return str(await self.evaluate(SCREEN_JS))

    async def wait_for(self, *needles: str, timeout: float = 60) -> str:
        """The terminal's text once it holds every needle (as xterm.js has it)."""
        call = f"({WAIT_JS})({json.dumps(list(needles))}, {int(timeout * 1000)})"
        try:
            return str(await self.evaluate(call, timeout=timeout + 10))
        except CDPError as exc:
            raise AssertionError(f"{needles!r} not on the page's terminal:\n{exc}") from None

    async def type(self, text: str) -> None:
        for ch in text:
            await self.send(
                "Input.dispatchKeyEvent",
                {"type": "keyDown", "text": ch, "unmodifiedText": ch, "key": ch},
            )
            await self.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": ch})

    async def press(self, name: str) -> None:
        key, code, text = KEYS[name]
        down: dict[str, Any] = {
            "type": "keyDown" if text else "rawKeyDown",
            "key": key,
            "code": key,
            "windowsVirtualKeyCode": code,
            "nativeVirtualKeyCode": code,
        }
        if text:
            down["text"] = text
            down["unmodifiedText"] = text
        await self.send("Input.dispatchKeyEvent", down)
        await self.send(
            "Input.dispatchKeyEvent",
            {"type": "keyUp", "key": key, "code": key, "windowsVirtualKeyCode": code},
        )


@contextlib.asynccontextmanager
async def launch(profile: Path, *, size: tuple[int, int] = (1280, 800)) -> AsyncIterator[Browser]:
    """Headless chromium with a throw-away profile, its DevTools on a loopback port."""
    exe = chromium()
    assert exe, "chromium is not installed"
    args = [
        exe,
        "--headless=new",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        f"--user-data-dir={profile}",
        f"--window-size={size[0]},{size[1]}",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "about:blank",
    ]
    if os.geteuid() == 0:
        args.insert(1, "--no-sandbox")  # chromium refuses to run as root with its sandbox
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    said: list[str] = []
    try:
        async with asyncio.timeout(60):
            while True:
                line = (await proc.stderr.readline()).decode(errors="replace")
                if not line:
                    raise AssertionError("chromium ended:\n" + "".join(said))
                said.append(line)
                found = re.search(r"DevTools listening on (ws://\S+)", line)
                if found:
                    break
        drain = asyncio.create_task(_drain(proc.stderr))
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(found.group(1), max_msg_size=0) as ws,
        ):
            browser = Browser(ws)
            try:
                yield browser
            finally:
                browser._reader.cancel()
        drain.cancel()
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.readline():
        pass
