"""SVG snapshots of the Communications tab's sections and of the chat view, at 80x24.

Update after an intended change:
uv run pytest tests/ui/test_snapshots_comms.py --snapshot-update
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from remtui.domain import calls, chats, corrections, documents, sms
from remtui.domain.documents import LineInput
from remtui.ui.screens.chat import ChatScreen
from remtui.ui.screens.profile import ProfileScreen

from .conftest import wait_for

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Dates shown in the shop's time zone: UTC here, so the snapshots never change."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def shop(store, admin, make_client, monkeypatch, utc):
    """One client with calls, SMS in every state, two chats, a balance and a work order,
    all at fixed times."""
    clock = iter(T0 + timedelta(minutes=7 * i) for i in range(1000))
    for module in ("sms.messages", "sms.sending", "chats.changes", "chats.receive"):
        monkeypatch.setattr(f"remtui.domain.{module}.utcnow", lambda: next(clock))
    client = make_client("Maria Costa", "965 000 111", "218 765 432")
    with store.write() as session:
        for hours, direction, duration, recording in (
            (-50, "incoming", "2:05", "https://pbx.example/rec/1.wav"),
            (-30, "outgoing", "45", "/var/spool/pbx/2.wav"),
            (-20, "missed", "0", "javascript:alert(1)"),
            (-2, "incoming", "12:40", "[@click=app.quit]x"),
        ):
            calls.log_call(
                session,
                admin,
                client.id,
                direction=direction,
                duration=duration,
                recording=recording,
                at=T0 + timedelta(hours=hours),
            )
        queued = [
            sms.queue_sms(session, admin, client.id, "+351965000111", text).id
            for text in (
                "O seu portátil está pronto para levantar.",
                "Orçamento: 89,00 €. Responda SIM para aprovar.",
                "Lembrete: a loja fecha às 19h.",
            )
        ]
        sms.set_status(session, queued[0], "failed", "gateway refused: no credit")
        sms.set_status(session, queued[1], "failed", "")
        sms.set_status(session, queued[1], "sent")
        closed = chats.start_chat(session, admin, client.id, "email", "Segue a fatura em anexo.")
        chats.close_chat(session, admin, closed.id)
        chat = chats.start_chat(session, admin, client.id, "whatsapp", "Bom dia! Já temos o ecrã.")
        chats.post_message(session, admin, chat.id, "Pode passar a partir das 15h.")
        chats.receive_messages(
            session,
            [
                '{"channel": "whatsapp", "phone": "965000111", "time": "2026-03-02T10:30Z", '
                '"text": "Obrigada! Passo lá às 16h [b]ok[/b] 😀"}'
            ],
        )
        corrections.add_correction(
            session,
            admin,
            client.id,
            direction="owes_more",
            amount=12500,
            reason="Saldo anterior",
        )
        documents.create_document(
            session,
            admin,
            client.id,
            "work_order",
            [LineInput("Substituir ecrã", "1", 8900)],
        )
    return client


async def open_comms(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.actor is not None)
    await pilot.press(*"maria")
    await wait_for(pilot, lambda: app.screen.query_one("#results").row_count == 1)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
    await pilot.press("f8")
    tab = app.screen.query_one("#comms")
    await wait_for(pilot, lambda: len(tab.calls) == 4 and len(tab.sms) == 3 and len(tab.chats) == 2)


async def section(pilot, name: str) -> None:
    await open_comms(pilot)
    tab = pilot.app.screen.query_one("#comms")
    while tab.section != name:
        await pilot.press("f9")
    await wait_for(pilot, lambda: pilot.app.screen.query_one(f"#{name}-table").has_focus)
    await pilot.pause()


def test_comms_calls(snap, make_app, shop):
    async def ready(pilot):
        await section(pilot, "calls")

    assert snap(make_app(), ready)


def test_comms_sms(snap, make_app, shop):
    async def ready(pilot):
        await section(pilot, "sms")
        await pilot.press("down", "down")  # the failed one, with its gateway error
        await pilot.pause()

    assert snap(make_app(), ready)


def test_comms_chats(snap, make_app, shop):
    async def ready(pilot):
        await section(pilot, "chats")

    assert snap(make_app(), ready)


def test_chat_view(snap, make_app, shop):
    async def ready(pilot):
        await section(pilot, "chats")
        await pilot.press("enter")
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: len(app.screen.shown_ids) == 3)
        await wait_for(
            pilot,
            lambda: "Open documents" in str(app.screen.query_one("#chat-client-info").render()),
        )

    assert snap(make_app(), ready)


def test_sms_composer(snap, make_app, shop):
    async def ready(pilot):
        await section(pilot, "sms")
        await pilot.press("m")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "numbers", None))
        await pilot.press(*"Bom dia, o seu portatil esta pronto. {Loja}")

    assert snap(make_app(), ready)
