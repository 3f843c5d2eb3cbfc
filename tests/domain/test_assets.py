"""Assets: serial normalisation and uniqueness (also across processes), the IMEI check,
names, moves and their history, linked work orders, optimistic concurrency, and bad
input that writes nothing."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import col, func, select

from remtui import i18n
from remtui.domain import assets, audit, staff
from remtui.domain.assets import AssetForm
from remtui.domain.clients import ClientRecord
from remtui.errors import DomainError, ValidationError
from remtui.store.engine import Store
from remtui.store.tables.core import AuditEntry
from remtui.store.tables.crm import Asset, AssetMove
from remtui.store.tables.documents import Document

MakeClient = Callable[..., ClientRecord]
VALID_IMEI = "490154203237518"
WRONG_IMEI = "490154203237519"


def places(store: Store) -> dict[str, int]:
    with store.read() as session:
        return {name: wid for wid, name, _kind in staff.warehouses(session)}


def add_asset(
    store: Store,
    actor: staff.Actor,
    client_id: int,
    serial: str,
    warehouse: str = "Front desk",
    **fields: str,
) -> assets.AssetRecord:
    form = AssetForm(serial=serial, **{"kind": "Phone", **fields})
    with store.write() as session:
        return assets.create_asset(session, actor, client_id, form, places(store)[warehouse])


def snapshot(store: Store) -> dict[str, object]:
    with store.read() as session:
        return {
            "assets": [
                (
                    a.id,
                    a.serial,
                    a.serial_key,
                    a.kind,
                    a.brand,
                    a.model,
                    a.notes,
                    a.version,
                    a.warehouse_id,
                )
                for a in session.exec(select(Asset).order_by(col(Asset.id)))
            ],
            "moves": session.exec(select(func.count()).select_from(AssetMove)).one(),
            "audit": session.exec(select(func.count()).select_from(AuditEntry)).one(),
        }


# --- serials -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("ab-12 34", "AB1234"),
        ("AB1234", "AB1234"),
        ("  a.b–12\u00a034 ", "AB1234"),
        ("ＡＢ１２３４", "AB1234"),
        ("35-209900-176148-1", "352099001761481"),
        ("", ""),
    ],
)
def test_serial_key(raw: str, key: str) -> None:
    assert assets.serial_key(raw) == key


@given(
    st.text(alphabet="ABCDEFXYZ0123456789abcxyz", min_size=1, max_size=20),
    st.lists(st.sampled_from([" ", "-", ".", "\t"]), max_size=6),
    st.randoms(use_true_random=False),
)
def test_separators_and_case_never_matter(core: str, seps: list[str], rnd: Any) -> None:
    chars = list(core.lower() if rnd.random() < 0.5 else core)
    for sep in seps:
        chars.insert(rnd.randrange(len(chars) + 1), sep)
    messy = "".join(chars)
    assert assets.serial_key(messy) == assets.serial_key(core) == core.upper()
    assert assets.serial_key(assets.serial_key(messy)) == assets.serial_key(messy)


def test_luhn() -> None:
    assert assets.looks_like_imei(VALID_IMEI) and assets.luhn_ok(VALID_IMEI)
    assert not assets.luhn_ok(WRONG_IMEI)
    assert not assets.looks_like_imei("49015420323751")  # 14 digits: just a serial
    assert not assets.looks_like_imei("49015420323751X")


@given(st.text("0123456789", min_size=14, max_size=14))
def test_imei_check_is_python_stdnum_s(body: str) -> None:
    """Of the ten possible last digits exactly the one python-stdnum computes is taken, and
    each of the others gets the IMEI message (the 15 digits may be typed with separators)."""
    from stdnum import imei, luhn

    right = body + luhn.calc_check_digit(body)
    assert imei.is_valid(right) and assets.imei_ok(right)
    for digit in "0123456789":
        typed = f"{body[:2]}-{body[2:8]}-{body[8:]}-{digit}"
        try:
            assets._validate(AssetForm(typed, "Phone"))
            problem = None
        except ValidationError as exc:
            problem = exc.errors.get("serial")
        if body + digit == right:
            assert problem is None
        else:
            assert problem == (
                "That IMEI's check digit is wrong: check the 15 digits (*#06# shows them)."
            )


def test_same_serial_differently_typed_is_a_duplicate_naming_the_owner(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    owner = make_client("Rui Costa")
    other = make_client("Joana Reis")
    first = add_asset(store, admin, owner.id, "ab-12 34")
    assert first.serial == "ab-12 34" and first.serial_key == "AB1234"
    before = snapshot(store)
    with pytest.raises(assets.DuplicateSerial) as err:
        add_asset(store, admin, other.id, "AB1234")
    assert err.value.field == "serial"
    assert (err.value.client_id, err.value.client_name, err.value.asset_id) == (
        owner.id,
        "Rui Costa",
        first.id,
    )
    assert "Rui Costa" in err.value.message
    assert snapshot(store) == before
    with store.read() as session:
        found = assets.find_by_serial(session, "A B.1-2.34")
        assert found is not None and found.id == first.id and found.client_id == owner.id
        assert assets.find_by_serial(session, "AB12345") is None
        assert assets.find_by_serial(session, " - ") is None


def test_owner_hidden_when_the_clerk_may_not_see_clients(
    store: Store,
    admin: staff.Actor,
    make_client: MakeClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner = make_client("Rui Costa")
    add_asset(store, admin, owner.id, "SN1")
    monkeypatch.setattr(assets, "may_see_client", lambda actor, client_id: False)
    with pytest.raises(assets.DuplicateSerial) as err:
        add_asset(store, admin, make_client("Outro").id, "sn-1")
    assert err.value.client_id is None and err.value.client_name is None
    assert "Rui Costa" not in err.value.message


def test_unique_index_is_the_final_judge(
    store: Store,
    admin: staff.Actor,
    make_client: MakeClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If the early check misses a twin saved an instant ago, the unique index catches it
    and the clerk still gets DuplicateSerial, with nothing written."""
    owner = make_client("Rui Costa")
    first = add_asset(store, admin, owner.id, "XY-99")
    real = assets._owner_of
    calls: list[int] = []

    def blind_first(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(assets, "_owner_of", blind_first)
    other = make_client("Outro")
    before = snapshot(store)
    with pytest.raises(assets.DuplicateSerial) as err:
        add_asset(store, admin, other.id, "xy 99")
    assert len(calls) == 2
    assert (err.value.client_name, err.value.asset_id) == ("Rui Costa", first.id)
    assert snapshot(store) == before


def test_caller_that_catches_the_duplicate_keeps_a_clean_transaction(
    store: Store, admin: staff.Actor, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client()
    add_asset(store, admin, client.id, "DUP")
    real = assets._owner_of
    calls: list[int] = []

    def blind_first(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(assets, "_owner_of", blind_first)
    wid = places(store)["Workshop"]
    with store.write() as session:
        with pytest.raises(assets.DuplicateSerial):
            assets.create_asset(session, admin, client.id, AssetForm("dup", "Phone"), wid)
        assets.create_asset(session, admin, client.id, AssetForm("OTHER", "Phone"), wid)
    with store.read() as session:
        keys = sorted(a.serial_key for a in session.exec(select(Asset)))
        moves = session.exec(select(func.count()).select_from(AssetMove)).one()
    assert keys == ["DUP", "OTHER"] and moves == 2


def _insert_in_other_process(
    url: str, client_id: int, warehouse_id: int, barrier: Any, blind: bool
) -> Any:
    calls: list[int] = []
    if blind:  # skip the early check: only the unique index can stop the twin
        real = assets._owner_of

        def blind_first(*args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            return None if len(calls) == 1 else real(*args, **kwargs)

        assets._owner_of = blind_first
    store = Store(url)
    try:
        with store.read() as session:
            actor = staff.actor_for(session, "admin")
        barrier.wait(timeout=60)
        try:
            with store.write() as session:
                record = assets.create_asset(
                    session, actor, client_id, AssetForm("SAME-0001", "Laptop"), warehouse_id
                )
            return ("ok", record.id)
        except assets.DuplicateSerial as exc:
            return ("duplicate", exc.client_name, len(calls))
    finally:
        store.close()


def _race(url: str, args: list[tuple[int, int]], blind: bool) -> list[Any]:
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(len(args))
        with ctx.Pool(len(args)) as pool:
            pending = [
                pool.apply_async(_insert_in_other_process, (url, cid, wid, barrier, blind))
                for cid, wid in args
            ]
            return [p.get(timeout=120) for p in pending]


@pytest.mark.parametrize("blind", [False, True], ids=["checked", "index-only"])
def test_concurrent_inserts_of_one_serial_exactly_one_wins(
    store: Store, admin: staff.Actor, make_client: MakeClient, blind: bool
) -> None:
    """Two OS processes, each with its own Store on the same database, save one serial."""
    a = make_client("Rui Costa")
    b = make_client("Joana Reis")
    wid = places(store)["Front desk"]
    results = _race(store.url, [(a.id, wid), (b.id, wid)], blind)
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["duplicate", "ok"], results
    with store.read() as session:
        rows = session.exec(select(Asset).where(Asset.serial_key == "SAME0001")).all()
        moves = session.exec(select(func.count()).select_from(AssetMove)).one()
        owner = {a.id: "Rui Costa", b.id: "Joana Reis"}[rows[0].client_id]
    assert len(rows) == 1 and moves == 1
    loser = next(r for r in results if r[0] == "duplicate")
    assert loser[1] == owner
    if blind:  # the twin really reached the index, and the clash became DuplicateSerial
        assert loser[2] == 2


# --- IMEI and other validation -------------------------------------------------------------


def test_valid_imei_is_accepted_however_typed(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    client = make_client()
    record = add_asset(store, admin, client.id, "49-015420-323751-8", brand="Apple")
    assert record.serial_key == VALID_IMEI and record.is_imei


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (AssetForm(WRONG_IMEI, "Phone"), "serial"),
        (AssetForm("49 0154 2032 3751 9", "Phone"), "serial"),
        (AssetForm("", "Phone"), "serial"),
        (AssetForm(" - . ", "Phone"), "serial"),
        (AssetForm("S" * 65, "Phone"), "serial"),
        (AssetForm("SN-1"), "kind"),
        (AssetForm("SN-1", " ", "\t", ""), "kind"),
        (AssetForm("SN-1", "k" * 101), "kind"),
        (AssetForm("SN-1", "Phone", "b" * 101), "brand"),
        (AssetForm("SN-1", "Phone", "", "m" * 101), "model"),
        (AssetForm("SN-1", "Phone", notes="n" * 5001), "notes"),
    ],
)
def test_bad_input_writes_nothing(
    store: Store, admin: staff.Actor, make_client: MakeClient, form: AssetForm, field: str
) -> None:
    client = make_client()
    existing = add_asset(store, admin, client.id, "KEEP-1")
    before = snapshot(store)
    with pytest.raises(ValidationError) as err, store.write() as session:
        assets.create_asset(session, admin, client.id, form, places(store)["Workshop"])
    assert err.value.errors.get(field)
    with pytest.raises(ValidationError), store.write() as session:
        assets.update_asset(session, admin, existing.id, form, existing.version)
    assert snapshot(store) == before


def test_imei_message(store: Store, admin: staff.Actor, make_client: MakeClient) -> None:
    client = make_client()
    with pytest.raises(ValidationError) as err:
        add_asset(store, admin, client.id, WRONG_IMEI)
    assert "check digit" in err.value.errors["serial"]
    with pytest.raises(ValidationError) as err:
        add_asset(store, admin, client.id, "SN", kind="")
    assert "name" in err.value.errors["kind"]


def test_other_lengths_are_not_imei_checked(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    client = make_client()
    add_asset(store, admin, client.id, "49015420323751")  # 14 digits
    add_asset(store, admin, client.id, "4901542032375190")  # 16 digits
    add_asset(store, admin, client.id, "49015420323751A")  # not all digits


def test_unknown_warehouse_or_client(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    client = make_client()
    before = snapshot(store)
    with pytest.raises(DomainError) as err, store.write() as session:
        assets.create_asset(session, admin, client.id, AssetForm("SN", "Phone"), 999)
    assert err.value.field == "warehouse"
    with pytest.raises(DomainError) as err, store.write() as session:
        assets.create_asset(
            session, admin, 999, AssetForm("SN", "Phone"), places(store)["Workshop"]
        )
    assert err.value.field == "client"
    assert snapshot(store) == before


# --- create, read, list --------------------------------------------------------------------


def test_create_records_fields_first_move_and_audit(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    client = make_client("Rui Costa")
    record = add_asset(
        store,
        admin,
        client.id,
        " sn 0001 ",
        "Workshop",
        brand=" Apple ",
        model="iPhone\x1b 12",
        notes="Cracked\nback",
    )
    assert record.serial == "sn 0001" and record.serial_key == "SN0001"
    assert (record.kind, record.brand, record.model) == ("Phone", "Apple", "iPhone 12")
    assert record.name == "Phone Apple iPhone 12" and record.notes == "Cracked\nback"
    assert (record.client_name, record.warehouse_name, record.warehouse_kind) == (
        "Rui Costa",
        "Workshop",
        "shop",
    )
    assert record.version == 1 and record.created_by_name == "Ana Admin"
    assert [
        (m.from_warehouse_name, m.to_warehouse_name, m.employee_name) for m in record.moves
    ] == [("", "Workshop", "Ana Admin")]
    assert record.moves[0].from_warehouse_id is None
    assert record.work_orders == ()
    assert not record.is_imei
    with store.read() as session:
        assert [a.action for a in audit.recent(session, entity="asset")] == ["asset.create"]


def test_list_for_a_client(store: Store, admin: staff.Actor, make_client: MakeClient) -> None:
    client = make_client()
    other = make_client("Outro")
    a = add_asset(store, admin, client.id, "A-1", brand="Samsung", model="S21")
    b = add_asset(store, admin, client.id, "B-2", "With the client", kind="", brand="HP")
    add_asset(store, admin, other.id, "C-3")
    with store.read() as session:
        rows = assets.list_assets(session, client.id)
        page = assets.list_assets(session, client.id, limit=1, offset=1)
        assert assets.count_assets(session, client.id) == 2
    assert [(r.id, r.serial, r.name, r.warehouse_name) for r in rows] == [
        (b.id, "B-2", "HP", "With the client"),
        (a.id, "A-1", "Phone Samsung S21", "Front desk"),
    ]
    assert rows[0].warehouse_kind == "client"
    assert [r.id for r in page] == [a.id]


def test_linked_work_orders(store: Store, admin: staff.Actor, make_client: MakeClient) -> None:
    client = make_client()
    asset = add_asset(store, admin, client.id, "WO-LINKED")
    other = add_asset(store, admin, client.id, "ANOTHER")
    with store.write() as session:
        for kind, number, status, asset_id in [
            ("work_order", "WO-000001", "closed", asset.id),
            ("sale", "S-000001", "completed", asset.id),
            ("work_order", "WO-000002", "in_progress", other.id),
            ("work_order", "WO-000003", "new", asset.id),
        ]:
            session.add(
                Document(
                    kind=kind,
                    number=number,
                    client_id=client.id,
                    status=status,
                    asset_id=asset_id,
                    total=1250,
                )
            )
    with store.read() as session:
        record = assets.get_asset(session, asset.id)
    assert [(w.number, w.status, w.total) for w in record.work_orders] == [
        ("WO-000003", "new", 1250),
        ("WO-000001", "closed", 1250),
    ]
    assert all(w.created_at.tzinfo is not None for w in record.work_orders)


# --- moves --------------------------------------------------------------------------------------


def test_moves_are_recorded_in_order(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    client = make_client()
    wh = places(store)
    asset = add_asset(store, admin, client.id, "MOVE-ME")
    with store.write() as session:
        bea = staff.add_employee(session, admin, "bea", "Beatriz Lopes", "long password", "clerk")
        asset = assets.move_asset(session, bea, asset.id, wh["Workshop"], asset.version)
    with store.write() as session:
        asset = assets.move_asset(session, admin, asset.id, wh["With the client"], asset.version)
    assert asset.warehouse_name == "With the client" and asset.version == 3
    assert [(m.from_warehouse_name, m.to_warehouse_name, m.employee_name) for m in asset.moves] == [
        ("", "Front desk", "Ana Admin"),
        ("Front desk", "Workshop", "Beatriz Lopes"),
        ("Workshop", "With the client", "Ana Admin"),
    ]
    times = [m.at for m in asset.moves]
    assert times == sorted(times)
    with store.read() as session:
        row = session.get(Asset, asset.id)
        assert row is not None and row.warehouse_id == wh["With the client"]
        moves = session.exec(
            select(AssetMove).where(AssetMove.asset_id == asset.id).order_by(col(AssetMove.id))
        ).all()
        assert [m.to_warehouse_id for m in moves] == [
            wh["Front desk"],
            wh["Workshop"],
            wh["With the client"],
        ]
        actions = [a.action for a in audit.recent(session, entity="asset", entity_id=asset.id)]
        assert actions == ["asset.move", "asset.move", "asset.create"]


def test_move_to_the_same_place_or_nowhere_is_refused(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    client = make_client()
    asset = add_asset(store, admin, client.id, "STAY")
    before = snapshot(store)
    with pytest.raises(DomainError, match="already in Front desk") as err, store.write() as s:
        assets.move_asset(s, admin, asset.id, places(store)["Front desk"], asset.version)
    assert err.value.field == "warehouse"
    with pytest.raises(DomainError) as err, store.write() as s:
        assets.move_asset(s, admin, asset.id, 999, asset.version)
    assert err.value.field == "warehouse"
    assert snapshot(store) == before


def test_stale_move_is_refused(store: Store, admin: staff.Actor, make_client: MakeClient) -> None:
    client = make_client()
    wh = places(store)
    asset = add_asset(store, admin, client.id, "RACE")
    with store.write() as session:
        assets.move_asset(session, admin, asset.id, wh["Workshop"], asset.version)
    before = snapshot(store)
    with pytest.raises(assets.StaleAsset) as err, store.write() as session:
        assets.move_asset(session, admin, asset.id, wh["With the client"], asset.version)
    assert err.value.current.warehouse_name == "Workshop" and err.value.mine is None
    assert snapshot(store) == before


# --- editing and optimistic concurrency ----------------------------------------------------


def test_update_fields(store: Store, admin: staff.Actor, make_client: MakeClient) -> None:
    client = make_client()
    asset = add_asset(store, admin, client.id, "ab-12 34")
    with store.write() as session:
        saved = assets.update_asset(
            session,
            admin,
            asset.id,
            AssetForm("AB 1234", "Tablet", "Apple", "iPad", "Scratched"),
            asset.version,
        )
    assert (saved.serial, saved.serial_key, saved.name, saved.notes) == (
        "AB 1234",
        "AB1234",
        "Tablet Apple iPad",
        "Scratched",
    )
    assert saved.version == 2 and saved.warehouse_name == "Front desk"
    assert saved.as_form() == AssetForm("AB 1234", "Tablet", "Apple", "iPad", "Scratched")
    with store.read() as session:
        entry = audit.recent(session, entity="asset", entity_id=asset.id)[0]
    assert entry.action == "asset.update" and "model" in entry.detail


def test_update_to_another_assets_serial_is_refused(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    client = make_client("Rui Costa")
    add_asset(store, admin, client.id, "TAKEN")
    mine = add_asset(store, admin, client.id, "MINE")
    before = snapshot(store)
    with pytest.raises(assets.DuplicateSerial) as err, store.write() as session:
        assets.update_asset(session, admin, mine.id, AssetForm("ta-ken", "Phone"), mine.version)
    assert err.value.client_name == "Rui Costa"
    assert snapshot(store) == before


def test_stale_update_carries_the_current_record(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    client = make_client()
    asset = add_asset(store, admin, client.id, "EDIT")
    with store.write() as session:
        assets.update_asset(
            session, admin, asset.id, AssetForm("EDIT", "Phone", notes="theirs"), asset.version
        )
    before = snapshot(store)
    mine = AssetForm("EDIT", "Phone", notes="mine")
    with pytest.raises(assets.StaleAsset) as err, store.write() as session:
        assets.update_asset(session, admin, asset.id, mine, asset.version)
    assert err.value.current.notes == "theirs" and err.value.current.version == 2
    assert err.value.mine == mine
    assert snapshot(store) == before


def test_compare_and_set_catches_a_change_made_in_between(
    store: Store, admin: staff.Actor, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client()
    asset = add_asset(store, admin, client.id, "CAS")
    # Without the early check, only the compare-and-set UPDATE stands in the way.
    monkeypatch.setattr(assets, "_check_version", lambda *args: None)
    with store.write() as session:
        session.get(Asset, asset.id)
        session.connection().execute(
            text("UPDATE asset SET version = version + 1 WHERE id = :id"), {"id": asset.id}
        )
        with pytest.raises(assets.StaleAsset):
            assets.update_asset(session, admin, asset.id, AssetForm("CAS", "X"), asset.version)


def test_portuguese_messages(store: Store, admin: staff.Actor, make_client: MakeClient) -> None:
    client = make_client("Rui Costa")
    add_asset(store, admin, client.id, "PT-1")
    i18n.set_language("pt_PT")
    with pytest.raises(assets.DuplicateSerial) as dup:
        add_asset(store, admin, client.id, "pt 1")
    assert dup.value.message == "Este número de série já está registado no cliente Rui Costa."
    with pytest.raises(ValidationError) as err:
        add_asset(store, admin, client.id, "X", kind="")
    assert err.value.errors["kind"] == "Dê um nome ao ativo: o tipo, a marca ou o modelo."
