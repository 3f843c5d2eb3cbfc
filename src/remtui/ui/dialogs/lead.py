"""Leads: + Lead, the lead's profile (fields, status actions, result, status history), and
the two status dialogs that need more than a key: mark lost (a reason) and mark won (the
work order or sale the lead became)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Button, DataTable, Input, Select, Static, TextArea

from ...errors import DomainError, ValidationError
from ...i18n import N_, _
from ..safe import cell, line
from ..widgets.note import FieldNote
from .crm_base import CrmChangeDialog, CrmNewDialog, CrmProfileDialog
from .crm_common import (
    active_employees,
    dialog_buttons,
    field_value,
    fill_fields,
    form_row,
    is_stale,
    money_cell,
    options,
    run_read,
    run_write,
    text_input,
)
from .crm_common import when as fmt_when

if TYPE_CHECKING:
    from sqlmodel import Session

    from ...domain.leads import LeadForm, LeadRecord, LinkableDocument
    from ...domain.staff import Actor

Employees = list[tuple[int, str]]


# --- the three fields both forms share ------------------------------------------------------


def lead_fields() -> ComposeResult:
    yield from form_row(
        "channel",
        _("Channel"),
        text_input("channel", _("How the client came: phone call, walk-in…")),
    )
    yield from form_row(
        "description",
        _("Description"),
        TextArea(id="f-description", soft_wrap=True, show_line_numbers=False, compact=True),
        tall=True,
    )
    yield from form_row(
        "responsible",
        _("Responsible"),
        Select[int]([], id="f-responsible", prompt=_("Nobody"), compact=True),
    )


def read_lead_form(root: Any) -> LeadForm:
    from ...domain.leads import LeadForm

    responsible = root.query_one("#f-responsible", Select).selection
    return LeadForm(
        description=field_value(root, "description"),
        channel=field_value(root, "channel"),
        responsible_id=int(responsible) if responsible is not None else None,
    )


def set_employees(root: Any, employees: Employees, value: int | None) -> None:
    select = root.query_one("#f-responsible", Select)
    select.set_options(options(employees))
    if value is not None and any(emp_id == value for emp_id, _name in employees):
        select.value = value
    else:
        select.clear()


def set_lead_form(root: Any, form: LeadForm, employees: Employees) -> None:
    fill_fields(root, {"channel": form.channel, "description": form.description})
    set_employees(root, employees, form.responsible_id)


def _suggest(root: Any, channels: list[str]) -> None:
    root.query_one("#f-channel", Input).suggester = SuggestFromList(channels, case_sensitive=False)


# --- + Lead -------------------------------------------------------------------------------


class NewLeadDialog(CrmNewDialog):
    HELP_TEXT = N_(
        "A new lead for this client: how the client came (channel; suggestions appear as "
        "you type, Right accepts one), what the client wants, and the employee responsible. "
        "ctrl+s saves; Escape closes without saving."
    )
    HEADING = N_("New lead")
    FORM_ID = "new-lead"
    GROUP = "lead-create"

    def compose_fields(self) -> ComposeResult:
        yield from lead_fields()

    def on_mount(self) -> None:
        me = self.desk.actor.id if self.desk.actor else None

        def fetch(session: Session) -> tuple[Employees, list[str]]:
            from ...domain.leads import channel_suggestions

            return active_employees(session), channel_suggestions()

        def show(found: tuple[Employees, list[str]]) -> None:
            employees, channels = found
            set_employees(self, employees, me)
            _suggest(self, channels)

        run_read(self, fetch, show, group="lead-employees")
        self.query_one("#f-channel").focus()

    def creator(self) -> Callable[[Session, Actor], LeadRecord]:
        form, client_id = read_lead_form(self), self.client_id
        prefixes = self.desk.settings.document_prefixes

        def create(session: Session, actor: Actor) -> LeadRecord:
            from ...domain.leads import create_lead

            return create_lead(session, actor, client_id, form, prefixes=prefixes)

        return create

    def created_text(self, record: LeadRecord) -> str:
        return _("Lead {number} created.").format(number=record.number)


# --- the lead's profile ---------------------------------------------------------------------


class Loaded(NamedTuple):
    """What the profile shows; a save brings only the lead (the lists stay as they are)."""

    record: LeadRecord
    employees: Employees | None = None
    channels: list[str] | None = None


class LeadDialog(CrmProfileDialog["LeadRecord", "LeadForm"]):
    HELP_TEXT = N_(
        "The lead's profile. Edit the channel, the description or the responsible employee "
        "and save with ctrl+s. When the focus is not in a text field: w takes a new lead "
        "into work; o marks a lead in work as won by linking the work order or sale it "
        "became; l marks it lost, with a reason. Won and lost leads are closed. Below: every "
        "change of status, who made it and when. Escape closes."
    )
    BINDINGS = [
        Binding("w", "start_work", N_("Start work"), id="lead.start_work"),
        Binding("o", "mark_won", N_("Won: link a document"), id="lead.won"),
        Binding("l", "mark_lost", N_("Lost"), id="lead.lost"),
        Binding("ctrl+r", "restore", N_("Put back my edits"), id="lead.restore"),
    ]
    PREFIX = "lead"
    HEADING = N_("Lead")
    HISTORY = ("lead-history", "note")
    FALLBACK = "status"
    CREATED = N_("Created {when} by {who}.")
    CHANGED_ELSEWHERE = N_(
        "Another employee changed this lead. Your edits are kept; saving "
        "will tell you if theirs would be lost."
    )
    STALE_SAVED = N_(
        "Not saved: {who} changed this lead at {when}. Their version is shown now; "
        "ctrl+r puts back your edits (then save again)."
    )
    STALE_DONE = N_(
        "Not done: {who} changed this lead at {when}. It is shown as it is now; "
        "check it and try again."
    )
    UNSAVED = N_("This lead has edits that are not saved. Close without saving?")
    STATUS_BUTTONS = ("#lead-start", "#lead-won", "#lead-lost")

    def __init__(self, lead_id: int) -> None:
        super().__init__(lead_id)
        self.lead_id = lead_id
        self.employees: Employees = []

    def compose_form(self) -> ComposeResult:
        yield from lead_fields()
        yield FieldNote("", id="err-status", classes="field-error crm-status-error")

    def compose_actions(self) -> ComposeResult:
        yield Button(_("Start work") + " (w)", id="lead-start", compact=True)
        yield Button(_("Won…") + " (o)", id="lead-won", compact=True)
        yield Button(_("Lost…") + " (l)", id="lead-lost", compact=True)

    def compose_sections(self) -> ComposeResult:
        yield Static(_("Status history"), classes="crm-section")
        table: DataTable[Any] = DataTable(
            id="lead-history", cursor_type="row", classes="crm-history"
        )
        table.add_column(_("When"), key="at", width=16)
        table.add_column(_("Who"), key="who", width=14)
        table.add_column(_("Status"), key="change", width=24)
        table.add_column(_("Note"), key="note", width=20)
        yield table

    def on_mount(self) -> None:
        # Textual calls CrmProfileDialog.on_mount (which loads the lead) after this one.
        for button in self.STATUS_BUTTONS:
            self.query_one(button).display = False

    # --- the form and the store -----------------------------------------------------------

    def read_form(self) -> LeadForm:
        return read_lead_form(self)

    def set_form(self, form: LeadForm) -> None:
        set_lead_form(self, form, self.employees)

    def read_item(self, session: Session) -> Loaded:
        from ...domain import leads

        record = leads.get_lead(session, self.lead_id)
        return Loaded(
            record,
            active_employees(session, keep=record.responsible_id),
            leads.channel_suggestions(),
        )

    def write_item(self, session: Session, actor: Actor, form: LeadForm, expected: int) -> Loaded:
        from ...domain.leads import update_lead

        return Loaded(update_lead(session, actor, self.lead_id, form, expected))

    def item_version(self, session: Session) -> int:
        from ...domain.leads import lead_version

        return lead_version(session, self.lead_id)

    # --- showing --------------------------------------------------------------------------

    def show_item(self, found: Loaded, *, keep_edits: bool) -> None:
        record, employees, channels = found
        if channels is not None:
            _suggest(self, channels)
        if employees is not None:
            self.employees = employees
        self._take(record, keep_edits)
        title = _("Lead {number} · {client}").format(
            number=record.number, client=record.client_name
        )
        summary = _("Status: {status}").format(status=record.status_label)
        summary += "   " + _("Result: {result}").format(result=record.result or "—")
        self._show_header(record, title, summary)
        self.query_one("#lead-start").display = record.can_start_work
        self.query_one("#lead-won").display = record.can_win
        self.query_one("#lead-lost").display = record.can_lose
        table = self.query_one("#lead-history", DataTable)
        table.clear()
        for change in record.history:
            moved = (
                f"{change.from_label} → {change.to_label}"
                if change.from_status
                else _("Created: {status}").format(status=change.to_label)
            )
            table.add_row(
                cell(fmt_when(self.desk, change.at)),
                cell(change.employee_name or "?"),
                cell(moved),
                cell(change.note),
                key=str(change.id),
            )
        self.call_after_refresh(self._fit)
        self.refresh_bindings()

    def focus_first(self) -> None:
        for button in self.STATUS_BUTTONS:
            widget = self.query_one(button)
            if widget.display:
                widget.focus()
                return
        self.query_one("#f-channel").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        record = self.record
        if action == "start_work":
            return record is not None and record.can_start_work
        if action == "mark_won":
            return record is not None and record.can_win
        if action == "mark_lost":
            return record is not None and record.can_lose
        return super().check_action(action, parameters)

    # --- status -------------------------------------------------------------------------

    @on(Button.Pressed, "#lead-start")
    def _start_pressed(self) -> None:
        self.action_start_work()

    @on(Button.Pressed, "#lead-won")
    def _won_pressed(self) -> None:
        self.action_mark_won()

    @on(Button.Pressed, "#lead-lost")
    def _lost_pressed(self) -> None:
        self.action_mark_lost()

    def action_start_work(self) -> None:
        if self.record is None or not self.record.can_start_work:
            return
        lead_id, expected = self.lead_id, self.record.version

        def start(session: Session, actor: Actor) -> LeadRecord:
            from ...domain.leads import start_work

            return start_work(session, actor, lead_id, expected)

        run_write(self, start, self._status_changed, group="lead-status", error=self._failed)

    def action_mark_won(self) -> None:
        if self.record is not None and self.record.can_win:
            self.app.push_screen(WinDialog(self.record), self._status_dialog_done)

    def action_mark_lost(self) -> None:
        if self.record is not None and self.record.can_lose:
            self.app.push_screen(LostDialog(self.record), self._status_dialog_done)

    def _status_dialog_done(self, result: object) -> None:
        from ...domain.leads import LeadRecord

        if is_stale(result):
            self._stale(result)
        elif isinstance(result, LeadRecord):
            self._status_changed(result)

    def _status_changed(self, record: LeadRecord) -> None:
        self.changed = True
        self.query_one("#err-status", FieldNote).update("")
        self.show_item(Loaded(record), keep_edits=True)
        self._notice(_("The lead is now {status}.").format(status=record.status_label))
        self.focus_first()


# --- mark lost ------------------------------------------------------------------------------


class LostDialog(CrmChangeDialog):
    """Marks the lead lost; dismisses with the lead as it is now, or StaleLead."""

    ENTER_CONFIRMS = True

    HELP_TEXT = N_(
        "Why the lead was lost: choose a reason (Enter opens the list). A note is optional, "
        'except for "Other", which needs one. ctrl+s marks the lead lost; it cannot be '
        "undone."
    )
    OK_ID = "lost-ok"
    CANCEL_ID = "lost-cancel"

    def __init__(self, lead: LeadRecord) -> None:
        super().__init__()
        self.lead = lead

    def compose(self) -> ComposeResult:
        from ...domain.leads import lost_reason_choices

        with Vertical(classes="dialog crm-form", id="lost-dialog"):
            yield Static(
                line(_("Lead {number}: mark lost").format(number=self.lead.number)),
                classes="dialog-title",
            )
            yield from form_row(
                "lost_reason",
                _("Reason"),
                Select[str](
                    [(label, value) for value, label in lost_reason_choices()],
                    id="f-lost_reason",
                    prompt=_("Choose a reason"),
                    compact=True,
                ),
            )
            yield from form_row(
                "lost_note",
                _("Note"),
                text_input("lost_note", _('Why? (needed for "Other")')),
            )
            yield FieldNote("", id="err-general", classes="field-error")
            yield from dialog_buttons(
                _("Mark lost") + " (ctrl+s)", self.OK_ID, self.CANCEL_ID, variant="warning"
            )

    def on_mount(self) -> None:
        self.query_one("#f-lost_reason").focus()

    def action_confirm(self) -> None:
        reason = self.query_one("#f-lost_reason", Select).selection
        note = self.query_one("#f-lost_note", Input).value
        lead_id, expected = self.lead.id, self.lead.version

        def lose(session: Session, actor: Actor) -> LeadRecord:
            from ...domain.leads import mark_lost

            return mark_lost(session, actor, lead_id, str(reason or ""), expected, note)

        self.change(lose, "lead-lost")


# --- mark won -------------------------------------------------------------------------------


class WinDialog(CrmChangeDialog):
    """Links the work order or sale the lead became; dismisses with the lead as it is now,
    or StaleLead."""

    HELP_TEXT = N_(
        "A lead is won by the work order or sale it became. Choose it in the list (the "
        "client's work orders and sales that are not cancelled and not the result of another "
        "lead) and press Enter. To link a new one, create it in Documents (F6) first."
    )
    OK_ID = "win-ok"
    CANCEL_ID = "win-cancel"

    def __init__(self, lead: LeadRecord) -> None:
        super().__init__()
        self.lead = lead
        self.documents: list[LinkableDocument] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog crm-form", id="win-dialog"):
            yield Static(
                line(
                    _("Lead {number} won: which work order or sale did it become?").format(
                        number=self.lead.number
                    )
                ),
                classes="dialog-title",
            )
            table: DataTable[Any] = DataTable(id="win-documents", cursor_type="row")
            table.add_column(_("Document"), key="label", width=24)
            table.add_column(_("Status"), key="status", width=12)
            table.add_column(_("Created"), key="created", width=10)
            table.add_column(_("Total"), key="total", width=10)
            yield table
            yield Static(_("Loading…"), id="win-empty", classes="crm-meta")
            yield FieldNote("", id="err-document", classes="field-error crm-status-error")
            yield from dialog_buttons(
                _("Link and mark won") + " (Enter)", self.OK_ID, self.CANCEL_ID
            )

    def on_mount(self) -> None:
        lead_id = self.lead.id

        def fetch(session: Session) -> list[tuple[LinkableDocument, str]]:
            from ...domain.leads import linkable_documents
            from .crm_common import document_status_label

            return [
                (doc, document_status_label(doc.status))
                for doc in linkable_documents(session, lead_id)
            ]

        run_read(self, fetch, self._show, group="lead-linkable")
        self.query_one("#win-documents").focus()

    def _show(self, found: list[tuple[LinkableDocument, str]]) -> None:
        from ...dates import format_date

        app = self.desk
        table = self.query_one("#win-documents", DataTable)
        table.clear()
        self.documents = [doc for doc, _label in found]
        for doc, status in found:
            table.add_row(
                cell(doc.label),
                cell(status),
                cell(format_date(doc.created_at, app.settings.locale)),
                money_cell(doc.total, app),
                key=str(doc.id),
            )
        empty = self.query_one("#win-empty", Static)
        empty.update(
            _(
                "This client has no work order or sale to link. Create it in Documents (F6), "
                "then mark the lead won."
            )
            if not found
            else ""
        )
        empty.display = not found
        self.query_one("#win-ok").display = bool(found)

    @on(DataTable.RowSelected, "#win-documents")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_confirm()

    def action_confirm(self) -> None:
        row = self.query_one("#win-documents", DataTable).cursor_row
        if not 0 <= row < len(self.documents):
            return
        lead_id, expected = self.lead.id, self.lead.version
        document_id = self.documents[row].id

        def win(session: Session, actor: Actor) -> LeadRecord:
            from ...domain.leads import mark_won

            return mark_won(session, actor, lead_id, document_id, expected)

        self.change(win, "lead-won")

    def show_refusal(self, exc: DomainError) -> None:
        """One line under the list: the refusals here are about the document."""
        message = (
            "; ".join(exc.errors.values()) if isinstance(exc, ValidationError) else exc.message
        )
        self.query_one("#err-document", FieldNote).update(line(message, limit=400))
