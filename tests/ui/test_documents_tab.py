"""The Documents tab (F6), the line editor and the document dialog, driven by keys only."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from textual.widgets import Input, Static

from remtui.domain import catalog, ledger, payments, staff
from remtui.domain import documents as docs
from remtui.domain.documents import LineInput
from remtui.ui.dialogs.document import DocumentDialog, StatusDialog
from remtui.ui.dialogs.document_editor import CatalogMatches, DocumentEditor, LineRow
from remtui.ui.dialogs.payment import PaymentDialog
from remtui.ui.screens.profile import ProfileScreen
from remtui.ui.tabs.documents import DocumentsTab
from remtui.ui.tabs.paged import FIRST_PAGE

from .conftest import screen_text, wait_for


@pytest.fixture
def items(store, admin):
    with store.write() as session:
        screen = catalog.create_item(session, admin, name="Substituição de ecrã", price=8900)
        case = catalog.create_item(
            session, admin, name="Capa de silicone", price=1290, kind="product"
        )
    return screen, case


def count(store, table: str) -> int:
    with store.read() as session:
        return int(session.connection().execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def balance(store, client_id: int) -> int:
    with store.read() as session:
        return ledger.balance(session, client_id)


def all_documents(store, client_id: int) -> list[docs.DocumentRow]:
    with store.read() as session:
        return docs.list_documents(session, client_id)


def detail(store, document_id: int) -> docs.DocumentDetail:
    with store.read() as session:
        return docs.get_document(session, document_id)


async def open_documents(app, pilot, name: str = "ana") -> DocumentsTab:
    await wait_for(pilot, lambda: app.actor is not None)
    await pilot.press(*name)
    await wait_for(pilot, lambda: app.screen.query_one("#results").row_count >= 1)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
    await pilot.press("f6")
    tab = app.screen.query_one(DocumentsTab)
    await wait_for(pilot, lambda: tab.loaded and "Loading" not in screen_text(app))
    return tab


async def open_editor(app, pilot, key: str) -> DocumentEditor:
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, DocumentEditor) and app.screen.loaded)
    editor = app.screen
    assert isinstance(editor, DocumentEditor)
    await wait_for(pilot, lambda: isinstance(editor.focused, Input))
    return editor


def messages(editor: DocumentEditor) -> str:
    """Every message under the lines (the notes wrap on screen, so read them whole)."""
    return " ".join(str(note.render()) for note in editor.query(".field-error"))


def rows(editor: DocumentEditor) -> list[LineRow]:
    return list(editor.query(LineRow))


async def pick(app, pilot, typed: str) -> None:
    """Type into the item field, go down into the catalog matches, take the first."""
    await pilot.press(*typed)
    matches = app.screen.query_one(CatalogMatches)
    await wait_for(pilot, lambda: matches.display and matches.option_count > 0)
    await pilot.press("down", "enter")


async def test_sale_with_two_lines_and_full_payment(make_app, store, make_client, items):
    rec = make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_documents(app, pilot)
        editor = await open_editor(app, pilot, "s")
        await pick(app, pilot, "ecra")
        first = rows(editor)[0]
        await wait_for(pilot, lambda: first.field("unit_price").value == "89.00")
        assert editor.focused is first.field("quantity")
        await pilot.press("2")  # the preset quantity is selected: typing replaces it
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: len(rows(editor)) == 2)
        await pilot.press(*"Cabo USB-C", "enter", "enter", *"4,50", "enter", *"10 %")
        await wait_for(pilot, lambda: "€182.05" in screen_text(app))  # 178.00 + 4.05
        await pilot.press("ctrl+s")
        # the sale opens, and its payment is offered at once (what is due, selected)
        await wait_for(pilot, lambda: isinstance(app.screen, PaymentDialog) and app.screen.loaded)
        dialog = app.screen_stack[-2]
        assert isinstance(dialog, DocumentDialog) and dialog.detail is not None
        assert dialog.detail.number == "S-000001"
        [sale] = all_documents(store, rec.id)
        stored = detail(store, sale.id)
        assert (stored.kind, stored.status, stored.total) == ("sale", "completed", 18205)
        assert [(ln.description, ln.quantity_milli, ln.unit_price) for ln in stored.lines] == [
            ("Substituição de ecrã", 2000, 8900),
            ("Cabo USB-C", 1000, 450),
        ]
        assert stored.lines[0].item_id == items[0].id and stored.lines[1].item_id is None
        assert (stored.lines[1].discount_kind, stored.lines[1].discount_value) == ("percent", 1000)
        assert balance(store, rec.id) == 18205  # a sale charges when it is made

        assert app.screen.query_one("#pay-amount", Input).value == "182.05"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentDialog))
        await wait_for(pilot, lambda: "Nothing is due" in screen_text(app))
    assert balance(store, rec.id) == 0
    with store.read() as session:
        [payment] = payments.list_payments(session, rec.id)
    assert (payment.amount, payment.document_id, payment.direction) == (18205, sale.id, "in")


async def test_work_order_advance_close_settles(make_app, store, make_client, items):
    rec = make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_documents(app, pilot)
        await open_editor(app, pilot, "w")
        await pilot.press(*"Diagnóstico", "enter", "enter", *"20")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentDialog))
        [wo] = all_documents(store, rec.id)
        assert (wo.kind, wo.status, wo.total) == ("work_order", "new", 2000)
        assert balance(store, rec.id) == 0  # an open work order charges nothing
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))

        await pilot.press("f7")
        await wait_for(pilot, lambda: "No payments yet" in screen_text(app))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, PaymentDialog) and app.screen.loaded)
        await pilot.press(*"20", "enter")
        await wait_for(pilot, lambda: balance(store, rec.id) == -2000)
        await wait_for(pilot, lambda: "Advance" in screen_text(app))

        await pilot.press("f6")
        await wait_for(pilot, lambda: tab.rows)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentDialog))
        dialog = app.screen
        await wait_for(pilot, lambda: "paid in advance" in screen_text(app))
        for steps, status in ((("enter",), "in_progress"), (("down", "enter"), "ready")):
            await pilot.press("s")
            await wait_for(pilot, lambda: isinstance(app.screen, StatusDialog))
            await pilot.press(*steps)
            await wait_for(pilot, lambda s=status: detail(store, wo.id).status == s)
            await wait_for(pilot, lambda s=status: dialog.detail and dialog.detail.status == s)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StatusDialog))
        assert "charges the client €20.00" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: detail(store, wo.id).status == "closed")
        await wait_for(pilot, lambda: "Closed" in screen_text(app))
    assert balance(store, rec.id) == 0
    with store.read() as session:
        assert payments.advance_held(session, rec.id) == 0


async def test_accepted_estimate_becomes_a_work_order(make_app, store, make_client, admin):
    rec = make_client("Ana Silva", "912345678")
    with store.write() as session:
        est = docs.create_document(
            session, admin, rec.id, "estimate", [LineInput("Limpeza", "1", 2500)]
        )
        docs.change_status(session, admin, est.id, "accepted")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_documents(app, pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentDialog) and app.screen.detail)
        assert "never charges" in screen_text(app)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("w")
        await wait_for(pilot, lambda: len(all_documents(store, rec.id)) == 2)
        await wait_for(pilot, lambda: "WO-000001" in screen_text(app))
        # back on the estimate: it became a work order, so Convert is no longer offered
        await pilot.press("escape")
        estimate = app.screen
        await wait_for(
            pilot,
            lambda: (
                isinstance(estimate, DocumentDialog)
                and estimate.detail is not None
                and estimate.detail.converted_to
            ),
        )
        assert not estimate.query_one("#doc-convert").display
        assert not estimate.check_action("convert", ())
    new = all_documents(store, rec.id)[0]
    assert (new.kind, new.estimate_id, new.total) == ("work_order", est.id, 2500)


async def test_bad_lines_show_messages_and_write_nothing(make_app, store, make_client, items):
    make_client("Ana Silva", "912345678")
    app = make_app()
    before = {t: count(store, t) for t in ("document", "document_line", "ledger_entry", "audit")}
    async with app.run_test(size=(100, 30)) as pilot:
        await open_documents(app, pilot)
        editor = await open_editor(app, pilot, "s")
        await pilot.press("ctrl+s")  # nothing typed: no lines
        await wait_for(pilot, lambda: "Add at least one line." in messages(editor))

        row = rows(editor)[0]

        async def retype(field: str, value: str) -> None:
            widget = row.field(field)
            widget.focus()
            await pilot.press("ctrl+a", "ctrl+k", *value)

        cases = [
            ("quantity", "0", "The quantity must be more than zero."),
            ("quantity", "-1", "The quantity must be more than zero."),
            ("quantity", "abc", "A quantity is a number"),
            ("quantity", "1,2345", "At most 3 decimal places."),
        ]
        await retype("description", "Reparação [b]x[/b]")
        await retype("unit_price", "10")
        for field, value, message in cases:
            await retype(field, value)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda m=message: m in messages(editor))
        await retype("quantity", "1")
        for field, value, message in [
            ("discount", "150 %", "A discount is a percentage from 0 to 100."),
            ("discount", "11", "The discount cannot be more than the line's amount."),
            ("unit_price", "12.345", "thousands or cents"),
            ("unit_price", "12.3456", "At most 2 decimal places."),
            ("unit_price", "abc", "Amounts are digits"),
            ("unit_price", "-5", "Enter the amount without a sign."),
            ("unit_price", "1000000000000", "That amount is too large."),
        ]:
            await retype(field, value)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda m=message: m in messages(editor))
        assert isinstance(app.screen, DocumentEditor)
        # every wrong field of a line is told at once
        await retype("quantity", "0")
        await retype("unit_price", "abc")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "more than zero" in messages(editor))
        assert "Amounts are digits" in messages(editor)
        await retype("quantity", "1")
        # a blank second line is ignored, a line without a price is not
        await retype("unit_price", "10")
        await retype("discount", "")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: len(rows(editor)) == 2)
        await pilot.press("ctrl+n")  # a third, blank line: ignored
        await wait_for(pilot, lambda: len(rows(editor)) == 3)
        rows(editor)[1].field("description").focus()
        await pilot.press(*"Capa sem preço")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Enter a price." in messages(editor))
        assert isinstance(app.screen, DocumentEditor)
        # Escape with edits asks first
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Discard this document?" in screen_text(app))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
    after = {t: count(store, t) for t in before}
    assert after == before


async def test_edit_an_open_work_order(make_app, store, make_client, admin):
    rec = make_client("Ana Silva", "912345678")
    with store.write() as session:
        wo = docs.create_document(
            session,
            admin,
            rec.id,
            "work_order",
            [LineInput("Ecrã", "1", 5000), LineInput("Capa", "2", 500)],
        )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_documents(app, pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentDialog) and app.screen.detail)
        editor = await open_editor(app, pilot, "e")
        await wait_for(pilot, lambda: len(rows(editor)) == 2)
        rows(editor)[1].field("description").focus()
        await pilot.press("ctrl+r")  # remove the line the cursor is on
        await wait_for(pilot, lambda: len(rows(editor)) == 1)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentDialog))
        await wait_for(pilot, lambda: detail(store, wo.id).version == 2)
    stored = detail(store, wo.id)
    assert [ln.description for ln in stored.lines] == ["Ecrã"] and stored.total == 5000


async def test_clerk_is_not_offered_what_needs_a_permission(make_app, store, make_client, admin):
    rec = make_client("Ana Silva", "912345678")
    with store.write() as session:
        staff.add_employee(session, admin, "carla", "Carla Clerk", "password1", "clerk")
        wo = docs.create_document(
            session, admin, rec.id, "work_order", [LineInput("Ecrã", "1", 5000)]
        )
        for status in ("in_progress", "ready", "closed"):
            docs.change_status(session, admin, wo.id, status)
    app = make_app(demo_login="carla")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_documents(app, pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentDialog) and app.screen.detail)
        # reopening a closed work order needs "corrections": no status change is offered
        assert "Change status" not in screen_text(app)
        await pilot.press("s")
        await pilot.pause()
        assert not isinstance(app.screen, StatusDialog)
    assert detail(store, wo.id).status == "closed"


async def test_markup_in_data_is_shown_as_text(make_app, store, make_client, admin):
    rec = make_client("Ana Silva", "912345678")
    with store.write() as session:
        docs.create_document(
            session,
            admin,
            rec.id,
            "sale",
            [LineInput("[@click=app.quit]x[/] \x1b[31mred", "1", 100)],
            comment="[b]bold[/b]",
        )
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_documents(app, pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentDialog) and app.screen.detail)
        shown = screen_text(app)
        assert "[@click=app.quit]x[/]" in shown and "[b]bold[/b]" in shown
        assert app.is_running


async def test_pages_load_as_the_cursor_nears_the_end(make_app, store, make_client, admin):
    rec = make_client("Ana Silva", "912345678")
    with store.write() as session:
        for i in range(120):
            docs.create_document(
                session, admin, rec.id, "estimate", [LineInput(f"Linha {i}", "1", 100 + i)]
            )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_documents(app, pilot)
        assert len(tab.rows) == FIRST_PAGE and "more load as you scroll" in screen_text(app)
        await pilot.press("end")  # to the last row loaded: the next page loads
        await wait_for(pilot, lambda: len(tab.rows) == 120)
        assert not tab.has_more
        await wait_for(pilot, lambda: "120 documents." in screen_text(app))
        ids = [r.id for r in tab.rows]
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == 120


async def test_f1_in_a_dialog_explains_it(make_app, store, make_client, admin):
    from remtui.ui.dialogs.help import HelpDialog

    make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_documents(app, pilot)
        await open_editor(app, pilot, "w")
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpDialog))
        assert "One row per line" in screen_text(app)


async def test_a_stale_edit_is_refused_and_says_why(make_app, store, make_client, admin):
    rec = make_client("Ana Silva", "912345678")
    with store.write() as session:
        wo = docs.create_document(
            session, admin, rec.id, "work_order", [LineInput("Ecrã", "1", 5000)]
        )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_documents(app, pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentDialog) and app.screen.detail)
        editor = await open_editor(app, pilot, "e")
        with store.write() as session:  # another clerk saves first
            docs.update_document(session, admin, wo.id, 1, comment="outro funcionário")
        await pilot.press("end", *" novo")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Another employee changed" in messages(editor))
        assert isinstance(app.screen, DocumentEditor)
    stored = detail(store, wo.id)
    assert (stored.version, stored.comment, stored.lines[0].description) == (
        2,
        "outro funcionário",
        "Ecrã",
    )


async def test_a_line_total_too_wide_for_its_column_ends_in_an_ellipsis(make_app, make_client):
    make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_documents(app, pilot)
        editor = await open_editor(app, pilot, "s")
        row = rows(editor)[0]
        for name, value in (("description", "Cabo"), ("quantity", "3")):
            row.field(name).value = value
        row.field("unit_price").value = "99999999.99"  # €299,999,999.97
        total = row.query_one(".line-total", Static)
        await wait_for(pilot, lambda: "€299" in str(total.render()))
        await pilot.pause()
        drawn = "".join(seg.text for seg in total.render_line(0))
        assert drawn.strip().startswith("€299,999,9") and drawn.rstrip().endswith("…"), drawn


async def test_catalog_matches_show_under_the_line_being_typed(make_app, make_client, items):
    make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_documents(app, pilot)
        editor = await open_editor(app, pilot, "s")
        await pilot.press(*"Cabo", "ctrl+n", *"ecra")
        matches = editor.query_one(CatalogMatches)
        await wait_for(pilot, lambda: matches.display and matches.option_count > 0)
        second = rows(editor)[1]
        assert matches.region.y == second.region.bottom  # the next line on screen
        siblings = list(matches.parent.children)
        assert siblings.index(matches) == siblings.index(second) + 1
