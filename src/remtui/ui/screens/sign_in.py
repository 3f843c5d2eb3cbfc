"""Sign in: login and password; hashing runs in a worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.widgets import Button, Input, Label, Static

from ...i18n import N_, _
from ..keys import ENTER_NEXT, keep_what_was_entered
from ..safe import line
from ..widgets.footer import FitFooter
from ..widgets.note import FieldNote
from ..work import run_store
from .base import BaseScreen

if TYPE_CHECKING:
    from ...domain.staff import SignIn


class SignInScreen(BaseScreen):
    HELP_TEXT = N_(
        "Sign in with your employee login and password. After five wrong passwords the "
        "login is locked for five minutes."
    )

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="sign-in", classes="card"):
            yield Static("remtui", classes="card-title")
            yield Static(_("Sign in"), classes="card-subtitle")
            yield Label(_("Login"))
            yield Input(id="login", classes=ENTER_NEXT, max_length=64)
            yield Label(_("Password"))
            yield Input(id="password", password=True, max_length=256)
            yield FieldNote("", id="sign-in-error", classes="field-error")
            yield Button(_("Sign in"), id="submit", variant="primary")
        yield FitFooter()

    def on_mount(self) -> None:
        self.query_one("#login", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        keep_what_was_entered(event)  # from the password; Enter in the login moves on
        self._submit()

    def on_button_pressed(self, _event: Button.Pressed) -> None:
        self._submit()

    def _submit(self) -> None:
        login = self.query_one("#login", Input).value
        password = self.query_one("#password", Input).value
        error = self.query_one("#sign-in-error", Static)
        if not login.strip() or not password:
            error.update(_("Enter your login and password."))
            return
        error.update(_("Checking…"))
        self.query_one("#submit", Button).disabled = True

        def check() -> SignIn:
            from ...domain import staff

            with self.desk.store().write() as session:
                return staff.sign_in(session, login, password)

        run_store(self, check, self._done, group="sign-in", error=self._failed)

    def _failed(self, exc: Exception) -> None:
        self.query_one("#submit", Button).disabled = False
        self.query_one("#sign-in-error", Static).update(line(str(exc)))

    def _done(self, result: SignIn) -> None:
        self.query_one("#submit", Button).disabled = False
        if result.actor is None:
            self.query_one("#sign-in-error", Static).update(line(result.error))
            password = self.query_one("#password", Input)
            password.value = ""
            password.focus()
            return
        self.desk.actor = result.actor
        for field in self.query(Input):
            field.value = ""  # this screen stays under the clients screen
        self.desk.show_clients()
