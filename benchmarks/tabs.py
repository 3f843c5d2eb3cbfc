"""The Documents and Payments tabs for a client with 2,000 documents and 5,000 payments vs a
client with 5 of each: the first page each tab fetches, interleaved. Goal: within 1.2x.

    uv run python -m benchmarks tabs [--repeat N]
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from .common import interleaved, table


def _store(tmp: Path) -> tuple[Any, int, int]:
    from remtui.domain import clients, documents, payments, staff
    from remtui.store.engine import Store
    from remtui.store.migrate import upgrade

    store = Store(f"sqlite:///{tmp / 'tabs.sqlite3'}")
    upgrade(store)
    with store.write() as session:
        admin = staff.create_first_admin(session, "admin", "Admin", "benchmark-pass")
        big = clients.create_client(session, admin, clients.ClientForm(name="Big")).id
        small = clients.create_client(session, admin, clients.ClientForm(name="Small")).id
        box = staff.cashboxes(session)[0][0]
        for client, docs, pays in ((big, 2000, 5000), (small, 5, 5)):
            ids = []
            for i in range(docs):
                doc = documents.create_document(
                    session,
                    admin,
                    client,
                    "sale",
                    [
                        documents.LineInput(
                            description=f"Item {i}", quantity="1", unit_price=1000 + i % 500
                        )
                    ],
                )
                ids.append(doc.id)
            for i in range(pays):
                doc_id = ids[i % len(ids)]
                payments.take_payment(
                    session,
                    admin,
                    client,
                    cashbox_id=box,
                    amount=100,
                    document_id=doc_id if i < len(ids) else None,
                )
    return store, big, small


def _open(store: Any, client_id: int) -> None:
    """What the two tabs' workers fetch when they open (tabs/documents.py, payments.py)."""
    from remtui.domain.documents import list_documents
    from remtui.domain.payments import list_payments
    from remtui.ui.tabs.documents import PAGE as DOC_PAGE
    from remtui.ui.tabs.payments import PAGE as PAY_PAGE

    with store.read() as session:
        list_documents(session, client_id, limit=DOC_PAGE)
        list_payments(session, client_id, limit=PAY_PAGE)


def run(repeat: int = 21) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        store, big, small = _store(Path(tmp))
        got = interleaved(
            {"tabs": ((lambda: _open(store, big)), (lambda: _open(store, small)))}, repeat
        )["tabs"]
        store.close()
    table(
        f"Documents + Payments tabs, first pages, median of {repeat} interleaved runs",
        ("client", "ms", "ratio"),
        [
            ("5 documents, 5 payments", f"{got[1]:.2f}", "1.00x"),
            ("2,000 documents, 5,000 payments", f"{got[0]:.2f}", f"{got[0] / got[1]:.2f}x"),
        ],
    )
    return {"ratio": got[0] / got[1]}
