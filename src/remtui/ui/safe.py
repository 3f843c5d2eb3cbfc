"""Outside data into widgets: always plain text, never markup, controls made visible."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from ..safetext import safe_text

CELL_LIMIT = 120


def cell(value: object, *, style: str = "", limit: int = CELL_LIMIT) -> Text:
    """A DataTable cell (DataTable parses plain str as markup, so always a Text)."""
    return Text(
        safe_text(value, single_line=True, limit=limit),
        style=style,
        no_wrap=True,
        overflow="ellipsis",
    )


def content(value: object, *, single_line: bool = False, limit: int | None = None) -> Content:
    """Widget content (Static/Label) from data: never parsed as markup."""
    return Content(safe_text(value, single_line=single_line, limit=limit))


def line(value: object, limit: int | None = 200) -> Content:
    return content(value, single_line=True, limit=limit)
