"""CellTable draws a Cell exactly as DataTable does through Rich (character and style)."""

from __future__ import annotations

import itertools

from rich.style import Style
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from remtui.ui.safe import Cell
from remtui.ui.widgets.cell_table import CellTable

TEXTS = ["", "a", "Ana Silva", "João 🙂 漢字 wide", "x" * 40, "[b]not markup[/b]"]
STYLES: list[str | Style] = ["", "bold", "red", Style(color="green", italic=True)]
JUSTIFY = [None, "left", "right", "center"]


class Tables(App[None]):
    def compose(self) -> ComposeResult:
        yield CellTable(id="t")


def flatten(lines) -> list[tuple[str, Style | None]]:
    """Each character with its style: segment boundaries do not matter on screen."""
    out = []
    for line in lines:
        for segment in line:
            style = segment.style if segment.style else None
            out.extend((char, style) for char in segment.text)
    return out


async def test_cells_are_drawn_as_datatable_draws_them():
    app = Tables()
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(CellTable)
        cells = list(itertools.product(TEXTS, STYLES, JUSTIFY))
        table.add_columns("one")
        for text, style, justify in cells:
            table.add_row(Cell(text, style, justify))
        await pilot.pause()
        base_styles = [Style(), Style(bgcolor="blue"), Style(color="white", bold=True)]
        checked = 0
        for row in range(len(cells)):
            for width, base, cursor, hover in itertools.product(
                (1, 2, 3, 5, 12, 30), base_styles, (False, True), (False, True)
            ):
                table._cell_render_cache.clear()
                fast = table._render_cell(row, 0, base, width, cursor, hover)
                table._cell_render_cache.clear()
                slow = DataTable._render_cell(table, row, 0, base, width, cursor, hover)
                assert flatten(fast) == flatten(slow), (cells[row], width, base, cursor, hover)
                checked += 1
        assert checked == len(cells) * 6 * 3 * 4
