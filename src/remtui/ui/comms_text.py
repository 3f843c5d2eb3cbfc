"""What the Communications tab and the chat screen share: the calls filter and chat
status in the clerk's words, and a call's recording as a cell (a link only when safe)."""

from __future__ import annotations

from rich.style import Style

from ..i18n import _
from .safe import Cell, cell


def filter_text(value: str) -> str:
    """The calls filter as a clerk reads it."""
    labels = {
        "all": _("All calls"),
        "incoming": _("Incoming calls"),
        "outgoing": _("Outgoing calls"),
    }
    return labels.get(value, value)


def chat_status_text(status: str) -> str:
    return _("Chat open") if status == "open" else _("Chat closed")


def recording_text(recording: str, is_link: bool, href: str, *, limit: int = 200) -> Cell:
    """The recording as a cell: a terminal hyperlink only for a validated link, plain
    text (never clickable) for anything else."""
    from ..domain.calls import check_recording

    shown = cell(recording, limit=limit)
    if is_link and href and check_recording(recording).is_link:
        shown.stylize(Style(link=href, underline=True))
    return shown
