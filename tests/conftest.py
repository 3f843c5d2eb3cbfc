"""Shared fixtures: every test gets its own config, data folder and store.

With ``REMTUI_TEST_DB_URL`` set to a PostgreSQL server URL (its database is only used to
connect; the role needs CREATEDB), every store a test makes is a FRESH database, copied from
a template migrated once per test process and dropped after the test. Tests that only make
sense on SQLite carry ``@pytest.mark.sqlite_only`` (or ask for the ``sqlite_store`` fixture)
and are skipped there.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
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


def test_db_url() -> str | None:
    """The server URL tests run against, or None for SQLite."""
    return os.environ.get(TEST_DB_URL_VAR) or None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): needs SQLite itself; skipped on REMTUI_TEST_DB_URL"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
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


def make_store(tmp_path: Path, name: str = "store.sqlite3") -> Store:
    """A migrated store of its own: SQLite under ``tmp_path`` or a fresh server database."""
    store = Store(fresh_store_url(tmp_path, name))
    upgrade(store)
    return store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = make_store(tmp_path)
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
    with store.write() as session:
        return staff.create_first_admin(session, "admin", "Ana Admin", "correct horse")


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
