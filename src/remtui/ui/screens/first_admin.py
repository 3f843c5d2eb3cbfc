"""First start on an empty store: create the administrator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.widgets import Button, Input, Label, Static

from ...errors import DomainError
from ...i18n import N_, _
from ..keys import ENTER_NEXT, keep_what_was_entered
from ..safe import line
from ..widgets.footer import FitFooter
from ..widgets.note import FieldNote
from ..work import run_store
from .base import BaseScreen

if TYPE_CHECKING:
    from ...domain.staff import Actor

FIELDS = ("login", "name", "password", "repeat")


class FirstAdminScreen(BaseScreen):
    HELP_TEXT = N_(
        "This store has no employees yet. Create the administrator: the employee who can "
        "add the other employees and set what each role may do."
    )

    def compose(self) -> ComposeResult:
        # One-line fields, so the whole card and its button fit on an 80x24 terminal.
        with Center(), Vertical(id="first-admin", classes="card"):
            yield Static("remtui", classes="card-title")
            yield Static(_("Create the administrator"), classes="card-subtitle")
            yield Label(_("Login"))
            yield Input(id="login", classes=ENTER_NEXT, max_length=64, compact=True)
            yield FieldNote("", id="login-error", classes="field-error")
            yield Label(_("Full name"))
            yield Input(id="name", classes=ENTER_NEXT, max_length=200, compact=True)
            yield FieldNote("", id="name-error", classes="field-error")
            yield Label(_("Password (at least 8 characters)"))
            yield Input(
                id="password", classes=ENTER_NEXT, password=True, max_length=256, compact=True
            )
            yield FieldNote("", id="password-error", classes="field-error")
            yield Label(_("Repeat the password"))
            yield Input(id="repeat", password=True, max_length=256, compact=True)
            yield FieldNote("", id="repeat-error", classes="field-error")
            yield Button(_("Create and sign in"), id="submit", variant="primary")
        yield FitFooter()

    def on_mount(self) -> None:
        self.query_one("#login", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        keep_what_was_entered(event)  # from the last field; Enter in the others moves on
        self._submit()

    def on_button_pressed(self, _event: Button.Pressed) -> None:
        self._submit()

    def _values(self) -> dict[str, str]:
        return {f: self.query_one(f"#{f}", Input).value for f in FIELDS}

    def _submit(self) -> None:
        values = self._values()
        for f in FIELDS:
            self.query_one(f"#{f}-error", Static).update("")
        if values["password"] != values["repeat"]:
            self.query_one("#repeat-error", Static).update(_("The passwords differ."))
            return

        def create() -> Actor:
            from ...domain import staff

            with self.desk.store().write() as session:
                return staff.create_first_admin(
                    session, values["login"], values["name"], values["password"]
                )

        run_store(self, create, self._done, group="first-admin", error=self._failed)

    def _failed(self, exc: DomainError) -> None:
        target = exc.field if exc.field in FIELDS else "login"
        self.query_one(f"#{target}-error", Static).update(line(exc.message))
        self.query_one(f"#{target}", Input).focus()

    def _done(self, actor: Actor) -> None:
        self.desk.actor = actor
        self.desk.show_clients()
