"""Shared fixtures: every test gets its own config, data folder and store."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from remtui import i18n
from remtui.domain import clients, staff
from remtui.store.engine import Store
from remtui.store.migrate import upgrade


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
    for var in ("REMTUI_DB", "REMTUI_LANGUAGE", "REMTUI_CURRENCY", "REMTUI_PHONE_REGION",
                "REMTUI_EXPORT_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def make_store(tmp_path: Path, name: str = "store.sqlite3") -> Store:
    url = os.environ.get("REMTUI_TEST_DB_URL") or f"sqlite:///{tmp_path / name}"
    store = Store(url)
    upgrade(store)
    return store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = make_store(tmp_path)
    yield s
    s.close()


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
