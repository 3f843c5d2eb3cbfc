"""Text fields filled from the store: hidden characters written by another tool (SQL here)
are shown as symbols with a note under the field, never sent to the terminal raw; opening
the form is not an edit, and saving stores the text without them. Also: a field's message
goes once the clerk changes the field, and Enter in a line's item field takes the
highlighted catalog match, however fast the keys come."""

from __future__ import annotations

from sqlalchemy import text
from textual import events
from textual.widgets import Input, TextArea

from remtui.domain import leads
from remtui.domain.leads import LeadForm
from remtui.ui.dialogs.lead import LeadDialog
from remtui.ui.tabs.general import GeneralTab

from .conftest import settle, wait_for
from .crm_helpers import note, open_tab
from .test_assets_tab import new_asset
from .test_documents_tab import items, open_documents, open_editor, rows  # noqa: F401
from .test_general_tab import open_profile, stored

RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\x00")
NOTE = "Hidden control characters are shown as symbols"


def by_sql(store, sql: str, **params: object) -> None:
    """Write as another tool would: straight into the table, past the domain."""
    with store.write() as session:
        session.execute(text(sql), params)


def shown(app, selector: str) -> str:
    widget = app.screen.query_one(selector)
    return widget.value if isinstance(widget, Input) else widget.text


def controls_note(app, name: str) -> str:
    widget = app.screen.query_one(f"#ctl-{name}")
    return str(widget.render()) if widget.display else ""


def burst(app, keys: list[str]) -> None:
    """Queue every key at once, as a terminal does with text that arrives together."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def test_general_shows_controls_as_symbols_and_saving_removes_them(
    make_app, store, make_client
):
    rec = make_client("Ana Silva", "912345678")
    by_sql(
        store,
        "UPDATE client SET name = :name, notes = :notes WHERE id = :id",
        name="Ana\x1b]0;PWNED\x07 Silva",
        notes="a\x1b]52;c;eA==\x1b\\b\n\u202ec\x9b2J",
        id=rec.id,
    )
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_profile(app, pilot, "ana")
        assert shown(app, "#f-name") == "Ana␛]0;PWNED␇ Silva"
        assert shown(app, "#f-notes") == "a␛]52;c;eA==␛\\b\n<U+202E>c<U+009B>2J"
        assert NOTE in controls_note(app, "name") and NOTE in controls_note(app, "notes")
        assert controls_note(app, "email") == ""
        tab = app.screen.query_one(GeneralTab)
        assert not tab.has_unsaved_edits()  # opening it is not an edit: Escape does not ask
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "\x1b" not in stored(store, rec.id).name)
        await wait_for(pilot, lambda: controls_note(app, "name") == "")
        assert shown(app, "#f-name") == "Ana]0;PWNED Silva"
    saved = stored(store, rec.id)
    assert (saved.name, saved.notes) == ("Ana]0;PWNED Silva", "a]52;c;eA==\\b\nc2J")


async def test_what_the_clerk_types_around_the_symbols_is_kept(make_app, store, make_client):
    rec = make_client("Ana Silva", "912345678")
    by_sql(store, "UPDATE client SET address = :v WHERE id = :id", v="Rua\x1b[2J 1", id=rec.id)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_profile(app, pilot, "ana")
        address = app.screen.query_one("#f-address", Input)
        assert address.value == "Rua␛[2J 1"
        address.focus()
        await pilot.press("end", *"A")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: stored(store, rec.id).address == "Rua[2J 1A")


async def test_a_lead_stored_with_controls_saves_clean(make_app, store, admin, make_client):
    client = make_client("Rui Costa", "912345678")
    with store.write() as session:
        lead = leads.create_lead(session, admin, client.id, LeadForm("Broken", "Phone", admin.id))
    by_sql(
        store,
        "UPDATE lead SET description = :d, channel = :c WHERE id = :id",
        d="Screen\x1b]8;;http://evil/\x07 broken",
        c="Phone\u202e",
        id=lead.id,
    )
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_tab(app, pilot, "rui", "f4", "leads-table")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LeadDialog) and app.screen.record)
        dialog = app.screen
        assert isinstance(dialog, LeadDialog)
        description = dialog.query_one("#f-description", TextArea).text
        assert description == "Screen␛]8;;http://evil/␇ broken"
        assert dialog.query_one("#f-channel", Input).value == "Phone<U+202E>"
        assert not [c for c in RAW if c in description]
        assert NOTE in controls_note(app, "description") and NOTE in controls_note(app, "channel")
        assert not dialog.has_unsaved_edits()
        await pilot.press("ctrl+s")  # nothing typed, but saving cleans what is stored
        await wait_for(
            pilot, lambda: lead_text(store, lead.id)[0] == "Screen]8;;http://evil/ broken"
        )
        assert lead_text(store, lead.id)[1] == "Phone"
        await wait_for(pilot, lambda: controls_note(app, "description") == "")


def lead_text(store, lead_id: int) -> tuple[str, str]:
    with store.read() as session:
        record = leads.get_lead(session, lead_id)
    return record.description, record.channel


async def test_the_imei_message_goes_when_the_imei_is_changed(make_app, store, make_client):
    make_client("Rui Costa", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(app, pilot, "rui", "f5", "assets-table")
        await new_asset(app, pilot, "35-209900-176148-2", "Phone", "", "")
        await wait_for(pilot, lambda: "check digit is wrong" in note(app, "serial"))
        assert app.screen.query_one("#f-serial").has_class("invalid")
        await pilot.press("end", "backspace", "1")  # corrected, not saved yet
        await wait_for(pilot, lambda: note(app, "serial") == "")
        assert not app.screen.query_one("#f-serial").has_class("invalid")


async def test_enter_in_the_item_field_takes_the_highlighted_match(
    make_app,
    make_client,
    items,  # noqa: F811
):
    make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_documents(app, pilot)
        editor = await open_editor(app, pilot, "s")
        matches = editor.query_one("#catalog-matches")
        await pilot.press(*"ecra")
        await wait_for(pilot, lambda: matches.display and matches.option_count > 0)
        await pilot.press("enter")
        first = rows(editor)[0]
        await wait_for(pilot, lambda: first.item_id == items[0].id)
        assert first.texts()[:3] == ("Substituição de ecrã", "1", "89.00")
        assert editor.focused is first.field("quantity")


async def test_enter_takes_the_match_when_the_keys_come_in_one_burst(
    make_app,
    make_client,
    items,  # noqa: F811
):
    """The same keys, one at a time and all at once, give the same lines: Enter looks up
    the matches of what was typed when they are not on the screen yet."""
    make_client("Ana Silva", "912345678")
    keys = [*"ecra", "enter", *"2", "enter", *"75", "ctrl+n", *"capa", "enter", *"3"]
    results = []
    for send in ("slowly", "burst"):
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await open_documents(app, pilot)
            editor = await open_editor(app, pilot, "s")
            if send == "burst":
                burst(app, keys)
            else:
                for key in keys:
                    await pilot.press(key)
                    await settle(pilot)
            await settle(pilot)
            lines = rows(editor)
            await wait_for(pilot, lambda lines=lines: all(r.item_id for r in lines))
            results.append([(r.item_id, *r.texts()[:3]) for r in rows(editor)])
    assert (
        results[0]
        == results[1]
        == [
            (items[0].id, "Substituição de ecrã", "2", "75"),
            (items[1].id, "Capa de silicone", "3", "12.90"),
        ]
    )
