"""Properties: line arithmetic against an exact reference, and the ledger against a model
over random sequences of documents, status changes, edits, payments, refunds and voids."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from remtui.domain import clients, ledger, payments, staff
from remtui.domain import documents as docs
from remtui.domain.documents import LineInput
from remtui.domain.documents_check import ledger_matches_sources
from remtui.errors import DomainError
from remtui.store.engine import Store

MakeClient = Callable[..., clients.ClientRecord]


def half_up(value: Fraction) -> int:
    """The reference rounding, on exact fractions."""
    floor = value.numerator // value.denominator
    return floor + (1 if value - floor >= Fraction(1, 2) else 0)


def reference_line(qty: int, price: int, kind: str, value: int) -> tuple[int, int, int]:
    gross = half_up(Fraction(qty, 1000) * price)
    if kind == "percent":
        discount = half_up(gross * Fraction(value, 10_000))
    elif kind == "amount":
        discount = value
    else:
        discount = 0
    return gross, discount, gross - discount


@given(
    qty=st.integers(1, 10**9),
    price=st.integers(0, 10**11),
    bp=st.integers(0, 10_000),
)
def test_percent_lines_match_the_exact_reference(qty: int, price: int, bp: int) -> None:
    amounts = docs.compute_line(qty, price, "percent", bp)
    assert (amounts.gross, amounts.discount, amounts.total) == reference_line(
        qty, price, "percent", bp
    )
    assert 0 <= amounts.discount <= amounts.gross
    assert amounts.total == amounts.gross - amounts.discount


@given(qty=st.integers(1, 10**6), price=st.integers(0, 10**6), data=st.data())
def test_amount_lines_and_document_totals(qty: int, price: int, data: st.DataObject) -> None:
    gross = docs.compute_line(qty, price).gross
    value = data.draw(st.integers(0, gross))
    amounts = docs.compute_line(qty, price, "amount", value)
    assert (amounts.gross, amounts.discount, amounts.total) == (gross, value, gross - value)
    lines = [amounts, docs.compute_line(qty, price, "percent", 1250)]
    totals = docs.totals_of(lines)
    assert totals.total == sum(x.total for x in lines)
    assert totals.gross - totals.discount == totals.total


@given(milli=st.integers(1, 10**9), locale=st.sampled_from(["en_GB", "pt_PT"]))
def test_quantities_round_trip(milli: int, locale: str) -> None:
    assert docs.parse_quantity(docs.format_quantity(milli, locale)) == milli


# --- the ledger against a model -------------------------------------------------------------

KINDS = ("work_order", "estimate", "sale")
STATUSES = tuple(s.value for s in docs.Status)
# The allowed moves, the usual way forward first.
ALLOWED = {
    ("work_order", "new"): ["in_progress", "cancelled"],
    ("work_order", "in_progress"): ["ready", "waiting_parts", "cancelled"],
    ("work_order", "waiting_parts"): ["in_progress", "cancelled"],
    ("work_order", "ready"): ["closed", "in_progress", "cancelled"],
    ("work_order", "closed"): ["in_progress"],
    ("estimate", "draft"): ["accepted", "sent", "rejected"],
    ("estimate", "sent"): ["accepted", "rejected"],
    ("sale", "completed"): ["refunded"],
}
FIRST = {"work_order": "new", "estimate": "draft", "sale": "completed"}


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``good`` nine times in ten: random steps should mostly be ones the shop would do."""
    return st.sampled_from([True] * 9 + [False]).flatmap(lambda ok: good if ok else bad)


def weighted(*pairs: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of the strategies, each as often as its weight (st.one_of would merge equal
    ones)."""
    return st.sampled_from([s for n, s in pairs for _ in range(n)]).flatmap(lambda s: s)


discounts = st.one_of(
    st.just((None, 0)),
    st.just(("", 0)),
    st.tuples(st.just("percent"), mostly(st.integers(0, 10_000), st.integers(10_001, 20_000))),
    # an amount as a share of the line's gross (percent of it), sometimes more than all of it
    st.tuples(st.just("amount%"), mostly(st.integers(0, 100), st.integers(101, 300))),
)
line_specs = st.tuples(mostly(st.integers(1, 4000), st.just(0)), st.integers(0, 20_000), discounts)
line_lists = mostly(st.lists(line_specs, min_size=1, max_size=3), st.just([]))
index = st.integers(0, 50)  # taken modulo the number of documents / payments so far
creates = st.tuples(
    st.just("create"), st.sampled_from(["work_order"] * 3 + ["estimate", "sale"]), line_lists
)
ops = weighted(
    (3, creates),
    # a status step is mostly one of the moves allowed now, sometimes any status at all
    (
        6,
        st.tuples(
            st.just("status"),
            index,
            mostly(st.just(0), st.integers(1, 5)),
            mostly(st.just(None), st.sampled_from(STATUSES)),
        ),
    ),
    # several moves forward at once (new -> in_progress -> ready -> closed -> reopened ...)
    (3, st.tuples(st.just("forward"), index, st.integers(1, 6))),
    (2, st.tuples(st.just("edit"), index, line_lists)),
    (
        4,
        st.tuples(
            st.just("pay"),
            st.one_of(st.none(), index),
            mostly(st.integers(1, 25_000), st.integers(-10, 0)),
            st.booleans(),
        ),
    ),
    (2, st.tuples(st.just("refund"), st.integers(0, 25_000), st.booleans())),
    (2, st.tuples(st.just("void"), index)),
    (1, st.tuples(st.just("convert"), index, st.sampled_from(("work_order", "sale")))),
)


@dataclass
class Doc:
    id: int
    kind: str
    status: str
    total: int
    version: int
    estimate_id: int | None = None


@dataclass
class Model:
    client_discount: int
    balance: int = 0
    cash: int = 0
    docs: list[Doc] = field(default_factory=list)
    paid: dict[int, int] = field(default_factory=dict)
    # id, direction, amount, document id, is a void, voided
    payments: list[list[Any]] = field(default_factory=list)

    def lines(self, specs: list[tuple[int, int, tuple[str | None, int]]]) -> int | None:
        """The total the lines make, or None if the domain must refuse them."""
        if not specs:
            return None
        total = 0
        for qty, price, (kind, value) in _resolve(specs):
            if qty <= 0:
                return None
            if kind is None:
                kind, value = ("percent", self.client_discount) if self.client_discount else ("", 0)
            if kind == "percent" and value > 10_000:
                return None
            gross, _d, line_total = reference_line(qty, price, kind, value)
            if kind == "amount" and value > gross:
                return None
            total += line_total
        return total

    def due(self, d: Doc) -> int:
        payable = (d.kind == "work_order" and d.status != "cancelled") or (
            d.kind == "sale" and d.status == "completed"
        )
        return max(0, d.total - self.paid.get(d.id, 0)) if payable else 0


def _resolve(
    specs: list[tuple[int, int, tuple[str | None, int]]],
) -> list[tuple[int, int, tuple[str | None, int]]]:
    """Turn "amount%" (a share of the gross) into a plain amount discount."""
    out = []
    for qty, price, (kind, value) in specs:
        if kind == "amount%":
            gross = reference_line(qty, price, "", 0)[0]
            kind, value = "amount", gross * value // 100
        out.append((qty, price, (kind, value)))
    return out


def _inputs(specs: list[tuple[int, int, tuple[str | None, int]]]) -> list[LineInput]:
    seps = itertools.cycle([",", "."])
    out = []
    for qty, price, (kind, value) in _resolve(specs):
        whole, frac = divmod(qty, 1000)
        typed = f"{whole}{next(seps)}{frac:03d}" if frac else str(whole)
        out.append(LineInput("Linha", typed, price, discount_kind=kind, discount_value=value))
    return out


def _counts(store: Store) -> tuple[int, ...]:
    with store.read() as session:
        conn = session.connection()
        return tuple(
            int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one())
            for t in (
                "document",
                "document_line",
                "document_status_change",
                "payment",
                "ledger_entry",
                "audit",
            )
        )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    discount=st.sampled_from(["0", "10", "12.5"]),
    first=st.lists(creates, min_size=1, max_size=4),
    steps=st.lists(ops, min_size=5, max_size=40),
)
def test_ledger_equals_entries_equals_model_and_the_check(
    store: Store,
    admin: staff.Actor,
    make_client: MakeClient,
    discount: str,
    first: list[tuple[Any, ...]],
    steps: list[tuple[Any, ...]],
) -> None:
    client = make_client("Propriedade", discount=discount)
    cid = client.id
    with store.read() as session:
        box = staff.cashboxes(session)[0][0]
        cash_before = payments.cashbox_balance(session, box)
    model = Model(client_discount=client.discount_bp)

    for step in first + steps:
        before = _counts(store)
        # _apply catches the refusals the model expects; any other DomainError fails
        with store.write() as session:
            ok = _apply(session, admin, cid, box, model, step)
        if not ok:
            assert _counts(store) == before, step  # a refusal writes nothing
        with store.read() as session:
            shown = ledger.balance(session, cid)
            assert shown == ledger.sum_of_entries(session, cid) == model.balance, step
    with store.read() as session:
        assert ledger_matches_sources(session) == []
        assert payments.cashbox_balance(session, box) - cash_before == model.cash
        assert payments.advance_held(session, cid) == max(0, -model.balance)
        rows = {r.id: r for r in docs.list_documents(session, cid, limit=500)}
        for d in model.docs:
            assert rows[d.id].status == d.status
            assert rows[d.id].total == d.total
            assert rows[d.id].due == model.due(d)


def _apply(
    session: Any, actor: staff.Actor, cid: int, box: int, model: Model, step: tuple[Any, ...]
) -> bool:
    """Run one step; assert the domain accepts exactly what the model allows. Returns
    whether something was written (a refusal raises DomainError or returns False)."""
    op = step[0]
    if op == "create":
        _, kind, specs = step
        expected = model.lines(specs)
        if expected is None:
            try:
                docs.create_document(session, actor, cid, kind, _inputs(specs))
            except DomainError:
                return False
            raise AssertionError(f"accepted bad lines {specs}")
        made = docs.create_document(session, actor, cid, kind, _inputs(specs))
        assert made.total == expected
        model.docs.append(Doc(made.id, kind, FIRST[kind], expected, made.version))
        if kind == "sale":
            model.balance += expected
        return True
    if op == "status":
        _, index, choice, status = step
        if not model.docs:
            return False
        d = model.docs[index % len(model.docs)]
        if status is None:  # one of the moves allowed now (if there is any)
            moves = ALLOWED.get((d.kind, d.status), [])
            status = moves[choice % len(moves)] if moves else "closed"
        allowed = status in ALLOWED.get((d.kind, d.status), [])
        if not allowed:
            try:
                docs.change_status(session, actor, d.id, status)
            except docs.IllegalTransition:
                return False
            raise AssertionError(f"allowed {d.kind} {d.status} -> {status}")
        out = docs.change_status(session, actor, d.id, status, expected_version=d.version)
        if (d.kind, d.status, status) == ("work_order", "ready", "closed"):
            model.balance += d.total
        elif (d.kind, d.status, status) in (
            ("work_order", "closed", "in_progress"),
            ("sale", "completed", "refunded"),
        ):
            model.balance -= d.total
        d.status, d.version = status, out.version
        return True
    if op == "forward":
        _, index, count = step
        done = False
        for _n in range(count):
            if not _apply(session, actor, cid, box, model, ("status", index, 0, None)):
                break
            done = True
        return done
    if op == "edit":
        _, index, specs = step
        if not model.docs:
            return False
        d = model.docs[index % len(model.docs)]
        editable = (
            d.kind == "work_order" and d.status in {"new", "in_progress", "waiting_parts", "ready"}
        ) or (d.kind == "estimate" and d.status in {"draft", "sent"})
        expected = model.lines(specs)
        if not editable or expected is None:
            try:
                docs.update_document(session, actor, d.id, d.version, lines=_inputs(specs))
            except DomainError:
                return False
            raise AssertionError(f"edited {d} with {specs}")
        out = docs.update_document(session, actor, d.id, d.version, lines=_inputs(specs))
        assert out.total == expected
        d.total, d.version = expected, out.version
        return True
    if op == "pay":
        _, index, amount, excess = step
        d = model.docs[index % len(model.docs)] if index is not None and model.docs else None
        payable = d is not None and (
            (d.kind == "work_order" and d.status != "cancelled")
            or (d.kind == "sale" and d.status == "completed")
        )
        due = model.due(d) if d is not None else 0
        fine = amount > 0 and (d is None or (payable and (amount <= due or excess)))
        if not fine:
            try:
                payments.take_payment(
                    session,
                    actor,
                    cid,
                    cashbox_id=box,
                    amount=amount,
                    document_id=d.id if d else None,
                    advance_excess=excess,
                )
            except DomainError:
                return False
            raise AssertionError(f"took {amount} against {d}")
        p = payments.take_payment(
            session,
            actor,
            cid,
            cashbox_id=box,
            amount=amount,
            document_id=d.id if d else None,
            advance_excess=excess,
        )
        against = min(amount, due) if d is not None else 0
        if d is not None and against:
            model.paid[d.id] = model.paid.get(d.id, 0) + against
            model.payments.append([p.id, "in", against, d.id, False, False])
        rest = amount - against
        if rest:
            rest_id = p.id if not against else p.id + 1
            model.payments.append([rest_id, "in", rest, None, False, False])
        model.balance -= amount
        model.cash += amount
        return True
    if op == "refund":
        _, amount, confirmed = step
        owed = max(0, -model.balance)
        fine = amount > 0 and (amount <= owed or confirmed)
        if not fine:
            try:
                payments.refund(
                    session, actor, cid, cashbox_id=box, amount=amount, note="", confirmed=confirmed
                )
            except DomainError:
                return False
            raise AssertionError(f"refunded {amount} (owed {owed})")
        r = payments.refund(
            session, actor, cid, cashbox_id=box, amount=amount, note="", confirmed=confirmed
        )
        model.payments.append([r.id, "out", amount, None, False, False])
        model.balance += amount
        model.cash -= amount
        return True
    if op == "void":
        _, index = step
        if not model.payments:
            return False
        entry = model.payments[index % len(model.payments)]
        pid, direction, amount, doc_id, is_void, voided = entry
        if is_void or voided:
            try:
                payments.void_payment(session, actor, pid, "engano")
            except DomainError:
                return False
            raise AssertionError(f"voided {entry}")
        v = payments.void_payment(session, actor, pid, "engano")
        entry[5] = True
        model.payments.append(
            [v.id, "out" if direction == "in" else "in", amount, doc_id, True, False]
        )
        sign = 1 if direction == "in" else -1
        model.balance += sign * amount
        model.cash -= sign * amount
        if doc_id is not None:
            model.paid[doc_id] -= amount
        return True
    if op == "convert":
        _, index, kind = step
        estimates = [x for x in model.docs if x.kind == "estimate"] or model.docs
        if not estimates:
            return False
        est = estimates[index % len(estimates)]
        taken = any(x.estimate_id == est.id and x.status != "cancelled" for x in model.docs)
        if est.kind != "estimate" or est.status != "accepted" or taken:
            try:
                docs.convert_estimate(session, actor, est.id, kind)
            except DomainError:
                return False
            raise AssertionError(f"converted {est}")
        out = docs.convert_estimate(session, actor, est.id, kind)
        assert out.total == est.total
        model.docs.append(Doc(out.id, kind, FIRST[kind], est.total, out.version, est.id))
        if kind == "sale":
            model.balance += est.total
        return True
    raise AssertionError(op)
