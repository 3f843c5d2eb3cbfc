"""A profile tab that lists rows newest first, a page at a time (Documents, Payments).

The first fetch is a screenful (``FIRST_PAGE``), so a client with years of history opens
as fast as a new one; ``PAGE`` more rows come as the cursor nears the end. A reload (after
a write here or another clerk's) fetches again every row that was loaded, down to the
oldest one shown, plus any new ones, and puts the cursor back on the same row (by id).

A subclass gives its table's class (``TABLE``), how to fetch a page (``fetch_page``, run
in a worker thread: it must not touch widgets), how to add a row (``add_row``), and how
to fit the columns (``_fit``, with ``widest``/``fit_width``) and word the status line
(``_status``) once rows are shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from rich.cells import cell_len
from textual import on
from textual.binding import Binding
from textual.widgets import DataTable

from ..widgets.cell_table import CellTable
from ..work import run_store
from .base import ProfileTab

if TYPE_CHECKING:
    from sqlmodel import Session

FIRST_PAGE = 40  # a screenful first, so a long history opens as fast as a short one
PAGE = 100  # then this many more as the cursor nears the end
MORE_AT = 5  # load the next page when the cursor is this close to the end
FETCH_MAX = 499  # the domain's page cap (500) less the one row peeked at for "more?"


class HasId(Protocol):
    @property
    def id(self) -> int: ...


R = TypeVar("R", bound=HasId)


def collect(
    fetch: Callable[[int | None, int], list[R]],
    *,
    before_id: int | None = None,
    first: int = FIRST_PAGE,
    down_to: int | None = None,
) -> tuple[list[R], bool]:
    """Rows newest first (``fetch(before_id, limit)`` gives a page; pages are keyset by id),
    and whether older rows remain.

    At least ``first`` rows (fewer only when there are no more); with ``down_to``, every
    row down to that id too (what was shown before a reload), and no older ones.
    """
    rows: list[R] = []
    before = before_id
    while True:
        need = first - len(rows)
        limit = min(need if need > 0 else FETCH_MAX, FETCH_MAX)
        page = fetch(before, limit + 1)  # one more than we keep: are there older rows?
        more = len(page) > limit
        rows.extend(page[:limit])
        if not rows:
            return rows, False
        before = rows[-1].id
        if not more or (len(rows) >= first and (down_to is None or before <= down_to)):
            break
    if down_to is not None and before < down_to:  # fetched past it: keep no older rows
        cut = max(first, sum(1 for r in rows if r.id >= down_to))
        if cut < len(rows):
            rows, more = rows[:cut], True
    return rows, more


class PagedTable(CellTable):
    """A list with a row cursor; Home and End go to the first and the last row loaded (at
    the end the next page loads)."""

    BINDINGS = [
        Binding("home", "scroll_top", show=False, id="list.first_row"),
        Binding("end", "scroll_bottom", show=False, id="list.last_row"),
    ]


class PagedTab(ProfileTab, Generic[R]):
    """A ProfileTab with one PagedTable of rows that have an ``id``, newest first."""

    GROUP = "paged"  # worker group prefix, one per tab class

    def __init__(self, client_id: int, **kwargs: Any) -> None:
        super().__init__(client_id, **kwargs)
        self.rows: list[R] = []
        self.has_more = False
        self._loading_more = False
        self._generation = 0  # bumped by each reload: older pages in flight are dropped
        self._select_after: int | None = None  # the row a reload puts the cursor on
        self._widths: dict[str, int] = {}  # the widest text added to each column

    # --- what a subclass gives ----------------------------------------------------------

    TABLE: type[PagedTable] = PagedTable  # the tab's one table (its class)

    def paged_table(self) -> PagedTable:
        return self.query_one(self.TABLE)

    @staticmethod
    def fetch_page(session: Session, client_id: int, before_id: int | None, limit: int) -> list[R]:
        """One page of rows older than ``before_id`` (newest first). Runs in a worker."""
        raise NotImplementedError

    def add_row(self, table: PagedTable, row: R) -> None:
        raise NotImplementedError

    def _fit(self) -> None:
        """Share the width between the columns (after rows are shown and on resize)."""

    def _status(self) -> None:
        """Say how many rows there are (after rows are shown)."""

    def on_resize(self) -> None:
        self._fit()

    # --- loading ------------------------------------------------------------------------

    def reload(self, *, select_id: int | None = None) -> None:
        """Fetch again what is shown, keeping the cursor on its row; or, after the clerk
        made a row (a payment, a void, a document), on that one: the next key acts on it."""
        self._generation += 1
        if select_id is not None:  # a reload for another reason still lands on it
            self._select_after = select_id
        down_to = self.rows[-1].id if self.rows else None
        self._fetch(before_id=None, first=FIRST_PAGE, down_to=down_to, reset=True)

    def load_more(self) -> None:
        if not self.rows or not self.has_more or self._loading_more:
            return
        self._loading_more = True
        self._fetch(before_id=self.rows[-1].id, first=PAGE, down_to=None, reset=False)

    def _fetch(
        self, *, before_id: int | None, first: int, down_to: int | None, reset: bool
    ) -> None:
        app, client_id, generation = self.desk, self.client_id, self._generation
        fetch_page = self.fetch_page

        def fetch() -> tuple[list[R], bool]:
            with app.store().read() as session:
                return collect(
                    lambda before, limit: fetch_page(session, client_id, before, limit),
                    before_id=before_id,
                    first=first,
                    down_to=down_to,
                )

        run_store(
            self,
            fetch,
            lambda got: self._show(*got, reset=reset, generation=generation),
            group=f"{self.GROUP}-{'load' if reset else 'more'}",
        )

    def _show(self, rows: list[R], more: bool, *, reset: bool, generation: int) -> None:
        if generation != self._generation:
            return  # a reload started after this fetch: its rows replace these
        table = self.paged_table()
        selected = (self._select_after or self.selected_id()) if reset else None
        if reset:
            self._select_after = None
        above = table.cursor_row - round(table.scroll_y)  # the cursor's line on screen
        if reset:
            table.clear()
            self.rows = []
            self._widths = {}
        self._loading_more = False
        for row in rows:
            self.add_row(table, row)
        self.rows.extend(rows)
        self.has_more = more
        if selected is not None:
            for index, row in enumerate(self.rows):
                if row.id == selected:
                    # the same row under the cursor, on the same line of the screen
                    table.move_cursor(row=index, animate=False)
                    top = max(0, index - max(0, above))
                    self.call_after_refresh(table.scroll_to, y=top, animate=False)
                    break
        self._fit()
        self._status()
        self._near_end(table.cursor_row)

    def widest(self, column: str, text: str) -> str:
        """``text``, noted so that ``fit_width(column, ...)`` shows it whole (each value is
        formatted once, when its row is added)."""
        width = cell_len(text)
        if width > self._widths.get(column, 0):
            self._widths[column] = width
        return text

    def fit_width(self, column: str, header: str, minimum: int) -> int:
        """The width that shows the header and every value added to the column whole."""
        return max(minimum, cell_len(header), self._widths.get(column, 0))

    def selected_id(self) -> int | None:
        """The id of the row under the cursor, if any."""
        cursor = self.paged_table().cursor_row
        return self.rows[cursor].id if 0 <= cursor < len(self.rows) else None

    def _near_end(self, cursor_row: int) -> None:
        if self.has_more and self.rows and cursor_row >= len(self.rows) - MORE_AT:
            self.load_more()

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is self.paged_table():
            self._near_end(event.cursor_row)
