"""SVG snapshots of the Balance tab in its three states and of the correction dialog."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

import pytest

from remtui.domain import corrections
from remtui.ui.screens.profile import ProfileScreen

from .conftest import wait_for

FIXED = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr("remtui.domain.ledger.utcnow", lambda: FIXED)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    os.environ.pop("TZ", None)
    time.tzset()


def client_with(store, admin, make_client, moves):
    rec = make_client("Rita Reis", "912 345 678")
    with store.write() as session:
        for direction, amount, reason in moves:
            corrections.add_correction(
                session, admin, rec.id, direction=direction, amount=amount, reason=reason
            )
    return rec


async def _open(pilot, *keys):
    app = pilot.app
    await wait_for(pilot, lambda: app.actor is not None)
    await pilot.press(*"rita")
    await wait_for(pilot, lambda: app.screen.query_one("#results").row_count == 1)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
    await pilot.press("f3")
    await wait_for(
        pilot,
        lambda: (
            app.screen.query_one("#statement").row_count >= 0
            and "Loading" not in str(app.screen.query_one("#balance-badge").render())
        ),
    )
    await pilot.press(*keys)  # `snap` takes the picture once the app is at rest


@pytest.mark.parametrize(
    ("name", "moves"),
    [
        (
            "receivable",
            [("owes_more", 4500, "Reparação de ecrã"), ("we_owe_more", 1000, "Desconto")],
        ),
        ("settled", [("owes_more", 2000, "Bateria"), ("we_owe_more", 2000, "Pago")]),
        ("payable", [("we_owe_more", 1250, "Sinal em excesso")]),
    ],
)
def test_balance_states(snap, make_app, store, admin, make_client, name, moves):
    client_with(store, admin, make_client, moves)
    assert snap(make_app(), lambda p: _open(p))


def test_correction_dialog(snap, make_app, store, admin, make_client):
    client_with(store, admin, make_client, [("owes_more", 4500, "Reparação")])
    assert snap(make_app(), lambda p: _open(p, "c", "1", "0", ",", "5", "0"))
