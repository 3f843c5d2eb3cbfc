"""Balance corrections: a clerk with the "make corrections" permission adds one ledger
entry, with a mandatory reason, in plain words ("the client owes us more", "we owe the
client more", "set the balance to"). Nothing already in the ledger is ever changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from ..errors import DomainError, ValidationError
from ..i18n import _, ngettext
from ..money import parse_amount
from ..safetext import clean_input
from ..store.tables import AuditEntry, Client
from ..store.tables.ledger import LedgerEntry
from . import audit, ledger, staff
from .check import register_source_check

MAX_REASON = 500
SOURCE_TYPE = "correction"
AUDIT_ACTION = "balance.correction"


class Direction(StrEnum):
    OWES_MORE = "owes_more"  # the client owes us more: +amount
    WE_OWE_MORE = "we_owe_more"  # we owe the client more: -amount
    SET_TO = "set_to"  # the amount is the new balance; the entry is the difference


def direction_label(direction: str | Direction) -> str:
    """The direction in plain words, for the dialog's choice."""
    return {
        Direction.OWES_MORE: _("The client owes us more"),
        Direction.WE_OWE_MORE: _("We owe the client more"),
        Direction.SET_TO: _("Set the balance to"),
    }[Direction(direction)]


def direction_choices() -> list[tuple[str, str]]:
    """(value, label) for every direction, in the order the dialog offers them."""
    return [(d.value, direction_label(d)) for d in Direction]


def _direction(value: str | Direction) -> Direction | None:
    try:
        return Direction(value)
    except ValueError:
        return None


def parse_correction_amount(
    text: str, direction: str | Direction, currency: str = "EUR", locale: str = "en_GB"
) -> int:
    """What the clerk typed in the amount field, as minor units (raises DomainError with
    field "amount"). "Set the balance to" takes zero and negative targets; the other
    directions take a positive amount without a sign."""
    target = _direction(direction) == Direction.SET_TO
    try:
        return parse_amount(text, currency, locale, allow_zero=target, allow_negative=target)
    except DomainError as exc:
        raise DomainError(exc.message, "amount") from exc


def preview(current_balance: int, direction: str | Direction, amount: int) -> int:
    """The balance the correction would leave (the dialog's live preview)."""
    d = Direction(direction)
    if d is Direction.OWES_MORE:
        return current_balance + amount
    if d is Direction.WE_OWE_MORE:
        return current_balance - amount
    return amount


def delta(current_balance: int, direction: str | Direction, amount: int) -> int:
    """The signed ledger amount the correction would write."""
    return preview(current_balance, direction, amount) - current_balance


@dataclass(frozen=True)
class CorrectionResult:
    entry_id: int
    client_id: int
    at: datetime
    direction: str
    amount: int  # the signed ledger amount written (positive: the client owes us more)
    balance_before: int
    balance_after: int
    reason: str

    @property
    def balance(self) -> ledger.Balance:
        return ledger.Balance(self.balance_after, ledger.state_of(self.balance_after))


def clean_reason(reason: str) -> str:
    """The reason as stored; raises DomainError (field "reason") when it is unusable."""
    text = clean_input(reason or "")
    if not text:
        raise DomainError(_("Enter the reason for the correction."), "reason")
    if len(text) > MAX_REASON:
        raise DomainError(_("At most {n} characters.").format(n=MAX_REASON), "reason")
    return text


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def add_correction(
    session: Session,
    actor: staff.Actor,
    client_id: int,
    *,
    direction: str | Direction,
    amount: int,
    reason: str,
    expected_balance: int | None = None,
) -> CorrectionResult:
    """Write one correction entry and its audit record, in the caller's transaction.

    ``amount`` is in minor units: positive for "owes_more"/"we_owe_more", the target
    balance (any sign, or zero) for "set_to". ``expected_balance``, when given, is the
    balance the clerk saw: if another clerk changed it meanwhile, nothing is written and
    the clerk is asked to look again.
    """
    staff.require(actor, staff.Perm.CORRECTIONS)
    errors: dict[str, str] = {}
    d = _direction(direction)
    if d is None:
        errors["direction"] = _("Choose what the correction does.")
    if not _is_int(amount):
        raise TypeError("correction amounts are integer minor units")
    if d is not None and d is not Direction.SET_TO and amount <= 0:
        errors["amount"] = _("The amount must be more than zero.")
    elif abs(amount) > ledger.MAX_ENTRY:
        errors["amount"] = _("That amount is too large.")
    try:
        text = clean_reason(reason)
    except DomainError as exc:
        errors["reason"] = exc.message
        text = ""
    if errors:
        raise ValidationError(errors)
    assert d is not None
    if session.get(Client, client_id) is None:
        raise DomainError(_("That client does not exist."))
    ledger.lock_client(session, client_id)
    before = ledger.balance(session, client_id)
    if expected_balance is not None and expected_balance != before:
        raise DomainError(
            _("The balance changed while you were typing. Check the new balance and confirm again.")
        )
    change = delta(before, d, amount)
    if change == 0:
        raise DomainError(
            _("The balance already is that amount: there is nothing to correct."), "amount"
        )
    if abs(change) > ledger.MAX_ENTRY:
        raise DomainError(_("That amount is too large."), "amount")
    entry = ledger.post(
        session,
        client_id=client_id,
        employee_id=actor.id,
        kind=ledger.Kind.CORRECTION,
        amount=change,
        source_type=SOURCE_TYPE,
        comment=text,
    )
    audit.record(
        session,
        actor.id,
        AUDIT_ACTION,
        "client",
        client_id,
        entry_id=entry.id,
        direction=d.value,
        typed_amount=amount,
        amount=change,
        balance_before=before,
        balance_after=entry.balance_after,
        reason=text,
    )
    return CorrectionResult(
        entry_id=entry.id or 0,
        client_id=client_id,
        at=entry.at,
        direction=d.value,
        amount=change,
        balance_before=before,
        balance_after=entry.balance_after,
        reason=text,
    )


@register_source_check
def check_corrections(session: Session) -> list[tuple[int | None, str]]:
    """Every correction entry has its audit record (same client and amount), and every
    correction audit record has its entry."""
    problems: list[tuple[int | None, str]] = []
    entries: dict[int, tuple[int | None, int]] = {
        int(entry_id or 0): (client_id, amount)
        for entry_id, client_id, amount in session.exec(
            select(LedgerEntry.id, LedgerEntry.client_id, LedgerEntry.amount).where(
                LedgerEntry.kind == ledger.Kind.CORRECTION.value
            )
        )
    }
    seen: set[int] = set()
    for audit_id, client_id, detail in session.exec(
        select(AuditEntry.id, AuditEntry.entity_id, AuditEntry.detail)
        .where(AuditEntry.action == AUDIT_ACTION)
        .order_by(col(AuditEntry.id))
    ):
        cid = int(client_id) if client_id is not None else None
        try:
            data = json.loads(detail or "{}")
            entry_id, amount = int(data["entry_id"]), int(data["amount"])
        except (ValueError, KeyError, TypeError):
            problems.append(
                (cid, _("Correction audit record {id} cannot be read.").format(id=audit_id))
            )
            continue
        if entry_id not in entries:
            problems.append(
                (
                    cid,
                    _(
                        "Correction audit record {id} names ledger entry {entry}, which is missing."
                    ).format(id=audit_id, entry=entry_id),
                )
            )
            continue
        seen.add(entry_id)
        if entries[entry_id] != (cid, amount):
            problems.append(
                (
                    cid,
                    _(
                        "Correction ledger entry {entry} does not match its audit record {id} "
                        "(client or amount differ)."
                    ).format(entry=entry_id, id=audit_id),
                )
            )
    missing: dict[int | None, list[int]] = {}
    for entry_id in sorted(entries.keys() - seen):
        missing.setdefault(entries[entry_id][0], []).append(entry_id)
    for cid, ids in missing.items():
        problems.append(
            (
                cid,
                ngettext(
                    "{n} correction ledger entry has no audit record (entry {first}).",
                    "{n} correction ledger entries have no audit record (first: entry {first}).",
                    len(ids),
                ).format(n=len(ids), first=ids[0]),
            )
        )
    return problems
