"""Dates and times for people: the shop's local time, formatted for the locale (Babel)."""

from __future__ import annotations

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
    from .i18n import _

    value = text.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    from babel.dates import parse_date as babel_parse_date

    try:
        parsed = babel_parse_date(value.replace(".", "/").replace("-", "/"), locale=locale)
    except (ValueError, IndexError) as exc:
        raise DomainError(
            _("Not a date: write it as {example}.").format(
                example=format_date(date(2026, 12, 31), locale)
            )
        ) from exc
    if not 1900 <= parsed.year <= 2999:
        raise DomainError(
            _("Not a date: write it as {example}.").format(
                example=format_date(date(2026, 12, 31), locale)
            )
        )
    return parsed
