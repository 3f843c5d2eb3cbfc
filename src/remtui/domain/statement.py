"""The client's statement: every movement of the balance, newest first, a page at a time.

Paging is by entry id (keyset), on the ``ix_ledger_client (client_id, id)`` index, and each
row carries the running balance stored with it, so a page costs the same whatever the
length of the client's history.

A period (``date_from`` inclusive, ``date_to`` exclusive, timezone-aware datetimes) is
turned into the contiguous range of the client's entry ids written in it; the opening
balance is the running balance just before that range and the closing balance the one at
its end, so opening + the rows' amounts = closing, always.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from ..errors import DomainError
from ..i18n import _
from ..store.tables import Cashbox, Client, Employee
from ..store.tables.ledger import LedgerEntry
from . import ledger

PAGE = 100
MAX_PAGE = 1000
CHUNK = 1000


@dataclass(frozen=True)
class StatementRow:
    id: int
    at: datetime  # timezone-aware UTC
    kind: str  # a ledger.Kind value
    kind_label: str  # translated
    reference: str  # the document's number, if any
    cashbox: str  # the cashbox's name, "" when none
    comment: str
    employee: str  # the employee's name, "" when none (e.g. the command line)
    amount: int  # signed minor units: positive = the client owes us more
    balance_after: int  # the running balance after this movement
    source_type: str = ""  # what caused it ("correction", "payment", "document", ...)
    source_id: int | None = None


@dataclass(frozen=True)
class StatementPeriod:
    """What a period of the statement covers, in the client's entry ids."""

    first_id: int | None  # the lowest id in the period (None: from the first entry)
    last_id: int | None  # the highest id in the period (None: up to the newest)
    empty: bool  # no movement falls in the period
    opening_balance: int  # the balance before the period (0 without a start)
    closing_balance: int  # the balance at the end of the period (the current one without an end)


@dataclass(frozen=True)
class StatementPage:
    client_id: int
    rows: tuple[StatementRow, ...]  # newest first
    opening_balance: int
    closing_balance: int
    has_more: bool
    next_before_id: int | None  # pass as ``before_id`` for the next (older) page
    current: ledger.Balance  # the client's balance now (header and badge)
    date_from: datetime | None = None
    date_to: datetime | None = None

    @property
    def filtered(self) -> bool:
        return self.date_from is not None or self.date_to is not None


# -- time zones and periods ---------------------------------------------------------------


def shop_timezone(name: str | tzinfo | None = None) -> tzinfo:
    """The shop's time zone: ``name`` (an IANA name or a tzinfo), else $TZ, else the
    server's /etc/localtime, else the current UTC offset."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if isinstance(name, tzinfo):
        return name
    candidate = name or os.environ.get("TZ", "").lstrip(":")
    if candidate:
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            if name:
                raise DomainError(
                    _("Unknown time zone: {name}.").format(name=name), "timezone"
                ) from exc
    try:
        with open("/etc/localtime", "rb") as fh:
            return ZoneInfo.from_file(fh, key="localtime")
    except (OSError, ValueError):
        return datetime.now().astimezone().tzinfo or UTC


def local_period(
    date_from: date | None, date_to: date | None, tz: str | tzinfo | None = None
) -> tuple[datetime | None, datetime | None]:
    """Calendar days in the shop's time zone (both inclusive) as UTC bounds for
    ``statement_page``: [start of ``date_from``, start of the day after ``date_to``)."""
    zone = shop_timezone(tz)
    if date_from is not None and date_to is not None and date_to < date_from:
        raise DomainError(_("The period ends before it starts."), "date_to")
    start = datetime.combine(date_from, time(0), zone).astimezone(UTC) if date_from else None
    end = (
        datetime.combine(date_to + timedelta(days=1), time(0), zone).astimezone(UTC)
        if date_to
        else None
    )
    return start, end


def period_label(date_from: date | None, date_to: date | None, locale: str = "en_GB") -> str:
    """The period in words, for titles ("All movements", "From 1 Jan 2026 to ...")."""
    from babel.dates import format_date

    def fmt(d: date) -> str:
        return str(format_date(d, format="medium", locale=locale))

    if date_from and date_to:
        return _("From {start} to {end}").format(start=fmt(date_from), end=fmt(date_to))
    if date_from:
        return _("From {start}").format(start=fmt(date_from))
    if date_to:
        return _("Up to {end}").format(end=fmt(date_to))
    return _("All movements")


def to_local(at: datetime, tz: str | tzinfo | None = None) -> datetime:
    """A stored UTC time as the shop's wall-clock time (naive, as spreadsheets want it)."""
    return at.astimezone(shop_timezone(tz)).replace(tzinfo=None)


# -- queries ------------------------------------------------------------------------------


def _aware(value: datetime | None, name: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value


def _columns() -> tuple[Any, ...]:
    return (
        LedgerEntry.id,
        LedgerEntry.at,
        LedgerEntry.kind,
        LedgerEntry.reference,
        Cashbox.name,
        LedgerEntry.comment,
        Employee.name,
        LedgerEntry.amount,
        LedgerEntry.balance_after,
        LedgerEntry.source_type,
        LedgerEntry.source_id,
    )


def _query(client_id: int, conditions: list[ColumnElement[bool]]) -> Any:
    return (
        select(*_columns())
        .select_from(LedgerEntry)
        .join(Cashbox, col(Cashbox.id) == col(LedgerEntry.cashbox_id), isouter=True)
        .join(Employee, col(Employee.id) == col(LedgerEntry.employee_id), isouter=True)
        .where(col(LedgerEntry.client_id) == client_id, *conditions)
    )


def _row(r: Any) -> StatementRow:
    kind = str(r[2])
    return StatementRow(
        id=int(r[0]),
        at=r[1],
        kind=kind,
        kind_label=ledger.kind_label(kind),
        reference=r[3] or "",
        cashbox=r[4] or "",
        comment=r[5] or "",
        employee=r[6] or "",
        amount=int(r[7]),
        balance_after=int(r[8]),
        source_type=r[9] or "",
        source_id=int(r[10]) if r[10] is not None else None,
    )


def _first_id(session: Session, client_id: int, *where: ColumnElement[bool]) -> int | None:
    value = session.exec(
        select(LedgerEntry.id)
        .where(col(LedgerEntry.client_id) == client_id, *where)
        .order_by(col(LedgerEntry.id).asc())
        .limit(1)
    ).first()
    return int(value) if value is not None else None


def _last(session: Session, client_id: int, *where: ColumnElement[bool]) -> tuple[int, int] | None:
    """(id, balance_after) of the newest entry matching ``where``."""
    value = session.exec(
        select(LedgerEntry.id, LedgerEntry.balance_after)
        .where(col(LedgerEntry.client_id) == client_id, *where)
        .order_by(col(LedgerEntry.id).desc())
        .limit(1)
    ).first()
    return (int(value[0] or 0), int(value[1])) if value is not None else None


def statement_period(
    session: Session,
    client_id: int,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
) -> StatementPeriod:
    """The id range, opening and closing balance of a period (both bounds optional)."""
    start, end = _aware(date_from, "date_from"), _aware(date_to, "date_to")
    if start is not None and end is not None and end < start:
        raise DomainError(_("The period ends before it starts."), "date_to")
    newest = _last(session, client_id)
    current = newest[1] if newest else 0
    lo = hi = None
    empty = newest is None
    if start is not None and not empty:
        lo = _first_id(session, client_id, col(LedgerEntry.at) >= start)
        empty = lo is None
    if end is not None and not empty:
        last = _last(session, client_id, col(LedgerEntry.at) < end)
        hi = last[0] if last else None
        empty = hi is None or (lo is not None and hi < lo)
    if start is None:
        opening = 0
    elif lo is None:
        opening = current  # every movement is older than the period (or there is none)
    else:
        before = _last(session, client_id, col(LedgerEntry.id) < lo)
        opening = before[1] if before else 0
    if empty:
        closing = opening
    elif hi is None:
        closing = current
    else:
        at_end = _last(session, client_id, col(LedgerEntry.id) == hi)
        closing = at_end[1] if at_end else opening
    return StatementPeriod(
        first_id=None if empty else lo,
        last_id=None if empty else hi,
        empty=empty,
        opening_balance=opening,
        closing_balance=closing,
    )


def _range(period: StatementPeriod) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if period.first_id is not None:
        conditions.append(col(LedgerEntry.id) >= period.first_id)
    if period.last_id is not None:
        conditions.append(col(LedgerEntry.id) <= period.last_id)
    return conditions


def statement_page(
    session: Session,
    client_id: int,
    *,
    before_id: int | None = None,
    limit: int = PAGE,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
) -> StatementPage:
    """One page of the statement, newest first, older than ``before_id`` when given."""
    if session.get(Client, client_id) is None:
        raise DomainError(_("That client does not exist."))
    limit = max(1, min(int(limit), MAX_PAGE))
    period = statement_period(session, client_id, date_from, date_to)
    rows: list[StatementRow] = []
    if not period.empty:
        conditions = _range(period)
        if before_id is not None:
            conditions.append(col(LedgerEntry.id) < before_id)
        query = _query(client_id, conditions).order_by(col(LedgerEntry.id).desc()).limit(limit + 1)
        rows = [_row(r) for r in session.exec(query)]
    has_more = len(rows) > limit
    rows = rows[:limit]
    current = ledger.client_balance(session, client_id)
    return StatementPage(
        client_id=client_id,
        rows=tuple(rows),
        opening_balance=period.opening_balance,
        closing_balance=period.closing_balance,
        has_more=has_more,
        next_before_id=rows[-1].id if has_more else None,
        current=current,
        date_from=date_from,
        date_to=date_to,
    )


def iter_statement(
    session: Session,
    client_id: int,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    *,
    chunk_size: int = CHUNK,
    period: StatementPeriod | None = None,
) -> Iterator[StatementRow]:
    """Every row of the period, oldest first, read ``chunk_size`` at a time (for exports:
    memory stays flat whatever the history)."""
    if period is None:
        period = statement_period(session, client_id, date_from, date_to)
    if period.empty:
        return
    after: int | None = None
    while True:
        conditions = _range(period)
        if after is not None:
            conditions.append(col(LedgerEntry.id) > after)
        query = _query(client_id, conditions).order_by(col(LedgerEntry.id).asc()).limit(chunk_size)
        chunk = [_row(r) for r in session.exec(query)]
        yield from chunk
        if len(chunk) < chunk_size:
            return
        after = chunk[-1].id


def count_rows(session: Session, client_id: int, period: StatementPeriod) -> int:
    """How many movements the period holds (for a progress bar)."""
    if period.empty:
        return 0
    return int(
        session.exec(
            select(func.count())
            .select_from(LedgerEntry)
            .where(col(LedgerEntry.client_id) == client_id, *_range(period))
        ).one()
    )
