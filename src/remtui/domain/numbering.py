"""Document and lead numbers: one sequence per series, never reused, safe under concurrency."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

DEFAULT_PREFIXES = {"work_order": "WO-", "estimate": "E-", "sale": "S-", "lead": "L-"}
WIDTH = 6


def next_value(session: Session, series: str) -> int:
    """Take the next number of ``series`` in the caller's write transaction.

    The UPDATE locks the sequence row (PostgreSQL) or runs under the store's write lock
    (SQLite), so two clerks never get the same number; a rolled-back transaction gives
    its number back, so committed numbers have no gaps.
    """
    conn = session.connection()
    conn.execute(
        text(
            "INSERT INTO number_sequence (series, next_value) VALUES (:s, 1) "
            "ON CONFLICT (series) DO NOTHING"
        ),
        {"s": series},
    )
    value = conn.execute(
        text(
            "UPDATE number_sequence SET next_value = next_value + 1 WHERE series = :s "
            "RETURNING next_value - 1"
        ),
        {"s": series},
    ).scalar_one()
    return int(value)


def format_number(value: int, prefix: str) -> str:
    return f"{prefix}{value:0{WIDTH}d}"


def next_number(session: Session, series: str, prefixes: dict[str, str] | None = None) -> str:
    prefix = (prefixes or {}).get(series) or DEFAULT_PREFIXES.get(series, "")
    return format_number(next_value(session, series), prefix)
