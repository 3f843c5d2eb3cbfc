"""`remtui serve`: the page on loopback, and the guards textual-serve lacks (Origin check,
session cap, demo on loopback only, public URL, local font), on the real server."""

from __future__ import annotations

import asyncio
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp
import pytest

from remtui import serve
from remtui.errors import DomainError

from .serving import REMTUI, Served

pytestmark = pytest.mark.e2e


def _get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


async def _open(url: str, origin: str | None) -> tuple[int, bytes]:
    """Open the app's websocket as a page at ``origin`` would: (status, first bytes)."""
    headers = {"Origin": origin} if origin else {}
    async with aiohttp.ClientSession() as http:
        try:
            ws = await http.ws_connect(f"{url}/ws?width=80&height=24", headers=headers)
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status, b""
        async with ws:
            while True:  # the app's first screen arrives as binary frames
                msg = await asyncio.wait_for(ws.receive(), 60)
                if msg.type == aiohttp.WSMsgType.BINARY:
                    return 101, msg.data
                assert msg.type == aiohttp.WSMsgType.TEXT, msg


def _open_sync(url: str, origin: str | None) -> tuple[int, bytes]:
    return asyncio.run(_open(url, origin))


@pytest.fixture
def store_url(store, admin) -> str:
    """A store with an administrator: a session shows the sign-in screen."""
    return str(store.url)


def test_serve_answers_on_loopback_with_its_own_font(tmp_path):
    with Served("--demo", "--db", str(tmp_path / "d.sqlite3")) as served:
        status, headers, page = _get(served.url + "/")
        assert status == 200 and "remtui" in page and "<html" in page.lower()
        # The page may not be framed by another site, and loads nothing from the internet.
        assert headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "googleapis" not in page and "https://" not in page
        font = f"{served.url}/static/fonts/RobotoMono-VariableFont_wght.ttf"
        assert font in page
        status, headers, _ = _get(font)
        assert status == 200 and int(headers["Content-Length"]) > 100_000
        # --demo says what it does.
        assert "signed in as the administrator" in served.said()


def test_a_websocket_from_another_page_is_refused(store_url):
    with Served("--db", store_url) as served:
        for origin in ("http://evil.example", f"http://evil.example:{served.port}", "null", None):
            assert _open_sync(served.url, origin) == (403, b""), origin
            served.wait_for("refused a session from another page")
        assert "session opened" not in served.said()  # no app process was started
        # The page's own origin (as localhost too) gets the app.
        status, first = _open_sync(served.url, served.url)
        assert status == 101 and first
        served.wait_for("session opened (1 of 8)")
        served.wait_for("session closed (0 of 8)")
        status, _ = _open_sync(served.url, f"http://localhost:{served.port}")
        assert status == 101


def test_sessions_are_capped_with_a_clear_page(store_url):
    async def scenario(served: Served) -> None:
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(
                f"{served.url}/ws?width=80&height=24", headers={"Origin": served.url}
            )
            served.wait_for("session opened (1 of 1)")
            # A second browser: a clear page, and its websocket starts no process.
            status, _, page = await asyncio.to_thread(_get, served.url + "/")
            assert status == 503 and "Every session of remtui is in use (1 at most)." in page
            assert await _open(served.url, served.url) == (503, b"")
            served.wait_for("refused a session: all 1 are in use")
            await ws.close()
        served.wait_for("session closed (0 of 1)")
        status, _, page = await asyncio.to_thread(_get, served.url + "/")
        assert status == 200 and "in use" not in page

    with Served("--db", store_url, "--max-sessions", "1") as served:
        asyncio.run(scenario(served))


def test_public_url_is_what_browsers_are_handed(store_url):
    public = "https://desk.example.test"
    with Served("--db", store_url, "--public-url", public + "/") as served:
        status, _, page = _get(served.url + "/")
        assert status == 200
        assert 'data-session-websocket-url="wss://desk.example.test/ws"' in page
        assert f"{public}/static/js/textual.js" in page
        # Behind the proxy the page's origin is the public one; loopback pages are foreign.
        assert _open_sync(served.url, served.url) == (403, b"")
        status, first = _open_sync(served.url, public)
        assert status == 101 and first


def _refused(*args: str) -> str:
    out = subprocess.run([str(REMTUI), "serve", *args], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1, out
    assert out.stdout == "" and "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ("--host", "0.0.0.0"),
        ("--host", "192.0.2.7"),
        ("--host", "127.0.0.1", "--public-url", "https://desk.example.com"),
        ("--host", "0.0.0.0", "--public-url", "http://127.0.0.1:8000"),
    ],
)
def test_demo_serves_loopback_only(tmp_path, args):
    line = _refused("--demo", "--db", str(tmp_path / "d.sqlite3"), *args, "--port", "1")
    assert "--demo signs every browser in as the administrator" in line
    assert not (tmp_path / "d.sqlite3").exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--host", "0.0.0.0"), "--host 0.0.0.0 listens on every address"),
        (("--public-url", "desk.example.com"), "--public-url is the address browsers use"),
        (("--public-url", "ftp://desk.example.com"), "--public-url is the address"),
        (("--max-sessions", "0"), "--max-sessions is a number of sessions, 1 or more."),
        (("--port", "0"), "--port is a number from 1 to 65535."),
    ],
)
def test_bad_serve_options_are_one_line(args, said):
    assert said in _refused(*args)


def test_origins_allowed():
    loop = serve.plan(serve.ServeOptions(port=8123))
    assert loop.public_url == "http://127.0.0.1:8123"
    assert loop.origins == {
        "http://127.0.0.1:8123",
        "http://localhost:8123",
        "http://[::1]:8123",
    }
    proxied = serve.plan(serve.ServeOptions(port=8123, public_url="https://Desk.Example.com/"))
    assert proxied.public_url == "https://Desk.Example.com"
    assert proxied.origins == {"https://desk.example.com:443"}
    lan = serve.plan(serve.ServeOptions(host="0.0.0.0", public_url="http://192.168.1.10:8000"))
    assert lan.origins == {"http://192.168.1.10:8000"}
    assert serve.origin_of("https://desk.example.com", bare=True) == "https://desk.example.com:443"
    for foreign in ("null", "http://desk.example.com/x", "javascript:1", "", "http://u@h"):
        assert serve.origin_of(foreign, bare=True) is None, foreign
    with pytest.raises(DomainError):
        serve.plan(serve.ServeOptions(host="::"))


def test_the_page_template_pins_textual_serve():
    """textual-serve's version is locked: its page still loads the font from Google (we
    replace that line), and Server still has the hooks RemtuiServer overrides."""
    from textual_serve.server import Server

    upstream = (Path(Server("x").templates_path) / "app_index.html").read_text()
    assert "fonts.googleapis.com" in upstream
    ours = serve.page_template(upstream)
    assert "googleapis" not in ours and "RobotoMono-VariableFont_wght.ttf" in ours
    for hook in ("handle_websocket", "handle_index", "_make_app", "on_startup"):
        assert hook in vars(Server), hook


def test_a_port_in_use_is_one_line(tmp_path):
    import socket

    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = str(held.getsockname()[1])
        line = _refused("--db", str(tmp_path / "d.sqlite3"), "--port", port)
    assert f"Cannot listen on 127.0.0.1 port {port}" in line
