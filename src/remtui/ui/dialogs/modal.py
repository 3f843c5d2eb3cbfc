"""The plumbing every modal screen of ours shares, the yes/no question included: the
dialog keys, translated labels, the area style sheets, Enter confirming where asked.

``Dialog`` (dialogs/base.py) adds what needs the question (Escape asks before throwing
typed work away); ``ConfirmDialog`` (dialogs/confirm.py) builds on this module alone, so
the two do not import each other.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from textual import on
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Input

from ...i18n import N_
from .. import styles
from ..keys import keep_what_was_entered, translate_bindings

T = TypeVar("T")

DIALOG_BINDINGS: list[BindingType] = [
    Binding("escape", "cancel", N_("Close"), id="dialog.cancel"),
    Binding("ctrl+s", "confirm", N_("Confirm"), id="dialog.confirm"),
    # A modal screen hides the app's own keys, so F1 is repeated here.
    Binding("f1", "app.help", N_("Help"), id="dialog.help"),
]


class Modal(ModalScreen[T]):
    """No keys of its own (each dialog class lists them, from ``DIALOG_BINDINGS``)."""

    CSS_PATH = styles.AREAS
    HELP_TEXT = ""
    # Enter in a field confirms, as ctrl+s does (fields marked ENTER_NEXT move on instead).
    ENTER_CONFIRMS: ClassVar[bool] = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    @on(Input.Submitted)
    def _enter_confirms(self, event: Input.Submitted) -> None:
        if self.ENTER_CONFIRMS:
            event.stop()
            keep_what_was_entered(event)
            self.action_confirm()

    def has_unsaved_edits(self) -> bool:
        """Dialogs where the clerk types something worth keeping say whether they hold it
        (Escape and ctrl+q then ask before throwing it away)."""
        return False

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_confirm(self) -> None:
        """Dialogs with a form override this to validate and dismiss with a value."""
        self.dismiss(None)
