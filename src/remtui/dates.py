"""Dates and times for people: the shop's local time, formatted for the locale (Babel)."""

from __future__ import annotations

import re
from datetime import date, datetime

FIRST_YEAR, LAST_YEAR = 1900, 2999  # the dates remtui keeps, reads and computes with


def local(dt: datetime) -> datetime:
    """A UTC timestamp in the server's local time zone (the shop's clock)."""
    return dt.astimezone()


def format_datetime(dt: datetime | None, locale: str = "en_GB") -> str:
    if dt is None:
        return ""
    from babel.dates import format_date, format_time

    moment = local(dt)
    day = format_date(moment, "short", locale=locale)
    return f"{day} {format_time(moment, 'HH:mm', locale=locale)}"


def format_date(d: date | datetime | None, locale: str = "en_GB") -> str:
    if d is None:
        return ""
    from babel.dates import format_date as babel_format_date

    return str(
        babel_format_date(local(d) if isinstance(d, datetime) else d, "short", locale=locale)
    )


def format_number(value: int, locale: str = "en_GB") -> str:
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale=locale))


def parse_date(text: str, locale: str = "en_GB") -> date | None:
    """A day typed by a clerk: ISO (2026-11-28) or the locale's short form (28/11/2026).
    Empty means no date. Raises DomainError for anything else."""
    from .errors import DomainError

    value = text.strip()
    if not value:
        return None
    try:
        iso = date.fromisoformat(value)
    except ValueError:
        pass
    else:
        return check_date_range(iso, locale)
    parts = [p for p in re.split(r"[/.\-\s]+", value) if p]
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
        raise DomainError(_bad_date(locale))
    numbers = dict(zip(_field_order(locale), map(int, parts), strict=True))
    year = numbers["y"] + (2000 if numbers["y"] < 100 else 0)
    try:
        parsed = date(year, numbers["m"], numbers["d"])
    except ValueError as exc:
        raise DomainError(_bad_date(locale)) from exc
    return check_date_range(parsed, locale)


def check_date_range(day: date, locale: str = "en_GB") -> date:
    """``day`` itself when remtui can work with it (years 1900 to 2999: a period's end,
    the day after it, a time zone's shift all stay valid dates); otherwise DomainError with
    a message a clerk can read (e.g. for 9999-12-31, the very last date Python has)."""
    from .errors import DomainError
    from .i18n import _

    if FIRST_YEAR <= day.year <= LAST_YEAR:
        return day
    raise DomainError(
        _("{date} is out of range: use a date from {first} to {last}.").format(
            date=day.isoformat(),
            first=format_date(date(FIRST_YEAR, 1, 1), locale),
            last=format_date(date(LAST_YEAR, 12, 31), locale),
        )
    )


def _bad_date(locale: str) -> str:
    from .i18n import _

    return _("Not a date: write it as {example}.").format(
        example=format_date(date(2026, 12, 31), locale)
    )


def _field_order(locale: str) -> tuple[str, str, str]:
    """The order of day, month and year in the locale's short date ("d/M/y" -> d, m, y)."""
    from babel.dates import get_date_format

    pattern = get_date_format("short", locale=locale).pattern.lower()
    order = sorted("dmy", key=lambda c: pattern.find(c) if c in pattern else 9)
    return order[0], order[1], order[2]
