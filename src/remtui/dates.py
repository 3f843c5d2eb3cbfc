"""Dates and times for people: the shop's local time, formatted for the locale (Babel)."""

from __future__ import annotations

import re
from datetime import date, datetime


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
        return date.fromisoformat(value)
    except ValueError:
        pass
    parts = [p for p in re.split(r"[/.\-\s]+", value) if p]
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
        raise DomainError(_bad_date(locale))
    numbers = dict(zip(_field_order(locale), map(int, parts), strict=True))
    year = numbers["y"] + (2000 if numbers["y"] < 100 else 0)
    try:
        parsed = date(year, numbers["m"], numbers["d"])
    except ValueError as exc:
        raise DomainError(_bad_date(locale)) from exc
    if not 1900 <= parsed.year <= 2999:
        raise DomainError(_bad_date(locale))
    return parsed


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
