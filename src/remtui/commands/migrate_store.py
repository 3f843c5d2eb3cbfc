"""`remtui migrate-store --from SQLITE_PATH --to URL`: copy a shop's SQLite store into an
empty PostgreSQL store, then prove the copy (no Textual, no Rich).

1. The source must be a SQLite store at the newest schema; it is read in ONE transaction,
   so the copy is a consistent snapshot even if a clerk is still working (stop them first:
   what they save after the snapshot is not copied).
2. The target is brought to the newest schema by the migrations (so it has every trigger
   and index) and must hold no rows.
3. Every table is copied in dependency order with its ids, in ONE transaction on the
   target (all or nothing). Only INSERTs: the append-only tables' triggers stay armed. The
   one cycle between tables (lead.document_id <-> document.lead_id) is broken by inserting
   the nullable side empty and filling it in afterwards (UPDATE, on a table that allows it).
   Derived tables (``DERIVED``: the digit search index, made from the clients' search
   keys) are not copied but rebuilt on the target from the copied clients, in the same
   transaction; step 5's `remtui check` proves them.
4. Id sequences are set past the highest copied id, so new rows do not collide.
5. Proof, in the same transaction before it commits: for every table the same row count
   and the same digest of its rows (read through the tables' own column types) as the
   source, and `remtui check` (every balance against its movements and sources) passes on
   the copy. Any difference rolls the whole copy back.

Exit status 0 when the copy is complete and proven; 1 otherwise, and then the target holds
nothing of the copy (its schema stays migrated).
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from ..i18n import _, ngettext
from ..safetext import safe_text

BATCH = 2000
# Tables computed from other tables: rebuilt on the target, not copied (and so not in the
# row-by-row comparison; `remtui check` compares them with what they are made from).
DERIVED = ("client_digits",)


def _say(out: TextIO, message: str) -> None:
    print(safe_text(message, single_line=True), file=out, flush=True)


def run_migrate_store(from_path: str | Path, to_url: str, out: TextIO | None = None) -> int:
    """Copy the SQLite store at ``from_path`` into the empty store at ``to_url`` (a
    PostgreSQL URL) and verify the copy. Prints what it does to ``out``; returns the exit
    status (0 copied and verified, 1 refused or failed)."""
    from ..errors import StoreError
    from ..store.engine import Store, open_store, sqlite_path

    out = out if out is not None else sys.stdout
    source_path = Path(from_path).expanduser().resolve()
    if not source_path.is_file():
        _say(out, _("No store at {path}.").format(path=source_path))
        return 1
    target_path = sqlite_path(to_url)
    if target_path is not None and target_path.expanduser().resolve() == source_path:
        _say(out, _("The source and the target are the same store."))
        return 1
    try:
        source = open_store(f"sqlite:///{source_path}")
    except StoreError as exc:
        _say(out, exc.message)
        return 1
    try:
        target = Store(to_url)
    except Exception as exc:
        source.close()
        _say(out, _("Cannot open the target store: {error}").format(error=_error(exc)))
        return 1
    try:
        return _migrate(source, target, out)
    except Exception as exc:
        _say(out, _("The copy failed; nothing was kept: {error}").format(error=_error(exc)))
        return 1
    finally:
        source.close()
        target.close()


def _error(exc: BaseException) -> str:
    from ..store.engine import store_problem

    problem = store_problem(exc)
    if problem is not None:
        return problem.message
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


class _Refused(Exception):
    """The copy does not match: the target transaction is rolled back."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _migrate(source: Any, target: Any, out: TextIO) -> int:
    from sqlalchemy import inspect

    from ..domain.check import load_all_areas
    from ..store.migrate import (
        current_revision,
        head_revision,
        known_revision,
        newer_store_message,
        upgrade,
    )

    head = head_revision()
    found = current_revision(source)
    if found is not None and not known_revision(found):
        _say(out, newer_store_message(found))
        return 1
    if found != head:
        _say(
            out,
            _(
                "The source store's schema is at revision {found}, this version expects "
                "{wanted}. Open it with remtui once to bring it up to date, then try again."
            ).format(found=found or "-", wanted=head),
        )
        return 1
    names = _tables()
    revision = current_revision(target)
    if revision is None:
        present = set(inspect(target.write_engine).get_table_names()) - {"alembic_version"}
        if present & set(names):
            _say(out, _("The target store is not empty: it has tables but no schema revision."))
            return 1
        _say(out, _("Bringing the target store to the newest schema…"))
        upgrade(target)
    elif revision != head:
        _say(
            out,
            _("The target already holds a store (schema revision {found}).").format(found=revision),
        )
        return 1
    drift = _schema_drift(source, names) + _schema_drift(target, names)
    busy = [name for name, n in _counts(target, names).items() if n]
    if busy:
        drift.append(
            _("The target store is not empty (rows in: {tables}).").format(
                tables=", ".join(sorted(busy))
            )
        )
    drift.extend(load_all_areas())
    if drift:
        for line in drift:
            _say(out, line)
        return 1

    try:
        with source.read() as src, target.write() as dst:
            order, deferred = _copy_order(dst.connection(), [n for n in names if n not in DERIVED])
            copied: dict[str, int] = {}
            for name in order:
                copied[name] = _copy_table(src.connection(), dst.connection(), name, deferred)
                _say(
                    out,
                    ngettext("{table}: {n} row", "{table}: {n} rows", copied[name]).format(
                        table=name, n=copied[name]
                    ),
                )
            for name, columns in deferred.items():
                _fill_deferred(src.connection(), dst.connection(), name, columns)
            for name, rebuilt in _rebuild_derived(dst.connection()).items():
                _say(
                    out,
                    ngettext(
                        "{table}: {n} row (rebuilt)", "{table}: {n} rows (rebuilt)", rebuilt
                    ).format(table=name, n=rebuilt),
                )
            _reset_sequences(dst.connection(), order)
            _say(out, _("Checking the copy…"))
            wanted = {name: _digest(src.connection(), name) for name in order}
            summary = _verify(dst, order, copied, wanted)  # raises _Refused: rolled back
    except _Refused as refused:
        for line in refused.problems:
            _say(out, line)
        _say(
            out,
            ngettext(
                "The copy differs from the source ({n} problem); nothing was kept.",
                "The copy differs from the source ({n} problems); nothing was kept.",
                len(refused.problems),
            ).format(n=len(refused.problems)),
        )
        return 1
    _say(out, summary)
    return 0


def _rebuild_derived(conn: Any) -> dict[str, int]:
    """Each derived table made again from the copied rows: {table: rows written}."""
    from ..domain import search_index

    return {"client_digits": search_index.rebuild(conn)}


def _schema_drift(store: Any, names: Sequence[str]) -> list[str]:
    """Tables or columns the store has and this version's tables do not know: their data
    would not be copied, so the copy is refused."""
    from sqlalchemy import inspect

    inspector = inspect(store.write_engine)
    ignore = ("alembic_version", "sqlite_", "client_fts")
    problems = []
    for name in inspector.get_table_names():
        if name.startswith(ignore):
            continue
        if name not in names:
            problems.append(_("Table {table} is unknown to this version.").format(table=name))
            continue
        known = set(_table(name).columns.keys())
        for column in inspector.get_columns(name):
            if column["name"] not in known:
                problems.append(
                    _("Column {table}.{column} is unknown to this version.").format(
                        table=name, column=column["name"]
                    )
                )
    return problems


def _tables() -> list[str]:
    from sqlmodel import SQLModel

    from ..store import tables  # noqa: F401  (registers every table on the metadata)

    return [t.name for t in SQLModel.metadata.sorted_tables]


def _table(name: str) -> Any:
    from sqlmodel import SQLModel

    return SQLModel.metadata.tables[name]


def _counts(store: Any, names: Iterable[str]) -> dict[str, int]:
    with store.read() as session:
        return _counts_in(session, names)


def _counts_in(session: Any, names: Iterable[str]) -> dict[str, int]:
    from sqlalchemy import func, select

    conn = session.connection()
    return {
        n: int(conn.execute(select(func.count()).select_from(_table(n))).scalar_one())
        for n in names
    }


def _copy_order(conn: Any, names: Sequence[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Tables parents first, from the foreign keys the TARGET database really has (some
    exist only in migrations). A cycle is broken at a nullable foreign key of a table that
    is not append-only: that column is inserted empty and filled in afterwards."""
    from sqlalchemy import inspect

    inspector = inspect(conn)
    refs: dict[str, list[tuple[str, list[str], bool]]] = {}
    for name in names:
        nullable = {c["name"]: c["nullable"] for c in inspector.get_columns(name)}
        refs[name] = [
            (
                fk["referred_table"],
                fk["constrained_columns"],
                all(nullable[c] for c in fk["constrained_columns"]),
            )
            for fk in inspector.get_foreign_keys(name)
            if fk["referred_table"] != name and fk["referred_table"] in names
        ]
    locked = _append_only_tables(conn)
    order: list[str] = []
    deferred: dict[str, list[str]] = {}
    waiting = list(names)
    while waiting:
        ready = [
            n
            for n in waiting
            if all(
                parent in order or set(cols) <= set(deferred.get(n, []))
                for parent, cols, _null in refs[n]
            )
        ]
        if not ready:  # a cycle: defer one nullable reference of an updatable table
            for n in waiting:
                if n in locked:
                    continue
                for parent, cols, can_be_null in refs[n]:
                    if parent not in order and can_be_null:
                        deferred.setdefault(n, []).extend(cols)
                        break
                else:
                    continue
                break
            else:
                raise RuntimeError(f"cannot order the tables: {', '.join(waiting)}")
            continue
        for n in ready:
            order.append(n)
            waiting.remove(n)
    return order, deferred


def _append_only_tables(conn: Any) -> set[str]:
    from sqlalchemy import text

    if conn.dialect.name != "postgresql":
        return set()
    rows = conn.execute(
        text(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgname LIKE '%append_only'"
        )
    )
    return {str(r[0]) for r in rows}


def _rows(conn: Any, name: str) -> Iterator[list[dict[str, Any]]]:
    """The table's rows in primary-key order, a batch at a time, through the model's
    column types (so timestamps, booleans and money come out the same on every database)."""
    from sqlalchemy import select

    table = _table(name)
    result = conn.execute(
        select(table).order_by(*table.primary_key.columns),
        execution_options={"stream_results": True},
    )
    while batch := result.mappings().fetchmany(BATCH):
        yield [dict(row) for row in batch]


def _copy_table(src: Any, dst: Any, name: str, deferred: dict[str, list[str]]) -> int:
    table = _table(name)
    empty = dict.fromkeys(deferred.get(name, []))
    count = 0
    for batch in _rows(src, name):
        dst.execute(table.insert(), [{**row, **empty} for row in batch])
        count += len(batch)
    return count


def _fill_deferred(src: Any, dst: Any, name: str, columns: list[str]) -> None:
    from sqlalchemy import and_, bindparam, update

    table = _table(name)
    keys = list(table.primary_key.columns)
    statement = (
        update(table)
        .where(and_(*(k == bindparam(f"k_{k.name}") for k in keys)))
        .values({c: bindparam(f"v_{c}") for c in columns})
    )
    for batch in _rows(src, name):
        params = [
            {**{f"k_{k.name}": row[k.name] for k in keys}, **{f"v_{c}": row[c] for c in columns}}
            for row in batch
            if any(row[c] is not None for c in columns)
        ]
        if params:
            dst.execute(statement, params)


def _reset_sequences(conn: Any, names: Iterable[str]) -> None:
    """PostgreSQL: each serial id's sequence continues after the highest copied id."""
    from sqlalchemy import text

    if conn.dialect.name != "postgresql":
        return
    for name in names:
        keys = list(_table(name).primary_key.columns)
        if len(keys) != 1:
            continue
        column = keys[0].name
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": name, "c": column}
        ).scalar_one()
        if sequence is None:
            continue
        conn.execute(
            text(
                f'SELECT setval(:s, coalesce(max("{column}"), 1), max("{column}") IS NOT NULL) '
                f'FROM "{name}"'
            ),
            {"s": sequence},
        )


def _digest(conn: Any, name: str) -> str:
    """A fingerprint of every row of the table, as the model reads it."""
    h = hashlib.sha256()
    for batch in _rows(conn, name):
        for row in batch:
            h.update(repr(sorted(row.items())).encode())
            h.update(b"\n")
    return h.hexdigest()


def _verify(dst: Any, order: list[str], copied: dict[str, int], wanted: dict[str, str]) -> str:
    """In the target's transaction, before it commits: the same rows as the source in
    every table, and `remtui check` passes. Raises _Refused otherwise."""
    from ..domain.check import check_store

    problems: list[str] = []
    counts = _counts_in(dst, order)
    for name in order:
        if counts[name] != copied[name]:
            problems.append(
                _("{table}: {found} rows in the copy, {wanted} in the source.").format(
                    table=name, found=counts[name], wanted=copied[name]
                )
            )
        elif _digest(dst.connection(), name) != wanted[name]:
            problems.append(
                _("{table}: the copied rows differ from the source's.").format(table=name)
            )
    report = check_store(dst)
    for problem in report.problems:
        where = (
            _("client {id}").format(id=problem.client_id)
            if problem.client_id is not None
            else _("store")
        )
        problems.append(f"{where} [{problem.area}]: {problem.message}")
    if problems:
        raise _Refused(problems)
    return ngettext(
        "Copied {n} row in {tables} tables; the copy matches the source and passes the "
        "check ({clients} clients, {entries} ledger entries).",
        "Copied {n} rows in {tables} tables; the copy matches the source and passes the "
        "check ({clients} clients, {entries} ledger entries).",
        sum(copied.values()),
    ).format(
        n=sum(copied.values()),
        tables=len(order),
        clients=report.clients_checked,
        entries=report.entries_checked,
    )
