"""Balance corrections: one ledger entry + one audit record; the balance always adds up."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlmodel import col, select

from remtui import i18n
from remtui.domain import audit, check, clients, corrections, ledger, staff, statement
from remtui.domain.corrections import Direction, add_correction, preview
from remtui.errors import DomainError, PermissionDenied, ValidationError
from remtui.safetext import clean_input
from remtui.store.engine import Store
from remtui.store.tables import AuditEntry
from remtui.store.tables.ledger import LedgerEntry

MakeClient = Callable[..., clients.ClientRecord]


def _entries(store: Store, client_id: int) -> list[LedgerEntry]:
    with store.read() as session:
        return list(
            session.exec(
                select(LedgerEntry)
                .where(LedgerEntry.client_id == client_id)
                .order_by(col(LedgerEntry.id))
            )
        )


def _audits(store: Store) -> list[AuditEntry]:
    with store.read() as session:
        return list(
            session.exec(select(AuditEntry).where(AuditEntry.action == corrections.AUDIT_ACTION))
        )


def _correct(
    store: Store, actor: staff.Actor, client_id: int, **kw: object
) -> corrections.CorrectionResult:
    with store.write() as session:
        return add_correction(session, actor, client_id, **kw)  # type: ignore[arg-type]


@pytest.fixture
def clerk(store: Store, admin: staff.Actor) -> staff.Actor:
    with store.write() as session:
        return staff.add_employee(session, None, "carla", "Carla Clerk", "password123", "clerk")


def test_three_directions(store: Store, admin: staff.Actor, make_client: MakeClient) -> None:
    c = make_client()
    r1 = _correct(store, admin, c.id, direction="owes_more", amount=1250, reason=" Old debt ")
    assert (r1.amount, r1.balance_before, r1.balance_after, r1.reason) == (
        1250,
        0,
        1250,
        "Old debt",
    )
    assert r1.balance.state is ledger.BalanceState.RECEIVABLE
    r2 = _correct(store, admin, c.id, direction=Direction.WE_OWE_MORE, amount=2000, reason="Refund")
    assert (r2.amount, r2.balance_after) == (-2000, -750)
    r3 = _correct(store, admin, c.id, direction="set_to", amount=0, reason="Settled by phone")
    assert (r3.amount, r3.balance_after) == (750, 0)
    r4 = _correct(store, admin, c.id, direction="set_to", amount=-99, reason="Voucher")
    assert (r4.amount, r4.balance_after) == (-99, -99)

    entries = _entries(store, c.id)
    assert [(e.amount, e.balance_after) for e in entries] == [
        (1250, 1250),
        (-2000, -750),
        (750, 0),
        (-99, -99),
    ]
    for e, r in zip(entries, (r1, r2, r3, r4), strict=True):
        assert e.id == r.entry_id
        assert e.kind == ledger.Kind.CORRECTION.value
        assert e.source_type == "correction"
        assert e.employee_id == admin.id
        assert e.comment == r.reason
    records = _audits(store)
    assert len(records) == 4
    detail = json.loads(records[0].detail)
    assert records[0].employee_id == admin.id
    assert (records[0].entity, records[0].entity_id) == ("client", c.id)
    assert detail["entry_id"] == r1.entry_id
    assert detail["amount"] == 1250
    assert detail["reason"] == "Old debt"
    assert detail["direction"] == "owes_more"
    with store.read() as session:
        assert audit.recent(session, entity="client", entity_id=c.id)[0].action == (
            corrections.AUDIT_ACTION
        )


def test_set_to_the_current_balance_is_refused(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    c = make_client()
    with pytest.raises(DomainError, match="nothing to correct") as info:
        _correct(store, admin, c.id, direction="set_to", amount=0, reason="Why not")
    assert info.value.field == "amount"
    _correct(store, admin, c.id, direction="owes_more", amount=500, reason="x")
    with pytest.raises(DomainError, match="nothing to correct"):
        _correct(store, admin, c.id, direction="set_to", amount=500, reason="Again")
    assert len(_entries(store, c.id)) == 1
    assert len(_audits(store)) == 1


def test_permission_is_required(
    store: Store, admin: staff.Actor, clerk: staff.Actor, make_client: MakeClient
) -> None:
    c = make_client()
    assert not clerk.can(staff.Perm.CORRECTIONS)
    with pytest.raises(PermissionDenied):
        _correct(store, clerk, c.id, direction="owes_more", amount=100, reason="Sneaky")
    assert _entries(store, c.id) == []
    assert _audits(store) == []


@pytest.mark.parametrize(
    ("kw", "fields"),
    [
        ({"direction": "owes_more", "amount": 0, "reason": "r"}, {"amount"}),
        ({"direction": "we_owe_more", "amount": -5, "reason": "r"}, {"amount"}),
        ({"direction": "owes_more", "amount": ledger.MAX_ENTRY + 1, "reason": "r"}, {"amount"}),
        ({"direction": "set_to", "amount": -ledger.MAX_ENTRY - 1, "reason": "r"}, {"amount"}),
        ({"direction": "owes_more", "amount": 5, "reason": ""}, {"reason"}),
        ({"direction": "owes_more", "amount": 5, "reason": "  \n\t "}, {"reason"}),
        ({"direction": "owes_more", "amount": 5, "reason": "\x1b\x07\u202e\x00"}, {"reason"}),
        ({"direction": "owes_more", "amount": 5, "reason": "x" * 501}, {"reason"}),
        ({"direction": "sideways", "amount": 5, "reason": "r"}, {"direction"}),
        ({"direction": "owes_more", "amount": 0, "reason": " "}, {"amount", "reason"}),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    store: Store,
    admin: staff.Actor,
    make_client: MakeClient,
    kw: dict[str, object],
    fields: set[str],
) -> None:
    c = make_client()
    with pytest.raises(ValidationError) as info:
        _correct(store, admin, c.id, **kw)
    assert set(info.value.errors) == fields
    assert all(info.value.errors.values())
    assert _entries(store, c.id) == []
    assert _audits(store) == []


def test_reason_is_cleaned_and_may_be_500_characters(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    c = make_client()
    r = _correct(store, admin, c.id, direction="owes_more", amount=1, reason="a\x1b[2Jb\u202ec\x07")
    assert r.reason == "a[2Jbc"  # the escape is gone; what is left is harmless text
    r = _correct(store, admin, c.id, direction="owes_more", amount=1, reason="y" * 500)
    assert _entries(store, c.id)[-1].comment == "y" * 500


def test_float_amounts_are_a_programming_error(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    c = make_client()
    with pytest.raises(TypeError):
        _correct(store, admin, c.id, direction="owes_more", amount=12.5, reason="r")
    assert _entries(store, c.id) == []


def test_unknown_client(store: Store, admin: staff.Actor) -> None:
    with pytest.raises(DomainError, match="does not exist"):
        _correct(store, admin, 4242, direction="owes_more", amount=1, reason="r")
    assert _audits(store) == []


def test_stale_preview_is_refused(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    c = make_client()
    _correct(store, admin, c.id, direction="owes_more", amount=100, reason="r")
    with pytest.raises(DomainError, match="changed"):
        _correct(
            store, admin, c.id, direction="owes_more", amount=1, reason="r", expected_balance=0
        )
    r = _correct(
        store, admin, c.id, direction="owes_more", amount=1, reason="r", expected_balance=100
    )
    assert r.balance_after == 101


def test_parse_correction_amount() -> None:
    parse = corrections.parse_correction_amount
    assert parse("12,50", "owes_more", "EUR", "pt_PT") == 1250
    assert parse("-12,50", "set_to", "EUR", "pt_PT") == -1250
    assert parse("0", "set_to", "EUR", "en_GB") == 0
    for text, direction in (("-5", "owes_more"), ("0", "we_owe_more"), ("abc", "set_to")):
        with pytest.raises(DomainError) as info:
            parse(text, direction, "EUR", "en_GB")
        assert info.value.field == "amount"


def test_direction_labels_are_translated() -> None:
    english = dict(corrections.direction_choices())
    assert english == {
        "owes_more": "The client owes us more",
        "we_owe_more": "We owe the client more",
        "set_to": "Set the balance to",
    }
    i18n.set_language("pt_PT")
    portuguese = dict(corrections.direction_choices())
    assert portuguese["owes_more"] == "O cliente deve-nos mais"
    assert all(portuguese[k] != english[k] for k in english)


@given(
    st.integers(-(10**12), 10**12),
    st.sampled_from(list(Direction)),
    st.integers(-(10**12), 10**12),
)
def test_preview_is_what_the_entry_does(current: int, direction: Direction, amount: int) -> None:
    new = preview(current, direction, amount)
    assert corrections.delta(current, direction, amount) == new - current
    if direction is Direction.OWES_MORE:
        assert new == current + amount
    elif direction is Direction.WE_OWE_MORE:
        assert new == current - amount
    else:
        assert new == amount


# -- the property: any sequence of corrections adds up ---------------------------------------


@pytest.fixture
def shared(
    store: Store, admin: staff.Actor, monkeypatch: pytest.MonkeyPatch
) -> tuple[Store, staff.Actor]:
    """One store for every example of the machine (each example makes its own clients)."""
    # Only this area's source check: other areas' checks are tested where they live.
    monkeypatch.setattr(check, "SOURCE_CHECKS", [corrections.check_corrections])
    return store, admin


REASONS = st.one_of(
    st.sampled_from(["Goodwill", "Typo in the last sale", "Acordo com o cliente"]),
    st.text(max_size=12),
)
AMOUNTS = st.one_of(
    st.integers(-(10**6), 10**6),
    st.sampled_from([0, 1, -1, ledger.MAX_ENTRY, -ledger.MAX_ENTRY, ledger.MAX_ENTRY + 1]),
)


def _expected_refusal(before: int, direction: Direction, amount: int, reason: str) -> set[str]:
    fields = set()
    if (direction is not Direction.SET_TO and amount <= 0) or abs(amount) > ledger.MAX_ENTRY:
        fields.add("amount")
    cleaned = clean_input(reason)
    if not cleaned or len(cleaned) > corrections.MAX_REASON:
        fields.add("reason")
    if not fields:
        change = preview(before, direction, amount) - before
        if change == 0 or abs(change) > ledger.MAX_ENTRY:
            fields.add("amount")
    return fields


def test_any_sequence_of_corrections_adds_up(shared: tuple[Store, staff.Actor]) -> None:
    store, actor = shared

    class Corrections(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.ids: list[int] = []
            with store.write() as session:
                for n in range(3):
                    form = clients.ClientForm(name=f"Cliente {n}")
                    self.ids.append(clients.create_client(session, actor, form).id)
            self.model = dict.fromkeys(self.ids, 0)
            self.entries = dict.fromkeys(self.ids, 0)

        def _apply(self, index: int, direction: Direction, amount: int, reason: str) -> None:
            cid = self.ids[index]
            before = self.model[cid]
            refused = _expected_refusal(before, direction, amount, reason)
            try:
                with store.write() as session:
                    result = add_correction(
                        session, actor, cid, direction=direction, amount=amount, reason=reason
                    )
            except DomainError as exc:
                fields = set(getattr(exc, "errors", {exc.field: exc.message}))
                assert fields == refused, (fields, refused)
                return
            assert not refused
            self.model[cid] = preview(before, direction, amount)
            self.entries[cid] += 1
            assert result.balance_before == before
            assert result.balance_after == self.model[cid]

        @rule(
            index=st.integers(0, 2),
            direction=st.sampled_from(list(Direction)),
            amount=AMOUNTS,
            reason=REASONS,
        )
        def correct(self, index: int, direction: Direction, amount: int, reason: str) -> None:
            self._apply(index, direction, amount, reason)

        @rule(index=st.integers(0, 2))
        def set_to_what_it_is(self, index: int) -> None:
            self._apply(index, Direction.SET_TO, self.model[self.ids[index]], "No change")

        @invariant()
        def everything_agrees(self) -> None:
            with store.read() as session:
                for cid in self.ids:
                    shown = ledger.balance(session, cid)
                    assert shown == self.model[cid]
                    assert ledger.sum_of_entries(session, cid) == shown
                    rows: list[statement.StatementRow] = []
                    before: int | None = None
                    while True:
                        page = statement.statement_page(session, cid, before_id=before, limit=4)
                        rows.extend(page.rows)
                        assert page.closing_balance == shown
                        assert page.current.amount == shown
                        if not page.has_more:
                            break
                        before = page.next_before_id
                    assert len(rows) == self.entries[cid]
                    assert sum(r.amount for r in rows) == shown
                    if rows:
                        assert rows[0].balance_after == shown
                report = check.check_store(session)
                assert report.ok, report.problems

    run_state_machine_as_test(
        Corrections,
        settings=settings(max_examples=25, stateful_step_count=12, deadline=None),
    )
    # And the store refuses to edit or delete what was written.
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    for sql in ("UPDATE ledger_entry SET amount = amount + 1", "DELETE FROM ledger_entry"):
        with pytest.raises(DBAPIError), store.write_engine.begin() as conn:
            conn.execute(text(sql))
    with store.read() as session:
        assert check.check_store(session).ok


def test_check_finds_corrections_without_their_audit_record(
    store: Store, admin: staff.Actor, make_client: MakeClient
) -> None:
    c = make_client()
    _correct(store, admin, c.id, direction="owes_more", amount=5, reason="ok")
    with store.write() as session:  # a correction written around the rules
        ledger.post(
            session, client_id=c.id, employee_id=None, kind=ledger.Kind.CORRECTION, amount=7
        )
    with store.read() as session:
        found = corrections.check_corrections(session)
    assert len(found) == 1
    assert found[0][0] == c.id
    assert "no audit record" in found[0][1]
