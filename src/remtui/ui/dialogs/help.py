"""F1: what this screen is for, what the focused field does, and every key."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Static

from ...i18n import _
from ..safe import content
from .base import Dialog


def _help_of(node: Any) -> str:
    text = getattr(node, "HELP_TEXT", "") or ""
    return _(text) if text else ""


class HelpDialog(Dialog[None]):
    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self._for = screen

    def compose(self) -> ComposeResult:
        screen = self._for
        focused = screen.focused
        parts = [_help_of(screen) or _("Keys for this screen are listed below.")]
        node: Any = focused
        while node is not None and node is not screen:
            text = _help_of(node) or (getattr(node, "tooltip", None) or "")
            if text:
                parts.append(_("The focused field:") + " " + str(text))
                break
            node = node.parent
        keys = []
        for active in screen.active_bindings.values():
            binding = active.binding
            if binding.description and binding.show is not False:
                keys.append(f"{self.app.get_key_display(binding):>10}  {binding.description}")
        keys.append(f"{'ctrl+p':>10}  " + _("Command palette: every action by name"))
        with Vertical(classes="dialog help"):
            yield Static(_("Help"), classes="dialog-title")
            with VerticalScroll():
                yield Static(content("\n\n".join(parts)), classes="dialog-text")
                yield Static(content("\n".join(sorted(set(keys)))), classes="help-keys")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Close") + " (Esc)", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#close").focus()

    def on_button_pressed(self, _event: Button.Pressed) -> None:
        self.dismiss(None)
