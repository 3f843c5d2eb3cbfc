"""`remtui check`: balances against their movements and sources, and the store's integrity."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from remtui import i18n
from remtui.commands.check import run_check
from remtui.domain import check, clients, corrections, ledger, staff
from remtui.domain.corrections import add_correction
from remtui.store.engine import Store

MakeClient = Callable[..., clients.ClientRecord]


@pytest.fixture(autouse=True)
def only_known_checks(monkeypatch: pytest.MonkeyPatch) -> list[check.SourceCheck]:
    """This file tests the machinery; other areas test their own source checks."""
    check.load_all_areas()  # every area registers into the real list before it is swapped
    checks: list[check.SourceCheck] = [corrections.check_corrections]
    monkeypatch.setattr(check, "SOURCE_CHECKS", checks)
    return checks


def _sqlite(store: Store) -> sqlite3.Connection:
    if store.path is None:
        pytest.skip("tampers with the SQLite file")
    return sqlite3.connect(store.path, isolation_level=None)


def _some_history(store: Store, admin: staff.Actor, make_client: MakeClient) -> list[int]:
    ids = [make_client(f"Cliente {n}").id for n in range(3)]
    with store.write() as session:
        for n, cid in enumerate(ids):
            ledger.post(
                session, client_id=cid, employee_id=None, kind=ledger.Kind.SALE, amount=1000
            )
            add_correction(session, admin, cid, direction="set_to", amount=-n, reason="Acerto")
    return ids


def test_a_sound_store_is_ok(store: Store, admin: staff.Actor, make_client: MakeClient) -> None:
    _some_history(store, admin, make_client)
    make_client("Sem movimentos")
    with store.read() as session:
        report = check.check_store(session)
    assert report.ok and report.problems == ()
    assert report.clients_checked == 4
    assert report.entries_checked == 6
    assert report.source_checks_run == 1


def test_a_broken_running_balance_is_found(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    ids = _some_history(store, admin, make_client)
    with store.write_engine.begin() as conn:  # inserts are allowed; this one is wrong
        conn.execute(
            text(
                "INSERT INTO ledger_entry (client_id, at, kind, amount, balance_after,"
                " source_type, reference, comment)"
                " VALUES (:c, '2026-01-01 00:00:00', 'sale', 500, 12345, '', '', '')"
            ),
            {"c": ids[1]},
        )
    with store.read() as session:
        report = check.check_store(session)
    assert not report.ok
    assert {p.client_id for p in report.problems} == {ids[1]}
    messages = " ".join(p.message for p in report.problems)
    assert "running balance breaks" in messages
    assert "not the sum of the movements" in messages


def test_missing_guards_and_dangling_rows_are_found(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    ids = _some_history(store, admin, make_client)
    conn = _sqlite(store)
    try:
        conn.execute("DROP TRIGGER ledger_entry_no_delete")
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(
            "INSERT INTO ledger_entry (client_id, at, kind, amount, balance_after, source_type,"
            " reference, comment) VALUES (9999, '2026-01-01', 'sale', 5, 5, '', '', '')"
        )
    finally:
        conn.close()
    with store.read() as session:
        report = check.check_store(session)
    areas = {p.area for p in report.problems}
    assert areas == {"store"}
    messages = [p.message for p in report.problems]
    assert any("ledger_entry_no_delete" in m for m in messages)
    assert any("refers to a missing row of client" in m for m in messages)
    assert ids  # the sound clients raise nothing


def test_source_checks_report_and_a_broken_one_does_not_hide_the_rest(
    store: Store,
    admin: staff.Actor,
    make_client: MakeClient,
    only_known_checks: list[check.SourceCheck],
) -> None:
    ids = _some_history(store, admin, make_client)

    def documents_disagree(session: Session) -> list[tuple[int | None, str]]:
        return [(ids[0], "Sale V-1 charges 10.00 but the ledger holds 9.00")]

    def broken(session: Session) -> list[tuple[int | None, str]]:
        raise RuntimeError("bug in a check")

    check.register_source_check(broken)
    check.register_source_check(documents_disagree)
    check.register_source_check(documents_disagree)  # registering twice runs it once
    with store.read() as session:
        report = check.check_store(session)
    assert report.source_checks_run == 3
    assert [(p.client_id, p.area) for p in report.problems] == [
        (None, "test_check.broken"),
        (ids[0], "test_check.documents_disagree"),
    ]
    assert "bug in a check" in report.problems[0].message


def test_check_command(
    store: Store, admin: staff.Actor, make_client: MakeClient, tmp_path: Path
) -> None:
    if store.path is None:
        pytest.skip("uses the SQLite file")
    ids = _some_history(store, admin, make_client)
    out = io.StringIO()
    assert run_check(store.url, out) == 0, out.getvalue()
    assert "Checked 3 clients" in out.getvalue()
    with store.write() as session:  # a correction written around the rules
        ledger.post(
            session, client_id=ids[2], employee_id=None, kind=ledger.Kind.CORRECTION, amount=7
        )
    out = io.StringIO()
    assert run_check(store.url, out) == 1
    assert f"client {ids[2]}" in out.getvalue()
    assert "1 problem found." in out.getvalue()
    i18n.set_language("pt_PT")
    out = io.StringIO()
    assert run_check(store.url, out) == 1
    assert "1 problema encontrado." in out.getvalue()
    missing = tmp_path / "missing.sqlite3"
    out = io.StringIO()
    assert run_check(f"sqlite:///{missing}", out) == 1
    assert not missing.exists()


def test_check_command_refuses_an_old_schema(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    sqlite3.connect(path).close()
    out = io.StringIO()
    assert run_check(f"sqlite:///{path}", out) == 1
    assert "schema" in out.getvalue()


def test_load_all_areas_imports_every_domain_module() -> None:
    import sys

    failed = check.load_all_areas()
    assert all(isinstance(f, str) for f in failed)
    assert "remtui.domain.corrections" in sys.modules
