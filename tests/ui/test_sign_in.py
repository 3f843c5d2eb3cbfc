"""Sign-in and first start, by keys only."""

from __future__ import annotations

from remtui.domain import staff
from remtui.ui.screens.clients import ClientsScreen
from remtui.ui.screens.first_admin import FirstAdminScreen
from remtui.ui.screens.sign_in import SignInScreen

from .conftest import screen_text, wait_for


async def test_sign_in_by_keys(make_app, admin):
    app = make_app(demo_login=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        await pilot.press(*"admin", "enter", *"wrong pass", "enter")
        await wait_for(pilot, lambda: "Wrong login or password" in screen_text(app))
        assert isinstance(app.screen, SignInScreen) and app.actor is None
        await pilot.press(*"correct horse", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientsScreen))
        assert app.actor is not None and app.actor.login == "admin"
        assert "signed in as Ana Admin" in screen_text(app)


async def test_empty_fields_are_refused(make_app, admin):
    app = make_app(demo_login=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        await pilot.press("enter", "enter")
        await wait_for(pilot, lambda: "Enter your login and password" in screen_text(app))


async def test_first_start_creates_the_administrator(make_app, store):
    app = make_app(demo_login=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, FirstAdminScreen))
        await pilot.press(
            *"boss", "enter", *"Bea Boss", "enter", *"longpassword", "enter", *"different1", "enter"
        )
        await wait_for(pilot, lambda: "The passwords differ" in screen_text(app))
        repeat = app.screen.query_one("#repeat")
        repeat.value = ""  # type: ignore[attr-defined]
        repeat.focus()
        await pilot.press(*"longpassword", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientsScreen))
    with store.read() as session:
        assert [e.login for e in staff.list_employees(session)] == ["boss"]


async def test_first_start_short_password_message(make_app, store):
    app = make_app(demo_login=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, FirstAdminScreen))
        await pilot.press(*"boss", "enter", *"Bea", "enter", *"short", "enter", *"short", "enter")
        await wait_for(pilot, lambda: "at least 8 characters" in screen_text(app))
    with store.read() as session:
        assert staff.needs_first_admin(session)
