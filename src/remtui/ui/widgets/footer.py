"""The footer: whole key entries only, as many as the width holds.

Textual's footer lays every key out in a row and cuts the last one that does not fit mid-word
("f6 Docume▏"). Ours keeps the entries in their order (the focused widget's and the tab's
own keys come first) and drops, whole, those that no longer fit; F1 (which lists them all)
and the palette key always stay.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.events import Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

ALWAYS = ("f1",)


def entry_width(key: FooterKey, compact: bool) -> int:
    """The cells one entry takes: key, description and their padding (Textual's CSS)."""
    if not key.description:
        return cell_len(key.key_display)
    padding = 1 if compact else 3
    return cell_len(key.key_display) + cell_len(key.description) + padding


class FitFooter(Footer):
    # What the entries were last built from: Textual rebuilds the footer on every change of
    # focus or bindings, and opening a profile changes them some thirty times, mostly to the
    # same keys (each rebuild mounts and styles every entry again).
    _built_from: tuple[object, ...] | None = None

    def _entries_key(self) -> tuple[object, ...]:
        shown = tuple(
            (b.key, b.action, b.description, b.tooltip, b.group, enabled, tooltip)
            for (_node, b, enabled, tooltip) in self.screen.active_bindings.values()
            if b.show
        )
        return (shown, self.size.width, self.compact, self.show_command_palette)

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        if self.is_attached and self._entries_key() != self._built_from:
            await self.recompose()

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._built_from = self._entries_key()
        widgets: list[Widget] = list(super().compose())
        keys = [w for w in widgets if isinstance(w, FooterKey)]
        fixed = [w for w in keys if w.has_class("-command-palette") or w.key in ALWAYS]
        budget = (self.size.width or self.app.size.width) - sum(
            entry_width(w, self.compact) for w in fixed
        )
        kept: list[Widget] = []
        for widget in widgets:
            if widget in fixed:
                continue
            need = entry_width(widget, self.compact) if isinstance(widget, FooterKey) else 0
            if need > budget:
                break  # whole entries, in order: the rest are in F1 and the palette
            budget -= need
            kept.append(widget)
        shown = kept + [w for w in fixed if not w.has_class("-command-palette")]
        self.styles.grid_size_columns = max(1, len(shown))
        yield from shown
        yield from (w for w in fixed if w.has_class("-command-palette"))

    def on_resize(self, _event: Resize) -> None:
        self.refresh(recompose=True)
