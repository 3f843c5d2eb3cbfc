"""Yes or no: y / n / Escape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from ...i18n import N_, _
from ..safe import content
from .modal import DIALOG_BINDINGS, Modal


class ConfirmDialog(Modal[bool]):
    BINDINGS = [
        *DIALOG_BINDINGS,
        Binding("y", "answer(True)", N_("Yes"), id="confirm.yes"),
        Binding("n", "answer(False)", N_("No"), id="confirm.no"),
    ]

    def __init__(
        self, title: str, text: str, *, yes: str = "", no: str = "", id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self._title, self._text = title, text
        self._yes, self._no = yes or _("Yes"), no or _("No")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(content(self._title, single_line=True), classes="dialog-title")
            yield Static(content(self._text), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                # Content: labels are plain text, never markup
                yield Button(Content(f"{self._yes} (y)"), id="yes", variant="warning")
                yield Button(Content(f"{self._no} (n)"), id="no")

    def on_mount(self) -> None:
        self.query_one("#no").focus()

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_confirm(self) -> None:
        self.dismiss(True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


def leave_or_ask(
    app: App[Any],
    unsaved: bool,
    leave: Callable[[], object],
    title: str,
    text: str,
    *,
    yes: str,
    no: str,
    id: str | None = None,
) -> None:
    """Run ``leave`` at once when nothing would be lost; otherwise ask first, and run it
    only if the clerk says yes (Escape, Back and Quit with unsaved edits)."""
    if not unsaved:
        leave()
        return

    def answered(yes_: bool | None) -> None:
        if yes_:
            leave()

    app.push_screen(ConfirmDialog(title, text, yes=yes, no=no, id=id), answered)
