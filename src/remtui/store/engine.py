"""Engines and sessions: SQLite tuned for several clerks on one file, or PostgreSQL.

Other clerks' changes (``Store.data_version``), cheap to poll every second:
- SQLite: ``PRAGMA data_version`` on a connection of its own changes whenever any other
  connection commits to the file.
- PostgreSQL: every write transaction made through ``Store.write`` ends with
  ``NOTIFY remtui_change``, which the server delivers only if and when that transaction
  commits (several in one transaction fold into one). Each store keeps one autocommit
  connection that LISTENs on the channel and counts what arrives; a poll is a single
  ``SELECT 1`` round trip on it. Unlike ``max(audit.id)``, nothing is missed when
  transactions commit out of id order, and writes that add no audit row count too.
  Notifications stay within one database, so two stores on one server do not mix.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

BUSY_TIMEOUT_MS = 15_000
CHANGE_CHANNEL = "remtui_change"  # PostgreSQL: NOTIFY'd by every write transaction


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # The driver must not open transactions by itself; the "begin" hooks below do it.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def _postgresql_session(dbapi_conn: Any, _record: Any) -> None:
    # psycopg prepares a statement it has run 5 times, and the server may then plan it once
    # for any parameters: a search for "jo" would be planned like one for "joaquim silva"
    # (150 ms instead of 1 ms on 100,000 clients). Always plan with the real values.
    autocommit = dbapi_conn.autocommit
    dbapi_conn.autocommit = True
    with dbapi_conn.cursor() as cur:
        cur.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_conn.autocommit = autocommit


def _make_engine(url: str, *, write: bool) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True, future=True)
        if parsed.get_backend_name() == "postgresql":
            event.listen(engine, "connect", _postgresql_session, insert=True)
        return engine
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
        self.is_postgresql = make_url(url).get_backend_name() == "postgresql"
        if self.path is not None:
            _prepare_file(self.path)
        self.write_engine = _make_engine(url, write=True)
        self.read_engine = _make_engine(url, write=False) if self.is_sqlite else self.write_engine
        self._watch_conn: sqlite3.Connection | None = None
        self._watch_lock = threading.Lock()
        self._listen: Any = None  # PostgreSQL: the psycopg connection that LISTENs
        self._listened = False  # a listener existed before (a new one may have missed some)
        self._changes = 0  # PostgreSQL: notifications counted so far

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: commits on success, rolls back on any error."""
        with Session(self.write_engine, expire_on_commit=False) as session, session.begin():
            yield session
            if self.is_postgresql:
                # Delivered to every listener when (and only if) this transaction commits.
                session.connection().exec_driver_sql(
                    f"NOTIFY {CHANGE_CHANNEL}", execution_options={"stream_results": False}
                )

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.read_engine, expire_on_commit=False) as session, session.begin():
            yield session

    def data_version(self) -> int:
        """A number that changes when a connection commits a change, cheap to poll."""
        if self.is_postgresql:
            return self._pg_data_version()
        if self.path is None:
            # Every change writes an audit row, so its highest id is a change counter.
            with self.read() as session:
                return int(
                    session.connection()
                    .exec_driver_sql("SELECT coalesce(max(id), 0) FROM audit")
                    .scalar_one()
                )
        with self._watch_lock:
            if self._watch_conn is None:
                self._watch_conn = sqlite3.connect(self.path, check_same_thread=False)
            row = self._watch_conn.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def _pg_data_version(self) -> int:
        with self._watch_lock:
            if self._listen is None:
                self._listen = self._pg_listener()
                if self._listened:
                    self._changes += 1  # reconnected: what happened meanwhile is unknown
                self._listened = True
            try:
                # One round trip: reads the notifications that arrived (the handler counts
                # them) and finds out if the link is gone.
                self._listen.execute("SELECT 1")
            except Exception:
                self._close_listener()
                raise
            return self._changes

    def _pg_listener(self) -> Any:
        import psycopg

        cargs, cparams = self.write_engine.dialect.create_connect_args(make_url(self.url))
        conn = psycopg.connect(*cargs, **cparams, autocommit=True)
        conn.add_notify_handler(self._count_change)
        conn.execute(f"LISTEN {CHANGE_CHANNEL}")
        return conn

    def _count_change(self, _notify: Any) -> None:
        self._changes += 1

    def _close_listener(self) -> None:
        if self._listen is not None:
            with suppress(Exception):
                self._listen.close()
            self._listen = None

    def close(self) -> None:
        with self._watch_lock:
            if self._watch_conn is not None:
                self._watch_conn.close()
                self._watch_conn = None
            self._close_listener()
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
