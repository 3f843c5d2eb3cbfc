"""Documents: work orders, estimates and sales — their lines, statuses and balance effect.

**Numbers.** Each kind has its own sequence (``numbering``: series "work_order",
"estimate", "sale"), with a prefix from the ``prefixes`` dict (default WO-/E-/S-):
``WO-000123``. Numbers are taken inside the creating transaction, so they are unique,
never reused and have no gaps even with several clerks creating documents at once.

**Arithmetic** (integers only: money in minor units, quantities in thousandths)::

    round_half_up(n / d)  = (2n + d) // 2d                  (n >= 0: halves go up)
    line gross            = round_half_up(quantity_milli * unit_price / 1000)
    percent discount      = round_half_up(gross * basis_points / 10000)   (0 .. 100 %)
    amount discount       = the amount given                              (0 .. gross)
    line total            = gross - discount                              (never < 0)
    document total        = sum of the line totals
    (document gross and discount shown = the sums of the lines' grosses and discounts)

Quantities are typed as "2", "1,5" or "0.25": more than zero, at most 3 decimals, at most
1 000 000. Unit prices are minor units from 0 up; a line's gross and the document's total
are at most ``ledger.MAX_ENTRY``. A new line without an explicit discount
(``discount_kind=None``) gets the client's discount (``Client.discount_bp``) as a
percentage unless ``apply_client_discount=False``.

**Statuses** and the only moves between them (``TRANSITIONS``)::

    work order: new -> in_progress <-> waiting_parts
                       in_progress -> ready -> closed        (issued to the client)
                       ready -> in_progress                  (back to the bench)
                       closed -> in_progress                 (reopen; needs "corrections")
                       new | in_progress | waiting_parts | ready -> cancelled   (final)
    estimate:   draft -> sent | accepted | rejected          (the client may accept at
                sent -> accepted | rejected                   the counter, unsent)
                accepted, rejected: final (an accepted estimate becomes a work order or a
                sale with ``convert_estimate``, once)
    sale:       completed (when made) -> refunded            (needs "refund"; final)

A closed work order is reopened to in_progress; to cancel it, reopen it first. Every
change (and the first status, from "") writes a ``document_status_change`` row with the
employee, the document's total at that moment and an optional note, bumps
``Document.version`` and writes an audit record.

**Balance effect** (ledger entries with source_type "document", source_id = the
document's id, reference = its number, in the same transaction)::

    sale made            Kind.SALE               +total
    sale refunded        Kind.SALE_REFUND        -total
    work order closed    Kind.WORK_ORDER         +total
    work order reopened  Kind.WORK_ORDER_REOPEN  -total   (closing again charges again)

Estimates and cancelled documents never charge. A zero total writes no entry.

**Editing.** Lines (and the asset) can be changed while a work order is open (new,
in_progress, waiting_parts, ready) and while an estimate is a draft or sent; never on a
sale, a closed or cancelled work order, or an accepted/rejected estimate. The comment can
always be changed. Saves carry the version the clerk opened: a stale save raises
:class:`StaleDocument` (with the current version and document) and writes nothing.

**What is paid and due.** paid = money in against the document minus money out against
it (voids of its payments). due = max(0, total - paid) for work orders (open or closed)
and completed sales; 0 for estimates, cancelled documents and refunded sales.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, text
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, delete, func, select

from ..errors import DomainError, ValidationError
from ..i18n import N_, _
from ..safetext import clean_input
from ..store.tables import Client, Employee
from ..store.tables.crm import Asset, Lead
from ..store.tables.documents import (
    CatalogItem,
    Document,
    DocumentLine,
    DocumentStatusChange,
    Payment,
)
from ..store.types import utcnow
from . import audit, ledger, numbering
from .staff import Actor, Perm, require

if TYPE_CHECKING:
    from .payments import PaymentRecord

SOURCE_TYPE = "document"  # ledger_entry.source_type of document charges
MAX_LINES = 500
MAX_DESCRIPTION = 500
MAX_COMMENT = 2000
MAX_NOTE = 500
MAX_QUANTITY_MILLI = 1_000_000 * 1000  # one million units
MAX_PERCENT_BP = 10_000
PAGE = 100


class DocKind(StrEnum):
    WORK_ORDER = "work_order"
    ESTIMATE = "estimate"
    SALE = "sale"


class Status(StrEnum):
    # work orders
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING_PARTS = "waiting_parts"
    READY = "ready"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    # estimates
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    # sales
    COMPLETED = "completed"
    REFUNDED = "refunded"


class DiscountKind(StrEnum):
    NONE = ""
    PERCENT = "percent"  # discount_value in basis points (1250 = 12.5 %)
    AMOUNT = "amount"  # discount_value in minor units


INITIAL_STATUS: dict[DocKind, Status] = {
    DocKind.WORK_ORDER: Status.NEW,
    DocKind.ESTIMATE: Status.DRAFT,
    DocKind.SALE: Status.COMPLETED,
}

OPEN_WORK_ORDER = frozenset({Status.NEW, Status.IN_PROGRESS, Status.WAITING_PARTS, Status.READY})

TRANSITIONS: dict[DocKind, dict[Status, tuple[Status, ...]]] = {
    DocKind.WORK_ORDER: {
        Status.NEW: (Status.IN_PROGRESS, Status.CANCELLED),
        Status.IN_PROGRESS: (Status.WAITING_PARTS, Status.READY, Status.CANCELLED),
        Status.WAITING_PARTS: (Status.IN_PROGRESS, Status.CANCELLED),
        Status.READY: (Status.CLOSED, Status.IN_PROGRESS, Status.CANCELLED),
        Status.CLOSED: (Status.IN_PROGRESS,),
        Status.CANCELLED: (),
    },
    DocKind.ESTIMATE: {
        Status.DRAFT: (Status.SENT, Status.ACCEPTED, Status.REJECTED),
        Status.SENT: (Status.ACCEPTED, Status.REJECTED),
        Status.ACCEPTED: (),
        Status.REJECTED: (),
    },
    DocKind.SALE: {
        Status.COMPLETED: (Status.REFUNDED,),
        Status.REFUNDED: (),
    },
}

# Moves that take money off what the client owes without money changing hands.
PERMISSIONS: dict[tuple[DocKind, Status, Status], Perm] = {
    (DocKind.WORK_ORDER, Status.CLOSED, Status.IN_PROGRESS): Perm.CORRECTIONS,
    (DocKind.SALE, Status.COMPLETED, Status.REFUNDED): Perm.REFUND,
}

# (kind, from, to) -> the ledger entry it writes: kind and sign of the total.
EFFECTS: dict[tuple[DocKind, str, Status], tuple[ledger.Kind, int]] = {
    (DocKind.SALE, "", Status.COMPLETED): (ledger.Kind.SALE, 1),
    (DocKind.SALE, Status.COMPLETED, Status.REFUNDED): (ledger.Kind.SALE_REFUND, -1),
    (DocKind.WORK_ORDER, Status.READY, Status.CLOSED): (ledger.Kind.WORK_ORDER, 1),
    (DocKind.WORK_ORDER, Status.CLOSED, Status.IN_PROGRESS): (
        ledger.Kind.WORK_ORDER_REOPEN,
        -1,
    ),
}


def ledger_effect(kind: str, from_status: str, to_status: str) -> tuple[ledger.Kind, int] | None:
    """The ledger entry a status change writes (its kind and the sign of the total)."""
    try:
        return EFFECTS.get((DocKind(kind), from_status, Status(to_status)))
    except ValueError:
        return None


# --- labels ------------------------------------------------------------------------------


_KIND_LABELS = {
    DocKind.WORK_ORDER.value: N_("Work order"),
    DocKind.ESTIMATE.value: N_("Estimate"),
    DocKind.SALE.value: N_("Sale"),
}
_STATUS_LABELS = {
    Status.NEW.value: N_("New"),
    Status.IN_PROGRESS.value: N_("In progress"),
    Status.WAITING_PARTS.value: N_("Waiting for parts"),
    Status.READY.value: N_("Ready"),
    Status.CLOSED.value: N_("Closed"),
    Status.CANCELLED.value: N_("Cancelled"),
    Status.DRAFT.value: N_("Draft"),
    Status.SENT.value: N_("Sent"),
    Status.ACCEPTED.value: N_("Accepted"),
    Status.REJECTED.value: N_("Rejected"),
    Status.COMPLETED.value: N_("Completed"),
    Status.REFUNDED.value: N_("Refunded"),
}


def kind_label(kind: str) -> str:
    """The kind as a clerk reads it (translated when called)."""
    message = _KIND_LABELS.get(kind)
    return _(message) if message is not None else str(kind)


def status_label(status: str) -> str:
    """The status as a clerk reads it (translated when called)."""
    message = _STATUS_LABELS.get(status)
    return _(message) if message is not None else str(status)


def action_label(kind: str, from_status: str, to_status: str) -> str:
    """What a status button says ("Close", "Reopen", "Refund", ...)."""
    if (kind, from_status, to_status) == (DocKind.WORK_ORDER, Status.CLOSED, Status.IN_PROGRESS):
        return _("Reopen")
    actions = {
        Status.IN_PROGRESS: _("Start work"),
        Status.WAITING_PARTS: _("Wait for parts"),
        Status.READY: _("Mark ready"),
        Status.CLOSED: _("Close and issue"),
        Status.CANCELLED: _("Cancel"),
        Status.SENT: _("Mark sent"),
        Status.ACCEPTED: _("Accept"),
        Status.REJECTED: _("Reject"),
        Status.REFUNDED: _("Refund the sale"),
    }
    try:
        return actions.get(Status(to_status), status_label(to_status))
    except ValueError:
        return str(to_status)


def kind_choices() -> list[tuple[str, str]]:
    """(value, label) of every document kind."""
    return [(k.value, kind_label(k)) for k in DocKind]


def status_choices(kind: str) -> list[tuple[str, str]]:
    """(value, label) of every status of a kind, in workflow order."""
    return [(s.value, status_label(s)) for s in TRANSITIONS[DocKind(kind)]]


def allowed_next(kind: str, status: str) -> tuple[str, ...]:
    """The statuses a document of ``kind`` may move to from ``status``."""
    try:
        return tuple(s.value for s in TRANSITIONS[DocKind(kind)].get(Status(status), ()))
    except ValueError:
        return ()


def lines_editable(kind: str, status: str) -> bool:
    if kind == DocKind.WORK_ORDER:
        return status in OPEN_WORK_ORDER
    if kind == DocKind.ESTIMATE:
        return status in (Status.DRAFT, Status.SENT)
    return False


def takes_payments(kind: str, status: str) -> bool:
    """Whether money may be taken against a document in this state."""
    if kind == DocKind.WORK_ORDER:
        return status != Status.CANCELLED
    if kind == DocKind.SALE:
        return status == Status.COMPLETED
    return False


def charged(kind: str, status: str, total: int) -> int:
    """What the document currently charges the client's balance."""
    if (kind, status) in ((DocKind.SALE, Status.COMPLETED), (DocKind.WORK_ORDER, Status.CLOSED)):
        return total
    return 0


def due_amount(kind: str, status: str, total: int, paid: int) -> int:
    return max(0, total - paid) if takes_payments(kind, status) else 0


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
    from .clients import parse_discount

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
    """A line's amounts by the rule in the module's docstring (inputs already valid)."""
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


@dataclass(frozen=True)
class StatusOption:
    status: str
    label: str  # the status's name
    action: str  # what the button says ("Close and issue", "Reopen", ...)
    permission: str | None  # the permission it needs, if any
    charges: int  # the signed amount it would put on the balance (0: none)


@dataclass(frozen=True)
class StatusChangeRecord:
    id: int
    at: datetime
    employee: str
    from_status: str
    from_label: str  # "" for the first status
    to_status: str
    to_label: str
    total: int  # the document's total at that moment
    note: str


@dataclass(frozen=True)
class DocumentRow:
    """One row of the Documents tab."""

    id: int
    at: datetime
    number: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    employee: str
    total: int
    paid: int
    due: int
    charged: int  # what it currently charges the balance
    asset_id: int | None
    estimate_id: int | None


@dataclass(frozen=True)
class DocumentDetail:
    """Everything the document dialog shows."""

    id: int
    client_id: int
    client_name: str
    kind: str
    kind_label: str
    number: str
    status: str
    status_label: str
    at: datetime
    employee: str
    updated_at: datetime
    version: int
    comment: str
    asset_id: int | None
    asset_label: str
    lead_id: int | None
    estimate_id: int | None
    estimate_number: str
    converted_to: tuple[tuple[int, str], ...]  # (id, number) of documents made from it
    lines: tuple[LineRecord, ...]
    gross: int
    discount: int
    total: int
    charged: int
    paid: int
    due: int
    payments: tuple[PaymentRecord, ...]
    history: tuple[StatusChangeRecord, ...]
    next_statuses: tuple[StatusOption, ...]
    editable: bool  # lines and asset can be changed
    can_take_payment: bool  # something is due

    @property
    def is_open(self) -> bool:
        return bool(self.next_statuses) or self.editable


class StaleDocument(DomainError):
    """Someone changed the document after this copy was read; nothing was written.
    ``current_version`` and ``current`` (the document as it is now) let the UI offer the
    clerk the newer version."""

    def __init__(self, current: DocumentDetail) -> None:
        super().__init__(_("Another employee changed this document after you opened it."))
        self.current = current
        self.current_version = current.version


class IllegalTransition(DomainError):
    """The document cannot move from its status to the one asked for."""

    def __init__(self, message: str, from_status: str, to_status: str) -> None:
        super().__init__(message, "status")
        self.from_status = from_status
        self.to_status = to_status


# --- validation ------------------------------------------------------------------------------


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def lock_for_write(session: Session, client_id: int, document_id: int | None = None) -> None:
    """Serialise writers of one client's documents and payments (SQLite: the write lock
    is already held by BEGIN IMMEDIATE)."""
    if session.connection().dialect.name == "sqlite":
        return
    session.connection().execute(
        text("SELECT id FROM client WHERE id = :id FOR UPDATE"), {"id": client_id}
    )
    if document_id is not None:
        session.connection().execute(
            text("SELECT id FROM document WHERE id = :id FOR UPDATE"), {"id": document_id}
        )


def _one_line(value: str) -> str:
    return " ".join(clean_input(value or "").split())


def _check_lines(
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
    item_ids = {ln.item_id for ln in lines if _is_int(ln.item_id)}
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
            item = items.get(line.item_id) if _is_int(line.item_id) else None
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
        elif not _is_int(price):
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
        elif not _is_int(value):
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
    clean = _check_lines(session, lines, client.discount_bp, apply_client_discount, errors)
    if errors:
        raise ValidationError(errors)
    t = totals_of(LineAmounts(x.gross, x.discount, x.line_total) for x in clean)
    return LinesPreview(tuple(clean), t.gross, t.discount, t.total)


def _check_comment(comment: str, errors: dict[str, str]) -> str:
    value = clean_input(comment or "")
    if len(value) > MAX_COMMENT:
        errors["comment"] = _("At most {n} characters.").format(n=MAX_COMMENT)
    return value


def _check_asset(
    session: Session, client_id: int, kind: str, asset_id: int | None, errors: dict[str, str]
) -> None:
    if asset_id is None:
        return
    if kind == DocKind.SALE:
        errors["asset"] = _("Only work orders and estimates are linked to an asset.")
        return
    asset = session.get(Asset, asset_id) if _is_int(asset_id) else None
    if asset is None:
        errors["asset"] = _("That asset does not exist.")
    elif asset.client_id != client_id:
        errors["asset"] = _("That asset belongs to another client.")


def _check_note(note: str) -> str:
    value = clean_input(note or "")
    if len(value) > MAX_NOTE:
        raise DomainError(_("At most {n} characters.").format(n=MAX_NOTE), "note")
    return value


# --- writing -------------------------------------------------------------------------------


def _write_lines(session: Session, document_id: int, lines: Sequence[LineRecord]) -> None:
    for position, ln in enumerate(lines):
        session.add(
            DocumentLine(
                document_id=document_id,
                position=position,
                item_id=ln.item_id,
                description=ln.description,
                quantity_milli=ln.quantity_milli,
                unit_price=ln.unit_price,
                discount_kind=ln.discount_kind,
                discount_value=ln.discount_value,
                line_total=ln.line_total,
            )
        )


def _record_status(
    session: Session,
    actor: Actor,
    doc: Document,
    from_status: str,
    to_status: str,
    note: str,
) -> None:
    """The history row, and the ledger entry the change writes, if any."""
    assert doc.id is not None
    session.add(
        DocumentStatusChange(
            document_id=doc.id,
            at=utcnow(),
            employee_id=actor.id,
            from_status=from_status,
            to_status=to_status,
            total=doc.total,
            note=note,
        )
    )
    effect = ledger_effect(doc.kind, from_status, to_status)
    if effect is not None and doc.total != 0:
        ledger_kind, sign = effect
        ledger.post(
            session,
            client_id=doc.client_id,
            employee_id=actor.id,
            kind=ledger_kind,
            amount=sign * doc.total,
            source_type=SOURCE_TYPE,
            source_id=doc.id,
            reference=doc.number,
            comment=note,
        )
    session.flush()


def _insert(
    session: Session,
    actor: Actor,
    client_id: int,
    kind: DocKind,
    lines: Sequence[LineRecord],
    *,
    comment: str,
    asset_id: int | None,
    lead_id: int | None,
    estimate_id: int | None,
    prefixes: dict[str, str] | None,
) -> int:
    now = utcnow()
    total = sum(x.line_total for x in lines)
    doc = Document(
        kind=kind.value,
        number=numbering.next_number(session, kind.value, prefixes),
        client_id=client_id,
        status=INITIAL_STATUS[kind].value,
        asset_id=asset_id,
        lead_id=lead_id,
        estimate_id=estimate_id,
        total=total,
        comment=comment,
        version=1,
        created_at=now,
        created_by=actor.id,
        updated_at=now,
        updated_by=actor.id,
    )
    session.add(doc)
    session.flush()
    assert doc.id is not None
    _write_lines(session, doc.id, lines)
    _record_status(session, actor, doc, "", doc.status, "")
    audit.record(
        session,
        actor.id,
        "document.create",
        "document",
        doc.id,
        client_id=client_id,
        kind=kind.value,
        number=doc.number,
        total=total,
        lines=len(lines),
        estimate_id=estimate_id,
    )
    return doc.id


def create_document(
    session: Session,
    actor: Actor,
    client_id: int,
    kind: str,
    lines: Sequence[LineInput],
    *,
    comment: str = "",
    asset_id: int | None = None,
    lead_id: int | None = None,
    apply_client_discount: bool = True,
    prefixes: dict[str, str] | None = None,
) -> DocumentDetail:
    """A new work order (status new), estimate (draft) or sale (completed: charges the
    client at once). Raises ValidationError (keys "kind", "lines", "line.N.<field>",
    "asset", "lead", "comment") and writes nothing when anything is wrong."""
    client = session.get(Client, client_id, populate_existing=True)
    if client is None:
        raise DomainError(_("That client does not exist."), "client")
    errors: dict[str, str] = {}
    try:
        doc_kind = DocKind(kind)
    except ValueError:
        raise ValidationError({"kind": _("Choose a work order, an estimate or a sale.")}) from None
    lock_for_write(session, client_id)
    clean = _check_lines(session, lines, client.discount_bp, apply_client_discount, errors)
    text_ = _check_comment(comment, errors)
    _check_asset(session, client_id, doc_kind, asset_id, errors)
    if lead_id is not None:
        lead = session.get(Lead, lead_id) if _is_int(lead_id) else None
        if lead is None or lead.client_id != client_id:
            errors["lead"] = _("That lead is not this client's.")
    if errors:
        raise ValidationError(errors)
    doc_id = _insert(
        session,
        actor,
        client_id,
        doc_kind,
        clean,
        comment=text_,
        asset_id=asset_id,
        lead_id=lead_id,
        estimate_id=None,
        prefixes=prefixes,
    )
    return get_document(session, doc_id)


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()  # "leave as it is" for update_document's asset_id


def _load(session: Session, document_id: int) -> Document:
    doc = session.get(Document, document_id, populate_existing=True)
    if doc is None:
        raise DomainError(_("That document does not exist."))
    return doc


def _bump(session: Session, doc: Document, expected_version: int) -> None:
    """Compare-and-set the version (the caller has checked it under the lock)."""
    claimed = (
        session.connection()
        .execute(
            text("UPDATE document SET version = version + 1 WHERE id = :id AND version = :v"),
            {"id": doc.id, "v": expected_version},
        )
        .rowcount
    )
    if claimed != 1:
        raise StaleDocument(get_document(session, doc.id or 0))
    session.refresh(doc)


def _frozen_message(kind: str, status: str) -> str:
    if kind == DocKind.SALE:
        return _("A sale cannot be changed; refund it instead.")
    if kind == DocKind.WORK_ORDER and status == Status.CLOSED:
        return _("Reopen the work order to change its lines.")
    if status == Status.CANCELLED:
        return _("A cancelled document cannot be changed.")
    return _("An accepted or rejected estimate cannot be changed.")


def update_document(
    session: Session,
    actor: Actor,
    document_id: int,
    expected_version: int,
    *,
    lines: Sequence[LineInput] | None = None,
    comment: str | None = None,
    asset_id: int | _Keep | None = KEEP,
    apply_client_discount: bool = True,
) -> DocumentDetail:
    """Save the line editor (``lines`` replaces every line; None keeps them), the comment
    and the asset. Lines and asset only while the document is editable (see the module
    docstring). Raises StaleDocument if someone saved since ``expected_version``."""
    doc = _load(session, document_id)
    lock_for_write(session, doc.client_id, document_id)
    doc = _load(session, document_id)
    if doc.version != expected_version:
        raise StaleDocument(get_document(session, document_id))
    changing_lines = lines is not None or not isinstance(asset_id, _Keep)
    if changing_lines and not lines_editable(doc.kind, doc.status):
        raise DomainError(_frozen_message(doc.kind, doc.status), "lines")
    client = session.get(Client, doc.client_id, populate_existing=True)
    assert client is not None
    errors: dict[str, str] = {}
    clean = (
        _check_lines(session, lines, client.discount_bp, apply_client_discount, errors)
        if lines is not None
        else None
    )
    new_comment = _check_comment(comment, errors) if comment is not None else doc.comment
    if not isinstance(asset_id, _Keep):
        _check_asset(session, doc.client_id, doc.kind, asset_id, errors)
    if errors:
        raise ValidationError(errors)
    _bump(session, doc, expected_version)
    changed: dict[str, object] = {}
    if clean is not None:
        session.exec(delete(DocumentLine).where(col(DocumentLine.document_id) == document_id))
        session.flush()
        _write_lines(session, document_id, clean)
        new_total = sum(x.line_total for x in clean)
        changed.update(lines=len(clean), total_before=doc.total, total=new_total)
        doc.total = new_total
    if new_comment != doc.comment:
        changed["comment"] = True
        doc.comment = new_comment
    if not isinstance(asset_id, _Keep) and asset_id != doc.asset_id:
        changed.update(asset_before=doc.asset_id, asset=asset_id)
        doc.asset_id = asset_id
    doc.updated_at = utcnow()
    doc.updated_by = actor.id
    session.add(doc)
    session.flush()
    audit.record(
        session,
        actor.id,
        "document.update",
        "document",
        document_id,
        number=doc.number,
        version=doc.version,
        **changed,
    )
    return get_document(session, document_id)


def change_status(
    session: Session,
    actor: Actor,
    document_id: int,
    status: str,
    *,
    expected_version: int | None = None,
    note: str = "",
) -> DocumentDetail:
    """Move the document to ``status`` if ``TRANSITIONS`` allows it, writing the history
    row, the ledger entry it causes (see the module docstring) and an audit record.
    Raises IllegalTransition, PermissionDenied or StaleDocument and writes nothing."""
    doc = _load(session, document_id)
    lock_for_write(session, doc.client_id, document_id)
    doc = _load(session, document_id)
    if expected_version is not None and doc.version != expected_version:
        raise StaleDocument(get_document(session, document_id))
    current = doc.status
    if status not in allowed_next(doc.kind, current):
        if status == current:
            message = _("The document already is {status}.").format(status=status_label(status))
        else:
            message = _("The status cannot go from {old} to {new}.").format(
                old=status_label(current), new=status_label(status)
            )
        raise IllegalTransition(message, current, str(status))
    status = Status(status).value
    permission = PERMISSIONS.get((DocKind(doc.kind), Status(current), Status(status)))
    if permission is not None:
        require(actor, permission)
    clean_note = _check_note(note)
    _bump(session, doc, doc.version)
    doc.status = status
    doc.updated_at = utcnow()
    doc.updated_by = actor.id
    session.add(doc)
    session.flush()
    _record_status(session, actor, doc, current, status, clean_note)
    audit.record(
        session,
        actor.id,
        "document.status",
        "document",
        document_id,
        number=doc.number,
        from_status=current,
        to_status=status,
        total=doc.total,
        note=clean_note,
    )
    return get_document(session, document_id)


def reopen(
    session: Session,
    actor: Actor,
    document_id: int,
    *,
    expected_version: int | None = None,
    note: str = "",
) -> DocumentDetail:
    """A closed work order back to in progress; its charge is reversed by a new entry."""
    return change_status(
        session,
        actor,
        document_id,
        Status.IN_PROGRESS,
        expected_version=expected_version,
        note=note,
    )


def refund_sale(
    session: Session,
    actor: Actor,
    document_id: int,
    *,
    expected_version: int | None = None,
    note: str = "",
) -> DocumentDetail:
    """A completed sale refunded: the client owes its total less (money back to the
    client is a separate refund payment)."""
    return change_status(
        session, actor, document_id, Status.REFUNDED, expected_version=expected_version, note=note
    )


def convert_estimate(
    session: Session,
    actor: Actor,
    estimate_id: int,
    kind: str,
    *,
    prefixes: dict[str, str] | None = None,
) -> DocumentDetail:
    """A new work order or sale with an accepted estimate's lines (discounts as they are),
    comment and (work orders) asset; ``estimate_id`` points back. An estimate becomes at
    most one document that is not cancelled."""
    est = _load(session, estimate_id)
    if est.kind != DocKind.ESTIMATE:
        raise DomainError(_("Only an estimate can be turned into another document."))
    try:
        target = DocKind(kind)
    except ValueError:
        target = DocKind.ESTIMATE
    if target == DocKind.ESTIMATE:
        raise ValidationError({"kind": _("Choose a work order or a sale.")})
    lock_for_write(session, est.client_id, estimate_id)
    est = _load(session, estimate_id)
    if est.status != Status.ACCEPTED:
        raise DomainError(_("Only an accepted estimate can be turned into a work order or a sale."))
    existing = session.exec(
        select(Document.number).where(
            Document.estimate_id == estimate_id, Document.status != Status.CANCELLED.value
        )
    ).first()
    if existing is not None:
        raise DomainError(
            _("This estimate already became {number}.").format(number=existing), "estimate"
        )
    detail = get_document(session, estimate_id)
    asset_id = est.asset_id if target == DocKind.WORK_ORDER else None
    if asset_id is not None:
        asset = session.get(Asset, asset_id)
        if asset is None or asset.client_id != est.client_id:
            asset_id = None  # the device has changed hands since the estimate
    doc_id = _insert(
        session,
        actor,
        est.client_id,
        target,
        detail.lines,
        comment=est.comment,
        asset_id=asset_id,
        lead_id=est.lead_id,
        estimate_id=estimate_id,
        prefixes=prefixes,
    )
    audit.record(
        session,
        actor.id,
        "document.convert",
        "document",
        estimate_id,
        number=est.number,
        into=doc_id,
        kind=target.value,
    )
    return get_document(session, doc_id)


# --- reading -------------------------------------------------------------------------------


def paid_by_document(session: Session, document_ids: Iterable[int]) -> dict[int, int]:
    """Net money against each document (in minus out), in one grouped query."""
    ids = list(document_ids)
    if not ids:
        return {}
    signed = case((col(Payment.direction) == "in", col(Payment.amount)), else_=-col(Payment.amount))
    rows = session.exec(
        select(Payment.document_id, func.sum(signed))
        .where(col(Payment.document_id).in_(ids))
        .group_by(col(Payment.document_id))
    ).all()
    return {int(doc_id): int(total or 0) for doc_id, total in rows if doc_id is not None}


def document_version(session: Session, document_id: int) -> int:
    version = session.exec(select(Document.version).where(Document.id == document_id)).first()
    if version is None:
        raise DomainError(_("That document does not exist."))
    return int(version)


@cache
def _row_base() -> tuple[Any, Any]:
    """The columns of a Documents tab row and the money paid against each document (a
    correlated sum over the payment index: it reads only the page's documents' payments,
    however long the client's history). Built once; callers add WHERE and LIMIT."""
    paid = (
        sa_select(func.coalesce(func.sum(_signed_payment()), 0))
        .where(col(Payment.document_id) == col(Document.id))
        .scalar_subquery()
    )
    query = (
        sa_select(
            col(Document.id),
            col(Document.created_at),
            col(Document.number),
            col(Document.kind),
            col(Document.status),
            col(Document.total),
            col(Document.asset_id),
            col(Document.estimate_id),
            col(Employee.name),
            paid,
        )
        .select_from(Document)
        .join(Employee, col(Employee.id) == col(Document.created_by), isouter=True)
        .order_by(col(Document.id).desc())
    )
    return query, paid


def _signed_payment() -> Any:
    return case((col(Payment.direction) == "in", col(Payment.amount)), else_=-col(Payment.amount))


def _rows(session: Session, query: Any) -> list[DocumentRow]:
    """DocumentRows from a ``_row_base`` query; each label is translated once a call."""
    kinds: dict[str, str] = {}
    statuses: dict[str, str] = {}
    out = []
    for (
        doc_id,
        at,
        number,
        kind,
        status,
        total,
        asset_id,
        estimate_id,
        employee,
        paid,
    ) in session.connection().execute(query).all():
        kind_text = kinds.get(kind)
        if kind_text is None:
            kind_text = kinds[kind] = kind_label(kind)
        status_text = statuses.get(status)
        if status_text is None:
            status_text = statuses[status] = status_label(status)
        out.append(
            DocumentRow(
                id=doc_id,
                at=at,
                number=number,
                kind=kind,
                kind_label=kind_text,
                status=status,
                status_label=status_text,
                employee=employee or "",
                total=total,
                paid=int(paid),
                due=due_amount(kind, status, total, int(paid)),
                charged=charged(kind, status, total),
                asset_id=asset_id,
                estimate_id=estimate_id,
            )
        )
    return out


def list_documents(
    session: Session, client_id: int, *, before_id: int | None = None, limit: int = PAGE
) -> list[DocumentRow]:
    """The client's documents, newest first, a page at a time (keyset: pass the last
    row's id as ``before_id`` for the next page). One query, on the (client, id) index:
    a page costs the same for a client with 2,000 documents as for one with 5."""
    query = _row_base()[0].where(col(Document.client_id) == client_id)
    if before_id is not None:
        query = query.where(col(Document.id) < before_id)
    return _rows(session, query.limit(max(1, min(limit, 500))))


def payable_documents(session: Session, client_id: int, *, limit: int = 50) -> list[DocumentRow]:
    """The client's work orders and sales with something due, newest first (what "+
    Advance" offers to pay against)."""
    base, paid = _row_base()
    query = base.where(
        col(Document.client_id) == client_id,
        (
            (col(Document.kind) == DocKind.WORK_ORDER.value)
            & (col(Document.status) != Status.CANCELLED.value)
        )
        | (
            (col(Document.kind) == DocKind.SALE.value)
            & (col(Document.status) == Status.COMPLETED.value)
        ),
        col(Document.total) > paid,
    ).limit(max(1, min(limit, 500)))
    return _rows(session, query)


def _asset_label(asset: Asset | None) -> str:
    if asset is None:
        return ""
    name = " ".join(p for p in (asset.kind, asset.brand, asset.model) if p)
    return f"{name} ({asset.serial})" if name else asset.serial


def asset_choices(session: Session, client_id: int) -> list[tuple[int, str]]:
    """(id, label) of the client's assets, for a work order's asset picker."""
    rows = session.exec(
        select(Asset).where(Asset.client_id == client_id).order_by(col(Asset.id).desc())
    )
    return [(a.id or 0, _asset_label(a)) for a in rows]


def _lines(session: Session, document_id: int) -> tuple[LineRecord, ...]:
    rows = session.exec(
        select(DocumentLine)
        .where(DocumentLine.document_id == document_id)
        .order_by(col(DocumentLine.position), col(DocumentLine.id))
    ).all()
    out = []
    for r in rows:
        amounts = compute_line(r.quantity_milli, r.unit_price, r.discount_kind, r.discount_value)
        out.append(
            LineRecord(
                id=r.id or 0,
                position=r.position,
                item_id=r.item_id,
                description=r.description,
                quantity_milli=r.quantity_milli,
                unit_price=r.unit_price,
                discount_kind=r.discount_kind,
                discount_value=r.discount_value,
                gross=amounts.gross,
                discount=amounts.discount,
                line_total=r.line_total,
            )
        )
    return tuple(out)


def _history(session: Session, document_id: int) -> tuple[StatusChangeRecord, ...]:
    rows = session.exec(
        select(DocumentStatusChange, Employee.name)
        .join(Employee, col(Employee.id) == col(DocumentStatusChange.employee_id), isouter=True)
        .where(DocumentStatusChange.document_id == document_id)
        .order_by(col(DocumentStatusChange.id))
    ).all()
    return tuple(
        StatusChangeRecord(
            id=c.id or 0,
            at=c.at,
            employee=name or "",
            from_status=c.from_status,
            from_label=status_label(c.from_status) if c.from_status else "",
            to_status=c.to_status,
            to_label=status_label(c.to_status),
            total=c.total,
            note=c.note,
        )
        for c, name in rows
    )


def _options(doc: Document) -> tuple[StatusOption, ...]:
    out = []
    for nxt in allowed_next(doc.kind, doc.status):
        perm = PERMISSIONS.get((DocKind(doc.kind), Status(doc.status), Status(nxt)))
        effect = ledger_effect(doc.kind, doc.status, nxt)
        out.append(
            StatusOption(
                status=nxt,
                label=status_label(nxt),
                action=action_label(doc.kind, doc.status, nxt),
                permission=perm.value if perm is not None else None,
                charges=effect[1] * doc.total if effect is not None else 0,
            )
        )
    return tuple(out)


def get_document(session: Session, document_id: int) -> DocumentDetail:
    """The document with its lines, totals, payments, due, history and next statuses."""
    from .payments import document_payments

    maker = aliased(Employee)
    row = session.exec(
        select(Document, Client.name, maker.name)
        .join(Client, col(Client.id) == col(Document.client_id))
        .join(maker, col(maker.id) == col(Document.created_by), isouter=True)
        .where(Document.id == document_id)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise DomainError(_("That document does not exist."))
    doc, client_name, employee = row
    lines = _lines(session, document_id)
    totals = totals_of(LineAmounts(x.gross, x.discount, x.line_total) for x in lines)
    paid = paid_by_document(session, [document_id]).get(document_id, 0)
    due = due_amount(doc.kind, doc.status, doc.total, paid)
    estimate_number = ""
    if doc.estimate_id is not None:
        estimate_number = (
            session.exec(select(Document.number).where(Document.id == doc.estimate_id)).first()
            or ""
        )
    converted = tuple(
        (int(i or 0), n)
        for i, n in session.exec(
            select(Document.id, Document.number)
            .where(Document.estimate_id == document_id)
            .order_by(col(Document.id))
        )
    )
    asset = session.get(Asset, doc.asset_id) if doc.asset_id is not None else None
    return DocumentDetail(
        id=document_id,
        client_id=doc.client_id,
        client_name=client_name,
        kind=doc.kind,
        kind_label=kind_label(doc.kind),
        number=doc.number,
        status=doc.status,
        status_label=status_label(doc.status),
        at=doc.created_at,
        employee=employee or "",
        updated_at=doc.updated_at,
        version=doc.version,
        comment=doc.comment,
        asset_id=doc.asset_id,
        asset_label=_asset_label(asset),
        lead_id=doc.lead_id,
        estimate_id=doc.estimate_id,
        estimate_number=estimate_number,
        converted_to=converted,
        lines=lines,
        gross=totals.gross,
        discount=totals.discount,
        total=doc.total,
        charged=charged(doc.kind, doc.status, doc.total),
        paid=paid,
        due=due,
        payments=tuple(document_payments(session, document_id)),
        history=_history(session, document_id),
        next_statuses=_options(doc),
        editable=lines_editable(doc.kind, doc.status),
        can_take_payment=due > 0,
    )
