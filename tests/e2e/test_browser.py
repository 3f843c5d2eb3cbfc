"""The served app in a real headless browser (Debian's chromium over DevTools): a clerk
signs in, opens a client, downloads the statement; a page elsewhere cannot open a session.

The terminal is read from xterm.js itself (what the browser would draw), and every wait is
on what the page, the terminal or the download says, bounded."""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from remtui.domain import payments, staff

from .cdp import CATCH_TERMINAL, Browser, chromium, launch
from .serving import Served

pytestmark = pytest.mark.e2e


def _need_chromium() -> None:
    if chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (.ci/run installs it)")
        pytest.skip("chromium not installed")


@pytest.fixture
def shop(store, admin, make_client) -> str:
    """A store with an administrator and one client who paid an advance."""
    client = make_client("Beatriz Lacerda", "912345678")
    with store.write() as session:
        cashbox = staff.cashboxes(session)[0][0]
        payments.take_payment(session, admin, client.id, cashbox_id=cashbox, amount=2500)
    return str(store.url)


async def _downloads(browser: Browser, folder: Path) -> None:
    await browser.send(
        "Browser.setDownloadBehavior",
        {"behavior": "allow", "downloadPath": str(folder), "eventsEnabled": True},
    )


def test_sign_in_open_a_client_and_download_the_statement(tmp_path, shop):
    _need_chromium()
    downloads = tmp_path / "downloads"
    downloads.mkdir()

    async def clerk(served: Served) -> Path:
        async with launch(tmp_path / "profile") as browser:
            await _downloads(browser, downloads)
            page = await browser.page()
            await page.send("Page.enable")
            await page.send("Network.enable")
            await page.send("Page.addScriptToEvaluateOnNewDocument", {"source": CATCH_TERMINAL})
            await page.send("Page.navigate", {"url": served.url + "/"})
            await page.wait_for("Sign in", "Login", "Password")
            await page.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
            await page.type("admin")
            await page.press("Tab")
            await page.type("correct horse")
            await page.press("Enter")
            await page.wait_for("signed in as Ana Admin", timeout=90)
            await page.type("Lacerda")
            await page.wait_for("Beatriz Lacerda")
            await page.press("Enter")
            await page.wait_for("General F2", "Balance F3")
            await page.press("F3")
            # The Balance tab itself (the header says "We owe the client" on every tab).
            await page.wait_for("Advance held: €25.00", "Main cash desk", "e Export")
            await page.type("e")
            begun = await browser.event("Browser.downloadWillBegin", timeout=60)
            assert begun["suggestedFilename"].endswith(".xlsx"), begun
            await browser.event(
                "Browser.downloadProgress", timeout=60, guid=begun["guid"], state="completed"
            )
            # The page asked nothing of the internet (its font too comes from the server).
            asked = [
                e["params"]["request"]["url"]
                for e in browser.seen
                if e["method"] == "Network.requestWillBeSent"
            ]
            assert f"{served.url}/static/fonts/RobotoMono-VariableFont_wght.ttf" in asked
            assert all(url.startswith((served.url, "ws://127.0.0.1")) for url in asked), asked
            assert await page.evaluate("document.fonts.check('16px \"Roboto Mono\"')")
            return downloads / begun["suggestedFilename"]

    with Served("--db", shop) as served:
        path = asyncio.run(clerk(served))
        served.wait_for("session closed (0 of 8)")
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    cells = [
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
    ]
    book.close()
    assert any("Beatriz Lacerda" in c for c in cells), cells[:40]


@pytest.fixture
def elsewhere(tmp_path) -> Iterator[str]:
    """Another site: a plain web server on another loopback port (another origin)."""
    root = tmp_path / "elsewhere"
    root.mkdir()
    (root / "index.html").write_text("<!DOCTYPE html><title>elsewhere</title>")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_elsewhere_cannot_open_a_session(tmp_path, shop, elsewhere):
    """A page from another site runs `new WebSocket(...)` at the served app: refused, and
    no app process starts (the page learns nothing but that it failed)."""
    _need_chromium()

    async def attacker(served: Served) -> dict[str, object]:
        async with launch(tmp_path / "profile") as browser:
            page = await browser.page()
            await page.send("Page.enable")
            await page.send("Page.navigate", {"url": elsewhere})
            await browser.event("Page.loadEventFired", timeout=30)
            return dict(
                await page.evaluate(
                    "new Promise((resolve) => {"
                    f"  const ws = new WebSocket('ws://127.0.0.1:{served.port}/ws');"
                    "  let got = 0, opened = false;"
                    "  ws.onopen = () => { opened = true; };"
                    "  ws.onmessage = () => { got += 1; };"
                    "  ws.onclose = (e) =>"
                    "    resolve({code: e.code, got, opened, from: location.origin});"
                    "})",
                    timeout=60,
                )
            )

    with Served("--db", shop) as served:
        outcome = asyncio.run(attacker(served))
        served.wait_for("refused a session from another page (http://127.0.0.1:")
        assert outcome["from"] != served.url
        assert outcome == {"code": 1006, "got": 0, "opened": False, "from": outcome["from"]}
        assert "session opened" not in served.said()
