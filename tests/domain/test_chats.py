"""Chats: permissions in the domain, open/close rules, unread counts, incoming messages."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlmodel import func, select

from remtui import i18n
from remtui.commands.comms import run_chat_receive
from remtui.domain import chats, staff
from remtui.domain.clients import ClientRecord
from remtui.domain.staff import Actor
from remtui.errors import DomainError, PermissionDenied
from remtui.store.engine import Store
from remtui.store.tables import AuditEntry
from remtui.store.tables.comms import Chat, ChatMessage, ChatRead


def counts(store: Store) -> tuple[int, int, int]:
    with store.read() as session:
        return (
            session.exec(select(func.count()).select_from(Chat)).one(),
            session.exec(select(func.count()).select_from(ChatMessage)).one(),
            session.exec(select(func.count()).select_from(ChatRead)).one(),
        )


def employee(store: Store, admin: Actor, login: str, role: str) -> Actor:
    with store.write() as session:
        return staff.add_employee(session, admin, login, login.title(), "password123", role=role)


@pytest.fixture
def clerk(store: Store, admin: Actor) -> Actor:
    return employee(store, admin, "clara", "clerk")


@pytest.fixture
def tech(store: Store, admin: Actor) -> Actor:
    return employee(store, admin, "tiago", "technician")


@pytest.fixture
def maria(make_client: Callable[..., ClientRecord]) -> ClientRecord:
    return make_client("Maria Santos", "+351 912 345 678")


def start(
    store: Store, actor: Actor, client: ClientRecord, channel: str = "whatsapp", text: str = "Olá"
) -> chats.ChatSummary:
    with store.write() as session:
        return chats.start_chat(session, actor, client.id, channel, text)


def receive(store: Store, *lines: str, skip_bad: bool = False) -> chats.ReceiveReport:
    with store.write() as session:
        return chats.receive_messages(session, list(lines), "PT", skip_bad=skip_bad)


def line(**data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


# --- permissions ---------------------------------------------------------------------------


def test_every_chat_function_refuses_without_permission(
    store: Store, admin: Actor, tech: Actor, maria: ClientRecord
) -> None:
    chat = start(store, admin, maria)
    before = counts(store)
    attempts: list[Callable[..., object]] = [
        lambda s: chats.list_chats(s, tech, maria.id),
        lambda s: chats.get_chat(s, tech, chat.id),
        lambda s: chats.messages(s, tech, chat.id),
        lambda s: chats.start_chat(s, tech, maria.id, "telegram", "Olá"),
        lambda s: chats.post_message(s, tech, chat.id, "Olá"),
        lambda s: chats.close_chat(s, tech, chat.id),
        lambda s: chats.reopen_chat(s, tech, chat.id),
        lambda s: chats.mark_read(s, tech, chat.id),
        lambda s: chats.unread_total(s, tech, maria.id),
        # A chat that does not exist is refused the same way: nothing is revealed.
        lambda s: chats.get_chat(s, tech, 999_999),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied), store.write() as session:
            attempt(session)
    assert counts(store) == before
    with store.read() as session:
        assert chats.get_chat(session, admin, chat.id).status == "open"


def test_permission_follows_the_role(store: Store, admin: Actor, maria: ClientRecord) -> None:
    with store.write() as session:
        staff.set_role_permissions(session, admin, "technician", {"view_chats"})
        tech = staff.add_employee(session, admin, "tiago", "Tiago", "password123", "technician")
    chat = start(store, tech, maria)
    assert chat.opened_by_name == "Tiago"


# --- starting, posting, closing ------------------------------------------------------------------


def test_start_chat(store: Store, admin: Actor, maria: ClientRecord) -> None:
    chat = start(store, admin, maria, "whatsapp", "  Bom dia! O seu portátil está pronto. ")
    assert (chat.channel, chat.channel_label, chat.status, chat.status_label) == (
        "whatsapp",
        "WhatsApp",
        "open",
        "Open",
    )
    assert chat.last_message_text == "Bom dia! O seu portátil está pronto."
    assert (chat.message_count, chat.unread, chat.last_author_kind) == (1, 0, "employee")
    assert chat.opened_by_id == admin.id
    with store.read() as session:
        page = chats.messages(session, admin, chat.id)
    assert [(m.author_kind, m.author_name, m.mine) for m in page.messages] == [
        ("employee", "Ana Admin", True)
    ]


@pytest.mark.parametrize(
    ("channel", "text", "field"),
    [
        ("pager", "Olá", "channel"),
        ("", "Olá", "channel"),
        ("whatsapp", "", "text"),
        ("whatsapp", " \n\t ", "text"),
        ("whatsapp", "x" * (chats.MAX_TEXT + 1), "text"),
    ],
)
def test_start_chat_refuses_bad_input(
    store: Store, admin: Actor, maria: ClientRecord, channel: str, text: str, field: str
) -> None:
    with pytest.raises(DomainError) as err:
        start(store, admin, maria, channel, text)
    assert err.value.field == field
    assert counts(store) == (0, 0, 0)


def test_channels_are_labelled() -> None:
    assert [c for c, _label in chats.channels()] == list(chats.CHANNELS)
    assert chats.channel_label("email") == "E-mail"


def test_one_open_chat_per_channel(store: Store, admin: Actor, maria: ClientRecord) -> None:
    start(store, admin, maria, "whatsapp")
    with pytest.raises(DomainError) as err:
        start(store, admin, maria, "whatsapp")
    assert err.value.field == "channel"
    start(store, admin, maria, "email")  # another channel is fine
    assert counts(store)[0] == 2


def test_close_and_reopen_rules(store: Store, admin: Actor, maria: ClientRecord) -> None:
    chat = start(store, admin, maria)
    with pytest.raises(DomainError, match="Only a closed chat"), store.write() as session:
        chats.reopen_chat(session, admin, chat.id)
    with store.write() as session:
        assert chats.close_chat(session, admin, chat.id).status == "closed"
    with pytest.raises(DomainError, match="Only an open chat"), store.write() as session:
        chats.close_chat(session, admin, chat.id)
    with pytest.raises(DomainError, match="closed"), store.write() as session:
        chats.post_message(session, admin, chat.id, "Ainda aí?")
    assert counts(store)[1] == 1
    with store.write() as session:
        assert chats.reopen_chat(session, admin, chat.id).status == "open"
        chats.post_message(session, admin, chat.id, "Ainda aí?")
    assert counts(store)[1] == 2
    with store.read() as session:
        actions = [
            a.action for a in session.exec(select(AuditEntry).where(AuditEntry.entity == "chat"))
        ]
    assert actions == ["chat.open", "chat.close", "chat.reopen", "chat.post"]


def test_reopen_refused_while_another_chat_on_the_channel_is_open(
    store: Store, admin: Actor, maria: ClientRecord
) -> None:
    old = start(store, admin, maria)
    with store.write() as session:
        chats.close_chat(session, admin, old.id)
    start(store, admin, maria)
    with pytest.raises(DomainError) as err, store.write() as session:
        chats.reopen_chat(session, admin, old.id)
    assert err.value.field == "channel"
    with store.read() as session:
        assert chats.get_chat(session, admin, old.id).status == "closed"


def test_post_message_refuses_empty(store: Store, admin: Actor, maria: ClientRecord) -> None:
    chat = start(store, admin, maria)
    with pytest.raises(DomainError) as err, store.write() as session:
        chats.post_message(session, admin, chat.id, "   ")
    assert err.value.field == "text"
    with pytest.raises(DomainError), store.write() as session:
        chats.post_message(session, admin, 999_999, "Olá")
    assert counts(store)[1] == 1


def test_clerk_text_is_cleaned(store: Store, admin: Actor, maria: ClientRecord) -> None:
    chat = start(store, admin, maria)
    with store.write() as session:
        row = chats.post_message(session, admin, chat.id, "a\x1b[31mb\u202ec\nd")
    assert row.text == "a[31mbc\nd"


# --- unread counts and reading ---------------------------------------------------------


def unread(store: Store, actor: Actor, chat_id: int) -> int:
    with store.read() as session:
        return chats.get_chat(session, actor, chat_id).unread


def test_unread_counts_per_employee(
    store: Store, admin: Actor, clerk: Actor, maria: ClientRecord
) -> None:
    chat = start(store, admin, maria)
    assert (unread(store, admin, chat.id), unread(store, clerk, chat.id)) == (0, 1)
    receive(store, line(channel="whatsapp", phone="912345678", text="Obrigada!"))
    assert (unread(store, admin, chat.id), unread(store, clerk, chat.id)) == (1, 2)
    with store.write() as session:
        assert chats.mark_read(session, clerk, chat.id) > 0
    assert (unread(store, admin, chat.id), unread(store, clerk, chat.id)) == (1, 0)
    with store.write() as session:
        chats.post_message(session, admin, chat.id, "De nada.")
    assert (unread(store, admin, chat.id), unread(store, clerk, chat.id)) == (0, 1)
    with store.read() as session:
        assert chats.unread_total(session, clerk, maria.id) == 1
        listed = chats.list_chats(session, clerk, maria.id)
    assert [(c.unread, c.last_message_text, c.last_author_name) for c in listed] == [
        (1, "De nada.", "Ana Admin")
    ]


def test_mark_read_never_moves_back(
    store: Store, admin: Actor, clerk: Actor, maria: ClientRecord
) -> None:
    chat = start(store, admin, maria)
    with store.write() as session:
        chats.post_message(session, admin, chat.id, "dois")
        newest = chats.mark_read(session, clerk, chat.id)
        assert chats.mark_read(session, clerk, chat.id, up_to_id=1) == newest
    assert unread(store, clerk, chat.id) == 0


def test_list_chats_open_first_then_latest(store: Store, admin: Actor, maria: ClientRecord) -> None:
    wa = start(store, admin, maria, "whatsapp")
    mail = start(store, admin, maria, "email")
    tg = start(store, admin, maria, "telegram")
    with store.write() as session:
        chats.close_chat(session, admin, tg.id)
        chats.post_message(session, admin, wa.id, "mais recente")
    with store.read() as session:
        listed = chats.list_chats(session, admin, maria.id)
    assert [c.id for c in listed] == [wa.id, mail.id, tg.id]


def test_messages_page_older_on_demand(store: Store, admin: Actor, maria: ClientRecord) -> None:
    chat = start(store, admin, maria, text="m0")
    with store.write() as session:
        for i in range(1, 120):
            chats.post_message(session, admin, chat.id, f"m{i}")
    with store.read() as session:
        newest = chats.messages(session, admin, chat.id)
        older = chats.messages(session, admin, chat.id, before_id=newest.oldest_id)
        oldest = chats.messages(session, admin, chat.id, before_id=older.oldest_id)
        after = chats.messages(session, admin, chat.id, after_id=older.newest_id, limit=3)
    assert [m.text for m in newest.messages] == [f"m{i}" for i in range(70, 120)]
    assert newest.has_older
    assert [m.text for m in older.messages] == [f"m{i}" for i in range(20, 70)]
    assert [m.text for m in oldest.messages] == [f"m{i}" for i in range(0, 20)]
    assert not oldest.has_older
    assert [m.text for m in after.messages] == ["m70", "m71", "m72"]


# --- messages from outside --------------------------------------------------------------


def test_receive_messages_finds_or_opens_the_chat(
    store: Store, admin: Actor, maria: ClientRecord, make_client: Callable[..., ClientRecord]
) -> None:
    rui = make_client("Rui Costa", "936 111 222")
    open_chat = start(store, admin, maria, "whatsapp")
    hostile = "[bold red]x[/] \x1b]8;;http://evil\x07link\x1b]8;;\x07 \x00end"
    report = receive(
        store,
        line(channel="whatsapp", phone="+351 912 345 678", text="Olá", time="2026-11-20T09:15Z"),
        "",
        line(channel="WhatsApp", phone="00351912345678", text=hostile),
        line(channel="email", client_id=maria.id, text="Por e-mail"),
        line(channel="telegram", client_id=str(rui.id), phone="936111222", text="Bom dia"),
        line(channel="telegram", phone="936-111-222", text="Ainda eu"),
    )
    assert (report.lines, report.received, report.chats_opened, report.problems) == (5, 5, 2, ())
    assert not report.aborted and report.ok
    with store.read() as session:
        wa = chats.messages(session, admin, open_chat.id)
        maria_chats = chats.list_chats(session, admin, maria.id)
        rui_chats = chats.list_chats(session, admin, rui.id)
    assert [(m.author_kind, m.text) for m in wa.messages][1:] == [
        ("client", "Olá"),
        ("client", "[bold red]x[/] ]8;;http://evillink]8;; end"),  # controls removed
    ]
    assert wa.messages[1].at == datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
    assert wa.messages[1].author_name == "Maria Santos" and wa.messages[1].employee_id is None
    assert sorted(c.channel for c in maria_chats) == ["email", "whatsapp"]
    assert [(c.channel, c.message_count, c.opened_by_id) for c in rui_chats] == [
        ("telegram", 2, None)
    ]


def test_receive_into_a_closed_chat_starts_a_new_one(
    store: Store, admin: Actor, maria: ClientRecord
) -> None:
    old = start(store, admin, maria)
    with store.write() as session:
        chats.close_chat(session, admin, old.id)
    report = receive(store, line(channel="whatsapp", phone="912345678", text="Outra coisa"))
    assert report.chats_opened == 1
    with store.read() as session:
        listed = chats.list_chats(session, admin, maria.id)
    assert [(c.status, c.last_message_text) for c in listed] == [
        ("open", "Outra coisa"),
        ("closed", "Olá"),
    ]


MALFORMED = [
    line(channel="whatsapp", phone="912345678", text="bom"),  # 1: good
    '{"channel": "whatsapp", "phone": ',  # 2: broken JSON
    line(channel="pager", phone="912345678", text="x"),  # 3: channel
    "",  # 4: empty, ignored
    line(channel="sms", phone="912345678"),  # 5: no text
    line(channel="sms", phone="912345678", text="\x00 \x00"),  # 6: empty text
    line(channel="sms", phone="965555555", text="x"),  # 7: nobody's number
    line(channel="sms", text="x"),  # 8: no client
    line(channel="sms", client_id=999_999, text="x"),  # 9: no such client
    line(channel="sms", phone="912345678", text="x", time="2026-11-20 09:15"),  # 10: no zone
    "[1, 2, 3]",  # 11: not an object
    line(channel="sms", client_id=True, text="x"),  # 12: not an id
    line(channel="whatsapp", phone="912 345 678", text="fim"),  # 13: good
]


def test_malformed_lines_write_nothing(store: Store, admin: Actor, maria: ClientRecord) -> None:
    report = receive(store, *MALFORMED)
    assert report.aborted and report.received == 0 and not report.ok
    assert [p.line for p in report.problems] == [2, 3, 5, 6, 7, 8, 9, 10, 11, 12]
    assert all(p.reason for p in report.problems)
    assert "Nothing was received" in report.summary()
    assert counts(store) == (0, 0, 0)


def test_skip_bad_writes_the_good_lines(store: Store, admin: Actor, maria: ClientRecord) -> None:
    report = receive(store, *MALFORMED, skip_bad=True)
    assert (report.received, report.chats_opened, len(report.problems)) == (2, 1, 10)
    with store.read() as session:
        (chat,) = chats.list_chats(session, admin, maria.id)
        assert [m.text for m in chats.messages(session, admin, chat.id).messages] == [
            "bom",
            "fim",
        ]


def test_run_chat_receive(store: Store, admin: Actor, maria: ClientRecord) -> None:
    out = io.StringIO()
    good = io.StringIO(line(channel="sms", phone="912345678", text="Olá") + "\n")
    assert run_chat_receive(store.url, good, "PT", out=out) == 0
    assert "Messages received: 1;" in out.getvalue()
    out = io.StringIO()
    assert run_chat_receive(store.url, io.StringIO("\n".join(MALFORMED)), "PT", out=out) == 1
    assert "Line 2:" in out.getvalue()
    assert counts(store)[1] == 1


def test_pt_pt_messages(store: Store, admin: Actor, maria: ClientRecord) -> None:
    chat = start(store, admin, maria)
    with store.write() as session:
        chats.close_chat(session, admin, chat.id)
    i18n.set_language("pt_PT")
    assert chats.channel_label("email") == "E-mail"
    with pytest.raises(DomainError, match="Reabra-a"), store.write() as session:
        chats.post_message(session, admin, chat.id, "Olá")
