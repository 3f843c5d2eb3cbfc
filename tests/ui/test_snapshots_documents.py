"""SVG snapshots of the Documents tab, a document dialog, the line editor and the Payments
tab at 80x24, on fixed data written with a fixed clock.

Update after an intended change:
uv run pytest tests/ui/test_snapshots_documents.py --snapshot-update
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from remtui.domain import catalog, payments, staff
from remtui.domain import documents as docs
from remtui.domain.documents import LineInput
from remtui.store.types import clock
from remtui.ui.dialogs.document import DocumentDialog
from remtui.ui.dialogs.document_editor import CatalogMatches, DocumentEditor
from remtui.ui.screens.profile import ProfileScreen

from .conftest import wait_for

START = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def local_utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    os.environ.pop("TZ", None)
    time.tzset()


@pytest.fixture
def history(store, admin, make_client):
    """A client with one document of each kind and state, and payments of each kind."""
    rec = make_client("Rita Reis", "912 345 678")
    ticks = iter(range(1000))

    def now() -> datetime:
        return START + timedelta(minutes=17 * next(ticks))

    with clock(now):
        with store.write() as session:
            catalog.create_item(session, admin, name="Substituição de ecrã", price=8900)
            catalog.create_item(session, admin, name="Substituição de bateria", price=4500)
            catalog.create_item(session, admin, name="Capa de silicone", price=1290, kind="product")
            box, card = (b for b, _n in staff.cashboxes(session))
        with store.write() as session:
            est = docs.create_document(
                session, admin, rec.id, "estimate", [LineInput("Limpeza interna", "1", 2500)]
            )
            docs.change_status(session, admin, est.id, "sent")
            payments.take_payment(session, admin, rec.id, cashbox_id=box, amount=5000, note="sinal")
            wo = docs.create_document(
                session,
                admin,
                rec.id,
                "work_order",
                [
                    LineInput("Substituição de ecrã", "1", 8900),
                    LineInput(
                        "Película de vidro", "2", 990, discount_kind="percent", discount_value=1000
                    ),
                ],
                comment="Ecrã partido; cliente quer o aparelho até sexta.",
            )
            for status in ("in_progress", "ready", "closed"):
                docs.change_status(session, admin, wo.id, status)
            sale = docs.create_document(
                session, admin, rec.id, "sale", [LineInput("Capa de silicone", "1", 1290)]
            )
            payments.take_payment(
                session, admin, rec.id, cashbox_id=card, amount=1290, document_id=sale.id
            )
            paid = payments.take_payment(
                session,
                admin,
                rec.id,
                cashbox_id=box,
                amount=3000,
                document_id=wo.id,
                note="numerário",
            )
            payments.void_payment(session, admin, paid.id, "valor trocado")
            payments.take_payment(
                session,
                admin,
                rec.id,
                cashbox_id=card,
                amount=3000,
                document_id=wo.id,
                note="cartão",
            )
            payments.refund(
                session, admin, rec.id, cashbox_id=box, amount=500, note="troco", confirmed=True
            )
            cancelled = docs.create_document(
                session, admin, rec.id, "work_order", [LineInput("Diagnóstico", "1", 1500)]
            )
            docs.change_status(session, admin, cancelled.id, "cancelled", note="desistiu")
            docs.create_document(
                session,
                admin,
                rec.id,
                "work_order",
                [LineInput("Substituição de bateria", "1", 4500)],
            )
    return rec, wo


async def open_tab(pilot, key: str) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.actor is not None)
    await pilot.press(*"rita")
    await wait_for(pilot, lambda: app.screen.query_one("#results").row_count == 1)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
    await pilot.press(key)
    table_id = "#documents-table" if key == "f6" else "#payments-table"
    await wait_for(pilot, lambda: app.screen.query_one(table_id).row_count > 0)
    await pilot.pause()


def test_documents_tab(snap, make_app, history):
    async def ready(pilot):
        await open_tab(pilot, "f6")

    assert snap(make_app(), ready)


def test_document_dialog(snap, make_app, history):
    async def ready(pilot):
        await open_tab(pilot, "f6")
        await pilot.press("down", "down", "down", "enter")  # the closed work order
        await wait_for(
            pilot,
            lambda: isinstance(pilot.app.screen, DocumentDialog) and pilot.app.screen.detail,
        )
        await pilot.pause()

    assert snap(make_app(), ready)


def test_document_editor(snap, make_app, history):
    async def ready(pilot):
        app = pilot.app
        await open_tab(pilot, "f6")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentEditor) and app.screen.loaded)
        await pilot.press(*"subst")
        matches = app.screen.query_one(CatalogMatches)
        await wait_for(pilot, lambda: matches.display and matches.option_count == 2)
        await pilot.press("down", "enter", "tab", "tab", "tab", "ctrl+n")
        await pilot.press(*"Cabo USB-C", "enter", "0", "enter", *"4,5", "enter", *"120 %")
        await pilot.press("ctrl+n", *"subst")
        await wait_for(pilot, lambda: matches.display and matches.option_count == 2)
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: "more than zero" in str(app.screen.query(".line-error")[1].render())
        )
        app.clear_notifications()

    assert snap(make_app(), ready)


def test_payments_tab(snap, make_app, history):
    async def ready(pilot):
        await open_tab(pilot, "f7")

    assert snap(make_app(), ready)
