"""Several clerks writing to one store at once: the workload shared by
tests/multi/test_many_writers.py and benchmarks/writes.py.

Each clerk is a spawned OS process with its own ``Store`` on the same database. It performs
``ops`` mixed writes, each in its own write transaction, as a front desk would: advances
(payments), refunds, balance corrections, documents (sales; work orders taken through
in_progress -> ready -> closed and sometimes reopened) and edits of a client's record
(read in one transaction, saved in another with the version it read; a ``StaleEdit`` is
re-read and saved again, as a clerk would after seeing the other version).

After each commit the clerk notes what it committed (ids, amounts, numbers, statuses), so
the parent can compare every clerk's own account with what the store holds.
"""

from __future__ import annotations

import dataclasses
import random
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

OPS = ("payment", "refund", "correction", "sale", "work_order", "step", "edit")
WEIGHTS = (4, 1, 2, 2, 2, 4, 3)
WO_NEXT = {"new": "in_progress", "in_progress": "ready", "ready": "closed", "closed": "reopen"}
EDIT_RETRIES = 200


@dataclass
class ClerkReport:
    """What one clerk says it committed."""

    name: str
    ops: int = 0
    payments: dict[int, tuple[int, int]] = field(default_factory=dict)  # id -> (client, +amount)
    refunds: dict[int, tuple[int, int]] = field(default_factory=dict)  # id -> (client, amount)
    corrections: dict[int, tuple[int, int]] = field(default_factory=dict)  # entry -> (client, ±)
    documents: dict[int, tuple[int, str, str, int]] = field(default_factory=dict)
    # document id -> (client, number, last status, total)
    charges: list[tuple[int, int]] = field(default_factory=list)  # (client, ± ledger amount)
    edits: dict[int, list[str]] = field(default_factory=dict)  # client -> tokens saved
    stale_retries: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds per committed operation
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0


def clerk(
    url: str,
    name: str,
    seed: int,
    ops: int,
    client_ids: list[int],
    start: Any = None,
    stop: Any = None,
) -> ClerkReport:
    """One clerk's session (runs in a spawned process): ``ops`` operations, or fewer if
    the ``stop`` event is set. Never raises: failures are in ``errors`` with their
    traceback."""
    from remtui.store.engine import Store

    report = ClerkReport(name)
    store = Store(url)
    try:
        _work(store, report, random.Random(seed), ops, client_ids, start, stop)
    except BaseException:
        report.errors.append(traceback.format_exc())
    finally:
        store.close()
    return report


def _work(
    store: Any,
    report: ClerkReport,
    rng: random.Random,
    ops: int,
    client_ids: list[int],
    start: Any,
    stop: Any,
) -> None:
    from remtui.domain import clients, corrections, payments, staff
    from remtui.domain import documents as docs

    with store.read() as session:
        actor = staff.actor_for(session, "admin")
        boxes = [b for b, _name in staff.cashboxes(session)]
    open_wos: list[int] = []  # this clerk's work orders not yet cancelled
    if start is not None:
        start.wait(timeout=300)
    began = time.perf_counter()
    for n in range(ops):
        if stop is not None and stop.is_set():
            break
        token = f"{report.name}-{n}"
        client = rng.choice(client_ids)
        op = rng.choices(OPS, WEIGHTS)[0]
        if op == "step" and not open_wos:
            op = "work_order"
        t0 = time.perf_counter()
        try:
            if op == "payment":
                amount = rng.randint(1, 50_000)
                with store.write() as session:
                    pay = payments.take_payment(
                        session,
                        actor,
                        client,
                        cashbox_id=rng.choice(boxes),
                        amount=amount,
                        note=token,
                    )
                report.payments[pay.id] = (client, pay.amount)
            elif op == "refund":
                amount = rng.randint(1, 20_000)
                with store.write() as session:
                    pay = payments.refund(
                        session,
                        actor,
                        client,
                        cashbox_id=rng.choice(boxes),
                        amount=amount,
                        note=token,
                        confirmed=True,
                    )
                report.refunds[pay.id] = (client, pay.amount)
            elif op == "correction":
                direction = rng.choice(("owes_more", "we_owe_more"))
                with store.write() as session:
                    fix = corrections.add_correction(
                        session,
                        actor,
                        client,
                        direction=direction,
                        amount=rng.randint(1, 9_999),
                        reason=token,
                    )
                report.corrections[fix.entry_id] = (client, fix.amount)
            elif op in ("sale", "work_order"):
                lines = [
                    docs.LineInput(
                        f"{token} peça {i}",
                        str(rng.randint(1, 3)),
                        rng.randint(100, 30_000),
                        discount_kind="",
                    )
                    for i in range(rng.randint(1, 3))
                ]
                with store.write() as session:
                    doc = docs.create_document(session, actor, client, op, lines, comment=token)
                report.documents[doc.id] = (client, doc.number, doc.status, doc.total)
                if op == "sale":
                    report.charges.append((client, doc.total))
                else:
                    open_wos.append(doc.id)
            elif op == "step":
                doc_id = rng.choice(open_wos)
                owner, number, status, _total = report.documents[doc_id]
                target = WO_NEXT[status]
                with store.write() as session:
                    if target == "reopen":
                        doc = docs.reopen(session, actor, doc_id, note=token)
                    else:
                        doc = docs.change_status(session, actor, doc_id, target)
                report.documents[doc_id] = (owner, number, doc.status, doc.total)
                if target == "closed":
                    report.charges.append((owner, doc.total))
                elif target == "reopen":
                    report.charges.append((owner, -doc.total))
            else:  # edit: read the form, then save it with the version that was read
                for _attempt in range(EDIT_RETRIES):
                    with store.read() as session:
                        record = clients.get_client(session, client)
                    notes = f"{record.notes} {token}".strip()
                    form = dataclasses.replace(record.as_form(), notes=notes)
                    try:
                        with store.write() as session:
                            clients.update_client(session, actor, client, record.version, form)
                    except clients.StaleEdit:
                        report.stale_retries += 1
                        continue
                    report.edits.setdefault(client, []).append(token)
                    break
                else:
                    raise RuntimeError(f"{token}: still stale after {EDIT_RETRIES} tries")
        except Exception:
            report.errors.append(f"{token} ({op}):\n{traceback.format_exc()}")
            if len(report.errors) > 5:
                return
            continue
        report.latencies.append(time.perf_counter() - t0)
        report.ops += 1
    report.elapsed = time.perf_counter() - began


def seed_store(store: Any, clients_count: int) -> list[int]:
    """An administrator and ``clients_count`` clients; returns the client ids."""
    from remtui.domain import clients, staff

    with store.write() as session:
        if staff.needs_first_admin(session):
            staff.create_first_admin(session, "admin", "Ana Admin", "correct horse")
        actor = staff.actor_for(session, "admin")
        return [
            clients.create_client(
                session, actor, clients.ClientForm(name=f"Cliente Partilhado {i:02d}")
            ).id
            for i in range(clients_count)
        ]


def run_clerks(
    url: str, processes: int, ops: int, client_ids: list[int], seed: int = 7, timeout: float = 900
) -> list[ClerkReport]:
    """Start ``processes`` clerks at once (spawned processes) and collect their reports."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        start = manager.Barrier(processes)  # every clerk starts writing at the same moment
        with ctx.Pool(processes) as pool:
            pending = [
                pool.apply_async(clerk, (url, f"c{i}", seed * 1000 + i, ops, client_ids, start))
                for i in range(processes)
            ]
            return [p.get(timeout=timeout) for p in pending]
