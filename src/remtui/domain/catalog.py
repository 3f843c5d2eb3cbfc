"""The catalog of services and products a document line can be picked from.

Each item has a kind (service or product), a name and a default price in minor units.
Type-ahead (``search_items``) compares folded text (``text.fold``: case and accents
ignored): names that start with what was typed come first, then names that contain every
typed word, each group by name. Items are never deleted; an item no longer offered is
made inactive (old documents keep pointing at it).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import text
from sqlmodel import Session, col, select

from ..errors import DomainError, ValidationError
from ..i18n import _
from ..safetext import clean_input
from ..store.tables.documents import CatalogItem
from . import audit
from .actor import Actor
from .ledger import MAX_ENTRY
from .text import fold

MAX_NAME = 200


class ItemKind(StrEnum):
    SERVICE = "service"
    PRODUCT = "product"


def kind_label(kind: str | ItemKind) -> str:
    """The kind as a clerk reads it (translated when called)."""
    labels = {ItemKind.SERVICE: _("Service"), ItemKind.PRODUCT: _("Product")}
    try:
        return labels[ItemKind(kind)]
    except ValueError:
        return str(kind)


def kind_choices() -> list[tuple[str, str]]:
    """(value, label) of every kind, in the order a form offers them."""
    return [(k.value, kind_label(k)) for k in ItemKind]


@dataclass(frozen=True)
class CatalogItemRecord:
    id: int
    kind: str
    kind_label: str
    name: str
    price: int  # default unit price, minor units
    active: bool


def _record(row: CatalogItem) -> CatalogItemRecord:
    return CatalogItemRecord(
        row.id or 0, row.kind, kind_label(row.kind), row.name, row.price, row.active
    )


def _check(
    session: Session, name: str, price: int, kind: str, exclude: int | None = None
) -> tuple[str, int, str]:
    errors: dict[str, str] = {}
    clean = " ".join(clean_input(name or "").split())
    if not clean:
        errors["name"] = _("Enter a name.")
    elif len(clean) > MAX_NAME:
        errors["name"] = _("At most {n} characters.").format(n=MAX_NAME)
    else:
        query = select(CatalogItem.id).where(
            CatalogItem.name_key == fold(clean), col(CatalogItem.active).is_(True)
        )
        if exclude is not None:
            query = query.where(CatalogItem.id != exclude)
        if session.exec(query).first() is not None:
            errors["name"] = _("The catalog already has an item with that name.")
    if not isinstance(price, int) or isinstance(price, bool):
        errors["price"] = _("Enter a price.")
    elif price < 0:
        errors["price"] = _("A price cannot be negative.")
    elif price > MAX_ENTRY:
        errors["price"] = _("That amount is too large.")
    if kind not in {k.value for k in ItemKind}:
        errors["kind"] = _("Choose service or product.")
    if errors:
        raise ValidationError(errors)
    return clean, price, kind


def create_item(
    session: Session, actor: Actor, *, name: str, price: int, kind: str = "service"
) -> CatalogItemRecord:
    """A new active item. Field keys of errors: "name", "price", "kind"."""
    clean, price, kind = _check(session, name, price, kind)
    row = CatalogItem(kind=kind, name=clean, price=price, active=True, name_key=fold(clean))
    session.add(row)
    session.flush()
    audit.record(
        session, actor.id, "catalog.create", "catalog_item", row.id, name=clean, price=price
    )
    return _record(row)


def update_item(
    session: Session,
    actor: Actor,
    item_id: int,
    *,
    name: str | None = None,
    price: int | None = None,
    kind: str | None = None,
    active: bool | None = None,
) -> CatalogItemRecord:
    """Change what is given (None leaves a field as it is). Documents keep their prices."""
    row = session.get(CatalogItem, item_id)
    if row is None:
        raise DomainError(_("That catalog item does not exist."))
    clean, new_price, new_kind = _check(
        session,
        row.name if name is None else name,
        row.price if price is None else price,
        row.kind if kind is None else kind,
        exclude=item_id,
    )
    changed = {
        k: v
        for k, v in (
            ("name", clean),
            ("price", new_price),
            ("kind", new_kind),
            ("active", row.active if active is None else active),
        )
        if getattr(row, k) != v
    }
    row.name, row.price, row.kind, row.name_key = clean, new_price, new_kind, fold(clean)
    if active is not None:
        row.active = active
    session.add(row)
    session.flush()
    audit.record(session, actor.id, "catalog.update", "catalog_item", item_id, **changed)
    return _record(row)


def get_item(session: Session, item_id: int) -> CatalogItemRecord:
    row = session.get(CatalogItem, item_id)
    if row is None:
        raise DomainError(_("That catalog item does not exist."))
    return _record(row)


def list_items(
    session: Session, *, kind: str | None = None, include_inactive: bool = False
) -> list[CatalogItemRecord]:
    """Every item, by name."""
    query = select(CatalogItem).order_by(col(CatalogItem.name_key), col(CatalogItem.id))
    if kind is not None:
        query = query.where(CatalogItem.kind == kind)
    if not include_inactive:
        query = query.where(col(CatalogItem.active).is_(True))
    return [_record(r) for r in session.exec(query)]


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_items(
    session: Session, query: str, *, limit: int = 20, kind: str | None = None
) -> list[CatalogItemRecord]:
    """Active items for type-ahead: names starting with the folded query first, then
    names containing every word of it; an empty query lists the first items by name."""
    folded = fold(clean_input(query or ""))[:100]
    limit = max(1, min(limit, 200))
    params: dict[str, object] = {"limit": limit}
    where = ["active = :yes"]
    params["yes"] = True
    if kind is not None:
        where.append("kind = :kind")
        params["kind"] = kind
    for i, word in enumerate(folded.split()):
        where.append(f"name_key LIKE :w{i} ESCAPE '\\'")
        params[f"w{i}"] = f"%{_like_escape(word)}%"
    order = "name_key, id"
    if folded:
        params["prefix"] = f"{_like_escape(folded)}%"
        order = "(CASE WHEN name_key LIKE :prefix ESCAPE '\\' THEN 0 ELSE 1 END), " + order
    sql = (
        "SELECT id FROM catalog_item WHERE "
        + " AND ".join(where)
        + f" ORDER BY {order} LIMIT :limit"
    )
    ids = [int(r[0]) for r in session.connection().execute(text(sql), params)]
    if not ids:
        return []
    rows = {r.id: r for r in session.exec(select(CatalogItem).where(col(CatalogItem.id).in_(ids)))}
    return [_record(rows[i]) for i in ids]
