"""A message for the clerk, with one button."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from ...i18n import _
from ..safe import content
from .base import Dialog


class MessageDialog(Dialog[None]):
    def __init__(self, title: str, text: str, *, error: bool = False) -> None:
        super().__init__(classes="error" if error else "")
        self._title = title
        self._text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(content(self._title, single_line=True), classes="dialog-title")
            yield Static(content(self._text, limit=4000), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("OK"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ok").focus()

    def on_button_pressed(self, _event: Button.Pressed) -> None:
        self.dismiss(None)
