"""Leads: + Lead, the lead's profile (fields, status actions, result, status history), and
the two status dialogs that need more than a key: mark lost (a reason) and mark won (the
work order or sale the lead became)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Button, DataTable, Input, Select, Static, TextArea

from ...errors import DomainError, ValidationError
from ...i18n import N_, _
from ..app import StoreChanged
from ..safe import cell, line
from ..widgets.note import FieldNote
from ..work import run_store
from .base import Dialog
from .crm_common import (
    INPUT_CAP,
    active_employees,
    clear_errors,
    fit_column,
    form_row,
    merge_edits,
    money_cell,
    options,
    show_errors,
)
from .crm_common import when as fmt_when

if TYPE_CHECKING:
    from ...domain.leads import LeadForm, LeadRecord, LinkableDocument
    from ..app import RemApp

Employees = list[tuple[int, str]]


# --- the three fields both forms share ------------------------------------------------------


def lead_fields() -> ComposeResult:
    yield from form_row(
        "channel",
        _("Channel"),
        Input(
            id="f-channel",
            placeholder=_("How the client came: phone call, walk-in…"),
            max_length=INPUT_CAP,
            compact=True,
        ),
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
        description=root.query_one("#f-description", TextArea).text,
        channel=root.query_one("#f-channel", Input).value,
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
    root.query_one("#f-channel", Input).value = form.channel
    root.query_one("#f-description", TextArea).text = form.description
    set_employees(root, employees, form.responsible_id)


def _suggest(root: Any, channels: list[str]) -> None:
    root.query_one("#f-channel", Input).suggester = SuggestFromList(channels, case_sensitive=False)


# --- + Lead -------------------------------------------------------------------------------


class NewLeadDialog(Dialog[int]):
    HELP_TEXT = N_(
        "A new lead for this client: how the client came (channel; suggestions appear as "
        "you type, Right accepts one), what the client wants, and the employee responsible. "
        "ctrl+s saves; Escape closes without saving."
    )

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog crm-form", id="new-lead"):
            yield Static(_("New lead"), classes="dialog-title")
            yield from lead_fields()
            yield FieldNote("", id="err-general", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Save") + " (ctrl+s)", id="save", variant="primary", compact=True)
                yield Button(_("Cancel") + " (Esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        app: RemApp = self.app  # type: ignore[assignment]
        me = app.actor.id if app.actor else None

        def fetch() -> tuple[Employees, list[str]]:
            from ...domain.leads import channel_suggestions

            with app.store().read() as session:
                return active_employees(session), channel_suggestions()

        def show(found: tuple[Employees, list[str]]) -> None:
            employees, channels = found
            set_employees(self, employees, me)
            _suggest(self, channels)

        run_store(self, fetch, show, group="lead-employees")
        self.query_one("#f-channel").focus()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#f-channel")
    def _submitted(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        app: RemApp = self.app  # type: ignore[assignment]
        form = read_lead_form(self)
        actor, client_id = app.actor, self.client_id
        prefixes = app.settings.document_prefixes

        def create() -> LeadRecord:
            from ...domain.leads import create_lead

            assert actor is not None
            with app.store().write() as session:
                return create_lead(session, actor, client_id, form, prefixes=prefixes)

        run_store(self, create, self._created, group="lead-create", error=self._failed)

    def _created(self, record: LeadRecord) -> None:
        self.app.notify(_("Lead {number} created.").format(number=record.number), markup=False)
        self.dismiss(record.id)

    def _failed(self, exc: DomainError) -> None:
        errors = exc.errors if isinstance(exc, ValidationError) else {exc.field or "": exc.message}
        show_errors(self, errors, "general")
        self.notify(
            _("Nothing was saved: correct the marked fields."), severity="warning", markup=False
        )


# --- the lead's profile ---------------------------------------------------------------------


class LeadDialog(Dialog[bool]):
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

    def __init__(self, lead_id: int) -> None:
        super().__init__()
        self.lead_id = lead_id
        self.record: LeadRecord | None = None
        self.employees: Employees = []
        self.shown_form: LeadForm | None = None
        self._mine: LeadForm | None = None
        self._base: LeadForm | None = (
            None  # what the clerk had opened when editing  # the edits a stale save could not store
        )
        self.changed = False

    @property
    def rem(self) -> RemApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog crm-profile", id="lead-profile"):
            yield Static(_("Lead"), id="lead-title", classes="dialog-title crm-title")
            with VerticalScroll(classes="crm-scroll"):
                yield Static(_("Loading…"), id="lead-summary", classes="crm-summary")
                yield Static("", id="lead-meta", classes="crm-meta")
                yield FieldNote("", id="lead-notice", classes="crm-notice")
                yield from lead_fields()
                yield FieldNote("", id="err-status", classes="field-error crm-status-error")
                with Horizontal(classes="crm-buttons"):
                    yield Button(
                        _("Save") + " (ctrl+s)", id="lead-save", variant="primary", compact=True
                    )
                    yield Button(_("Start work") + " (w)", id="lead-start", compact=True)
                    yield Button(_("Won…") + " (o)", id="lead-won", compact=True)
                    yield Button(_("Lost…") + " (l)", id="lead-lost", compact=True)
                    yield Button(_("Close") + " (Esc)", id="lead-close", compact=True)
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
        for button in ("#lead-start", "#lead-won", "#lead-lost"):
            self.query_one(button).display = False
        self._load(focus=True)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        fit_column(self.query_one("#lead-history", DataTable), "note")

    # --- loading and showing ------------------------------------------------------------

    def _load(self, *, focus: bool = False, keep_edits: bool = False) -> None:
        app, lead_id = self.rem, self.lead_id

        def fetch() -> tuple[LeadRecord, Employees, list[str]]:
            from ...domain import leads

            with app.store().read() as session:
                record = leads.get_lead(session, lead_id)
                return (
                    record,
                    active_employees(session, keep=record.responsible_id),
                    leads.channel_suggestions(),
                )

        def show(found: tuple[LeadRecord, Employees, list[str]]) -> None:
            record, employees, channels = found
            _suggest(self, channels)
            self._show(record, employees, keep_edits=keep_edits)
            if focus:
                self._focus_first()

        run_store(self, fetch, show, group="lead-load")

    def _show(
        self, record: LeadRecord, employees: Employees | None = None, *, keep_edits: bool
    ) -> None:
        locale_when = fmt_when
        if employees is not None:
            self.employees = employees
        edits = read_lead_form(self) if keep_edits and self.has_unsaved_edits() else None
        self.record = record
        self.shown_form = record.as_form()
        set_lead_form(self, edits or self.shown_form, self.employees)
        title = _("Lead {number} · {client}").format(
            number=record.number, client=record.client_name
        )
        self.query_one("#lead-title", Static).update(line(title, limit=90))
        summary = _("Status: {status}").format(status=record.status_label)
        summary += "   " + _("Result: {result}").format(result=record.result or "—")
        self.query_one("#lead-summary", Static).update(line(summary, limit=300))
        meta = _("Created {when} by {who}.").format(
            when=locale_when(self.rem, record.created_at), who=record.created_by_name or "?"
        )
        if record.version > 1:
            meta += " " + _("Last changed {when} by {who}.").format(
                when=locale_when(self.rem, record.updated_at), who=record.updated_by_name or "?"
            )
        self.query_one("#lead-meta", Static).update(line(meta, limit=300))
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
                cell(locale_when(self.rem, change.at)),
                cell(change.employee_name or "?"),
                cell(moved),
                cell(change.note),
                key=str(change.id),
            )
        self.call_after_refresh(self._fit)
        self.refresh_bindings()

    def _focus_first(self) -> None:
        for button in ("#lead-start", "#lead-won", "#lead-lost"):
            widget = self.query_one(button)
            if widget.display:
                widget.focus()
                return
        self.query_one("#f-channel").focus()

    def _notice(self, text: str) -> None:
        self.query_one("#lead-notice", FieldNote).update(line(text, limit=400))

    def has_unsaved_edits(self) -> bool:
        return self.shown_form is not None and read_lead_form(self) != self.shown_form

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        record = self.record
        if action == "start_work":
            return record is not None and record.can_start_work
        if action == "mark_won":
            return record is not None and record.can_win
        if action == "mark_lost":
            return record is not None and record.can_lose
        if action == "restore":
            return self._mine is not None
        return True

    def on_store_changed(self, _event: StoreChanged) -> None:
        if self.record is None:
            return
        seen, app, lead_id = self.record.version, self.rem, self.lead_id

        def fetch() -> int:
            from ...domain.leads import lead_version

            with app.store().read() as session:
                return lead_version(session, lead_id)

        def compare(version: int) -> None:
            if version == seen or self.record is None or self.record.version != seen:
                return
            if self.has_unsaved_edits():
                self._notice(
                    _(
                        "Another employee changed this lead. Your edits are kept; saving "
                        "will tell you if theirs would be lost."
                    )
                )
            else:
                self._load()

        run_store(self, fetch, compare, group="lead-watch")

    # --- saving the fields --------------------------------------------------------------

    @on(Button.Pressed, "#lead-save")
    def _save_pressed(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#lead-close")
    def _close_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted, "#f-channel")
    def _submitted(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        if self.record is None:
            return
        if not self.has_unsaved_edits():
            self._notice(_("Nothing to save: no field was changed."))
            return
        form, expected = read_lead_form(self), self.record.version
        app, actor, lead_id = self.rem, self.rem.actor, self.lead_id

        def save() -> LeadRecord:
            from ...domain.leads import update_lead

            assert actor is not None
            with app.store().write() as session:
                return update_lead(session, actor, lead_id, form, expected)

        run_store(self, save, self._saved, group="lead-save", error=self._failed)

    def _saved(self, record: LeadRecord) -> None:
        clear_errors(self)
        self._mine = None
        self.changed = True
        self._show(record, keep_edits=False)
        self._notice(_("Saved."))

    def _failed(self, exc: DomainError) -> None:
        from ...domain.leads import StaleLead

        if isinstance(exc, StaleLead):
            self._stale(exc)
            return
        errors = exc.errors if isinstance(exc, ValidationError) else {exc.field or "": exc.message}
        show_errors(self, errors, "status")
        self._notice(_("Nothing was saved: correct the marked fields."))

    def _stale(self, exc: Any) -> None:
        """Someone saved the lead after this copy was read: show it as it is now."""
        current: LeadRecord = exc.current
        clear_errors(self)
        who, at = current.updated_by_name or "?", fmt_when(self.rem, current.updated_at)
        if exc.mine is not None:
            self._mine, self._base = exc.mine, self.shown_form
            text = _(
                "Not saved: {who} changed this lead at {when}. Their version is shown now; "
                "ctrl+r puts back your edits (then save again)."
            ).format(who=who, when=at)
        else:
            text = _(
                "Not done: {who} changed this lead at {when}. It is shown as it is now; "
                "check it and try again."
            ).format(who=who, when=at)
        self._load(keep_edits=exc.mine is None)
        self._notice(text)
        self.notify(text, severity="warning", markup=False)

    def action_restore(self) -> None:
        if self._mine is not None and self._base is not None and self.shown_form is not None:
            set_lead_form(
                self, merge_edits(self._base, self._mine, self.shown_form), self.employees
            )
            self._mine = None
            self._notice(_("Your edits are back: ctrl+s saves them over the current version."))
            self.refresh_bindings()

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
        app, actor, lead_id, expected = self.rem, self.rem.actor, self.lead_id, self.record.version

        def start() -> LeadRecord:
            from ...domain.leads import start_work

            assert actor is not None
            with app.store().write() as session:
                return start_work(session, actor, lead_id, expected)

        run_store(self, start, self._status_changed, group="lead-status", error=self._failed)

    def action_mark_won(self) -> None:
        if self.record is not None and self.record.can_win:
            self.app.push_screen(WinDialog(self.record), self._status_dialog_done)

    def action_mark_lost(self) -> None:
        if self.record is not None and self.record.can_lose:
            self.app.push_screen(LostDialog(self.record), self._status_dialog_done)

    def _status_dialog_done(self, result: object) -> None:
        from ...domain.leads import LeadRecord, StaleLead

        if isinstance(result, StaleLead):
            self._stale(result)
        elif isinstance(result, LeadRecord):
            self._status_changed(result)

    def _status_changed(self, record: LeadRecord) -> None:
        self.changed = True
        self.query_one("#err-status", FieldNote).update("")
        self._show(record, keep_edits=True)
        self._notice(_("The lead is now {status}.").format(status=record.status_label))
        self._focus_first()

    def action_cancel(self) -> None:
        if not self.has_unsaved_edits():
            self.dismiss(self.changed)
            return
        from .confirm import ConfirmDialog

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(self.changed)

        self.app.push_screen(
            ConfirmDialog(
                _("Unsaved changes"),
                _("This lead has edits that are not saved. Close without saving?"),
                yes=_("Close"),
                no=_("Stay"),
            ),
            answered,
        )


# --- mark lost ------------------------------------------------------------------------------


class LostDialog(Dialog[object]):
    """Marks the lead lost; dismisses with the lead as it is now, or StaleLead."""

    HELP_TEXT = N_(
        "Why the lead was lost: choose a reason (Enter opens the list). A note is optional, "
        'except for "Other", which needs one. ctrl+s marks the lead lost; it cannot be '
        "undone."
    )

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
                Input(
                    id="f-lost_note",
                    placeholder=_('Why? (needed for "Other")'),
                    max_length=INPUT_CAP,
                    compact=True,
                ),
            )
            yield FieldNote("", id="err-general", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    _("Mark lost") + " (ctrl+s)", id="lost-ok", variant="warning", compact=True
                )
                yield Button(_("Cancel") + " (Esc)", id="lost-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#f-lost_reason").focus()

    @on(Button.Pressed, "#lost-ok")
    @on(Input.Submitted, "#f-lost_note")
    def _ok(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#lost-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    def action_confirm(self) -> None:
        app: RemApp = self.app  # type: ignore[assignment]
        reason = self.query_one("#f-lost_reason", Select).selection
        note = self.query_one("#f-lost_note", Input).value
        actor, lead_id, expected = app.actor, self.lead.id, self.lead.version

        def lose() -> LeadRecord:
            from ...domain.leads import mark_lost

            assert actor is not None
            with app.store().write() as session:
                return mark_lost(session, actor, lead_id, str(reason or ""), expected, note)

        run_store(self, lose, self.dismiss, group="lead-lost", error=self._failed)

    def _failed(self, exc: DomainError) -> None:
        from ...domain.leads import StaleLead

        if isinstance(exc, StaleLead):
            self.dismiss(exc)
            return
        errors = exc.errors if isinstance(exc, ValidationError) else {exc.field or "": exc.message}
        show_errors(self, errors, "general")


# --- mark won -------------------------------------------------------------------------------


class WinDialog(Dialog[object]):
    """Links the work order or sale the lead became; dismisses with the lead as it is now,
    or StaleLead."""

    HELP_TEXT = N_(
        "A lead is won by the work order or sale it became. Choose it in the list (the "
        "client's work orders and sales that are not cancelled and not the result of another "
        "lead) and press Enter. To link a new one, create it in Documents (F6) first."
    )

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
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    _("Link and mark won") + " (Enter)",
                    id="win-ok",
                    variant="primary",
                    compact=True,
                )
                yield Button(_("Cancel") + " (Esc)", id="win-cancel", compact=True)

    def on_mount(self) -> None:
        app: RemApp = self.app  # type: ignore[assignment]
        lead_id = self.lead.id

        def fetch() -> list[tuple[LinkableDocument, str]]:
            from ...domain.leads import linkable_documents
            from .crm_common import document_status_label

            with app.store().read() as session:
                return [
                    (doc, document_status_label(doc.status))
                    for doc in linkable_documents(session, lead_id)
                ]

        run_store(self, fetch, self._show, group="lead-linkable")
        self.query_one("#win-documents").focus()

    def _show(self, found: list[tuple[LinkableDocument, str]]) -> None:
        from ...dates import format_date

        app: RemApp = self.app  # type: ignore[assignment]
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

    @on(Button.Pressed, "#win-ok")
    def _ok(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#win-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    def action_confirm(self) -> None:
        row = self.query_one("#win-documents", DataTable).cursor_row
        if not 0 <= row < len(self.documents):
            return
        app: RemApp = self.app  # type: ignore[assignment]
        actor, lead_id, expected = app.actor, self.lead.id, self.lead.version
        document_id = self.documents[row].id

        def win() -> LeadRecord:
            from ...domain.leads import mark_won

            assert actor is not None
            with app.store().write() as session:
                return mark_won(session, actor, lead_id, document_id, expected)

        run_store(self, win, self.dismiss, group="lead-won", error=self._failed)

    def _failed(self, exc: DomainError) -> None:
        from ...domain.leads import StaleLead

        if isinstance(exc, StaleLead):
            self.dismiss(exc)
            return
        message = (
            "; ".join(exc.errors.values()) if isinstance(exc, ValidationError) else exc.message
        )
        self.query_one("#err-document", FieldNote).update(line(message, limit=400))
