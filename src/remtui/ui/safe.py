"""Outside data into widgets: always plain text, never markup, controls made visible."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.content import Content

from ..i18n import N_, _
from ..safetext import has_hidden, safe_text, unshow

if TYPE_CHECKING:
    from textual.widget import Widget
    from textual.widgets import Input, TextArea

CELL_LIMIT = 120


class Cell:
    """A one-line DataTable cell: what ``Text(no_wrap=True, overflow="ellipsis")`` draws,
    at a third of the cost (DataTable renders every visible cell through Rich on its first
    paint, which made a screenful of rows the slowest part of opening a tab).

    The text is already safe (``cell`` makes it so); it is drawn as one segment, never
    parsed. ``justify`` ("left", "right", "center"; None: as the container says, e.g. a
    Rich Table's column); ``style`` a style name or a Style."""

    __slots__ = ("justify", "plain", "style")

    def __init__(self, plain: str, style: str | Style = "", justify: str | None = None) -> None:
        self.plain = plain
        self.style = style
        self.justify = justify

    def __str__(self) -> str:
        return self.plain

    def __repr__(self) -> str:
        return f"Cell({self.plain!r})"

    def as_text(self) -> Text:
        """The same cell as a Rich Text (to append to a line of other text)."""
        return Text(self.plain, style=self.style, no_wrap=True, overflow="ellipsis")

    def stylize(self, style: Style) -> None:
        self.style = (
            Style.parse(self.style) if isinstance(self.style, str) else self.style
        ) + style

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = cell_len(self.plain)
        return Measurement(width, width)

    def fit(self, width: int, justify: str | None) -> tuple[str, int]:
        """The text drawn in ``width`` cells (cut with an ellipsis, or justified right or
        centre) and how many cells it takes; left-justified text is not padded."""
        shown = self.plain
        used = cell_len(shown)
        if used > width:
            shown = set_cell_size(shown, width - 1) + "…" if width > 1 else "…"[:width]
            return shown, cell_len(shown)
        justify = self.justify or justify
        if used < width and justify == "right":
            return " " * (width - used) + shown, width
        if used < width and justify == "center":
            left = (width - used) // 2
            return " " * left + shown + " " * (width - used - left), width
        return shown, used

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        shown, _used = self.fit(options.max_width, options.justify)
        style = console.get_style(self.style) if isinstance(self.style, str) else self.style
        yield Segment(shown, style if self.style else None)


def cell(value: object, *, style: str = "", limit: int = CELL_LIMIT) -> Cell:
    """A DataTable cell (DataTable parses plain str as markup, so never a str)."""
    return Cell(safe_text(value, single_line=True, limit=limit), style)


def rich_line(value: object, *, style: str = "", limit: int = CELL_LIMIT) -> Text:
    """One line of data as a Rich Text, for prompts (Select, OptionList) that add to it."""
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


# --- text fields: data into Input / TextArea, and back --------------------------------------
# A field filled from the store shows hidden characters (ESC, C1 controls, bidi overrides)
# as symbols, like every other widget; it is marked SHOWN_CONTROLS, the form says so under
# it (CONTROLS_NOTE), and reading it takes the symbols out again, so that saving stores the
# cleaned text.

SHOWN_CONTROLS = "shown-controls"
CONTROLS_NOTE = N_(
    "Hidden control characters are shown as symbols and will be removed when you save."
)


def field_text(value: object, *, multiline: bool = False) -> str:
    """What a text field shows of ``value``: one line for an Input; a TextArea keeps its
    lines and tabs (it draws tabs itself)."""
    if not multiline:
        return safe_text(value, single_line=True)
    text = "" if value is None else str(value)
    return "\t".join(safe_text(part) for part in text.split("\t"))


def shown_class(value: object) -> str:
    """The class for a field built with ``field_text(value)`` (Input(value, classes=...))."""
    return SHOWN_CONTROLS if has_hidden(value) else ""


def fill(field: Input | TextArea, value: object) -> bool:
    """Put outside text into a field (never raw); returns whether it showed hidden
    characters as symbols."""
    from textual.widgets import Input

    hidden = has_hidden(value)
    field.set_class(hidden, SHOWN_CONTROLS)
    if isinstance(field, Input):
        field.value = field_text(value)  # the safe path itself
    else:
        field.load_text(field_text(value, multiline=True))
    return hidden


def value_of(field: Input | TextArea) -> str:
    """What the clerk means a field to hold: its text, less the symbols ``fill`` showed
    for hidden characters (the clerk was told they go)."""
    from textual.widgets import Input

    text = field.value if isinstance(field, Input) else field.text
    return unshow(text) if field.has_class(SHOWN_CONTROLS) else text


def read_back(value: object, *, multiline: bool = False) -> str:
    """What ``value_of`` reads from a field just filled with ``value``."""
    shown = field_text(value, multiline=multiline)
    return unshow(shown) if has_hidden(value) else shown


def controls_note(*fields: Widget) -> Content:
    """The note under field(s): CONTROLS_NOTE when one of them shows hidden characters."""
    shown = any(f.has_class(SHOWN_CONTROLS) for f in fields)
    return Content(_(CONTROLS_NOTE) if shown else "")


def toast_text(value: object) -> str:
    """A notification's message or title from text that may hold data."""
    return safe_text(value, limit=1000)
