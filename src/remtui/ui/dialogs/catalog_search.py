"""The document editor's catalog type-ahead: as the clerk types a line's item, the
catalog is searched (debounced, off the UI thread) and the matches are shown under that
line; Enter before they arrive looks up the first match instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets.option_list import Option

from ...safetext import safe_text
from ..context import desk
from ..documents_text import money
from ..safe import rich_line
from ..work import run_store
from .document_lines import CatalogMatches, LineRow

if TYPE_CHECKING:
    from ...domain.catalog import CatalogItemRecord

DEBOUNCE = 0.15
MATCHES = 6


class CatalogSearch:
    """The matches for the line being typed in ``editor`` (whose ``#editor-lines`` holds
    the lines and the one CatalogMatches list)."""

    def __init__(self, editor: Screen[Any]) -> None:
        self.editor = editor
        self.timer: Timer | None = None
        self.row: LineRow | None = None  # the line whose item is being typed
        self.items: dict[str, CatalogItemRecord] = {}  # the shown matches, by option id
        self.shown_for: tuple[LineRow, str] | None = None  # the row and text they match

    def stop(self) -> None:
        """No search for what was typed so far (one is about to be made or not needed)."""
        if self.timer is not None:
            self.timer.stop()

    def schedule(self, row: LineRow, text: str) -> None:
        self.stop()
        self.row = row
        if not text.strip() or text == row.item_name:
            self.hide()
            return
        self.timer = self.editor.set_timer(DEBOUNCE, lambda: self._search(row, text))

    def _search(self, row: LineRow, text: str) -> None:
        app = desk(self.editor)

        def fetch() -> list[CatalogItemRecord]:
            from ...domain.catalog import search_items

            with app.store().read() as session:
                return search_items(session, text, limit=MATCHES)

        def show(items: list[CatalogItemRecord]) -> None:
            if self.row is not row or row.field("description").value != text:
                return
            if not row.field("description").has_focus:
                return
            self.show(items, row, text)

        run_store(self.editor, fetch, show, group="editor-search")

    def show(self, items: list[CatalogItemRecord], row: LineRow, text: str) -> None:
        matches = self.editor.query_one(CatalogMatches)
        self.items = {str(item.id): item for item in items}
        self.shown_for = (row, text)
        if not items:
            self.hide()
            return
        options = []
        for item in items:
            prompt = rich_line(item.name, limit=80)
            prompt.append(
                safe_text(
                    f"  {money(desk(self.editor), item.price)} · {item.kind_label}",
                    single_line=True,
                ),
                style="dim",
            )
            options.append(Option(prompt, id=str(item.id)))
        matches.set_options(options)
        picker = self.row
        if picker is not None and picker.parent is matches.parent:
            self.editor.query_one("#editor-lines", VerticalScroll).move_child(matches, after=picker)
        matches.display = True
        matches.call_after_refresh(matches.scroll_visible, animate=False)

    def hide(self) -> None:
        matches = self.editor.query_one(CatalogMatches)
        matches.display = False
        matches.clear_options()
        self.items = {}
        self.shown_for = None

    def take_first_match(
        self,
        row: LineRow,
        text: str,
        price_was: str,
        take: Callable[[LineRow, CatalogItemRecord, str], None],
    ) -> None:
        """Look up the first match for ``text`` and ``take`` it onto ``row``, unless the
        clerk has changed the item meanwhile."""
        app = desk(self.editor)

        def fetch() -> list[CatalogItemRecord]:
            from ...domain.catalog import search_items

            with app.store().read() as session:
                return search_items(session, text, limit=1)

        def taken(items: list[CatalogItemRecord]) -> None:
            field = row.field("description")
            untouched = row.item_id is None and field.value == text  # safe: a comparison
            if items and row.is_attached and untouched:
                take(row, items[0], price_was)

        # Not exclusive: every Enter's lookup runs to its end (and lets held keys go).
        run_store(self.editor, fetch, taken, group="editor-take", exclusive=False)
