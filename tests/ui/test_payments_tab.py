"""The Payments tab (F7): advances, refunds with confirmation, voids, documents opened from
a row, permissions and bad amounts — driven by keys only."""

from __future__ import annotations

from sqlalchemy import text
from textual import events
from textual.widgets import Input

from remtui.domain import documents as docs
from remtui.domain import ledger, payments, staff
from remtui.domain.documents import LineInput
from remtui.ui.dialogs.confirm import ConfirmDialog
from remtui.ui.dialogs.document import DocumentDialog
from remtui.ui.dialogs.payment import PaymentDialog, RefundDialog, VoidDialog
from remtui.ui.screens.profile import ProfileScreen
from remtui.ui.tabs.paged import FIRST_PAGE
from remtui.ui.tabs.payments import PaymentsTab

from .conftest import screen_text, wait_for


def count(store, table: str) -> int:
    with store.read() as session:
        return int(session.connection().execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def balance(store, client_id: int) -> int:
    with store.read() as session:
        return ledger.balance(session, client_id)


def listed(store, client_id: int) -> list[payments.PaymentRecord]:
    with store.read() as session:
        return payments.list_payments(session, client_id)


def first_box(store) -> int:
    with store.read() as session:
        return staff.cashboxes(session)[0][0]


def advance(store, actor, client_id: int, amount: int, note: str = "") -> None:
    with store.write() as session:
        payments.take_payment(
            session, actor, client_id, cashbox_id=first_box(store), amount=amount, note=note
        )


async def open_payments(app, pilot, name: str = "ana") -> PaymentsTab:
    await wait_for(pilot, lambda: app.actor is not None)
    await pilot.press(*name)
    await wait_for(pilot, lambda: app.screen.query_one("#results").row_count >= 1)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
    await pilot.press("f7")
    tab = app.screen.query_one(PaymentsTab)
    await wait_for(pilot, lambda: tab.loaded and "Loading" not in screen_text(app))
    return tab


async def type_into(pilot, app, widget_id: str, value: str) -> None:
    widget = app.screen.query_one(widget_id, Input)
    widget.focus()
    await pilot.press("ctrl+a", "ctrl+k")
    if value.isascii():
        await pilot.press(*value)
    else:  # what a terminal sends for text it cannot type key by key: a paste
        widget.post_message(events.Paste(value))
        await pilot.pause()


async def test_refund_an_advance_with_confirmation(make_app, store, make_client, admin):
    rec = make_client("Ana Silva", "912345678")
    advance(store, admin, rec.id, 1000, "sinal")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_payments(app, pilot)
        assert len(tab.rows) == 1
        # within what the shop owes: no question asked
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RefundDialog) and app.screen.loaded)
        assert "The shop owes the client €10.00." in screen_text(app)
        await pilot.press(*"4", "enter")
        await wait_for(pilot, lambda: "Enter the reason for the refund." in screen_text(app))
        assert count(store, "payment") == 1  # the reason is mandatory
        await type_into(pilot, app, "#pay-note", "devolução parcial")
        await pilot.press("enter")
        await wait_for(pilot, lambda: balance(store, rec.id) == -600)
        await wait_for(pilot, lambda: len(tab.rows) == 2)
        # more than is owed (6.00): asks, says what the balance becomes, "n" writes nothing
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RefundDialog) and app.screen.loaded)
        await pilot.press(*"15", "tab", *"resto", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        shown = screen_text(app)
        assert "€6.00" in shown and "€15.00" in shown
        assert "the client will owe the shop €9.00" in shown
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, RefundDialog))
        assert count(store, "payment") == 2
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: balance(store, rec.id) == 900)
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen) and len(tab.rows) == 3)
    newest = listed(store, rec.id)[0]
    assert (newest.direction, newest.amount, newest.note) == ("out", 1500, "resto")


async def test_void_a_payment(make_app, store, make_client, admin):
    rec = make_client("Ana Silva", "912345678")
    advance(store, admin, rec.id, 2500, "engano")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_payments(app, pilot)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, VoidDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Enter the reason for voiding" in screen_text(app))
        assert count(store, "payment") == 1
        await pilot.press(*"valor errado", "enter")
        await wait_for(pilot, lambda: len(tab.rows) == 2)
        shown = screen_text(app)
        assert "✗ Advance" in shown and "↺ Void" in shown and "valor errado" in shown
        # a void cannot be voided; the voided one neither
        await pilot.press("v")
        await pilot.pause()
        assert not isinstance(app.screen, VoidDialog)
        await pilot.press("down", "v")
        await pilot.pause()
        assert not isinstance(app.screen, VoidDialog)
    assert balance(store, rec.id) == 0
    void, original = listed(store, rec.id)
    assert void.voids_id == original.id and original.voided_by_id == void.id


async def test_open_a_document_from_a_payment(make_app, store, make_client, admin):
    rec = make_client("Ana Silva", "912345678")
    with store.write() as session:
        sale = docs.create_document(session, admin, rec.id, "sale", [LineInput("Capa", "1", 1290)])
    with store.write() as session:
        payments.take_payment(
            session, admin, rec.id, cashbox_id=first_box(store), amount=1290, document_id=sale.id
        )
    advance(store, admin, rec.id, 500)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_payments(app, pilot)
        assert len(tab.rows) == 2
        await pilot.press("enter")  # the advance: no document to open
        await pilot.pause()
        assert isinstance(app.screen, ProfileScreen)
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentDialog) and app.screen.detail)
        shown = screen_text(app)
        assert "S-000001" in shown and "Nothing is due" in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))


async def test_advance_against_a_document_and_the_excess(make_app, store, make_client, admin):
    rec = make_client("Ana Silva", "912345678")
    with store.write() as session:
        wo = docs.create_document(
            session, admin, rec.id, "work_order", [LineInput("Ecrã", "1", 3000)]
        )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_payments(app, pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, PaymentDialog) and app.screen.loaded)
        # choose the work order: its due is offered as the amount
        app.screen.query_one("#pay-document").focus()
        await pilot.press("enter", "down", "enter")
        await wait_for(pilot, lambda: app.screen.query_one("#pay-amount", Input).value == "30.00")
        await type_into(pilot, app, "#pay-amount", "50")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "€20.00" in screen_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: len(tab.rows) == 2)
    rows = listed(store, rec.id)
    assert sorted((p.amount, p.document_id) for p in rows) == [(2000, None), (3000, wo.id)]
    assert balance(store, rec.id) == -5000


async def test_bad_amounts_write_nothing(make_app, store, make_client, admin):
    make_client("Ana Silva", "912345678")
    app = make_app()
    before = {t: count(store, t) for t in ("payment", "ledger_entry", "audit")}
    async with app.run_test(size=(80, 24)) as pilot:
        await open_payments(app, pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, PaymentDialog) and app.screen.loaded)
        for typed, message in [
            ("", "Enter an amount."),
            ("abc", "Amounts are digits"),
            ("12.345", "thousands or cents"),
            ("12.3456", "At most 2 decimal places."),
            ("0", "The amount must be more than zero."),
            ("-1", "Enter the amount without a sign."),
            ("1000000000000", "That amount is too large."),
            ("[@click=app.quit]x", "Amounts are digits"),
            ("😀", "Amounts are digits"),
        ]:
            await type_into(pilot, app, "#pay-amount", typed)
            await pilot.press("enter")
            await wait_for(pilot, lambda m=message: m in screen_text(app))
            assert isinstance(app.screen, PaymentDialog)
        await pilot.press("escape", "y")  # Escape asks first: something is typed
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        assert app.is_running
    assert {t: count(store, t) for t in before} == before


async def test_refund_and_void_need_their_permissions(make_app, store, make_client, admin):
    rec = make_client("Ana Silva", "912345678")
    advance(store, admin, rec.id, 1000)
    with store.write() as session:
        staff.add_employee(session, admin, "carla", "Carla Clerk", "password1", "clerk")
    app = make_app(demo_login="carla")
    async with app.run_test(size=(100, 24)) as pilot:
        await open_payments(app, pilot)
        shown = screen_text(app)
        assert "+ Advance" in shown and "− Payment" not in shown and "Void payment" not in shown
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, ProfileScreen)
    assert count(store, "payment") == 1


async def test_pages_load_as_the_cursor_nears_the_end(make_app, store, make_client, admin):
    rec = make_client("Ana Silva", "912345678")
    box = first_box(store)
    with store.write() as session:
        for i in range(60):
            payments.take_payment(session, admin, rec.id, cashbox_id=box, amount=100 + i)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_payments(app, pilot)
        assert len(tab.rows) == FIRST_PAGE and tab.has_more
        await pilot.press("ctrl+end")
        await wait_for(pilot, lambda: len(tab.rows) == 60)
        assert not tab.has_more
        await wait_for(pilot, lambda: "60 payments." in screen_text(app))
    assert [p.amount for p in tab.rows] == list(range(159, 99, -1))


async def test_the_advance_dialog_shows_its_choices_once_loaded(make_app, make_client, admin):
    """No payable document: the Pays choice reads "Nothing: an advance", not "Loading…"
    (Textual's Select kept showing the loading prompt when the value did not change)."""
    make_client("Ana Lima", "912 000 333")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_payments(app, pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, PaymentDialog) and app.screen.loaded)
        await pilot.pause()
        shown = screen_text(app)
        assert "Nothing: an advance" in shown and "Loading" not in shown


async def test_the_cursor_goes_to_the_payment_just_made(make_app, store, make_client, admin):
    rec = make_client("Ana Silva", "912345678")
    for amount in (1000, 2000, 3000):
        advance(store, admin, rec.id, amount)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_payments(app, pilot)
        await pilot.press("down", "down")  # on the oldest advance
        assert tab.rows[tab.paged_table().cursor_row].amount == 1000
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, PaymentDialog) and app.screen.loaded)
        await type_into(pilot, app, "#pay-amount", "5")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(tab.rows) == 4)
        # "v" now voids the 5.00 just taken, not the payment the cursor was on before
        made = max(p.id for p in listed(store, rec.id))
        await wait_for(pilot, lambda: tab.selected_id() == made)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, VoidDialog))
        assert "€5.00" in screen_text(app)
