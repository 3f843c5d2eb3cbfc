"""A one-line message under a field: takes no room while it is empty."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static


class FieldNote(Static):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, markup=False, **kwargs)
        self.display = bool(args and args[0])

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        super().update(content, layout=layout)
        self.display = bool(str(content))
