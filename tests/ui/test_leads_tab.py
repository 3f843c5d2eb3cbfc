"""The Leads tab and the lead's profile, driven by keys: create, take into work, win by
linking a work order, lose with a reason; refused input writes nothing."""

from __future__ import annotations

from sqlmodel import col, func, select

from remtui.domain import leads, staff
from remtui.domain.leads import LeadForm
from remtui.store.tables.core import AuditEntry
from remtui.store.tables.crm import Lead, LeadStatusChange
from remtui.ui.dialogs.lead import LeadDialog, LostDialog, NewLeadDialog, WinDialog
from remtui.ui.screens.profile import ProfileScreen

from .conftest import screen_text, wait_for
from .crm_helpers import add_document, open_tab


def all_leads(store) -> list[Lead]:
    with store.read() as session:
        return list(session.exec(select(Lead).order_by(col(Lead.id))))


def stored(store, lead_id: int) -> leads.LeadRecord:
    with store.read() as session:
        return leads.get_lead(session, lead_id)


def counts(store) -> tuple[int, int, int]:
    with store.read() as session:
        return (
            session.exec(select(func.count()).select_from(Lead)).one(),
            session.exec(select(func.count()).select_from(LeadStatusChange)).one(),
            session.exec(select(func.count()).select_from(AuditEntry)).one(),
        )


def lead_in_work(store, admin, client_id: int, description: str = "Screen broken") -> int:
    with store.write() as session:
        lead = leads.create_lead(
            session, admin, client_id, LeadForm(description, "Phone call", admin.id)
        )
        return leads.start_work(session, admin, lead.id, lead.version).id


def dialog(app) -> LeadDialog:
    screen = app.screen
    assert isinstance(screen, LeadDialog)
    return screen


async def open_lead(app, pilot) -> LeadDialog:
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, LeadDialog) and app.screen.record)
    return dialog(app)


async def test_create_start_work_and_win_by_linking_a_work_order(
    make_app, store, admin, make_client
):
    client = make_client("Rui Costa", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(app, pilot, "rui", "f4", "leads-table")
        assert "No leads yet" in screen_text(app)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewLeadDialog))
        await wait_for(pilot, lambda: app.screen.query_one("#f-responsible").selection == admin.id)
        await pilot.press(*"Walk-in", "tab", *"iPhone 12 screen broken", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        await wait_for(pilot, lambda: "L-000001" in screen_text(app))
        (row,) = all_leads(store)
        assert (row.client_id, row.status, row.channel, row.description, row.responsible_id) == (
            client.id,
            "new",
            "Walk-in",
            "iPhone 12 screen broken",
            admin.id,
        )
        assert "New" in screen_text(app)

        lead = await open_lead(app, pilot)
        assert "Status: New" in screen_text(app)
        await pilot.press("w")
        await wait_for(pilot, lambda: stored(store, row.id or 0).status == "in_work")
        await wait_for(pilot, lambda: lead.record is not None and lead.record.status == "in_work")
        assert "Status: In work" in screen_text(app)
        assert "New → In work" in screen_text(app)

        doc_id = add_document(store, client.id, "work_order", number="WO-000007")
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, WinDialog))
        await wait_for(pilot, lambda: app.screen.query_one("#win-documents").row_count == 1)
        assert "Work order WO-000007" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LeadDialog))
        await wait_for(pilot, lambda: lead.record is not None and lead.record.status == "won_order")
        shown = screen_text(app)
        assert "Status: Won (order)" in shown and "Result: Work order WO-000007" in shown
        assert "In work → Won (order)" in shown
        # Won is final: no status action is offered any more.
        actions = {b.binding.action for b in app.screen.active_bindings.values()}
        assert not {"start_work", "mark_won", "mark_lost"} & actions
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        await wait_for(pilot, lambda: "Work order WO-000007" in screen_text(app))
        assert "Won (order)" in screen_text(app)

    saved = stored(store, row.id or 0)
    assert (saved.status, saved.document_id, saved.result) == (
        "won_order",
        doc_id,
        "Work order WO-000007",
    )
    assert [(h.from_status, h.to_status) for h in saved.history] == [
        ("", "new"),
        ("new", "in_work"),
        ("in_work", "won_order"),
    ]


async def test_mark_lost_with_a_reason_other_needs_text(make_app, store, admin, make_client):
    client = make_client("Rui Costa", "912345678")
    lead_id = lead_in_work(store, admin, client.id)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(app, pilot, "rui", "f4", "leads-table")
        lead = await open_lead(app, pilot)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LostDialog))
        before = counts(store)
        await pilot.press("ctrl+s")  # no reason chosen
        await wait_for(pilot, lambda: "Choose why the lead was lost." in screen_text(app))
        assert counts(store) == before
        # The reason list: Price, Quality, Terms, No answer, Other.
        await pilot.press("enter", "end", "enter")
        await wait_for(pilot, lambda: app.screen.query_one("#f-lost_reason").selection == "other")
        await pilot.press("ctrl+s")  # "Other" without a note
        await wait_for(pilot, lambda: "Say why the lead was lost." in screen_text(app))
        assert counts(store) == before and stored(store, lead_id).status == "in_work"
        assert app.screen.focused is app.screen.query_one("#f-lost_note")  # the wrong field
        await pilot.press(*"Went to a shop nearby", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LeadDialog))
        await wait_for(pilot, lambda: lead.record is not None and lead.record.status == "lost")
        shown = screen_text(app)
        assert "Status: Lost" in shown and "Other: Went to a shop nearby" in shown
        assert "In work → Lost" in shown
    saved = stored(store, lead_id)
    assert (saved.status, saved.lost_reason, saved.lost_note) == (
        "lost",
        "other",
        "Went to a shop nearby",
    )


async def test_lost_with_a_listed_reason(make_app, store, admin, make_client):
    client = make_client("Rui Costa", "912345678")
    lead_id = lead_in_work(store, admin, client.id)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(app, pilot, "rui", "f4", "leads-table")
        await open_lead(app, pilot)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LostDialog))
        await pilot.press("enter", "down", "enter", "ctrl+s")  # the first reason: Price
        await wait_for(pilot, lambda: stored(store, lead_id).status == "lost")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        await wait_for(pilot, lambda: "Price" in screen_text(app))
    assert stored(store, lead_id).lost_reason == "price"


async def test_illegal_transitions_are_not_offered(make_app, store, admin, make_client):
    client = make_client("Rui Costa", "912345678")
    with store.write() as session:
        leads.create_lead(session, admin, client.id, LeadForm("Battery", "", None))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(app, pilot, "rui", "f4", "leads-table")
        await open_lead(app, pilot)
        actions = {b.binding.action for b in app.screen.active_bindings.values()}
        assert "start_work" in actions and not {"mark_won", "mark_lost"} & actions
        before = counts(store)
        await pilot.press("o", "l")  # a New lead cannot be won or lost: nothing opens
        await pilot.pause()
        assert isinstance(app.screen, LeadDialog)
        assert not app.screen.query_one("#lead-won").display
        assert not app.screen.query_one("#lead-lost").display
        assert counts(store) == before


async def test_new_lead_bad_input_writes_nothing(make_app, store, make_client):
    make_client("Rui Costa", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(app, pilot, "rui", "f4", "leads-table")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewLeadDialog))
        before = counts(store)
        await pilot.press("ctrl+s")  # no description
        await wait_for(pilot, lambda: "Describe what the client wants." in screen_text(app))
        app.screen.query_one("#f-channel").value = "x" * 10_000
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "At most 100 characters." in screen_text(app))
        assert counts(store) == before
        # Markup and control characters are stored as text, never run.
        app.screen.query_one("#f-channel").value = "[@click=app.quit]x[/] \x1b[31m"
        app.screen.query_one("#f-description").text = "[b]bold?[/b] 📱"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        await wait_for(pilot, lambda: "L-000001" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LeadDialog) and app.screen.record)
        assert app.is_running
    (row,) = all_leads(store)
    assert row.channel == "[@click=app.quit]x[/] [31m"
    assert row.description == "[b]bold?[/b] 📱"


async def test_edit_fields_and_a_stale_save(make_app, store, admin, make_client):
    client = make_client("Rui Costa", "912345678")
    with store.write() as session:
        other = staff.add_employee(session, admin, "rita", "Rita Reis", "password-rita", "clerk")
    lead_id = lead_in_work(store, admin, client.id, "Old text")
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_tab(app, pilot, "rui", "f4", "leads-table")
        lead = await open_lead(app, pilot)
        # Someone else saves first.
        with store.write() as session:
            current = leads.get_lead(session, lead_id)
            leads.update_lead(
                session, admin, lead_id, LeadForm("Their text", "Website", admin.id), 2
            )
        await pilot.press("shift+tab", "shift+tab", "shift+tab")  # back to the description
        assert app.screen.focused is app.screen.query_one("#f-description")
        await pilot.press("home", "shift+end", *"My text", "ctrl+s")
        await wait_for(pilot, lambda: "Not saved: Ana Admin changed this lead" in screen_text(app))
        await wait_for(pilot, lambda: lead.record is not None and lead.record.version == 3)
        assert app.screen.query_one("#f-description").text == "Their text"
        assert stored(store, lead_id).description == "Their text"
        await pilot.press("ctrl+r")  # put back my edits, then save over theirs knowingly
        assert app.screen.query_one("#f-description").text == "My text"
        # ... and give it to Rita.
        app.screen.query_one("#f-responsible").value = other.id
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: stored(store, lead_id).version == 4)
        await wait_for(pilot, lambda: "Saved." in screen_text(app))
    saved = stored(store, lead_id)
    assert current.version == 2
    assert (saved.description, saved.channel, saved.responsible_name) == (
        "My text",
        "Website",
        "Rita Reis",
    )


async def test_other_clerks_changes_appear(make_app, store, admin, make_client):
    client = make_client("Rui Costa", "912345678")
    lead_id = lead_in_work(store, admin, client.id, "First text")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(app, pilot, "rui", "f4", "leads-table")
        lead = await open_lead(app, pilot)
        with store.write() as session:  # another clerk edits the lead and adds one
            leads.update_lead(session, admin, lead_id, LeadForm("Their text", "", None), 2)
            leads.create_lead(session, admin, client.id, LeadForm("Second lead", "", None))
        app.broadcast_change()
        await wait_for(pilot, lambda: lead.record is not None and lead.record.version == 3)
        assert app.screen.query_one("#f-description").text == "Their text"
        await pilot.press("escape")
        await wait_for(pilot, lambda: "L-000002" in screen_text(app))
        assert "2 leads." in screen_text(app)
