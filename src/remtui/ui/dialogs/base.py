"""What every dialog shares: Escape closes, ctrl+s confirms, labels translated."""

from __future__ import annotations

from typing import Any, TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen

from ...i18n import N_
from .. import styles
from ..keys import translate_bindings

T = TypeVar("T")


class Dialog(ModalScreen[T]):
    CSS_PATH = styles.AREAS
    BINDINGS = [
        Binding("escape", "cancel", N_("Close"), id="dialog.cancel"),
        Binding("ctrl+s", "confirm", N_("Confirm"), id="dialog.confirm"),
        # A modal screen hides the app's own keys, so F1 is repeated here.
        Binding("f1", "app.help", N_("Help"), id="dialog.help"),
    ]
    HELP_TEXT = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_confirm(self) -> None:
        """Dialogs with a form override this to validate and dismiss with a value."""
        self.dismiss(None)
