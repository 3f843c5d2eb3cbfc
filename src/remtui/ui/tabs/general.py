"""General: every field of the client, validated, saved with optimistic concurrency."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from ...errors import DomainError, ValidationError
from ...i18n import N_, _
from ..safe import line
from ..widgets.client_form import ClientFormView
from ..widgets.note import FieldNote
from ..work import run_store
from .base import ProfileChanged, ProfileTab

if TYPE_CHECKING:
    from ...domain.clients import ClientForm, ClientRecord


class GeneralTab(ProfileTab):
    HELP_TEXT = ClientFormView.HELP_TEXT
    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="general.save"),
        Binding("ctrl+r", "revert", N_("Undo edits"), id="general.revert"),
    ]

    def __init__(self, client_id: int) -> None:
        super().__init__(client_id, id="general")
        self.record: ClientRecord | None = None
        self.shown_form: ClientForm | None = None

    def compose(self) -> ComposeResult:
        yield ClientFormView(id="general-form")
        yield FieldNote("", id="general-notice", classes="field-warning")
        with Horizontal(classes="button-row"):
            yield Button(
                _("Save") + " (ctrl+s)", id="general-save", variant="primary", compact=True
            )
            yield Button(_("Undo edits") + " (ctrl+r)", id="general-revert", compact=True)

    def _can_edit(self) -> bool:
        from ...permissions import Perm

        actor = self.desk.actor
        return actor is not None and actor.can(Perm.EDIT_CLIENTS)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "revert"):
            return self._can_edit()
        return True

    def reload(self) -> None:
        client_id = self.client_id

        def fetch() -> ClientRecord:
            from ...domain.clients import get_client

            with self.desk.store().read() as session:
                return get_client(session, client_id)

        run_store(self, fetch, self._loaded, group="general-load")

    def _loaded(self, record: ClientRecord) -> None:
        form = self.query_one(ClientFormView)
        if self.shown_form is not None and self.has_unsaved_edits():
            if self.record is None or record.version != self.record.version:
                self.query_one("#general-notice", Static).update(
                    line(
                        _(
                            "Another employee changed this client. Your edits are kept; saving "
                            "will show both versions."
                        )
                    )
                )
            return
        self.record = record
        # What the form reads back (hidden characters shown as symbols come back out):
        # so a stored name with controls is not an "unsaved edit", and saving cleans it.
        self.shown_form = form.set_form(record.as_form())
        self.query_one("#general-notice", Static).update("")
        editable = self._can_edit()
        for widget in form.query("Input, Select, TextArea, Checkbox, Button"):
            widget.disabled = not editable
        self.query_one("#general-save", Button).display = editable
        self.query_one("#general-revert", Button).display = editable
        if not editable:
            self.query_one("#general-notice", Static).update(
                line(_("You may see this client but not change it."))
            )

    def has_unsaved_edits(self) -> bool:
        if self.shown_form is None:
            return False
        return self.query_one(ClientFormView).read_form() != self.shown_form

    def store_changed(self) -> None:
        if self.loaded:
            self.reload()

    @on(Button.Pressed, "#general-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#general-revert")
    def _revert_pressed(self) -> None:
        self.action_revert()

    @on(ClientFormView.PhoneTyped)
    def _phone_typed(self, event: ClientFormView.PhoneTyped) -> None:
        from ..widgets.duplicates import warn_duplicate_phone

        warn_duplicate_phone(self.query_one(ClientFormView), event.number, self.client_id)

    def action_revert(self) -> None:
        if self.record is not None:
            self.shown_form = None
            self._loaded(self.record)

    def action_save(self, version: int | None = None) -> None:
        if self.record is None or not self._can_edit():
            return
        form = self.query_one(ClientFormView).read_form()
        if version is None and form == self.shown_form == self.record.as_form():
            # Saving an unchanged form would write a version and an audit row for nothing
            # (and make another clerk's next save look stale). A form that shows stored
            # hidden characters as symbols still saves: that stores the cleaned text.
            self.notify(_("Nothing to save: no field was changed."), markup=False)
            return
        expected = version if version is not None else self.record.version
        app, client_id, actor = self.desk, self.client_id, self.desk.actor
        region = app.settings.phone_region

        def save() -> Any:
            from ...domain import clients, staff

            assert actor is not None
            try:
                with app.store().write() as session:
                    return clients.update_client(session, actor, client_id, expected, form, region)
            except clients.StaleEdit as stale:
                with app.store().read() as session:
                    who = staff.employee_name(session, stale.theirs.updated_by)
                return stale, who

        run_store(self, save, self._saved, group="general-save", error=self._failed)

    def _saved(self, result: Any) -> None:
        from ...domain.clients import StaleEdit

        if isinstance(result, tuple) and isinstance(result[0], StaleEdit):
            self._conflict(*result)
            return
        self.shown_form = None
        self._loaded(result)
        self.notify(_("Saved."), markup=False)
        self.screen.post_message(ProfileChanged())

    def _failed(self, exc: DomainError) -> None:
        form = self.query_one(ClientFormView)
        form.show_errors(
            exc.errors if isinstance(exc, ValidationError) else {exc.field or "name": exc.message}
        )
        self.notify(
            _("Nothing was saved: correct the marked fields."), severity="warning", markup=False
        )

    def _conflict(self, stale: Any, who: str) -> None:
        from ...dates import format_datetime
        from ..dialogs.conflict import ConflictDialog

        theirs = stale.theirs
        when = format_datetime(theirs.updated_at, self.desk.settings.locale)

        def chosen(choice: str | None) -> None:
            if choice == "mine":
                self.record = theirs
                self.action_save(version=theirs.version)
            elif choice == "theirs":
                self.shown_form = None
                self._loaded(theirs)
                self.notify(_("Their version is shown; your edits were dropped."), markup=False)
            else:
                self.query_one("#general-notice", Static).update(
                    line(_("Not saved. Saving again will compare the versions again."))
                )

        self.app.push_screen(ConflictDialog(stale.mine, theirs, who or "?", when), chosen)

    def first_focus(self) -> Widget:
        return self.query_one("#f-name", Input)
