"""Sending the queue: claim each message in its own transaction, run the gateway outside
any, record the result; a message left sending by a dead sender is failed, never re-sent."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from ...config import SmsSettings
from ...i18n import _, ngettext
from ...store.engine import Store
from ...store.tables.comms import SmsMessage
from ...store.types import utcnow
from .. import audit
from .gateways import GatewayResult, check_settings, run_command_gateway
from .messages import update_where

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
        failed += update_where(
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
                taken = update_where(
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
        update_where(
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
        update_where(
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
