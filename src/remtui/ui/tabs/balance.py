"""Balance: what the client owes or is owed, every movement behind it, corrections, export."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, ProgressBar, Static

from ...errors import DomainError
from ...i18n import N_, _
from ...permissions import Perm
from ..files import deliver as deliver_file
from ..safe import cell, content, line
from ..widgets.balance import badge, money_text
from ..widgets.note import FieldNote
from ..work import run_store
from .base import ProfileChanged, ProfileTab

if TYPE_CHECKING:
    from datetime import date

    from ...domain.statement import StatementPage, StatementRow

PAGE = 100
FIRST_PAGE = 40  # a screenful first, so a long history opens as fast as a short one
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = (
    ("at", N_("Date"), 16),
    ("kind", N_("Kind"), 12),
    ("ref", N_("Reference"), 10),
    ("amount", N_("Amount"), 11),
    ("balance", N_("Balance"), 11),
    ("cashbox", N_("Cashbox"), 0),
    ("employee", N_("Employee"), 0),
    ("comment", N_("Comment"), 0),
)
FLEXIBLE = {"cashbox": 2, "employee": 2, "comment": 5}  # share what the width leaves
NARROW = ("cashbox", "employee")  # left out when they would not be readable (see _fit)
READABLE = 8  # the narrowest a flexible column is worth showing


class BalanceTab(ProfileTab):
    HELP_TEXT = N_(
        "The client's balance and every movement that makes it up, newest first: payments, "
        "corrections and the documents that charge the client. Green: the client owes us; "
        "red: we owe the client. c adds a correction, e exports the list to Excel, p sets a "
        "period (From/To, e.g. 01/11/2026; empty means no limit)."
    )
    BINDINGS = [
        Binding("c", "correction", N_("+ Correction"), id="balance.correction"),
        Binding("e", "export", N_("Export"), id="balance.export"),
        Binding("p", "period", N_("Period"), id="balance.period"),
    ]

    def __init__(self, client_id: int) -> None:
        super().__init__(client_id, id="balance")
        self.page: StatementPage | None = None
        self.rows: list[StatementRow] = []
        self.period: tuple[date | None, date | None] = (None, None)
        self._loading_more = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="balance-top"):
            yield Static(_("Loading…"), id="balance-badge")
            yield Static("", id="balance-advance")
        with Horizontal(id="balance-period"):
            shape = _("dd/mm/yyyy")  # how a date is typed, in the clerk's words
            yield Label(_("From"))
            yield Input(id="period-from", compact=True, max_length=10, placeholder=shape)
            yield Label(_("To"))
            yield Input(id="period-to", compact=True, max_length=10, placeholder=shape)
            yield Static("", id="period-totals")
        yield FieldNote("", id="period-error", classes="field-error")
        yield FieldNote("", id="statement-empty", classes="status-line")
        yield ProgressBar(id="export-progress", show_eta=False)
        table: DataTable[Any] = DataTable(id="statement", cursor_type="row", zebra_stripes=True)
        self._columns = self._wanted_columns(120)
        self._add_columns(table)
        yield table
        # The movement under the cursor, whole: what the columns cut (a correction's reason).
        yield Static("", id="statement-detail")

    def _wanted_columns(self, width: int) -> tuple[str, ...]:
        """All columns when the flexible ones get a readable width; else without the cashbox
        and employee (the line under the table names them)."""
        fixed = [w for key, _t, w in COLUMNS if key not in FLEXIBLE]
        padding = 2 * len(COLUMNS)
        free = width - 1 - padding - sum(fixed)
        if free >= READABLE * len(FLEXIBLE):
            return tuple(key for key, _t, _w in COLUMNS)
        return tuple(key for key, _t, _w in COLUMNS if key not in NARROW)

    def _add_columns(self, table: DataTable[Any]) -> None:
        for key, title, width in COLUMNS:
            if key in self._columns:
                table.add_column(_(title), key=key, width=width or READABLE)

    def on_resize(self) -> None:
        from ..documents_text import fit_columns

        table = self.query_one("#statement", DataTable)
        wanted = self._wanted_columns(self.size.width)
        if wanted != self._columns:
            self._columns = wanted
            table.clear(columns=True)
            self._add_columns(table)
            for row in self.rows:
                self._add_row(table, row)
        fixed = {key: w for key, _t, w in COLUMNS if key not in FLEXIBLE and key in wanted}
        flexible = {k: w for k, w in FLEXIBLE.items() if k in wanted}
        fit_columns(table, self.size.width, fixed, flexible)

    def on_mount(self) -> None:
        self.query_one("#export-progress").display = False

    def first_focus(self) -> Widget:
        return self.query_one("#statement", DataTable)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        actor = self.desk.actor
        if action == "correction":
            return actor is not None and actor.can(Perm.CORRECTIONS)
        if action == "export":
            return actor is not None and actor.can(Perm.EXPORT)
        return True

    # --- loading ---------------------------------------------------------------------

    def _bounds(self) -> tuple[Any, Any]:
        from ...domain.statement import local_period

        return local_period(*self.period)

    def reload(self) -> None:
        self._fetch(before_id=None)

    def _fetch(self, before_id: int | None) -> None:
        client_id, app = self.client_id, self.desk
        period = self.period

        def fetch() -> tuple[StatementPage, int]:
            from ...domain import payments
            from ...domain.statement import local_period, statement_page

            start, end = local_period(*period)
            with app.store().read() as session:
                page = statement_page(
                    session,
                    client_id,
                    before_id=before_id,
                    limit=PAGE if before_id else FIRST_PAGE,
                    date_from=start,
                    date_to=end,
                )
                return page, payments.advance_held(session, client_id)

        run_store(
            self,
            fetch,
            lambda result: self._show(*result, append=before_id is not None),
            group="balance-load",
            error=self._period_failed,
        )

    def _show(self, page: StatementPage, advance: int, *, append: bool) -> None:
        settings = self.desk.settings
        self.page = page
        self._loading_more = False
        self.query_one("#balance-badge", Static).update(
            Text.assemble((_("Balance") + ": ", "bold"), badge(page.current, settings))
        )
        self.query_one("#balance-advance", Static).update(
            Text.assemble(_("Advance held") + ": ", money_text(advance, settings))
            if advance
            else ""
        )
        totals = self.query_one("#period-totals", Static)
        if page.filtered:
            totals.update(
                Text.assemble(
                    _("Opening") + " ",
                    money_text(page.opening_balance, settings, signed=True),
                    "  " + _("Closing") + " ",
                    money_text(page.closing_balance, settings, signed=True),
                )
            )
        else:
            totals.update("")
        table = self.query_one("#statement", DataTable)
        if not append:
            cursor = table.cursor_row
            table.clear()
            self.rows = []
        for row in page.rows:
            self._add_row(table, row)
        self.rows.extend(page.rows)
        if not append and self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1), animate=False)
        self._detail()
        if not self.rows:
            self.query_one("#period-error", FieldNote).update(
                line(
                    _("No movements in this period.")
                    if page.filtered
                    else _("No movements yet: the client is settled.")
                )
            )
        elif not self.query_one("#period-error", FieldNote).has_class("error-shown"):
            self.query_one("#period-error", FieldNote).update("")

    def _add_row(self, table: DataTable[Any], row: StatementRow) -> None:
        from ...dates import format_datetime

        settings = self.desk.settings
        cells = {
            "at": cell(format_datetime(row.at, settings.locale)),
            "kind": cell(row.kind_label),
            "ref": cell(row.reference),
            "amount": money_text(row.amount, settings, signed=True),
            "balance": money_text(row.balance_after, settings, signed=True),
            "cashbox": cell(row.cashbox),
            "employee": cell(row.employee),
            "comment": cell(row.comment, limit=200),
        }
        table.add_row(*(cells[key] for key in self._columns), key=str(row.id))

    def _detail(self) -> None:
        """The line under the table: the selected movement's cashbox, employee and whole
        comment (a correction's reason), which the columns may cut or leave out."""
        detail = self.query_one("#statement-detail", Static)
        cursor = self.query_one("#statement", DataTable).cursor_row
        if not 0 <= cursor < len(self.rows):
            detail.update("")
            return
        row = self.rows[cursor]
        parts = [row.kind_label + (f" {row.reference}" if row.reference else "")]
        if row.cashbox:
            parts.append(_("Cashbox: {name}").format(name=row.cashbox))
        parts.append(_("By {name}").format(name=row.employee or "—"))
        if row.comment:
            parts.append(row.comment)
        detail.update(content(" · ".join(parts), single_line=True, limit=600))

    def _period_failed(self, exc: DomainError) -> None:
        note = self.query_one("#period-error", FieldNote)
        note.update(line(exc.message))

    @on(DataTable.RowHighlighted, "#statement")
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        self._detail()
        page = self.page
        if (
            page is not None
            and page.has_more
            and not self._loading_more
            and event.cursor_row >= len(self.rows) - 10
        ):
            self._loading_more = True
            self._fetch(before_id=page.next_before_id)

    @on(DataTable.RowSelected, "#statement")
    def _open(self, event: DataTable.RowSelected) -> None:
        if not 0 <= event.cursor_row < len(self.rows):
            return
        row = self.rows[event.cursor_row]
        if row.source_type == "document" and row.source_id is not None:
            from ..dialogs.document import DocumentDialog

            self.app.push_screen(DocumentDialog(int(row.source_id)))

    # --- period ------------------------------------------------------------------------

    def action_period(self) -> None:
        self.query_one("#period-from", Input).focus()

    @on(Input.Submitted, "#period-from, #period-to")
    def _period_entered(self, event: Input.Submitted) -> None:
        from ...dates import parse_date

        locale = self.desk.settings.locale
        note = self.query_one("#period-error", FieldNote)
        try:
            start = parse_date(self.query_one("#period-from", Input).value, locale)
            end = parse_date(self.query_one("#period-to", Input).value, locale)
            if start and end and end < start:
                raise DomainError(_("The period ends before it starts."))
        except DomainError as exc:
            note.update(line(exc.message))
            return
        note.update("")
        self.period = (start, end)
        if event.input.id == "period-from":
            self.query_one("#period-to", Input).focus()
        else:
            self.query_one("#statement", DataTable).focus()
        self.reload()

    # --- correction and export ------------------------------------------------------------

    def action_correction(self) -> None:
        if self.page is None:
            return
        from ..dialogs.correction import CorrectionDialog

        def done(saved: bool | None) -> None:
            if saved:
                self.reload()
                self.screen.post_message(ProfileChanged())

        self.app.push_screen(CorrectionDialog(self.client_id, self.page.current.amount), done)

    def action_export(self) -> None:
        app, client_id, actor = self.desk, self.client_id, self.desk.actor
        period, settings = self.period, self.desk.settings
        bar = self.query_one("#export-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)

        def progress(done: int, total: int) -> None:
            app.call_from_thread(bar.update, total=max(total, 1), progress=done)

        def export() -> tuple[bytes, str]:
            from ...export.statement_xlsx import record_export, statement_bytes

            with app.store().read() as session:
                data, result = statement_bytes(
                    session,
                    actor,
                    client_id,
                    date_from=period[0],
                    date_to=period[1],
                    currency=settings.currency,
                    locale=settings.locale,
                    progress=progress,
                    record=False,
                )
            with app.store().write() as session:
                record_export(session, actor, result, *period)
            return data, result.filename

        def saved(result: tuple[bytes, str]) -> None:
            bar.display = False
            data, filename = result
            deliver_file(self, data, filename, XLSX)

        def failed(exc: DomainError) -> None:
            bar.display = False
            app.notify_domain_error(exc)

        run_store(self, export, saved, group="balance-export", error=failed)
