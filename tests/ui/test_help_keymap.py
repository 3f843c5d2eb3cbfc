"""F1 lists the keys as the config's [keymap] remapped them, not the defaults: the key
list, the command palette's key, and a line for the keys the help texts name but the
configuration moved."""

from __future__ import annotations

from remtui import i18n
from remtui.ui.dialogs.help import HelpDialog
from remtui.ui.dialogs.new_client import NewClientDialog

from .conftest import wait_for


def help_keys(app) -> list[str]:
    text = str(app.screen.query_one(".help-keys").render())
    return [" ".join(line.split()) for line in text.splitlines()]


def help_text(app) -> str:
    return " ".join(str(app.screen.query_one(".dialog-text").render()).split())


async def test_help_shows_the_remapped_keys(make_app, admin):
    app = make_app(keymap={"clients.new": "f4", "clients.audit": "ctrl+o", "app.help": "f10"})
    async with app.run_test(size=(80, 40)) as pilot:
        await wait_for(pilot, lambda: app.actor is not None)
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpDialog))
        keys = help_keys(app)
        assert {"f4 + Client", "^o Audit log", "f10 Help"} <= set(keys)
        assert not any(k.startswith(("^n ", "^l ", "f1 ")) for k in keys)
        # The screen's text says "ctrl+n creates a new one": the moved keys are named.
        assert help_text(app).endswith(
            "Keys moved by the configuration: ctrl+l is ctrl+o here: Audit log; "
            "ctrl+n is f4 here: + Client; f1 is f10 here: Help."
        )


async def test_help_in_a_dialog_shows_the_remapped_keys(make_app, admin):
    app = make_app(keymap={"dialog.confirm": "f10", "app.command_palette": "ctrl+k"})
    async with app.run_test(size=(80, 40)) as pilot:
        await wait_for(pilot, lambda: app.actor is not None)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewClientDialog))
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpDialog))
        keys = help_keys(app)
        assert "f10 Confirm" in keys and "^k Command palette: every action by name" in keys
        assert not any(k.startswith(("^s ", "^p ")) for k in keys)
        assert "save with ctrl+s" in help_text(app)
        assert help_text(app).endswith(
            "Keys moved by the configuration: ctrl+s is f10 here: Confirm."
        )


async def test_the_moved_keys_line_in_portuguese(make_app, admin):
    i18n.set_language("pt_PT")
    try:
        app = make_app(keymap={"clients.new": "f4"})
        async with app.run_test(size=(80, 40)) as pilot:
            await wait_for(pilot, lambda: app.actor is not None)
            await pilot.press("f1")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpDialog))
            assert help_text(app).endswith(
                "Teclas mudadas pela configuração: ctrl+n é f4 aqui: + Cliente."
            )
    finally:
        i18n.set_language("en")


async def test_without_a_keymap_nothing_is_said_to_have_moved(make_app, admin):
    app = make_app()
    async with app.run_test(size=(80, 40)) as pilot:
        await wait_for(pilot, lambda: app.actor is not None)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpDialog))
        assert "configuration" not in help_text(app)
        assert "^p Command palette: every action by name" in help_keys(app)
