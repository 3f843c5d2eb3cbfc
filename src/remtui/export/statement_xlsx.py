"""The client's statement as an .xlsx file (openpyxl, write-only mode: memory stays flat).

Layout (one sheet):
  1  the client's name (text, bold)
  2  "Statement" and the period
  3  "Opening balance" ............................................. balance
  4  header: Date and time | Kind | Reference | Cashbox | Comment | Employee | Amount | Balance
  5… one row per movement, oldest first (real dates in the shop's time zone; amounts and
     running balances as numbers in the currency's format)
  n  "Closing balance" .............................................. balance
Rows 1-4 are frozen; the autofilter covers the header and the movements.

Everything that came from outside (names, comments, references) is written as text, never
as a formula or an error code, and without characters a spreadsheet cannot hold.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any, BinaryIO

from sqlmodel import Session

from ..domain import audit, staff
from ..domain import statement as st
from ..errors import DomainError
from ..i18n import _
from ..money import excel_number_format, to_decimal
from ..store.tables import Client

Progress = Callable[[int, int | None], None]  # (rows written, total rows if known)

DATE_FORMAT = "dd/mm/yyyy hh:mm"
COLUMN_WIDTHS = (17, 20, 14, 18, 40, 20, 15, 15)
PROGRESS_EVERY = 500
HEADER_ROW = 4
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"}
MAX_CELL_TEXT = 32767


def header_labels() -> list[str]:
    return [
        _("Date and time"),
        _("Kind"),
        _("Reference"),
        _("Cashbox"),
        _("Comment"),
        _("Employee"),
        _("Amount"),
        _("Balance"),
    ]


def _clean(value: str) -> str:
    return _ILLEGAL.sub("", value)[:MAX_CELL_TEXT]


class _Sheet:
    """Cells for one write-only sheet: text that stays text, reusable styled cells."""

    def __init__(self, ws: Any, currency: str, locale: str) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        self.ws = ws
        self.cell_class = WriteOnlyCell
        self.bold = Font(bold=True)
        self.money_format = excel_number_format(currency, locale)
        self.currency = currency
        # openpyxl writes each appended row at once, so these styled cells are reused
        # from row to row (a new styled cell per value costs as much as the rest).
        self.at = self._styled(DATE_FORMAT)
        self.amount = self._styled(self.money_format)
        self.balance = self._styled(self.money_format)

    def _styled(self, number_format: str, bold: bool = False) -> Any:
        cell = self.cell_class(self.ws)
        cell.number_format = number_format
        if bold:
            cell.font = self.bold
        return cell

    def text(self, value: str, *, bold: bool = False) -> Any:
        """Outside text as a text cell: "=…" is not a formula, "#N/A" is not an error."""
        value = _clean(value)
        if not bold and not (value.startswith("=") or value in _EXCEL_ERRORS):
            return value or None  # a plain str is already text to openpyxl (and faster)
        cell = self.cell_class(self.ws, value=value or None)
        cell.data_type = "s"
        if bold:
            cell.font = self.bold
        return cell

    def money(self, minor: int, *, bold: bool = False) -> Any:
        cell = self._styled(self.money_format, bold)
        cell.value = to_decimal(minor, self.currency)
        return cell


def write_statement(
    rows: Iterable[st.StatementRow],
    out: BinaryIO,
    *,
    client_name: str,
    period_label: str,
    opening: int,
    closing: int,
    currency: str = "EUR",
    locale: str = "en_GB",
    timezone: str | tzinfo | None = None,
    progress: Progress | None = None,
    total: int | None = None,
) -> None:
    """Write the statement rows (oldest first) to ``out`` as an .xlsx workbook."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    zone = st.shop_timezone(timezone)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_clean(_("Statement"))[:31] or "Statement")
    for index, width in enumerate(COLUMN_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    # Both must be set before the first row: write-only sheets write them first.
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet = _Sheet(ws, currency, locale)
    last_col = get_column_letter(len(COLUMN_WIDTHS))

    title = sheet.text(client_name, bold=True)
    title.font = _big_bold()
    ws.append([title])
    ws.append([sheet.text(_("Statement") + " · " + period_label)])
    ws.append([sheet.text(_("Opening balance"), bold=True), *[None] * 6, sheet.money(opening)])
    ws.append([sheet.text(label, bold=True) for label in header_labels()])

    written = 0
    amount_cell, balance_cell, at_cell = sheet.amount, sheet.balance, sheet.at
    text = sheet.text
    for row in rows:
        at_cell.value = row.at.astimezone(zone).replace(tzinfo=None)
        amount_cell.value = to_decimal(row.amount, currency)
        balance_cell.value = to_decimal(row.balance_after, currency)
        ws.append(
            [
                at_cell,
                text(row.kind_label),
                text(row.reference),
                text(row.cashbox),
                text(row.comment),
                text(row.employee),
                amount_cell,
                balance_cell,
            ]
        )
        written += 1
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(written, total)
    last_row = HEADER_ROW + written
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{last_row}"
    ws.append(
        [sheet.text(_("Closing balance"), bold=True), *[None] * 6, sheet.money(closing, bold=True)]
    )
    wb.save(out)
    if progress is not None:
        progress(written, total if total is not None else written)


def _big_bold() -> Any:
    from openpyxl.styles import Font

    return Font(bold=True, size=14)


def suggested_filename(
    client_id: int, client_name: str, date_from: date | None = None, date_to: date | None = None
) -> str:
    """A file name safe on every system: statement-12-maria-santos-2026-01-01_2026-01-31.xlsx"""
    folded = unicodedata.normalize("NFKD", client_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:40].strip("-")
    prefix = re.sub(r"[^a-z0-9]+", "-", _("statement").lower()).strip("-") or "statement"
    parts = [prefix, str(client_id)] + ([slug] if slug else [])
    if date_from or date_to:
        parts.append(
            f"{date_from.isoformat() if date_from else ''}_{date_to.isoformat() if date_to else ''}"
        )
    return "-".join(parts) + ".xlsx"


@dataclass(frozen=True)
class ExportResult:
    client_id: int
    client_name: str
    period_label: str
    rows: int
    opening_balance: int
    closing_balance: int
    filename: str  # a suggested file name (the caller decides where it goes)


def export_statement(
    session: Session,
    actor: staff.Actor | None,
    client_id: int,
    out: BinaryIO,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    currency: str = "EUR",
    locale: str = "en_GB",
    timezone: str | tzinfo | None = None,
    progress: Progress | None = None,
    record: bool = True,
) -> ExportResult:
    """Write the client's statement (the whole history, or the calendar days from
    ``date_from`` to ``date_to`` inclusive, in the shop's time zone) to ``out`` and record
    the export in the audit log. ``actor`` None is the server's command line (trusted).

    A read session is one consistent snapshot; pass ``record=False`` there and call
    ``record_export`` in a short write transaction afterwards, so other clerks never wait
    for the file to be written."""
    if actor is not None:
        staff.require(actor, staff.Perm.EXPORT)
    client = session.get(Client, client_id)
    if client is None:
        raise DomainError(_("That client does not exist."))
    start, end = st.local_period(date_from, date_to, timezone)
    period = st.statement_period(session, client_id, start, end)
    total = st.count_rows(session, client_id, period)
    label = st.period_label(date_from, date_to, locale)
    counter = _Counter(st.iter_statement(session, client_id, period=period))
    write_statement(
        counter,
        out,
        client_name=client.name,
        period_label=label,
        opening=period.opening_balance,
        closing=period.closing_balance,
        currency=currency,
        locale=locale,
        timezone=timezone,
        progress=progress,
        total=total,
    )
    result = ExportResult(
        client_id=client_id,
        client_name=client.name,
        period_label=label,
        rows=counter.count,
        opening_balance=period.opening_balance,
        closing_balance=period.closing_balance,
        filename=suggested_filename(client_id, client.name, date_from, date_to),
    )
    if record:
        record_export(session, actor, result, date_from, date_to)
    return result


def record_export(
    session: Session,
    actor: staff.Actor | None,
    result: ExportResult,
    date_from: date | None = None,
    date_to: date | None = None,
) -> None:
    """The audit record of an export (who exported which client's statement, when)."""
    audit.record(
        session,
        actor.id if actor is not None else None,
        "balance.export",
        "client",
        result.client_id,
        rows=result.rows,
        date_from=date_from.isoformat() if date_from else None,
        date_to=date_to.isoformat() if date_to else None,
    )


class _Counter:
    def __init__(self, rows: Iterable[st.StatementRow]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Any:
        for row in self.rows:
            self.count += 1
            yield row


def statement_bytes(
    session: Session,
    actor: staff.Actor | None,
    client_id: int,
    **options: Any,
) -> tuple[bytes, ExportResult]:
    """The statement file in memory (for ``App.deliver_binary``) and what it holds.
    ``options`` are those of ``export_statement``."""
    buffer = io.BytesIO()
    result = export_statement(session, actor, client_id, buffer, **options)
    return buffer.getvalue(), result
