"""Schema changes: migrations only, with a copy of the SQLite file taken first."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic import command
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from remtui.store.engine import Store
from remtui.store.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    scripts_head,
    upgrade,
)


def test_new_store_is_at_head_with_tables(store):
    assert current_revision(store) == head_revision()
    tables = set(inspect(store.write_engine).get_table_names())
    assert {
        "client",
        "client_phone",
        "employee",
        "role",
        "audit",
        "cashbox",
        "warehouse",
        "ledger_entry",
    } <= tables


def test_upgrade_copies_the_file_before_migrating(tmp_path, make_client, store):
    make_client("Ana", "912345678")
    cfg = alembic_config(store)
    with store.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    store.close()
    again = Store(store.url)
    copy = upgrade(again)
    assert copy is not None and copy.exists() and ".before-0001-" in copy.name
    assert current_revision(again) == head_revision()
    assert oct(copy.stat().st_mode & 0o777) == oct(0o660)
    again.close()


def test_upgrade_at_head_does_nothing(store):
    assert upgrade(store) is None


def test_store_file_is_private_to_owner_and_group(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'new' / 's.sqlite3'}")
    upgrade(s)
    assert (tmp_path / "new" / "s.sqlite3").stat().st_mode & 0o007 == 0
    s.close()


def test_a_newer_store_is_neither_copied_nor_migrated(tmp_path, store):
    import pytest

    from remtui.errors import StoreError

    if store.path is None:
        pytest.skip("SQLite only: the pre-migration copy is a file")
    with store.write_engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0123_later'")
    with pytest.raises(StoreError) as info:
        upgrade(store)
    assert info.value.message == (
        "This store was written by a newer remtui (revision 0123_later); upgrade remtui to open it."
    )
    assert current_revision(store) == "0123_later"
    assert not list(store.path.parent.glob("*.bak"))


def test_the_head_the_app_knows_is_the_scripts_head():
    """remtui opens a store at the head without reading Alembic's scripts, so the constant
    must name the newest script (a new migration without it fails here)."""
    assert head_revision() == scripts_head()


def test_the_revision_read_by_sql_is_alembics(store):
    def alembics() -> str | None:
        with store.write_engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    assert current_revision(store) == alembics() == head_revision()
    cfg = alembic_config(store)
    with store.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    assert current_revision(store) == alembics() == "0003"
    with store.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert current_revision(store) is None and alembics() is None


@pytest.mark.sqlite_only("the probe opens the store by its file")
def test_opening_a_store_at_the_head_imports_no_alembic(store):
    code = (
        "import sys; from remtui.store.engine import open_store; "
        "from remtui.store.migrate import upgrade; "
        f"s = open_store({store.url!r}); assert upgrade(s) is None; s.close(); "
        "assert 'alembic' not in sys.modules, 'alembic was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
