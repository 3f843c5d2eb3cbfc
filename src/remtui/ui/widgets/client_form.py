"""Every field of the client form, with a message next to each wrong field."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from ...i18n import N_, _
from ...safetext import has_hidden
from ..safe import (
    CONTROLS_NOTE,
    controls_note,
    field_text,
    fill,
    line,
    read_back,
    shown_class,
    value_of,
)
from .check import Check
from .note import FieldNote

if TYPE_CHECKING:
    from ...domain.clients import ClientForm

SOURCES = (
    N_("Walk-in"),
    N_("Returning client"),
    N_("Recommendation"),
    N_("Google"),
    N_("Facebook"),
    N_("Instagram"),
    N_("Website"),
    N_("Other"),
)
TEXT_FIELDS = ("name", "email", "address", "company_name", "tax_id", "discount", "marketing_source")
MAX_PHONES = 10


class PhoneRow(Horizontal):
    """One phone: number, optional label, "SMS" (use for notifications), remove."""

    def __init__(self, index: int, number: str = "", label: str = "", notify: bool = False) -> None:
        super().__init__(classes="phone-row")
        self.index = index
        self._initial = (number, label, notify)

    def compose(self) -> ComposeResult:
        number, label, notify = self._initial
        yield Input(
            field_text(number),
            placeholder=_("Phone number"),
            classes=f"phone-number {shown_class(number)}",
            max_length=40,
            compact=True,
        )
        yield Input(
            field_text(label),
            placeholder=_("Label (mobile, work…)"),
            classes=f"phone-label {shown_class(label)}",
            max_length=30,
            compact=True,
        )
        yield Check(
            _("SMS"),
            notify,
            classes="phone-notify",
            compact=True,
            tooltip=_("Use this number for notifications"),
        )
        yield Button(
            "✕", classes="phone-remove", compact=True, tooltip=_("Remove this phone number")
        )

    def values(self) -> tuple[str, str, bool]:
        return (
            value_of(self.query_one(".phone-number", Input)),
            value_of(self.query_one(".phone-label", Input)),
            self.query_one(".phone-notify", Check).value,
        )


class ClientFormView(Vertical):
    """The client form. The owner reads it with ``read_form`` and saves it."""

    HELP_TEXT = N_(
        "Edit any field of the client, then save with ctrl+s. Wrong fields are marked and "
        'nothing is saved until all are right. Phones: any format; mark "SMS" on the '
        "numbers to use for notifications."
    )

    class PhoneTyped(Message):
        def __init__(self, number: str) -> None:
            super().__init__()
            self.number = number

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="client-form")
        self._phone_counter = 0

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form-scroll"):
            yield from self._row(
                "kind",
                _("Kind"),
                Select(
                    [(_("Person"), "person"), (_("Company"), "company")],
                    value="person",
                    allow_blank=False,
                    id="f-kind",
                    compact=True,
                ),
            )
            yield from self._row(
                "name", _("Name"), Input(id="f-name", max_length=200, compact=True)
            )
            with Horizontal(classes="form-row"):
                yield Label(_("Phones"), classes="form-label")
                with Vertical(id="phones"):
                    pass
            with Horizontal(classes="form-row"):
                yield Label("", classes="form-label")
                yield Button(_("+ Phone"), id="add-phone", compact=True)
            yield FieldNote("", id="err-phones", classes="field-error")
            yield FieldNote("", id="ctl-phones", classes="field-warning")
            yield FieldNote("", id="phone-warning", classes="field-warning")
            yield from self._row(
                "email", _("E-mail"), Input(id="f-email", max_length=254, compact=True)
            )
            yield from self._row(
                "address", _("Address"), Input(id="f-address", max_length=500, compact=True)
            )
            yield from self._row(
                "company_name",
                _("Company"),
                Input(id="f-company_name", max_length=200, compact=True),
            )
            yield from self._row(
                "tax_id", _("Tax id (NIF)"), Input(id="f-tax_id", max_length=20, compact=True)
            )
            yield from self._row(
                "discount", _("Discount %"), Input("0", id="f-discount", max_length=8, compact=True)
            )
            yield from self._row(
                "marketing_source",
                _("Came from"),
                Input(
                    id="f-marketing_source",
                    max_length=100,
                    compact=True,
                    suggester=SuggestFromList([_(s) for s in SOURCES], case_sensitive=False),
                ),
            )
            with Horizontal(classes="form-row tall"):
                yield Label(_("Notes"), classes="form-label")
                yield TextArea(id="f-notes", soft_wrap=True, show_line_numbers=False, compact=True)
            yield FieldNote("", id="err-notes", classes="field-error")
            yield FieldNote("", id="ctl-notes", classes="field-warning")
            with Horizontal(classes="form-row"):
                yield Label("", classes="form-label")
                yield Check(
                    _("Conflicted client: warn every clerk who opens it"),
                    id="f-conflicted",
                    compact=True,
                )

    def _row(self, name: str, label: str, widget: Input | Select[str]) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label(label, classes="form-label")
            yield widget
        yield FieldNote("", id=f"err-{name}", classes="field-error")
        yield FieldNote("", id=f"ctl-{name}", classes="field-warning")

    # --- phones ------------------------------------------------------------------------

    def _add_phone(
        self, number: str = "", label: str = "", notify: bool = False, focus: bool = False
    ) -> None:
        box = self.query_one("#phones", Vertical)
        if len(box.children) >= MAX_PHONES:
            self.query_one("#err-phones", Static).update(
                _("At most {n} phone numbers.").format(n=MAX_PHONES)
            )
            return
        row = PhoneRow(self._phone_counter, number, label, notify)
        self._phone_counter += 1
        box.mount(row)
        if focus:
            self.call_after_refresh(lambda: row.query_one(".phone-number", Input).focus())

    @on(Button.Pressed, "#add-phone")
    def _on_add_phone(self) -> None:
        self._add_phone(focus=True)

    @on(Button.Pressed, ".phone-remove")
    def _on_remove_phone(self, event: Button.Pressed) -> None:
        row = event.button.parent
        if isinstance(row, PhoneRow):
            row.remove()
            self._clear_phone_errors()  # they number the phones, and that has changed

    @on(Input.Changed, ".phone-number")
    def _on_phone_changed(self, event: Input.Changed) -> None:
        self._clear_phone_errors()
        self.post_message(self.PhoneTyped(event.value))

    @on(Input.Changed, "#f-name, #f-email, #f-address, #f-company_name, #f-tax_id, #f-discount")
    def _on_field_changed(self, event: Input.Changed) -> None:
        # A message is about what was there when it was checked: it goes once the clerk
        # changes the field (ctrl+s checks again).
        field = (event.input.id or "").removeprefix("f-")
        for note in self.query(f"#err-{field}"):
            if isinstance(note, Static):
                note.update("")
        event.input.remove_class("invalid")

    def _clear_phone_errors(self) -> None:
        self.query_one("#err-phones", Static).update("")
        for row in self.query(PhoneRow):
            row.remove_class("invalid")

    def show_phone_warning(self, text: str) -> None:
        self.query_one("#phone-warning", Static).update(line(text))

    # --- values ------------------------------------------------------------------------

    def set_form(self, form: ClientForm) -> ClientForm:
        """Show ``form`` (text from the store, so hidden characters are shown as symbols,
        with a note under the field); returns what ``read_form`` reads back from it."""
        from ...domain.clients import PhoneInput

        kind = form.kind if form.kind in ("person", "company") else "person"
        self.query_one("#f-kind", Select).value = kind  # safe: one of its own options
        for name in TEXT_FIELDS:
            field = self.query_one(f"#f-{name}", Input)
            fill(field, getattr(form, name))
            self.query_one(f"#ctl-{name}", FieldNote).update(controls_note(field))
        notes = self.query_one("#f-notes", TextArea)
        fill(notes, form.notes)
        self.query_one("#ctl-notes", FieldNote).update(controls_note(notes))
        hidden = any(has_hidden(p.number) or has_hidden(p.label) for p in form.phones)
        self.query_one("#ctl-phones", FieldNote).update(_(CONTROLS_NOTE) if hidden else "")
        self.query_one("#f-conflicted", Check).value = form.conflicted
        box = self.query_one("#phones", Vertical)
        box.remove_children()
        for phone in form.phones:
            self._add_phone(phone.number, phone.label, phone.notify)
        if not form.phones:
            self._add_phone()
        self.clear_errors()
        texts: dict[str, Any] = {name: read_back(getattr(form, name)) for name in TEXT_FIELDS}
        return replace(
            form,
            kind=kind,
            phones=tuple(
                PhoneInput(read_back(p.number), read_back(p.label), p.notify) for p in form.phones
            ),
            notes=read_back(form.notes, multiline=True),
            **texts,
        )

    def read_form(self) -> ClientForm:
        from ...domain.clients import ClientForm, PhoneInput

        values = {name: value_of(self.query_one(f"#f-{name}", Input)) for name in TEXT_FIELDS}
        kind = self.query_one("#f-kind", Select).value
        phones = tuple(PhoneInput(*row.values()) for row in self.query(PhoneRow))
        return ClientForm(
            kind=str(kind) if isinstance(kind, str) else "person",
            phones=phones,
            notes=value_of(self.query_one("#f-notes", TextArea)),
            conflicted=self.query_one("#f-conflicted", Check).value,
            **values,
        )

    def clear_errors(self) -> None:
        for static in self.query(".field-error"):
            if isinstance(static, Static):
                static.update("")
        for row in self.query(PhoneRow):
            row.remove_class("invalid")
        for widget in self.query(".invalid"):
            widget.remove_class("invalid")

    def show_errors(self, errors: dict[str, str]) -> None:
        """Put each message next to its field and focus the first wrong field."""
        self.clear_errors()
        first: Widget | None = None
        rows = list(self.query(PhoneRow))
        # The domain numbers only the phone rows that hold something.
        filled = [r for r in rows if any(str(v).strip() for v in r.values()[:2])]
        phone_notes = []
        for key, message in errors.items():
            if key.startswith("phone"):
                index = int(key.split(".")[1]) if "." in key else -1
                if 0 <= index < len(filled):
                    filled[index].add_class("invalid")
                    first = first or filled[index].query_one(".phone-number", Input)
                    message = _("Phone {n}: {message}").format(n=index + 1, message=message)
                phone_notes.append(message)
                self.query_one("#err-phones", Static).update(line("; ".join(phone_notes)))
                continue
            target = self.query(f"#err-{key}")
            if target:
                target.first(Static).update(line(message))
            widget = self.query(f"#f-{key}")
            if widget:
                widget.first().add_class("invalid")
                first = first or widget.first()
        if first is not None:
            first.focus()
