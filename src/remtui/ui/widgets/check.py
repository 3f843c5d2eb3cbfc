"""Checkboxes and radio buttons whose state shows without colour.

Textual draws the same mark in both states and tells them apart by colour only; these
draw "✓" / "●" when on and a blank / "○" when off.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox, RadioButton


class Check(Checkbox):
    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "✓" if self.value else " "
        return super()._button


class Radio(RadioButton):
    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "●" if self.value else "○"
        return super()._button
