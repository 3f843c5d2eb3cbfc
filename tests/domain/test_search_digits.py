"""The digit search index (client_digits): its rows follow every client's search key, digit
searches through it give exactly the plain scan's page, the migration backfills it,
`remtui check` reports a tampered row and migrate-store rebuilds it."""

from __future__ import annotations

import io
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, text

from remtui import demo
from remtui.commands.migrate_store import run_migrate_store
from remtui.domain import check, clients, search, search_index, staff
from remtui.domain.clients import ClientForm, PhoneInput
from remtui.domain.search_index import KEEP, digit_keys
from remtui.domain.text import digits_only
from remtui.store.engine import Store
from remtui.store.migrate import alembic_config, current_revision, head_revision, upgrade

MakeClient = Callable[..., clients.ClientRecord]


# -- the pure rules -------------------------------------------------------------------


def test_digit_keys_are_the_suffixes_of_each_run_of_digits() -> None:
    assert digit_keys("ana | 351912345678") == {
        "35191234",
        "51912345",
        "19123456",
        "91234567",
        "12345678",
        "2345678",
        "345678",
        "45678",
        "5678",
        "678",
    }
    # runs shorter than 3 digits give nothing; letters and punctuation end a run
    assert digit_keys("rui12 | r.2024@x9.pt | b-1234") == {"2024", "024", "1234", "234"}
    assert digit_keys("") == set() and digit_keys("joao silva") == set()
    # only ASCII digits (terms are ASCII digits too: phones.search_digits, text.fold)
    assert digit_keys("١٢٣٤ | ４５６") == set()


def test_a_term_is_a_prefix_range_of_its_first_keep_digits() -> None:
    assert search_index.key_range("9123") == ("9123", "9123:")
    assert search_index.key_range("351912345678") == ("35191234", "35191234:")
    assert len(search_index.key_range("1" * 20)[0]) == KEEP
    assert search_index.is_digit_term("912") and not search_index.is_digit_term("91")
    assert not search_index.is_digit_term("91a") and not search_index.is_digit_term("١٢٣")


# -- rows follow create and update ----------------------------------------------------


def _rows(store: Store, client_id: int) -> set[str]:
    with store.read() as session:
        return set(
            session.connection()
            .execute(
                text("SELECT digits FROM client_digits WHERE client_id = :id"), {"id": client_id}
            )
            .scalars()
        )


def _key(store: Store, client_id: int) -> str:
    with store.read() as session:
        return str(
            session.connection()
            .execute(text("SELECT search_key FROM client WHERE id = :id"), {"id": client_id})
            .scalar_one()
        )


def _all_rows(store: Store) -> set[tuple[str, int]]:
    with store.read() as session:
        return {
            (str(d), int(c))
            for d, c in session.connection().execute(
                text("SELECT digits, client_id FROM client_digits")
            )
        }


MOBILE = {"35191234", "91234567", "12345678", "345678", "5678", "678"}  # some of 351912345678
LANDLINE = {"35121876", "21876543", "18765432", "765432", "5432", "432"}  # of 351218765432


def test_rows_follow_create_and_update(store: Store, admin: staff.Actor) -> None:
    form = ClientForm(
        name="Rui Reis",
        phones=(PhoneInput("912 345 678"), PhoneInput("21 876 5432")),
        email="rui2024@oficina.pt",
        tax_id="123456789",
    )
    with store.write() as session:
        rec = clients.create_client(session, admin, form)
        other = clients.create_client(session, admin, ClientForm(name="Ana", phones=form.phones))
    rows = _rows(store, rec.id)
    assert MOBILE | LANDLINE | {"2024", "024", "12345678", "23456789", "789"} <= rows
    assert rows == digit_keys(_key(store, rec.id))
    assert _rows(store, other.id) == digit_keys(_key(store, other.id))

    # the landline and the e-mail's digits go, a new mobile comes
    changed = ClientForm(
        name="Rui Reis",
        phones=(PhoneInput("912 345 678"), PhoneInput("+351 961 000 222")),
        email="rui@oficina.pt",
        tax_id="123456789",
    )
    with store.write() as session:
        rec = clients.update_client(session, admin, rec.id, rec.version, changed)
    rows = _rows(store, rec.id)
    assert rows >= MOBILE and {"96100022", "000222", "222"} <= rows
    assert not rows & (LANDLINE | {"2024", "024"})
    assert rows == digit_keys(_key(store, rec.id))
    # the other client with the same numbers keeps its rows
    assert _rows(store, other.id) >= LANDLINE

    # no phones, no digits
    with store.write() as session:
        rec = clients.update_client(session, admin, rec.id, rec.version, ClientForm(name="Rui"))
    assert _rows(store, rec.id) == set()
    with store.read() as session:
        assert search_index.check_client_digits(session) == []


def test_a_save_restores_missing_rows(store: Store, admin: staff.Actor, make_client) -> None:
    rec = make_client("Ana", "912345678")
    with store.write() as session:
        session.connection().execute(
            text("DELETE FROM client_digits WHERE client_id = :id AND digits = '5678'"),
            {"id": rec.id},
        )
    with store.write() as session:
        clients.update_client(session, admin, rec.id, rec.version, rec.as_form())
    assert "5678" in _rows(store, rec.id)


# -- search through the index gives the scan's page -----------------------------------


def _reference(store: Store, query: str) -> list[int]:
    """The plain definition, in Python: every term in the key; names starting with the
    first term first, then by name (code points, as SQLite BINARY) and id."""
    terms = search.terms_of(query)
    with store.read() as session:
        rows = session.connection().execute(text("SELECT id, search_key, sort_key FROM client"))
        hits = [r for r in rows if all(t in r.search_key for t in terms)]
    hits.sort(key=lambda r: (not r.sort_key.startswith(terms[0]), r.sort_key, r.id))
    return [int(r.id) for r in hits]


def _assert_same(store: Store, query: str, *, pages: bool = True) -> list[int]:
    terms = search.terms_of(query)
    if not terms or any(len(t) < 3 for t in terms):
        return []  # 1 or 2 characters search name beginnings, not substrings
    wanted = _reference(store, query)
    with store.read() as session:
        found = search.search_clients(session, query)
        assert [h.id for h in found.hits] == wanted[: search.PAGE], query
        assert found.has_more == (len(wanted) > search.PAGE), query
        if store.is_sqlite:
            assert [h.id for h in search.scan_search(session, query)] == wanted[: search.PAGE]
        if pages:
            for offset in (1, 3, 7):
                page = search.search_clients(session, query, limit=3, offset=offset)
                assert [h.id for h in page.hits] == wanted[offset : offset + 3], (query, offset)
    return wanted


def _nif(first8: int) -> str:
    digits = [int(c) for c in f"{first8:08d}"]
    check_ = 11 - sum(d * (9 - i) for i, d in enumerate(digits)) % 11
    return "".join(map(str, digits)) + str(0 if check_ >= 10 else check_)


def _valid(number: str) -> bool:
    try:
        parsed = phonenumbers.parse(number, "PT")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed)


# Few distinct digits, so that fragments are shared by many clients (dense terms too).
_digits7 = st.text("0129", min_size=7, max_size=7)
national = st.one_of(
    st.builds(lambda a, n: f"9{a}{n}", st.sampled_from("1236"), _digits7),
    st.builds(lambda a, n: f"2{a}{n}", st.sampled_from("12"), _digits7),
)


def _formats(n: str) -> list[str]:
    return [n, f"{n[:3]} {n[3:6]} {n[6:]}", f"+351 {n}", f"00351{n}", f"({n[:2]}) {n[2:]}"]


phones = st.one_of(
    st.builds(lambda n, i: _formats(n)[i], national, st.integers(0, 4)),
    st.builds(lambda n: f"+34 6{n}", st.text("0129", min_size=8, max_size=8)),
).filter(_valid)
people = st.fixed_dictionaries(
    {
        "name": st.one_of(
            st.sampled_from(["Ana Silva", "Rui Reis", "João Sá", "Marta", "Zé"]),
            st.builds(lambda n: f"{n} Reparações", st.text("0129", min_size=3, max_size=5)),
            st.builds(lambda n: f"Loja {n}", st.text("0129", min_size=1, max_size=6)),
        ),
        "phones": st.lists(phones, max_size=3, unique_by=lambda p: digits_only(p)[-9:]),
        "email": st.one_of(
            st.just(""),
            st.builds(lambda n: f"ana{n}@exemplo.pt", st.text("0129", min_size=1, max_size=9)),
        ),
        "tax_id": st.one_of(
            st.just(""),
            st.builds(_nif, st.integers(10_000_000, 29_999_999)),
            st.builds(lambda n: f"B-{n}", st.text("0129", min_size=4, max_size=10)),
        ),
    }
)


def _form(p: dict[str, Any]) -> ClientForm:
    return ClientForm(
        name=p["name"],
        phones=tuple(PhoneInput(n) for n in p["phones"]),
        email=p["email"],
        tax_id=p["tax_id"],
    )


def _queries(data: st.DataObject, store: Store, ids: list[int]) -> list[str]:
    """Fragments of what these clients hold (in phone formats), random digits, whole
    numbers (longer than KEEP), and digits with a word."""
    keys = [_key(store, cid) for cid in ids]
    runs = [run for k in keys for run in search_index._RUN.findall(k)]
    queries = []
    for _ in range(4):
        if runs:
            run = data.draw(st.sampled_from(runs))
            start = data.draw(st.integers(0, len(run) - 3))
            fragment = run[start : data.draw(st.integers(start + 3, len(run)))]
            cut = data.draw(st.integers(0, len(fragment)))
            queries.append(
                data.draw(
                    st.sampled_from(
                        [fragment, f"{fragment[:cut]} {fragment[cut:]}", f"+{fragment}"]
                    )
                )
            )
    queries.append(data.draw(st.text("0129", min_size=3, max_size=12)))
    queries.append(data.draw(st.sampled_from(["351", "+351 9", "912", "0000", "212 0"])))
    if runs:
        queries.append(max(runs, key=len))
        word = data.draw(st.sampled_from(["ana", "reis", "loja", "repara", "exemplo"]))
        queries.append(f"{word} {data.draw(st.sampled_from(runs))[:5]}")
    return queries


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first=st.lists(people, min_size=1, max_size=6),
    changes=st.lists(st.tuples(st.integers(0, 100), people), max_size=4),
    cap=st.sampled_from([search.DIGITS_CAP, 2, 8]),
    data=st.data(),
)
def test_digit_search_gives_the_scan_page(
    store: Store,
    admin: staff.Actor,
    monkeypatch: pytest.MonkeyPatch,
    first: list[dict[str, Any]],
    changes: list[tuple[int, dict[str, Any]]],
    cap: int,
    data: st.DataObject,
) -> None:
    # A small cap sends common terms down the name walk (the dense route) on small stores.
    monkeypatch.setattr(search, "DIGITS_CAP", cap)
    with store.write() as session:  # each example starts from no clients
        for table in ("client_digits", "client_phone", "client"):
            session.connection().execute(text(f"DELETE FROM {table}"))
    with store.write() as session:
        made = [clients.create_client(session, admin, _form(p)) for p in first]
    for q in _queries(data, store, [c.id for c in made]):
        _assert_same(store, q)
    # edits that change or remove phones, e-mails and tax ids
    for index, p in changes:
        rec = made[index % len(made)]
        with store.write() as session:
            current = clients.get_client(session, rec.id)
            made[index % len(made)] = clients.update_client(
                session, admin, rec.id, current.version, _form(p)
            )
    for q in _queries(data, store, [c.id for c in made]):
        _assert_same(store, q)
    with store.read() as session:
        assert search_index.check_client_digits(session) == []


def test_common_and_long_terms_on_a_bigger_store(store: Store, admin: staff.Actor) -> None:
    """2,500 demo clients: "351" and "912" reach the real cap (the name walk), rarer
    fragments do not; whole numbers are longer than KEEP."""
    demo.bulk_clients(store, random.Random(7), 2500, "PT", lambda _m: None)
    with store.read() as session:
        conn = session.connection()
        numbers = list(conn.execute(text("SELECT digits FROM client_phone LIMIT 5")).scalars())
        common = conn.execute(
            text("SELECT count(*) FROM client_digits WHERE digits >= '351' AND digits < '351:'")
        ).scalar_one()
        assert search_index.check_client_digits(session) == []
    assert common >= search.DIGITS_CAP  # so "351" takes the dense route
    for q in ["351", "+351 9", "912", "912 3", "9634", "(21) 4", "21 0", "917 2", "2024"]:
        _assert_same(store, q, pages=False)
    for number in numbers:
        assert len(number) > KEEP
        assert _assert_same(store, number, pages=False)  # found, and only where it is
        assert _assert_same(store, f"+{number[:3]} {number[3:6]} {number[6:]}", pages=False)
        _assert_same(store, number[2:10] + "0", pages=False)


@pytest.mark.sqlite_only(reason="shows SQLite's search reads the index")
def test_sqlite_search_reads_the_index(store: Store, make_client) -> None:
    rec = make_client("Ana", "912345678")
    with store.read() as session:
        assert [h.id for h in search.search_clients(session, "2345").hits] == [rec.id]
    with store.write() as session:
        session.connection().execute(text("DELETE FROM client_digits"))
    with store.read() as session:
        assert search.search_clients(session, "2345").hits == ()


# -- the check ------------------------------------------------------------------------


def test_the_check_reports_a_tampered_index(store: Store, make_client) -> None:
    ana = make_client("Ana", "912345678")
    rui = make_client("Rui", "213456789")
    with store.read() as session:
        assert search_index.check_client_digits(session) == []
        assert check.check_store(session).ok
    with store.write() as session:
        conn = session.connection()
        conn.execute(
            text("DELETE FROM client_digits WHERE client_id = :id AND digits = '5678'"),
            {"id": ana.id},
        )
        conn.execute(
            text("INSERT INTO client_digits (digits, client_id) VALUES ('777', :id)"),
            {"id": ana.id},
        )
    with store.read() as session:
        problems = search_index.check_client_digits(session)
        report = check.check_store(session)
    assert problems == [
        (
            ana.id,
            "The phone search index does not match this client's details "
            "(entries missing: 1; entries too many: 1).",
        )
    ]
    assert rui.id not in {cid for cid, _m in problems}
    assert [(p.client_id, p.area) for p in report.problems] == [
        (ana.id, "search_index.check_client_digits")
    ]


@pytest.mark.sqlite_only(reason="rows of a missing client need foreign keys off")
def test_the_check_reports_rows_of_a_missing_client(store: Store, make_client) -> None:
    ana = make_client("Ana", "912345678")
    assert store.path is not None
    with sqlite3.connect(store.path) as raw:  # foreign keys are off on a bare connection
        raw.execute("INSERT INTO client_digits VALUES ('999', 424242), ('998', 424242)")
        raw.execute("INSERT INTO client_digits VALUES ('999', 0)")
    with store.read() as session:
        problems = search_index.check_client_digits(session)
    assert [cid for cid, _m in problems] == [0, 424242]
    assert "2 entries for a client that does not exist" in problems[1][1]
    assert ana.id not in {cid for cid, _m in problems}


# -- the migration and migrate-store --------------------------------------------------


def test_migration_0007_backfills_the_index(store: Store, make_client) -> None:
    made = [
        make_client("Ana", "912345678", email="ana77@x.pt"),
        make_client("Rui", "213456789", "+34 612 345 678", tax_id="123456789"),
        make_client("Sem Telefone"),
    ]
    wanted = _all_rows(store)
    assert {c for _d, c in wanted} == {made[0].id, made[1].id}
    cfg = alembic_config(store)
    with store.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
    assert "client_digits" not in inspect(store.write_engine).get_table_names()
    store.close()
    again = Store(store.url)
    try:
        upgrade(again)
        assert current_revision(again) == head_revision()
        assert _all_rows(again) == wanted
        with again.read() as session:
            assert search_index.check_client_digits(session) == []
            assert [h.id for h in search.search_clients(session, "612 34").hits] == [made[1].id]
    finally:
        again.close()


def test_migrate_store_rebuilds_the_index(tmp_path: Path, store: Store) -> None:
    source = Store(f"sqlite:///{tmp_path / 'shop' / 'shop.sqlite3'}")
    try:
        upgrade(source)
        with source.write() as session:
            admin = staff.create_first_admin(session, "admin", "Ana Admin", "correct horse")
            for i, phone in enumerate(["912345678", "213456789", "+34 612 345 678"]):
                clients.create_client(
                    session, admin, ClientForm(name=f"Cliente {i}", phones=(PhoneInput(phone),))
                )
        wanted = _all_rows(source)
    finally:
        source.close()
    out = io.StringIO()
    assert run_migrate_store(tmp_path / "shop" / "shop.sqlite3", store.url, out) == 0, (
        out.getvalue()
    )
    assert f"client_digits: {len(wanted)} rows (rebuilt)" in out.getvalue()
    assert _all_rows(store) == wanted
