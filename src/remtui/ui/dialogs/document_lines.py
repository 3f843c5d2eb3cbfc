"""The line editor's lines: one row of fields per document line, and the catalog
matches shown under the line being typed (DocumentEditor puts them together)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, OptionList, Static

from ...errors import DomainError, ValidationError
from ...i18n import N_, _
from ..documents_text import parse_money
from ..keys import ENTER_NEXT
from ..safe import CONTROLS_NOTE, controls_note, field_text, line, rich_line, shown_class, value_of
from ..widgets.note import FieldNote

if TYPE_CHECKING:
    from sqlmodel import Session

    from ...domain.documents import LineInput, LineRecord
    from ..context import DeskContext

FIELDS = ("description", "quantity", "unit_price", "discount")


def field_label(field: str) -> str:
    labels = {
        "item": _("Item"),
        "description": _("Item"),
        "quantity": _("Quantity"),
        "unit_price": _("Price"),
        "discount": _("Discount"),
    }
    return labels.get(field, field)


class LineRow(Vertical):
    """One line of the document: its fields, its total and a message under it."""

    def __init__(
        self,
        *,
        description: str = "",
        quantity: str = "1",
        price: str = "",
        discount: str = "",
        item_id: int | None = None,
    ) -> None:
        super().__init__(classes="doc-line")
        self._initial = (description, quantity, price, discount)
        self.item_id = item_id
        # As the field shows it (a name stored with hidden characters shows them as symbols).
        self.item_name = field_text(description) if item_id is not None else ""

    def compose(self) -> ComposeResult:
        description, quantity, price, discount = self._initial
        with Horizontal(classes="doc-line-fields"):
            # Enter here is the editor's: it takes the highlighted catalog match, then moves
            # on (DocumentEditor.action_enter_item), so the field is not ENTER_NEXT.
            yield Input(
                field_text(description),
                placeholder=_("Item or service"),
                classes=f"line-description {shown_class(description)}",
                max_length=500,
                compact=True,
            )
            yield Input(
                quantity, classes=f"line-quantity {ENTER_NEXT}", max_length=14, compact=True
            )
            yield Input(price, classes=f"line-unit_price {ENTER_NEXT}", max_length=24, compact=True)
            yield Input(
                discount,
                placeholder=_("% or €"),
                classes=f"line-discount {ENTER_NEXT}",
                max_length=24,
                compact=True,
            )
            yield Static("", classes="line-total")
            yield Button("✕", classes="line-remove", compact=True, tooltip=_("Remove this line"))
        yield FieldNote("", classes="field-error line-error")
        yield FieldNote(
            _(CONTROLS_NOTE) if shown_class(description) else "",
            classes="field-warning line-controls",
        )

    def field(self, name: str) -> Input:
        return self.query_one(f".line-{name}", Input)

    def texts(self) -> tuple[str, str, str, str]:
        return (
            value_of(self.field("description")),
            self.field("quantity").value,
            self.field("unit_price").value,
            self.field("discount").value,
        )

    def is_blank(self) -> bool:
        """Nothing typed (the preset quantity and discount alone do not make a line)."""
        description, quantity, price, discount = (t.strip() for t in self.texts())
        preset = discount in ("", self._initial[3].strip())
        return not (description or price) and preset and quantity in ("", "1")

    def show_errors(self, errors: dict[str, str]) -> None:
        for name in FIELDS:
            self.field(name).set_class(name in errors, "invalid")
        if "item" in errors:
            self.field("description").add_class("invalid")
        parts = [f"{field_label(k)}: {v}" for k, v in errors.items()]
        self.query_one(".line-error", FieldNote).update(line(" · ".join(parts), limit=400))

    def show_controls(self) -> None:
        """The note under the line when its item shows hidden characters as symbols."""
        self.query_one(".line-controls", FieldNote).update(controls_note(self.field("description")))

    def show_total(self, text: str) -> None:
        self.query_one(".line-total", Static).update(rich_line(text, limit=20))


class CatalogMatches(OptionList):
    HELP_TEXT = N_(
        "Items of the catalog that match what you typed. Enter puts the item and its price "
        "on the line; Escape goes back to typing."
    )
    BINDINGS = [Binding("escape", "back", N_("Back to the line"), id="document_editor.back")]

    def action_back(self) -> None:
        back = getattr(self.screen, "back_to_item", None)
        if callable(back):
            back()


# --- reading the lines ------------------------------------------------------------------


def parse_row(app: DeskContext, row: LineRow) -> tuple[LineInput, dict[str, str]]:
    """The row as domain input, and the errors of the fields the UI parses itself
    (a wrong price or discount is sent as 0 so that the domain still checks the
    other fields, and every message shows at once)."""
    from ...domain.documents import DiscountKind, LineInput, parse_percent

    description, quantity, price_text, discount_text = row.texts()
    errors: dict[str, str] = {}
    price: int | None = None
    if price_text.strip():
        try:
            price = parse_money(app, price_text, allow_zero=True)
        except DomainError as exc:
            errors["unit_price"] = exc.message
            price = 0
    kind, value = DiscountKind.NONE.value, 0
    raw = discount_text.strip()
    if raw:
        try:
            if raw.endswith("%"):
                kind, value = DiscountKind.PERCENT.value, parse_percent(raw)
            else:
                kind, value = (
                    DiscountKind.AMOUNT.value,
                    parse_money(app, raw, allow_zero=True),
                )
        except DomainError as exc:
            errors["discount"] = exc.message
            kind, value = DiscountKind.NONE.value, 0
    parsed = LineInput(
        description=description,
        quantity=quantity,
        unit_price=price,
        item_id=row.item_id,
        discount_kind=kind,
        discount_value=value,  # safe: a parsed number
    )
    return parsed, errors


def check_lines(
    client_id: int, inputs: list[LineInput]
) -> Callable[[Session], list[LineRecord | dict[str, str]]]:
    """A function for a worker: each line as the domain computes it, or its errors."""

    def check(session: Session) -> list[LineRecord | dict[str, str]]:
        from ...domain.documents import preview_lines

        out: list[LineRecord | dict[str, str]] = []
        for parsed in inputs:
            try:
                out.append(preview_lines(session, client_id, [parsed]).lines[0])
            except ValidationError as exc:
                out.append({k.rsplit(".", 1)[-1]: v for k, v in exc.errors.items() if k != "lines"})
        return out

    return check


def merge_errors(
    entries: list[tuple[LineRow, LineInput, dict[str, str]]],
    results: list[LineRecord | dict[str, str]],
) -> dict[LineRow, dict[str, str]]:
    """The errors of each line: the domain's, then the UI's own on top."""
    errors: dict[LineRow, dict[str, str]] = {}
    for (row, _parsed, own), result in zip(entries, results, strict=False):
        found = dict(result) if isinstance(result, dict) else {}
        found.update(own)
        if found:
            errors[row] = found
    return errors
