"""The General tab: edit every field by keys, validation, stale saves resolved."""

from __future__ import annotations

from textual.widgets import Input

from remtui.domain import clients, staff
from remtui.domain.clients import ClientForm, PhoneInput
from remtui.ui.dialogs.confirm import ConfirmDialog
from remtui.ui.dialogs.conflict import ConflictDialog
from remtui.ui.screens.clients import ClientsScreen
from remtui.ui.screens.profile import ProfileScreen

from .conftest import screen_text, wait_for


async def open_profile(app, pilot, name: str) -> None:
    await pilot.press(*name)
    await wait_for(pilot, lambda: app.screen.query_one("#results").row_count >= 1)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
    await wait_for(pilot, lambda: app.screen.query_one("#f-name", Input).value != "")


async def replace_field(pilot, app, field: str, text: str) -> None:
    widget = app.screen.query_one(f"#f-{field}", Input)
    widget.focus()
    await pilot.press("ctrl+a") if False else None
    widget.value = ""
    await pilot.press(*text)


def stored(store, client_id):
    with store.read() as session:
        return clients.get_client(session, client_id)


async def test_edit_and_save_by_keys(make_app, store, make_client):
    rec = make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_profile(app, pilot, "ana")
        assert app.screen.focused is app.screen.query_one("#f-name")
        await pilot.press("end", *" Costa")
        await replace_field(pilot, app, "email", "ana@exemplo.pt")
        await replace_field(pilot, app, "discount", "7,5")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: stored(store, rec.id).version == 2)
        await wait_for(pilot, lambda: "Ana Silva Costa" in screen_text(app))
    saved = stored(store, rec.id)
    assert (saved.name, saved.email, saved.discount_bp) == (
        "Ana Silva Costa",
        "ana@exemplo.pt",
        750,
    )


async def test_add_a_phone_and_flag_conflicted(make_app, store, make_client):
    rec = make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_profile(app, pilot, "ana")
        await pilot.click("#add-phone")
        await pilot.pause()
        await pilot.press(*"21 876 5432", "tab", *"trabalho")
        app.screen.query_one("#f-conflicted").value = True  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: stored(store, rec.id).version == 2)
        await wait_for(pilot, lambda: "CONFLICTED CLIENT" in screen_text(app))
    saved = stored(store, rec.id)
    assert [p.e164 for p in saved.phones] == ["+351912345678", "+351218765432"]
    assert saved.phones[1].label == "trabalho" and saved.conflicted


async def test_bad_input_is_marked_and_nothing_saved(make_app, store, make_client):
    rec = make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_profile(app, pilot, "ana")
        await replace_field(pilot, app, "email", "not an email")
        await replace_field(pilot, app, "discount", "150")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "That is not an e-mail address." in screen_text(app))
        text = screen_text(app)
        assert "A discount is a percentage from 0 to 100." in text
        # changing the field takes its message away; the other message stays
        await replace_field(pilot, app, "email", "ana@exemplo.pt")
        await wait_for(pilot, lambda: "That is not an e-mail address." not in screen_text(app))
        assert "A discount is a percentage from 0 to 100." in screen_text(app)
        assert not app.screen.query_one("#f-email").has_class("invalid")
    assert stored(store, rec.id).version == 1


async def test_stale_save_keep_mine(make_app, store, admin, make_client):
    rec = make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_profile(app, pilot, "ana")
        with store.write() as session:  # another clerk saves first
            clients.update_client(
                session,
                admin,
                rec.id,
                1,
                ClientForm(
                    name="Ana Silva", phones=(PhoneInput("912345678"),), email="theirs@x.pt"
                ),
            )
        await pilot.press("end", *" Mine")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictDialog))
        text = screen_text(app)
        assert "theirs@x.pt" in text and "Ana Silva Mine" in text and "≠" in text
        await pilot.press("k")
        await wait_for(pilot, lambda: stored(store, rec.id).version == 3)
    saved = stored(store, rec.id)
    assert saved.name == "Ana Silva Mine" and saved.email == ""


async def test_stale_save_take_theirs(make_app, store, admin, make_client):
    rec = make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_profile(app, pilot, "ana")
        with store.write() as session:
            clients.update_client(session, admin, rec.id, 1, ClientForm(name="Ana Theirs"))
        await pilot.press("end", *" Mine")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictDialog))
        await pilot.press("t")
        await wait_for(pilot, lambda: app.screen.query_one("#f-name", Input).value == "Ana Theirs")
    assert stored(store, rec.id).version == 2


async def test_stale_save_back_to_editing_keeps_edits(make_app, store, admin, make_client):
    rec = make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_profile(app, pilot, "ana")
        with store.write() as session:
            clients.update_client(session, admin, rec.id, 1, ClientForm(name="Ana Theirs"))
        await pilot.press("end", *" Mine")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        assert app.screen.query_one("#f-name", Input).value == "Ana Silva Mine"
    assert stored(store, rec.id).name == "Ana Theirs"


async def test_refresh_waits_for_unsaved_edits(make_app, store, admin, make_client):
    rec = make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_profile(app, pilot, "ana")
        with store.write() as session:
            clients.update_client(session, admin, rec.id, 1, ClientForm(name="Ana Outra"))
        app.broadcast_change()
        await wait_for(pilot, lambda: app.screen.query_one("#f-name", Input).value == "Ana Outra")
        await pilot.press("end", *" X")
        with store.write() as session:
            clients.update_client(session, admin, rec.id, 2, ClientForm(name="Ana Terceira"))
        app.broadcast_change()
        await wait_for(pilot, lambda: "Another employee changed this client" in screen_text(app))
        assert app.screen.query_one("#f-name", Input).value == "Ana Outra X"


async def test_leaving_with_unsaved_edits_asks(make_app, make_client):
    make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_profile(app, pilot, "ana")
        await pilot.press("end", *"zz", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        await pilot.press("escape", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientsScreen))


async def test_read_only_without_permission(make_app, store, admin, make_client):
    make_client("Ana Silva", "912345678")
    with store.write() as session:
        staff.add_employee(session, admin, "tec", "Tec", "password-tec", "technician")
    app = make_app(demo_login="tec")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_profile(app, pilot, "ana")
        await wait_for(pilot, lambda: "may see this client but not change it" in screen_text(app))
        assert app.screen.query_one("#f-name", Input).disabled
        assert "Save" not in [b.binding.description for b in app.screen.active_bindings.values()]


async def test_quit_asks_when_edits_are_not_saved(make_app, store, make_client):
    from remtui.ui.app import QUIT_QUESTION

    make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_profile(app, pilot, "ana")
        await pilot.press("end", *" Costa")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: app.screen.id == QUIT_QUESTION)
        assert "Quit without saving them?" in screen_text(app)
        await pilot.press("n")  # keep editing: the edit is still there
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        assert app.screen.query_one("#f-name", Input).value == "Ana Silva Costa"
        assert app.is_running
        await pilot.press("ctrl+q", "ctrl+q")  # asked again; ctrl+q on the question quits
        await wait_for(pilot, lambda: not app.is_running)


async def test_quit_without_edits_does_not_ask(make_app, make_client):
    make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_profile(app, pilot, "ana")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running)


async def test_a_long_name_never_hides_the_balance(make_app, make_client):
    make_client("Zé " + "Reparações Lusitana " * 9, "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_profile(app, pilot, "ze")
        await wait_for(pilot, lambda: "You are settled" in screen_text(app).splitlines()[0])
        header = screen_text(app).splitlines()[0]
        assert "Zé Reparações" in header and "…" in header and "+351 912 345 678" in header


async def test_removing_the_wrong_phone_takes_its_message_away(make_app, store, make_client):
    from remtui.ui.widgets.client_form import PhoneRow

    rec = make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_profile(app, pilot, "ana")
        await pilot.click("#add-phone")
        await pilot.pause()
        await pilot.press(*"912 345 678")  # the same number again
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "already in the list" in screen_text(app))
        second = list(app.screen.query(PhoneRow))[1]
        second.query_one(".phone-remove").press()
        await wait_for(pilot, lambda: "already in the list" not in screen_text(app))
        assert not any(r.has_class("invalid") for r in app.screen.query(PhoneRow))
    assert stored(store, rec.id).version == 1
