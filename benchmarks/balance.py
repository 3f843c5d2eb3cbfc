"""The Balance tab and its export.

1. Opening the Balance tab (its fetch: a statement page and the advance held) for a client
   with 20,000 movements vs one with 10, interleaved. Goal: within 1.2x.
2. Exporting 10,000 movements to .xlsx vs a bare openpyxl write-only loop writing the same
   cells, interleaved, with peak memory (tracemalloc). Goal: within 1.2x.

    uv run python -m benchmarks balance [--repeat N]
"""

from __future__ import annotations

import io
import statistics
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any

from .common import interleaved, table


def _store(tmp: Path) -> tuple[Any, int, int]:
    from remtui.domain import clients, ledger, staff
    from remtui.store.engine import Store
    from remtui.store.migrate import upgrade

    store = Store(f"sqlite:///{tmp / 'balance.sqlite3'}")
    upgrade(store)
    with store.write() as session:
        admin = staff.create_first_admin(session, "admin", "Admin", "benchmark-pass")
        big = clients.create_client(session, admin, clients.ClientForm(name="Big Client")).id
        small = clients.create_client(session, admin, clients.ClientForm(name="Small")).id
        cashbox = staff.cashboxes(session)[0][0]
        for client, count in ((big, 20_000), (small, 10)):
            for i in range(count):
                kind = ledger.Kind.PAYMENT if i % 3 else ledger.Kind.SALE
                amount = -(1000 + i % 700) if i % 3 else 2990 + i % 500
                ledger.post(
                    session,
                    client_id=client,
                    employee_id=admin.id,
                    kind=kind,
                    amount=amount,
                    reference=f"S-{i:06d}",
                    cashbox_id=cashbox,
                    comment="benchmark",
                    source_type="payment" if i % 3 else "document",
                )
    return store, big, small


def _open_tab(store: Any, client_id: int) -> None:
    """What the Balance tab's worker does when the tab opens (tabs/balance.py)."""
    from remtui.domain import payments
    from remtui.domain.statement import statement_page
    from remtui.ui.tabs.balance import FIRST_PAGE

    with store.read() as session:
        statement_page(session, client_id, limit=FIRST_PAGE)
        payments.advance_held(session, client_id)


def _bare_openpyxl(rows: list[tuple[Any, ...]], out: io.BytesIO) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    for at, kind, ref, cashbox, comment, employee, amount, balance in rows:
        cells = []
        for value, fmt in (
            (at, "dd/mm/yyyy hh:mm"),
            (kind, None),
            (ref, None),
            (cashbox, None),
            (comment, None),
            (employee, None),
            (amount, "#,##0.00"),
            (balance, "#,##0.00"),
        ):
            c = WriteOnlyCell(ws, value=value)
            if fmt:
                c.number_format = fmt
            cells.append(c)
        ws.append(cells)
    wb.save(out)


def _peak(fn: Any) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def run(repeat: int = 15) -> dict[str, Any]:
    from remtui.domain.statement import iter_statement, statement_period
    from remtui.export.statement_xlsx import statement_bytes

    with tempfile.TemporaryDirectory() as tmp:
        store, big, small = _store(Path(tmp))
        tab = interleaved(
            {"open": ((lambda: _open_tab(store, big)), (lambda: _open_tab(store, small)))}, repeat
        )["open"]
        # The export compares 10,000 movements: the first 10,000 of the big client.
        with store.read() as session:
            period = statement_period(session, big, None, None)
            rows = [
                (
                    r.at.replace(tzinfo=None),
                    r.kind_label,
                    r.reference,
                    r.cashbox,
                    r.comment,
                    r.employee,
                    Decimal(r.amount) / 100,
                    Decimal(r.balance_after) / 100,
                )
                for r in iter_statement(session, big, period=period)
            ][:10_000]
        ten_k = _ten_thousand_client(store, big)

        def ours() -> None:
            with store.read() as session:
                statement_bytes(session, None, ten_k, record=False)

        def bare() -> None:
            _bare_openpyxl(rows, io.BytesIO())

        started = time.perf_counter()
        export = interleaved({"export": (ours, bare)}, max(3, repeat // 3))["export"]
        mem_ours, mem_bare = _peak(ours), _peak(bare)
        store.close()
    table(
        f"Balance tab fetch (statement page + advance held), median of {repeat} interleaved runs",
        ("client", "ms", "ratio"),
        [
            ("10 movements", f"{tab[1]:.2f}", "1.00x"),
            ("20,000 movements", f"{tab[0]:.2f}", f"{tab[0] / tab[1]:.2f}x"),
        ],
    )
    table(
        "Export of 10,000 movements to .xlsx",
        ("writer", "median ms", "ratio", "peak MiB"),
        [
            ("bare openpyxl write-only loop", f"{export[1]:.0f}", "1.00x", f"{mem_bare:.1f}"),
            (
                "remtui statement export",
                f"{export[0]:.0f}",
                f"{export[0] / export[1]:.2f}x",
                f"{mem_ours:.1f}",
            ),
        ],
    )
    del started
    return {
        "tab_ratio": tab[0] / tab[1],
        "export_ratio": export[0] / export[1],
        "export_peak_mib": mem_ours,
        "bare_peak_mib": mem_bare,
        "tab_ms": statistics.fmean(tab),
    }


def _ten_thousand_client(store: Any, big: int) -> int:
    """A client with exactly 10,000 movements (copied from the big one's first 10,000)."""
    from remtui.domain import clients, ledger, staff
    from remtui.domain.statement import iter_statement, statement_period

    with store.write() as session:
        admin = staff.actor_for(session, "admin")
        cid = clients.create_client(session, admin, clients.ClientForm(name="Ten K")).id
        period = statement_period(session, big, None, None)
        for i, r in enumerate(iter_statement(session, big, period=period)):
            if i == 10_000:
                break
            ledger.post(
                session,
                client_id=cid,
                employee_id=admin.id,
                kind=ledger.Kind(r.kind),
                amount=r.amount,
                reference=r.reference,
                comment=r.comment,
                source_type=r.source_type,
            )
    return cid
