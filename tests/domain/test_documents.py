"""Documents: arithmetic, validation, statuses, balance effect, editing, conversion, queries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlmodel import Session, col, select

from remtui import i18n
from remtui.domain import audit, catalog, clients, ledger, payments, staff
from remtui.domain import documents as docs
from remtui.domain.documents import LineInput
from remtui.errors import DomainError, PermissionDenied, ValidationError
from remtui.store.engine import Store
from remtui.store.tables import Warehouse
from remtui.store.tables.crm import Asset
from remtui.store.tables.documents import Document, DocumentLine, DocumentStatusChange
from remtui.store.tables.ledger import LedgerEntry

MakeClient = Callable[..., clients.ClientRecord]
TABLES = (
    "document",
    "document_line",
    "document_status_change",
    "payment",
    "ledger_entry",
    "audit",
)


def counts(store: Store) -> dict[str, int]:
    with store.read() as session:
        conn = session.connection()
        out = {t: int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()) for t in TABLES}
        out["numbers"] = int(
            conn.execute(
                text("SELECT COALESCE(SUM(next_value), 0) FROM number_sequence")
            ).scalar_one()
        )
    return out


def entries(store: Store, client_id: int) -> list[tuple[str, int, str, int | None, str]]:
    with store.read() as session:
        rows = session.exec(
            select(LedgerEntry)
            .where(LedgerEntry.client_id == client_id)
            .order_by(col(LedgerEntry.id))
        ).all()
        return [(r.kind, r.amount, r.source_type, r.source_id, r.reference) for r in rows]


def balance(store: Store, client_id: int) -> int:
    with store.read() as session:
        return ledger.balance(session, client_id)


def create(
    store: Store,
    actor: staff.Actor,
    client_id: int,
    kind: str = "work_order",
    lines: list[LineInput] | None = None,
    **kw: Any,
) -> docs.DocumentDetail:
    with store.write() as session:
        return docs.create_document(
            session, actor, client_id, kind, lines or [LineInput("Repair", "1", 1000)], **kw
        )


def move(store: Store, actor: staff.Actor, doc_id: int, *statuses: str) -> docs.DocumentDetail:
    detail = None
    for status in statuses:
        with store.write() as session:
            detail = docs.change_status(session, actor, doc_id, status)
    assert detail is not None
    return detail


@pytest.fixture
def client_id(make_client: MakeClient) -> int:
    return make_client("Maria Santos", "912345678").id


@pytest.fixture
def clerk(store: Store, admin: staff.Actor) -> staff.Actor:
    with store.write() as session:
        return staff.add_employee(session, admin, "carla", "Carla Clerk", "password1", "clerk")


# --- arithmetic -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qty", "price", "kind", "value", "expected"),
    [
        (1000, 1000, "", 0, (1000, 0, 1000)),
        (1500, 333, "", 0, (500, 0, 500)),  # 499.5 rounds half up
        (1499, 333, "", 0, (499, 0, 499)),  # 499.167
        (333, 1, "", 0, (0, 0, 0)),  # 0.333
        (500, 1, "", 0, (1, 0, 1)),  # 0.5 goes up
        (2000, 999, "percent", 1250, (1998, 250, 1748)),  # 249.75 -> 250
        (1000, 999, "percent", 1250, (999, 125, 874)),  # 124.875 -> 125
        (1000, 1, "percent", 5000, (1, 1, 0)),  # half of a cent rounds up
        (1000, 4, "percent", 1250, (4, 1, 3)),  # 0.5 -> 1
        (1000, 3, "percent", 1250, (3, 0, 3)),  # 0.375 -> 0
        (1000, 999, "percent", 10000, (999, 999, 0)),
        (3000, 250, "amount", 100, (750, 100, 650)),
        (3000, 250, "amount", 750, (750, 750, 0)),
    ],
)
def test_line_arithmetic_follows_the_written_rule(
    qty: int, price: int, kind: str, value: int, expected: tuple[int, int, int]
) -> None:
    amounts = docs.compute_line(qty, price, kind, value)
    assert (amounts.gross, amounts.discount, amounts.total) == expected


def test_round_half_up() -> None:
    assert [docs.round_half_up(n, 10) for n in (4, 5, 14, 15, 25, -5, -4)] == [0, 1, 1, 2, 3, -1, 0]


@pytest.mark.parametrize(
    ("typed", "milli"),
    [
        ("2", 2000),
        ("1,5", 1500),
        ("0.25", 250),
        (" 3 ", 3000),
        (",5", 500),
        ("1,", 1000),
        ("+4", 4000),
        ("0,001", 1),
        ("1000000", 1_000_000_000),
        (2, 2000),
        (Decimal("0.125"), 125),
    ],
)
def test_quantities_a_clerk_types(typed: str | int | Decimal, milli: int) -> None:
    assert docs.parse_quantity(typed) == milli


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "  ",
        "0",
        "0,000",
        "-1",
        "−2",
        "abc",
        "1,2345",
        "1.2.3",
        "1e3",
        "1000001",
        0,
        -2,
        1.5,
        True,
        Decimal("0.0001"),
        Decimal("NaN"),
    ],
)
def test_bad_quantities_are_refused(typed: Any) -> None:
    with pytest.raises(DomainError) as err:
        docs.parse_quantity(typed)
    assert err.value.field == "quantity"


def test_quantity_percent_formatting_per_locale() -> None:
    assert docs.format_quantity(1500) == "1.5"
    assert docs.format_quantity(1500, "pt_PT") == "1,5"
    assert docs.format_quantity(2000, "pt_PT") == "2"
    assert docs.format_quantity(125) == "0.125"
    assert docs.format_percent(1250, "pt_PT") == "12,5 %"
    assert docs.format_percent(1000) == "10 %"
    assert docs.parse_percent("12,5 %") == 1250
    with pytest.raises(DomainError) as err:
        docs.parse_percent("101")
    assert err.value.field == "discount"


# --- creating -------------------------------------------------------------------------------


def test_each_kind_gets_its_own_numbers_and_first_status(
    store: Store, admin: staff.Actor, client_id: int
) -> None:
    wo1 = create(store, admin, client_id, "work_order")
    est = create(store, admin, client_id, "estimate")
    sale = create(store, admin, client_id, "sale")
    wo2 = create(store, admin, client_id, "work_order")
    custom = create(store, admin, client_id, "estimate", prefixes={"estimate": "ORC-"})
    assert [d.number for d in (wo1, est, sale, wo2, custom)] == [
        "WO-000001",
        "E-000001",
        "S-000001",
        "WO-000002",
        "ORC-000002",
    ]
    assert [d.status for d in (wo1, est, sale)] == ["new", "draft", "completed"]
    assert [d.kind_label for d in (wo1, est, sale)] == ["Work order", "Estimate", "Sale"]
    with store.read() as session:
        history = session.exec(
            select(DocumentStatusChange).where(DocumentStatusChange.document_id == sale.id)
        ).all()
        assert [(h.from_status, h.to_status, h.total, h.employee_id) for h in history] == [
            ("", "completed", 1000, admin.id)
        ]
        created = [
            a for a in audit.recent(session, entity="document") if a.action == "document.create"
        ]
    assert len(created) == 5


def test_lines_take_catalog_defaults_and_the_clients_discount(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    client = make_client("Rui Costa", discount="12.5")
    with store.write() as session:
        item = catalog.create_item(session, admin, name="Bateria", price=2999, kind="product")
    doc = create(
        store,
        admin,
        client.id,
        "sale",
        [
            LineInput(item_id=item.id, quantity="2"),  # name and price from the catalog
            LineInput("Mão de obra", "1,5", 2000),  # client's 12.5 %
            LineInput("Capa", "1", 1000, discount_kind=""),  # explicitly none
            LineInput("Cabo", "1", 1000, discount_kind="amount", discount_value=150),
            LineInput("Película", "1", 1000, discount_kind="percent", discount_value=5000),
        ],
    )
    got = [
        (
            x.description,
            x.quantity_milli,
            x.unit_price,
            x.discount_kind,
            x.discount_value,
            x.line_total,
        )
        for x in doc.lines
    ]
    assert got == [
        ("Bateria", 2000, 2999, "percent", 1250, 5998 - 750),  # 749.75 -> 750
        ("Mão de obra", 1500, 2000, "percent", 1250, 3000 - 375),
        ("Capa", 1000, 1000, "", 0, 1000),
        ("Cabo", 1000, 1000, "amount", 150, 850),
        ("Película", 1000, 1000, "percent", 5000, 500),
    ]
    assert doc.total == sum(x.line_total for x in doc.lines) == 5248 + 2625 + 1000 + 850 + 500
    assert doc.gross == 5998 + 3000 + 3000
    assert doc.discount == doc.gross - doc.total
    assert doc.lines[0].item_id == item.id
    plain = create(
        store,
        admin,
        client.id,
        "estimate",
        [LineInput("X", "1", 1000)],
        apply_client_discount=False,
    )
    assert plain.total == 1000
    with store.read() as session:
        stored = session.exec(select(DocumentLine).where(DocumentLine.document_id == doc.id)).all()
        assert [x.line_total for x in stored] == [x.line_total for x in doc.lines]
        assert session.get(Document, doc.id).total == doc.total  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("lines", "keys"),
    [
        ([], {"lines"}),
        ([LineInput("", "1", 100)], {"line.0.description"}),
        ([LineInput("   ", "1", 100)], {"line.0.description"}),
        ([LineInput("A", "1", 100), LineInput("B", "0", 100)], {"line.1.quantity"}),
        ([LineInput("A", "-1", 100)], {"line.0.quantity"}),
        ([LineInput("A", -3, 100)], {"line.0.quantity"}),
        ([LineInput("A", "1,2345", 100)], {"line.0.quantity"}),
        ([LineInput("A", "1", -100)], {"line.0.unit_price"}),
        ([LineInput("A", "1", None)], {"line.0.unit_price"}),
        ([LineInput("A", "1", 12.505)], {"line.0.unit_price"}),  # type: ignore[arg-type]
        ([LineInput("A", "1", 10**12)], {"line.0.unit_price"}),
        ([LineInput("A", "1000000", 10**11)], {"line.0.unit_price"}),
        (
            [LineInput("A", "1", 100, discount_kind="percent", discount_value=10001)],
            {"line.0.discount"},
        ),
        (
            [LineInput("A", "1", 100, discount_kind="percent", discount_value=-1)],
            {"line.0.discount"},
        ),
        (
            [LineInput("A", "2", 100, discount_kind="amount", discount_value=201)],
            {"line.0.discount"},
        ),
        ([LineInput("A", "1", 100, discount_kind="bogus", discount_value=1)], {"line.0.discount"}),
        ([LineInput("A", "1", 100, item_id=999)], {"line.0.item"}),
        ([LineInput("", "0", -1)], {"line.0.description", "line.0.quantity", "line.0.unit_price"}),
        ([LineInput("A", "1", 10**11), LineInput("B", "1", 1)], {"lines"}),
    ],
)
def test_bad_lines_are_refused_with_field_keys_and_nothing_is_written(
    store: Store, admin: staff.Actor, client_id: int, lines: list[LineInput], keys: set[str]
) -> None:
    before = counts(store)
    for kind in ("work_order", "estimate", "sale"):
        with pytest.raises(ValidationError) as err, store.write() as session:
            docs.create_document(session, admin, client_id, kind, lines)
        assert set(err.value.errors) == keys
    assert counts(store) == before


def test_preview_lines_gives_totals_without_writing(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    client = make_client("Rita", discount="10")
    before = counts(store)
    with store.write() as session:
        preview = docs.preview_lines(session, client.id, [LineInput("A", "3", 333)])
        with pytest.raises(ValidationError):
            docs.preview_lines(session, client.id, [LineInput("A", "0", 333)])
    assert (preview.gross, preview.discount, preview.total) == (999, 100, 899)
    assert counts(store) == before


def test_asset_must_be_the_clients_and_not_on_a_sale(
    store: Store, admin: staff.Actor, client_id: int, make_client: MakeClient
) -> None:
    other = make_client("Outro Cliente")
    with store.write() as session:
        warehouse = session.exec(select(Warehouse)).first()
        assert warehouse is not None
        mine = Asset(
            serial="SN1",
            serial_key="SN1",
            model="iPhone 12",
            brand="Apple",
            client_id=client_id,
            warehouse_id=warehouse.id or 0,
        )
        theirs = Asset(
            serial="SN2", serial_key="SN2", client_id=other.id, warehouse_id=warehouse.id or 0
        )
        session.add(mine)
        session.add(theirs)
        session.flush()
        mine_id, theirs_id = mine.id or 0, theirs.id or 0
    before = counts(store)
    for kind, asset in (("work_order", theirs_id), ("work_order", 999), ("sale", mine_id)):
        with pytest.raises(ValidationError) as err, store.write() as session:
            docs.create_document(
                session, admin, client_id, kind, [LineInput("A", "1", 1)], asset_id=asset
            )
        assert set(err.value.errors) == {"asset"}
    assert counts(store) == before
    wo = create(store, admin, client_id, asset_id=mine_id)
    assert wo.asset_id == mine_id
    assert wo.asset_label == "Apple iPhone 12 (SN1)"
    with store.read() as session:
        assert docs.asset_choices(session, client_id) == [(mine_id, "Apple iPhone 12 (SN1)")]
    with pytest.raises(ValidationError), store.write() as session:
        docs.update_document(session, admin, wo.id, wo.version, asset_id=theirs_id)
    with store.write() as session:
        cleared = docs.update_document(session, admin, wo.id, wo.version, asset_id=None)
    assert cleared.asset_id is None


def test_unknown_client_and_kind(store: Store, admin: staff.Actor, client_id: int) -> None:
    with pytest.raises(DomainError), store.write() as session:
        docs.create_document(session, admin, 999, "sale", [LineInput("A", "1", 1)])
    with pytest.raises(ValidationError) as err, store.write() as session:
        docs.create_document(session, admin, client_id, "invoice", [LineInput("A", "1", 1)])
    assert set(err.value.errors) == {"kind"}


# --- statuses ---------------------------------------------------------------------------------

# Written out independently of docs.TRANSITIONS: the rules as the issue states them.
ALLOWED = {
    "work_order": {
        "new": {"in_progress", "cancelled"},
        "in_progress": {"waiting_parts", "ready", "cancelled"},
        "waiting_parts": {"in_progress", "cancelled"},
        "ready": {"closed", "in_progress", "cancelled"},
        "closed": {"in_progress"},
        "cancelled": set(),
    },
    "estimate": {
        "draft": {"sent", "accepted", "rejected"},
        "sent": {"accepted", "rejected"},
        "accepted": set(),
        "rejected": set(),
    },
    "sale": {"completed": {"refunded"}, "refunded": set()},
}
PATH = {
    "new": [],
    "in_progress": ["in_progress"],
    "waiting_parts": ["in_progress", "waiting_parts"],
    "ready": ["in_progress", "ready"],
    "closed": ["in_progress", "ready", "closed"],
    "cancelled": ["cancelled"],
    "draft": [],
    "sent": ["sent"],
    "accepted": ["accepted"],
    "rejected": ["rejected"],
    "completed": [],
    "refunded": ["refunded"],
}
CASES = [(kind, old, new) for kind, table in ALLOWED.items() for old in table for new in table]


def test_the_transition_table_is_the_issues() -> None:
    for kind, table in ALLOWED.items():
        for old, news in table.items():
            assert set(docs.allowed_next(kind, old)) == news, (kind, old)


@pytest.mark.parametrize(("kind", "old", "new"), CASES)
def test_every_transition_is_allowed_or_refused(
    store: Store, admin: staff.Actor, client_id: int, kind: str, old: str, new: str
) -> None:
    doc = create(store, admin, client_id, kind)
    if PATH[old]:
        move(store, admin, doc.id, *PATH[old])
    before = counts(store)
    if new in ALLOWED[kind][old]:
        with store.write() as session:
            after = docs.change_status(session, admin, doc.id, new, note="ok")
        assert after.status == new
        assert after.history[-1].from_status == old
        assert after.history[-1].to_status == new
        assert after.history[-1].note == "ok"
        assert after.history[-1].employee == admin.name
        grew = counts(store)
        assert grew["document_status_change"] == before["document_status_change"] + 1
        assert grew["audit"] == before["audit"] + 1
    else:
        with pytest.raises(docs.IllegalTransition) as err, store.write() as session:
            docs.change_status(session, admin, doc.id, new)
        assert err.value.field == "status"
        assert counts(store) == before
        with store.read() as session:
            assert docs.get_document(session, doc.id).status == old


def test_next_statuses_offer_labels_actions_and_permissions(
    store: Store, admin: staff.Actor, client_id: int
) -> None:
    doc = create(store, admin, client_id)
    assert [(o.status, o.label, o.action) for o in doc.next_statuses] == [
        ("in_progress", "In progress", "Start work"),
        ("cancelled", "Cancelled", "Cancel"),
    ]
    closed = move(store, admin, doc.id, "in_progress", "ready", "closed")
    assert [(o.status, o.action, o.permission, o.charges) for o in closed.next_statuses] == [
        ("in_progress", "Reopen", "corrections", -1000)
    ]
    ready = move(store, admin, create(store, admin, client_id).id, "in_progress", "ready")
    assert {o.status: o.charges for o in ready.next_statuses}["closed"] == 1000


def test_reopen_and_sale_refund_need_permissions(
    store: Store, admin: staff.Actor, clerk: staff.Actor, client_id: int
) -> None:
    wo = create(store, clerk, client_id)
    move(store, clerk, wo.id, "in_progress", "ready", "closed")
    sale = create(store, clerk, client_id, "sale")
    before = counts(store)
    with pytest.raises(PermissionDenied), store.write() as session:
        docs.reopen(session, clerk, wo.id)
    with pytest.raises(PermissionDenied), store.write() as session:
        docs.refund_sale(session, clerk, sale.id)
    assert counts(store) == before
    with store.write() as session:
        assert docs.reopen(session, admin, wo.id).status == "in_progress"
        assert docs.refund_sale(session, admin, sale.id, note="broken").status == "refunded"


def test_stale_status_change_is_refused(store: Store, admin: staff.Actor, client_id: int) -> None:
    doc = create(store, admin, client_id)
    move(store, admin, doc.id, "in_progress")
    with pytest.raises(docs.StaleDocument) as err, store.write() as session:
        docs.change_status(session, admin, doc.id, "ready", expected_version=doc.version)
    assert err.value.current_version == doc.version + 1
    assert err.value.current.status == "in_progress"


# --- balance effect ---------------------------------------------------------------------------


def test_sale_charges_when_made_and_refund_reverses(
    store: Store, admin: staff.Actor, client_id: int
) -> None:
    sale = create(store, admin, client_id, "sale", [LineInput("Capa", "2", 1250)])
    assert entries(store, client_id) == [("sale", 2500, "document", sale.id, sale.number)]
    assert sale.charged == 2500 and sale.due == 2500
    with store.write() as session:
        refunded = docs.refund_sale(session, admin, sale.id)
    assert refunded.charged == 0 and refunded.due == 0
    assert entries(store, client_id)[-1] == ("sale_refund", -2500, "document", sale.id, sale.number)
    assert balance(store, client_id) == 0


def test_work_order_charges_on_close_reverses_on_reopen_and_charges_again(
    store: Store, admin: staff.Actor, client_id: int
) -> None:
    wo = create(store, admin, client_id, lines=[LineInput("Ecrã", "1", 8000)])
    move(store, admin, wo.id, "in_progress", "waiting_parts", "in_progress", "ready")
    assert entries(store, client_id) == []
    closed = move(store, admin, wo.id, "closed")
    assert closed.charged == 8000
    assert entries(store, client_id) == [("work_order", 8000, "document", wo.id, wo.number)]
    assert balance(store, client_id) == 8000
    with store.write() as session:
        reopened = docs.reopen(session, admin, wo.id, note="fault came back")
    assert reopened.status == "in_progress" and reopened.charged == 0
    assert entries(store, client_id)[-1] == (
        "work_order_reopen",
        -8000,
        "document",
        wo.id,
        wo.number,
    )
    assert balance(store, client_id) == 0
    # lines can change while it is open again; closing charges the new total
    with store.write() as session:
        edited = docs.update_document(
            session,
            admin,
            wo.id,
            reopened.version,
            lines=[*[x.as_input() for x in reopened.lines], LineInput("Cola", "1", 500)],
        )
    assert edited.total == 8500
    move(store, admin, wo.id, "ready", "closed")
    assert [e[:2] for e in entries(store, client_id)] == [
        ("work_order", 8000),
        ("work_order_reopen", -8000),
        ("work_order", 8500),
    ]
    assert balance(store, client_id) == 8500
    with store.read() as session:
        history = docs.get_document(session, wo.id).history
    assert [(h.to_status, h.total) for h in history][-3:] == [
        ("in_progress", 8000),
        ("ready", 8500),
        ("closed", 8500),
    ]


def test_estimates_and_cancelled_documents_never_charge(
    store: Store, admin: staff.Actor, client_id: int
) -> None:
    est = create(store, admin, client_id, "estimate")
    move(store, admin, est.id, "sent", "accepted")
    for path in (
        ["cancelled"],
        ["in_progress", "cancelled"],
        ["in_progress", "ready", "cancelled"],
    ):
        move(store, admin, create(store, admin, client_id).id, *path)
    closed_then_cancelled = create(store, admin, client_id)
    move(
        store,
        admin,
        closed_then_cancelled.id,
        "in_progress",
        "ready",
        "closed",
        "in_progress",
        "cancelled",
    )
    assert balance(store, client_id) == 0
    assert [e[0] for e in entries(store, client_id)] == ["work_order", "work_order_reopen"]


def test_zero_total_documents_write_no_entry(
    store: Store, admin: staff.Actor, client_id: int
) -> None:
    sale = create(store, admin, client_id, "sale", [LineInput("Brinde", "1", 0)])
    wo = create(
        store,
        admin,
        client_id,
        lines=[LineInput("Garantia", "1", 100, discount_kind="percent", discount_value=10000)],
    )
    assert wo.total == 0
    move(store, admin, wo.id, "in_progress", "ready", "closed", "in_progress")
    with store.write() as session:
        docs.refund_sale(session, admin, sale.id)
    assert entries(store, client_id) == []


# --- editing --------------------------------------------------------------------------------


def test_open_work_order_lines_are_edited_with_optimistic_concurrency(
    store: Store, admin: staff.Actor, client_id: int
) -> None:
    wo = create(store, admin, client_id, lines=[LineInput("A", "1", 100)])
    with store.write() as session:
        mine = docs.update_document(
            session,
            admin,
            wo.id,
            wo.version,
            lines=[LineInput("B", "2", 300)],
            comment="first",
        )
    assert mine.version == wo.version + 1
    assert [(x.description, x.line_total) for x in mine.lines] == [("B", 600)]
    assert mine.total == 600 and mine.comment == "first"
    before = counts(store)
    with store.read() as session:
        stored_before = [x.description for x in docs.get_document(session, wo.id).lines]
    with pytest.raises(docs.StaleDocument) as err, store.write() as session:
        docs.update_document(session, admin, wo.id, wo.version, lines=[LineInput("C", "1", 1)])
    assert isinstance(err.value, DomainError)
    assert err.value.current_version == mine.version
    assert err.value.current.total == 600
    assert counts(store) == before
    with store.read() as session:
        assert [x.description for x in docs.get_document(session, wo.id).lines] == stored_before
    with pytest.raises(ValidationError), store.write() as session:
        docs.update_document(session, admin, wo.id, mine.version, lines=[])
    assert counts(store) == before
    with store.read() as session:
        actions = [a.action for a in audit.recent(session, entity="document", entity_id=wo.id)]
    assert actions == ["document.update", "document.create"]


@pytest.mark.parametrize(
    ("kind", "path", "message"),
    [
        ("work_order", ["in_progress", "ready", "closed"], "Reopen the work order"),
        ("work_order", ["cancelled"], "cancelled document"),
        ("sale", [], "A sale cannot be changed"),
        ("estimate", ["accepted"], "accepted or rejected"),
    ],
)
def test_frozen_documents_lines_cannot_change(
    store: Store, admin: staff.Actor, client_id: int, kind: str, path: list[str], message: str
) -> None:
    doc = create(store, admin, client_id, kind)
    detail = move(store, admin, doc.id, *path) if path else doc
    before = counts(store)
    with pytest.raises(DomainError) as err, store.write() as session:
        docs.update_document(session, admin, doc.id, detail.version, lines=[LineInput("X", "1", 1)])
    assert message in err.value.message
    assert err.value.field == "lines"
    assert counts(store) == before
    assert not detail.editable
    with store.write() as session:  # the comment always can
        assert (
            docs.update_document(session, admin, doc.id, detail.version, comment="note").comment
            == "note"
        )


def test_estimates_can_be_edited_while_draft_or_sent(
    store: Store, admin: staff.Actor, client_id: int
) -> None:
    est = create(store, admin, client_id, "estimate")
    sent = move(store, admin, est.id, "sent")
    assert sent.editable
    with store.write() as session:
        out = docs.update_document(
            session, admin, est.id, sent.version, lines=[LineInput("Y", "3", 100)]
        )
    assert out.total == 300
    assert entries(store, client_id) == []


# --- estimates become work orders or sales --------------------------------------------------


def test_accepted_estimate_becomes_a_work_order_or_sale_once(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    client = make_client("Ana", discount="10")
    est = create(
        store,
        admin,
        client.id,
        "estimate",
        [LineInput("Ecrã", "1", 5000), LineInput("Cola", "2", 250, discount_kind="")],
        comment="orçamento",
    )
    with pytest.raises(DomainError), store.write() as session:
        docs.convert_estimate(session, admin, est.id, "work_order")
    move(store, admin, est.id, "accepted")
    with store.write() as session:
        wo = docs.convert_estimate(session, admin, est.id, "work_order")
    assert wo.kind == "work_order" and wo.status == "new" and wo.estimate_id == est.id
    assert wo.estimate_number == est.number
    assert [
        (
            x.description,
            x.quantity_milli,
            x.unit_price,
            x.discount_kind,
            x.discount_value,
            x.line_total,
        )
        for x in wo.lines
    ] == [
        (
            x.description,
            x.quantity_milli,
            x.unit_price,
            x.discount_kind,
            x.discount_value,
            x.line_total,
        )
        for x in est.lines
    ]
    assert wo.total == est.total == 4500 + 500
    assert wo.comment == "orçamento"
    before = counts(store)
    with pytest.raises(DomainError) as err, store.write() as session:
        docs.convert_estimate(session, admin, est.id, "sale")
    assert wo.number in err.value.message
    with pytest.raises(ValidationError), store.write() as session:
        docs.convert_estimate(session, admin, est.id, "estimate")
    assert counts(store) == before
    move(store, admin, wo.id, "cancelled")
    with store.write() as session:
        sale = docs.convert_estimate(session, admin, est.id, "sale")
        assert docs.get_document(session, est.id).converted_to == (
            (wo.id, wo.number),
            (sale.id, sale.number),
        )
    assert sale.status == "completed"
    assert entries(store, client.id) == [("sale", 5000, "document", sale.id, sale.number)]


# --- queries ----------------------------------------------------------------------------------


@contextmanager
def count_selects(store: Store) -> Iterator[list[str]]:
    seen: list[str] = []

    def hook(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    engine = store.read_engine
    event.listen(engine, "before_cursor_execute", hook)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", hook)


def _cashbox(session: Session) -> int:
    return staff.cashboxes(session)[0][0]


def test_list_documents_pages_newest_first_with_paid_and_due(
    store: Store, admin: staff.Actor, client_id: int, make_client: MakeClient
) -> None:
    other = make_client("Outro")
    create(store, admin, other.id, "sale")
    made = [
        create(store, admin, client_id, kind)
        for kind in ("work_order", "estimate", "sale", "work_order", "sale")
    ]
    with store.write() as session:
        box = _cashbox(session)
        payments.take_payment(
            session, admin, client_id, cashbox_id=box, amount=400, document_id=made[2].id
        )
        payments.take_payment(
            session, admin, client_id, cashbox_id=box, amount=1000, document_id=made[4].id
        )
        payments.take_payment(
            session, admin, client_id, cashbox_id=box, amount=300, document_id=made[0].id
        )
    with store.read() as session:
        rows = docs.list_documents(session, client_id)
        page1 = docs.list_documents(session, client_id, limit=2)
        page2 = docs.list_documents(session, client_id, before_id=page1[-1].id, limit=2)
        page3 = docs.list_documents(session, client_id, before_id=page2[-1].id, limit=2)
    assert [r.id for r in rows] == [d.id for d in reversed(made)]
    assert [r.id for r in page1 + page2 + page3] == [r.id for r in rows]
    by_id = {r.id: r for r in rows}
    assert (by_id[made[2].id].paid, by_id[made[2].id].due) == (400, 600)
    assert (by_id[made[4].id].paid, by_id[made[4].id].due) == (1000, 0)
    assert (by_id[made[0].id].paid, by_id[made[0].id].due) == (300, 700)
    assert by_id[made[1].id].due == 0  # an estimate is never due
    assert by_id[made[1].id].status_label == "Draft"
    assert by_id[made[1].id].kind_label == "Estimate"
    assert by_id[made[3].id].employee == admin.name
    with store.read() as session:
        payable = docs.payable_documents(session, client_id)
    assert [r.id for r in payable] == [made[3].id, made[2].id, made[0].id]


def test_list_documents_queries_do_not_grow_with_the_page(
    store: Store, admin: staff.Actor, client_id: int
) -> None:
    def selects(limit: int) -> int:
        with count_selects(store) as seen, store.read() as session:
            rows = docs.list_documents(session, client_id, limit=limit)
        assert len(rows) == limit
        return len(seen)

    with store.write() as session:
        box = _cashbox(session)
        for _ in range(30):
            doc = docs.create_document(
                session, admin, client_id, "sale", [LineInput("A", "1", 100)]
            )
            payments.take_payment(
                session, admin, client_id, cashbox_id=box, amount=50, document_id=doc.id
            )
    assert selects(2) == selects(30) <= 3


def test_get_document_shows_everything_the_dialog_needs(
    store: Store, admin: staff.Actor, client_id: int
) -> None:
    wo = create(store, admin, client_id, lines=[LineInput("Ecrã", "1", 5000)])
    with store.write() as session:
        box = _cashbox(session)
        p = payments.take_payment(
            session, admin, client_id, cashbox_id=box, amount=2000, document_id=wo.id, note="sinal"
        )
        detail = docs.get_document(session, wo.id)
        with pytest.raises(DomainError):
            docs.get_document(session, 999)
    assert detail.client_name == "Maria Santos"
    assert detail.paid == 2000 and detail.due == 3000 and detail.can_take_payment
    assert [(x.id, x.note, x.amount) for x in detail.payments] == [(p.id, "sinal", 2000)]
    assert [h.to_status for h in detail.history] == ["new"]
    assert detail.editable and detail.is_open
    assert detail.employee == admin.name


def test_labels_are_translated(store: Store, admin: staff.Actor, client_id: int) -> None:
    i18n.set_language("pt_PT")
    try:
        assert docs.kind_label("work_order") == "Ordem de reparação"
        assert docs.status_label("waiting_parts") == "A aguardar peças"
        assert docs.status_label("accepted") == "Aceite"
        assert dict(docs.status_choices("sale")) == {
            "completed": "Concluído",
            "refunded": "Reembolsado",
        }
        with pytest.raises(ValidationError) as err, store.write() as session:
            docs.create_document(session, admin, client_id, "sale", [])
        assert err.value.errors["lines"] == "Adicione pelo menos uma linha."
        wo = create(store, admin, client_id)
        with pytest.raises(docs.IllegalTransition) as bad, store.write() as session:
            docs.change_status(session, admin, wo.id, "closed")
        assert bad.value.message == "O estado não pode passar de Novo para Fechado."
    finally:
        i18n.set_language("en")
