"""Communications: the client's calls, SMS and (for employees allowed to) chats.

Three sections behind one strip of tabs; F9 moves to the next. The Chats section is
composed only for employees with Perm.VIEW_CHATS: for anyone else it does not exist, and
neither do its keys, footer entries or palette commands.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import ContentSwitcher, DataTable, Static, Tab, Tabs
from textual.widgets.data_table import ColumnKey

from ...i18n import N_, _, ngettext
from ...permissions import Perm
from ...safetext import safe_text
from ..comms_text import chat_status_text, filter_text, recording_text
from ..safe import cell, line
from ..work import run_store
from .base import OpenChat, ProfileTab
from .sms_sending import send_and_tell

if TYPE_CHECKING:
    from ...domain.calls import CallCounts, CallPage, CallRow
    from ...domain.chats import ChatSummary
    from ...domain.sms import SmsPage, SmsRow

PAGE = 100
MAX_KEEP = 1000  # rows kept in place when the store changes (the domain's page limit)
SECTIONS = ("calls", "sms", "chats")

# (key, title, width); the last column of each table takes what the terminal leaves.
CALL_COLUMNS = (
    ("at", N_("Date and time"), 16),
    ("kind", N_("Type"), 12),
    ("duration", N_("Duration"), 8),
    ("employee", N_("Employee"), 14),
    ("recording", N_("Recording"), 20),
)
SMS_COLUMNS = (
    ("at", N_("Date sent"), 16),
    ("status", N_("Status"), 10),
    ("text", N_("Text"), 30),
)
CHAT_COLUMNS = (
    ("channel", N_("Channel"), 10),
    ("status", N_("Status"), 11),
    ("unread", N_("Unread"), 6),
    ("at", N_("Last message at"), 16),
    ("last", N_("Last message"), 30),
)


def _keep_row(rows: Sequence[Any], selected_id: int | None, cursor: int) -> int:
    """Where the cursor goes after a reload: on the row it was on (found by id, as new
    rows may have arrived above it), else at the same position."""
    for index, row in enumerate(rows):
        if row.id == selected_id:
            return index
    return max(0, min(cursor, len(rows) - 1))


class CommsTab(ProfileTab):
    HELP_TEXT = N_(
        "The client's communications in sections: Calls, SMS and (if your role allows) "
        "Chats; F9 moves to the next section. Calls: f changes the filter (all, incoming, "
        "outgoing), l logs a call by hand; a recording that is a safe link can be opened "
        "from the terminal. SMS: m writes a new SMS, r sends a failed one again. Chats: "
        "Enter opens the selected chat, n starts a new one."
    )
    BINDINGS = [
        Binding("f9", "next_section", N_("Next section"), id="comms.next_section"),
        Binding("f", "filter_calls", N_("Filter calls"), id="comms.filter_calls"),
        Binding("l", "log_call", N_("Log a call"), id="comms.log_call"),
        Binding("m", "new_sms", N_("New SMS"), id="comms.new_sms"),
        Binding("r", "resend_sms", N_("Send the SMS again"), id="comms.resend_sms"),
        Binding("n", "new_chat", N_("+ Chat"), id="comms.new_chat"),
    ]

    def __init__(self, client_id: int) -> None:
        super().__init__(client_id, id="comms")
        self.sections: tuple[str, ...] = ("calls", "sms")
        self.section = "calls"
        self.call_filter = "all"
        self.calls: list[CallRow] = []
        self.calls_page: CallPage | None = None
        self.call_counts: CallCounts | None = None
        self.sms: list[SmsRow] = []
        self.sms_page: SmsPage | None = None
        self.sms_total = 0
        self._select_sms: int | None = None  # the cursor goes there on the next load
        self.chats: list[ChatSummary] = []
        self._more_calls = False
        self._more_sms = False

    # --- permissions ---------------------------------------------------------------------

    def can_chat(self) -> bool:
        actor = self.desk.actor
        return actor is not None and actor.can(Perm.VIEW_CHATS)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("filter_calls", "log_call"):
            return self.section == "calls"
        if action == "new_sms":
            return self.section == "sms"
        if action == "resend_sms":
            row = self._current_sms()
            return self.section == "sms" and row is not None and row.status == "failed"
        if action == "new_chat":
            return "chats" in self.sections and self.can_chat() and self.section == "chats"
        return True

    # --- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        if self.can_chat():
            self.sections = SECTIONS
        tabs = [Tab(self._section_title(s), id=f"sec-{s}") for s in self.sections]
        with Horizontal(id="comms-top"):
            yield Tabs(*tabs, id="comms-sections")
            yield Static(line(_("F9 next section")), id="comms-f9")
        with ContentSwitcher(initial="calls", id="comms-switcher"):
            with Vertical(id="calls"):
                yield Static("", id="calls-filter", classes="comms-line")
                yield self._table("calls-table", CALL_COLUMNS)
                yield Static("", id="calls-detail", classes="comms-detail")
            with Vertical(id="sms"):
                yield Static("", id="sms-summary", classes="comms-line")
                yield self._table("sms-table", SMS_COLUMNS)
                yield Static("", id="sms-detail", classes="comms-detail")
            if "chats" in self.sections:
                with Vertical(id="chats"):
                    yield Static("", id="chats-hint", classes="comms-line")
                    yield self._table("chats-table", CHAT_COLUMNS)

    @staticmethod
    def _table(table_id: str, columns: tuple[tuple[str, str, int], ...]) -> DataTable[Any]:
        table: DataTable[Any] = DataTable(id=table_id, cursor_type="row", zebra_stripes=True)
        for key, title, width in columns:
            table.add_column(_(title), key=key, width=width)
        return table

    @staticmethod
    def _section_title(section: str) -> Content:
        # Fixed labels: Textual's Tabs does not always move its underline when a label
        # changes width, so the counts go in each section's first line instead.
        names = {"calls": _("Calls"), "sms": _("SMS"), "chats": _("Chats")}
        return Content(names[section])

    def on_mount(self) -> None:
        self._show_filter()
        self.query_one("#calls-detail", Static).display = False
        self.query_one("#sms-detail", Static).display = False

    def on_resize(self) -> None:
        """The last column of each table gets the width the terminal leaves."""
        width = self.size.width
        for table_id, columns in (
            ("#calls-table", CALL_COLUMNS),
            ("#sms-table", SMS_COLUMNS),
            ("#chats-table", CHAT_COLUMNS),
        ):
            found = self.query(table_id)
            if not found:
                continue
            table = found.first(DataTable)
            # Each column has one cell of padding either side; the scrollbar takes one.
            fixed = sum(w + 2 for _k, _t, w in columns[:-1]) + 2 + 1
            last = table.columns.get(ColumnKey(columns[-1][0]))
            if last is not None:
                last.width = max(12, width - fixed)
                last.auto_width = False
            table.refresh()

    def first_focus(self) -> Widget:
        return self._section_table()

    def _section_table(self) -> DataTable[Any]:
        return self.query_one(f"#{self.section}-table", DataTable)

    # --- sections -------------------------------------------------------------------------

    def action_next_section(self) -> None:
        index = self.sections.index(self.section) if self.section in self.sections else -1
        self.show_section(self.sections[(index + 1) % len(self.sections)], focus=True)

    def show_section(self, section: str, *, focus: bool = False) -> None:
        if section not in self.sections:
            return
        self.section = section
        self.query_one(ContentSwitcher).current = section
        tabs = self.query_one("#comms-sections", Tabs)
        if tabs.active != f"sec-{section}":
            with tabs.prevent(Tabs.TabActivated):
                tabs.active = f"sec-{section}"
        if focus:
            self._section_table().focus()
        self.refresh_bindings()

    @on(Tabs.TabActivated, "#comms-sections")
    def _tab_clicked(self, event: Tabs.TabActivated) -> None:
        event.stop()
        if event.tab.id:
            self.show_section(event.tab.id.removeprefix("sec-"))

    # --- loading --------------------------------------------------------------------------

    def reload(self) -> None:
        self._load_calls(keep=True)
        self._load_sms(keep=True)
        if "chats" in self.sections:
            self._load_chats()

    def _load_calls(self, *, keep: bool = False, before_id: int | None = None) -> None:
        client_id, app, filter_ = self.client_id, self.desk, self.call_filter
        limit = min(MAX_KEEP, max(PAGE, len(self.calls))) if keep else PAGE

        def fetch() -> tuple[CallPage, CallCounts]:
            from ...domain.calls import call_counts, list_calls

            with app.store().read() as session:
                page = list_calls(
                    session, client_id, filter=filter_, before_id=before_id, limit=limit
                )
                return page, call_counts(session, client_id)

        run_store(
            self,
            fetch,
            lambda result: self._show_calls(*result, append=before_id is not None),
            group="comms-calls",
        )

    def _show_calls(self, page: CallPage, counts: CallCounts, *, append: bool) -> None:
        if page.filter != self.call_filter:
            return  # the filter changed since: a newer load is on its way
        self.calls_page, self.call_counts = page, counts
        self._more_calls = False
        table = self.query_one("#calls-table", DataTable)
        cursor = table.cursor_row
        selected = self.calls[cursor].id if 0 <= cursor < len(self.calls) else None
        if not append:
            table.clear()
            self.calls = []
        locale = self.desk.settings.locale
        from ...dates import format_datetime

        for row in page.rows:
            table.add_row(
                cell(format_datetime(row.at, locale)),
                cell(row.kind_label),
                cell(row.duration_text),
                cell(row.employee_name or "—"),
                recording_text(row.recording, row.recording_is_link, row.recording_href),
                key=str(row.id),
            )
        self.calls.extend(page.rows)
        if not append and self.calls:
            table.move_cursor(row=_keep_row(self.calls, selected, cursor), animate=False)
        self._show_filter()
        self._call_detail()

    def _show_filter(self) -> None:
        counts = self.call_counts
        shown = {
            "all": counts.all if counts else None,
            "incoming": counts.incoming if counts else None,
            "outgoing": counts.outgoing if counts else None,
        }[self.call_filter]
        text = _("Filter: {filter}").format(filter=filter_text(self.call_filter))
        if shown is not None:
            text += f" ({shown})"
        if counts is not None and counts.all == 0:
            text += " · " + _("No calls with this client yet.")
        elif counts is not None and shown == 0:
            text += " · " + _("No calls match this filter.")
        text += " · " + _("f: filter, l: log a call")
        self.query_one("#calls-filter", Static).update(line(text))

    def _current_call(self) -> CallRow | None:
        table = self.query_one("#calls-table", DataTable)
        row = table.cursor_row
        return self.calls[row] if 0 <= row < len(self.calls) else None

    def _call_detail(self) -> None:
        detail = self.query_one("#calls-detail", Static)
        row = self._current_call()
        if row is None:
            detail.display = False
            return
        parts = [_("Number: {number}").format(number=row.number_display or "—")]
        if row.source == "import":
            parts.append(_("from the telephone system"))
        text = Text(safe_text(" · ".join(parts), single_line=True))
        if row.recording:
            text.append(" · " + _("Recording: "))
            text.append_text(
                recording_text(row.recording, row.recording_is_link, row.recording_href).as_text()
            )
        detail.update(text)
        detail.display = True

    @on(DataTable.RowHighlighted, "#calls-table")
    def _call_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._call_detail()
        page = self.calls_page
        if (
            page is not None
            and page.has_more
            and not self._more_calls
            and event.cursor_row >= len(self.calls) - 10
        ):
            self._more_calls = True
            self._load_calls(before_id=page.next_before_id)

    def action_filter_calls(self) -> None:
        from ...domain.calls import next_filter

        self.call_filter = next_filter(self.call_filter)
        self._show_filter()
        self.query_one("#calls-table", DataTable).move_cursor(row=0, animate=False)
        self._load_calls()

    def action_log_call(self) -> None:
        from ..dialogs.comms import LogCallDialog

        def done(row: CallRow | None) -> None:
            if row is not None:
                self.notify(_("Call logged."), markup=False)
                self._load_calls()

        self.app.push_screen(LogCallDialog(self.client_id), done)

    # --- SMS ------------------------------------------------------------------------------

    def _load_sms(self, *, keep: bool = False, before_id: int | None = None) -> None:
        client_id, app = self.client_id, self.desk
        limit = min(MAX_KEEP, max(PAGE, len(self.sms))) if keep else PAGE

        def fetch() -> tuple[SmsPage, int]:
            from ...domain.sms import list_sms, sms_counts

            with app.store().read() as session:
                page = list_sms(session, client_id, before_id=before_id, limit=limit)
                return page, sum(sms_counts(session, client_id).values())

        run_store(
            self,
            fetch,
            lambda result: self._show_sms(*result, append=before_id is not None),
            group="comms-sms",
        )

    def _show_sms(self, page: SmsPage, total: int, *, append: bool) -> None:
        self.sms_page, self.sms_total = page, total
        self._more_sms = False
        table = self.query_one("#sms-table", DataTable)
        cursor = table.cursor_row
        selected = self.sms[cursor].id if 0 <= cursor < len(self.sms) else None
        if not append:
            table.clear()
            self.sms = []
        locale = self.desk.settings.locale
        from ...dates import format_datetime

        for row in page.rows:
            # "Date sent" is when the gateway took it: a queued or failed SMS has none yet
            # (when it was written is in the line under the list and on Enter).
            sent = format_datetime(row.sent_at, locale) if row.sent_at else "—"
            table.add_row(
                cell(sent),
                cell(row.status_label, style="bold" if row.status == "failed" else ""),
                cell(row.text, limit=300),
                key=str(row.id),
            )
        self.sms.extend(page.rows)
        if self._select_sms is not None:  # the SMS just written, at the top
            selected, self._select_sms = self._select_sms, None
        if not append and self.sms:
            table.move_cursor(row=_keep_row(self.sms, selected, cursor), animate=False)
        summary = _("m: new SMS")
        if total:
            summary = ngettext("{n} SMS", "{n} SMS", total).format(n=total) + " · " + summary
        else:
            summary = _("No SMS sent to this client yet.") + " " + summary
        self.query_one("#sms-summary", Static).update(line(summary))
        self._sms_detail()
        self.refresh_bindings()

    def _current_sms(self) -> SmsRow | None:
        found = self.query("#sms-table")
        if not found:
            return None
        row = found.first(DataTable).cursor_row
        return self.sms[row] if 0 <= row < len(self.sms) else None

    def _sms_detail(self) -> None:
        detail = self.query_one("#sms-detail", Static)
        row = self._current_sms()
        if row is None:
            detail.display = False
            return
        from ...dates import format_datetime

        written = format_datetime(row.created_at, self.desk.settings.locale)
        parts = [
            _("To {number}").format(number=row.number_display),
            _("Written {at} by {name}").format(at=written, name=row.employee_name or "—"),
            ngettext("{n} segment", "{n} segments", row.segments).format(n=row.segments)
            + f" {row.encoding}",
        ]
        if row.status == "failed" and row.error:
            parts.append(_("Gateway error: {error}").format(error=row.error))
        elif row.status == "queued":
            parts.append(_("waiting for the SMS gateway"))
        detail.update(line(" · ".join(parts), limit=600))
        detail.display = True

    @on(DataTable.RowHighlighted, "#sms-table")
    def _sms_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._sms_detail()
        self.refresh_bindings()
        page = self.sms_page
        if (
            page is not None
            and page.has_more
            and not self._more_sms
            and event.cursor_row >= len(self.sms) - 10
        ):
            self._more_sms = True
            self._load_sms(before_id=page.next_before_id)

    @on(DataTable.RowSelected, "#sms-table")
    def _sms_selected(self, event: DataTable.RowSelected) -> None:
        row = self._current_sms()
        if row is None:
            return
        from ...dates import format_datetime
        from ..dialogs.message import MessageDialog

        locale = self.desk.settings.locale
        facts = [
            _("Status: {status}").format(status=row.status_label),
            _("To {number}").format(number=row.number_display),
            _("Written {at} by {name}").format(
                at=format_datetime(row.created_at, locale), name=row.employee_name or "—"
            ),
        ]
        if row.sent_at:
            facts.append(_("Sent at {at}").format(at=format_datetime(row.sent_at, locale)))
        if row.error:
            facts.append(_("Gateway error: {error}").format(error=row.error))
        text = "\n".join(facts) + "\n\n" + row.text
        self.app.push_screen(MessageDialog(_("SMS to the client"), text))

    def action_new_sms(self) -> None:
        from ..dialogs.comms import SmsComposer

        def done(row: SmsRow | None) -> None:
            if row is None:
                return
            self._select_sms = row.id
            self._load_sms()
            self._send_queued(row.id)

        self.app.push_screen(SmsComposer(self.client_id), done)

    def action_resend_sms(self) -> None:
        row = self._current_sms()
        if row is None or row.status != "failed":
            return
        app, actor, sms_id = self.desk, self.desk.actor, row.id

        def requeue() -> SmsRow:
            from ...domain.sms import requeue_sms

            assert actor is not None
            with app.store().write() as session:
                return requeue_sms(session, actor, sms_id)

        def done(again: SmsRow) -> None:
            self._load_sms(keep=True)
            self._send_queued(again.id)

        run_store(self, requeue, done, group="comms-requeue")

    def _send_queued(self, sms_id: int) -> None:
        send_and_tell(self, sms_id, lambda: self._load_sms(keep=True))

    # --- chats ----------------------------------------------------------------------------

    def _load_chats(self) -> None:
        if "chats" not in self.sections:
            return
        client_id, app, actor = self.client_id, self.desk, self.desk.actor

        def fetch() -> list[ChatSummary]:
            from ...domain.chats import list_chats

            assert actor is not None
            with app.store().read() as session:
                return list_chats(session, actor, client_id)

        run_store(self, fetch, self._show_chats, group="comms-chats")

    def _show_chats(self, chats: list[ChatSummary]) -> None:
        table = self.query_one("#chats-table", DataTable)
        cursor = table.cursor_row
        selected = self.chats[cursor].id if 0 <= cursor < len(self.chats) else None
        table.clear()
        self.chats = list(chats)
        locale = self.desk.settings.locale
        from ...dates import format_datetime

        for chat in chats:
            table.add_row(
                cell(chat.channel_label),
                cell(chat_status_text(chat.status)),
                cell(str(chat.unread) if chat.unread else "—", style="bold" if chat.unread else ""),
                cell(format_datetime(chat.last_message_at, locale) or "—"),
                cell(chat.last_message_text, limit=300),
                key=str(chat.id),
            )
        unread = sum(c.unread for c in chats)
        if self.chats:
            table.move_cursor(row=_keep_row(self.chats, selected, cursor), animate=False)
            hint = ngettext("{n} chat", "{n} chats", len(chats)).format(n=len(chats))
            if unread:
                hint += ", " + ngettext("{n} unread", "{n} unread", unread).format(n=unread)
            hint += " · " + _("Enter opens the selected chat · n: + Chat")
        else:
            hint = _("No chats with this client yet. Press n to start one (+ Chat).")
        self.query_one("#chats-hint", Static).update(line(hint))
        # Beside the sections, so a clerk sees new messages from Calls and SMS too.
        corner = ngettext("{n} unread message", "{n} unread messages", unread).format(n=unread)
        self.query_one("#comms-f9", Static).update(
            line((corner + " · " if unread else "") + _("F9 next section"))
        )

    @on(DataTable.RowSelected, "#chats-table")
    def _chat_selected(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.chats):
            self.open_chat(self.chats[event.cursor_row].id)

    def open_chat(self, chat_id: int) -> None:
        if not self.can_chat():
            return
        self.post_message(OpenChat(self.client_id, chat_id, self._load_chats))

    def action_new_chat(self) -> None:
        if not self.can_chat():
            return
        from ..dialogs.comms import NewChatDialog

        def done(chat: ChatSummary | None) -> None:
            if chat is not None:
                self._load_chats()
                self.open_chat(chat.id)

        self.app.push_screen(NewChatDialog(self.client_id), done)
