"""What the leads and assets domains share: cleaning typed text, a savepoint around a
change, creating a row, loading a row or its version, the compare-and-set on a row's
version and the error for a stale copy, paging and counting a client's rows, and
employees' names.

The rules of each (which fields, which statuses, which moves) stay in leads.py and
assets.py; this module only holds the mechanics that are the same for both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import text
from sqlalchemy.sql.expression import GenerativeSelect
from sqlmodel import Session, SQLModel, col, func, select

from ..errors import DomainError
from ..i18n import _
from ..safetext import clean_input
from ..store.tables.core import Client, Employee

M = TypeVar("M", bound=SQLModel)
Q = TypeVar("Q", bound=GenerativeSelect)
R = TypeVar("R")
F = TypeVar("F")


# --- typed text ------------------------------------------------------------------------------


def one_line(value: str | None) -> str:
    """What the clerk typed, cleaned, on one line with single spaces."""
    return " ".join(clean_input(value or "").split())


def check_length(errors: dict[str, str], field: str, value: str, limit: int) -> None:
    """Put "At most N characters." in ``errors[field]`` when ``value`` is too long."""
    if len(value) > limit:
        errors[field] = _("At most {n} characters.").format(n=limit)


# --- stale copies ----------------------------------------------------------------------------


class StaleRecord(DomainError, Generic[R, F]):
    """Someone changed the row after this copy was read. ``current`` is the record as it is
    now; ``mine`` the form the clerk tried to save (None for a status change or a move)."""

    def __init__(self, message: str, current: R, mine: F | None = None) -> None:
        super().__init__(message)
        self.current = current
        self.mine = mine


# --- reading ---------------------------------------------------------------------------------


def require_client(session: Session, client_id: int) -> None:
    if session.get(Client, client_id) is None:
        raise DomainError(_("That client does not exist."), "client")


def load(session: Session, model: type[M], row_id: int, missing: str) -> M:
    """The row as the store has it now (not a cached copy); ``missing`` if there is none."""
    row = session.get(model, row_id, populate_existing=True)
    if row is None:
        raise DomainError(missing)
    return row


def version_of(session: Session, model: Any, row_id: int, missing: str) -> int:
    """The row's ``version`` column; ``missing`` if there is no such row."""
    version = session.exec(select(model.version).where(model.id == row_id)).first()
    if version is None:
        raise DomainError(missing)
    return int(version)


def count_for_client(session: Session, model: Any, client_id: int) -> int:
    """How many rows of ``model`` the client has."""
    return int(
        session.exec(
            select(func.count()).select_from(model).where(model.client_id == client_id)
        ).one()
    )


def page(query: Q, limit: int | None, offset: int) -> Q:
    """``query`` from row ``offset`` on, ``limit`` rows of it when given."""
    query = query.offset(max(0, offset))
    if limit is not None:
        query = query.limit(max(1, limit))
    return query


def employee_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """id -> name of the employees among ``ids`` (None is skipped)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.exec(select(Employee.id, Employee.name).where(col(Employee.id).in_(wanted)))
    return {int(i or 0): n for i, n in rows}


# --- writing ---------------------------------------------------------------------------------


@contextmanager
def all_or_nothing(session: Session) -> Iterator[None]:
    """A savepoint: if anything below fails, nothing of this change stays in the
    transaction, even when the caller catches the error and carries on."""
    with session.begin_nested():
        yield


def created_stamps(actor_id: int | None, now: datetime) -> dict[str, Any]:
    """created_at/by and updated_at/by of a row made now by the employee ``actor_id``."""
    return {"created_at": now, "created_by": actor_id, "updated_at": now, "updated_by": actor_id}


def insert(session: Session, row: Any) -> int:
    """Add ``row`` to the transaction, write it, and return the id the store gave it."""
    session.add(row)
    session.flush()
    assert row.id is not None
    return int(row.id)


def claim(
    session: Session,
    model: type[M],
    row_id: int,
    expected_version: int,
    stale: Callable[[], DomainError],
) -> M:
    """Compare-and-set on the version (atomic on every database): bump the row's version
    if it is still ``expected_version`` and return the row; of two clerks saving the same
    version only one wins, the other gets ``stale()`` (built with the row as it is now)."""
    claimed = (
        session.connection()
        .execute(
            text(
                f"UPDATE {model.__tablename__} SET version = version + 1 "
                "WHERE id = :id AND version = :v"
            ),
            {"id": row_id, "v": expected_version},
        )
        .rowcount
    )
    if claimed != 1:
        raise stale()
    row = session.get(model, row_id, populate_existing=True)
    assert row is not None
    return row
