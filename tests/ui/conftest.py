"""Pilot fixtures: an app on a temporary store, driven by keys."""

from __future__ import annotations

import asyncio
import html
import re
import time
from collections.abc import Callable
from dataclasses import replace

import pytest

from remtui.config import Settings, load_settings
from remtui.store.engine import Store
from remtui.ui.app import RemApp


@pytest.fixture
def settings(store: Store) -> Settings:
    return replace(load_settings(), db_url=store.url)


@pytest.fixture
def make_app(settings: Settings) -> Callable[..., RemApp]:
    def make(
        demo_login: str | None = "admin",
        watch: bool = False,
        store_open_delay: float = 0.0,  # the app waits 0.1 s after its first frame
        **changes: object,
    ) -> RemApp:
        app = RemApp(
            replace(settings, **changes),
            demo_login=demo_login,  # type: ignore[arg-type]
            watch=watch,
        )
        app.store_open_delay = store_open_delay
        return app

    return make


async def wait_for(pilot, condition: Callable[[], object], timeout: float = 8.0) -> None:
    """Let workers finish until ``condition()`` holds (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause()
        try:
            if condition():
                return
        except Exception:
            pass
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


def screen_text(app: RemApp) -> str:
    """Everything on screen as plain text (what a clerk reads), from the SVG export."""
    svg = app.export_screenshot()
    parts = re.findall(r"<text[^>]*>(.*?)</text>", svg)
    return html.unescape("".join(parts)).replace("\xa0", " ")


async def hold_cursors(pilot) -> None:
    """Text cursors blink every 0.5 s, so a snapshot on a busy machine could catch either
    phase; stop the blinking (the cursor stays hidden) so the picture is the same each run."""
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    await pilot.pause()
