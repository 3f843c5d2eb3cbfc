"""`remtui migrate-store`: a shop's SQLite store copied into an empty store (PostgreSQL with
REMTUI_TEST_DB_URL set; otherwise another SQLite file, which tests the same copy)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from remtui import demo
from remtui.commands import migrate_store
from remtui.commands.migrate_store import run_migrate_store
from remtui.config import Settings
from remtui.domain import check, clients, ledger, staff
from remtui.store.engine import Store
from remtui.store.migrate import upgrade

TABLES = (
    "client",
    "client_phone",
    "ledger_entry",
    "payment",
    "document",
    "document_line",
    "document_status_change",
    "lead",
    "asset",
    "chat_message",
    "phone_call",
    "sms_message",
    "audit",
)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store with a bit of everything (the demo's history on 25 clients)."""
    path = tmp_path_factory.mktemp("shop") / "shop.sqlite3"
    store = Store(f"sqlite:///{path}")
    try:
        upgrade(store)
        demo.build(store, Settings(db_url=store.url), 25, lambda _m: None)
    finally:
        store.close()
    return path


def _counts(store: Store) -> dict[str, int]:
    with store.read() as session:
        conn = session.connection()
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def _balances(store: Store) -> dict[int, int]:
    with store.read() as session:
        ids = session.connection().execute(text("SELECT id FROM client")).scalars().all()
        return {cid: ledger.balance(session, cid) for cid in ids}


def test_the_copy_holds_everything_and_stays_guarded(shop: Path, store: Store) -> None:
    source = Store(f"sqlite:///{shop}")
    try:
        wanted_counts, wanted_balances = _counts(source), _balances(source)
    finally:
        source.close()
    assert wanted_counts["ledger_entry"] > 10 and wanted_counts["lead"] > 0
    assert wanted_counts["chat_message"] > 0 and wanted_counts["document_status_change"] > 0

    out = io.StringIO()
    assert run_migrate_store(shop, store.url, out) == 0, out.getvalue()
    assert "the copy matches the source and passes the check" in out.getvalue()

    assert _counts(store) == wanted_counts
    assert _balances(store) == wanted_balances
    with store.read() as session:
        assert check.check_store(session).ok
        leads_with_documents = (
            session.connection()
            .execute(text("SELECT count(*) FROM lead WHERE document_id IS NOT NULL"))
            .scalar_one()
        )
        actor = staff.actor_for(session, "admin")
    # the cycle lead <-> document was filled in afterwards (the demo converts some leads)
    assert leads_with_documents > 0
    source = Store(f"sqlite:///{shop}")
    try:
        with source.read() as session:
            assert leads_with_documents == (
                session.connection()
                .execute(text("SELECT count(*) FROM lead WHERE document_id IS NOT NULL"))
                .scalar_one()
            )
    finally:
        source.close()
    # the copy is a working store: new rows get new ids (sequences continue after the copy)
    with store.write() as session:
        fresh = clients.create_client(session, actor, clients.ClientForm(name="Cliente Novo"))
    assert fresh.id > max(wanted_balances)
    # and its ledger still refuses UPDATE and DELETE
    with pytest.raises(DBAPIError), store.write() as session:
        session.connection().execute(text("UPDATE ledger_entry SET amount = amount + 1"))
    with pytest.raises(DBAPIError), store.write() as session:
        session.connection().execute(text("DELETE FROM ledger_entry"))


def test_a_store_that_holds_data_is_refused(shop: Path, store: Store) -> None:
    assert run_migrate_store(shop, store.url, io.StringIO()) == 0
    before = _counts(store)
    out = io.StringIO()
    assert run_migrate_store(shop, store.url, out) == 1
    assert "not empty" in out.getvalue()
    assert _counts(store) == before


def test_a_copy_that_differs_keeps_nothing(
    shop: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = migrate_store._copy_table

    def lossy(src: Any, dst: Any, name: str, deferred: dict[str, list[str]]) -> int:
        copied = real(src, dst, name, deferred)
        if name == "client":  # a copy that went wrong behind the command's back
            dst.execute(text("UPDATE client SET name = 'Outro Nome' WHERE id = 1"))
        return copied

    monkeypatch.setattr(migrate_store, "_copy_table", lossy)
    out = io.StringIO()
    assert run_migrate_store(shop, store.url, out) == 1
    assert "client: the copied rows differ" in out.getvalue()
    assert "nothing was kept" in out.getvalue()
    assert set(_counts(store).values()) == {0}


def test_a_missing_source_is_refused(tmp_path: Path, store: Store) -> None:
    out = io.StringIO()
    assert run_migrate_store(tmp_path / "none.sqlite3", store.url, out) == 1
    assert "No store at" in out.getvalue()
    assert not (tmp_path / "none.sqlite3").exists()
