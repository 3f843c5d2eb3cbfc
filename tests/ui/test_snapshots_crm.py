"""SVG snapshots of the Leads and Assets tabs and of both profiles, at 80x24, on fixed data
(every time in the store is set to a fixed moment, and the clock reads UTC).

Update after an intended change: uv run pytest tests/ui/test_snapshots_crm.py --snapshot-update
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from remtui.domain import assets, leads, staff
from remtui.domain.assets import AssetForm
from remtui.domain.leads import LeadForm
from remtui.store.tables.core import Warehouse
from remtui.ui.dialogs.asset import AssetDialog
from remtui.ui.dialogs.lead import LeadDialog
from remtui.ui.screens.profile import ProfileScreen

from .conftest import wait_for
from .crm_helpers import add_document

START = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def utc_clock(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _fix_times(store) -> None:
    """Every history row at a fixed moment (in the order they were written); each lead and
    asset created at its first history row and last changed at its last one."""
    steps = (
        ("lead_status_change", "at", START),
        ("asset_move", "at", START + timedelta(days=1)),
        ("document", "created_at", START + timedelta(days=2)),
        ("document", "updated_at", START + timedelta(days=2)),
    )
    with store.write() as session:
        run = session.connection().execute
        for table, column, base in steps:
            for (row_id,) in run(text(f"SELECT id FROM {table}")).all():
                moment = base + timedelta(hours=3 * int(row_id), minutes=17 * int(row_id))
                run(
                    text(f"UPDATE {table} SET {column} = :t WHERE id = :id"),
                    {"t": moment, "id": row_id},
                )
        for table, history, key in (
            ("lead", "lead_status_change", "lead_id"),
            ("asset", "asset_move", "asset_id"),
        ):
            run(
                text(
                    f"UPDATE {table} SET "
                    f"created_at = (SELECT min(at) FROM {history} h WHERE h.{key} = {table}.id), "
                    f"updated_at = (SELECT max(at) FROM {history} h WHERE h.{key} = {table}.id)"
                )
            )


@pytest.fixture
def shop(store, admin, make_client):
    rui = make_client("Rui Costa", "912 345 678")
    with store.write() as session:
        rita = staff.add_employee(session, admin, "rita", "Rita Reis", "password-rita", "clerk")
        places = {w.name: w.id or 0 for w in session.exec(select(Warehouse))}

    def lead(description: str, channel: str, who: int) -> leads.LeadRecord:
        with store.write() as session:
            return leads.create_lead(session, admin, rui.id, LeadForm(description, channel, who))

    first = lead("Wants a price for a new battery", "Phone call", admin.id)
    second = lead("iPhone 12 screen cracked", "Walk-in", rita.id)
    third = lead("Laptop does not start; data to recover", "Website", rita.id)
    lead("Asks about a used phone under 200 €", "Recommendation", admin.id)
    with store.write() as session:
        for rec in (first, second, third):
            leads.start_work(session, admin, rec.id, rec.version)
        leads.mark_lost(session, admin, first.id, "price", 2, "Found it cheaper")
    iphone_serial, laptop_serial = "35-209900-176148-1", "PF-2KX9 81"
    with store.write() as session:
        iphone = assets.create_asset(
            session,
            admin,
            rui.id,
            AssetForm(iphone_serial, "Phone", "Apple", "iPhone 12"),
            places["Front desk"],
        )
        assets.move_asset(session, rita, iphone.id, places["Workshop"], 1)
        assets.move_asset(session, admin, iphone.id, places["Front desk"], 2)
        assets.create_asset(
            session,
            admin,
            rui.id,
            AssetForm(laptop_serial, "Laptop", "Lenovo", "ThinkPad T14"),
            places["Workshop"],
        )
    won_doc = add_document(
        store,
        rui.id,
        "work_order",
        "in_progress",
        number="WO-000101",
        asset_id=iphone.id,
        total=8900,
    )
    add_document(
        store,
        rui.id,
        "work_order",
        "closed",
        number="WO-000087",
        asset_id=iphone.id,
        total=4500,
    )
    with store.write() as session:
        leads.mark_won(session, admin, second.id, won_doc, 2)
    _fix_times(store)
    return rui


async def _open_tab(pilot, key: str, table_id: str, rows: int) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.actor is not None)
    await pilot.press(*"rui")
    await wait_for(pilot, lambda: app.screen.query_one("#results").row_count == 1)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
    await wait_for(pilot, lambda: app.screen.query_one("#f-name").value)
    await pilot.press(key)
    await wait_for(pilot, lambda: app.screen.query_one(f"#{table_id}").row_count == rows)
    await pilot.pause()


def test_leads_tab(snap, make_app, shop):
    async def ready(pilot):
        await _open_tab(pilot, "f4", "leads-table", 4)

    assert snap(make_app(), ready)


def test_lead_profile(snap, make_app, shop):
    async def ready(pilot):
        await _open_tab(pilot, "f4", "leads-table", 4)
        await pilot.press("down", "enter")  # L-000003, in work
        await wait_for(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, LeadDialog)
                and pilot.app.screen.query_one("#lead-history").row_count == 2
            ),
        )
        await pilot.pause()

    assert snap(make_app(), ready)


def test_lead_profile_won(snap, make_app, shop):
    async def ready(pilot):
        await _open_tab(pilot, "f4", "leads-table", 4)
        await pilot.press("down", "down", "enter")  # L-000002, won by WO-000101
        await wait_for(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, LeadDialog)
                and pilot.app.screen.query_one("#lead-history").row_count == 3
            ),
        )
        await pilot.pause()

    assert snap(make_app(), ready)


def test_assets_tab(snap, make_app, shop):
    async def ready(pilot):
        await _open_tab(pilot, "f5", "assets-table", 2)

    assert snap(make_app(), ready)


def test_asset_profile(snap, make_app, shop):
    async def ready(pilot):
        await _open_tab(pilot, "f5", "assets-table", 2)
        await pilot.press("down", "enter")  # the iPhone: three moves, two work orders
        await wait_for(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, AssetDialog)
                and pilot.app.screen.query_one("#asset-orders").row_count == 2
            ),
        )
        await pilot.pause()

    assert snap(make_app(), ready)
