"""F1: what this screen is for, what the focused field does, and every key."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Static

from ...i18n import _
from ...keymap_ids import default_keys, split_keys
from ..safe import content
from .base import Dialog

if TYPE_CHECKING:
    from ..context import DeskContext


def _help_of(node: Any) -> str:
    text = getattr(node, "HELP_TEXT", "") or ""
    return _(text) if text else ""


def _keymap(app: DeskContext) -> dict[str, str]:
    return dict(app.settings.keymap)


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
        keymap, defaults = _keymap(self.desk), default_keys()
        keys, changed = [], []
        for active in screen.active_bindings.values():
            binding = active.binding
            if binding.description and binding.show is not False:
                keys.append(f"{self._display(binding.key):>10}  {binding.description}")
                if binding.id in keymap and binding.id in defaults:
                    changed.append(
                        _("{usual} is {key} here: {action}").format(
                            usual=split_keys(defaults[binding.id])[0],
                            key=binding.key,
                            action=binding.description,
                        )
                    )
        palette = split_keys(keymap.get("app.command_palette") or "ctrl+p")[0]
        keys.append(f"{self._display(palette):>10}  " + _("Command palette: every action by name"))
        if changed:
            # The texts above name the usual keys; the shop's configuration moved these.
            parts.append(
                _("Keys moved by the configuration:") + " " + "; ".join(sorted(set(changed))) + "."
            )
        with Vertical(classes="dialog help"):
            yield Static(_("Help"), classes="dialog-title")
            with VerticalScroll():
                yield Static(content("\n\n".join(parts)), classes="dialog-text")
                yield Static(content("\n".join(sorted(set(keys)))), classes="help-keys")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Close") + " (Esc)", id="close", variant="primary")

    def _display(self, key: str) -> str:
        return self.app.get_key_display(Binding(key, ""))

    def on_mount(self) -> None:
        self.query_one("#close").focus()

    def on_button_pressed(self, _event: Button.Pressed) -> None:
        self.dismiss(None)
