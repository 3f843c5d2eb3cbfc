"""`remtui serve`: the app in web browsers, through textual-serve, with the guards it lacks.

textual-serve (its version is locked in uv.lock; tests/e2e/test_serve.py pins what we rely
on) starts one app process per websocket and takes a websocket from any web page. Here:

- a websocket whose ``Origin`` is not the served page's own is refused (403), so a page
  the clerk opens elsewhere cannot drive the app (cross-site WebSocket hijacking);
- at most ``max_sessions`` sessions run at once; past that the page says so (503) and
  the websocket is refused before any process starts;
- ``--demo`` (every caller signed in as the administrator) only listens on loopback;
- the page's font is served from textual-serve's own static files, not from the internet;
  the page may not be framed by another site.

This is the only module that imports textual-serve; cli.py imports it for `serve` only.
"""

from __future__ import annotations

import asyncio
import html
import ipaddress
import logging
import re
import shlex
import signal
import sys
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.server import Server

from .errors import DomainError
from .i18n import _
from .safetext import safe_text

log = logging.getLogger("remtui.serve")

DEFAULT_MAX_SESSIONS = 8
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
_WILDCARDS = ("", "0.0.0.0", "::", "[::]", "*")

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    max_sessions: int = DEFAULT_MAX_SESSIONS
    demo: bool = False
    db: str | None = None


@dataclass(frozen=True)
class Plan:
    """What `serve` will do, once the options are checked."""

    command: list[str]
    public_url: str  # what browsers use: asset and websocket addresses start with it
    origins: frozenset[str]  # the pages allowed to open a session
    warnings: tuple[str, ...]


def is_loopback(host: str) -> bool:
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def origin_of(url: str, *, bare: bool = False) -> str | None:
    """``scheme://host:port`` of an http(s) URL (None if it is not one). ``bare``: an
    Origin header, which has no path at all."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname or parts.username:
        return None
    if parts.query or parts.fragment or (bare and parts.path):
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port or (443 if scheme == 'https' else 80)}"


def app_command(demo: bool, db: str | None) -> list[str]:
    """The command each session runs (one process per browser session)."""
    parts = [sys.executable, "-m", "remtui"]
    if demo:
        parts.append("demo")
    if db:
        parts += ["--db", db]
    return parts


def plan(options: ServeOptions) -> Plan:
    """Check the options; a DomainError names what is wrong, in one line."""
    if options.max_sessions < 1:
        raise DomainError(_("--max-sessions is a number of sessions, 1 or more."))
    if not 1 <= options.port <= 65535:
        raise DomainError(_("--port is a number from 1 to 65535."))
    host = options.host.strip()
    demo_refused = DomainError(
        _(
            "--demo signs every browser in as the administrator, so it serves this "
            "computer only: use --host 127.0.0.1 and no public address."
        )
    )
    if options.demo and not is_loopback(host):
        raise demo_refused
    if options.public_url is not None:
        public = options.public_url.strip().rstrip("/")
        origin = origin_of(public)
        if origin is None:
            raise DomainError(
                _(
                    "--public-url is the address browsers use, http:// or https://, such as "
                    "https://desk.example.com"
                )
            )
    elif host in _WILDCARDS:
        raise DomainError(
            _(
                "--host {host} listens on every address; say which one browsers use with "
                "--public-url (for example http://192.168.1.10:{port})."
            ).format(host=host or "''", port=options.port)
        )
    else:
        public = f"http://{f'[{host}]' if ':' in host else host}:{options.port}"
        origin = origin_of(public)
        if origin is None:
            raise DomainError(_("--host {host} is not a host name or address.").format(host=host))
    origins = {origin}
    if options.public_url is None and is_loopback(host):
        # The same page reached as localhost, 127.0.0.1 or [::1] on this computer.
        origins |= {f"http://{name}:{options.port}" for name in _LOOPBACK_NAMES}
    warnings: list[str] = []
    if options.demo:
        public_host = urlsplit(public).hostname or ""
        if not is_loopback(public_host):
            raise demo_refused
        warnings.append(
            _(
                "Demo: every browser that opens {url} is signed in as the administrator of "
                "the demo store. Do not serve real data this way."
            ).format(url=public)
        )
    return Plan(app_command(options.demo, options.db), public, frozenset(origins), tuple(warnings))


_FONT_LINK = re.compile(r"<link[^>]*fonts\.googleapis\.com[^>]*>", re.DOTALL)
_LOCAL_FONT = """<link rel="preload" as="font" type="font/ttf" crossorigin
      href="{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf" />
    <style>
      @font-face {
        font-family: "Roboto Mono"; font-style: normal; font-weight: 100 700;
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf")
          format("truetype");
      }
      @font-face {
        font-family: "Roboto Mono"; font-style: italic; font-weight: 100 700;
        src: url("{{ config.static.url }}fonts/RobotoMono-Italic-VariableFont_wght.ttf")
          format("truetype");
      }
    </style>"""


def page_template(upstream: str) -> str:
    """textual-serve's page with its font taken from its own static files (the upstream
    page loads it from fonts.googleapis.com, which a shop's browser may not reach and
    which learns every time the desk opens)."""
    return _FONT_LINK.sub(lambda _m: _LOCAL_FONT, upstream)


def full_page(max_sessions: int) -> str:
    title = html.escape(_("remtui: every session is in use"))
    lines = [
        _("Every session of remtui is in use ({n} at most).").format(n=max_sessions),
        _("Close remtui in another tab or window (or ask a colleague to), then reload this page."),
    ]
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    again = html.escape(_("Reload"))
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
        '<body style="background:#0c181f;color:#eee;font-family:monospace;padding:2em">'
        f'<h1 style="font-size:1.2em">{title}</h1>{body}<p><a style="color:#ac5af4" '
        f'href="./">{again}</a></p></body></html>'
    )


def _say(message: str) -> None:
    """One line on standard error (text from browsers is shown safely)."""
    print(
        f"remtui serve: {safe_text(message, single_line=True, limit=300)}",
        file=sys.stderr,
        flush=True,
    )


class RemtuiServer(Server):
    """textual-serve's Server with an Origin check, a session cap and a local font."""

    def __init__(self, plan: Plan, *, host: str, port: int, max_sessions: int) -> None:
        super().__init__(
            shlex.join(plan.command),
            host=host,
            port=port,
            title="remtui",
            public_url=plan.public_url,
        )
        self.origins = plan.origins
        self.max_sessions = max_sessions
        self.sessions = 0

    def _say(self, message: str) -> None:
        _say(message)

    async def on_startup(self, app: web.Application) -> None:
        """(textual-serve prints its banner here, before the port is open.)"""

    def serve(self, debug: bool = False) -> None:
        """textual-serve's serve(), saying "serving on" once the port is open (tests and
        scripts wait for that line)."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.request_exit)
        listening = _("serving on {url} (at most {n} sessions at once)").format(
            url=self.public_url, n=self.max_sessions
        )
        web.run_app(
            self._make_app(),
            host=self.host,
            port=self.port,
            handle_signals=False,
            loop=loop,
            print=lambda *_args: self._say(listening),
        )

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        upstream = (self.templates_path / "app_index.html").read_text(encoding="utf-8")
        aiohttp_jinja2.setup(
            app, loader=jinja2.DictLoader({"app_index.html": page_template(upstream)})
        )
        return app

    def origin_allowed(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        return origin is not None and origin_of(origin, bare=True) in self.origins

    async def handle_index(self, request: web.Request) -> Any:
        if self.sessions >= self.max_sessions:
            return web.Response(
                status=503,
                text=full_page(self.max_sessions),
                content_type="text/html",
                headers={**SECURITY_HEADERS, "Retry-After": "30"},
            )
        response = await super().handle_index(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if not self.origin_allowed(request):
            origin = request.headers.get("Origin") or "-"
            self._say(_("refused a session from another page ({origin})").format(origin=origin))
            raise web.HTTPForbidden(
                text=_("A session is opened only by remtui's own page ({url}).").format(
                    url=self.public_url
                )
            )
        if self.sessions >= self.max_sessions:
            self._say(_("refused a session: all {n} are in use").format(n=self.max_sessions))
            raise web.HTTPServiceUnavailable(
                text=_("Every session of remtui is in use ({n} at most).").format(
                    n=self.max_sessions
                ),
                headers={"Retry-After": "30"},
            )
        self.sessions += 1  # no await since the check: no other session can slip in
        self._say(_("session opened ({n} of {max})").format(n=self.sessions, max=self.max_sessions))
        try:
            return await super().handle_websocket(request)
        finally:
            self.sessions -= 1
            self._say(
                _("session closed ({n} of {max})").format(n=self.sessions, max=self.max_sessions)
            )


def run(options: ServeOptions) -> int:
    checked = plan(options)
    for warning in checked.warnings:
        _say(warning)
    server = RemtuiServer(
        checked, host=options.host, port=options.port, max_sessions=options.max_sessions
    )
    try:
        server.serve()
    except OSError as exc:
        raise DomainError(
            _("Cannot listen on {host} port {port}: {error}").format(
                host=options.host, port=options.port, error=exc.strerror or exc
            )
        ) from exc
    return 0
