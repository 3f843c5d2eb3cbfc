"""Every desk task, from the clients screen, by keys only: the whole key sequence sent in one
burst (as a slow SSH link delivers what a fast typist types, from the moment the app is up)
gives exactly the store result of the same keys typed slowly (each key handled and settled
before the next); and no task takes more than six named keys (letters typed as data do not
count)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from textual import events

from remtui.domain import catalog, chats, documents, leads, ledger, payments, sms, staff
from remtui.domain.assets import list_assets
from remtui.domain.search import search_clients
from remtui.ui.screens.profile import ProfileScreen

from .conftest import wait_for

MAX_NAMED_KEYS = 6
FIND = ("=913 000", "enter")  # the phone fragment of Bruno, not the first client listed


@dataclass(frozen=True)
class Task:
    name: str
    steps: tuple[str, ...]  # a key name, or "=text" typed as data
    result: Callable[[Any, int], object]  # (store, Bruno's id) -> what the store holds
    expected: object
    setup: Callable[[Any, Any, int], None] | None = None

    def key_sequence(self) -> list[str]:
        keys: list[str] = []
        for step in self.steps:
            keys.extend(step[1:]) if step.startswith("=") else keys.append(step)
        return keys

    def named_keys(self) -> int:
        return sum(1 for step in self.steps if not step.startswith("="))


def amounts(store: Any, client_id: int) -> list[int]:
    with store.read() as session:
        return sorted(p.signed_amount for p in payments.list_payments(session, client_id))


def balance(store: Any, client_id: int) -> int:
    with store.read() as session:
        return ledger.balance(session, client_id)


def new_client(store: Any, _client_id: int) -> list[str]:
    with store.read() as session:
        return [h.name for h in search_clients(session, "914 555 666").hits]


def lead_texts(store: Any, client_id: int) -> list[tuple[str, str]]:
    with store.read() as session:
        return [(r.channel, r.description) for r in leads.list_leads(session, client_id)]


def asset_serials(store: Any, client_id: int) -> list[tuple[str, str]]:
    with store.read() as session:
        return [(r.serial, r.name) for r in list_assets(session, client_id)]


def sms_texts(store: Any, client_id: int) -> list[str]:
    with store.read() as session:
        return [r.text for r in sms.list_sms(session, client_id).rows]


def chat_channels(store: Any, client_id: int) -> list[str]:
    with store.read() as session:
        actor = staff.actor_for(session, "admin")
        return [c.channel for c in chats.list_chats(session, actor, client_id)]


def advance_of_50(store: Any, admin: Any, client_id: int) -> None:
    with store.write() as session:
        box = staff.cashboxes(session)[0][0]
        payments.take_payment(session, admin, client_id, cashbox_id=box, amount=5000)


def screen_in_catalog(store: Any, admin: Any, _client_id: int) -> None:
    with store.write() as session:
        catalog.create_item(session, admin, name="Substituição de ecrã", price=8900)


def sales(store: Any, client_id: int) -> list[tuple[str, int, int]]:
    with store.read() as session:
        return [(d.kind, d.total, d.due) for d in documents.list_documents(session, client_id)]


TASKS = [
    Task("advance", (*FIND, "f7", "a", "=150,00", "enter"), amounts, [15000]),
    Task(
        "refund",
        (*FIND, "f7", "r", "=15,00", "tab", "=devolvido", "enter"),
        amounts,
        [-1500, 5000],
        setup=advance_of_50,
    ),
    Task(
        "correction, we owe more",
        (*FIND, "f3", "c", "=20", "down", "enter", "=acerto", "enter"),
        balance,
        -2000,
    ),
    Task(
        "new client",
        ("ctrl+n", "=Carla Dias", "tab", "=914 555 666", "ctrl+s"),
        new_client,
        ["Carla Dias"],
    ),
    Task(
        "new lead",
        (*FIND, "f4", "n", "=balcão", "tab", "=ecrã partido", "ctrl+s"),
        lead_texts,
        [("balcão", "ecrã partido")],
    ),
    Task(
        "new asset",
        (*FIND, "f5", "n", "=SN-77", "tab", "=Telemóvel", "ctrl+s"),
        asset_serials,
        [("SN-77", "Telemóvel")],
    ),
    Task("new SMS", (*FIND, "f8", "f9", "m", "=Pronto", "ctrl+s"), sms_texts, ["Pronto"]),
    Task("new chat", (*FIND, "f8", "f9", "f9", "n", "=Olá", "enter"), chat_channels, ["whatsapp"]),
    Task(
        "sale of a catalog item, paid in full",
        # Enter takes the highlighted catalog match; the sale's payment comes next
        (*FIND, "f6", "s", "=ecra", "enter", "ctrl+s", "enter"),
        sales,
        [("sale", 8900, 0)],
        setup=screen_in_catalog,
    ),
]


@pytest.fixture
def desk(store, admin, make_client):
    make_client("Ana Silva", "912345678")
    return make_client("Bruno Costa", "913000111").id


def burst(app: Any, keys: list[str]) -> None:
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


@pytest.mark.parametrize("task", TASKS, ids=[t.name for t in TASKS])
def test_at_most_six_named_keys(task: Task) -> None:
    assert task.named_keys() <= MAX_NAMED_KEYS, task.steps


@pytest.mark.parametrize("mode", ["burst", "slow"])
@pytest.mark.parametrize("task", TASKS, ids=[t.name for t in TASKS])
async def test_desk_task_gives_the_same_result_however_fast(
    make_app, store, admin, desk, task: Task, mode: str
) -> None:
    if task.setup is not None:
        task.setup(store, admin, desk)
    app = make_app(store_open_delay=0.0)
    async with app.run_test(size=(100, 34)) as pilot:
        if mode == "burst":
            burst(app, task.key_sequence())  # before the store is even open
            await app.keys_settled()
        else:
            await wait_for(pilot, lambda: app.screen.query_one("#results").row_count == 2)
            for key in task.key_sequence():
                await pilot.press(key)
        await wait_for(pilot, lambda: not app.workers._workers)
        assert task.result(store, desk) == task.expected, app.screen


@pytest.mark.parametrize("mode", ["burst", "slow"])
async def test_find_by_phone_and_open(make_app, desk, mode: str) -> None:
    app = make_app(store_open_delay=0.0)
    async with app.run_test(size=(100, 34)) as pilot:
        keys = [*"913 000", "enter"]
        if mode == "burst":
            burst(app, keys)
            await app.keys_settled()
        else:
            await wait_for(pilot, lambda: app.screen.query_one("#results").row_count == 2)
            for key in keys:
                await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        assert app.screen.client_id == desk
