"""Messages from outside (``remtui chat receive``; the format is in the package's
docstring): every line checked first, then written to the client's open chat on that
channel or to a new one."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from ...errors import DomainError
from ...i18n import _
from ...safetext import clean_input
from ...store.tables import Client, ClientPhone
from ...store.tables.comms import Chat
from ...store.types import utcnow
from .. import audit
from ..phones import normalise
from .changes import add_message, open_chat_on
from .conversations import check_channel

MAX_RECEIVED = 20_000  # what we accept from outside in one message

# --- receiving from outside ---------------------------------------------------------------


@dataclass(frozen=True)
class LineProblem:
    line: int  # 1 = the first line read
    reason: str  # translated


@dataclass(frozen=True)
class ReceiveReport:
    lines: int  # non-empty lines read
    received: int  # messages written
    chats_opened: int
    problems: tuple[LineProblem, ...]
    aborted: bool  # True: nothing was written because of bad lines
    message_ids: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.aborted:
            return _("Nothing was received: {bad} of {lines} lines are not usable.").format(
                bad=len(self.problems), lines=self.lines
            )
        return _(
            "Messages received: {received}; new chats: {opened}; unusable lines: {bad}."
        ).format(received=self.received, opened=self.chats_opened, bad=len(self.problems))


@dataclass(frozen=True)
class _Incoming:
    line: int
    channel: str
    client_id: int | None
    digits: str
    number: str
    text: str
    at: datetime


def _outside_text(value: str) -> str:
    """Text from outside as stored: cleaned as a clerk's typing is (controls, C1 and bidi
    overrides removed, lines kept: ``clean_input``), so no tool that reads the store later
    gets escape sequences from it."""
    return clean_input(value)


def _parse_line(line: int, raw: str, region: str, now: datetime) -> _Incoming:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, or a huge integer
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise DomainError(_("Not valid JSON: {detail}.").format(detail=detail)) from exc
    if not isinstance(data, dict):
        raise DomainError(_("Each line must be one JSON object."))
    channel = data.get("channel")
    if not isinstance(channel, str):
        raise DomainError(_("The channel is missing."))
    channel = check_channel(channel)
    text = data.get("text")
    if not isinstance(text, str):
        raise DomainError(_("The text is missing."))
    text = _outside_text(text)
    if not text.strip():
        raise DomainError(_("The text is empty."))
    if len(text) > MAX_RECEIVED:
        raise DomainError(_("A message has at most {n} characters.").format(n=MAX_RECEIVED))
    at = now
    if data.get("time") is not None:
        stamp = data["time"]
        if not isinstance(stamp, str):
            raise DomainError(_("The time must be ISO 8601 text."))
        try:
            at = datetime.fromisoformat(stamp.strip())
        except ValueError as exc:
            raise DomainError(
                _("The time is not ISO 8601 (e.g. 2026-11-20T09:15:00+00:00).")
            ) from exc
        if at.tzinfo is None:
            raise DomainError(_("The time has no time zone (add Z or an offset such as +01:00)."))
        try:
            at = at.astimezone(UTC)
        except OverflowError as exc:  # 0001-01-01 with a positive offset, and the like
            raise DomainError(_("The time is out of range.")) from exc
        if at > now + timedelta(days=1):
            raise DomainError(_("The time is in the future."))
    client_id: int | None = None
    raw_client = data.get("client_id")
    if raw_client is not None:
        if isinstance(raw_client, bool) or not (
            isinstance(raw_client, int)
            or (
                isinstance(raw_client, str)
                and raw_client.strip().isascii()
                and raw_client.strip().isdigit()
                and len(raw_client.strip()) <= 18
            )
        ):
            raise DomainError(_("client_id must be a whole number."))
        client_id = int(raw_client)
        if not 0 < client_id < 2**63:
            raise DomainError(_("That client does not exist."))
    digits = number = ""
    raw_phone = data.get("phone")
    if raw_phone is not None:
        if not isinstance(raw_phone, str):
            raise DomainError(_("The phone must be text."))
        try:
            phone = normalise(raw_phone, region)
        except DomainError as exc:
            raise DomainError(
                _("{problem} ({number})").format(problem=exc.message, number=raw_phone[:40])
            ) from exc
        digits, number = phone.digits, phone.e164
    if client_id is None and not digits:
        raise DomainError(_("Give the client's phone or client_id."))
    return _Incoming(line, channel, client_id, digits, number, text, at)


def receive_messages(
    session: Session,
    lines_iterable: Iterable[str],
    region: str = "PT",
    *,
    skip_bad: bool = False,
) -> ReceiveReport:
    """Append messages from outside to the clients' chats (format: the module docstring).
    All lines are checked first; with a bad line and ``skip_bad`` False nothing is
    written. Writes in the caller's transaction."""
    now = utcnow()
    problems: list[LineProblem] = []
    parsed: list[_Incoming] = []
    count = 0
    for index, raw in enumerate(lines_iterable, start=1):
        if not raw.strip():
            continue
        count += 1
        try:
            parsed.append(_parse_line(index, raw, region, now))
        except DomainError as exc:
            problems.append(LineProblem(index, exc.message))

    # Find each message's client (one query for the ids, one for the numbers).
    ids = {p.client_id for p in parsed if p.client_id is not None}
    known = {
        i for i in session.exec(select(Client.id).where(col(Client.id).in_(ids))) if i is not None
    }
    owners: dict[str, set[int]] = {}
    for digits, owner in session.exec(
        select(ClientPhone.digits, ClientPhone.client_id).where(
            col(ClientPhone.digits).in_({p.digits for p in parsed if p.digits})
        )
    ):
        owners.setdefault(digits, set()).add(owner)
    resolved: list[tuple[_Incoming, int]] = []
    for item in parsed:
        by_phone = owners.get(item.digits, set()) if item.digits else set()
        if item.client_id is not None and item.client_id not in known:
            problems.append(
                LineProblem(item.line, _("No client has the id {id}.").format(id=item.client_id))
            )
        elif item.client_id is not None and item.digits and item.client_id not in by_phone:
            problems.append(
                LineProblem(
                    item.line,
                    _("The number {number} is not a phone of client {id}.").format(
                        number=item.number, id=item.client_id
                    ),
                )
            )
        elif item.client_id is not None:
            resolved.append((item, item.client_id))
        elif not by_phone:
            problems.append(
                LineProblem(
                    item.line, _("No client has the number {number}.").format(number=item.number)
                )
            )
        elif len(by_phone) > 1:
            problems.append(
                LineProblem(
                    item.line,
                    _("Several clients have the number {number}: give client_id.").format(
                        number=item.number
                    ),
                )
            )
        else:
            resolved.append((item, next(iter(by_phone))))
    problems.sort(key=lambda p: p.line)
    if problems and not skip_bad:
        return ReceiveReport(count, 0, 0, tuple(problems), True)

    opened = 0
    written: list[int] = []
    chats: dict[tuple[int, str], Chat] = {}
    for item, client_id in resolved:
        key = (client_id, item.channel)
        chat = chats.get(key) or open_chat_on(session, client_id, item.channel)
        if chat is None:
            chat = Chat(
                client_id=client_id,
                channel=item.channel,
                status="open",
                opened_by=None,
                created_at=now,
                updated_at=now,
            )
            session.add(chat)
            session.flush()
            opened += 1
            audit.record(
                session,
                None,
                "chat.open",
                "chat",
                chat.id,
                client_id=client_id,
                channel=item.channel,
                source="receive",
            )
        chats[key] = chat
        message = add_message(session, chat, "client", None, item.text, item.at)
        written.append(message.id or 0)
    audit.record(
        session,
        None,
        "chat.receive",
        "chat",
        None,
        lines=count,
        received=len(written),
        opened=opened,
        bad=len(problems),
    )
    return ReceiveReport(count, len(written), opened, tuple(problems), False, tuple(written))
