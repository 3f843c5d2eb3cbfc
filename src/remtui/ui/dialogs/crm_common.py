"""What the leads and assets dialogs share: labelled form rows with a message under each
field, one-line fields, showing a domain error next to its field, the OK / Cancel row,
store work as the signed-in employee, and small reads the dialogs need."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import fields, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import Button, DataTable, Input, Label

from ...errors import DomainError, ValidationError
from ...i18n import _
from ..context import desk
from ..safe import Cell, cell, controls_note, fill, line, value_of
from ..widgets.note import FieldNote
from ..work import run_store

if TYPE_CHECKING:
    from _typeshed import DataclassInstance
    from sqlmodel import Session
    from textual.widgets import TextArea

    from ...domain.staff import Actor
    from ..context import DeskContext

F = TypeVar("F", bound="DataclassInstance")  # a form: a dataclass
T = TypeVar("T")

# Inputs accept far more than the domain allows, so an over-long paste is refused with the
# domain's "At most N characters." next to the field instead of being cut or dropped
# silently (Textual's Input ignores an insertion that would pass its max_length).
INPUT_CAP = 20_000


def text_input(name: str, placeholder: str, **kwargs: Any) -> Input:
    """A compact one-line field ``#f-<name>`` that takes more than the domain allows."""
    return Input(
        id=f"f-{name}", placeholder=placeholder, max_length=INPUT_CAP, compact=True, **kwargs
    )


def form_row(name: str, label: str, *widgets: Widget, tall: bool = False) -> ComposeResult:
    """A label, the field(s), then the (hidden while empty) message line for ``name``."""
    with Horizontal(classes="form-row crm-row" + (" crm-tall" if tall else "")):
        yield Label(label, classes="form-label")
        yield from widgets
    yield FieldNote("", id=f"err-{name}", classes="field-error")
    yield FieldNote("", id=f"ctl-{name}", classes="field-warning")


def fill_fields(root: DOMNode, values: dict[str, object], *, note: str = "") -> None:
    """Fields ``#f-<name>`` (Input or TextArea) filled from the store, never raw: hidden
    characters are shown as symbols and ``#ctl-<name>`` says they go when saved (``note``:
    one note for all of them, for fields that share a row)."""
    widgets = {name: _text_field(root, name) for name in values}
    for name, value in values.items():
        fill(widgets[name], value)
    if note:
        root.query_one(f"#ctl-{note}", FieldNote).update(controls_note(*widgets.values()))
        return
    for name, field in widgets.items():
        root.query_one(f"#ctl-{name}", FieldNote).update(controls_note(field))


def _text_field(root: DOMNode, name: str) -> Input | TextArea:
    from textual.widgets import TextArea

    field = root.query_one(f"#f-{name}")
    assert isinstance(field, Input | TextArea), field
    return field


def field_value(root: DOMNode, name: str) -> str:
    """What the clerk means field ``#f-<name>`` to hold (see ``ui.safe.value_of``)."""
    return value_of(_text_field(root, name))


def clear_field_error(root: DOMNode, field: Widget) -> None:
    """A field's message is about what was there when it was checked: it goes once the
    clerk changes the field (saving checks again)."""
    name = (field.id or "").removeprefix("f-")
    if not name or name == field.id:
        return
    for note in root.query(f"#err-{name}"):
        if isinstance(note, FieldNote):
            note.update("")
    field.remove_class("invalid")


def dialog_buttons(
    ok: str, ok_id: str, cancel_id: str, *, variant: Any = "primary"
) -> ComposeResult:
    """The row under a small form: ``ok`` (its key in the label) and Cancel (Esc)."""
    with Horizontal(classes="dialog-buttons"):
        yield Button(ok, id=ok_id, variant=variant, compact=True)
        yield Button(_("Cancel") + " (Esc)", id=cancel_id, compact=True)


def clear_errors(root: DOMNode) -> None:
    for note in root.query(".field-error"):
        if isinstance(note, FieldNote):
            note.update("")
    for widget in root.query(".invalid"):
        widget.remove_class("invalid")


def show_errors(root: DOMNode, errors: dict[str, str], fallback: str) -> None:
    """Each message under its field (``#err-<field>``), the field marked and the first
    wrong one focused; a message for a field this form lacks goes under ``fallback``."""
    clear_errors(root)
    first: Widget | None = None
    shown: dict[str, list[str]] = {}
    for field, message in errors.items():
        target = field if root.query(f"#err-{field}") else fallback
        shown.setdefault(target, []).append(message)
        widgets = root.query(f"#f-{field}")
        if widgets:
            widget = widgets.first()
            widget.add_class("invalid")
            first = first or widget
    for target, messages in shown.items():
        root.query_one(f"#err-{target}", FieldNote).update(line(" ".join(messages), limit=400))
    if first is not None and first.focusable:
        first.focus()


def field_errors(exc: DomainError) -> dict[str, str]:
    """field -> message of a refusal (one field, or several for a ValidationError)."""
    return exc.errors if isinstance(exc, ValidationError) else {exc.field or "": exc.message}


def is_stale(exc: object) -> bool:
    """Whether the refusal says someone changed the item after this copy was read."""
    from ...domain.crm_common import StaleRecord

    return isinstance(exc, StaleRecord)


def run_read(
    node: DOMNode, work: Callable[[Session], T], done: Callable[[T], Any], *, group: str
) -> None:
    """``work(session)`` in a read of the store, in a worker; ``done(result)`` after."""
    app = desk(node)

    def read() -> T:
        with app.store().read() as session:
            return work(session)

    run_store(node, read, done, group=group)


def run_write(
    node: DOMNode,
    work: Callable[[Session, Actor], T],
    done: Callable[[T], Any],
    *,
    group: str,
    error: Callable[[DomainError], Any],
) -> None:
    """``work(session, actor)`` in one write transaction as the signed-in employee, in a
    worker; ``done(result)`` after, or ``error(exc)`` when the domain refuses."""
    app = desk(node)
    actor = app.actor

    def write() -> T:
        assert actor is not None
        with app.store().write() as session:
            return work(session, actor)

    run_store(node, write, done, group=group, error=error)


def fit_column(table: DataTable[Any], flex: str, minimum: int = 8, width: int = 0) -> None:
    """Give column ``flex`` what the table's width leaves (no sideways scrolling)."""
    width = width or table.size.width
    if not width:
        return
    others = sum(c.width + 2 for k, c in table.columns.items() if k.value != flex)
    for key, column in table.columns.items():
        if key.value == flex:
            column.width = max(minimum, width - others - 2 - 1)
            column.auto_width = False
    # DataTable recomputes its scrollable width only when told (Textual 8.2, pinned).
    table._require_update_dimensions = True
    table.refresh()


def when(app: DeskContext, moment: datetime | None) -> str:
    from ...dates import format_datetime

    return format_datetime(moment, app.settings.locale)


def active_employees(session: Session, keep: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the employees who may be made responsible, by name; ``keep`` (the
    current responsible) is listed even when no longer active, marked so."""
    from ...domain import staff

    rows = []
    for emp in staff.list_employees(session):
        if emp.active:
            rows.append((emp.id, emp.name))
        elif emp.id == keep:
            rows.append((emp.id, _("{name} (inactive)").format(name=emp.name)))
    return sorted(rows, key=lambda r: r[1].casefold())


def document_status_label(status: str) -> str:
    """A document's status in the clerk's words (the raw value if documents has none)."""
    from ...domain import documents

    label = getattr(documents, "status_label", None)
    try:
        return str(label(status)) if callable(label) else status
    except Exception:
        return status


def options(pairs: Iterable[tuple[Any, str]]) -> list[tuple[Any, Any]]:
    """Select options from (value, data text): prompts as Content, never markup."""
    return [(line(text, limit=80), value) for value, text in pairs]


def merge_edits(base: F, mine: F, theirs: F) -> F:
    """The clerk's edits put back over the version saved meanwhile: each field the clerk
    changed (``mine`` differs from ``base``, what the clerk had opened) takes the clerk's
    value; every other field keeps theirs."""
    changed = {
        f.name: getattr(mine, f.name)
        for f in fields(mine)
        if getattr(mine, f.name) != getattr(base, f.name)
    }
    return replace(theirs, **changed)


def money_cell(amount: int, app: DeskContext) -> Cell:
    """An amount for a table cell, right-aligned."""
    from ...money import format_money

    shown = cell(format_money(amount, app.settings.currency, app.settings.locale))
    shown.justify = "right"
    return shown
