"""+ Client: the client form in a dialog; saving opens the new client's profile."""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from ...errors import DomainError, ValidationError
from ...i18n import _
from ..widgets.client_form import ClientFormView
from ..work import run_store
from .base import Dialog


class NewClientDialog(Dialog[int]):
    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(_("New client"), classes="dialog-title")
            yield ClientFormView(id="new-client-form")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Save") + " (ctrl+s)", id="save", variant="primary")
                yield Button(_("Cancel") + " (Esc)", id="cancel")

    def on_mount(self) -> None:
        from ...domain.clients import ClientForm

        form = self.query_one(ClientFormView)
        self._empty = form.set_form(ClientForm(name=""))
        self.query_one("#f-name").focus()

    def has_unsaved_edits(self) -> bool:
        form = self.query_one(ClientFormView).read_form()
        # the empty phone row the form offers is not something typed
        typed = tuple(p for p in form.phones if p.number.strip() or p.label.strip())
        return replace(form, phones=typed) != self._empty

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @on(ClientFormView.PhoneTyped)
    def _phone_typed(self, event: ClientFormView.PhoneTyped) -> None:
        from ..widgets.duplicates import warn_duplicate_phone

        warn_duplicate_phone(self.query_one(ClientFormView), event.number, None)

    def action_confirm(self) -> None:
        app = self.desk
        form = self.query_one(ClientFormView).read_form()
        actor, region = app.actor, app.settings.phone_region

        def create() -> int:
            from ...domain.clients import create_client

            assert actor is not None
            with app.store().write() as session:
                return create_client(session, actor, form, region).id

        run_store(self, create, self.dismiss, group="save-client", error=self._failed)

    def _failed(self, exc: DomainError) -> None:
        form = self.query_one(ClientFormView)
        if isinstance(exc, ValidationError):
            form.show_errors(exc.errors)
        else:
            form.show_errors({exc.field or "name": exc.message})
        self.notify(
            _("Nothing was saved: correct the marked fields."), severity="warning", markup=False
        )
