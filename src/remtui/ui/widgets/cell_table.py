"""A DataTable that draws our one-line ``Cell`` values without going through Rich.

DataTable renders each visible cell on its first paint as ``Styled(Padding(cell))``
through the console: for a screenful of rows that is most of the time a tab takes to open.
For a ``Cell`` in a one-line row the result is known in advance: the padding, the text
(cut with an ellipsis or justified by ``Cell.fit``) and the fill, each with the cell's
styles laid over the row's. ``tests/ui/test_cell_table.py`` compares this with what the
DataTable itself draws, character by character and style by style. Anything else (the
header, labels, other renderables, taller rows) is drawn by DataTable as before.
(Textual 8.2's ``_render_cell`` and its cache; Textual is pinned exactly.)
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.widgets import DataTable

from ..safe import Cell


def _over(pre: Style, style: Style | None, post: Style) -> Style | None:
    """What Rich's ``Segment.apply_style(pre, post)`` makes of a segment's style."""
    if pre:
        style = pre + style
    if post:
        style = style + post if style else post
    return style


class CellTable(DataTable[Any]):
    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> Any:
        if row_index < 0 or column_index < 0:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cache = self._cell_render_cache
        if key in cache:
            return cache[key]
        row = self.rows.get(row_key)
        value = self._get_row_renderables(row_index).cells[column_index]
        pad = self.cell_padding
        inner = width - 2 * pad
        if not isinstance(value, Cell) or row is None or row.height != 1 or inner < 1:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        fixed = row_index < self.fixed_rows or column_index < self.fixed_columns
        component, post = self._get_styles_to_render_cell(
            False,
            False,
            fixed,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pre = base_style + Style.from_meta({"row": row_index, "column": column_index})
        pre += component
        shown, used = value.fit(inner, None)
        own = self.app.console.get_style(value.style) if value.style else None
        blank = _over(pre, Style.null(), post)
        line = [Segment(" " * pad, blank)] if pad else []
        line.append(Segment(shown, _over(pre, own, post)))
        if used < inner:
            line.append(Segment(" " * (inner - used), blank))
        if pad:
            line.append(Segment(" " * pad, blank))
        cache[key] = [line]
        return cache[key]
