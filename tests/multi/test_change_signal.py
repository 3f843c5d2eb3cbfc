"""Store.data_version: the cheap signal a clerk's screen polls to see other clerks' changes
(SQLite: PRAGMA data_version; PostgreSQL: LISTEN/NOTIFY)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from remtui.domain import corrections, staff
from remtui.store.engine import Store


def _changed(store: Store, before: int, wait: float = 10.0) -> bool:
    """Has the version moved? (A notification is delivered a moment after the commit.)"""
    deadline = time.monotonic() + wait
    while True:
        if store.data_version() != before:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)


def _correction(store: Store, actor: staff.Actor, client_id: int) -> None:
    with store.write() as session:
        corrections.add_correction(
            session, actor, client_id, direction="owes_more", amount=100, reason="Acerto"
        )


def test_a_write_from_another_connection_changes_the_version(
    store: Store, admin: staff.Actor, make_client
) -> None:
    client_id = make_client("Maria Santos").id
    other = Store(store.url)  # another clerk: its own connections
    try:
        first = store.data_version()
        assert store.data_version() == first  # polling alone changes nothing
        _correction(other, admin, client_id)
        assert _changed(store, first)
        second = store.data_version()
        _correction(other, admin, client_id)
        assert _changed(store, second)
        # and the other way round
        theirs = other.data_version()
        _correction(store, admin, client_id)
        assert _changed(other, theirs)
    finally:
        other.close()


def test_a_rolled_back_write_does_not_change_the_version(
    store: Store, admin: staff.Actor, make_client
) -> None:
    client_id = make_client("Maria Santos").id
    other = Store(store.url)
    try:
        first = store.data_version()
        with pytest.raises(RuntimeError), other.write() as session:
            corrections.add_correction(
                session, admin, client_id, direction="owes_more", amount=100, reason="Acerto"
            )
            raise RuntimeError("the clerk's save failed half-way")
        # a later committed write is seen, and nothing was counted for the rolled-back one
        _correction(other, admin, client_id)
        assert _changed(store, first)
        assert not _changed(store, store.data_version(), wait=0.3)
    finally:
        other.close()


def test_postgresql_listener_comes_back_after_losing_its_connection(
    store: Store, admin: staff.Actor, make_client
) -> None:
    if not store.is_postgresql:
        pytest.skip("PostgreSQL only: LISTEN/NOTIFY connection")
    client_id = make_client("Maria Santos").id
    first = store.data_version()
    pid = store._listen.info.backend_pid
    with store.write() as session:
        session.connection().execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    with pytest.raises(Exception):  # noqa: B017 - the poll that finds the link gone fails
        for _ in range(100):
            store.data_version()
            time.sleep(0.01)
    # the next poll listens again and reports a change (it may have missed some meanwhile)
    again = store.data_version()
    assert again != first
    other = Store(store.url)
    try:
        _correction(other, admin, client_id)
        assert _changed(store, again)
    finally:
        other.close()
