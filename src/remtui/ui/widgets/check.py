"""A checkbox whose state shows without colour: "✓" when on, blank when off."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox


class Check(Checkbox):
    @property
    def _button(self) -> Content:
        # Textual draws the same "X" in both states and tells them apart by colour only.
        self.BUTTON_INNER = "✓" if self.value else " "
        return super()._button
