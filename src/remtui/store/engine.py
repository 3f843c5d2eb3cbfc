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

import errno
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from ..errors import DiskFull, StoreError
from ..i18n import _

BUSY_TIMEOUT_MS = 15_000
BACKENDS = ("sqlite", "postgresql")
SQLITE_HEADER = b"SQLite format 3\x00"
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
        try:
            engine = create_engine(url, pool_pre_ping=True, future=True)
        except ImportError as exc:  # a driver that is not installed (SQLAlchemy's too)
            raise StoreError(
                _("Cannot use {url}: {error}. For PostgreSQL write postgresql+psycopg://…").format(
                    url=_shown(parsed), error=_first_line(exc)
                )
            ) from exc
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


def parse_url(url: str) -> URL:
    """The store's URL, or StoreError for text that is not one remtui can use."""
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(_("Not a store path or URL: {url}").format(url=url)) from exc
    if parsed.get_backend_name() not in BACKENDS:
        raise StoreError(
            _(
                "Unknown kind of store: {scheme}://. Give a SQLite file's path or a "
                "postgresql+psycopg:// URL."
            ).format(scheme=parsed.drivername)
        )
    return parsed


def sqlite_path(url: str) -> Path | None:
    parsed = parse_url(url)
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
        if self.path is not None and self.path.is_dir():
            raise StoreError(
                _("{path} is a folder, not a store: give the store file's path.").format(
                    path=self.path
                )
            )
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
        """A write transaction: commits on success, rolls back on any error. A full disk
        is DiskFull (a DomainError: the caller's one clear line), the rest as raised."""
        try:
            with Session(self.write_engine, expire_on_commit=False) as session, session.begin():
                yield session
                if self.is_postgresql:
                    # Delivered to every listener when (and only if) this transaction commits.
                    session.connection().exec_driver_sql(
                        f"NOTIFY {CHANGE_CHANNEL}", execution_options={"stream_results": False}
                    )
        except (OSError, sqlite3.Error, DBAPIError) as exc:
            problem = store_problem(exc, self.url)
            if isinstance(problem, DiskFull):
                raise problem from exc
            raise

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


# --- a store that cannot be used: one clear line ---------------------------------------

SQLITE_FULL, SQLITE_CORRUPT, SQLITE_NOTADB = 13, 11, 26
SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_PERM, SQLITE_IOERR = 14, 8, 3, 10
SQLITE_BUSY, SQLITE_LOCKED = 5, 6
PG_DISK_FULL = "53100"


def disk_full_message() -> str:
    return _(
        "The disk is full, so nothing was saved. Free some space on it (or ask whoever "
        "looks after the server) and try again."
    )


def open_store(url: str, *, create: bool = False) -> Store:
    """The store at ``url``, opened and looked at (not migrated). StoreError, with one line
    a person can act on, when it cannot be used: no file there (unless ``create``), a
    folder, a file that is not a SQLite database or is damaged, a server that does not
    answer, a URL of an unknown kind."""
    path = sqlite_path(url)
    if path is not None:
        check_sqlite_file(path, create=create)
    try:
        store = Store(url)
    except StoreError:
        raise
    except Exception as exc:
        raise _as_problem(exc, url) from exc
    try:
        with store.write_engine.connect() as conn:  # the pragmas read the file's header
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:
        store.close()
        raise _as_problem(exc, url) from exc
    return store


def check_sqlite_file(path: Path, *, create: bool = False) -> None:
    """StoreError unless ``path`` can be a store: a SQLite file (or, with ``create``,
    nothing yet)."""
    if path.is_dir():
        raise StoreError(
            _("{path} is a folder, not a store: give the store file's path.").format(path=path)
        )
    if not path.exists():
        if create:
            return
        raise StoreError(_("No store at {path}.").format(path=path))
    try:
        header = _read_header(path)
    except OSError as exc:
        raise StoreError(
            _("Cannot read the store at {path}: {error}").format(
                path=path, error=exc.strerror or exc
            )
        ) from exc
    if header and header != SQLITE_HEADER:
        raise StoreError(_not_a_store(path))


def _read_header(path: Path) -> bytes:
    """The file's first bytes, read without opening and closing a descriptor of our own:
    closing any descriptor of a file drops every POSIX lock this process holds on it, and
    another Store open on the same file in this process (a test's, a second screen's) would
    lose its WAL locks and later fail with "disk I/O error". SQLite's own VFS shares and
    defers its descriptors, so the header is read through it."""
    probe = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    try:
        probe.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc):
            return b"not sqlite"
        if isinstance(exc, sqlite3.OperationalError):
            raise OSError(str(exc)) from exc
        return SQLITE_HEADER  # damaged, but SQLite's: the open that follows says how
    finally:
        probe.close()
    return SQLITE_HEADER if path.stat().st_size else b""


def _not_a_store(path: Path | str) -> str:
    return _("{path} is not a remtui store (it is not a SQLite database).").format(path=path)


def _as_problem(exc: BaseException, url: str) -> BaseException:
    problem = store_problem(exc, url)
    return problem if problem is not None else exc


def store_problem(exc: BaseException, url: str | None = None) -> StoreError | None:
    """What a failure of the store means to a person, in one line; None when it is not a
    known kind of store failure (a bug: then the traceback is the useful part)."""
    if isinstance(exc, StoreError):
        return exc
    where = _where(url)
    for cause in _causes(exc):
        if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT):
            return DiskFull(disk_full_message())
        if isinstance(cause, (sqlite3.IntegrityError, sqlite3.ProgrammingError)):
            return None  # the code's mistake, not the store's
        if isinstance(cause, sqlite3.Error):
            return _sqlite_problem(cause, where)
        if getattr(cause, "sqlstate", None) == PG_DISK_FULL:
            return DiskFull(disk_full_message())
        if type(cause).__module__.startswith("psycopg") and type(cause).__name__ in (
            "OperationalError",
            "InterfaceError",
        ):
            return StoreError(
                _("Cannot reach the PostgreSQL store {where}: {reason}").format(
                    where=where, reason=_pg_reason(cause)
                )
            )
    from sqlalchemy.exc import NoSuchModuleError

    if isinstance(exc, NoSuchModuleError):
        return StoreError(_("Unknown kind of store: {where}.").format(where=where))
    return None


def _sqlite_problem(exc: sqlite3.Error, where: str) -> StoreError:
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc)
    if primary == SQLITE_FULL or "database or disk is full" in text:
        return DiskFull(disk_full_message())
    if primary == SQLITE_NOTADB or "file is not a database" in text:
        return StoreError(_not_a_store(where))
    if primary == SQLITE_CORRUPT or "malformed" in text:
        return StoreError(
            _(
                "The store {where} is damaged ({error}). Restore it from a backup "
                "(see the README, Backups and restoring)."
            ).format(where=where, error=_first_line(exc))
        )
    if primary in (SQLITE_READONLY, SQLITE_PERM):
        return StoreError(
            _("The store {where} is read-only for you: {error}").format(
                where=where, error=_first_line(exc)
            )
        )
    if primary == SQLITE_CANTOPEN:
        return StoreError(
            _(
                "Cannot open the store {where}: check that its folder exists and that "
                "you may write there."
            ).format(where=where)
        )
    if primary in (SQLITE_BUSY, SQLITE_LOCKED):
        return StoreError(
            _("The store {where} is busy (another program holds it); try again.").format(
                where=where
            )
        )
    return StoreError(
        _("The store {where} cannot be used: {error}").format(where=where, error=_first_line(exc))
    )


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        if isinstance(orig, BaseException) and id(orig) not in seen:
            yield orig
            seen.add(id(orig))
        current = current.__cause__ or current.__context__


def _where(url: str | None) -> str:
    if not url:
        return ""
    try:
        parsed = make_url(url)
    except Exception:
        return url
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return str(parsed.database)
    return _shown(parsed)


def _shown(parsed: URL) -> str:
    """A server URL without its password."""
    return parsed.render_as_string(hide_password=True)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _pg_reason(exc: BaseException) -> str:
    """The useful end of psycopg's "connection failed: connection to server at ... failed:
    Connection refused"."""
    line = _first_line(exc)
    parts = re.split(r"\bfailed:\s*", line)
    reason = parts[-1].strip() or line
    return re.sub(r"^FATAL:\s*", "", reason)
