"""The rough edges of a clerk's day: Escape asks before losing what was typed, the focus
starts where the typing goes, and messages say what is true."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from textual.widgets import DataTable, Input

from remtui.domain import documents as docs
from remtui.domain import payments, sms, staff
from remtui.domain.documents import LineInput
from remtui.ui.dialogs.comms import NewChatDialog
from remtui.ui.dialogs.confirm import ConfirmDialog
from remtui.ui.dialogs.correction import CorrectionDialog
from remtui.ui.dialogs.document import DocumentDialog
from remtui.ui.dialogs.new_client import NewClientDialog
from remtui.ui.dialogs.payment import PaymentDialog
from remtui.ui.screens.clients import ClientsScreen
from remtui.ui.screens.profile import ProfileScreen
from remtui.ui.tabs.comms import CommsTab

from .conftest import wait_for
from .test_documents_tab import open_documents
from .test_general_tab import open_profile
from .test_payments_tab import open_payments


async def escape_asks(app, pilot, dialog_type) -> None:
    """Escape over typed values asks; "n" keeps the dialog; Escape then "y" closes it."""
    await pilot.press("escape")
    assert isinstance(app.screen, ConfirmDialog)
    await pilot.press("n")
    assert isinstance(app.screen, dialog_type)
    await pilot.press("escape", "y")
    await wait_for(pilot, lambda: not isinstance(app.screen, (dialog_type, ConfirmDialog)))


async def test_escape_asks_in_the_advance_dialog(make_app, make_client):
    make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_payments(app, pilot)
        await pilot.press("a", *"12")
        assert isinstance(app.screen, PaymentDialog)
        await escape_asks(app, pilot, PaymentDialog)


async def test_escape_closes_an_untouched_advance_dialog_at_once(make_app, make_client):
    make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_payments(app, pilot)
        await pilot.press("a", "escape")
        assert isinstance(app.screen, ProfileScreen)


async def test_escape_asks_in_the_correction_dialog(make_app, make_client):
    make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_profile(app, pilot, "ana")
        await pilot.press("f3", "c", *"5")
        assert isinstance(app.screen, CorrectionDialog)
        await escape_asks(app, pilot, CorrectionDialog)


async def test_down_picks_the_correction_direction_from_the_amount(make_app, make_client):
    make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_profile(app, pilot, "ana")
        await pilot.press("f3", "c", *"5", "down")
        dialog = app.screen
        assert isinstance(dialog, CorrectionDialog)
        assert dialog.focused is dialog.query_one("#c-amount")
        assert dialog._direction() == "we_owe_more"
        await pilot.press("down", "down")  # round and round
        assert dialog._direction() == "owes_more"
        await pilot.press("up")
        assert dialog._direction() == "set_to"


async def test_escape_asks_in_a_half_typed_new_client(make_app, admin):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+n", "escape")  # nothing typed: closes at once
        assert isinstance(app.screen, ClientsScreen)
        await pilot.press("ctrl+n", *"Carla")
        assert isinstance(app.screen, NewClientDialog)
        await escape_asks(app, pilot, NewClientDialog)


async def test_new_chat_starts_in_the_message(make_app, make_client):
    make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_profile(app, pilot, "ana")
        await pilot.press("f8", "f9", "f9", "n")
        assert isinstance(app.screen, NewChatDialog)
        assert app.screen.focused is app.screen.query_one("#chat-first")
        await pilot.press(*"ola marta")  # a space does not open the channel drop-down
        assert app.screen.query_one("#chat-first", Input).value == "ola marta"


async def test_picking_the_document_puts_the_clerk_in_the_amount(
    make_app, store, make_client, admin
):
    rec = make_client("Ana Silva", "912345678")
    with store.write() as session:
        sale = docs.create_document(session, admin, rec.id, "sale", [LineInput("Cabo", "1", 1500)])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_payments(app, pilot)
        await pilot.press("a")
        dialog = app.screen
        assert isinstance(dialog, PaymentDialog) and dialog.loaded
        dialog.query_one("#pay-document").focus()
        await pilot.press("enter", "down", "enter")  # open the drop-down, take the sale
        assert dialog.query_one("#pay-document").value == sale.id
        assert dialog.focused is dialog.query_one("#pay-amount")
        await pilot.press(*"10", "enter")  # what is offered (15.00) is replaced
        await wait_for(pilot, lambda: not isinstance(app.screen, PaymentDialog))
    with store.read() as session:
        assert [p.amount for p in payments.list_payments(session, rec.id)] == [1000]


async def test_back_on_the_clients_screen_the_search_takes_the_keys(make_app, make_client):
    for n in range(3):
        make_client(f"Ana Silva {n}", f"91234567{n}")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_profile(app, pilot, "ana")
        await pilot.press("escape")
        assert isinstance(app.screen, ClientsScreen)
        assert app.screen.focused is app.screen.query_one("#search")
        table = app.screen.query_one("#results", DataTable)
        await wait_for(pilot, lambda: table.row_count == 3)
        await pilot.press("down", "down", "down", "home")
        assert table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_row == 2


async def test_saving_an_unchanged_client_writes_nothing(make_app, store, make_client):
    rec = make_client("Ana Silva", "912345678")
    app = make_app()

    def audit_rows() -> int:
        with store.read() as session:
            return int(session.connection().execute(text("SELECT COUNT(*) FROM audit")).scalar())

    before = audit_rows()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_profile(app, pilot, "ana")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: any("Nothing to save" in n.message for n in app._notifications)
        )
    assert audit_rows() == before
    with store.read() as session:
        from remtui.domain.clients import get_client

        assert get_client(session, rec.id).version == rec.version


async def test_a_sale_shows_its_status_in_the_list(make_app, store, make_client, admin):
    rec = make_client("Ana Silva", "912345678")
    with store.write() as session:
        docs.create_document(session, admin, rec.id, "sale", [LineInput("Cabo", "1", 1500)])
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        tab = await open_documents(app, pilot)
        table = tab.query_one(DataTable)
        assert str(table.get_row_at(0)[3]) == docs.status_label("completed")


async def test_a_reopened_work_order_does_not_count_its_payment_twice(
    make_app, store, make_client, admin
):
    rec = make_client("Ana Silva", "912345678")
    with store.write() as session:
        wo = docs.create_document(session, admin, rec.id, "work_order", [LineInput("R", "1", 1500)])
        box = staff.cashboxes(session)[0][0]
        payments.take_payment(session, admin, rec.id, cashbox_id=box, amount=500, document_id=wo.id)
    for status in ("in_progress", "ready", "closed", "in_progress"):  # closed, then reopened
        with store.write() as session:
            docs.change_status(session, admin, wo.id, status)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_documents(app, pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, DocumentDialog)
        await wait_for(pilot, lambda: app.screen.detail is not None)
        shown = str(app.screen.query_one("#doc-totals").render())
        assert "Due €10.00" in shown
        assert "paid in advance" not in shown
        assert "held as an advance until then" in shown


@pytest.mark.parametrize("status", ["queued", "failed"])
async def test_an_sms_not_sent_has_no_date_sent(make_app, store, make_client, admin, status):
    rec = make_client("Ana Silva", "912345678")
    with store.write() as session:
        row = sms.queue_sms(session, admin, rec.id, "+351912345678", "Olá")
        session.connection().execute(
            text("UPDATE sms_message SET status = :s WHERE id = :i"), {"s": status, "i": row.id}
        )
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_profile(app, pilot, "ana")
        await pilot.press("f8", "f9")
        tab = app.screen.query_one(CommsTab)
        table = tab.query_one("#sms-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        assert str(table.get_row_at(0)[0]) == "—"
        assert "Written" in str(tab.query_one("#sms-detail").render())
