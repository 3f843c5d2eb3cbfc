"""Client search: any part of the name (case- and accent-insensitive), any fragment of
any phone number in any format, e-mail or tax id, over a folded ``search_key``.

Results: names that start with the query first, then the rest by name.

How it stays fast on 100,000 clients (SQLite), whatever the query:
- a term of 3 or more digits (every phone-like query becomes one: "912 3" -> "9123")
  is a prefix range of the digit index ``client_digits`` (``search_index``: each suffix
  of each run of digits in the key). We count the range up to ``DIGITS_CAP`` rows: under
  it, the matching clients are collected from the index and sorted (the page's columns
  are read for the page only); at the cap the term is common ("351", "912"), and the
  walk of the name index below finds a page sooner. A query mixing digits and words
  takes the same route when its digit term is rare, else the one below;
- any other query: a quick probe tests it on a sample of 1,000 clients. When under 1 %
  of them match (a rare term), the trigram FTS5 index finds every match and we sort
  those;
- when more match (a common term: "silva", "ana"), matches are dense, so walking the
  name index (which carries the search key) finds a page after a few thousand rows;
- a query of only 1 or 2 characters searches name beginnings (a range of the name index).
Every route checks each term against the search key itself (``LIKE``), so an index only
narrows the candidates: the results are those of the plain scan (``scan_search``).
PostgreSQL gives the same results in the same order (see ``_postgresql``): the trigram
(GIN) index on the same folded key finds substrings, and names sort by code point
(``COLLATE "C"``, as SQLite's BINARY), whatever the database's own collation. It keeps
``client_digits`` in step too, but does not read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from ..safetext import clean_input
from .phones import looks_like_phone, search_digits
from .search_index import is_digit_term, key_range
from .text import fold

PAGE = 50
PROBE_SAMPLE = 1000  # scanning it costs ~0.2 ms; 10 matches (1 %) make a term common
# Index rows of a digit term counted at most; at this many the term is common and the
# name walk (``_dense``) finds a page sooner than sorting every match (on 100,000 clients,
# sorting 350 matches takes 1.5 ms and walking for them 3.5 ms; at 1,000 both take 2.5).
DIGITS_CAP = 1000
_TOP = "\U0010ffff"  # sorts after every other character: the end of a prefix range
_COLUMNS = (
    "c.id, c.name, c.kind, c.email, c.tax_id, c.conflicted, "
    "(SELECT p.e164 FROM client_phone p WHERE p.client_id = c.id "
    "ORDER BY p.position LIMIT 1) AS phone"
)


@dataclass(frozen=True)
class ClientHit:
    id: int
    name: str
    kind: str
    main_phone: str
    email: str
    tax_id: str
    conflicted: bool


@dataclass(frozen=True)
class SearchPage:
    query: str
    hits: tuple[ClientHit, ...]
    offset: int
    has_more: bool = False
    total_shown: int = field(default=0)


# A tax id typed with its country prefix, spaces or dots ("PT552156833", "pt 552.156.833"):
# found by its digits, as the bare number is.
_PREFIXED_TAX_ID = re.compile(r"[A-Za-z]{2}[\s.\-]*\d[\d\s.\-]{3,}")


def terms_of(query: str) -> list[str]:
    """The words to look for: digits only for a phone-like query or a prefixed tax id,
    else folded words."""
    q = clean_input(query)[:100]
    if _PREFIXED_TAX_ID.fullmatch(q):
        q = q[2:]
    if looks_like_phone(q):
        digits = search_digits(q)
        return [digits] if digits else []
    return [t for t in fold(q).split() if t]


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _likes(terms: list[str], params: dict[str, Any]) -> str:
    parts = []
    for i, term in enumerate(terms):
        params[f"t{i}"] = f"%{_like_escape(term)}%"
        parts.append(f"c.search_key LIKE :t{i} ESCAPE '\\'")
    return " AND ".join(parts) or "1=1"


def _run(session: Session, sql: str, params: dict[str, Any]) -> list[ClientHit]:
    rows = session.connection().execute(text(sql), params).all()
    return [
        ClientHit(r.id, r.name, r.kind, r.phone or "", r.email, r.tax_id, bool(r.conflicted))
        for r in rows
    ]


def search_clients(
    session: Session, query: str, *, limit: int = PAGE, offset: int = 0
) -> SearchPage:
    terms = terms_of(query)
    limit = max(1, min(limit, 500))
    offset = max(0, offset)
    if session.connection().dialect.name != "sqlite":
        hits = _postgresql(session, terms, limit, offset)
    elif not terms:
        hits = _run(
            session,
            f"SELECT {_COLUMNS} FROM client c ORDER BY c.sort_key, c.id "
            "LIMIT :limit OFFSET :offset",
            {"limit": limit + 1, "offset": offset},
        )
    elif all(len(t) < 3 for t in terms):
        hits = _prefix_only(session, terms, limit, offset)
    elif (digits := _rare_digits(session, terms)) is not None:
        hits = _by_digits(session, terms, digits, limit, offset)
    elif len(terms) == 1 and is_digit_term(terms[0]):
        hits = _dense(session, terms, limit, offset)
    else:
        long_terms = [t for t in terms if len(t) >= 3]
        match = " ".join('"' + t.replace('"', '""') + '"' for t in long_terms)
        if _is_dense(session, terms):
            hits = _dense(session, terms, limit, offset)
        else:
            hits = _exact(session, terms, match, limit, offset)
    return SearchPage(
        query, tuple(hits[:limit]), offset, len(hits) > limit, offset + min(len(hits), limit)
    )


_PG_ORDER = 'c.sort_key COLLATE "C", c.id'


def _postgresql(session: Session, terms: list[str], limit: int, offset: int) -> list[ClientHit]:
    """The same rules as on SQLite, in one query each: no terms lists everyone by name; only
    1- or 2-character terms search name beginnings (a range of ix_client_sort_c); longer
    terms match anywhere in the key (the planner takes the trigram index), names that start
    with the first term first. Names compare by code point, as SQLite's BINARY does."""
    params: dict[str, Any] = {"limit": limit + 1, "offset": offset}
    order = _PG_ORDER
    if not terms:
        where = "TRUE"
    elif all(len(t) < 3 for t in terms):
        params["lo"], params["hi"] = terms[0], terms[0] + _TOP
        where = (
            'c.sort_key COLLATE "C" >= :lo AND c.sort_key COLLATE "C" < :hi '
            f"AND {_likes(terms, params)}"
        )
    else:
        params["prefix"] = f"{_like_escape(terms[0])}%"
        where = _likes(terms, params)
        order = f"(c.sort_key LIKE :prefix ESCAPE '\\') DESC, {order}"
    return _run(
        session,
        f"SELECT {_COLUMNS} FROM client c WHERE {where} ORDER BY {order} "
        "LIMIT :limit OFFSET :offset",
        params,
    )


def _is_dense(session: Session, terms: list[str]) -> bool:
    """Does at least 1 % of a sample of clients match? (Client ids do not follow names,
    so the first ids are a fair sample.) Dense terms are best found by walking names."""
    params: dict[str, Any] = {"sample": PROBE_SAMPLE, "enough": PROBE_SAMPLE // 100}
    likes = _likes(terms, params)
    found = (
        session.connection()
        .execute(
            text(
                f"SELECT count(*) FROM (SELECT 1 FROM (SELECT c.search_key FROM client c "
                f"ORDER BY c.id LIMIT :sample) c WHERE {likes} LIMIT :enough)"
            ),
            params,
        )
        .scalar_one()
    )
    return bool(found >= PROBE_SAMPLE // 100)


def _rare_digits(session: Session, terms: list[str]) -> str | None:
    """The query's longest term of only digits, if the digit index holds fewer than
    DIGITS_CAP rows for it (counted in the index, up to the cap); else None."""
    digit_terms = [t for t in terms if is_digit_term(t)]
    if not digit_terms:
        return None
    term = max(digit_terms, key=len)
    lo, hi = key_range(term)
    found = (
        session.connection()
        .execute(
            text(
                "SELECT count(*) FROM (SELECT 1 FROM client_digits "
                "WHERE digits >= :lo AND digits < :hi LIMIT :cap) AS d"
            ),
            {"lo": lo, "hi": hi, "cap": DIGITS_CAP},
        )
        .scalar_one()
    )
    return term if found < DIGITS_CAP else None


def _by_digits(
    session: Session, terms: list[str], digits: str, limit: int, offset: int
) -> list[ClientHit]:
    """A rare digit term: the clients the digit index names, each checked against every
    term, ordered as ``_exact`` orders them; the page's columns are read for the page only."""
    params: dict[str, Any] = {
        "limit": limit + 1,
        "offset": offset,
        "prefix": f"{_like_escape(terms[0])}%",
    }
    params["lo"], params["hi"] = key_range(digits)
    where = _likes(terms, params)
    return _run(
        session,
        f"SELECT {_COLUMNS} FROM ("
        "SELECT c.id, (c.sort_key LIKE :prefix ESCAPE '\\') AS starts, c.sort_key "
        "FROM client c WHERE c.id IN (SELECT d.client_id FROM client_digits d "
        "WHERE d.digits >= :lo AND d.digits < :hi) "
        f"AND {where} ORDER BY starts DESC, c.sort_key, c.id LIMIT :limit OFFSET :offset"
        ") AS page JOIN client c ON c.id = page.id "
        "ORDER BY page.starts DESC, page.sort_key, page.id",
        params,
    )


def _exact(
    session: Session, terms: list[str], match: str | None, limit: int, offset: int
) -> list[ClientHit]:
    """Few matches: collect them all and order prefix-first, then by name."""
    params: dict[str, Any] = {
        "limit": limit + 1,
        "offset": offset,
        "prefix": f"{_like_escape(terms[0])}%",
    }
    where = _likes(terms, params)
    fts = ""
    if match is not None:
        params["m"] = match
        fts = "JOIN client_fts f ON f.rowid = c.id AND client_fts MATCH :m"
    return _run(
        session,
        f"SELECT {_COLUMNS} FROM client c {fts} WHERE {where} "
        "ORDER BY (c.sort_key LIKE :prefix ESCAPE '\\') DESC, c.sort_key, c.id "
        "LIMIT :limit OFFSET :offset",
        params,
    )


def _prefix_range(terms: list[str], params: dict[str, Any]) -> str:
    params["lo"], params["hi"] = terms[0], terms[0] + _TOP
    return "c.sort_key >= :lo AND c.sort_key < :hi"


def _prefix_only(session: Session, terms: list[str], limit: int, offset: int) -> list[ClientHit]:
    """One or two characters: names that begin with them (a range of the name index)."""
    params: dict[str, Any] = {"limit": limit + 1, "offset": offset}
    where = f"{_prefix_range(terms, params)} AND {_likes(terms, params)}"
    return _run(
        session,
        f"SELECT {_COLUMNS} FROM client c WHERE {where} "
        "ORDER BY c.sort_key, c.id LIMIT :limit OFFSET :offset",
        params,
    )


def _dense(session: Session, terms: list[str], limit: int, offset: int) -> list[ClientHit]:
    """Many matches: names starting with the query first (an index range), then the rest
    in name order, walking the name index until the page is full."""
    params: dict[str, Any] = {}
    in_range = _prefix_range(terms, params)
    likes = _likes(terms, params)
    first = _run(
        session,
        f"SELECT {_COLUMNS} FROM client c WHERE {in_range} AND {likes} "
        "ORDER BY c.sort_key, c.id LIMIT :limit OFFSET :offset",
        {**params, "limit": limit + 1, "offset": offset},
    )
    if len(first) > limit:
        return first
    prefix_count = (
        len(first) + offset
        if first
        else session.connection()
        .execute(text(f"SELECT count(*) FROM client c WHERE {in_range} AND {likes}"), params)
        .scalar_one()
    )
    rest = _run(
        session,
        f"SELECT {_COLUMNS} FROM client c INDEXED BY ix_client_sort "
        f"WHERE NOT ({in_range}) AND {likes} ORDER BY c.sort_key, c.id "
        "LIMIT :limit OFFSET :offset",
        {**params, "limit": limit + 1 - len(first), "offset": max(0, offset - prefix_count)},
    )
    return first + rest


def scan_search(session: Session, query: str, limit: int = PAGE) -> list[ClientHit]:
    """The same page by a plain LIKE '%q%' scan of the table (no index): the baseline the
    benchmarks compare against."""
    terms = terms_of(query) or [""]
    params: dict[str, Any] = {"limit": limit + 1, "prefix": f"{_like_escape(terms[0])}%"}
    where = _likes(terms, params)
    return _run(
        session,
        f"SELECT {_COLUMNS} FROM client c NOT INDEXED WHERE {where} "
        "ORDER BY (c.sort_key LIKE :prefix ESCAPE '\\') DESC, c.sort_key, c.id "
        "LIMIT :limit",
        params,
    )[:limit]
