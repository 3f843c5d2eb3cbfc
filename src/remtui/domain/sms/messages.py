"""SMS as a clerk sees them: statuses and labels, the SMS tab's rows and counts, the
client's mobile numbers, queueing (and queueing again) and status changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import phonenumbers
from sqlalchemy import update
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col, func, select

from ...errors import DomainError
from ...i18n import _
from ...safetext import clean_input
from ...store.tables import Client, ClientPhone, Employee
from ...store.tables.comms import SmsMessage
from ...store.types import utcnow
from .. import audit
from ..actor import Actor
from ..phones import display as phone_display
from .segments import MAX_SEGMENTS, segments

STATUSES = ("queued", "sending", "sent", "delivered", "failed")
MAX_ERROR = 500
PAGE = 100


def update_where(session: Session, where: tuple[Any, ...], **values: Any) -> int:
    """UPDATE sms_message ... WHERE all of ``where``; how many rows changed."""
    result = session.execute(
        update(SmsMessage)
        .where(*where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(cast(CursorResult[Any], result).rowcount)


def trim_error(output: str) -> str:
    value = clean_input(output)
    if len(value) > MAX_ERROR:
        value = value[: MAX_ERROR - 1] + "…"
    return value


# --- labels and rows ------------------------------------------------------------------


def status_label(status: str) -> str:
    labels = {
        "queued": _("Queued"),
        "sending": _("Sending"),
        "sent": _("Sent"),
        "delivered": _("Delivered"),
        "failed": _("Failed"),
    }
    return labels.get(status, status)


@dataclass(frozen=True)
class SmsRow:
    id: int
    client_id: int
    created_at: datetime  # when it was written (queued)
    sent_at: datetime | None  # when the gateway accepted it
    number_e164: str
    number_display: str
    text: str
    status: str  # queued | sending | sent | delivered | failed
    status_label: str  # translated
    error: str  # the gateway's error text ("" unless failed)
    employee_id: int | None
    employee_name: str
    encoding: str
    segments: int


@dataclass(frozen=True)
class SmsPage:
    """Messages newest first; pass ``next_before_id`` as ``before_id`` for the next page."""

    rows: tuple[SmsRow, ...]
    has_more: bool
    next_before_id: int | None


@dataclass(frozen=True)
class SmsNumber:
    e164: str
    display: str
    label: str
    notify: bool  # marked by the clerk for notifications (listed first)
    mobile: bool  # phonenumbers thinks it can take an SMS


def _row(msg: SmsMessage, employee_name: str | None) -> SmsRow:
    count = segments(msg.text)
    return SmsRow(
        id=msg.id or 0,
        client_id=msg.client_id,
        created_at=msg.created_at,
        sent_at=msg.sent_at,
        number_e164=msg.number_e164,
        number_display=phone_display(msg.number_e164),
        text=msg.text,
        status=msg.status,
        status_label=status_label(msg.status),
        error=msg.error,
        employee_id=msg.employee_id,
        employee_name=employee_name or "",
        encoding=count.encoding,
        segments=count.segments,
    )


def _is_mobile(e164: str) -> bool:
    try:
        kind = phonenumbers.number_type(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return False
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def client_numbers_for_sms(session: Session, client_id: int) -> list[SmsNumber]:
    """The client's numbers for the composer: those marked for notifications first, then
    mobiles, then the rest, each group in the client's order."""
    phones = session.exec(
        select(ClientPhone)
        .where(ClientPhone.client_id == client_id)
        .order_by(col(ClientPhone.position))
    ).all()
    numbers = [
        SmsNumber(p.e164, phone_display(p.e164), p.label, p.notify, _is_mobile(p.e164))
        for p in phones
    ]
    return sorted(numbers, key=lambda n: (not n.notify, not n.mobile))


def _with_employee(
    session: Session, *where: Any, before_id: int | None = None, limit: int = 1
) -> Any:
    query = (
        select(SmsMessage, Employee.name)
        .join(Employee, col(Employee.id) == col(SmsMessage.employee_id), isouter=True)
        .where(*where)
        .execution_options(populate_existing=True)
    )
    if before_id is not None:
        query = query.where(col(SmsMessage.id) < before_id)
    return session.exec(query.order_by(col(SmsMessage.id).desc()).limit(limit)).all()


def list_sms(
    session: Session, client_id: int, *, before_id: int | None = None, limit: int = PAGE
) -> SmsPage:
    """The client's messages, newest first, a page at a time."""
    limit = max(1, min(int(limit), 1000))
    found = _with_employee(
        session, col(SmsMessage.client_id) == client_id, before_id=before_id, limit=limit + 1
    )
    rows = tuple(_row(m, name) for m, name in found[:limit])
    has_more = len(found) > limit
    return SmsPage(rows, has_more, rows[-1].id if rows and has_more else None)


def get_sms(session: Session, sms_id: int) -> SmsRow:
    found = _with_employee(session, col(SmsMessage.id) == sms_id)
    if not found:
        raise DomainError(_("That SMS does not exist."))
    return _row(found[0][0], found[0][1])


def sms_counts(session: Session, client_id: int | None = None) -> dict[str, int]:
    """How many messages are in each status (every status present, 0 when none), for
    one client or for the whole store."""
    query = select(SmsMessage.status, func.count()).group_by(col(SmsMessage.status))
    if client_id is not None:
        query = query.where(SmsMessage.client_id == client_id)
    counts = dict.fromkeys(STATUSES, 0)
    for status, n in session.exec(query):
        counts[status] = n
    return counts


def check_text(text: str) -> str:
    """The text as it will be sent (cleaned), or DomainError(field="text")."""
    value = clean_input(text or "")
    if not value:
        raise DomainError(_("Write the text of the SMS."), "text")
    count = segments(value)
    if count.segments > MAX_SEGMENTS:
        raise DomainError(
            _("An SMS can have at most {n} parts ({chars} characters here).").format(
                n=MAX_SEGMENTS, chars=count.max_chars
            ),
            "text",
        )
    return value


def queue_sms(
    session: Session, actor: Actor, client_id: int, number_e164: str, text: str
) -> SmsRow:
    """Queue an SMS to one of the client's numbers. The gateway sends it later
    (:func:`send_queued`)."""
    if session.get(Client, client_id) is None:
        raise DomainError(_("That client does not exist."))
    number = (number_e164 or "").strip()
    if not number:
        raise DomainError(_("Choose the number to send to."), "number")
    owned = session.exec(
        select(ClientPhone.e164).where(
            ClientPhone.client_id == client_id, ClientPhone.e164 == number
        )
    ).first()
    if owned is None:
        raise DomainError(_("That number is not one of this client's phones."), "number")
    value = check_text(text)
    now = utcnow()
    msg = SmsMessage(
        client_id=client_id,
        number_e164=owned,
        text=value,
        status="queued",
        employee_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(msg)
    session.flush()
    audit.record(
        session,
        actor.id,
        "sms.queue",
        "sms_message",
        msg.id,
        client_id=client_id,
        segments=segments(value).segments,
    )
    return _row(msg, actor.name)


def requeue_sms(session: Session, actor: Actor, sms_id: int) -> SmsRow:
    """Queue a failed message again (the clerk decides it should be retried)."""
    msg = session.get(SmsMessage, sms_id)
    if msg is None:
        raise DomainError(_("That SMS does not exist."))
    if msg.status != "failed":
        raise DomainError(_("Only a failed SMS can be sent again."))
    claimed = update_where(
        session,
        (col(SmsMessage.id) == sms_id, col(SmsMessage.status) == "failed"),
        status="queued",
        error="",
        claim_token="",
        claimed_at=None,
        updated_at=utcnow(),
    )
    if claimed != 1:
        raise DomainError(_("Only a failed SMS can be sent again."))
    audit.record(session, actor.id, "sms.requeue", "sms_message", sms_id)
    return get_sms(session, sms_id)


_TRANSITIONS = {
    "sending": {"sent", "failed"},
    "sent": {"delivered", "failed"},
    "failed": {"sent", "delivered"},  # a late report is the truth
    "queued": {"failed"},
    "delivered": set[str](),
}


def set_status(session: Session, sms_id: int, status: str, error: str = "") -> SmsRow:
    """Record a delivery report (or a gateway's later answer): sent, delivered or failed.
    Setting the status a message already has only updates the error text."""
    if status not in ("sent", "delivered", "failed"):
        raise DomainError(
            _("Unknown SMS status {status!r}: use sent, delivered or failed.").format(
                status=clean_input(str(status))[:20]
            ),
            "status",
        )
    msg = session.get(SmsMessage, sms_id, populate_existing=True)
    if msg is None:
        raise DomainError(_("That SMS does not exist."))
    before = msg.status
    if status != before and status not in _TRANSITIONS.get(before, set()):
        raise DomainError(
            _("An SMS that is {before} cannot become {after}.").format(
                before=status_label(before).lower(), after=status_label(status).lower()
            ),
            "status",
        )
    now = utcnow()
    msg.status = status
    msg.error = trim_error(error) if status == "failed" else ""
    if status in ("sent", "delivered") and msg.sent_at is None:
        msg.sent_at = now
    msg.updated_at = now
    session.add(msg)
    session.flush()
    audit.record(session, None, "sms.status", "sms_message", sms_id, before=before, status=status)
    return get_sms(session, sms_id)
