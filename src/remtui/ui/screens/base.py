"""What every screen shares: translated key labels, a footer, help text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from ..keys import translate_bindings

if TYPE_CHECKING:
    from ..app import RemApp


class BaseScreen(Screen[Any]):
    HELP_TEXT = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    @property
    def rem(self) -> RemApp:
        return self.app  # type: ignore[return-value]
