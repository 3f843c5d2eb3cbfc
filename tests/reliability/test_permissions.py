"""Store safety: the store, its -wal/-shm and its backups are readable and writable by the
owner and the group only — whatever the clerk's umask — and a setgid folder shares them
with a group (the README's recipe for several Unix accounts)."""

from __future__ import annotations

import grp
import os
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic import command

from remtui.store.engine import Store
from remtui.store.migrate import alembic_config, backup_sqlite, upgrade

from .conftest import REMTUI, DemoTemplate, cli_env, permissive_umask

OWNER_GROUP_RW = 0o660


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _no_other(path: Path) -> bool:
    return _mode(path) & 0o007 == 0


@contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _cli(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The installed command, started from a shell whose umask is 000."""
    done = subprocess.run(
        [str(REMTUI), *args],
        input=stdin,
        env=cli_env(home),
        preexec_fn=permissive_umask,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.mark.parametrize("mask", [0o000, 0o022], ids=["umask-000", "umask-022"])
def test_a_new_store_and_its_wal_and_shm_are_owner_and_group_only(
    tmp_path: Path, mask: int
) -> None:
    db = tmp_path / "new" / "store.sqlite3"
    with _umask(mask):
        store = Store(f"sqlite:///{db}")
        try:
            upgrade(store)  # writes: the -wal and -shm now exist, the store is open
            wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
            assert wal.exists() and shm.exists()
            assert {p.name: _mode(p) for p in (db, wal, shm)} == {
                db.name: OWNER_GROUP_RW,
                wal.name: OWNER_GROUP_RW,
                shm.name: OWNER_GROUP_RW,
            }
        finally:
            store.close()


def test_the_command_line_creates_store_folder_and_backups_owner_and_group_only(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    db = tmp_path / "shop" / "store.sqlite3"  # the command creates the folder
    _cli(home, "--db", str(db), "user", "add", "ana", "--name", "Ana", "--role", "admin",
         "--password-stdin", stdin="correct horse\n")  # fmt: skip
    assert _mode(db) == OWNER_GROUP_RW
    assert _no_other(db.parent), oct(_mode(db.parent))
    for leftover in db.parent.iterdir():
        assert _no_other(leftover), (leftover.name, oct(_mode(leftover)))

    backup = tmp_path / "backups" / "monday" / "store.sqlite3"
    out = _cli(home, "--db", str(db), "backup", str(backup))
    assert out.stdout.strip() == str(backup)
    assert _mode(backup) == OWNER_GROUP_RW
    assert _no_other(backup.parent) and _no_other(backup.parent.parent)
    # The backup is a whole store: it opens and holds the employee.
    listed = _cli(home, "--db", str(backup), "user", "list")
    assert "ana" in listed.stdout
    assert _mode(backup) == OWNER_GROUP_RW


def test_the_demo_store_built_through_the_command_line(demo_template: DemoTemplate) -> None:
    assert demo_template.modes["demo.sqlite3"] == OWNER_GROUP_RW
    assert all(mode & 0o007 == 0 for mode in demo_template.modes.values()), demo_template.modes
    assert demo_template.folder_mode & 0o007 == 0, oct(demo_template.folder_mode)


def test_backups_are_owner_and_group_only_whatever_the_umask(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    store = Store(f"sqlite:///{db}")
    upgrade(store)
    store.close()
    with _umask(0):
        copy = backup_sqlite(db, tmp_path / "copies" / "copy.sqlite3")
    assert _mode(copy) == OWNER_GROUP_RW


def test_the_copy_taken_before_a_migration_is_owner_and_group_only(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    store = Store(f"sqlite:///{db}")
    cfg = alembic_config(store)
    with store.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")  # a store left at an old schema
    with _umask(0):
        copy = upgrade(store)
    store.close()
    assert copy is not None and copy.exists()
    assert _mode(copy) == OWNER_GROUP_RW


def _other_group() -> int | None:
    """A group this process may give files to, other than its own primary group."""
    if os.geteuid() == 0:
        for entry in grp.getgrall():
            if entry.gr_gid != os.getegid():
                return entry.gr_gid
        return None
    others = [g for g in os.getgroups() if g != os.getegid()]
    return others[0] if others else None


def test_a_setgid_folder_shares_the_store_and_its_backups_with_the_group(tmp_path: Path) -> None:
    gid = _other_group()
    if gid is None:
        pytest.skip("no second group to share with")
    shared = tmp_path / "srv-remtui"
    shared.mkdir()
    os.chown(shared, -1, gid)
    os.chmod(shared, 0o2770)  # setgid: what is created inside belongs to the group
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    db = shared / "store.sqlite3"
    (home / "site.toml").write_text(f'[store]\npath = "{db}"\n')  # the site config
    _cli(home, "user", "add", "ana", "--name", "Ana", "--role", "admin", "--password-stdin",
         stdin="correct horse\n")  # fmt: skip
    _cli(home, "backup", str(shared / "backups" / "store.sqlite3"))
    store = Store(f"sqlite:///{db}")
    try:
        with store.write() as session:
            session.connection().exec_driver_sql("SELECT 1")
        made = [db, Path(f"{db}-wal"), Path(f"{db}-shm"), shared / "backups" / "store.sqlite3"]
        for path in made:
            assert path.stat().st_gid == gid, path.name
            assert _mode(path) == OWNER_GROUP_RW, (path.name, oct(_mode(path)))
        assert (shared / "backups").stat().st_gid == gid
        assert _mode(shared / "backups") & 0o2070 == 0o2070  # setgid kept, group rwx
    finally:
        store.close()
