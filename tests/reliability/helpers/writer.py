"""A clerk's writes, to be killed at any moment (tests/reliability/test_kill.py).

    python writer.py DB LOG NAME SEED [OPS]      (or run_forked, from a fork server)

Performs payments, corrections and documents on the SQLite store DB as the employee
"admin", forever (or OPS operations, then exits 0). After each transaction COMMITS it
appends one JSON line to LOG and fsyncs it, so LOG lists only committed work (the work
in flight when the process is killed may be committed and not yet logged: at most one
operation per writer). Every operation carries a unique token "NAME-N" (the payment's
note, the correction's reason, the document's comment) to find it again in the store.
"""

from __future__ import annotations

import json
import os
import random
import sys
from typing import Any

from sqlmodel import select

from remtui.domain import corrections, documents, payments, staff
from remtui.store.engine import Store
from remtui.store.tables import Client

WO_STEPS = ("in_progress", "ready", "closed")


class Log:
    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def write(self, **entry: Any) -> None:
        os.write(self.fd, (json.dumps(entry, sort_keys=True) + "\n").encode())
        os.fsync(self.fd)


def _lines(rng: random.Random) -> list[documents.LineInput]:
    return [
        documents.LineInput(
            description=f"Part {i}",
            quantity=str(rng.randint(1, 3)),
            unit_price=rng.randint(100, 20_000),
            discount_kind="",
        )
        for i in range(rng.randint(1, 4))
    ]


def main(db: str, log_path: str, name: str, seed: int, ops: int | None) -> int:
    store = Store(f"sqlite:///{db}")
    with store.read() as session:
        actor = staff.actor_for(session, "admin")
        client_ids = [c for c in session.exec(select(Client.id)) if c is not None]
        cashboxes = [c for c, _name in staff.cashboxes(session)]
    rng = random.Random(seed)
    log = Log(log_path)
    closed: list[tuple[int, int]] = []  # (document id, client id) of closed work orders
    n = 0
    while ops is None or n < ops:
        n += 1
        token = f"{name}-{n}"
        client = rng.choice(client_ids)
        op = rng.choice(("payment", "payment", "correction", "work_order", "sale", "reopen"))
        if op == "reopen" and not closed:
            op = "payment"
        if op == "payment":
            with store.write() as session:
                rec = payments.take_payment(
                    session,
                    actor,
                    client,
                    cashbox_id=rng.choice(cashboxes),
                    amount=rng.randint(1, 99_999),
                    note=token,
                )
            log.write(op=op, token=token, ids=[rec.id], amounts=[rec.amount], client=client)
        elif op == "correction":
            with store.write() as session:
                res = corrections.add_correction(
                    session,
                    actor,
                    client,
                    direction=rng.choice(("owes_more", "we_owe_more")),
                    amount=rng.randint(1, 50_000),
                    reason=token,
                )
            log.write(op=op, token=token, entry=res.entry_id, amount=res.amount, client=client)
        elif op == "sale":
            # A sale and its payment in one transaction: both or neither.
            with store.write() as session:
                doc = documents.create_document(
                    session, actor, client, "sale", _lines(rng), comment=token
                )
                rec = payments.take_payment(
                    session,
                    actor,
                    client,
                    cashbox_id=rng.choice(cashboxes),
                    amount=rng.randint(1, doc.total),
                    document_id=doc.id,
                    note=token,
                )
            log.write(
                op=op, token=token, doc=doc.id, ids=[rec.id], amounts=[rec.amount], client=client
            )
        elif op == "work_order":
            # Created, then taken to "closed" either in one transaction or step by step
            # (each step its own transaction, logged when committed).
            one_go = rng.random() < 0.5
            with store.write() as session:
                doc = documents.create_document(
                    session, actor, client, "work_order", _lines(rng), comment=token
                )
                status = doc.status
                if one_go:
                    for step in WO_STEPS:
                        status = documents.change_status(session, actor, doc.id, step).status
            log.write(op=op, token=token, doc=doc.id, status=status, client=client)
            if not one_go:
                for step in WO_STEPS:
                    with store.write() as session:
                        documents.change_status(session, actor, doc.id, step)
                    log.write(op="status", token=token, doc=doc.id, status=step, client=client)
            closed.append((doc.id, client))
        else:  # reopen a closed work order and close it again (two transactions)
            doc_id, doc_client = closed.pop(rng.randrange(len(closed)))
            with store.write() as session:
                documents.reopen(session, actor, doc_id, note=token)
            log.write(op="reopen", token=token, doc=doc_id, status="in_progress", client=doc_client)
            for step in WO_STEPS[1:]:
                with store.write() as session:
                    documents.change_status(session, actor, doc_id, step)
                log.write(op="status", token=token, doc=doc_id, status=step, client=doc_client)
            closed.append((doc_id, doc_client))
    store.close()
    return 0


def run_forked(db: str, log_path: str, name: str, seed: int, ops: int | None, err: str) -> None:
    """``main`` in a process forked by the test's fork server, its errors to ``err``."""
    fd = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 2)
    sys.stderr = os.fdopen(2, "w", buffering=1)
    sys.exit(main(db, log_path, name, seed, ops))


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(args[0], args[1], args[2], int(args[3]), int(args[4]) if len(args) > 4 else None))
