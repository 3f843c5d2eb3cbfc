"""The Assets tab and the asset's profile, driven by keys: create, move twice and see the
history; duplicate serial, bad IMEI and an empty name are refused and write nothing."""

from __future__ import annotations

from sqlmodel import col, func, select

from remtui.domain import assets
from remtui.domain.assets import AssetForm
from remtui.store.tables.core import AuditEntry, Warehouse
from remtui.store.tables.crm import Asset, AssetMove
from remtui.ui.dialogs.asset import AssetDialog, MoveDialog, NewAssetDialog
from remtui.ui.screens.profile import ProfileScreen

from .conftest import screen_text, wait_for
from .crm_helpers import add_document, note, open_tab


def all_assets(store) -> list[Asset]:
    with store.read() as session:
        return list(session.exec(select(Asset).order_by(col(Asset.id))))


def stored(store, asset_id: int) -> assets.AssetRecord:
    with store.read() as session:
        return assets.get_asset(session, asset_id)


def counts(store) -> tuple[int, int, int]:
    with store.read() as session:
        return (
            session.exec(select(func.count()).select_from(Asset)).one(),
            session.exec(select(func.count()).select_from(AssetMove)).one(),
            session.exec(select(func.count()).select_from(AuditEntry)).one(),
        )


def warehouse_id(store, name: str) -> int:
    with store.read() as session:
        found = session.exec(select(Warehouse.id).where(Warehouse.name == name)).one()
        return int(found or 0)


def add_asset(store, admin, client_id: int, serial: str, *name: str) -> int:
    kind, brand, model = (*name, "", "", "")[:3]
    with store.write() as session:
        return assets.create_asset(
            session,
            admin,
            client_id,
            AssetForm(serial, kind, brand, model),
            warehouse_id(store, "Front desk"),
        ).id


async def new_asset(app, pilot, serial: str, kind: str, brand: str, model: str) -> None:
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(app.screen, NewAssetDialog))
    await wait_for(pilot, lambda: app.screen.query_one("#f-warehouse").selection is not None)
    await pilot.press(*serial, "tab", *kind, "tab", *brand, "tab", *model, "ctrl+s")


async def test_create_move_twice_and_see_the_history(make_app, store, admin, make_client):
    client = make_client("Rui Costa", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(app, pilot, "rui", "f5", "assets-table")
        assert "No assets yet" in screen_text(app)
        await new_asset(app, pilot, "SN-0001-X", "Laptop", "Lenovo", "T14")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        await wait_for(pilot, lambda: "SN-0001-X" in screen_text(app))
        assert "Laptop Lenovo T14" in screen_text(app) and "Front desk" in screen_text(app)
        (row,) = all_assets(store)
        assert (row.client_id, row.serial, row.serial_key, row.kind, row.brand, row.model) == (
            client.id,
            "SN-0001-X",
            "SN0001X",
            "Laptop",
            "Lenovo",
            "T14",
        )
        assert row.warehouse_id == warehouse_id(store, "Front desk")

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AssetDialog) and app.screen.record)
        profile = app.screen
        assert isinstance(profile, AssetDialog)
        assert "Registered in Front desk" in screen_text(app)
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MoveDialog))
        await wait_for(pilot, lambda: app.screen.query_one("#f-warehouse").option_count == 3)
        assert "(here now)" in screen_text(app)
        # Front desk (here now), Workshop, With the client: the first other one is offered.
        await pilot.press("enter")
        await wait_for(pilot, lambda: stored(store, row.id or 0).warehouse_name == "Workshop")
        await wait_for(pilot, lambda: isinstance(app.screen, AssetDialog))
        await wait_for(pilot, lambda: profile.record is not None and profile.record.version == 2)
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MoveDialog))
        await wait_for(pilot, lambda: app.screen.query_one("#f-warehouse").option_count == 3)
        await pilot.press("down", "down", "enter")  # Front desk -> Workshop -> With the client
        await wait_for(
            pilot, lambda: stored(store, row.id or 0).warehouse_name == "With the client"
        )
        await wait_for(pilot, lambda: profile.record is not None and profile.record.version == 3)
        shown = screen_text(app)
        assert "Front desk → Workshop" in shown and "Workshop → With the client" in shown
        assert "now in: With the client" in shown
        assert profile.query_one("#asset-moves").row_count == 3
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        await wait_for(pilot, lambda: "With the client" in screen_text(app))

    saved = stored(store, row.id or 0)
    assert [(m.from_warehouse_name, m.to_warehouse_name) for m in saved.moves] == [
        ("", "Front desk"),
        ("Front desk", "Workshop"),
        ("Workshop", "With the client"),
    ]
    assert all(m.employee_name == "Ana Admin" for m in saved.moves)


async def test_move_to_the_same_warehouse_is_refused(make_app, store, admin, make_client):
    client = make_client("Rui Costa", "912345678")
    asset_id = add_asset(store, admin, client.id, "ABC123", "Phone")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(app, pilot, "rui", "f5", "assets-table")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AssetDialog) and app.screen.record)
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MoveDialog))
        await wait_for(pilot, lambda: app.screen.query_one("#f-warehouse").option_count == 3)
        before = counts(store)
        await pilot.press("up", "enter")  # Front desk, where it is
        await wait_for(pilot, lambda: "The asset is already in Front desk." in screen_text(app))
        assert isinstance(app.screen, MoveDialog)
        assert counts(store) == before and stored(store, asset_id).version == 1


async def test_duplicate_serial_names_the_other_client(make_app, store, admin, make_client):
    other = make_client("Maria Costa", "965000111")
    make_client("Rui Silva", "912345678")
    add_asset(store, admin, other.id, "AB-1234", "Phone", "Samsung")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(app, pilot, "rui", "f5", "assets-table")
        before = counts(store)
        await new_asset(app, pilot, "ab 12.34", "Phone", "", "")
        await wait_for(
            pilot,
            lambda: (
                note(app, "serial")
                == "This serial number is already registered to the client Maria Costa."
            ),
        )
        assert isinstance(app.screen, NewAssetDialog)
        assert app.screen.focused is app.screen.query_one("#f-serial")
        assert counts(store) == before


async def test_bad_imei_and_empty_name_are_refused(make_app, store, make_client):
    make_client("Rui Costa", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(app, pilot, "rui", "f5", "assets-table")
        before = counts(store)
        await new_asset(app, pilot, "35-209900-176148-2", "Phone", "", "")
        await wait_for(pilot, lambda: "check digit is wrong" in note(app, "serial"))
        assert app.screen.focused is app.screen.query_one("#f-serial")
        assert counts(store) == before
        # Right IMEI, but no name at all.
        await pilot.press("end", "backspace", "1", "tab", "ctrl+a", "ctrl+k", "ctrl+s")
        await wait_for(pilot, lambda: "Give the asset a name" in note(app, "kind"))
        assert note(app, "serial") == ""
        assert counts(store) == before
        # Markup, an escape sequence and emoji are kept as text.
        app.screen.query_one("#f-kind").value = "[@click=app.quit]x[/] 📱 \x1b[2J"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        await wait_for(pilot, lambda: "352099001761481" in screen_text(app).replace("-", ""))
        assert app.is_running
    (row,) = all_assets(store)
    assert (row.serial_key, row.kind) == ("352099001761481", "[@click=app.quit]x[/] 📱 [2J")


async def test_edit_fields_stale_save_and_linked_work_orders(make_app, store, admin, make_client):
    client = make_client("Rui Costa", "912345678")
    asset_id = add_asset(store, admin, client.id, "SN1", "Phone", "Apple", "iPhone 12")
    add_document(store, client.id, "work_order", "new", number="WO-000042", asset_id=asset_id)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_tab(app, pilot, "rui", "f5", "assets-table")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AssetDialog) and app.screen.record)
        profile = app.screen
        assert isinstance(profile, AssetDialog)
        assert "WO-000042" in screen_text(app)
        with store.write() as session:  # another clerk renames it meanwhile
            assets.update_asset(
                session, admin, asset_id, AssetForm("SN1", "Phone", "Apple", "iPhone 13"), 1
            )
        profile.query_one("#f-notes").focus()
        await pilot.press(*"Cracked back", "ctrl+s")
        await wait_for(pilot, lambda: "Not saved: Ana Admin changed this asset" in screen_text(app))
        assert profile.query_one("#f-model").value == "iPhone 13"
        await pilot.press("ctrl+r", "ctrl+s")
        await wait_for(pilot, lambda: stored(store, asset_id).version == 3)
        # The serial of another asset of the shop is refused on edit too.
        add_asset(store, admin, client.id, "SN2", "Tablet")
        profile.query_one("#f-serial").focus()
        await pilot.press("end", "backspace", "2", "ctrl+s")
        await wait_for(
            pilot, lambda: "already registered to the client Rui Costa" in screen_text(app)
        )
    saved = stored(store, asset_id)
    assert (saved.serial, saved.model, saved.notes, saved.version) == (
        "SN1",
        "iPhone 13",
        "Cracked back",
        3,
    )
