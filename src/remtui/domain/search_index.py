"""The digit index behind digit searches (phone fragments, tax ids): table ``client_digits``.

A search term made only of digits is found in a client's ``search_key`` exactly when it
is a substring of one of the key's runs of digits (phones, tax id, digits inside an
e-mail or a name), that is, when it begins one of the runs' suffixes. For every maximal
run of ASCII digits in the key the table holds each suffix of at least ``MIN_DIGITS``
digits, cut to its first ``KEEP`` digits, with the client's id:

    "ana | 351912345678" -> 35191234, 51912345, ..., 345678, 45678, 5678, 678

so a term of 3 to ``KEEP`` digits is one prefix range of the primary key,
``digits >= term AND digits < term || ':'`` (':' sorts right after '9'). A longer term
looks up its first ``KEEP`` digits and the caller checks the whole term against the
search key (``LIKE``), as it does for every search.

The rows are derived from ``client.search_key`` alone and are kept in step wherever it is
written (``reindex``: the pairs the old key had and the new one has not are deleted, the
new key's pairs inserted unless present), on every database: SQLite searches with them,
PostgreSQL keeps them so that a store stays consistent whichever database holds it.
`remtui check` compares them with the keys (``check_client_digits``). If ``KEEP`` or the
rules of ``digit_keys`` ever change, a migration must rebuild the table (0007 holds a
frozen copy of these rules for its backfill).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Session

from ..i18n import _, ngettext
from .check import register_source_check

KEEP = 8  # digits kept of each suffix; longer terms are checked against the key
MIN_DIGITS = 3  # shorter terms search name beginnings, never this index
_RUN = re.compile(rf"[0-9]{{{MIN_DIGITS},}}")
_BATCH = 5000  # clients per batch when (re)building the whole table

_INSERT = text(
    "INSERT INTO client_digits (digits, client_id) VALUES (:digits, :client_id) "
    "ON CONFLICT DO NOTHING"
)
_DELETE = text("DELETE FROM client_digits WHERE digits = :digits AND client_id = :client_id")


def digit_keys(search_key: str) -> set[str]:
    """Each suffix of 3 digits or more (cut to KEEP) of each run of digits in the key."""
    keys: set[str] = set()
    for run in _RUN.findall(search_key or ""):
        for start in range(len(run) - MIN_DIGITS + 1):
            keys.add(run[start : start + KEEP])
    return keys


def is_digit_term(term: str) -> bool:
    """Can the index find this search term (3 or more ASCII digits and nothing else)?"""
    return len(term) >= MIN_DIGITS and term.isascii() and term.isdigit()


def key_range(term: str) -> tuple[str, str]:
    """The range of ``client_digits.digits`` holding every suffix that begins with the term
    (with its first KEEP digits only, when it is longer)."""
    key = term[:KEEP]
    return key, key + ":"


def rows_for(pairs: Iterable[tuple[int, str]]) -> list[dict[str, Any]]:
    """The index rows of these (client id, search key) pairs, in key order (bulk inserts
    in key order write the table's pages in sequence)."""
    rows = [(d, cid) for cid, key in pairs for d in digit_keys(key)]
    rows.sort()
    return [{"digits": d, "client_id": cid} for d, cid in rows]


def reindex(session: Session, client_id: int, old_key: str, new_key: str) -> None:
    """Keep the client's rows in step with a search key changed from ``old_key`` (``""``
    for a new client) to ``new_key``, in the caller's transaction."""
    old, new = digit_keys(old_key), digit_keys(new_key)
    conn = session.connection()
    gone = sorted(old - new)
    if gone:
        conn.execute(_DELETE, [{"digits": d, "client_id": client_id} for d in gone])
    if new:
        # Every pair of the new key, not only the added ones: a save also restores rows
        # that went missing (the primary key makes the present ones a no-op).
        conn.execute(_INSERT, [{"digits": d, "client_id": client_id} for d in sorted(new)])


def rebuild(conn: Connection) -> int:
    """Empty the table and fill it from every client's search key (in the caller's
    transaction). Returns the number of rows written."""
    conn.execute(text("DELETE FROM client_digits"))
    written = 0
    last = 0
    while True:
        batch = conn.execute(
            text("SELECT id, search_key FROM client WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": _BATCH},
        ).all()
        if not batch:
            return written
        rows = rows_for((int(cid), key) for cid, key in batch)
        if rows:
            conn.execute(_INSERT, rows)
        written += len(rows)
        last = int(batch[-1][0])


def _mismatches(conn: Connection) -> Iterator[tuple[int, int, int, bool]]:
    """(client id, rows missing, rows extra, client exists) for every client whose rows
    differ from what its search key gives; one pass over each table, in client order."""
    stream = {"stream_results": True}
    clients = conn.execute(
        text("SELECT id, search_key FROM client ORDER BY id"), execution_options=stream
    )
    held = conn.execute(
        text("SELECT client_id, digits FROM client_digits ORDER BY client_id"),
        execution_options=stream,
    )
    groups = itertools.groupby(held, key=lambda r: int(r[0]))
    group = next(groups, None)
    for cid_, key in clients:
        cid = int(cid_)
        while group is not None and group[0] < cid:
            yield group[0], 0, sum(1 for _row in group[1]), False
            group = next(groups, None)
        found: set[str] = set()
        if group is not None and group[0] == cid:
            found = {str(r[1]) for r in group[1]}
            group = next(groups, None)
        wanted = digit_keys(key)
        if found != wanted:
            yield cid, len(wanted - found), len(found - wanted), True
    while group is not None:
        yield group[0], 0, sum(1 for _row in group[1]), False
        group = next(groups, None)


@register_source_check
def check_client_digits(session: Session) -> list[tuple[int | None, str]]:
    """Every client's rows in the digit search index are exactly those its search key
    gives (else digit searches miss the client, or find it wrongly)."""
    problems: list[tuple[int | None, str]] = []
    for cid, missing, extra, exists in _mismatches(session.connection()):
        if exists:
            message = _(
                "The phone search index does not match this client's details "
                "(entries missing: {missing}; entries too many: {extra})."
            ).format(missing=missing, extra=extra)
        else:
            message = ngettext(
                "The phone search index holds {n} entry for a client that does not exist.",
                "The phone search index holds {n} entries for a client that does not exist.",
                extra,
            ).format(n=extra)
        problems.append((cid, message))
    return problems
