"""Engines and sessions: SQLite tuned for several clerks on one file, or PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

BUSY_TIMEOUT_MS = 15_000


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # The driver must not open transactions by itself; the "begin" hooks below do it.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def _make_engine(url: str, *, write: bool) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, future=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
    event.listen(engine, "connect", _sqlite_pragmas)
    # Writers take the write lock up front so that two clerks saving at once wait in turn
    # (busy_timeout) instead of failing half-way with "database is locked".
    begin_sql = "BEGIN IMMEDIATE" if write else "BEGIN"

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(begin_sql)

    return engine


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


class Store:
    """One shop's store: a write engine, a read engine and a cheap change detector."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = sqlite_path(url)
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        if self.path is not None:
            _prepare_file(self.path)
        self.write_engine = _make_engine(url, write=True)
        self.read_engine = _make_engine(url, write=False) if self.is_sqlite else self.write_engine
        self._watch_conn: sqlite3.Connection | None = None

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: commits on success, rolls back on any error."""
        with Session(self.write_engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.read_engine, expire_on_commit=False) as session, session.begin():
            yield session

    def data_version(self) -> int:
        """A number that changes when another connection commits (SQLite), cheap to poll."""
        if self.path is None:
            # Every change writes an audit row, so its highest id is a change counter.
            with self.read() as session:
                return int(
                    session.connection()
                    .exec_driver_sql("SELECT coalesce(max(id), 0) FROM audit")
                    .scalar_one()
                )
        if self._watch_conn is None:
            self._watch_conn = sqlite3.connect(self.path, check_same_thread=False)
        row = self._watch_conn.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def close(self) -> None:
        if self._watch_conn is not None:
            self._watch_conn.close()
            self._watch_conn = None
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()


def _prepare_file(path: Path) -> None:
    """Create the store's folder and file readable and writable by owner and group only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o660)
        os.close(fd)
        os.chmod(path, 0o660)
