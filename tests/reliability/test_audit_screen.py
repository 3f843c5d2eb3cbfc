"""The audit screen, driven by keys: newest first, filtered, paged, read only, only for
administrators, and outside text shown as text."""

from __future__ import annotations

from textual.widgets import DataTable

from remtui.domain import audit, staff
from remtui.store.engine import Store
from remtui.ui.dialogs.message import MessageDialog
from remtui.ui.screens.audit import PAGE, AuditScreen
from tests.ui.conftest import screen_text, wait_for

HOSTILE_LOGIN = "\x1b]0;pwned\x07[bold red]boss[/]\u202eevil"


def _table(app) -> DataTable:
    return app.screen.query_one("#audit-table", DataTable)


async def _open(app, pilot) -> AuditScreen:
    await wait_for(pilot, lambda: app.actor is not None)
    screen = AuditScreen()
    await app.push_screen(screen)
    await wait_for(pilot, lambda: screen.allowed is not None)
    return screen


async def test_newest_first_filter_and_details_by_keys(make_app, store: Store, make_client):
    make_client("Ana Silva", "912345678")
    make_client("Rui Costa", "213456789")
    with store.write() as session:
        staff.sign_in(session, HOSTILE_LOGIN, "not the password")
    app = make_app()
    async with app.run_test(size=(160, 30)) as pilot:
        screen = await _open(app, pilot)
        assert screen.allowed
        actions = [r.action for r in screen.rows]
        assert actions[:3] == ["sign_in.failed", "client.create", "client.create"]
        assert actions[-1] == "employee.create"
        text = screen_text(app)
        assert "Audit log" in text and "sign_in.failed" in text and "client.create" in text
        # Outside text is text: markup shown literally, controls and bidi made visible.
        assert "[bold red]boss[/]" in text
        assert "\x1b" not in text and "\u202e" not in text

        await pilot.press(*"rui")
        await wait_for(pilot, lambda: [r.action for r in screen.rows] == ["client.create"])
        assert '"Rui Costa"' in screen_text(app) and "Ana Silva" not in screen_text(app)

        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MessageDialog))
        shown = screen_text(app)
        assert "client.create" in shown and "Rui Costa" in shown and "admin" in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)

        await pilot.press("escape")  # from the list back to the filter
        for _ in range(3):
            await pilot.press("backspace")
        await pilot.press(*"nothing like this")
        await wait_for(pilot, lambda: "No entry matches" in screen_text(app))
        assert _table(app).row_count == 0


async def test_pages_load_as_the_cursor_goes_down(make_app, store: Store, admin):
    with store.write() as session:
        for i in range(PAGE + 60):
            audit.record(session, admin.id, "test.entry", "thing", i, n=i)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        await wait_for(pilot, lambda: len(screen.rows) == PAGE)
        assert screen.has_more and screen.rows[0].entity_id == PAGE + 59
        await pilot.press("down")
        for _ in range(8):
            await pilot.press("pagedown")
        await wait_for(pilot, lambda: len(screen.rows) == PAGE + 61)  # + employee.create
        assert not screen.has_more
        ids = [r.id for r in screen.rows]
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
        assert "161 entries." in screen_text(app)


async def test_only_employees_who_manage_employees_see_it(make_app, store: Store, admin):
    with store.write() as session:
        staff.add_employee(session, admin, "carla", "Carla Clerk", "correct horse", "clerk")
    app = make_app(demo_login="carla")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        assert screen.allowed is False
        assert screen.rows == [] and _table(app).row_count == 0
        assert "Only employees who manage employees" in screen_text(app)
        assert "employee.create" not in screen_text(app)


async def test_nothing_in_the_screen_changes_the_log(make_app, store: Store, make_client):
    make_client("Ana Silva", "912345678")
    with store.read() as session:
        before = [(r.id, r.action, r.detail) for r in audit.recent(session, limit=1000)]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        await pilot.press("down", "enter", "escape", "delete", "backspace", "ctrl+s", "ctrl+d")
        await pilot.press("escape", "escape")  # list -> filter -> back
        await wait_for(pilot, lambda: app.screen is not screen)
    with store.read() as session:
        after = [(r.id, r.action, r.detail) for r in audit.recent(session, limit=1000)]
    assert after == before
