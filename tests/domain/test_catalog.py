"""The catalog of services and products: create, update, list, type-ahead search."""

from __future__ import annotations

import pytest
from sqlmodel import select

from remtui import i18n
from remtui.domain import audit, catalog, staff
from remtui.errors import DomainError, ValidationError
from remtui.store.engine import Store
from remtui.store.tables.documents import CatalogItem


def _make(store: Store, admin: staff.Actor, name: str, price: int, kind: str = "service") -> int:
    with store.write() as session:
        return catalog.create_item(session, admin, name=name, price=price, kind=kind).id


def test_create_stores_the_item_and_its_folded_key(store: Store, admin: staff.Actor) -> None:
    with store.write() as session:
        item = catalog.create_item(
            session, admin, name="  Substituição   de Ecrã ", price=4999, kind="service"
        )
    assert item.name == "Substituição de Ecrã"
    assert item.kind_label == "Service"
    with store.read() as session:
        row = session.get(CatalogItem, item.id)
        assert row is not None
        assert (row.name, row.price, row.kind, row.active) == (
            "Substituição de Ecrã",
            4999,
            "service",
            True,
        )
        assert row.name_key == "substituicao de ecra"
        actions = [a.action for a in audit.recent(session, entity="catalog_item")]
    assert actions == ["catalog.create"]


@pytest.mark.parametrize(
    ("name", "price", "kind", "field"),
    [
        ("", 100, "service", "name"),
        ("   ", 100, "service", "name"),
        ("x" * 201, 100, "service", "name"),
        ("Cable", -1, "product", "price"),
        ("Cable", 1.5, "product", "price"),
        ("Cable", 10**12, "product", "price"),
        ("Cable", 100, "gadget", "kind"),
    ],
)
def test_bad_items_are_refused_and_nothing_is_written(
    store: Store, admin: staff.Actor, name: str, price: int, kind: str, field: str
) -> None:
    with pytest.raises(ValidationError) as err, store.write() as session:
        catalog.create_item(session, admin, name=name, price=price, kind=kind)
    assert field in err.value.errors
    with store.read() as session:
        assert session.exec(select(CatalogItem)).all() == []


def test_duplicate_names_are_refused_whatever_the_case_and_accents(
    store: Store, admin: staff.Actor
) -> None:
    _make(store, admin, "Película de vidro", 1000, "product")
    with pytest.raises(ValidationError) as err, store.write() as session:
        catalog.create_item(session, admin, name="PELICULA DE VIDRO", price=5, kind="product")
    assert set(err.value.errors) == {"name"}


def test_search_puts_prefix_matches_first_and_ignores_accents(
    store: Store, admin: staff.Actor
) -> None:
    screen = _make(store, admin, "Ecrã iPhone 12", 12000, "product")
    change = _make(store, admin, "Troca de ecrã", 3000)
    _make(store, admin, "Bateria", 2500, "product")
    old = _make(store, admin, "Ecrã antigo", 100, "product")
    with store.write() as session:
        catalog.update_item(session, admin, old, active=False)
        names = [i.id for i in catalog.search_items(session, "ECRA")]
        assert names == [screen, change]
        assert [i.id for i in catalog.search_items(session, "cra")] == [screen, change]
        # every word must be contained
        assert [i.name for i in catalog.search_items(session, "troca ecr")] == ["Troca de ecrã"]
        assert [i.name for i in catalog.search_items(session, "ecra", kind="service")] == [
            "Troca de ecrã"
        ]
        assert catalog.search_items(session, "100%_") == []
        assert len(catalog.search_items(session, "", limit=2)) == 2
        assert [i.name for i in catalog.list_items(session)] == [
            "Bateria",
            "Ecrã iPhone 12",
            "Troca de ecrã",
        ]
        assert len(catalog.list_items(session, include_inactive=True)) == 4
        assert [i.name for i in catalog.list_items(session, kind="service")] == ["Troca de ecrã"]


def test_update_changes_fields_and_keeps_the_key_in_step(store: Store, admin: staff.Actor) -> None:
    item_id = _make(store, admin, "Bateria", 2500, "product")
    with store.write() as session:
        item = catalog.update_item(session, admin, item_id, name="Bateria Samsung", price=2700)
    assert (item.name, item.price) == ("Bateria Samsung", 2700)
    with store.write() as session:
        assert [i.id for i in catalog.search_items(session, "samsung")] == [item_id]
        assert catalog.get_item(session, item_id).price == 2700
        with pytest.raises(DomainError):
            catalog.get_item(session, 999)
        with pytest.raises(DomainError):
            catalog.update_item(session, admin, 999, price=1)
        actions = [a.action for a in audit.recent(session, entity="catalog_item")]
    assert actions == ["catalog.update", "catalog.create"]


def test_labels_are_translated(store: Store) -> None:
    i18n.set_language("pt_PT")
    assert catalog.kind_label("service") == "Serviço"
    assert dict(catalog.kind_choices())["product"] == "Produto"
