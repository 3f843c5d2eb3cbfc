"""SMS to clients: composing (segment counting), queueing, and sending through a gateway.

Life of a message: ``queued`` (written by :func:`queue_sms`) -> ``sending`` (claimed by one
sender) -> ``sent`` or ``failed`` (the gateway's answer) -> ``delivered`` or ``failed``
(a delivery report, :func:`set_status`).

Gateways (``[sms]`` in the config, :class:`remtui.config.SmsSettings`):

- ``none``: nothing is sent; messages stay queued and :func:`send_queued` says so.
- ``command``: runs ``command`` (a list: the program and its arguments) with two more
  arguments, the number (E.164, e.g. ``+351912345678``) and the text, exactly as they are:
  no shell is involved, so quotes, ``$()`` and the like arrive as typed. Exit status 0
  means sent; anything else means failed, with the program's output as the error. A
  program that runs longer than ``timeout_seconds`` is killed and the message is failed.
  (A program that parses options should end ``command`` with ``--``, since a text may
  begin with a dash.)

Sending never sends one message twice: :func:`send_queued` claims each message in its own
write transaction (``queued`` -> ``sending``, compare-and-set) before it runs the program
outside any transaction, then records the result in another transaction. A message left
in ``sending`` by a sender that died is marked failed (it may or may not have gone out),
never re-sent on its own; a clerk can queue it again with :func:`requeue_sms`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast

import phonenumbers
from sqlalchemy import update
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col, func, select

from ..config import SmsSettings
from ..errors import DomainError
from ..i18n import _, ngettext
from ..safetext import clean_input
from ..store.engine import Store
from ..store.tables import Client, ClientPhone, Employee
from ..store.tables.comms import SmsMessage
from ..store.types import utcnow
from . import audit
from .actor import Actor
from .phones import display as phone_display

STATUSES = ("queued", "sending", "sent", "delivered", "failed")
MAX_SEGMENTS = 10
MAX_ERROR = 500
PAGE = 100
GATEWAYS = ("none", "command")

# --- segment counting -----------------------------------------------------------------

# GSM 03.38 default alphabet (the escape 0x1B itself is not a character one can type).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each of these takes two septets (escape + character).
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


class SegmentCount(NamedTuple):
    """``encoding`` "GSM-7" or "UCS-2"; ``chars``: the units counted against the limits
    (GSM-7 septets, extension characters counting 2; UCS-2 UTF-16 code units, an emoji
    counting 2); ``segments``: how many SMS the text takes (0 for an empty text)."""

    encoding: str
    chars: int
    segments: int

    @property
    def per_segment(self) -> int:
        """The characters one segment holds at this length (160/153 or 70/67)."""
        single, multi = (160, 153) if self.encoding == "GSM-7" else (70, 67)
        return single if self.segments <= 1 else multi

    @property
    def max_chars(self) -> int:
        """The most units the text may have (``MAX_SEGMENTS`` segments)."""
        return MAX_SEGMENTS * (153 if self.encoding == "GSM-7" else 67)


def _units(text: str) -> tuple[str, list[int]]:
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text):
        return "GSM-7", [2 if ch in GSM7_EXTENDED else 1 for ch in text]
    return "UCS-2", [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def segments(text: str) -> SegmentCount:
    """How ``text`` travels as SMS: encoding, units, segments.

    One segment holds 160 GSM-7 characters (70 in UCS-2); a longer text is split into
    segments of 153 (67), and a two-unit character (GSM-7 extension, UCS-2 surrogate
    pair) is never split between two segments.
    """
    encoding, units = _units(text)
    total = sum(units)
    single, multi = (160, 153) if encoding == "GSM-7" else (70, 67)
    if total == 0:
        return SegmentCount(encoding, 0, 0)
    if total <= single:
        return SegmentCount(encoding, total, 1)
    count, used = 1, 0
    for size in units:
        if used + size > multi:
            count += 1
            used = 0
        used += size
    return SegmentCount(encoding, total, count)


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
    claimed = _update(
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
    msg.error = _trim(error) if status == "failed" else ""
    if status in ("sent", "delivered") and msg.sent_at is None:
        msg.sent_at = now
    msg.updated_at = now
    session.add(msg)
    session.flush()
    audit.record(session, None, "sms.status", "sms_message", sms_id, before=before, status=status)
    return get_sms(session, sms_id)


# --- gateways ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GatewayResult:
    ok: bool
    error: str = ""  # translated or the program's own output; "" when ok


def _trim(output: str) -> str:
    value = clean_input(output)
    if len(value) > MAX_ERROR:
        value = value[: MAX_ERROR - 1] + "…"
    return value


def run_command_gateway(
    command: Sequence[str], number: str, text: str, timeout_seconds: float
) -> GatewayResult:
    """Run the gateway program with ``number`` and ``text`` as two more arguments (never a
    shell). Exit 0: sent. Otherwise failed, its output (trimmed) as the error."""
    argv = [*command, number, text]
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            shell=False,
            start_new_session=True,  # its children can be killed with it on a timeout
        )
    except OSError as exc:
        return GatewayResult(
            False,
            _("The SMS gateway program could not be started: {error}").format(
                error=_trim(exc.strerror or str(exc))
            ),
        )
    try:
        output, _err = proc.communicate(timeout=timeout_seconds)
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.communicate()
        return GatewayResult(
            False,
            ngettext(
                "The SMS gateway program did not finish within {n} second.",
                "The SMS gateway program did not finish within {n} seconds.",
                int(timeout_seconds),
            ).format(n=timeout_seconds),
        )
    if proc.returncode == 0:
        return GatewayResult(True)
    message = _trim(output.decode("utf-8", errors="replace"))
    if not message:
        message = _("The SMS gateway program failed (exit status {status}).").format(
            status=proc.returncode
        )
    return GatewayResult(False, message)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - not POSIX
            proc.kill()
    except ProcessLookupError:
        pass


def check_settings(settings: SmsSettings) -> None:
    """DomainError when the SMS settings cannot work."""
    if settings.gateway not in GATEWAYS:
        raise DomainError(
            _("Unknown SMS gateway {gateway!r}: use none or command.").format(
                gateway=clean_input(settings.gateway)[:30]
            ),
            "gateway",
        )
    if settings.gateway == "command":
        if not settings.command or not settings.command[0].strip():
            raise DomainError(
                _("The command SMS gateway needs a command (the program to run)."), "command"
            )
        if settings.timeout_seconds <= 0:
            raise DomainError(_("The SMS gateway timeout must be above zero."), "timeout")


# --- sending ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    sms_id: int
    number_e164: str
    status: str  # sent | failed
    error: str


@dataclass(frozen=True)
class SendReport:
    gateway: str
    sent: int
    failed: int
    still_queued: int  # queued messages left when it finished
    results: tuple[SendResult, ...]
    interrupted: int = 0  # messages found stuck in "sending" and marked failed
    message: str = ""  # translated sentence: what happened

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.interrupted == 0


def stale_after(settings: SmsSettings) -> timedelta:
    """How long a message may stay "sending" before its sender is taken for dead."""
    return timedelta(seconds=2 * max(settings.timeout_seconds, 1)) + timedelta(minutes=5)


def _update(session: Session, where: tuple[Any, ...], **values: Any) -> int:
    """UPDATE sms_message ... WHERE all of ``where``; how many rows changed."""
    result = session.execute(
        update(SmsMessage)
        .where(*where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(cast(CursorResult[Any], result).rowcount)


def _count_queued(session: Session) -> int:
    return int(
        session.exec(
            select(func.count()).select_from(SmsMessage).where(SmsMessage.status == "queued")
        ).one()
    )


def _fail_stale(session: Session, settings: SmsSettings) -> int:
    now = utcnow()
    stuck = session.exec(
        select(SmsMessage.id).where(
            SmsMessage.status == "sending",
            col(SmsMessage.claimed_at) < now - stale_after(settings),
        )
    ).all()
    failed = 0
    for sms_id in stuck:
        failed += _update(
            session,
            (col(SmsMessage.id) == sms_id, col(SmsMessage.status) == "sending"),
            status="failed",
            error=_("Sending was interrupted; the SMS may or may not have gone out."),
            claim_token="",
            updated_at=now,
        )
        audit.record(session, None, "sms.interrupted", "sms_message", sms_id)
    return failed


def _claim_one(store: Store, token: str, max_id: int) -> tuple[int, str, str] | None:
    """Take the oldest queued message for this sender, in its own write transaction."""
    while True:
        with store.write() as session:
            candidates = session.exec(
                select(SmsMessage.id)
                .where(SmsMessage.status == "queued", col(SmsMessage.id) <= max_id)
                .order_by(col(SmsMessage.id))
                .limit(5)
            ).all()
            if not candidates:
                return None
            now = utcnow()
            for sms_id in candidates:
                # Compare-and-set: of two senders only one moves it out of "queued".
                taken = _update(
                    session,
                    (col(SmsMessage.id) == sms_id, col(SmsMessage.status) == "queued"),
                    status="sending",
                    claim_token=token,
                    claimed_at=now,
                    updated_at=now,
                    attempts=col(SmsMessage.attempts) + 1,
                )
                if taken == 1:
                    number, text = session.exec(
                        select(SmsMessage.number_e164, SmsMessage.text).where(
                            SmsMessage.id == sms_id
                        )
                    ).one()
                    return int(sms_id or 0), number, text
        # Another sender took every candidate first: look again.


def _record(store: Store, sms_id: int, token: str, result: GatewayResult) -> str:
    status = "sent" if result.ok else "failed"
    now = utcnow()
    values: dict[str, Any] = {
        "status": status,
        "error": "" if result.ok else result.error,
        "updated_at": now,
        "claim_token": "",
    }
    if result.ok:
        values["sent_at"] = now
    with store.write() as session:
        # Only the sender that claimed it records the outcome.
        _update(
            session,
            (col(SmsMessage.id) == sms_id, col(SmsMessage.claim_token) == token),
            **values,
        )
        audit.record(
            session, None, f"sms.{status}", "sms_message", sms_id, error=result.error[:200]
        )
    return status


def _release(store: Store, sms_id: int, token: str) -> None:
    with store.write() as session:
        _update(
            session,
            (
                col(SmsMessage.id) == sms_id,
                col(SmsMessage.claim_token) == token,
                col(SmsMessage.status) == "sending",
            ),
            status="queued",
            claim_token="",
            claimed_at=None,
        )


def send_queued(store: Store, settings: SmsSettings, *, limit: int = 100) -> SendReport:
    """Send what is queued (at most ``limit`` messages, oldest first) through the
    configured gateway. Runs the gateway program outside any transaction: call it from a
    worker thread or from ``remtui sms send``. Raises DomainError on bad settings."""
    check_settings(settings)
    with store.write() as session:
        interrupted = _fail_stale(session, settings)
        queued = _count_queued(session)
        max_id = session.exec(
            select(func.coalesce(func.max(SmsMessage.id), 0)).where(SmsMessage.status == "queued")
        ).one()
    if settings.gateway == "none":
        return SendReport(
            "none",
            0,
            0,
            queued,
            (),
            interrupted,
            ngettext(
                "No SMS gateway is configured: {n} message stays queued.",
                "No SMS gateway is configured: {n} messages stay queued.",
                queued,
            ).format(n=queued),
        )
    token = uuid.uuid4().hex
    results: list[SendResult] = []
    for _i in range(max(0, limit)):
        claimed = _claim_one(store, token, int(max_id or 0))
        if claimed is None:
            break
        sms_id, number, text = claimed
        try:
            outcome = run_command_gateway(settings.command, number, text, settings.timeout_seconds)
        except BaseException:
            _release(store, sms_id, token)
            raise
        status = _record(store, sms_id, token, outcome)
        results.append(SendResult(sms_id, number, status, outcome.error))
    with store.read() as session:
        left = _count_queued(session)
    sent = sum(1 for r in results if r.status == "sent")
    failed = len(results) - sent
    return SendReport(
        "command",
        sent,
        failed,
        left,
        tuple(results),
        interrupted,
        _("SMS: {sent} sent, {failed} failed, {queued} still queued.").format(
            sent=sent, failed=failed, queued=left
        ),
    )
