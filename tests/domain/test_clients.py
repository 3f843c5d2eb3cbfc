"""Clients: validation, search (accents, phone formats, paging), optimistic concurrency."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from remtui.domain import clients
from remtui.domain.clients import ClientForm, PhoneInput, StaleEdit
from remtui.domain.staff import Actor
from remtui.errors import PermissionDenied, ValidationError
from remtui.store.engine import Store


def names(store: Store, query: str, **kw: int) -> list[str]:
    with store.read() as session:
        return [h.name for h in clients.search_clients(session, query, **kw).hits]


def test_create_normalises_phones_and_builds_search_key(store, make_client):
    rec = make_client("João Silva", "912 345 678", email="J.Silva@Exemplo.PT")
    assert rec.phones[0].e164 == "+351912345678"
    assert rec.email == "j.silva@exemplo.pt"
    with store.read() as session:
        key = (
            session.connection()
            .execute(text("SELECT search_key FROM client WHERE id = :id"), {"id": rec.id})
            .scalar_one()
        )
    assert "joao silva" in key and "351912345678" in key


@pytest.mark.parametrize("query", ["joao", "JOÃO", "João Sil", "silva joao", "oão"])
def test_search_ignores_case_and_accents(store, make_client, query):
    make_client("João Silva", "912345678")
    make_client("Maria Costa", "913000000")
    assert names(store, query) == ["João Silva"]


@pytest.mark.parametrize(
    "query",
    [
        "912 345",
        "912345678",
        "+351912345678",
        "+351 912 345 678",
        "00351912345678",
        "(912) 345-678",
        "345 678",
    ],
)
def test_search_finds_any_phone_format(store, make_client, query):
    make_client("João Silva", "912 345 678")
    make_client("Maria Costa", "+351 965 000 111")
    assert names(store, query) == ["João Silva"]


def test_search_second_phone_email_and_tax_id(store, make_client):
    make_client("Rui Reis", "912000111", "218 765 432", email="rui@oficina.pt", tax_id="123456789")
    make_client("Ana Lopes", "913000222")
    assert names(store, "218765") == ["Rui Reis"]
    assert names(store, "rui@ofi") == ["Rui Reis"]
    assert names(store, "123456789") == ["Rui Reis"]


@pytest.mark.parametrize("query", ["PT123456789", "pt 123 456 789", "PT123.456.789", "PT-12345"])
def test_search_tax_id_with_its_country_prefix(store, make_client, query):
    make_client("Rui Reis", "912000111", tax_id="123456789")
    make_client("Ana Lopes", "913000222")
    assert names(store, query) == ["Rui Reis"]


def test_search_short_terms_and_wildcards_are_literal(store, make_client):
    make_client("Al Bundy", "912000111")
    make_client("Alberto Caeiro", "912000222")
    make_client("100% Reparações", "912000333")
    make_client("Sal Grosso", "912000444")
    # One or two characters search name beginnings only.
    assert names(store, "al") == ["Al Bundy", "Alberto Caeiro"]
    assert names(store, "10") == ["100% Reparações"]
    assert names(store, "0%") == []
    assert names(store, "100%") == ["100% Reparações"]
    assert names(store, "1_0") == []
    assert names(store, '"') == []


def test_search_orders_prefix_matches_first(store, make_client):
    make_client("Sofia Ana", "912000111")
    make_client("Ana Sofia", "912000222")
    make_client("Mariana Rocha", "912000333")
    assert names(store, "ana") == ["Ana Sofia", "Mariana Rocha", "Sofia Ana"]


def test_search_pages(store, admin):
    with store.write() as session:
        for i in range(120):
            clients.create_client(session, admin, ClientForm(name=f"Cliente {i:03d}"))
    with store.read() as session:
        first = clients.search_clients(session, "cliente", limit=50)
        second = clients.search_clients(session, "cliente", limit=50, offset=50)
        third = clients.search_clients(session, "cliente", limit=50, offset=100)
    assert [len(p.hits) for p in (first, second, third)] == [50, 50, 20]
    assert first.has_more and second.has_more and not third.has_more
    all_names = [h.name for p in (first, second, third) for h in p.hits]
    assert all_names == sorted(all_names) and len(set(all_names)) == 120


def test_empty_query_lists_everyone(store, make_client):
    make_client("B", "912000111")
    make_client("A", "912000222")
    assert names(store, "") == ["A", "B"]


def test_edit_updates_search(store, admin, make_client):
    rec = make_client("João Silva", "912345678")
    form = ClientForm(name="Joana Pires", phones=(PhoneInput("965 111 222"),))
    with store.write() as session:
        clients.update_client(session, admin, rec.id, rec.version, form)
    assert names(store, "silva") == []
    assert names(store, "912345") == []
    assert names(store, "pires") == ["Joana Pires"]
    assert names(store, "965111") == ["Joana Pires"]


@pytest.mark.parametrize(
    ("field", "form"),
    [
        ("name", ClientForm(name="   ")),
        ("name", ClientForm(name="x" * 201)),
        ("email", ClientForm(name="A", email="not-an-email")),
        ("email", ClientForm(name="A", email="a@b")),
        ("phone.0", ClientForm(name="A", phones=(PhoneInput("12"),))),
        ("phone.0", ClientForm(name="A", phones=(PhoneInput("abc"),))),
        (
            "phone.1",
            ClientForm(name="A", phones=(PhoneInput("912345678"), PhoneInput("+351 912 345 678"))),
        ),
        ("discount", ClientForm(name="A", discount="101")),
        ("discount", ClientForm(name="A", discount="-1")),
        ("discount", ClientForm(name="A", discount="abc")),
        ("discount", ClientForm(name="A", discount="1.234")),
        ("tax_id", ClientForm(name="A", tax_id="123456780")),
        ("tax_id", ClientForm(name="A", tax_id="12<3>")),
        ("kind", ClientForm(name="A", kind="robot")),
        ("notes", ClientForm(name="A", notes="n" * 10_001)),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(store, admin, field, form):
    with pytest.raises(ValidationError) as err, store.write() as session:
        clients.create_client(session, admin, form)
    assert field in err.value.errors
    assert err.value.errors[field]
    with store.read() as session:
        count = session.connection().execute(text("SELECT count(*) FROM client")).scalar()
    assert count == 0


def test_discount_and_company_rules(store, admin):
    with store.write() as session:
        rec = clients.create_client(
            session, admin, ClientForm(name="Oficina Lda", kind="company", discount="12,5 %")
        )
    assert rec.discount_bp == 1250 and rec.company_name == "Oficina Lda"
    assert rec.as_form().discount == "12.5"


def test_hostile_text_is_stored_without_controls(store, make_client):
    rec = make_client(
        "\x1b]0;pwned\x07[b]Bold[/b] \u202eevil", "912345678", notes="line1\nline2\x9b31m"
    )
    assert "\x1b" not in rec.name and "\u202e" not in rec.name and "\x07" not in rec.name
    assert rec.name.startswith("]0;pwned[b]Bold[/b]")
    assert rec.notes == "line1\nline231m"


def test_stale_save_carries_both_versions(store, admin, make_client):
    rec = make_client("Ana", "912345678")
    with store.write() as session:
        clients.update_client(
            session,
            admin,
            rec.id,
            rec.version,
            ClientForm(name="Ana B", phones=(PhoneInput("912345678"),)),
        )
    mine = ClientForm(name="Ana C", phones=(PhoneInput("912345678"),))
    with pytest.raises(StaleEdit) as err, store.write() as session:
        clients.update_client(session, admin, rec.id, rec.version, mine)
    assert err.value.mine == mine
    assert err.value.theirs.name == "Ana B" and err.value.theirs.version == rec.version + 1
    with store.read() as session:
        assert clients.get_client(session, rec.id).name == "Ana B"
    # "Keep mine": save again against the version now in the store.
    with store.write() as session:
        saved = clients.update_client(session, admin, rec.id, err.value.theirs.version, mine)
    assert saved.name == "Ana C" and saved.version == rec.version + 2


def test_two_stores_racing_on_one_version_one_wins(tmp_path, store, admin, make_client):
    rec = make_client("Ana", "912345678")
    other = Store(store.url)
    try:
        with store.write() as session:
            clients.update_client(session, admin, rec.id, rec.version, ClientForm(name="One"))
        with pytest.raises(StaleEdit), other.write() as session:
            clients.update_client(session, admin, rec.id, rec.version, ClientForm(name="Two"))
    finally:
        other.close()


def test_permissions(store, admin, make_client):
    rec = make_client("Ana", "912345678")
    viewer = Actor(id=admin.id, login="v", name="V", role="technician", permissions=frozenset())
    with pytest.raises(PermissionDenied), store.write() as session:
        clients.create_client(session, viewer, ClientForm(name="X"))
    with pytest.raises(PermissionDenied), store.write() as session:
        clients.update_client(session, viewer, rec.id, rec.version, ClientForm(name="X"))


def test_phone_owners_warns_of_duplicates(store, make_client):
    a = make_client("Ana", "912345678")
    b = make_client("Bea", "913000000")
    with store.read() as session:
        assert clients.phone_owners(session, "+351 912 345 678") == [(a.id, "Ana")]
        assert clients.phone_owners(session, "912345678", exclude=a.id) == []
        assert clients.phone_owners(session, "12") == []
        assert clients.phone_owners(session, "913 000 000", exclude=a.id) == [(b.id, "Bea")]


def test_every_change_is_audited(store, admin, make_client):
    rec = make_client("Ana", "912345678")
    with store.write() as session:
        clients.update_client(session, admin, rec.id, rec.version, ClientForm(name="Ana B"))
    from remtui.domain.audit import recent

    with store.read() as session:
        rows = recent(session, entity="client", entity_id=rec.id)
    assert [r.action for r in rows] == ["client.update", "client.create"]
    assert all(r.employee == "admin" for r in rows)
    assert '"name"' in rows[0].detail


def test_audit_log_refuses_edits(store, make_client):
    make_client("Ana")
    from sqlalchemy.exc import DatabaseError

    with pytest.raises(DatabaseError), store.write() as session:
        session.connection().execute(text("UPDATE audit SET action = 'x'"))
    with pytest.raises(DatabaseError), store.write() as session:
        session.connection().execute(text("DELETE FROM audit"))


def test_unknown_client(store):
    from remtui.errors import DomainError

    with pytest.raises(DomainError), store.read() as session:
        clients.get_client(session, 999)
