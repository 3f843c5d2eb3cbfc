"""DDL shared by migrations: append-only guards (SQLite triggers or a PostgreSQL trigger)."""

from __future__ import annotations

from typing import Any


def append_only(op: Any, table: str) -> None:
    """The database itself refuses UPDATE and DELETE on ``table``."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION remtui_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
    )
    op.execute(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION remtui_append_only()"
    )


def drop_append_only(op: Any, table: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")


def integer_only(op: Any, table: str, column: str) -> None:
    """SQLite columns take any type; make this one refuse anything but integers."""
    if op.get_bind().dialect.name != "sqlite":
        return  # BIGINT already refuses fractions elsewhere
    for verb in ("INSERT", "UPDATE"):
        op.execute(
            f"CREATE TRIGGER {table}_{column}_int_{verb.lower()} BEFORE {verb} ON {table} "
            f"WHEN typeof(new.{column}) != 'integer' "
            f"BEGIN SELECT RAISE(ABORT, '{table}.{column} takes integers only'); END"
        )
