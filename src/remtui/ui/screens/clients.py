"""Clients: search as you type (name, any phone format, e-mail, tax id), paged results."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from ...i18n import N_, _
from ...permissions import Perm
from ..messages import StoreChanged
from ..safe import cell, line
from ..widgets.cell_table import CellTable
from ..widgets.footer import FitFooter
from ..work import run_store
from .base import BaseScreen

if TYPE_CHECKING:
    from ...domain.clients import ClientHit, SearchPage

DEBOUNCE = 0.12
PHONE_WIDTH, TAX_WIDTH = 17, 9


class ResultsTable(CellTable):
    HELP_TEXT = N_("Up and Down move through the clients; Enter opens the selected client.")
    BINDINGS = [
        Binding("escape", "back_to_search", N_("Search"), id="clients.search_box", show=False),
        Binding("home", "first_row", N_("First client"), id="clients.first", show=False),
        Binding("end", "last_row", N_("Last client"), id="clients.last", show=False),
    ]

    def action_back_to_search(self) -> None:
        self.screen.query_one("#search", Input).focus()

    def action_first_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=0, animate=False)

    def action_last_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1, animate=False)


class ClientsScreen(BaseScreen):
    HELP_TEXT = N_(
        "Find a client: type any part of the name (accents do not matter), any part of a "
        "phone number in any format, an e-mail or a tax id. Down moves into the results, "
        "Enter opens the client, ctrl+n creates a new one."
    )
    BINDINGS = [
        Binding("ctrl+n", "new_client", N_("+ Client"), id="clients.new"),
        Binding("ctrl+f", "focus_search", N_("Search"), id="clients.focus_search"),
        Binding("ctrl+l", "audit", N_("Audit log"), id="clients.audit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._query = ""
        self._hits: list[ClientHit] = []
        self._has_more = False
        self._loading_more = False
        self._timer: Timer | None = None
        self._shown_query: str | None = None  # the query the list shows the results of
        self._open_first = False  # Enter came before its query's results: open on arrival

    def compose(self) -> ComposeResult:
        yield Static("", id="topbar", classes="topbar")
        yield Input(
            placeholder=_("Search: name, phone, e-mail or tax id"), id="search", max_length=100
        )
        table = ResultsTable(id="results", cursor_type="row", zebra_stripes=True)
        table.add_column(_("Name"), key="name", width=25)
        table.add_column(_("Phone"), key="phone", width=PHONE_WIDTH)
        table.add_column(_("E-mail"), key="email", width=20)
        table.add_column(_("Tax id"), key="tax_id", width=TAX_WIDTH)
        yield table
        yield Static(_("Loading…"), id="status", classes="status-line")
        yield FitFooter()

    def on_mount(self) -> None:
        self._topbar()
        self.query_one("#search", Input).focus()

    def on_resize(self) -> None:
        """Give the name and e-mail columns what the terminal's width allows."""
        table = self.query_one("#results", ResultsTable)
        free = max(30, self.size.width - 1 - 8 - PHONE_WIDTH - TAX_WIDTH)
        widths = {"name": free * 11 // 20, "email": free - free * 11 // 20}
        for key, column in table.columns.items():
            if key.value in widths:
                column.width = widths[str(key.value)]
                column.auto_width = False
        table.refresh()

    def _topbar(self) -> None:
        actor = self.desk.actor
        who = _("signed in as {name}").format(name=actor.name) if actor else ""
        title = _("Clients")  # not inside the f-string: the catalog extractor misses it there
        self.query_one("#topbar", Static).update(line(f"remtui · {title} · {who}"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        needs = {"new_client": Perm.EDIT_CLIENTS, "audit": Perm.MANAGE_EMPLOYEES}
        if action in needs:
            actor = self.desk.actor
            return actor is not None and actor.can(needs[action])
        return True

    # --- searching ---------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _typed(self, event: Input.Changed) -> None:
        self._query = event.value
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, lambda: self._search(reset=True))

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    @on(Input.Submitted, "#search")
    def _submitted(self) -> None:
        if self._shown_query != self._query or self._timer is not None:
            # Enter typed before the results of what was typed: open what that query finds
            # (the list on screen belongs to an older query).
            self._open_first = True
            self._search(reset=True)
            return
        table = self.query_one("#results", ResultsTable)
        if self._hits:
            table.focus()
            self._open(table.cursor_row)

    def on_key(self, event: Any) -> None:
        search = self.query_one("#search", Input)
        table = self.query_one("#results", ResultsTable)
        if search.has_focus and event.key in ("down", "pagedown") and self._hits:
            table.focus()
            event.stop()
        elif table.has_focus and event.key == "up" and table.cursor_row == 0:
            search.focus()
            event.stop()

    def _search(self, *, reset: bool, keep_cursor: bool = False) -> None:
        if reset:
            self._stop_timer()
        query = self._query
        offset = 0 if reset else len(self._hits)
        limit = max(50, len(self._hits)) if keep_cursor else 50

        def fetch() -> SearchPage:
            from ...domain.clients import search_clients

            with self.desk.store().read() as session:
                return search_clients(session, query, limit=limit, offset=offset)

        run_store(self, fetch, lambda page: self._show(page, reset, keep_cursor), group="search")

    def _show(self, page: SearchPage, reset: bool, keep_cursor: bool) -> None:
        self._topbar()
        self.refresh_bindings()
        if page.query != self._query:
            return  # typed on since: a newer search is on its way
        table = self.query_one("#results", ResultsTable)
        cursor = table.cursor_row
        if reset:
            table.clear()
            self._hits = []
        self._shown_query = page.query
        self._loading_more = False
        from ...domain.phones import display

        for hit in page.hits:
            name = ("⚠ " if hit.conflicted else "") + hit.name
            table.add_row(
                cell(name, limit=60, style="bold red" if hit.conflicted else ""),
                cell(display(hit.main_phone) if hit.main_phone else ""),
                cell(hit.email, limit=60),
                cell(hit.tax_id),
                key=str(hit.id),
            )
        self._hits.extend(page.hits)
        self._has_more = page.has_more
        if keep_cursor and self._hits:
            table.move_cursor(row=min(cursor, len(self._hits) - 1), animate=False)
        self._status()
        if self._open_first and reset:
            self._open_first = False
            if self._hits:
                table.focus()
                table.move_cursor(row=0, animate=False)
                self._open(0)

    def _status(self) -> None:
        status = self.query_one("#status", Static)
        count = len(self._hits)
        if count == 0:
            status.update(
                line(
                    _("No client matches “{q}”.").format(q=self._query.strip())
                    if self._query.strip()
                    else _("No clients yet: ctrl+n adds one.")
                )
            )
        elif self._has_more:
            status.update(line(_("{n} clients shown; more load as you scroll.").format(n=count)))
        else:
            status.update(line(_("{n} clients.").format(n=count) if count != 1 else _("1 client.")))

    @on(DataTable.RowHighlighted, "#results")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self._has_more and not self._loading_more and event.cursor_row >= len(self._hits) - 5:
            self._loading_more = True
            self._search(reset=False)

    @on(DataTable.RowSelected, "#results")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self._open(event.cursor_row)

    def _open(self, row: int) -> None:
        if 0 <= row < len(self._hits):
            from .profile import ProfileScreen

            self.app.push_screen(ProfileScreen(self._hits[row].id))

    def on_store_changed(self, _event: StoreChanged) -> None:
        self._search(reset=True, keep_cursor=True)

    def on_screen_resume(self) -> None:
        # Back from a profile: the clerk's next keys are a new search.
        self.query_one("#search", Input).focus()
        self._search(reset=True, keep_cursor=True)

    # --- actions -------------------------------------------------------------------------

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_audit(self) -> None:
        from .audit import AuditScreen

        self.app.push_screen(AuditScreen())

    def action_new_client(self) -> None:
        from ..dialogs.new_client import NewClientDialog

        def opened(client_id: int | None) -> None:
            if client_id is not None:
                from .profile import ProfileScreen

                self.app.push_screen(ProfileScreen(client_id))

        self.app.push_screen(NewClientDialog(), opened)
