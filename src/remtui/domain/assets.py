"""Assets: the devices a client left with the shop or that the shop knows of.

An asset has a serial number or IMEI, unique across the shop once normalised
(:func:`serial_key`: upper-case, without spaces, dashes and dots), so "ab-12 34" and
"AB1234" are the same device. A 15-digit key is taken for an IMEI and its Luhn check digit
must be right. The unique index on ``asset.serial_key`` is the final judge: of two clerks
saving the same serial at once exactly one wins, and the other gets :class:`DuplicateSerial`
naming the client who has it.

Every asset is in one warehouse (the shop's own places, or "with the client"); each move
is recorded (the first one is where it was registered). Every change bumps
``Asset.version``; a save or move from an older copy is refused with :class:`StaleAsset`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..errors import DomainError, ValidationError
from ..i18n import _
from ..safetext import clean_input
from ..store.tables.core import Client, Employee, Warehouse
from ..store.tables.crm import Asset, AssetMove
from ..store.tables.documents import Document
from ..store.types import utcnow
from . import audit
from .actor import Actor
from .crm_common import (
    StaleRecord,
    all_or_nothing,
    check_length,
    claim,
    count_for_client,
    created_stamps,
    employee_names,
    insert,
    load,
    one_line,
    page,
    require_client,
    version_of,
)

LIMITS = {"serial": 64, "kind": 100, "brand": 100, "model": 100, "notes": 5000}
# Dropped when comparing serials: spaces of every kind, dashes of every kind, dots.
_SEPARATORS = frozenset("-‐‑‒–—―−.·")
IMEI_LENGTH = 15


# --- serial numbers and IMEIs ----------------------------------------------------------------


def serial_key(raw: str) -> str:
    """What serials are compared by: "ab-12 34" -> "AB1234", "35-209900-176148-1" ->
    "352099001761481". Full-width and other compatibility characters are folded first."""
    value = unicodedata.normalize("NFKC", clean_input(raw or ""))
    return "".join(ch for ch in value if not ch.isspace() and ch not in _SEPARATORS).upper()


def looks_like_imei(key: str) -> bool:
    """A normalised serial of exactly 15 digits is taken for an IMEI."""
    return len(key) == IMEI_LENGTH and key.isascii() and key.isdigit()


def luhn_ok(digits: str) -> bool:
    """The Luhn check (the IMEI's last digit checks the 14 before it), by python-stdnum."""
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    from stdnum import luhn

    return luhn.is_valid(digits)


def imei_ok(key: str) -> bool:
    """Whether a 15-digit key is a well-formed IMEI (python-stdnum: digits and check digit)."""
    from stdnum import imei

    return looks_like_imei(key) and imei.is_valid(key)


def display_name(kind: str, brand: str, model: str) -> str:
    """ "Phone Apple iPhone 12": the non-empty name parts, in order."""
    return " ".join(part for part in (kind, brand, model) if part)


# --- records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssetForm:
    """The editable fields, as the clerk typed them (validated on save)."""

    serial: str
    kind: str = ""
    brand: str = ""
    model: str = ""
    notes: str = ""


@dataclass(frozen=True)
class AssetMoveRow:
    """One move in the asset's history (the first has no "from": it is the registration)."""

    id: int
    at: datetime
    employee_id: int | None
    employee_name: str
    from_warehouse_id: int | None
    from_warehouse_name: str
    to_warehouse_id: int
    to_warehouse_name: str


@dataclass(frozen=True)
class LinkedWorkOrder:
    """A work order for this asset. ``status`` is the documents domain's raw value."""

    id: int
    number: str
    status: str
    created_at: datetime
    total: int  # minor units


@dataclass(frozen=True)
class AssetRecord:
    """Everything the asset's profile shows."""

    id: int
    serial: str  # as the clerk typed it
    serial_key: str
    kind: str
    brand: str
    model: str
    name: str  # display_name(kind, brand, model)
    notes: str
    client_id: int
    client_name: str
    warehouse_id: int
    warehouse_name: str
    warehouse_kind: str  # "shop" | "client"
    version: int
    created_at: datetime
    created_by: int | None
    created_by_name: str
    updated_at: datetime
    updated_by: int | None
    updated_by_name: str
    moves: tuple[AssetMoveRow, ...]  # oldest first
    work_orders: tuple[LinkedWorkOrder, ...]  # newest first

    @property
    def is_imei(self) -> bool:
        return looks_like_imei(self.serial_key)

    def as_form(self) -> AssetForm:
        return AssetForm(self.serial, self.kind, self.brand, self.model, self.notes)


@dataclass(frozen=True)
class AssetRow:
    """One line of the Assets tab (and of a serial look-up)."""

    id: int
    serial: str
    name: str
    warehouse_id: int
    warehouse_name: str
    warehouse_kind: str
    client_id: int
    version: int


class DuplicateSerial(DomainError):
    """Another asset has this serial. ``client_id``/``client_name`` name its owner when the
    clerk may see that client (None otherwise); ``asset_id`` is the other asset."""

    def __init__(
        self,
        key: str,
        asset_id: int | None,
        client_id: int | None,
        client_name: str | None,
    ) -> None:
        if client_name is not None:
            message = _("This serial number is already registered to the client {client}.").format(
                client=client_name
            )
        else:
            message = _("This serial number is already registered to another client.")
        super().__init__(message, "serial")
        self.serial_key = key
        self.asset_id = asset_id
        self.client_id = client_id
        self.client_name = client_name


class StaleAsset(StaleRecord[AssetRecord, AssetForm]):
    """Someone changed the asset after this copy was read. ``current`` is the asset as it
    is now; ``mine`` the form the clerk tried to save (None for a move)."""

    def __init__(self, current: AssetRecord, mine: AssetForm | None = None) -> None:
        super().__init__(
            _("Another employee changed this asset after you opened it."), current, mine
        )


def may_see_client(actor: Actor, client_id: int) -> bool:
    """Whether a duplicate-serial error may name the owner. Every employee may see every
    client for now; this is the one place to narrow it."""
    return True


# --- validation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Clean:
    serial: str
    key: str
    kind: str
    brand: str
    model: str
    notes: str


def _validate(form: AssetForm) -> _Clean:
    errors: dict[str, str] = {}

    def field(name: str, value: str) -> str:
        value = one_line(value)
        check_length(errors, name, value, LIMITS[name])
        return value

    serial = field("serial", form.serial)
    key = serial_key(serial)
    if "serial" not in errors:
        if not key:
            errors["serial"] = _("Enter the serial number or IMEI.")
        elif looks_like_imei(key) and not imei_ok(key):
            errors["serial"] = _(
                "That IMEI's check digit is wrong: check the 15 digits (*#06# shows them)."
            )
    kind = field("kind", form.kind)
    brand = field("brand", form.brand)
    model = field("model", form.model)
    if not (kind or brand or model) and not {"kind", "brand", "model"} & errors.keys():
        errors["kind"] = _("Give the asset a name: its kind, brand or model.")
    notes = clean_input(form.notes or "")
    check_length(errors, "notes", notes, LIMITS["notes"])
    if errors:
        raise ValidationError(errors)
    return _Clean(serial, key, kind, brand, model, notes)


def validate(form: AssetForm) -> None:
    """Raise ValidationError (field -> message) if anything in the form is wrong (the
    uniqueness of the serial is checked on save)."""
    _validate(form)


def _warehouse(session: Session, warehouse_id: int | None) -> Warehouse:
    wh = session.get(Warehouse, warehouse_id) if warehouse_id is not None else None
    if wh is None or not wh.active:
        raise DomainError(_("Choose a warehouse."), "warehouse")
    return wh


# --- reading ---------------------------------------------------------------------------------


def _owner_of(session: Session, key: str, exclude: int | None = None) -> tuple[int, int] | None:
    """(asset id, client id) of the asset that has this serial key, if any."""
    query = select(Asset.id, Asset.client_id).where(Asset.serial_key == key)
    if exclude is not None:
        query = query.where(Asset.id != exclude)
    row = session.exec(query).first()
    return (int(row[0] or 0), int(row[1])) if row else None


def _duplicate(session: Session, actor: Actor, key: str, owner: tuple[int, int]) -> DuplicateSerial:
    asset_id, client_id = owner
    if not may_see_client(actor, client_id):
        return DuplicateSerial(key, None, None, None)
    client = session.get(Client, client_id)
    return DuplicateSerial(key, asset_id, client_id, client.name if client else "")


def get_asset(session: Session, asset_id: int) -> AssetRecord:
    """Every field, the move history (oldest first) and the linked work orders."""
    row = _load(session, asset_id)
    client = session.get(Client, row.client_id)
    warehouse = session.get(Warehouse, row.warehouse_id)
    src = aliased(Warehouse)
    dst = aliased(Warehouse)
    moves = session.exec(
        select(AssetMove, src, dst, Employee)
        .join(src, col(src.id) == col(AssetMove.from_warehouse_id), isouter=True)
        .join(dst, col(dst.id) == col(AssetMove.to_warehouse_id))
        .join(Employee, col(Employee.id) == col(AssetMove.employee_id), isouter=True)
        .where(AssetMove.asset_id == asset_id)
        .order_by(col(AssetMove.id))
    ).all()
    orders = session.exec(
        select(Document)
        .where(Document.asset_id == asset_id, Document.kind == "work_order")
        .order_by(col(Document.id).desc())
    ).all()
    people = employee_names(session, (row.created_by, row.updated_by))
    return AssetRecord(
        id=asset_id,
        serial=row.serial,
        serial_key=row.serial_key,
        kind=row.kind,
        brand=row.brand,
        model=row.model,
        name=display_name(row.kind, row.brand, row.model),
        notes=row.notes,
        client_id=row.client_id,
        client_name=client.name if client else "",
        warehouse_id=row.warehouse_id,
        warehouse_name=warehouse.name if warehouse else "",
        warehouse_kind=warehouse.kind if warehouse else "",
        version=row.version,
        created_at=row.created_at,
        created_by=row.created_by,
        created_by_name=people.get(row.created_by or 0, ""),
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        updated_by_name=people.get(row.updated_by or 0, ""),
        moves=tuple(
            AssetMoveRow(
                id=m.id or 0,
                at=m.at,
                employee_id=m.employee_id,
                employee_name=emp.name if emp else "",
                from_warehouse_id=m.from_warehouse_id,
                from_warehouse_name=w_from.name if w_from else "",
                to_warehouse_id=m.to_warehouse_id,
                to_warehouse_name=w_to.name if w_to else "",
            )
            for m, w_from, w_to, emp in moves
        ),
        work_orders=tuple(
            LinkedWorkOrder(d.id or 0, d.number, d.status, d.created_at, d.total) for d in orders
        ),
    )


def asset_version(session: Session, asset_id: int) -> int:
    return version_of(session, Asset, asset_id, _("That asset does not exist."))


def list_assets(
    session: Session, client_id: int, *, limit: int | None = None, offset: int = 0
) -> list[AssetRow]:
    """The client's assets, newest first (a page of them when ``limit`` is given)."""
    query = page(
        select(Asset, Warehouse)
        .join(Warehouse, col(Warehouse.id) == col(Asset.warehouse_id))
        .where(Asset.client_id == client_id)
        .order_by(col(Asset.id).desc()),
        limit,
        offset,
    )
    return [_row(a, w) for a, w in session.exec(query)]


def count_assets(session: Session, client_id: int) -> int:
    return count_for_client(session, Asset, client_id)


def find_by_serial(session: Session, raw: str) -> AssetRow | None:
    """The asset with this serial or IMEI however it is typed, if the shop knows it."""
    key = serial_key(raw)
    if not key:
        return None
    found = session.exec(
        select(Asset, Warehouse)
        .join(Warehouse, col(Warehouse.id) == col(Asset.warehouse_id))
        .where(Asset.serial_key == key)
    ).first()
    return _row(*found) if found else None


def _row(asset: Asset, warehouse: Warehouse) -> AssetRow:
    return AssetRow(
        id=asset.id or 0,
        serial=asset.serial,
        name=display_name(asset.kind, asset.brand, asset.model),
        warehouse_id=asset.warehouse_id,
        warehouse_name=warehouse.name,
        warehouse_kind=warehouse.kind,
        client_id=asset.client_id,
        version=asset.version,
    )


# --- writing ---------------------------------------------------------------------------------


@contextmanager
def _saving_serial(session: Session, actor: Actor, key: str, exclude: int | None) -> Iterator[None]:
    """A savepoint around a write that stores ``key``: if the unique serial index refuses
    it (another clerk saved the same serial an instant ago), the savepoint is rolled back
    and the clerk gets DuplicateSerial naming the owner."""
    try:
        with session.begin_nested():
            yield
    except IntegrityError:
        owner = _owner_of(session, key, exclude)
        if owner is None:
            raise
        raise _duplicate(session, actor, key, owner) from None


def create_asset(
    session: Session, actor: Actor, client_id: int, form: AssetForm, warehouse_id: int
) -> AssetRecord:
    """A new asset of the client, placed in ``warehouse_id`` (recorded as its first move)."""
    require_client(session, client_id)
    clean = _validate(form)
    warehouse = _warehouse(session, warehouse_id)
    owner = _owner_of(session, clean.key)
    if owner is not None:
        raise _duplicate(session, actor, clean.key, owner)
    with _saving_serial(session, actor, clean.key, None):
        now = utcnow()
        row = Asset(
            serial=clean.serial,
            serial_key=clean.key,
            kind=clean.kind,
            brand=clean.brand,
            model=clean.model,
            notes=clean.notes,
            client_id=client_id,
            warehouse_id=warehouse.id or 0,
            **created_stamps(actor.id, now),
        )
        asset_id = insert(session, row)
        session.add(
            AssetMove(
                asset_id=asset_id,
                at=now,
                employee_id=actor.id,
                from_warehouse_id=None,
                to_warehouse_id=warehouse.id or 0,
            )
        )
        audit.record(
            session,
            actor.id,
            "asset.create",
            "asset",
            asset_id,
            serial=clean.serial,
            client_id=client_id,
            warehouse_id=warehouse.id,
        )
    return get_asset(session, asset_id)


def _load(session: Session, asset_id: int) -> Asset:
    return load(session, Asset, asset_id, _("That asset does not exist."))


def _check_version(
    session: Session, row: Asset, expected_version: int, mine: AssetForm | None
) -> None:
    """The early, friendly check (before validating); _claim is the race-proof one."""
    if row.version != expected_version:
        raise StaleAsset(get_asset(session, row.id or 0), mine)


def _claim(session: Session, asset_id: int, expected_version: int, mine: AssetForm | None) -> Asset:
    """Compare-and-set on the version: of two clerks saving the same version only one
    wins; the other gets StaleAsset with the asset as it is now."""
    return claim(
        session,
        Asset,
        asset_id,
        expected_version,
        lambda: StaleAsset(get_asset(session, asset_id), mine),
    )


def update_asset(
    session: Session, actor: Actor, asset_id: int, form: AssetForm, expected_version: int
) -> AssetRecord:
    """Save serial, name parts and notes if nobody changed the asset since
    ``expected_version`` (the owner and the warehouse do not change here)."""
    row = _load(session, asset_id)
    _check_version(session, row, expected_version, form)
    clean = _validate(form)
    owner = _owner_of(session, clean.key, exclude=asset_id)
    if owner is not None:
        raise _duplicate(session, actor, clean.key, owner)
    before = row.model_dump()
    with _saving_serial(session, actor, clean.key, asset_id):
        row = _claim(session, asset_id, expected_version, form)
        row.serial = clean.serial
        row.serial_key = clean.key
        row.kind = clean.kind
        row.brand = clean.brand
        row.model = clean.model
        row.notes = clean.notes
        row.updated_at = utcnow()
        row.updated_by = actor.id
        session.add(row)
        session.flush()
        changed = sorted(
            name
            for name in ("serial", "kind", "brand", "model", "notes")
            if before[name] != getattr(row, name)
        )
        audit.record(
            session,
            actor.id,
            "asset.update",
            "asset",
            asset_id,
            version=row.version,
            fields=changed,
        )
    return get_asset(session, asset_id)


def move_asset(
    session: Session, actor: Actor, asset_id: int, warehouse_id: int, expected_version: int
) -> AssetRecord:
    """Move the asset to another warehouse (never to the one it is in); recorded with the
    time and the employee."""
    row = _load(session, asset_id)
    _check_version(session, row, expected_version, None)
    target = _warehouse(session, warehouse_id)
    if target.id == row.warehouse_id:
        raise DomainError(
            _("The asset is already in {warehouse}.").format(warehouse=target.name), "warehouse"
        )
    with all_or_nothing(session):
        row = _claim(session, asset_id, expected_version, None)
        from_id = row.warehouse_id
        now = utcnow()
        row.warehouse_id = target.id or 0
        row.updated_at = now
        row.updated_by = actor.id
        session.add(row)
        session.add(
            AssetMove(
                asset_id=asset_id,
                at=now,
                employee_id=actor.id,
                from_warehouse_id=from_id,
                to_warehouse_id=target.id or 0,
            )
        )
        session.flush()
        audit.record(
            session,
            actor.id,
            "asset.move",
            "asset",
            asset_id,
            from_warehouse_id=from_id,
            to_warehouse_id=target.id,
        )
    return get_asset(session, asset_id)
