"""What every profile tab shares: its client, lazy first load, refresh on changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget

from .. import context
from ..context import DeskContext
from ..keys import translate_bindings


class ProfileChanged(Message):
    """A tab changed the client (name, balance, ...): the profile header reloads."""


class OpenChat(Message):
    """A tab asks for a chat to open over the profile (the screen pushes screens, so that
    tabs need not import them); ``closed`` runs when the clerk leaves the chat."""

    def __init__(self, client_id: int, chat_id: int, closed: Callable[[], None]) -> None:
        super().__init__()
        self.client_id, self.chat_id, self.closed = client_id, chat_id, closed


class ProfileTab(Vertical):
    HELP_TEXT = ""

    def __init__(self, client_id: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client_id = client_id
        self.loaded = False
        translate_bindings(self)

    @property
    def desk(self) -> DeskContext:
        """The store, the signed-in clerk, the settings (ui/context.py)."""
        return context.desk(self)

    def activate(self) -> None:
        """Called when the tab is shown: the first time it loads its data."""
        if not self.loaded:
            self.loaded = True
            self.reload()

    def reload(self) -> None:
        """Fetch what the tab shows (in a worker) and show it."""

    def store_changed(self) -> None:
        """Another clerk or process changed the store; refresh if it matters."""
        if self.loaded:
            self.reload()

    def first_focus(self) -> Widget | None:
        """The widget that takes the focus when the tab is shown."""
        return None

    def has_unsaved_edits(self) -> bool:
        return False
