"""A profile tab that is one list (leads, assets): a page at a time, newest first, Enter
opens the selected item, the next page loads as the cursor nears the end."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Static

from ..safe import line
from ..work import run_store
from .base import ProfileTab

PAGE = 50


class CrmListTab(ProfileTab):
    """Subclasses give the columns, how to fetch a page, how to show a row and what
    opening a row does."""

    TABLE_ID = ""
    FIXED: dict[str, int] = {}  # column key -> width; the ``FLEX`` column takes the rest
    FLEX = ""

    def __init__(self, client_id: int, **kwargs: Any) -> None:
        super().__init__(client_id, **kwargs)
        self.rows: list[Any] = []
        self.total = 0
        self._loading_more = False

    # --- what a subclass gives ------------------------------------------------------------

    def columns(self) -> list[tuple[str, str]]:
        """(key, translated title) in order."""
        raise NotImplementedError

    def fetch(self, session: Any, limit: int, offset: int) -> tuple[Sequence[Any], int]:
        """A page of rows and the total count (runs in a worker thread)."""
        raise NotImplementedError

    def cells(self, row: Any) -> list[Any]:
        raise NotImplementedError

    def row_id(self, row: Any) -> int:
        return int(row.id)

    def status_text(self) -> str:
        raise NotImplementedError

    def open_item(self, item_id: int) -> None:
        raise NotImplementedError

    # --- the list -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        table: DataTable[Any] = DataTable(
            id=self.TABLE_ID, cursor_type="row", zebra_stripes=True, classes="crm-list"
        )
        for key, title in self.columns():
            table.add_column(title, key=key, width=self.FIXED.get(key, 20))
        yield table
        yield Static("", id=f"{self.TABLE_ID}-status", classes="status-line")

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one(f"#{self.TABLE_ID}", DataTable)

    def on_resize(self) -> None:
        """The flexible column gets what the width leaves."""
        from ..dialogs.crm_common import fit_column

        fit_column(self.table, self.FLEX, minimum=12, width=self.size.width)

    def first_focus(self) -> Widget:
        return self.table

    def reload(self, *, select_id: int | None = None) -> None:
        """Fetch again what is shown (at least a page), keeping the cursor where it was
        or moving it to ``select_id``."""
        limit = max(PAGE, len(self.rows))

        def fetch() -> tuple[Sequence[Any], int]:
            with self.desk.store().read() as session:
                return self.fetch(session, limit, 0)

        run_store(
            self,
            fetch,
            lambda page: self._show(page, reset=True, select_id=select_id),
            group=f"{self.TABLE_ID}-load",
        )

    def _more(self) -> None:
        offset = len(self.rows)

        def fetch() -> tuple[Sequence[Any], int]:
            with self.desk.store().read() as session:
                return self.fetch(session, PAGE, offset)

        def show(page: tuple[Sequence[Any], int]) -> None:
            if len(self.rows) == offset:  # nothing reloaded the list meanwhile
                self._show(page, reset=False)
            self._loading_more = False

        run_store(self, fetch, show, group=f"{self.TABLE_ID}-more")

    def _show(
        self, page: tuple[Sequence[Any], int], *, reset: bool, select_id: int | None = None
    ) -> None:
        rows, total = page
        table = self.table
        cursor = table.cursor_row
        if reset:
            table.clear()
            self.rows = []
        known = {self.row_id(r) for r in self.rows}
        for row in rows:
            if self.row_id(row) in known:
                continue  # the domain pages by offset: a row added meanwhile shifts pages
            known.add(self.row_id(row))
            table.add_row(*self.cells(row), key=str(self.row_id(row)))
            self.rows.append(row)
        self.total = total
        if reset and self.rows:
            ids = [self.row_id(r) for r in self.rows]
            target = ids.index(select_id) if select_id in ids else min(cursor, len(ids) - 1)
            table.move_cursor(row=max(0, target), animate=False)
        self.query_one(f"#{self.TABLE_ID}-status", Static).update(line(self.status_text()))

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        near_end = event.cursor_row >= len(self.rows) - 5
        if near_end and len(self.rows) < self.total and not self._loading_more:
            self._loading_more = True
            self._more()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.rows):
            self.open_item(self.row_id(self.rows[event.cursor_row]))

    def push_item(self, dialog: Screen[Any]) -> None:
        """Open an item's profile; the list is read again when it closes."""
        self.app.push_screen(dialog, lambda _changed: self.reload())

    def push_new(self, dialog: Screen[int]) -> None:
        """Open a + New dialog; the item it creates is selected in the list."""

        def created(item_id: int | None) -> None:
            if item_id is not None:
                self.reload(select_id=item_id)

        self.app.push_screen(dialog, created)

    def store_changed(self) -> None:
        if self.loaded:
            self.reload()
