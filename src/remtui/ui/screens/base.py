"""What every screen shares: translated key labels, a footer, help text."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from .. import context
from ..context import DeskContext
from ..keys import translate_bindings


class BaseScreen(Screen[Any]):
    HELP_TEXT = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    @property
    def desk(self) -> DeskContext:
        """The store, the signed-in clerk, the settings (ui/context.py)."""
        return context.desk(self)
