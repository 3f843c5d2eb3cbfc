"""The PostgreSQL test fixture's drop waits out a session it may not terminate."""

from __future__ import annotations

from typing import Any, cast

import pytest
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from tests.conftest import drop_database


class _Conn:
    """Refuses the first ``refusals`` drops as PostgreSQL does with an autovacuum worker."""

    def __init__(self, refusals: int) -> None:
        self.refusals = refusals
        self.statements: list[str] = []

    def execute(self, statement: Any) -> None:
        self.statements.append(str(statement))
        if self.refusals:
            self.refusals -= 1
            raise DBAPIError(str(statement), {}, Exception("InsufficientPrivilege"))


def test_drop_retries_until_the_worker_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tests.conftest.time.sleep", lambda _s: None)
    conn = _Conn(refusals=3)
    drop_database(cast(Connection, conn), "remtui_t1_x")
    assert len(conn.statements) == 4
    assert all('DROP DATABASE IF EXISTS "remtui_t1_x" WITH (FORCE)' in s for s in conn.statements)


def test_drop_gives_up_with_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tests.conftest.time.sleep", lambda _s: None)
    conn = _Conn(refusals=10)
    with pytest.raises(DBAPIError):
        drop_database(cast(Connection, conn), "remtui_t1_x", tries=3)
    assert len(conn.statements) == 3
