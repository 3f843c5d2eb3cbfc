"""Messages the whole app speaks: posted by the app, handled by screens and dialogs."""

from __future__ import annotations

from textual.message import Message


class StoreChanged(Message):
    """Another clerk (or process) committed something: refresh what is visible."""
