"""Type-ahead: keys that arrive in one burst after Tab or Enter (a slow SSH link delivers
them so) land in the next field, not in the field the clerk is leaving."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input

from remtui.ui.dialogs.document_editor import DocumentEditor
from remtui.ui.dialogs.payment import PaymentDialog
from remtui.ui.keys import in_order_keys
from remtui.ui.screens.first_admin import FirstAdminScreen
from remtui.ui.screens.sign_in import SignInScreen

from .conftest import wait_for
from .test_documents_tab import open_documents, open_editor, rows
from .test_general_tab import open_profile
from .test_payments_tab import listed, open_payments


def burst(app, keys: list[str]) -> None:
    """Queue every key at once, as a terminal does with text that arrives together."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def settle(pilot) -> None:
    """Until every key sent has been handled and the screen has settled after it."""
    await pilot.app.keys_settled()
    await pilot.pause()


def value(app, selector: str) -> str:
    return app.screen.query_one(selector, Input).value


@pytest.mark.parametrize("move", ["tab", "enter"])
async def test_sign_in_tab_and_enter_move_on_at_once(make_app, admin, move):
    app = make_app(demo_login=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        burst(app, [*"boss", move, *"abc"])
        await settle(pilot)
        assert (value(app, "#login"), value(app, "#password")) == ("boss", "abc")
        burst(app, ["shift+tab", *"y"])  # back: the field's text is selected on focus
        await settle(pilot)
        assert app.screen.focused.id == "login" and value(app, "#login") == "y"


async def test_first_administrator_fields_by_enter(make_app, store):
    app = make_app(demo_login=None)
    async with app.run_test(size=(80, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, FirstAdminScreen))
        burst(app, [*"chefe", "enter", *"Ana", "enter", *"12345678", "enter", *"1234"])
        await settle(pilot)
        fields = ("#login", "#name", "#password", "#repeat")
        assert [value(app, f) for f in fields] == ["chefe", "Ana", "12345678", "1234"]


async def test_general_tab_tab_moves_on_at_once(make_app, make_client):
    make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_profile(app, pilot, "ana")
        name = app.screen.query_one("#f-name", Input)
        assert app.screen.focused is name
        await pilot.press("end")
        burst(app, [*"X", "tab", *"zz"])
        await settle(pilot)
        assert name.value == "Ana SilvaX"
        nxt = app.screen.focused
        assert isinstance(nxt, Input) and nxt is not name and nxt.value.endswith("zz")


async def test_line_editor_enter_moves_along_the_line(make_app, make_client):
    make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_documents(app, pilot)
        editor = await open_editor(app, pilot, "s")
        # the quantity's "1" is selected when Enter moves there, so "2" replaces it
        burst(app, [*"Cabo", "enter", *"2", "enter", *"5", "enter", *"10%"])
        await settle(pilot)
        assert rows(editor)[0].texts() == ("Cabo", "2", "5", "10%")


async def test_sign_in_uses_the_password_as_entered(make_app, admin):
    app = make_app(demo_login=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        # the clerk starts typing the client's name before the clients screen is up
        burst(app, [*"admin", "enter", *"correct horse", "enter", *"ana"])
        await wait_for(pilot, lambda: app.actor is not None)
        assert app.actor.login == "admin"


async def test_an_amount_is_saved_as_entered(make_app, store, make_client):
    rec = make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_payments(app, pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, PaymentDialog) and app.screen.loaded)
        app.screen.query_one("#pay-amount", Input).focus()
        burst(app, ["ctrl+a", *"50", "enter", *"0"])  # a stray key after Enter
        await wait_for(pilot, lambda: len(tab.rows) == 1)
    assert [p.amount for p in listed(store, rec.id)] == [5000]


@pytest.mark.parametrize(
    ("keymap", "save"), [({}, "ctrl+s"), ({"dialog.confirm": "ctrl+o"}, "ctrl+o")]
)
async def test_save_key_reads_the_form_as_typed_before_it(
    make_app, store, make_client, keymap, save
):
    rec = make_client("Ana Silva", "912345678")
    app = make_app(keymap=keymap)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_payments(app, pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, PaymentDialog) and app.screen.loaded)
        app.screen.query_one("#pay-amount", Input).focus()
        burst(app, ["ctrl+a", *"50", save, *"0"])
        await wait_for(pilot, lambda: len(tab.rows) == 1)
    assert [p.amount for p in listed(store, rec.id)] == [5000]


def test_save_keys_follow_the_keymap():
    assert in_order_keys({}) == ["ctrl+s"]
    assert in_order_keys({"general.save": "f10, ctrl+w"}) == ["ctrl+s", "ctrl+w", "f10"]


async def test_tab_key_then_a_letter_acts_on_the_new_tab(make_app, make_client):
    make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_profile(app, pilot, "ana")
        name = app.screen.query_one("#f-name", Input)
        assert app.screen.focused is name
        burst(app, ["f6", "w"])  # Documents, then + Work order
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentEditor))
        assert name.value == "Ana Silva"


async def test_editing_keys_keep_their_place_among_the_letters(make_app, admin):
    app = make_app(demo_login=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        burst(app, [*"abc", "backspace", "d", "left", "x", "end", *"yz"])
        await settle(pilot)
        assert value(app, "#login") == "abxdyz"


async def test_clear_and_retype_an_amount_in_one_burst(make_app, store, make_client):
    rec = make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_payments(app, pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, PaymentDialog) and app.screen.loaded)
        app.screen.query_one("#pay-amount", Input).focus()
        burst(app, [*"99", "ctrl+a", "ctrl+k", *"12,34", "enter"])
        await wait_for(pilot, lambda: len(tab.rows) == 1)
    assert [p.amount for p in listed(store, rec.id)] == [1234]
