"""The dialogs leads and assets both have, with what is the same in them: + New (a form
that creates the item), the item's profile (edit and save with ctrl+s; a save from a copy
someone else changed meanwhile; another clerk's change arriving while it is open; closing
with unsaved edits) and the small dialogs the profile opens to change the item (mark
lost, mark won, move). Each subclass gives its fields, texts and store calls."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Input, Static, TextArea

from ...errors import DomainError
from ...i18n import _
from ..messages import StoreChanged
from ..safe import line, toast_text
from ..widgets.note import FieldNote
from .base import Dialog
from .crm_common import (
    clear_errors,
    clear_field_error,
    dialog_buttons,
    field_errors,
    fit_column,
    is_stale,
    merge_edits,
    run_read,
    run_write,
    show_errors,
    when,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance
    from sqlmodel import Session

    from ...domain.staff import Actor


class ItemRecord(Protocol):
    """What the profile reads of a lead or asset record."""

    @property
    def version(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def created_by_name(self) -> str: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def updated_by_name(self) -> str: ...
    def as_form(self) -> Any: ...


R = TypeVar("R", bound=ItemRecord)
F = TypeVar("F", bound="DataclassInstance")  # the item's form: a dataclass


# --- + New ----------------------------------------------------------------------------------


class CrmNewDialog(Dialog[int]):
    """The item's fields in a form: ctrl+s, Enter in a line or Save creates it and
    dismisses with its id; Cancel or Escape closes; a refusal shows next to its field."""

    ENTER_CONFIRMS = True

    HEADING = ""  # N_("New ...")
    FORM_ID = ""
    FORM_CLASSES = "dialog crm-form"
    GROUP = ""  # run_store group of the create

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id

    # --- what a subclass gives ------------------------------------------------------------

    def compose_fields(self) -> ComposeResult:
        raise NotImplementedError

    def creator(self) -> Callable[[Session, Actor], Any]:
        """What creates the item from the form as it is now (runs in a worker)."""
        raise NotImplementedError

    def created_text(self, record: Any) -> str:
        raise NotImplementedError

    # --- the form -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(classes=self.FORM_CLASSES, id=self.FORM_ID):
            yield Static(_(self.HEADING), classes="dialog-title")
            yield from self.compose_fields()
            yield FieldNote("", id="err-general", classes="field-error")
            yield from dialog_buttons(_("Save") + " (ctrl+s)", "save", "cancel")

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _field_changed(self, event: Input.Changed | TextArea.Changed) -> None:
        clear_field_error(self, event.control)

    def action_confirm(self) -> None:
        run_write(self, self.creator(), self._created, group=self.GROUP, error=self._failed)

    def _created(self, record: Any) -> None:
        self.app.notify(toast_text(self.created_text(record)), markup=False)
        self.dismiss(record.id)

    def _failed(self, exc: DomainError) -> None:
        show_errors(self, field_errors(exc), "general")
        self.notify(
            _("Nothing was saved: correct the marked fields."), severity="warning", markup=False
        )


# --- the profile ----------------------------------------------------------------------------


class CrmProfileDialog(Dialog[bool], Generic[R, F]):
    """One item's profile; dismisses with whether anything was changed.

    Widget ids start with ``PREFIX``: ``<prefix>-profile``, ``-title``, ``-summary``,
    ``-meta``, ``-notice``, ``-save``, ``-close``; run_store groups ``-load``, ``-save``,
    ``-watch``. The texts are N_() messages, translated where they are shown."""

    ENTER_CONFIRMS = True

    PREFIX = ""
    HEADING = ""  # the title until the item is loaded
    HISTORY = ("", "")  # (table id, the column that takes the width the others leave)
    FALLBACK = "general"  # where a refusal for a field this form lacks is shown
    CREATED = ""  # "... {when} by {who}."
    CHANGED_ELSEWHERE = ""  # another clerk saved while this one has edits
    STALE_SAVED = ""  # a save refused: {who} changed it at {when}; ctrl+r puts edits back
    STALE_DONE = ""  # a status change or move refused: {who} changed it at {when}
    UNSAVED = ""  # closing with edits that are not saved

    def __init__(self, item_id: int) -> None:
        super().__init__()
        self.item_id = item_id
        self.record: R | None = None
        self.shown_form: F | None = None
        self._mine: F | None = None  # the edits a stale save could not store
        self._base: F | None = None  # what the clerk had opened when editing
        self.changed = False

    # --- what a subclass gives ------------------------------------------------------------

    def compose_form(self) -> ComposeResult:
        """The fields and the message line for ``FALLBACK``."""
        raise NotImplementedError

    def compose_actions(self) -> ComposeResult:
        """Buttons between Save and Close."""
        yield from ()

    def compose_sections(self) -> ComposeResult:
        """What comes below the buttons (the history tables)."""
        raise NotImplementedError

    def read_form(self) -> F:
        raise NotImplementedError

    def set_form(self, form: F) -> None:
        raise NotImplementedError

    def read_item(self, session: Session) -> Any:
        """What show_item needs (runs in a worker)."""
        raise NotImplementedError

    def write_item(self, session: Session, actor: Actor, form: F, expected: int) -> Any:
        """Save the form if the item is still at version ``expected``; returns what
        show_item needs (runs in a worker)."""
        raise NotImplementedError

    def item_version(self, session: Session) -> int:
        raise NotImplementedError

    def show_item(self, found: Any, *, keep_edits: bool) -> None:
        """Show what read_item or write_item returned (through _take and _show_header)."""
        raise NotImplementedError

    def focus_first(self) -> None:
        raise NotImplementedError

    # --- the dialog -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        p = self.PREFIX
        with Vertical(classes="dialog crm-profile", id=f"{p}-profile"):
            yield Static(_(self.HEADING), id=f"{p}-title", classes="dialog-title crm-title")
            with VerticalScroll(classes="crm-scroll"):
                yield Static(_("Loading…"), id=f"{p}-summary", classes="crm-summary")
                yield Static("", id=f"{p}-meta", classes="crm-meta")
                yield FieldNote("", id=f"{p}-notice", classes="crm-notice")
                yield from self.compose_form()
                with Horizontal(classes="crm-buttons"):
                    yield Button(
                        _("Save") + " (ctrl+s)", id=f"{p}-save", variant="primary", compact=True
                    )
                    yield from self.compose_actions()
                    yield Button(_("Close") + " (Esc)", id=f"{p}-close", compact=True)
                yield from self.compose_sections()

    def on_mount(self) -> None:
        self._load(focus=True)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        table, flex = self.HISTORY
        fit_column(self.query_one(f"#{table}", DataTable), flex)

    # --- loading and showing --------------------------------------------------------------

    def _load(self, *, focus: bool = False, keep_edits: bool = False) -> None:
        def show(found: Any) -> None:
            self.show_item(found, keep_edits=keep_edits)
            if focus:
                self.focus_first()

        run_read(self, self.read_item, show, group=f"{self.PREFIX}-load")

    def _take(self, record: R, keep_edits: bool) -> None:
        """``record`` is now the one shown; its fields fill the form unless ``keep_edits``
        and the clerk has edits."""
        edits = self.read_form() if keep_edits and self.has_unsaved_edits() else None
        self.record = record
        self.set_form(record.as_form())
        # What the form reads back: text from the store with hidden characters (shown as
        # symbols, which reading takes out) is not an edit of the clerk's.
        self.shown_form = self.read_form()
        if edits is not None:
            self.set_form(edits)

    def _show_header(self, record: R, title: str, summary: str) -> None:
        p, app = self.PREFIX, self.desk
        self.query_one(f"#{p}-title", Static).update(line(title, limit=90))
        self.query_one(f"#{p}-summary", Static).update(line(summary, limit=300))
        meta = _(self.CREATED).format(
            when=when(app, record.created_at), who=record.created_by_name or "?"
        )
        if record.version > 1:
            meta += " " + _("Last changed {when} by {who}.").format(
                when=when(app, record.updated_at), who=record.updated_by_name or "?"
            )
        self.query_one(f"#{p}-meta", Static).update(line(meta, limit=300))

    def _notice(self, text: str) -> None:
        self.query_one(f"#{self.PREFIX}-notice", FieldNote).update(line(text, limit=400))

    def has_unsaved_edits(self) -> bool:
        return self.shown_form is not None and self.read_form() != self.shown_form

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _field_changed(self, event: Input.Changed | TextArea.Changed) -> None:
        clear_field_error(self, event.control)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "restore":
            return self._mine is not None
        return True

    def on_store_changed(self, _event: StoreChanged) -> None:
        if self.record is None:
            return
        seen = self.record.version

        def compare(version: int) -> None:
            if version == seen or self.record is None or self.record.version != seen:
                return
            if self.has_unsaved_edits():
                self._notice(_(self.CHANGED_ELSEWHERE))
            else:
                self._load()

        run_read(self, self.item_version, compare, group=f"{self.PREFIX}-watch")

    # --- saving ---------------------------------------------------------------------------

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == f"{self.PREFIX}-save":
            self.action_confirm()
        elif event.button.id == f"{self.PREFIX}-close":
            self.action_cancel()

    def action_confirm(self) -> None:
        if self.record is None:
            return
        # Saving what was shown still cleans text stored with hidden characters.
        if self.read_form() == self.record.as_form():
            self._notice(_("Nothing to save: no field was changed."))
            return
        form, expected = self.read_form(), self.record.version

        def save(session: Session, actor: Actor) -> Any:
            return self.write_item(session, actor, form, expected)

        run_write(self, save, self._saved, group=f"{self.PREFIX}-save", error=self._failed)

    def _saved(self, found: Any) -> None:
        clear_errors(self)
        self._mine = None
        self.changed = True
        self.show_item(found, keep_edits=False)
        self._notice(_("Saved."))

    def _failed(self, exc: DomainError) -> None:
        if is_stale(exc):
            self._stale(exc)
            return
        show_errors(self, field_errors(exc), self.FALLBACK)
        self._notice(_("Nothing was saved: correct the marked fields."))

    def _stale(self, exc: Any) -> None:
        """Someone changed the item after this copy was read: show it as it is now."""
        current: R = exc.current
        clear_errors(self)
        who, at = current.updated_by_name or "?", when(self.desk, current.updated_at)
        if exc.mine is not None:
            self._mine, self._base = exc.mine, self.shown_form
            text = _(self.STALE_SAVED).format(who=who, when=at)
        else:
            text = _(self.STALE_DONE).format(who=who, when=at)
        self._load(keep_edits=exc.mine is None)
        self._notice(text)
        self.notify(toast_text(text), severity="warning", markup=False)

    def action_restore(self) -> None:
        if self._mine is not None and self._base is not None and self.shown_form is not None:
            self.set_form(merge_edits(self._base, self._mine, self.shown_form))
            self._mine = None
            self._notice(_("Your edits are back: ctrl+s saves them over the current version."))
            self.refresh_bindings()

    def action_cancel(self) -> None:
        from .confirm import leave_or_ask

        leave_or_ask(
            self.app,
            self.has_unsaved_edits(),
            lambda: self.dismiss(self.changed),
            _("Unsaved changes"),
            _(self.UNSAVED),
            yes=_("Close"),
            no=_("Stay"),
        )


# --- a change made from the profile ---------------------------------------------------------


class CrmChangeDialog(Dialog[object]):
    """A small dialog that changes the item (mark lost, mark won, move): it dismisses with
    the record as it is now, or with the stale-copy error for the profile to show; the
    ``OK_ID`` button confirms, the ``CANCEL_ID`` one (or Escape) closes."""

    OK_ID = ""
    CANCEL_ID = ""

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == self.OK_ID:
            self.action_confirm()
        elif event.button.id == self.CANCEL_ID:
            self.dismiss(None)

    def change(self, work: Callable[[Session, Actor], Any], group: str) -> None:
        """Run ``work`` as the signed-in employee; dismiss with what it returns."""
        run_write(self, work, self.dismiss, group=group, error=self._failed)

    def _failed(self, exc: DomainError) -> None:
        if is_stale(exc):
            self.dismiss(exc)
            return
        self.show_refusal(exc)

    def show_refusal(self, exc: DomainError) -> None:
        """Each message under its field (the rest under ``general``)."""
        show_errors(self, field_errors(exc), "general")
