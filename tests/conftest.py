"""Shared fixtures: every test gets its own config, data folder and store.

With ``REMTUI_TEST_DB_URL`` set to a PostgreSQL server URL (its database is only used to
connect; the role needs CREATEDB), every store a test makes is a FRESH database, copied from
a template migrated once per test process and dropped after the test. Tests that only make
sense on SQLite carry ``@pytest.mark.sqlite_only`` (or ask for the ``sqlite_store`` fixture)
and are skipped there.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from remtui import i18n
from remtui.domain import clients, staff
from remtui.store.engine import Store
from remtui.store.migrate import head_revision, upgrade

TEST_DB_URL_VAR = "REMTUI_TEST_DB_URL"


def _cache_bytecode() -> None:
    """With PYTHONDONTWRITEBYTECODE set (common in containers), Python compiles every module
    again in every process: 2-3 s per `remtui` the tests start, and the suite starts
    hundreds. Compile once into a cache outside the project (the tree stays as the user
    wants it); this process and every process it starts read it there."""
    if not (sys.dont_write_bytecode or os.environ.get("PYTHONDONTWRITEBYTECODE")):
        return
    prefix = os.environ.get("PYTHONPYCACHEPREFIX") or str(
        Path(tempfile.gettempdir()) / f"remtui-test-pycache-{os.getuid()}"
    )
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = prefix
    sys.dont_write_bytecode = False
    sys.pycache_prefix = prefix


_cache_bytecode()


def test_db_url() -> str | None:
    """The server URL tests run against, or None for SQLite."""
    return os.environ.get(TEST_DB_URL_VAR) or None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): needs SQLite itself; skipped on REMTUI_TEST_DB_URL"
    )


# Tests that take seconds to tens of seconds each (real processes, tmux, many writers).
HEAVY_PATHS = ("tests/reliability/", "tests/multi/", "tests/e2e/", "tests/test_cli.py")


def _weight(item: pytest.Item) -> int:
    if item.get_closest_marker("slow") or item.get_closest_marker("e2e"):
        return 0
    if item.nodeid.startswith(HEAVY_PATHS):
        return 1
    return 2


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The longest tests first (otherwise in collection order): the workers, handed tests a
    # couple at a time (--maxschedchunk), share them out at the start, and the short ones
    # fill in after, so that no worker is left with a minute-long test at the end.
    items.sort(key=_weight)
    if test_db_url() is None:
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason or 'SQLite store'}"))


def drop_database(conn: Connection, name: str, *, tries: int = 50) -> None:
    """DROP DATABASE ... WITH (FORCE), waiting out an autovacuum worker.

    FORCE terminates the database's other sessions, but a role that is not a superuser (nor
    in pg_signal_backend) may not terminate an autovacuum worker: PostgreSQL refuses with
    InsufficientPrivilege. The worker is done with a test's few rows within a moment.
    """
    for attempt in range(tries):
        try:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError:
            if attempt == tries - 1:
                raise
            time.sleep(0.2)


class _Server:
    """Creates and drops one database per test on a PostgreSQL server."""

    def __init__(self, url: str) -> None:
        self.url: URL = make_url(url)
        if self.url.get_backend_name() != "postgresql":
            raise pytest.UsageError(f"{TEST_DB_URL_VAR} must be a PostgreSQL URL")
        tag = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.prefix = f"remtui_t{os.getpid()}_{tag}"[:40].lower()
        self.template: str | None = None
        self.created: list[str] = []
        self._admin: Engine | None = None
        self._server_version: int | None = None

    def url_for(self, database: str) -> str:
        return self.url.set(database=database).render_as_string(hide_password=False)

    def admin(self) -> Engine:
        if self._admin is None:
            self._admin = create_engine(
                self.url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
            )
        return self._admin

    def _version(self) -> int:
        if self._server_version is None:
            with self.admin().connect() as conn:
                self._server_version = int(
                    conn.execute(text("SHOW server_version_num")).scalar_one()
                )
        return self._server_version

    def _template(self) -> str:
        """A database migrated to head, once per test process; each test copies it."""
        if self.template is None:
            name = f"{self.prefix}_tpl_{head_revision()}"
            with self.admin().connect() as conn:
                drop_database(conn, name)
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            store = Store(self.url_for(name))
            try:
                upgrade(store)
            finally:
                store.close()
            with self.admin().connect() as conn:
                # No one (autovacuum included) may be connected to a template being copied.
                conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
            self.template = name
        return self.template

    def fresh(self) -> str:
        template = self._template()
        name = f"{self.prefix}_{uuid.uuid4().hex[:12]}"
        # FILE_COPY (PostgreSQL 15+) copies the small template's files in a few ms where the
        # default WAL_LOG strategy writes every page through the WAL.
        strategy = " STRATEGY FILE_COPY" if self._version() >= 150000 else ""
        for attempt in range(5):
            try:
                with self.admin().connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy}'))
                break
            except OperationalError:  # "source database is being accessed by other users"
                if attempt == 4:
                    raise
                time.sleep(0.5)
        self.created.append(name)
        return self.url_for(name)

    def drop_created(self) -> None:
        if not self.created:
            return
        with self.admin().connect() as conn:
            while self.created:
                name = self.created.pop()
                drop_database(conn, name)

    def close(self) -> None:
        self.drop_created()
        if self.template is not None:
            with self.admin().connect() as conn:
                drop_database(conn, self.template)
            self.template = None
        if self._admin is not None:
            self._admin.dispose()
            self._admin = None


_SERVER: _Server | None = None


def _server() -> _Server | None:
    global _SERVER
    url = test_db_url()
    if url is None:
        return None
    if _SERVER is None:
        _SERVER = _Server(url)
    return _SERVER


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _SERVER is not None:
        _SERVER.close()
    if _TEMPLATE_DIR is not None:
        shutil.rmtree(_TEMPLATE_DIR, ignore_errors=True)


def fresh_store_url(tmp_path: Path, name: str = "store.sqlite3") -> str:
    """The URL of a new, empty, migrated store: a SQLite file under ``tmp_path``, or a fresh
    database on the test server (dropped after the test)."""
    server = _server()
    if server is None:
        return f"sqlite:///{tmp_path / name}"
    return server.fresh()


@pytest.fixture(autouse=True)
def _drop_test_databases() -> Iterator[None]:
    """Drops the databases a test made on the test server (after its stores closed)."""
    yield
    if _SERVER is not None:
        _SERVER.drop_created()


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test touches a real home directory, config or store."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("REMTUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REMTUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("REMTUI_SITE_CONFIG", str(tmp_path / "site.toml"))
    for var in (
        "REMTUI_DB",
        "REMTUI_LANGUAGE",
        "REMTUI_CURRENCY",
        "REMTUI_PHONE_REGION",
        "REMTUI_EXPORT_DIR",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    i18n.set_language("en")
    yield
    i18n.set_language("en")


ADMIN_LOGIN, ADMIN_NAME, ADMIN_PASSWORD = "admin", "Ana Admin", "correct horse"
_TEMPLATE_DIR: Path | None = None
_SQLITE_TEMPLATES: dict[bool, Path] = {}  # with the first administrator -> file


def _checkpointed(path: Path) -> Path:
    """Everything in the main file, so that one file is the whole store."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def _copy_store_file(source: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Private from the first byte, as Store makes a new file (0660 whatever the umask).
    fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o660)
    with os.fdopen(fd, "wb") as out, source.open("rb") as src:
        shutil.copyfileobj(src, out)
    os.chmod(dest, 0o660)


def _sqlite_template(with_admin: bool = False) -> Path:
    """A SQLite store migrated to head (and, ``with_admin``, with the first administrator
    the ``admin`` fixture makes), built once per test process (each xdist worker its own);
    a test's store is a byte copy of it. Migrating took 0.15-0.4 s per test and hashing the
    administrator's password (argon2, the app's own parameters) 0.3-0.6 s; a copy ~1 ms."""
    global _TEMPLATE_DIR
    if with_admin not in _SQLITE_TEMPLATES:
        if _TEMPLATE_DIR is None:
            _TEMPLATE_DIR = Path(tempfile.mkdtemp(prefix="remtui-test-templates-"))
        path = _TEMPLATE_DIR / f"{head_revision()}{'-admin' if with_admin else ''}.sqlite3"
        if with_admin:
            _copy_store_file(_sqlite_template(), path)
            store = Store(f"sqlite:///{path}")
            try:
                with store.write() as session:
                    staff.create_first_admin(session, ADMIN_LOGIN, ADMIN_NAME, ADMIN_PASSWORD)
            finally:
                store.close()
        else:
            store = Store(f"sqlite:///{path}")
            try:
                upgrade(store)
            finally:
                store.close()
        _SQLITE_TEMPLATES[with_admin] = _checkpointed(path)
    return _SQLITE_TEMPLATES[with_admin]


def make_store(tmp_path: Path, name: str = "store.sqlite3", *, with_admin: bool = False) -> Store:
    """A migrated store of its own: a copy of the migrated SQLite template under
    ``tmp_path``, or a fresh server database (itself a copy of a migrated template).
    ``with_admin``: the SQLite copy already holds the ``admin`` fixture's administrator
    (on a server, the ``admin`` fixture makes it)."""
    server = _server()
    if server is None:
        dest = tmp_path / name
        _copy_store_file(_sqlite_template(with_admin), dest)
        return Store(f"sqlite:///{dest}")
    return Store(server.fresh())


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated store of the test's own. When the test uses ``admin`` (directly or
    through ``make_client`` and the like), it is copied with that administrator in it."""
    s = make_store(tmp_path, with_admin="admin" in request.fixturenames)
    yield s
    s.close()


@pytest.fixture
def sqlite_store(store: Store) -> Store:
    """The ``store``, for tests that need SQLite itself (skipped on a test server)."""
    if not store.is_sqlite:
        pytest.skip("SQLite only: needs the SQLite file")
    return store


@pytest.fixture
def admin(store: Store) -> staff.Actor:
    """The store's first administrator, ``admin`` / ``correct horse``: already in a store
    copied from the template with it, made here otherwise."""
    with store.write() as session:
        if staff.needs_first_admin(session):
            return staff.create_first_admin(session, ADMIN_LOGIN, ADMIN_NAME, ADMIN_PASSWORD)
        return staff.actor_for(session, ADMIN_LOGIN)


@pytest.fixture
def make_client(store: Store, admin: staff.Actor) -> Callable[..., clients.ClientRecord]:
    def make(name: str = "Maria Santos", *phones: str, **fields: object) -> clients.ClientRecord:
        form = clients.ClientForm(
            name=name,
            phones=tuple(clients.PhoneInput(p) for p in phones),
            **fields,  # type: ignore[arg-type]
        )
        with store.write() as session:
            return clients.create_client(session, admin, form)

    return make
