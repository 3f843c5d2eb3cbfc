"""Start-up order: the first screen is drawn before the store is opened, and the area
style sheets are read only when a screen that uses them opens."""

from __future__ import annotations

import pytest

from remtui.ui import styles
from remtui.ui.screens.clients import ClientsScreen
from remtui.ui.screens.profile import ProfileScreen
from remtui.ui.screens.sign_in import SignInScreen

from .conftest import screen_text, wait_for


def _sources(app) -> set[str]:
    return {path for path, _scope in app.stylesheet.source}


@pytest.mark.parametrize("delay", [0.1, 0.0])  # production's pause, and the tests' none
async def test_demo_opens_on_the_clients_screen_then_the_store(make_app, make_client, delay):
    make_client("Rita Lopes", "912 000 111")
    app = make_app(store_open_delay=delay)
    app.store_open_fallback = 3600  # only the first frame may start the store
    seen: list[tuple[str, bool]] = []
    original = app._start_store_thread

    def start() -> None:
        # Where are we when the store starts opening? The first frame must be out.
        seen.append((type(app.screen).__name__, app.screen.is_current and app._dom_ready))
        original()

    app._start_store_thread = start  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "Rita Lopes" in screen_text(app))
        assert seen and seen[0] == ("ClientsScreen", True)
        assert app.screen_stack == [app.screen] and isinstance(app.screen, ClientsScreen)
        assert app.actor is not None


async def test_area_style_sheets_load_with_the_profile(make_app, make_client):
    make_client("Rita Lopes", "912 000 111")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "Rita Lopes" in screen_text(app))
        loaded = _sources(app)
        assert str(styles.FIRST[0]) in loaded
        assert not any(str(p) in loaded for p in styles.AREAS)
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        loaded = _sources(app)
        assert all(str(p) in loaded for p in styles.AREAS)


async def test_signing_in_clears_the_sign_in_fields_under_the_clients(make_app, admin):
    app = make_app(demo_login=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        await pilot.press(*"admin", "enter", *"correct horse", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientsScreen))
        sign_in = app.screen_stack[0]
        assert isinstance(sign_in, SignInScreen)
        assert [i.value for i in sign_in.query("Input")] == ["", ""]


async def test_workers_get_the_gil_back_quickly_and_start_up_objects_are_frozen(make_app, admin):
    """Store rows reach the screen without waiting 5 ms per row for the UI thread (see
    RemApp.on_mount); what start-up built is kept out of the collector's full passes."""
    import gc
    import sys

    from remtui.ui.app import SWITCH_INTERVAL

    gc.unfreeze()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.actor is not None and gc.get_freeze_count() > 0)
        assert sys.getswitchinterval() == SWITCH_INTERVAL
    gc.unfreeze()
