"""Shared by the leads and assets UI tests: open a client's tab by keys, add documents."""

from __future__ import annotations

from sqlmodel import func, select

from remtui.store.engine import Store
from remtui.store.tables.documents import Document
from remtui.ui.screens.profile import ProfileScreen

from .conftest import wait_for


async def open_tab(app, pilot, name: str, key: str, table_id: str) -> None:
    """Search the client by name, open the profile, switch to the tab with its F-key and
    wait until its list has loaded."""
    await wait_for(pilot, lambda: app.actor is not None)
    await pilot.press(*name)
    await wait_for(pilot, lambda: app.screen.query_one("#results").row_count >= 1)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
    await wait_for(pilot, lambda: app.screen.query_one("#f-name").value != "")
    await pilot.press(key)
    await wait_for(
        pilot,
        lambda: str(app.screen.query_one(f"#{table_id}-status").render()).strip() != "",
    )
    await wait_for(pilot, lambda: app.screen.focused is app.screen.query_one(f"#{table_id}"))


def add_document(
    store: Store,
    client_id: int,
    kind: str = "work_order",
    status: str = "new",
    *,
    number: str = "",
    asset_id: int | None = None,
    total: int = 0,
) -> int:
    """A document row as the documents domain would leave it (tests/domain/test_leads.py)."""
    with store.write() as session:
        count = session.exec(select(func.count()).select_from(Document)).one()
        doc = Document(
            kind=kind,
            number=number or f"D-{count + 1:06d}",
            client_id=client_id,
            status=status,
            asset_id=asset_id,
            total=total,
        )
        session.add(doc)
        session.flush()
        assert doc.id is not None
        return doc.id


def note(app, name: str) -> str:
    """The message shown under a field (empty when the line is hidden)."""
    widget = app.screen.query_one(f"#err-{name}")
    return str(widget.render()) if widget.display else ""
