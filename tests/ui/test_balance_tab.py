"""The Balance tab: colour and words for each state, corrections by keys, export."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from remtui import i18n
from remtui.domain import corrections, ledger, staff
from remtui.ui.dialogs.correction import CorrectionDialog
from remtui.ui.screens.profile import ProfileScreen

from .conftest import screen_text, wait_for


async def open_balance(app, pilot, name: str) -> None:
    await wait_for(pilot, lambda: app.actor is not None)
    await pilot.press(*name)
    await wait_for(pilot, lambda: app.screen.query_one("#results").row_count >= 1)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
    await pilot.press("f3")
    await wait_for(pilot, lambda: "Balance:" in screen_text(app) or "Saldo:" in screen_text(app))


def balance_of(store, client_id) -> int:
    with store.read() as session:
        return ledger.balance(session, client_id)


def badge_style(app) -> str:
    text = app.screen.query_one("#balance-badge").render()
    return " ".join(str(span.style) for span in text.spans)


@pytest.mark.parametrize(
    ("language", "keys", "expected", "note", "style"),
    [
        ("en", ["1", "2", ",", "5", "0"], 1250, "The client owes us", "green"),
        ("en", ["down", "3", "0"], -3000, "We owe the client", "red"),
        ("pt_PT", ["1", "2", ",", "5", "0"], 1250, "O cliente deve-nos", "green"),
        ("pt_PT", ["down", "3", "0"], -3000, "Devemos ao cliente", "red"),
    ],
)
async def test_correction_by_keys_changes_badge(
    make_app, store, make_client, language, keys, expected, note, style
):
    rec = make_client("Ana Silva", "912345678")
    i18n.set_language(language)
    app = make_app(language=language)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_balance(app, pilot, "ana")
        assert ("You are settled" if language == "en" else "Você está resolvido") in screen_text(
            app
        )
        assert ("dd/mm/yyyy" if language == "en" else "dd/mm/aaaa") in screen_text(app)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CorrectionDialog))
        if keys[0] == "down":  # choose the second direction: we owe the client more
            await pilot.press("shift+tab", "down", "enter", "tab")
            keys = keys[1:]
        await pilot.press(*keys, "enter", *"acerto", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        await wait_for(pilot, lambda: note in screen_text(app))
        assert style in badge_style(app)
        assert note in str(app.screen.query_one("#profile-extra").render())
    assert balance_of(store, rec.id) == expected


async def test_set_to_zero_settles(make_app, store, admin, make_client):
    rec = make_client("Ana Silva", "912345678")
    with store.write() as session:
        corrections.add_correction(
            session, admin, rec.id, direction="owes_more", amount=999, reason="x"
        )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_balance(app, pilot, "ana")
        await wait_for(pilot, lambda: "The client owes us" in screen_text(app))
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CorrectionDialog))
        await pilot.press("shift+tab", "down", "down", "enter", "tab", "0")
        await wait_for(pilot, lambda: "After the correction" in screen_text(app))
        assert "You are settled" in screen_text(app)
        await pilot.press("enter", *"fecho", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        await wait_for(pilot, lambda: "You are settled" in screen_text(app))
        assert "green" not in badge_style(app) and "red" not in badge_style(app)
    assert balance_of(store, rec.id) == 0


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        ("", "x", "Enter an amount."),
        ("abc", "x", "Amounts are digits"),
        ("1.234", "x", "thousands or cents"),
        ("0.001", "x", "thousands or cents"),
        ("1.2345", "x", "At most 2 decimal places."),
        ("-5", "x", "without a sign"),
        ("0", "x", "more than zero"),
        ("1000000000", "x", "too large"),
        ("10", "", "Say why the balance is corrected."),
        ("[@click=app.quit]x", "x", "Amounts are digits"),
    ],
)
async def test_bad_input_writes_nothing(make_app, store, make_client, amount, reason, message):
    rec = make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_balance(app, pilot, "ana")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CorrectionDialog))
        app.screen.query_one("#c-amount").value = amount
        app.screen.query_one("#c-reason").value = reason
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: message in screen_text(app))
        assert isinstance(app.screen, CorrectionDialog) and app.is_running
    assert balance_of(store, rec.id) == 0
    with store.read() as session:
        assert ledger.sum_of_entries(session, rec.id) == 0


async def test_no_correction_or_export_without_permission(make_app, store, admin, make_client):
    make_client("Ana Silva", "912345678")
    with store.write() as session:
        staff.add_employee(session, admin, "tec", "Tec", "password-tec", "technician")
    app = make_app(demo_login="tec")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_balance(app, pilot, "ana")
        labels = [b.binding.description for b in app.screen.active_bindings.values()]
        assert "+ Correction" not in labels and "Export" not in labels
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ProfileScreen)
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "+ Correction" not in commands


async def test_export_matches_the_screen(make_app, store, admin, make_client, tmp_path):
    rec = make_client("Ana Silva", "912345678")
    with store.write() as session:
        for amount in (1000, 2550):
            corrections.add_correction(
                session, admin, rec.id, direction="owes_more", amount=amount, reason="trabalho"
            )
        corrections.add_correction(
            session, admin, rec.id, direction="we_owe_more", amount=500, reason="desconto"
        )
    app = make_app(export_dir=str(tmp_path / "exports"))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_balance(app, pilot, "ana")
        await wait_for(pilot, lambda: "€30.50 · The client owes us" in screen_text(app))
        await pilot.press("e")
        await wait_for(
            pilot, lambda: any(n.message.startswith("Saved: ") for n in app._notifications)
        )
        message = next(n.message for n in app._notifications if n.message.startswith("Saved"))
    path = message.removeprefix("Saved: ")
    assert path.startswith(str(tmp_path / "exports"))
    sheet = load_workbook(path).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert any(isinstance(v, (int, float)) and abs(float(v) - 30.5) < 1e-9 for v in values)
    assert any("Ana Silva" in str(v) for v in values)


async def test_period_filter_shows_opening_and_closing(make_app, store, admin, make_client):
    rec = make_client("Ana Silva", "912345678")
    with store.write() as session:
        corrections.add_correction(
            session, admin, rec.id, direction="owes_more", amount=1000, reason="x"
        )
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_balance(app, pilot, "ana")
        await pilot.press("p", *"01/01/2020", "enter", *"31/12/2020", "enter")
        await wait_for(pilot, lambda: "No movements in this period." in screen_text(app))
        assert "Opening" in screen_text(app) and "Closing" in screen_text(app)
        app.screen.query_one("#period-from").value = "31/02/2026"
        app.screen.query_one("#period-from").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Not a date" in screen_text(app))
