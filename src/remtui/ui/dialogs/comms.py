"""Communications dialogs: log a call by hand, write an SMS, start a chat."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from ...errors import DomainError, ValidationError
from ...i18n import N_, _, ngettext
from ...safetext import safe_text
from ..safe import fill, line
from ..widgets.note import FieldNote
from ..work import run_store
from .base import Dialog

if TYPE_CHECKING:
    from ...domain.calls import CallRow
    from ...domain.chats import ChatSummary
    from ...domain.clients import ClientRecord
    from ...domain.sms import SmsNumber, SmsRow


def _row(label: str, *widgets: Any, classes: str = "form-row") -> Horizontal:
    return Horizontal(Label(label, classes="form-label"), *widgets, classes=classes)


class _FormDialog(Dialog[Any]):
    """Field errors under the fields; a refusal without a field as a notification."""

    FIELDS: tuple[str, ...] = ()

    def _clear_errors(self) -> None:
        for name in self.FIELDS:
            self.query_one(f"#err-{name}", FieldNote).update("")

    def _failed(self, exc: DomainError) -> None:
        errors = exc.errors if isinstance(exc, ValidationError) else {exc.field or "": exc.message}
        shown = False
        for field, message in errors.items():
            found = self.query(f"#err-{field}") if field in self.FIELDS else None
            if found:
                note = found.first(FieldNote)
                note.update(line(message, limit=300))
                if not shown:
                    self._focus_field_of(note)
                shown = True
            else:
                self.notify(message, severity="error", markup=False)
        if shown:
            self.notify(
                _("Nothing was saved: correct the marked fields."),
                severity="warning",
                markup=False,
            )

    def _focus_field_of(self, note: FieldNote) -> None:
        """Put the clerk in the field a message is about: the row just above it."""
        assert note.parent is not None
        siblings = list(note.parent.children)
        above = siblings[siblings.index(note) - 1] if siblings.index(note) > 0 else None
        if above is not None:
            for widget in above.query("Input, Select, TextArea"):
                self.set_focus(widget)
                return

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_confirm()


class LogCallDialog(_FormDialog):
    ENTER_CONFIRMS = True
    HELP_TEXT = N_(
        "Log a call by hand: its type, the number (empty means the client's first phone), "
        "how long it lasted (seconds or minutes:seconds, e.g. 2:05) and, if there is one, "
        "where its recording is (an http(s) address or a file path on the server; anything "
        "else is kept as plain text). ctrl+s or Enter saves, Escape closes."
    )
    FIELDS = ("direction", "number", "duration", "at")

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id

    def compose(self) -> ComposeResult:
        from ...domain.calls import KINDS, kind_label

        with Vertical(classes="dialog comms-dialog"):
            yield Static(_("Log a call"), classes="dialog-title")
            yield _row(
                _("Type"),
                Select(
                    [(kind_label(k), k) for k in KINDS],
                    allow_blank=False,
                    value="incoming",
                    id="call-kind",
                    compact=True,
                ),
            )
            yield FieldNote("", id="err-direction", classes="field-error")
            yield _row(
                _("Number"),
                Input(
                    id="call-number",
                    compact=True,
                    max_length=40,
                    placeholder=_("empty: the client's first phone"),
                ),
            )
            yield FieldNote("", id="err-number", classes="field-error")
            yield _row(
                _("Duration"),
                Input(id="call-duration", compact=True, max_length=12, placeholder="2:05"),
            )
            yield FieldNote("", id="err-duration", classes="field-error")
            yield _row(
                _("Recording"),
                Input(
                    id="call-recording",
                    compact=True,
                    max_length=2000,
                    placeholder=_("https://… or a file path (optional)"),
                ),
            )
            yield FieldNote("", id="err-at", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Save") + " (ctrl+s)", id="save", variant="primary")
                yield Button(_("Cancel") + " (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#call-kind").focus()
        app, client_id = self.desk, self.client_id

        def fetch() -> ClientRecord:
            from ...domain.clients import get_client

            with app.store().read() as session:
                return get_client(session, client_id)

        run_store(self, fetch, self._prefill, group="call-client")

    def _prefill(self, record: ClientRecord) -> None:
        from ...domain.phones import display

        number = self.query_one("#call-number", Input)
        if record.phones and not number.value:
            fill(number, display(record.phones[0].e164))

    def action_confirm(self) -> None:
        app, actor, client_id = self.desk, self.desk.actor, self.client_id
        kind = self.query_one("#call-kind", Select).value
        number = self.query_one("#call-number", Input).value
        duration = self.query_one("#call-duration", Input).value
        recording = self.query_one("#call-recording", Input).value
        region = app.settings.phone_region
        self._clear_errors()

        def save() -> CallRow:
            from ...domain.calls import log_call

            assert actor is not None
            with app.store().write() as session:
                return log_call(
                    session,
                    actor,
                    client_id,
                    direction=str(kind),
                    number=number,
                    duration=duration,
                    recording=recording,
                    region=region,
                )

        run_store(self, save, self.dismiss, group="call-save", error=self._failed)


def count_text(text: str) -> tuple[str, bool]:
    """The composer's live count: "N characters · M segments · GSM-7", and whether the
    text is over the limit."""
    from ...domain.sms import MAX_SEGMENTS, segments
    from ...safetext import clean_input

    count = segments(clean_input(text))
    parts = [
        ngettext("{n} character", "{n} characters", count.chars).format(n=count.chars),
        ngettext("{n} segment", "{n} segments", count.segments).format(n=count.segments),
        count.encoding,
    ]
    over = count.segments > MAX_SEGMENTS
    if over:
        parts.append(_("too long: at most {n} parts").format(n=MAX_SEGMENTS))
    return " · ".join(parts), over


class SmsComposer(_FormDialog):
    HELP_TEXT = N_(
        "Write an SMS to the client: choose the number (those marked for notifications come "
        "first), write the text and send it with ctrl+s. The count shows the characters, how "
        "many SMS segments the text takes (160 characters in one, 153 each when longer; 70 "
        "and 67 when the text has characters outside GSM-7, such as emoji) and the "
        "encoding. The SMS is queued and handed to the shop's SMS gateway."
    )
    FIELDS = ("number", "text")

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id
        self.numbers: list[SmsNumber] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog comms-dialog sms-composer"):
            yield Static(_("New SMS"), classes="dialog-title")
            yield _row(
                _("Send to"),
                Select([], prompt=_("Loading…"), id="sms-number", compact=True),
            )
            yield FieldNote("", id="err-number", classes="field-error")
            yield TextArea(id="sms-text", compact=True, placeholder=_("Text of the SMS"))
            yield Static("", id="sms-count", classes="sms-count")
            yield FieldNote("", id="err-text", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Send") + " (ctrl+s)", id="save", variant="primary")
                yield Button(_("Cancel") + " (Esc)", id="cancel")

    def on_mount(self) -> None:
        self._count()
        self.query_one("#sms-text").focus()
        app, client_id = self.desk, self.client_id

        def fetch() -> list[SmsNumber]:
            from ...domain.sms import client_numbers_for_sms

            with app.store().read() as session:
                return client_numbers_for_sms(session, client_id)

        run_store(self, fetch, self._numbers, group="sms-numbers")

    def _numbers(self, numbers: list[SmsNumber]) -> None:
        self.numbers = numbers
        select: Select[str] = self.query_one("#sms-number", Select)
        options = []
        for number in numbers:
            label = number.display
            if number.label:
                label += " · " + number.label
            if number.notify:
                label += " · " + _("for notifications")
            elif not number.mobile:
                label += " · " + _("may not take SMS")
            options.append((Text(safe_text(label, single_line=True, limit=60)), number.e164))
        if options:
            select.set_options(options)
            select.value = numbers[0].e164
        else:
            select.prompt = "—"
            select.set_options([])
            self.query_one("#err-number", FieldNote).update(
                line(_("This client has no phone number: add one in General first."))
            )

    def has_unsaved_edits(self) -> bool:
        return bool(self.query_one("#sms-text", TextArea).text.strip())

    @on(TextArea.Changed, "#sms-text")
    def _count(self) -> None:
        text, over = count_text(self.query_one("#sms-text", TextArea).text)
        counter = self.query_one("#sms-count", Static)
        counter.update(line(text))
        counter.set_class(over, "over")

    def action_confirm(self) -> None:
        app, actor, client_id = self.desk, self.desk.actor, self.client_id
        value = self.query_one("#sms-number", Select).value
        number = value if isinstance(value, str) else ""
        text = self.query_one("#sms-text", TextArea).text
        self._clear_errors()

        def queue() -> SmsRow:
            from ...domain.sms import queue_sms

            assert actor is not None
            with app.store().write() as session:
                return queue_sms(session, actor, client_id, number, text)

        run_store(self, queue, self.dismiss, group="sms-queue", error=self._failed)


class NewChatDialog(_FormDialog):
    ENTER_CONFIRMS = True
    HELP_TEXT = N_(
        "Start a chat with the client: choose the channel and write the first message. "
        "Enter or ctrl+s starts it; Escape closes without starting."
    )
    FIELDS = ("channel", "text")

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id

    def compose(self) -> ComposeResult:
        from ...domain.chats import channels

        with Vertical(classes="dialog comms-dialog"):
            yield Static(_("+ Chat"), classes="dialog-title")
            yield _row(
                _("Channel"),
                Select(
                    [(label, value) for value, label in channels()],
                    allow_blank=False,
                    id="chat-channel",
                    compact=True,
                ),
            )
            yield FieldNote("", id="err-channel", classes="field-error")
            yield _row(
                _("First message"),
                Input(id="chat-first", compact=True, placeholder=_("Write the first message")),
            )
            yield FieldNote("", id="err-text", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Start the chat") + " (ctrl+s)", id="save", variant="primary")
                yield Button(_("Cancel") + " (Esc)", id="cancel")

    def on_mount(self) -> None:
        # The message first: typed at once, it is what the clerk came to write (the
        # channel has a default, and a space typed into the drop-down would open it).
        self.query_one("#chat-first").focus()

    def has_unsaved_edits(self) -> bool:
        return bool(self.query_one("#chat-first", Input).value.strip())

    def action_confirm(self) -> None:
        app, actor, client_id = self.desk, self.desk.actor, self.client_id
        value = self.query_one("#chat-channel", Select).value
        channel = value if isinstance(value, str) else ""
        text = self.query_one("#chat-first", Input).value
        self._clear_errors()

        def start() -> ChatSummary:
            from ...domain.chats import start_chat

            assert actor is not None
            with app.store().write() as session:
                return start_chat(session, actor, client_id, channel, text)

        run_store(self, start, self.dismiss, group="chat-start", error=self._failed)
