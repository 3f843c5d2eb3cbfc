"""+ Correction: move the balance with a reason, previewing the result as the clerk types."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioSet, Static

from ...errors import DomainError, ValidationError
from ...i18n import N_, _
from ..keys import ENTER_NEXT
from ..safe import line
from ..widgets.balance import badge
from ..widgets.check import Radio
from ..widgets.note import FieldNote
from ..work import run_store
from .base import Dialog

DIRECTIONS = ("owes_more", "we_owe_more", "set_to")


class CorrectionDialog(Dialog[bool]):
    ENTER_CONFIRMS = True
    BINDINGS = [
        # One key from the amount: the direction is the one choice made on every correction.
        Binding("down", "direction(1)", N_("Next direction"), id="correction.next_direction"),
        Binding("up", "direction(-1)", N_("Previous direction"), id="correction.previous"),
    ]
    HELP_TEXT = N_(
        "Correct the balance: choose whether the client owes us more, we owe the client "
        "more, or set the balance to an amount (which may be zero or negative: negative "
        "means we owe the client). The reason is required. Corrections are new entries: "
        "nothing that was saved is changed."
    )

    def __init__(self, client_id: int, current: int) -> None:
        super().__init__()
        self.client_id = client_id
        self.current = current

    def _now(self) -> Text:
        from ...domain.ledger import Balance, state_of

        return Text.assemble(
            _("Now") + ": ",
            badge(Balance(self.current, state_of(self.current)), self.desk.settings),
        )

    def compose(self) -> ComposeResult:
        from ...domain.corrections import direction_choices

        with Vertical(classes="dialog", id="correction"):
            yield Static(_("Balance correction"), classes="dialog-title")
            yield Static(self._now(), id="correction-now")
            with RadioSet(id="c-direction"):
                for index, (value, label) in enumerate(direction_choices()):
                    yield Radio(label, value=index == 0, name=value)
            yield FieldNote("", id="err-direction", classes="field-error")
            with Horizontal(classes="form-row"):
                yield Label(_("Amount"), classes="form-label")
                yield Input(
                    id="c-amount",
                    classes=ENTER_NEXT,
                    compact=True,
                    max_length=20,
                    placeholder=_("e.g. 12,50 · ↑↓ direction"),
                )
            yield FieldNote("", id="err-amount", classes="field-error")
            with Horizontal(classes="form-row"):
                yield Label(_("Reason"), classes="form-label")
                yield Input(id="c-reason", compact=True, max_length=500)
            yield FieldNote("", id="err-reason", classes="field-error")
            yield Static("", id="correction-preview")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Save") + " (ctrl+s)", id="save", variant="primary")
                yield Button(_("Cancel") + " (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#c-amount", Input).focus()
        self._preview()

    def action_direction(self, step: int) -> None:
        """Down/Up pick the next or previous direction without leaving the field."""
        buttons = list(self.query(Radio))
        pressed = self.query_one(RadioSet).pressed_index
        buttons[(max(pressed, 0) + step) % len(buttons)].value = True

    def has_unsaved_edits(self) -> bool:
        return any(self.query_one(f"#c-{n}", Input).value.strip() for n in ("amount", "reason"))

    def _direction(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else DIRECTIONS[0]

    @on(Input.Changed)
    @on(RadioSet.Changed)
    def _preview(self) -> None:
        self._show_preview(update_note=True)

    def _show_preview(self, *, update_note: bool) -> None:
        """The "After the correction" line; ``update_note`` also says under the amount
        whether it can be read (off when a message from saving must stay)."""
        from ...domain.corrections import parse_correction_amount, preview
        from ...domain.ledger import Balance, state_of

        settings = self.desk.settings
        shown = self.query_one("#correction-preview", Static)
        note = self.query_one("#err-amount", FieldNote)
        text = self.query_one("#c-amount", Input).value
        if not text.strip():
            shown.update("")
            if update_note:
                note.update("")
            return
        try:
            amount = parse_correction_amount(
                text, self._direction(), settings.currency, settings.locale
            )
        except DomainError as exc:
            shown.update("")
            if update_note:
                note.update(line(exc.message))
            return
        if update_note:
            note.update("")
        after = preview(self.current, self._direction(), amount)
        shown.update(
            Text.assemble(
                _("After the correction") + ": ", badge(Balance(after, state_of(after)), settings)
            )
        )

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(False)

    def action_confirm(self) -> None:
        app, client_id, current = self.desk, self.client_id, self.current
        settings, actor = app.settings, app.actor
        direction = self._direction()
        amount_text = self.query_one("#c-amount", Input).value
        reason = self.query_one("#c-reason", Input).value
        for name in ("direction", "amount", "reason"):
            self.query_one(f"#err-{name}", FieldNote).update("")

        def save() -> object:
            from ...domain.corrections import add_correction, parse_correction_amount

            assert actor is not None
            errors: dict[str, str] = {}
            amount = 0
            try:
                amount = parse_correction_amount(
                    amount_text, direction, settings.currency, settings.locale
                )
            except DomainError as exc:
                errors["amount"] = exc.message
            if not reason.strip():
                errors["reason"] = _("Say why the balance is corrected.")
            if errors:
                raise ValidationError(errors)
            with app.store().write() as session:
                return add_correction(
                    session,
                    actor,
                    client_id,
                    direction=direction,
                    amount=amount,
                    reason=reason,
                    expected_balance=current,
                )

        run_store(
            self, save, lambda _result: self.dismiss(True), group="correction", error=self._failed
        )

    def _failed(self, exc: DomainError) -> None:
        if not isinstance(exc, ValidationError):
            # Saving got as far as the balance: when another clerk changed it meanwhile the
            # domain refuses (once). Show the balance as it is now and expect that one, so
            # the next confirm, made knowing the new figure, saves.
            self._reload_balance()
        errors = (
            exc.errors if isinstance(exc, ValidationError) else {exc.field or "amount": exc.message}
        )
        first = None
        for name, message in errors.items():
            target = self.query(f"#err-{name}")
            if target:
                target.first(FieldNote).update(line(message))
                first = first or name
            else:
                self.app.notify(message, severity="error", markup=False)
        if first in ("amount", "reason"):
            self.query_one(f"#c-{first}", Input).focus()

    def _reload_balance(self) -> None:
        app, client_id = self.desk, self.client_id

        def fetch() -> int:
            from ...domain.ledger import balance

            with app.store().read() as session:
                return balance(session, client_id)

        run_store(self, fetch, self._balance_loaded, group="correction-balance")

    def _balance_loaded(self, current: int) -> None:
        if current == self.current:
            return
        self.current = current
        self.query_one("#correction-now", Static).update(self._now())
        self._show_preview(update_note=False)
