"""SVG snapshots of each screen (Textual is pinned exactly, so these are stable).

Update after an intended change: uv run pytest tests/ui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest

from remtui.ui.screens.profile import ProfileScreen

from .conftest import wait_for


@pytest.fixture
def shop(make_client):
    make_client("João Silva", "912 345 678", email="joao@exemplo.pt", tax_id="123456789")
    make_client("Maria Costa", "965 000 111", "218 765 432", address="Rua Augusta, 10, Lisboa")
    make_client(
        "Oficina Lusa, Lda.",
        "939 717 164",
        kind="company",
        conflicted=True,
        notes="Pede sempre fatura.",
    )


def test_sign_in(snap, make_app, admin):
    async def ready(pilot):
        await wait_for(pilot, lambda: pilot.app.screen.query("#login"))

    assert snap(make_app(demo_login=None), ready)


def test_clients(snap, make_app, shop):
    async def ready(pilot):
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#results").row_count == 3)

    assert snap(make_app(), ready)


def test_general_tab(snap, make_app, shop):
    async def ready(pilot):
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#results").row_count == 3)
        await pilot.press(*"oficina")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#results").row_count == 1)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, ProfileScreen)
                and pilot.app.screen.query_one("#f-name").value
            ),
        )

    assert snap(make_app(), ready)


def test_general_tab_errors(snap, make_app, shop):
    async def ready(pilot):
        await pilot.press(*"joao")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#results").row_count == 1)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, ProfileScreen)
                and pilot.app.screen.query_one("#f-name").value
            ),
        )
        email = pilot.app.screen.query_one("#f-email")
        email.value = "not-an-email"
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: "e-mail address" in str(pilot.app.screen.query_one("#err-email").render()),
        )

    assert snap(make_app(), ready)
