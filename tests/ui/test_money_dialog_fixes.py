"""Two money dialog fixes, driven by keys only.

* The payment dialog selects the amount it fills in itself (a document's due), so what the
  clerk types replaces it: "20" is 20.00, not "2011.11".
* A correction refused because another clerk moved the balance meanwhile shows the new
  balance and expects it, so confirming again saves (it used to be refused for ever).
"""

from __future__ import annotations

from textual.widgets import Input

from remtui.domain import corrections
from remtui.domain import documents as docs
from remtui.domain.documents import LineInput
from remtui.ui.dialogs.confirm import ConfirmDialog
from remtui.ui.dialogs.correction import CorrectionDialog
from remtui.ui.dialogs.document import DocumentDialog
from remtui.ui.dialogs.payment import PaymentDialog
from remtui.ui.screens.profile import ProfileScreen

from .conftest import screen_text, wait_for
from .test_balance_tab import balance_of, open_balance
from .test_documents_tab import open_documents
from .test_payments_tab import advance, balance, listed, open_payments

CHANGED = "The balance changed while you were typing."


def sale_of(store, admin, client_id: int, price: int) -> docs.DocumentDetail:
    with store.write() as session:
        return docs.create_document(
            session, admin, client_id, "sale", [LineInput("Capa", "1", price)]
        )


async def test_typing_replaces_the_due_offered_when_paying_a_document(
    make_app, store, make_client, admin
):
    rec = make_client("Ana Silva", "912345678")
    sale = sale_of(store, admin, rec.id, 1111)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_documents(app, pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentDialog) and app.screen.detail)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PaymentDialog) and app.screen.loaded)
        amount = app.screen.query_one("#pay-amount", Input)
        await wait_for(pilot, lambda: app.screen.focused is amount)
        assert amount.value == "11.11"
        await pilot.press("2", "0")
        assert amount.value == "20"  # was "2011.11"
        await pilot.press("ctrl+s")  # more than the due: keep the rest as an advance
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "€8.89" in screen_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentDialog))
        await wait_for(pilot, lambda: balance(store, rec.id) == -889)
    rows = listed(store, rec.id)
    assert sorted((p.amount, p.document_id) for p in rows) == [(889, None), (1111, sale.id)]


async def test_choosing_a_document_selects_the_due_it_offers(make_app, store, make_client, admin):
    rec = make_client("Ana Silva", "912345678")
    sale = sale_of(store, admin, rec.id, 1111)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_payments(app, pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, PaymentDialog) and app.screen.loaded)
        amount = app.screen.query_one("#pay-amount", Input)
        await wait_for(pilot, lambda: app.screen.focused is amount)
        await pilot.press("tab", "enter", "down", "enter")  # Pays: the sale
        await wait_for(pilot, lambda: amount.value == "11.11")
        assert (amount.selection.start, amount.selection.end) == (0, 5)  # was (5, 5)
        assert app.screen.focused is amount  # picking the document moves on to it
        await pilot.press("2", "0")
        assert amount.value == "20"
        await pilot.press("tab", "enter", "up", "enter")  # Pays: nothing, an advance
        await wait_for(pilot, lambda: amount.value == "20")  # typed by the clerk: kept
        assert app.screen.focused is amount
        await pilot.press("tab", "enter", "down", "enter")  # the sale again
        assert amount.value == "20" and app.screen.focused is amount
        await pilot.press("ctrl+a", "ctrl+k", "5")  # the clerk's own amount
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        await wait_for(pilot, lambda: balance(store, rec.id) == 1111 - 500)
    [payment] = listed(store, rec.id)
    assert (payment.amount, payment.document_id) == (500, sale.id)


async def test_a_correction_refused_for_a_moved_balance_shows_it_and_saves_next(
    make_app, store, make_client, admin
):
    rec = make_client("Ana Silva", "912345678")
    advance(store, admin, rec.id, 1000)  # the shop owes the client €10.00
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_balance(app, pilot, "ana")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CorrectionDialog))
        assert "Now: €10.00 · We owe the client" in screen_text(app)
        # Set the balance to -100 (the shop owes the client €100.00).
        await pilot.press("shift+tab", "down", "down", "enter", "tab", *"-100")
        await wait_for(pilot, lambda: "After the correction: €100.00" in screen_text(app))
        await pilot.press("enter", *"acerto de caixa")
        with store.write() as session:  # another clerk: the client now owes €15.00
            corrections.add_correction(
                session, admin, rec.id, direction="owes_more", amount=2500, reason="outro"
            )
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: CHANGED in screen_text(app))
        # the dialog shows the balance as it is now, keeps the clerk's message and preview
        await wait_for(pilot, lambda: "Now: €15.00 · The client owes us" in screen_text(app))
        shown = screen_text(app)
        assert CHANGED in shown and "After the correction: €100.00 · We owe" in shown
        assert isinstance(app.screen, CorrectionDialog) and balance_of(store, rec.id) == 1500
        # the clerk has seen the new figure: confirming again saves
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        await wait_for(pilot, lambda: "€100.00 · We owe the client" in screen_text(app))
    assert balance_of(store, rec.id) == -10000


async def test_the_preview_follows_the_reloaded_balance(make_app, store, make_client, admin):
    rec = make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_balance(app, pilot, "ana")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CorrectionDialog))
        await pilot.press(*"10", "enter", *"reparação")  # the client owes €10.00 more
        await wait_for(pilot, lambda: "After the correction: €10.00" in screen_text(app))
        with store.write() as session:  # another clerk
            corrections.add_correction(
                session, admin, rec.id, direction="owes_more", amount=500, reason="outro"
            )
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Now: €5.00 · The client owes us" in screen_text(app))
        assert "After the correction: €15.00 · The client owes us" in screen_text(app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
    assert balance_of(store, rec.id) == 1500
