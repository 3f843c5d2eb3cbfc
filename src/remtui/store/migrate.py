"""Apply migrations on start; copy a SQLite file aside before changing its schema."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import StoreError
from ..i18n import _
from .engine import Store, check_sqlite_file, store_problem

if TYPE_CHECKING:
    from alembic.config import Config

# The newest migration's revision (tests/test_migrations.py holds it to Alembic's scripts).
# A store already there is opened without importing Alembic or reading its scripts, which
# every start and every command would otherwise pay for.
HEAD_REVISION = "0007"


def alembic_config(store: Store | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    if store is not None:
        cfg.set_main_option("sqlalchemy.url", store.url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    return HEAD_REVISION


def scripts_head() -> str | None:
    """The head as Alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revision(revision: str) -> bool:
    """Whether this version of remtui has the migration ``revision`` (an unknown one was
    written by a newer remtui)."""
    if revision == HEAD_REVISION:
        return True
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return any(rev.revision == revision for rev in script.walk_revisions())


def newer_store_message(revision: str) -> str:
    return _(
        "This store was written by a newer remtui (revision {revision}); upgrade remtui to open it."
    ).format(revision=revision)


def current_revision(store: Store) -> str | None:
    """The schema revision the store records (Alembic's version table), or None for a
    store with no remtui schema yet."""
    from sqlalchemy import inspect

    with store.write_engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    if len(rows) > 1:
        raise StoreError(_("The store records more than one schema revision; run remtui check."))
    return str(rows[0][0]) if rows else None


def _foreign_tables(store: Store) -> bool:
    """Tables but no remtui schema revision: some other program's database."""
    from sqlalchemy import inspect

    names = inspect(store.write_engine).get_table_names()
    return any(not n.startswith("sqlite_") and n != "alembic_version" for n in names)


def quick_check(path: Path) -> str | None:
    """None when SQLite's quick_check finds the file sound, else its first complaint."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        conn.close()
    if rows == [("ok",)]:
        return None
    return str(rows[0][0]) if rows else "no answer"


def backup_sqlite(src: Path, dest: Path, *, overwrite: bool = False) -> Path:
    """A consistent copy of a live SQLite file (the online backup API), checked with
    quick_check before it takes its name: a damaged store is never copied over a good
    backup. StoreError (nothing left behind) when the source is damaged, ``dest`` exists
    (unless ``overwrite``) or is a folder, or the disk is full."""
    check_sqlite_file(src)
    if dest.is_dir():
        raise StoreError(_("{path} is a folder; give the backup a file name.").format(path=dest))
    if dest.exists() and not overwrite:
        raise StoreError(
            _("{path} exists already; give another name, or add --force to replace it.").format(
                path=dest
            )
        )
    if dest.resolve() == src.resolve():
        raise StoreError(_("The backup cannot be the store itself."))
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Private from the first byte, whatever the caller's umask; beside the target, so the
    # rename at the end is atomic and a half-written copy never has the backup's name.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        os.chmod(tmp, 0o660)
        try:
            source = sqlite3.connect(src)
            target = sqlite3.connect(tmp)
            try:
                source.backup(target)
                # One self-contained file (no -wal beside it); the store sets WAL again
                # when it is opened.
                target.execute("PRAGMA journal_mode = DELETE")
            finally:
                target.close()
                source.close()
        except (sqlite3.Error, OSError) as exc:
            problem = store_problem(exc, f"sqlite:///{src}")
            raise (problem or exc) from exc
        complaint = quick_check(tmp)
        if complaint is not None:
            raise StoreError(
                _(
                    "The store {path} is damaged ({error}); no backup was written. Keep "
                    "the good backups you have, and restore the store from the newest."
                ).format(path=src, error=complaint)
            )
        tmp.chmod(0o660)
        if overwrite:
            os.replace(tmp, dest)
        else:
            try:
                os.link(tmp, dest)  # never replaces a file that appeared meanwhile
            except FileExistsError as exc:
                raise StoreError(
                    _(
                        "{path} exists already; give another name, or add --force to replace it."
                    ).format(path=dest)
                ) from exc
            tmp.unlink()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        for extra in ("-wal", "-shm", "-journal"):
            Path(f"{tmp}{extra}").unlink(missing_ok=True)
    return dest


def upgrade(store: Store) -> Path | None:
    """Bring the store to the newest schema. Returns the pre-migration copy, if one was
    made. StoreError, with nothing copied or changed, for a store written by a newer
    remtui or a database of another program."""
    current = current_revision(store)
    if current == head_revision():
        return None
    if current is not None and not known_revision(current):
        raise StoreError(newer_store_message(current))
    if current is None and _foreign_tables(store):
        where = store.path if store.path is not None else store.url
        raise StoreError(
            _("{where} holds a database that is not a remtui store.").format(where=where)
        )
    copy: Path | None = None
    if store.path is not None and current is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        copy = backup_sqlite(
            store.path, store.path.with_name(f"{store.path.name}.before-{current}-{stamp}.bak")
        )
    from alembic import command

    cfg = alembic_config(store)
    with store.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return copy
