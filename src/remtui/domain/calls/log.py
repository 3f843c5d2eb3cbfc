"""Calls logged by hand and read back: directions and filters, durations, the Calls
tab's rows, pages and counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, func, select

from ...errors import DomainError, ValidationError
from ...i18n import _
from ...store.tables import Client, ClientPhone, Employee
from ...store.tables.comms import PhoneCall
from ...store.types import utcnow
from .. import audit
from ..actor import Actor
from ..phones import display as phone_display
from ..phones import normalise
from .recordings import check_recording, recording_href

DIRECTIONS = ("incoming", "outgoing")
KINDS = ("incoming", "outgoing", "missed")
FILTERS = ("all", "incoming", "outgoing")
MAX_DURATION = 24 * 3600

PAGE = 100

# --- labels ---------------------------------------------------------------------------


def kind_label(kind: str) -> str:
    """ "incoming" -> "Incoming" (translated), also "outgoing" and "missed"."""
    labels = {"incoming": _("Incoming"), "outgoing": _("Outgoing"), "missed": _("Missed")}
    return labels.get(kind, kind)


def filter_label(filter: str) -> str:
    labels = {"all": _("All"), "incoming": _("Incoming"), "outgoing": _("Outgoing")}
    return labels.get(filter, filter)


def next_filter(filter: str) -> str:
    """The filter after ``filter`` in the cycle All -> Incoming -> Outgoing -> All."""
    index = FILTERS.index(filter) if filter in FILTERS else -1
    return FILTERS[(index + 1) % len(FILTERS)]


def format_duration(seconds: int) -> str:
    """125 -> "2:05", 3725 -> "1:02:05"."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def parse_duration(raw: str | int) -> int:
    """Seconds from "125", "2:05" or "1:02:05" (empty is 0). Raises DomainError."""
    if isinstance(raw, bool):
        raise DomainError(_("A duration is seconds or minutes:seconds, e.g. 2:05."), "duration")
    if isinstance(raw, int):
        seconds = raw
    else:
        text = raw.strip()
        if not text:
            return 0
        parts = text.split(":")
        if len(parts) > 3 or not all(p.isascii() and p.isdigit() and len(p) <= 9 for p in parts):
            raise DomainError(_("A duration is seconds or minutes:seconds, e.g. 2:05."), "duration")
        if len(parts) > 1 and any(int(p) >= 60 for p in parts[1:]):
            raise DomainError(_("A duration is seconds or minutes:seconds, e.g. 2:05."), "duration")
        seconds = 0
        for part in parts:
            seconds = seconds * 60 + int(part)
    if seconds < 0:
        raise DomainError(_("A duration cannot be negative."), "duration")
    if seconds > MAX_DURATION:
        raise DomainError(_("A call lasts at most 24 hours."), "duration")
    return seconds


# --- rows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CallRow:
    id: int
    client_id: int
    at: datetime
    direction: str  # incoming | outgoing
    missed: bool
    kind: str  # incoming | outgoing | missed
    kind_label: str  # translated "Incoming" / "Outgoing" / "Missed"
    number_e164: str
    number_display: str
    duration_seconds: int
    duration_text: str  # "2:05"
    employee_id: int | None
    employee_name: str  # "" when nobody (imported calls)
    recording: str
    recording_is_link: bool
    recording_href: str  # "" unless recording_is_link
    source: str  # manual | import


@dataclass(frozen=True)
class CallPage:
    """Calls newest first; pass ``next_before_id`` as ``before_id`` for the next page."""

    filter: str
    rows: tuple[CallRow, ...]
    has_more: bool
    next_before_id: int | None


@dataclass(frozen=True)
class CallCounts:
    all: int
    incoming: int  # missed included
    outgoing: int
    missed: int


def _row(call: PhoneCall, employee_name: str | None) -> CallRow:
    kind = "missed" if call.missed else call.direction
    return CallRow(
        id=call.id or 0,
        client_id=call.client_id,
        at=call.at,
        direction=call.direction,
        missed=call.missed,
        kind=kind,
        kind_label=kind_label(kind),
        number_e164=call.number_e164,
        number_display=phone_display(call.number_e164) if call.number_e164 else "",
        duration_seconds=call.duration_seconds,
        duration_text=format_duration(call.duration_seconds),
        employee_id=call.employee_id,
        employee_name=employee_name or "",
        recording=call.recording,
        recording_is_link=call.recording_is_link,
        recording_href=recording_href(call.recording, call.recording_is_link),
        source=call.source,
    )


def _require_client(session: Session, client_id: int) -> Client:
    client = session.get(Client, client_id)
    if client is None:
        raise DomainError(_("That client does not exist."))
    return client


def call_kind(direction: str, missed: bool) -> tuple[str, bool]:
    value = (direction or "").strip().lower()
    if value == "missed":
        return "incoming", True
    if value not in DIRECTIONS:
        raise DomainError(_("Choose incoming, outgoing or missed."), "direction")
    if missed and value != "incoming":
        raise DomainError(_("Only an incoming call can be missed."), "direction")
    return value, missed


def log_call(
    session: Session,
    actor: Actor,
    client_id: int,
    *,
    direction: str,
    missed: bool = False,
    number: str = "",
    duration: int | str = 0,
    recording: str = "",
    at: datetime | None = None,
    region: str = "PT",
) -> CallRow:
    """Log a call by hand. ``direction``: incoming | outgoing | missed (or incoming with
    ``missed=True``). ``number`` defaults to the client's first phone. ``duration`` is
    seconds or text ("2:05"). ``at`` defaults to now. Raises ValidationError."""
    client = _require_client(session, client_id)
    errors: dict[str, str] = {}
    try:
        direction, missed = call_kind(direction, missed)
    except DomainError as exc:
        errors["direction"] = exc.message
    e164 = ""
    if not (number or "").strip():
        first = session.exec(
            select(ClientPhone.e164)
            .where(ClientPhone.client_id == client_id)
            .order_by(col(ClientPhone.position))
        ).first()
        if first is None:
            errors["number"] = _("Enter the number of the call.")
        else:
            e164 = first
    else:
        try:
            e164 = normalise(number, region).e164
        except DomainError as exc:
            errors["number"] = exc.message
    seconds = 0
    try:
        seconds = parse_duration(duration)
    except DomainError as exc:
        errors["duration"] = exc.message
    now = utcnow()
    when = now if at is None else at
    if when.tzinfo is None:
        errors["at"] = _("Give the time with its time zone.")
    elif when > now + timedelta(minutes=5):
        errors["at"] = _("A call cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    rec = check_recording(recording)
    call = PhoneCall(
        client_id=client.id or client_id,
        at=when.astimezone(UTC),
        direction=direction,
        missed=missed,
        number_e164=e164,
        duration_seconds=seconds,
        employee_id=actor.id,
        recording=rec.text,
        recording_is_link=rec.is_link,
        source="manual",
        created_at=now,
        created_by=actor.id,
    )
    session.add(call)
    session.flush()
    audit.record(
        session,
        actor.id,
        "call.log",
        "phone_call",
        call.id,
        client_id=client_id,
        kind="missed" if missed else direction,
    )
    return _row(call, actor.name)


def _filtered(query: Any, filter: str) -> Any:
    if filter == "incoming":
        return query.where(PhoneCall.direction == "incoming")
    if filter == "outgoing":
        return query.where(PhoneCall.direction == "outgoing")
    return query


def list_calls(
    session: Session,
    client_id: int,
    *,
    filter: str = "all",
    before_id: int | None = None,
    limit: int = PAGE,
) -> CallPage:
    """The client's calls newest first (by call time), a page at a time. ``filter``: all,
    incoming (missed calls included) or outgoing. ``before_id``: the last id of the
    previous page."""
    if filter not in FILTERS:
        raise DomainError(_("Unknown filter: {filter}.").format(filter=filter), "filter")
    limit = max(1, min(int(limit), 1000))
    query = (
        select(PhoneCall, Employee.name)
        .join(Employee, col(Employee.id) == col(PhoneCall.employee_id), isouter=True)
        .where(PhoneCall.client_id == client_id)
    )
    query = _filtered(query, filter)
    if before_id is not None:
        anchor = session.get(PhoneCall, before_id)
        if anchor is not None:
            query = query.where(
                or_(
                    col(PhoneCall.at) < anchor.at,
                    and_(col(PhoneCall.at) == anchor.at, col(PhoneCall.id) < before_id),
                )
            )
    query = query.order_by(col(PhoneCall.at).desc(), col(PhoneCall.id).desc()).limit(limit + 1)
    found = session.exec(query).all()
    rows = tuple(_row(call, name) for call, name in found[:limit])
    has_more = len(found) > limit
    return CallPage(filter, rows, has_more, rows[-1].id if rows and has_more else None)


def call_counts(session: Session, client_id: int) -> CallCounts:
    """How many calls each filter shows (and how many were missed)."""
    found = session.exec(
        select(PhoneCall.direction, PhoneCall.missed, func.count())
        .where(PhoneCall.client_id == client_id)
        .group_by(col(PhoneCall.direction), col(PhoneCall.missed))
    ).all()
    incoming = sum(n for d, _m, n in found if d == "incoming")
    outgoing = sum(n for d, _m, n in found if d == "outgoing")
    missed = sum(n for d, m, n in found if d == "incoming" and m)
    return CallCounts(incoming + outgoing, incoming, outgoing, missed)


def get_call(session: Session, call_id: int) -> CallRow:
    found = session.exec(
        select(PhoneCall, Employee.name)
        .join(Employee, col(Employee.id) == col(PhoneCall.employee_id), isouter=True)
        .where(PhoneCall.id == call_id)
    ).first()
    if found is None:
        raise DomainError(_("That call does not exist."))
    return _row(found[0], found[1])
