"""Regenerate screenshots/*.svg from a fresh demo store, driving the app by keys.

uv run python scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "screenshots"
SIZE = (100, 32)


async def wait_for(pilot, condition: Callable[[], object], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        try:
            if condition():
                return
        except Exception:  # widgets may not be mounted yet
            pass
    raise RuntimeError("screen did not get ready")


async def shoot(
    settings, name: str, steps: Callable[[object], Awaitable[None]], login: str | None = "admin"
) -> None:
    from remtui.ui.app import RemApp

    app = RemApp(settings, demo_login=login, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        if login:
            await wait_for(
                pilot,
                lambda: app.actor is not None and app.screen.query_one("#results").row_count > 0,
            )
        await steps(pilot)
        await pilot.pause(0.5)
        (OUT / f"{name}.svg").write_text(app.export_screenshot(title=f"remtui — {name}"))
    print(OUT / f"{name}.svg")


async def open_client(pilot, query: str, tab_key: str | None = None) -> None:
    from remtui.ui.screens.profile import ProfileScreen

    app = pilot.app
    await pilot.press(*query)

    def found() -> bool:  # the search's own results, not the full list shown before them
        table = app.screen.query_one("#results")
        return table.row_count >= 1 and str(table.get_row_at(0)[0]).startswith(query)

    await wait_for(pilot, found)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
    await pilot.pause(0.5)
    if tab_key:
        await pilot.press(tab_key)
        await pilot.pause(0.8)


async def main() -> None:
    os.environ.setdefault("TZ", "Europe/Lisbon")
    time.tzset()
    from remtui.config import load_settings, sqlite_url
    from remtui.demo import ensure_demo

    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(load_settings(), db_url=sqlite_url(Path(tmp) / "demo.sqlite3"))
        ensure_demo(settings)

        async def nothing(pilot) -> None:
            await pilot.pause(0.3)

        async def sign_in(pilot) -> None:
            await pilot.pause(0.5)
            await pilot.press(*"admin")

        await shoot(settings, "sign-in", sign_in, login=None)
        await shoot(settings, "clients", nothing)

        async def search(pilot) -> None:
            await pilot.press(*"912 3")
            await pilot.pause(0.6)

        await shoot(settings, "clients-search-phone", search)
        # The demo's regular client, with a long history in every tab.
        query = "Filipa Martins"

        async def general(pilot) -> None:
            await open_client(pilot, query)

        await shoot(settings, "profile-general", general)
        for name, key in (
            ("profile-balance", "f3"),
            ("profile-leads", "f4"),
            ("profile-assets", "f5"),
            ("profile-documents", "f6"),
            ("profile-payments", "f7"),
            ("profile-communications", "f8"),
        ):

            async def tab(pilot, key: str = key) -> None:
                await open_client(pilot, query, key)

            await shoot(settings, name, tab)

        async def correction(pilot) -> None:
            await open_client(pilot, query, "f3")
            await pilot.press("c", *"15,00", "enter", *"Acerto combinado com o cliente")

        await shoot(settings, "dialog-correction", correction)

        async def new_client(pilot) -> None:
            await pilot.press("ctrl+n")
            await pilot.pause(0.5)
            await pilot.press(*"Nova Cliente")

        await shoot(settings, "dialog-new-client", new_client)
        if importlib.util.find_spec("remtui.ui.dialogs.document"):

            async def document(pilot) -> None:
                await open_client(pilot, query, "f6")
                await pilot.press("enter")

            await shoot(settings, "dialog-document", document)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
