"""The audit log for administrators: who did what and when, newest first, filtered by any
text, a page at a time. Read only: nothing here (or anywhere) can change the log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from ...i18n import N_, _, ngettext
from ...permissions import Perm
from .. import styles
from ..messages import StoreChanged
from ..safe import cell, line
from ..widgets.cell_table import CellTable
from ..widgets.footer import FitFooter
from ..work import run_store
from .base import BaseScreen

if TYPE_CHECKING:
    from ...domain.audit import AuditPage, AuditRow

PAGE = 100
DEBOUNCE = 0.2
TIME_W, WHO_W, ACTION_W, ENTITY_W = 16, 11, 18, 14
PADDING = 2  # a DataTable cell's padding, left and right


def _when(row: AuditRow, locale: str, *, seconds: bool = False) -> str:
    if not seconds:
        from ...dates import format_datetime

        return format_datetime(row.at, locale)
    from ...dates import local

    return local(row.at).strftime("%Y-%m-%d %H:%M:%S %z")


def _entity(row: AuditRow) -> str:
    return f"{row.entity} {row.entity_id}" if row.entity_id is not None else row.entity


class AuditTable(CellTable):
    HELP_TEXT = N_(
        "Up and Down move through the entries (older ones load as you go down); Enter shows "
        "the whole entry; Escape goes back to the filter."
    )
    BINDINGS = [Binding("escape", "to_filter", N_("Filter"), id="audit.to_filter", show=False)]

    def action_to_filter(self) -> None:
        self.screen.query_one("#audit-filter", Input).focus()


class AuditScreen(BaseScreen):
    """Every change of money, client data, permissions and every sign-in, newest first.
    Only for employees who manage employees."""

    CSS_PATH = styles.AREAS

    HELP_TEXT = N_(
        "The audit log: every change, who made it and when, newest first. Type in the "
        "filter to show only entries whose action, employee, record or details contain the "
        "text (a number also finds the record with that id). Down moves into the list, "
        "Enter shows the whole entry. Nobody can change or delete entries."
    )
    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="audit.back"),
        Binding("ctrl+f", "focus_filter", N_("Filter"), id="audit.focus_filter"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[AuditRow] = []
        self.has_more = False
        self.text = ""
        self.allowed: bool | None = None  # None until the clerk's permission is known
        self._loading_more = False
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(line("remtui · " + _("Audit log")), id="audit-topbar", classes="topbar")
        yield Input(
            placeholder=_("Filter: action, employee, record or details"),
            id="audit-filter",
            max_length=100,
            compact=True,
        )
        table = AuditTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        table.add_column(_("Time"), key="time", width=TIME_W)
        table.add_column(_("Employee"), key="who", width=WHO_W)
        table.add_column(_("Action"), key="action", width=ACTION_W)
        table.add_column(_("Record"), key="entity", width=ENTITY_W)
        table.add_column(_("Details"), key="details", width=30)
        yield table
        yield Static(_("Loading…"), id="audit-status", classes="status-line")
        yield FitFooter()

    def on_mount(self) -> None:
        self.query_one("#audit-filter", Input).focus()
        self._load(reset=True)

    def on_resize(self) -> None:
        """The details take what the terminal's width leaves."""
        table = self.query_one("#audit-table", AuditTable)
        fixed = TIME_W + WHO_W + ACTION_W + ENTITY_W + 5 * PADDING
        free = max(8, self.size.width - 2 - fixed)  # 2: the vertical scrollbar
        for key, column in table.columns.items():
            if key.value == "details":
                column.width = free
                column.auto_width = False
        table.refresh()

    # --- loading --------------------------------------------------------------------------

    def _load(self, *, reset: bool, keep_cursor: bool = False) -> None:
        text = self.text
        before = None if reset or not self.rows else self.rows[-1].id
        limit = max(PAGE, len(self.rows)) if keep_cursor else PAGE
        app = self.desk

        def fetch() -> AuditPage:
            from ...domain.audit import entries

            actor = app.actor
            if actor is None or not actor.can(Perm.MANAGE_EMPLOYEES):
                from ...errors import PermissionDenied

                raise PermissionDenied(_("Only employees who manage employees see the audit log."))
            with app.store().read() as session:
                return entries(session, actor, limit=limit, before_id=before, text=text)

        def done(page: AuditPage) -> None:
            if not reset and (not self.rows or self.rows[-1].id != before):
                self._loading_more = False  # the list was reloaded meanwhile
                return
            self._show(page, text, reset, keep_cursor)

        run_store(
            self,
            fetch,
            done,
            group="audit-load" if reset else "audit-more",
            error=self._refused,
        )

    def _refused(self, exc: Any) -> None:
        self.allowed = False
        self._loading_more = False
        self.query_one("#audit-table", AuditTable).clear()
        self.rows = []
        self.query_one("#audit-status", Static).update(line(exc.message))

    def _show(self, page: AuditPage, text: str, reset: bool, keep_cursor: bool) -> None:
        self.allowed = True
        self._loading_more = False
        if text != self.text:
            return  # typed on since: a newer load is on its way
        table = self.query_one("#audit-table", AuditTable)
        cursor = table.cursor_row
        if reset:
            table.clear()
            self.rows = []
        from ...domain.audit import detail_text

        locale = self.desk.settings.locale
        known = {r.id for r in self.rows}
        for row in page.rows:
            if row.id in known:
                continue
            table.add_row(
                cell(_when(row, locale)),
                cell(row.employee or "-", limit=40),
                cell(row.action, limit=60),
                cell(_entity(row), limit=60),
                cell(detail_text(row.detail), limit=300),
                key=str(row.id),
            )
            self.rows.append(row)
        self.has_more = page.has_more
        if keep_cursor and self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1), animate=False)
        self._status()

    def _status(self) -> None:
        status = self.query_one("#audit-status", Static)
        count = len(self.rows)
        if count == 0:
            text = (
                _("No entry matches “{q}”.").format(q=self.text)
                if self.text
                else _("The audit log is empty.")
            )
        elif self.has_more:
            text = ngettext(
                "{n} newest entry shown; older ones load as you scroll.",
                "{n} newest entries shown; older ones load as you scroll.",
                count,
            ).format(n=count)
        else:
            text = ngettext("{n} entry.", "{n} entries.", count).format(n=count)
        status.update(line(text))

    # --- events ---------------------------------------------------------------------------

    @on(Input.Changed, "#audit-filter")
    def _typed(self, event: Input.Changed) -> None:
        self.text = event.value.strip()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, lambda: self._load(reset=True))

    @on(Input.Submitted, "#audit-filter")
    def _submitted(self) -> None:
        if self.rows:
            self.query_one("#audit-table", AuditTable).focus()

    def on_key(self, event: Any) -> None:
        search = self.query_one("#audit-filter", Input)
        table = self.query_one("#audit-table", AuditTable)
        if search.has_focus and event.key in ("down", "pagedown") and self.rows:
            table.focus()
            event.stop()
        elif table.has_focus and event.key == "up" and table.cursor_row == 0:
            search.focus()
            event.stop()

    @on(DataTable.RowHighlighted, "#audit-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.has_more and not self._loading_more and event.cursor_row >= len(self.rows) - 5:
            self._loading_more = True
            self._load(reset=False)

    @on(DataTable.RowSelected, "#audit-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if not 0 <= event.cursor_row < len(self.rows):
            return
        from ...domain.audit import detail_text
        from ..dialogs.message import MessageDialog

        row = self.rows[event.cursor_row]
        text = "\n".join(
            [
                _("Time") + ": " + _when(row, self.desk.settings.locale, seconds=True),
                _("Employee") + ": " + (row.employee or "-"),
                _("Action") + ": " + row.action,
                _("Record") + ": " + _entity(row),
                _("Details") + ": " + detail_text(row.detail),
            ]
        )
        self.app.push_screen(MessageDialog(_("Audit entry {id}").format(id=row.id), text))

    def on_store_changed(self, _event: StoreChanged) -> None:
        if self.allowed:
            self._load(reset=True, keep_cursor=True)

    # --- actions --------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_focus_filter(self) -> None:
        self.query_one("#audit-filter", Input).focus()
