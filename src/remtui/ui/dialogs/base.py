"""What every dialog shares: Escape closes, ctrl+s confirms, labels translated."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from textual import on
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input

from ...i18n import N_, _
from .. import context, styles
from ..context import DeskContext
from ..keys import keep_what_was_entered, translate_bindings

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
    # Enter in a field confirms, as ctrl+s does (fields marked ENTER_NEXT move on instead).
    ENTER_CONFIRMS: ClassVar[bool] = False
    # The question Escape asks when has_unsaved_edits().
    DISCARD_TITLE: ClassVar[str] = N_("Discard what you typed?")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    @property
    def desk(self) -> DeskContext:
        """The store, the signed-in clerk, the settings (ui/context.py)."""
        return context.desk(self)

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
        from .confirm import leave_or_ask

        leave_or_ask(
            self.app,
            self.has_unsaved_edits(),
            lambda: self.dismiss(None),
            _(self.DISCARD_TITLE),
            _("What you typed here is not saved. Close without saving?"),
            yes=_("Discard"),
            no=_("Keep editing"),
        )

    def action_confirm(self) -> None:
        """Dialogs with a form override this to validate and dismiss with a value."""
        self.dismiss(None)
