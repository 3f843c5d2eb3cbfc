"""What every dialog shares: Escape closes (asking first when typed work would be lost),
ctrl+s confirms, labels translated (dialogs/modal.py), the desk at hand."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from ...i18n import N_, _
from .. import context
from ..context import DeskContext
from .confirm import leave_or_ask
from .modal import DIALOG_BINDINGS, Modal

T = TypeVar("T")


class Dialog(Modal[T]):
    BINDINGS = DIALOG_BINDINGS
    # The question Escape asks when has_unsaved_edits().
    DISCARD_TITLE: ClassVar[str] = N_("Discard what you typed?")

    @property
    def desk(self) -> DeskContext:
        """The store, the signed-in clerk, the settings (ui/context.py)."""
        return context.desk(self)

    def action_cancel(self) -> None:
        leave_or_ask(
            self.app,
            self.has_unsaved_edits(),
            lambda: self.dismiss(None),
            _(self.DISCARD_TITLE),
            _("What you typed here is not saved. Close without saving?"),
            yes=_("Discard"),
            no=_("Keep editing"),
        )
