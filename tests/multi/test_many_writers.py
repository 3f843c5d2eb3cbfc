"""Several clerks on one store: N processes, each with its own Store on the same database,
write hundreds of mixed changes at once. Afterwards nothing failed, nothing was lost, every
balance follows from its movements and document numbers are distinct and gapless.

Runs on the test's store: a SQLite file, or PostgreSQL with REMTUI_TEST_DB_URL set.
REMTUI_MULTI_OPS / REMTUI_MULTI_PROCESSES make it longer or wider.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict

import pytest
from sqlalchemy import text

from remtui.domain import check, ledger, staff
from remtui.store.engine import Store

from .workload import ClerkReport, run_clerks, seed_store

PROCESSES = int(os.environ.get("REMTUI_MULTI_PROCESSES", "4"))
OPS = int(os.environ.get("REMTUI_MULTI_OPS", "200"))  # per process
CLIENTS = 6  # few, so that clerks keep writing to the same clients


def _merged(reports: list[ClerkReport], attr: str) -> dict[int, tuple]:
    merged: dict[int, tuple] = {}
    for r in reports:
        part = getattr(r, attr)
        assert not set(part) & set(merged), f"two clerks committed the same {attr} row"
        merged.update(part)
    return merged


@pytest.mark.slow
def test_many_clerks_write_to_one_store_at_once(store: Store, admin: staff.Actor) -> None:
    assert PROCESSES >= 4
    client_ids = seed_store(store, CLIENTS)
    with store.read() as session:
        conn = session.connection()
        versions_before = dict(conn.execute(text("SELECT id, version FROM client")).all())

    reports = run_clerks(store.url, PROCESSES, OPS, client_ids)

    # --- zero errors (no "database is locked", no deadlock, no stale numbering) -------------
    errors = [e for r in reports for e in r.errors]
    assert errors == [], "\n".join(errors[:3])
    assert [r.ops for r in reports] == [OPS] * PROCESSES

    payments_in = _merged(reports, "payments")
    payments_out = _merged(reports, "refunds")
    fixes = _merged(reports, "corrections")
    documents = _merged(reports, "documents")
    with store.read() as session:
        conn = session.connection()
        stored_payments = conn.execute(
            text("SELECT id, client_id, direction, amount FROM payment")
        ).all()
        stored_fixes = conn.execute(
            text("SELECT id, client_id, amount FROM ledger_entry WHERE source_type = 'correction'")
        ).all()
        stored_docs = conn.execute(
            text("SELECT id, client_id, number, status, total FROM document")
        ).all()
        stored_clients = conn.execute(text("SELECT id, version, notes FROM client")).all()
        client_audits = conn.execute(
            text("SELECT count(*) FROM audit WHERE action = 'client.update'")
        ).scalar_one()
        balances = {cid: ledger.balance(session, cid) for cid in client_ids}
        sums = {cid: ledger.sum_of_entries(session, cid) for cid in client_ids}
        report = check.check_store(session)

    # --- zero lost updates: what every clerk committed is exactly what the store holds ------
    assert {p.id: (p.client_id, p.amount) for p in stored_payments if p.direction == "in"} == (
        payments_in
    )
    assert {p.id: (p.client_id, p.amount) for p in stored_payments if p.direction == "out"} == (
        payments_out
    )
    assert {f.id: (f.client_id, f.amount) for f in stored_fixes} == fixes
    assert {d.id: (d.client_id, d.number, d.status, d.total) for d in stored_docs} == documents

    edits: dict[int, list[str]] = defaultdict(list)
    for r in reports:
        for cid, tokens in r.edits.items():
            edits[cid].extend(tokens)
    assert client_audits == sum(len(t) for t in edits.values())
    for row in stored_clients:
        saved = edits.get(row.id, [])
        # every save raised the version once, and kept every earlier clerk's save
        assert row.version == versions_before[row.id] + len(saved)
        assert Counter(row.notes.split()) == Counter(saved)

    # --- every balance equals its recomputation from what the clerks did --------------------
    expected: dict[int, int] = dict.fromkeys(client_ids, 0)
    for cid, amount in payments_in.values():
        expected[cid] -= amount
    for cid, amount in payments_out.values():
        expected[cid] += amount
    for cid, amount in fixes.values():
        expected[cid] += amount
    for r in reports:
        for cid, amount in r.charges:
            expected[cid] += amount
    assert balances == expected
    assert sums == expected
    assert report.ok, report.problems[:5]

    # --- document numbers: distinct, and each series 1..n without a gap ---------------------
    numbers = [d.number for d in stored_docs]
    assert len(numbers) == len(set(numbers))
    series: dict[str, list[int]] = defaultdict(list)
    for number in numbers:
        found = re.fullmatch(r"(\D+)(\d+)", number)
        assert found, number
        series[found[1]].append(int(found[2]))
    assert set(series) <= {"WO-", "S-"}
    for values in series.values():
        assert sorted(values) == list(range(1, len(values) + 1))
    # the workload really mixed its writes, and clerks really met on the same clients
    assert len(payments_in) > PROCESSES * 10 and len(documents) > PROCESSES * 10
    assert sum(len(t) for t in edits.values()) > PROCESSES * 10
