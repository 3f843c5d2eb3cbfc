"""Apply migrations on start; copy a SQLite file aside before changing its schema."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from .engine import Store


def alembic_config(store: Store | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    if store is not None:
        cfg.set_main_option("sqlalchemy.url", store.url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(store: Store) -> str | None:
    with store.write_engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def backup_sqlite(src: Path, dest: Path) -> Path:
    """A consistent copy of a live SQLite file (the online backup API)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Private from the first byte, whatever the caller's umask.
    os.close(os.open(dest, os.O_CREAT | os.O_WRONLY, 0o660))
    os.chmod(dest, 0o660)
    with sqlite3.connect(src) as source, sqlite3.connect(dest) as target:
        source.backup(target)
    dest.chmod(0o660)
    return dest


def upgrade(store: Store) -> Path | None:
    """Bring the store to the newest schema. Returns the pre-migration copy, if one was made."""
    current = current_revision(store)
    if current == head_revision():
        return None
    copy: Path | None = None
    if store.path is not None and current is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        copy = backup_sqlite(
            store.path, store.path.with_name(f"{store.path.name}.before-{current}-{stamp}.bak")
        )
    cfg = alembic_config(store)
    with store.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return copy
