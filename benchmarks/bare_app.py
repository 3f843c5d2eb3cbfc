"""The baseline for the start-up benchmark: a bare Textual app showing the same widgets
as the clients screen, with no store, no domain and no translations."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Input, Static


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("remtui · Clients")
        yield Input(placeholder="Search: name, phone, e-mail or tax id")
        table: DataTable[str] = DataTable()
        for name in ("Name", "Phone", "E-mail", "Tax id"):
            table.add_column(name)
        yield table
        yield Static("Loading…")
        yield Footer()


if __name__ == "__main__":
    Bare().run()
