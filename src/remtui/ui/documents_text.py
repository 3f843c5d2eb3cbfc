"""What the Documents and Payments UI shares: status words, money cells, column widths.

Light module: no domain or database imports at module level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.widgets import DataTable

from ..i18n import N_, _
from .safe import Cell, cell

if TYPE_CHECKING:
    from .context import DeskContext

# F1 in a dialog: the app's F1 is not a priority binding, and a modal screen hides the
# app's other bindings, so each of these dialogs carries it (same id: remapped together).
HELP_BINDING = Binding("f1", "app.help", N_("Help"), id="app.help", show=False)

# Status words with their own msgids: "New" and "Closed" mean other things (leads, chats)
# in other catalogs, and gettext keeps one translation per msgid. The part before "|" is
# a context that never shows (English falls back to the msgid without it).
_STATUS_WORDS = {
    "new": N_("document status|New"),
    "in_progress": N_("document status|In progress"),
    "waiting_parts": N_("document status|Waiting for parts"),
    "ready": N_("document status|Ready"),
    "closed": N_("document status|Closed"),
    "cancelled": N_("document status|Cancelled"),
    "draft": N_("document status|Draft"),
    "sent": N_("document status|Sent"),
    "accepted": N_("document status|Accepted"),
    "rejected": N_("document status|Rejected"),
    "completed": N_("document status|Completed"),
    "refunded": N_("document status|Refunded"),
}


def status_text(status: str) -> str:
    """A document status as the clerk reads it (translated when called)."""
    msgid = _STATUS_WORDS.get(status)
    if msgid is None:
        return status
    shown = _(msgid)
    return shown.split("|", 1)[1] if shown == msgid else shown


def money(app: DeskContext, minor: int, *, signed: bool = False) -> str:
    from ..money import format_money

    text = format_money(minor, app.settings.currency, app.settings.locale)
    return f"+{text}" if signed and minor > 0 else text


def plain_amount(app: DeskContext, minor: int) -> str:
    """An amount as a clerk would type it (to preset an Input)."""
    from ..money import format_plain

    return format_plain(minor, app.settings.currency, app.settings.locale)


def parse_money(app: DeskContext, text: str, *, allow_zero: bool = False) -> int:
    """What the clerk typed, in minor units (DomainError with a readable message)."""
    from ..money import parse_amount

    return parse_amount(text, app.settings.currency, app.settings.locale, allow_zero=allow_zero)


def when(app: DeskContext, dt: Any) -> str:
    from ..dates import format_datetime

    return format_datetime(dt, app.settings.locale)


def day(app: DeskContext, dt: Any) -> str:
    from ..dates import format_date

    return format_date(dt, app.settings.locale)


def money_cell(text: str, style: str = "") -> Cell:
    value = cell(text, style=style)
    value.justify = "right"
    return value


def text_width(values: list[str], header: str, minimum: int = 4) -> int:
    """The width that shows every value (and the header) whole."""
    from rich.cells import cell_len

    return max([minimum, cell_len(header), *(cell_len(v) for v in values)])


def fit_columns(
    table: DataTable[Any], width: int, fixed: dict[str, int], flexible: dict[str, int]
) -> None:
    """Fixed widths for some columns; the rest of ``width`` shared by weight."""
    padding = 2 * table.cell_padding * (len(fixed) + len(flexible))
    free = max(len(flexible) * 6, width - 1 - padding - sum(fixed.values()))
    weights = sum(flexible.values()) or 1
    widths = dict(fixed)
    given = 0
    for i, (key, weight) in enumerate(flexible.items()):
        share = free - given if i == len(flexible) - 1 else free * weight // weights
        widths[key] = share
        given += share
    for column_key, column in table.columns.items():
        if str(column_key.value) in widths:
            column.width = widths[str(column_key.value)]
            column.auto_width = False
    table.refresh()
