"""The Communications tab (F8) and the chat view, driven by keys."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select
from textual import events
from textual.widgets import DataTable, Input, TextArea

from remtui.config import SmsSettings
from remtui.domain import calls, chats, staff
from remtui.store.engine import Store
from remtui.store.tables.comms import ChatMessage, PhoneCall, SmsMessage
from remtui.ui.dialogs.comms import LogCallDialog, NewChatDialog, SmsComposer
from remtui.ui.safe import Cell
from remtui.ui.screens.chat import ChatScreen
from remtui.ui.screens.profile import ProfileScreen

from .conftest import screen_text, wait_for

GATEWAY = Path(__file__).parents[1] / "domain" / "helpers" / "fake_sms_gateway.py"
T0 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def seed_calls(store: Store, admin: staff.Actor, client_id: int) -> None:
    with store.write() as session:
        for hours, direction, recording in (
            (0, "incoming", "https://pbx.example/rec/1.wav"),
            (1, "missed", "javascript:alert(1)"),
            (2, "outgoing", "/var/spool/pbx/2.wav"),
        ):
            calls.log_call(
                session,
                admin,
                client_id,
                direction=direction,
                duration="1:05",
                recording=recording,
                at=T0 + timedelta(hours=hours),
            )


def start_chat(store: Store, admin: staff.Actor, client_id: int, text: str = "Bom dia!") -> int:
    with store.write() as session:
        return chats.start_chat(session, admin, client_id, "whatsapp", text).id


async def open_comms(app, pilot, name: str) -> None:
    await wait_for(pilot, lambda: app.actor is not None)
    await pilot.press(*name)
    await wait_for(pilot, lambda: app.screen.query_one("#results").row_count >= 1)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
    await pilot.press("f8")
    await wait_for(pilot, lambda: app.screen.query_one("#comms").calls_page is not None)
    await wait_for(pilot, lambda: app.screen.query_one("#comms").sms_page is not None)


def notified(app, text: str) -> bool:
    return any(text in n.message for n in app._notifications)


def comms(app):
    return app.screen.query_one("#comms")


def rows(app, table_id: str) -> list[list[object]]:
    table = app.screen.query_one(f"#{table_id}", DataTable)
    return [table.get_row_at(i) for i in range(table.row_count)]


async def open_chat_section(app, pilot) -> None:
    await pilot.press("f9", "f9")
    await wait_for(pilot, lambda: comms(app).section == "chats")
    await wait_for(pilot, lambda: app.screen.query_one("#chats-table", DataTable).has_focus)


# --- calls ---------------------------------------------------------------------------------


async def test_filter_calls_by_keys(make_app, store, admin, make_client):
    client = make_client("Maria Costa", "965 000 111")
    seed_calls(store, admin, client.id)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_comms(app, pilot, "maria")
        await wait_for(pilot, lambda: len(rows(app, "calls-table")) == 3)
        assert "Filter: All calls (3)" in screen_text(app)
        await pilot.press("f")
        await wait_for(pilot, lambda: len(rows(app, "calls-table")) == 2)
        kinds = [str(r[1]) for r in rows(app, "calls-table")]
        assert kinds == ["Missed", "Incoming"]
        assert "Filter: Incoming calls (2)" in screen_text(app)
        await pilot.press("f")
        await wait_for(pilot, lambda: [str(r[1]) for r in rows(app, "calls-table")] == ["Outgoing"])
        assert "Filter: Outgoing calls (1)" in screen_text(app)
        await pilot.press("f")
        await wait_for(pilot, lambda: len(rows(app, "calls-table")) == 3)
        assert "Filter: All calls (3)" in screen_text(app)


async def test_recordings_link_only_when_safe(make_app, store, admin, make_client):
    client = make_client("Maria Costa", "965 000 111")
    seed_calls(store, admin, client.id)
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await open_comms(app, pilot, "maria")
        await wait_for(pilot, lambda: len(rows(app, "calls-table")) == 3)
        cells = {str(r[4]): r[4] for r in rows(app, "calls-table")}

        def links(shown: Cell) -> set[str]:
            text = shown.as_text()
            found = {text.style.link} if hasattr(text.style, "link") else set()
            found |= {s.style.link for s in text.spans if hasattr(s.style, "link")}
            return {link for link in found if link}

        assert links(cells["/var/spool/pbx/2.wav"]) == {"file:///var/spool/pbx/2.wav"}
        assert links(cells["https://pbx.example/rec/1.wav"]) == {"https://pbx.example/rec/1.wav"}
        assert links(cells["javascript:alert(1)"]) == set()
        assert "javascript:alert(1)" in screen_text(app)


async def test_log_a_call_by_keys_with_bad_and_hostile_input(make_app, store, make_client):
    client = make_client("Maria Costa", "965 000 111", "218 765 432")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_comms(app, pilot, "maria")
        assert "No calls with this client yet." in screen_text(app)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogCallDialog))
        await wait_for(pilot, lambda: app.screen.query_one("#call-number", Input).value != "")
        assert app.screen.query_one("#call-number", Input).value == "+351 965 000 111"
        # bad duration and number: marked, nothing saved
        await pilot.press("tab", "ctrl+a", "ctrl+k", *"[/]x", "tab", *"abc", "enter")
        await wait_for(pilot, lambda: "A duration is seconds or minutes" in screen_text(app))
        assert "That is not a phone number." in screen_text(app)
        with store.read() as session:
            assert session.exec(select(PhoneCall)).all() == []
        # the clerk is put back in the first field to fix: the number
        assert app.screen.focused is app.screen.query_one("#call-number")
        # fixed: an outgoing call to the second number with a hostile recording
        await pilot.press("ctrl+a", "ctrl+k", *"218765432", "tab")
        await pilot.press("ctrl+a", "ctrl+k", *"2:05", "tab", *"[@click=app.quit]x", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        await wait_for(pilot, lambda: len(rows(app, "calls-table")) == 1)
        assert "[@click=app.quit]x" in screen_text(app)
        assert app.is_running
    with store.read() as session:
        (call,) = session.exec(select(PhoneCall)).all()
    assert call.client_id == client.id
    assert (call.number_e164, call.duration_seconds) == ("+351218765432", 125)
    assert (call.recording, call.recording_is_link) == ("[@click=app.quit]x", False)


# --- SMS -----------------------------------------------------------------------------------


def gateway(tmp_path: Path, mode: str) -> tuple[SmsSettings, Path]:
    log_dir = tmp_path / f"gateway-{mode}"
    log_dir.mkdir()
    command = (sys.executable, str(GATEWAY), mode, str(log_dir))
    return SmsSettings(gateway="command", command=command, timeout_seconds=30), log_dir


def stored_sms(store: Store) -> list[SmsMessage]:
    with store.read() as session:
        return list(session.exec(select(SmsMessage).order_by(col(SmsMessage.id))))


async def compose_sms(app, pilot, text: str) -> None:
    if comms(app).section != "sms":
        await pilot.press("f9")
        await wait_for(pilot, lambda: comms(app).section == "sms")
    await pilot.press("m")
    await wait_for(pilot, lambda: isinstance(app.screen, SmsComposer))
    await wait_for(pilot, lambda: app.screen.numbers)
    await pilot.press(*text)


async def test_send_an_sms_and_watch_it_go_out(make_app, store, make_client, tmp_path):
    make_client("Maria Costa", "218 765 432", "965 000 111")
    settings, log_dir = gateway(tmp_path, "ok")
    app = make_app(sms=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_comms(app, pilot, "maria")
        await pilot.press("f9")
        await wait_for(pilot, lambda: "No SMS sent to this client yet." in screen_text(app))
        await compose_sms(app, pilot, "Olá $(rm) ")
        # Pilot has no key for an emoji: it arrives as the terminal sends it, pasted
        app.post_message(events.Paste("😀"))
        # the mobile comes first; the count is live
        assert app.screen.query_one("#sms-number").value == "+351965000111"
        await wait_for(pilot, lambda: "12 characters · 1 segment · UCS-2" in screen_text(app))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        await wait_for(pilot, lambda: [m.status for m in stored_sms(store)] == ["sent"])
        await wait_for(pilot, lambda: str(rows(app, "sms-table")[0][1]) == "Sent")
        assert "Olá $(rm) 😀" in screen_text(app)
    (sent,) = stored_sms(store)
    assert (sent.number_e164, sent.text, sent.error) == ("+351965000111", "Olá $(rm) 😀", "")
    (run,) = list(log_dir.iterdir())
    assert run.read_bytes().split(b"\0") == [b"+351965000111", "Olá $(rm) 😀".encode()]


async def test_a_failed_sms_shows_the_gateway_error(make_app, store, make_client, tmp_path):
    make_client("Maria Costa", "965 000 111")
    settings, _log = gateway(tmp_path, "fail")
    app = make_app(sms=settings)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_comms(app, pilot, "maria")
        await compose_sms(app, pilot, "Teste")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: [m.status for m in stored_sms(store)] == ["failed"])
        await wait_for(pilot, lambda: str(rows(app, "sms-table")[0][1]) == "Failed")
        await wait_for(pilot, lambda: "no credit" in screen_text(app))
        assert "Gateway error:" in screen_text(app)
        # r queues it again (the gateway still refuses it)
        await pilot.press("r")
        await wait_for(pilot, lambda: stored_sms(store)[0].attempts == 2)
        await wait_for(pilot, lambda: stored_sms(store)[0].status == "failed")
    assert "no credit" in stored_sms(store)[0].error


async def test_without_a_gateway_the_sms_stays_queued(make_app, store, make_client):
    make_client("Maria Costa", "965 000 111")
    app = make_app()  # gateway "none"
    async with app.run_test(size=(120, 30)) as pilot:
        await open_comms(app, pilot, "maria")
        await compose_sms(app, pilot, "Teste")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: notified(app, "No SMS gateway is configured: 1 message"))
        await wait_for(pilot, lambda: str(rows(app, "sms-table")[0][1]) == "Queued")
    assert [m.status for m in stored_sms(store)] == ["queued"]


async def test_an_sms_over_the_limit_is_refused(make_app, store, make_client):
    make_client("Maria Costa", "965 000 111")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_comms(app, pilot, "maria")
        await compose_sms(app, pilot, "")
        area = app.screen.query_one("#sms-text", TextArea)
        app.post_message(events.Paste("x" * 1531))  # a clerk pastes a long text
        await wait_for(pilot, lambda: "1531 characters · 11 segments" in screen_text(app))
        assert "too long: at most 10 parts" in screen_text(app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "An SMS can have at most 10 parts" in screen_text(app))
        assert isinstance(app.screen, SmsComposer)
        # an empty text is refused too
        area.clear()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Write the text of the SMS." in screen_text(app))
    assert stored_sms(store) == []


# --- chats ---------------------------------------------------------------------------------


def chat_texts(store: Store, chat_id: int) -> list[str]:
    with store.read() as session:
        return list(
            session.exec(
                select(ChatMessage.text)
                .where(ChatMessage.chat_id == chat_id)
                .order_by(col(ChatMessage.id))
            )
        )


def chat_status(store: Store, admin: staff.Actor, chat_id: int) -> str:
    with store.read() as session:
        return chats.get_chat(session, admin, chat_id).status


async def test_open_a_chat_send_close_and_reopen(make_app, store, admin, make_client):
    client = make_client("Maria Costa", "965 000 111")
    chat_id = start_chat(store, admin, client.id, "Bom dia! [b]x[/b]")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_comms(app, pilot, "maria")
        await open_chat_section(app, pilot)
        await wait_for(pilot, lambda: len(rows(app, "chats-table")) == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: "Bom dia! [b]x[/b]" in screen_text(app))
        assert "Maria Costa" in screen_text(app) and "You are settled" in screen_text(app)
        # an empty message is refused
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Write a message." in screen_text(app))
        await pilot.press(*"Olá [@click=app.quit]x", "enter")
        await wait_for(pilot, lambda: len(chat_texts(store, chat_id)) == 2)
        await wait_for(pilot, lambda: "Olá [@click=app.quit]x" in screen_text(app))
        assert app.screen.query_one("#chat-input", Input).value == ""
        await pilot.press("f5")
        await wait_for(pilot, lambda: chat_status(store, admin, chat_id) == "closed")
        await wait_for(pilot, lambda: "Chat closed" in screen_text(app))
        assert app.screen.query_one("#chat-input", Input).disabled
        await pilot.press(*"ignored", "enter")
        await pilot.press("f6")
        await wait_for(pilot, lambda: chat_status(store, admin, chat_id) == "open")
        await wait_for(pilot, lambda: app.screen.query_one("#chat-input", Input).has_focus)
        await pilot.press(*"De novo", "enter")
        await wait_for(pilot, lambda: len(chat_texts(store, chat_id)) == 3)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        await wait_for(pilot, lambda: "De novo" in screen_text(app))
    assert chat_texts(store, chat_id) == ["Bom dia! [b]x[/b]", "Olá [@click=app.quit]x", "De novo"]


async def test_leaving_a_chat_stops_only_its_own_work(make_app, store, admin, make_client):
    """Leaving the chat must not cancel the work of the screen beneath it: the chats list
    reloads as the chat closes, and that reload (on the profile's tab) once died with the
    chat screen, leaving the list without the messages just written."""
    client = make_client("Maria Costa", "965 000 111")
    start_chat(store, admin, client.id, "Bom dia!")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_comms(app, pilot, "maria")
        await open_chat_section(app, pilot)
        tab = comms(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        release = threading.Event()
        beneath = tab.run_worker(release.wait, thread=True, group="probe")
        try:
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
            assert not beneath.is_cancelled
        finally:
            release.set()
        await wait_for(pilot, lambda: beneath.is_finished)


async def test_no_chats_offers_a_new_one(make_app, store, admin, make_client):
    client = make_client("Maria Costa", "965 000 111")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_comms(app, pilot, "maria")
        await open_chat_section(app, pilot)
        await wait_for(pilot, lambda: "No chats with this client yet" in screen_text(app))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewChatDialog))
        # the dialog starts in the message; back to the channel: Telegram
        await pilot.press("shift+tab", "enter", "down", "enter")
        await pilot.press("tab", "enter")  # no first message
        await wait_for(pilot, lambda: "Write a message." in screen_text(app))
        await pilot.press(*"Olá", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: "Telegram" in screen_text(app))
    with store.read() as session:
        (chat,) = chats.list_chats(session, admin, client.id)
    assert (chat.channel, chat.status, chat.last_message_text) == ("telegram", "open", "Olá")


async def test_older_messages_load_on_demand(make_app, store, admin, make_client):
    client = make_client("Maria Costa", "965 000 111")
    chat_id = start_chat(store, admin, client.id, "primeira")
    with store.write() as session:
        for i in range(60):
            chats.post_message(session, admin, chat_id, f"mensagem {i}")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_comms(app, pilot, "maria")
        await open_chat_section(app, pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: len(app.screen.shown_ids) == 50)
        assert "mensagem 59" in screen_text(app)
        await pilot.press("f3")
        await wait_for(pilot, lambda: len(app.screen.shown_ids) == 61)
        history = app.screen.query_one("#chat-history")
        assert "primeira" in str(history.children[0].render())
        assert not app.screen.has_older


async def test_without_chat_access_there_are_no_chats(make_app, store, admin, make_client):
    client = make_client("Maria Costa", "965 000 111")
    start_chat(store, admin, client.id, "segredo")
    with store.write() as session:
        staff.add_employee(session, admin, "tecnico", "Tiago Técnico", "password-tec", "technician")
    app = make_app(demo_login="tecnico")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_comms(app, pilot, "maria")
        tab = comms(app)
        assert tab.sections == ("calls", "sms")
        assert not app.screen.query("#chats") and not app.screen.query("#sec-chats")
        seen = []
        for _ in range(4):
            await pilot.press("f9")
            seen.append(tab.section)
            actions = {b.binding.action for b in app.screen.active_bindings.values()}
            assert "new_chat" not in actions
            titles = [c.title for c in app.get_system_commands(app.screen)]
            assert "+ Chat" not in titles and not any("chat" in t.lower() for t in titles)
            assert "Chats" not in screen_text(app) and "segredo" not in screen_text(app)
        assert seen == ["sms", "calls", "sms", "calls"]
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ProfileScreen)


async def test_chat_keys_are_in_the_palette_for_clerks(make_app, store, admin, make_client):
    make_client("Maria Costa", "965 000 111")
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await open_comms(app, pilot, "maria")
        await open_chat_section(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "+ Chat" in titles and "Next section" in titles
        assert "Filter calls" not in titles  # a Calls key, not offered in Chats


@pytest.mark.parametrize("writer", ["other clerk", "chat receive"])
async def test_messages_from_elsewhere_appear(make_app, store, admin, make_client, writer):
    client = make_client("Maria Costa", "965 000 111")
    chat_id = start_chat(store, admin, client.id)
    app = make_app(watch=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_comms(app, pilot, "maria")
        await open_chat_section(app, pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: "Bom dia!" in screen_text(app))
        hostile = "Olá \x1b[31mRED\x1b]0;pwned\x07 [@click=app.quit]x \u202eevil"
        if writer == "other clerk":
            other = Store(store.url)  # another clerk's connection to the same store
            try:
                with other.write() as session:
                    clerk = staff.add_employee(session, admin, "rui", "Rui", "password-rui")
                    chats.post_message(session, clerk, chat_id, hostile)
            finally:
                other.close()
            # what a clerk types is stored cleaned: the controls are gone
            shown = ("Rui · ", "Olá [31mRED]0;pwned [@click=app.quit]x evil")
        else:
            line = json.dumps({"channel": "whatsapp", "phone": "965000111", "text": hostile})
            subprocess.run(
                [sys.executable, "-m", "remtui", "--db", store.url, "chat", "receive"],
                input=line,
                text=True,
                check=True,
                capture_output=True,
            )
            # text from outside is cleaned on the way in too (issue 14): controls removed
            shown = ("Maria Costa (client)", "Olá [31mRED]0;pwned [@click=app.quit]x")
        await wait_for(pilot, lambda: shown[1] in screen_text(app))
        assert shown[0] in screen_text(app)
        if writer == "chat receive":
            assert "evil" in screen_text(app) and "<U+202E>" not in screen_text(app)
        assert app.is_running
        # the chat is marked read while it is open
        await wait_for(pilot, lambda: unread(store, admin, client.id) == 0)


def unread(store: Store, admin: staff.Actor, client_id: int) -> int:
    with store.read() as session:
        return chats.unread_total(session, admin, client_id)


async def test_a_refused_form_puts_the_clerk_in_the_field_to_fix(make_app, store, make_client):
    make_client("Maria Costa", "965 000 111")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_comms(app, pilot, "maria")
        await open_chat_section(app, pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewChatDialog))
        await pilot.press("ctrl+s")  # from the channel, with no first message
        await wait_for(pilot, lambda: "Write a message." in screen_text(app))
        await wait_for(pilot, lambda: app.screen.focused is app.screen.query_one("#chat-first"))
        await pilot.press(*"Olá", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))


async def test_escape_asks_before_throwing_away_a_typed_sms(make_app, store, make_client):
    from remtui.ui.dialogs.confirm import ConfirmDialog

    make_client("Maria Costa", "965 000 111")
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await open_comms(app, pilot, "maria")
        await compose_sms(app, pilot, "Pode levantar")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "Discard what you typed?" in screen_text(app)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, SmsComposer))
        assert app.screen.query_one("#sms-text").text == "Pode levantar"
        await pilot.press("escape", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        # an empty composer closes at once
        await compose_sms(app, pilot, "")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
    assert stored_sms(store) == []
