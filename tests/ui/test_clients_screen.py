"""Clients screen: search as you type, open, new client, live refresh, safe display."""

from __future__ import annotations

from remtui.domain import clients, staff
from remtui.store.engine import Store
from remtui.ui.dialogs.help import HelpDialog
from remtui.ui.dialogs.new_client import NewClientDialog
from remtui.ui.screens.clients import ClientsScreen
from remtui.ui.screens.profile import ProfileScreen

from .conftest import screen_text, wait_for


def rows(app) -> int:
    return app.screen.query_one("#results").row_count


async def test_search_as_you_type_and_open(make_app, make_client):
    make_client("João Silva", "912 345 678")
    make_client("Maria Costa", "965 000 111")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: rows(app) == 2)
        await pilot.press(*"joao")
        await wait_for(pilot, lambda: rows(app) == 1)
        for key in ("backspace",) * 4:
            await pilot.press(key)
        await pilot.press(*"965 000")
        await wait_for(pilot, lambda: rows(app) == 1 and "Maria Costa" in screen_text(app))
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        await wait_for(
            pilot,
            lambda: "Maria Costa" in screen_text(app) and "+351 965 000 111" in screen_text(app),
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientsScreen))


async def test_enter_in_search_opens_first_hit(make_app, make_client):
    make_client("João Silva", "912 345 678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"silva")
        await wait_for(pilot, lambda: rows(app) == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))


async def test_no_match_message(make_app, make_client):
    make_client("João Silva", "912 345 678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"zzz")
        await wait_for(pilot, lambda: "No client matches “zzz”" in screen_text(app))


async def test_results_page_in_as_you_scroll(make_app, store, admin):
    with store.write() as session:
        for i in range(130):
            clients.create_client(session, admin, clients.ClientForm(name=f"Cliente {i:03d}"))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: rows(app) == 50)
        await pilot.press("down")
        for _ in range(60):
            await pilot.press("down")
        await wait_for(pilot, lambda: rows(app) >= 100)
        await pilot.press("end")
        for _ in range(40):
            await pilot.press("down")
        await wait_for(pilot, lambda: rows(app) == 130)
        assert "130 clients." in screen_text(app)


async def test_new_client_by_keys(make_app, store, admin):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: app.actor is not None)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewClientDialog))
        await pilot.press(*"Rita Reis")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
    with store.read() as session:
        assert [h.name for h in clients.search_clients(session, "rita").hits] == ["Rita Reis"]


async def test_new_client_bad_input_stays_and_saves_nothing(make_app, store, admin):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: app.actor is not None)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewClientDialog))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Enter the client's name." in screen_text(app))
        assert isinstance(app.screen, NewClientDialog)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientsScreen))
    with store.read() as session:
        assert clients.search_clients(session, "").hits == ()


async def test_without_permission_there_is_no_new_client(make_app, store, admin):
    with store.write() as session:
        staff.add_employee(session, admin, "tec", "Tec Nico", "password-tec", "technician")
    app = make_app(demo_login="tec")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.actor is not None)
        await pilot.pause()
        assert "+ Client" not in screen_text(app)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen)


async def test_hostile_names_are_shown_as_text(make_app, make_client):
    make_client("[b]Bold[/b] [@click=app.quit]x[/] \x1b]0;pwn\x07", "912345678")
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: rows(app) == 1)
        text = screen_text(app)
        assert "[b]Bold[/b] [@click=app.quit]x[/]" in text
        await pilot.click("#results", offset=(5, 1))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        await wait_for(pilot, lambda: "[@click=app.quit]x[/]" in screen_text(app))
        assert app.is_running


async def test_other_clerks_changes_appear(make_app, store, admin, make_client):
    make_client("Ana Antes", "912345678")
    app = make_app(watch=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: rows(app) == 1)
        other = Store(store.url)  # another clerk's process: its own connections
        with other.write() as session:
            clients.create_client(session, admin, clients.ClientForm(name="Bruno Depois"))
        other.close()
        await wait_for(pilot, lambda: rows(app) == 2)
        assert "Bruno Depois" in screen_text(app)


async def test_f1_help_and_palette_keys(make_app, make_client):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.actor is not None)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpDialog))
        text = screen_text(app)
        assert "Find a client" in text and "+ Client" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientsScreen))
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "+ Client" in commands and "Quit" in commands
        # the search field's own keys (Textual's, in English) are not offered
        assert not {"Copy selected text", "Cut selected text"} & set(commands)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: "Search for commands…" in screen_text(app))


async def test_keys_are_remappable_by_id(make_app, admin):
    app = make_app(keymap={"clients.new": "f4"})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.actor is not None)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, NewClientDialog))


async def test_portuguese_interface(make_app, make_client):
    from remtui import i18n

    make_client("João Silva", "912345678")
    i18n.set_language("pt_PT")
    app = make_app(language="pt_PT")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: rows(app) == 1)
        text = screen_text(app)
        assert "Nome" in text and "Telefone" in text and "+ Cliente" in text
        assert "remtui · Clientes · sessão de" in text
        assert "comandos" in text and "palette" not in text
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: "Procurar comandos…" in screen_text(app))
