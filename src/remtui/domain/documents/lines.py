"""A document's lines: quantities and percentages as a clerk types them, the integer
arithmetic of a line and of the totals, and the check of what the line editor holds."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from sqlmodel import Session, col, select

from ...errors import DomainError, ValidationError
from ...i18n import _
from ...safetext import clean_input
from ...store.tables import Client
from ...store.tables.documents import (
    CatalogItem,
)
from .. import ledger
from ..clients import parse_discount

MAX_LINES = 500
MAX_DESCRIPTION = 500
MAX_QUANTITY_MILLI = 1_000_000 * 1000  # one million units
MAX_PERCENT_BP = 10_000


class DiscountKind(StrEnum):
    NONE = ""
    PERCENT = "percent"  # discount_value in basis points (1250 = 12.5 %)
    AMOUNT = "amount"  # discount_value in minor units


# --- quantities, percentages and arithmetic ----------------------------------------------

_QTY = re.compile(r"(\d*)(?:[.,](\d*))?")


def _decimal_symbol(locale: str) -> str:
    from babel.numbers import get_decimal_symbol

    return str(get_decimal_symbol(locale))


def parse_quantity(value: str | int | Decimal) -> int:
    """What a clerk typed ("2", "1,5", "0.25") as thousandths (quantity_milli). An int or
    Decimal is a number of units. Raises DomainError (field "quantity")."""
    not_a_number = _("A quantity is a number, such as 2 or 1,5.")
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise DomainError(not_a_number, "quantity")
    if isinstance(value, str):
        raw = clean_input(value).replace(" ", "")
        if not raw:
            raise DomainError(_("Enter a quantity."), "quantity")
        if raw[0] in "-−":
            raise DomainError(_("The quantity must be more than zero."), "quantity")
        raw = raw.removeprefix("+")
        match = _QTY.fullmatch(raw)
        if not match or not (match.group(1) or match.group(2)):
            raise DomainError(not_a_number, "quantity")
        whole, frac = match.group(1) or "0", match.group(2) or ""
        if len(frac) > 3:
            raise DomainError(_("At most {digits} decimal places.").format(digits=3), "quantity")
        if len(whole.lstrip("0")) > 7:
            raise DomainError(_("That quantity is too large."), "quantity")
        milli = int(whole) * 1000 + int(frac.ljust(3, "0"))
    else:
        try:
            number = Decimal(value)
        except InvalidOperation as exc:  # pragma: no cover - Decimal(int) never fails
            raise DomainError(not_a_number, "quantity") from exc
        if not number.is_finite():
            raise DomainError(not_a_number, "quantity")
        if number <= 0:
            raise DomainError(_("The quantity must be more than zero."), "quantity")
        if number > MAX_QUANTITY_MILLI // 1000:
            raise DomainError(_("That quantity is too large."), "quantity")
        scaled = number * 1000
        if scaled != scaled.to_integral_value():
            raise DomainError(_("At most {digits} decimal places.").format(digits=3), "quantity")
        milli = int(scaled)
    if milli <= 0:
        raise DomainError(_("The quantity must be more than zero."), "quantity")
    if milli > MAX_QUANTITY_MILLI:
        raise DomainError(_("That quantity is too large."), "quantity")
    return milli


def format_quantity(quantity_milli: int, locale: str = "en_GB") -> str:
    """Thousandths as a clerk writes the quantity: 1500 -> "1.5" (en_GB), "1,5" (pt_PT)."""
    whole, frac = divmod(quantity_milli, 1000)
    if frac == 0:
        return str(whole)
    return f"{whole}{_decimal_symbol(locale)}{frac:03d}".rstrip("0")


def parse_percent(value: str) -> int:
    """A percentage typed by a clerk ("10", "12,5 %") as basis points (0..10000, at most
    2 decimals). Raises DomainError (field "discount")."""
    try:
        return parse_discount(value)
    except DomainError as exc:
        raise DomainError(exc.message, "discount") from exc


def format_percent(basis_points: int, locale: str = "en_GB") -> str:
    """1250 -> "12.5 %" (en_GB), "12,5 %" (pt_PT)."""
    whole, frac = divmod(basis_points, 100)
    number = str(whole) if frac == 0 else f"{whole}{_decimal_symbol(locale)}{frac:02d}".rstrip("0")
    return f"{number} %"


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, halves away from zero."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    return sign * ((2 * abs(numerator) + denominator) // (2 * denominator))


@dataclass(frozen=True)
class LineAmounts:
    gross: int  # quantity x unit price, rounded
    discount: int
    total: int  # gross - discount


def compute_line(
    quantity_milli: int, unit_price: int, discount_kind: str = "", discount_value: int = 0
) -> LineAmounts:
    """A line's amounts by the rule in the package's docstring (inputs already valid)."""
    gross = round_half_up(quantity_milli * unit_price, 1000)
    if discount_kind == DiscountKind.PERCENT:
        discount = round_half_up(gross * discount_value, 10_000)
    elif discount_kind == DiscountKind.AMOUNT:
        discount = discount_value
    else:
        discount = 0
    return LineAmounts(gross, discount, gross - discount)


@dataclass(frozen=True)
class Totals:
    gross: int
    discount: int
    total: int


def totals_of(lines: Iterable[LineAmounts]) -> Totals:
    items = list(lines)
    return Totals(
        sum(x.gross for x in items), sum(x.discount for x in items), sum(x.total for x in items)
    )


# --- records -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    """One line as the line editor holds it.

    ``quantity``: the text typed ("1,5"), or a number of units (int/Decimal).
    ``unit_price``: minor units (``money.parse_amount``); None takes the catalog item's.
    ``description``: blank takes the catalog item's name.
    ``discount_kind``: None = the default (the client's discount, on new lines), "" = none,
    "percent" (``discount_value`` in basis points) or "amount" (minor units).
    """

    description: str = ""
    quantity: str | int | Decimal = "1"
    unit_price: int | None = None
    item_id: int | None = None
    discount_kind: str | None = None
    discount_value: int = 0


@dataclass(frozen=True)
class LineRecord:
    id: int  # 0 in a preview
    position: int
    item_id: int | None
    description: str
    quantity_milli: int
    unit_price: int
    discount_kind: str  # "", "percent", "amount"
    discount_value: int  # basis points or minor units
    gross: int
    discount: int
    line_total: int

    def as_input(self) -> LineInput:
        """The line as editor input, keeping its discount exactly (for saving again)."""
        return LineInput(
            description=self.description,
            quantity=Decimal(self.quantity_milli) / 1000,
            unit_price=self.unit_price,
            item_id=self.item_id,
            discount_kind=self.discount_kind,
            discount_value=self.discount_value,
        )


@dataclass(frozen=True)
class LinesPreview:
    lines: tuple[LineRecord, ...]
    gross: int
    discount: int
    total: int


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _one_line(value: str) -> str:
    return " ".join(clean_input(value or "").split())


def check_lines(
    session: Session,
    lines: Sequence[LineInput],
    client_discount_bp: int,
    apply_client_discount: bool,
    errors: dict[str, str],
) -> list[LineRecord]:
    if not lines:
        errors["lines"] = _("Add at least one line.")
        return []
    if len(lines) > MAX_LINES:
        errors["lines"] = _("At most {n} lines.").format(n=MAX_LINES)
        return []
    item_ids = {ln.item_id for ln in lines if is_int(ln.item_id)}
    items = (
        {
            r.id: r
            for r in session.exec(select(CatalogItem).where(col(CatalogItem.id).in_(item_ids)))
        }
        if item_ids
        else {}
    )
    out: list[LineRecord] = []
    for index, line in enumerate(lines):
        key = f"line.{index}"
        bad = False
        item = None
        if line.item_id is not None:
            item = items.get(line.item_id) if is_int(line.item_id) else None
            if item is None:
                errors[f"{key}.item"] = _("That catalog item does not exist.")
                bad = True
        description = _one_line(line.description if isinstance(line.description, str) else "")
        if not description and item is not None:
            description = item.name
        if not description:
            errors[f"{key}.description"] = _("Describe the item or service.")
            bad = True
        elif len(description) > MAX_DESCRIPTION:
            errors[f"{key}.description"] = _("At most {n} characters.").format(n=MAX_DESCRIPTION)
            bad = True
        try:
            quantity = parse_quantity(line.quantity)
        except DomainError as exc:
            errors[f"{key}.quantity"] = exc.message
            quantity, bad = 0, True
        price = line.unit_price
        if price is None and item is not None:
            price = item.price
        if price is None:
            errors[f"{key}.unit_price"] = _("Enter a price.")
            price, bad = 0, True
        elif not is_int(price):
            errors[f"{key}.unit_price"] = _("That is not a valid price.")
            price, bad = 0, True
        elif price < 0:
            errors[f"{key}.unit_price"] = _("A price cannot be negative.")
            price, bad = 0, True
        elif price > ledger.MAX_ENTRY:
            errors[f"{key}.unit_price"] = _("That amount is too large.")
            price, bad = 0, True
        kind = line.discount_kind
        value = line.discount_value
        if kind is None:
            kind, value = (
                (DiscountKind.PERCENT.value, client_discount_bp)
                if apply_client_discount and client_discount_bp > 0
                else (DiscountKind.NONE.value, 0)
            )
        if kind not in {k.value for k in DiscountKind}:
            errors[f"{key}.discount"] = _("Choose a percentage or an amount.")
            bad = True
        elif not is_int(value):
            errors[f"{key}.discount"] = _("That is not a valid discount.")
            bad = True
        elif value < 0:
            errors[f"{key}.discount"] = _("A discount cannot be negative.")
            bad = True
        elif kind == DiscountKind.PERCENT and value > MAX_PERCENT_BP:
            errors[f"{key}.discount"] = _("A discount is a percentage from 0 to 100.")
            bad = True
        elif kind == DiscountKind.NONE and value != 0:
            value = 0
        if bad:
            continue
        amounts = compute_line(quantity, price, kind, value)
        if amounts.gross > ledger.MAX_ENTRY:
            errors[f"{key}.unit_price"] = _("That amount is too large.")
            continue
        if kind == DiscountKind.AMOUNT and value > amounts.gross:
            errors[f"{key}.discount"] = _("The discount cannot be more than the line's amount.")
            continue
        out.append(
            LineRecord(
                id=0,
                position=index,
                item_id=item.id if item is not None else None,
                description=description,
                quantity_milli=quantity,
                unit_price=price,
                discount_kind=kind,
                discount_value=value,
                gross=amounts.gross,
                discount=amounts.discount,
                line_total=amounts.total,
            )
        )
    if not errors and sum(x.line_total for x in out) > ledger.MAX_ENTRY:
        errors["lines"] = _("The document's total is too large.")
    return out


def preview_lines(
    session: Session,
    client_id: int,
    lines: Sequence[LineInput],
    *,
    apply_client_discount: bool = True,
) -> LinesPreview:
    """The lines and totals as they would be saved (live totals in the line editor).
    Raises ValidationError (keys "lines", "line.N.description|quantity|unit_price|
    discount|item") and writes nothing."""
    client = session.get(Client, client_id)
    if client is None:
        raise DomainError(_("That client does not exist."), "client")
    errors: dict[str, str] = {}
    clean = check_lines(session, lines, client.discount_bp, apply_client_discount, errors)
    if errors:
        raise ValidationError(errors)
    t = totals_of(LineAmounts(x.gross, x.discount, x.line_total) for x in clean)
    return LinesPreview(tuple(clean), t.gross, t.discount, t.total)
