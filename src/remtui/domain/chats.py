"""Chats with clients over WhatsApp, Telegram, Instagram, e-mail or SMS.

Only employees whose role has ``Perm.VIEW_CHATS`` see chats: every function here that
takes an actor checks it first and raises PermissionDenied (before looking anything up,
so a refusal says nothing about what exists).

Rules:

- A chat is ``open`` or ``closed``. Only an open chat can be closed, only a closed one
  reopened, and messages are posted only to an open chat.
- A client has at most one open chat per channel (the store enforces it), so a message
  arriving from outside always knows where it belongs.
- Unread counts are per employee: messages by anyone else after the employee's read
  marker (``chat_read``). Posting marks the chat read up to one's own message.

Incoming messages (``remtui chat receive``, :func:`receive_messages`): one JSON object per
line, e.g.::

    {"channel": "whatsapp", "phone": "912 345 678", "text": "Olá!", "time": "2026-11-20T09:15Z"}
    {"channel": "email", "client_id": 42, "text": "Is my laptop ready?"}

``channel`` is one of whatsapp, telegram, instagram, email, sms; ``phone`` (any format,
matched to exactly one client through the normalised digits) or ``client_id`` names the
client; ``text`` is stored cleaned (controls, C1 and bidi overrides removed, as
``calls import`` and the forms do; the UI shows it safely too);
``time`` (ISO 8601 with a zone; optional, default now) is when it was written. The
message goes to the client's open chat on that channel, or to a new chat opened for it
(a closed chat stays closed: a new conversation starts). Every line is checked before
anything is written; by default one bad line writes nothing (``skip_bad`` writes the
good ones and reports the rest). Empty lines are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, update
from sqlmodel import Session, col, func, select

from ..errors import DomainError
from ..i18n import _
from ..permissions import Perm
from ..safetext import clean_input
from ..store.tables import Client, ClientPhone, Employee
from ..store.tables.comms import Chat, ChatMessage, ChatRead
from ..store.types import utcnow
from . import audit
from .actor import Actor, require
from .phones import normalise

CHANNELS = ("whatsapp", "telegram", "instagram", "email", "sms")
STATUSES = ("open", "closed")
MAX_TEXT = 4000  # what a clerk may post in one message
MAX_RECEIVED = 20_000  # what we accept from outside in one message
PAGE = 50


# --- labels -----------------------------------------------------------------------------


def channel_label(channel: str) -> str:
    labels = {
        "whatsapp": _("WhatsApp"),
        "telegram": _("Telegram"),
        "instagram": _("Instagram"),
        "email": _("E-mail"),
        "sms": _("SMS"),
    }
    return labels.get(channel, channel)


def channels() -> list[tuple[str, str]]:
    """(value, translated label) for every channel, for a select."""
    return [(c, channel_label(c)) for c in CHANNELS]


def status_label(status: str) -> str:
    return {"open": _("Open"), "closed": _("Closed")}.get(status, status)


def _check_channel(channel: str) -> str:
    value = (channel or "").strip().lower()
    if value not in CHANNELS:
        raise DomainError(
            _("Unknown channel {channel!r}. Channels: {channels}.").format(
                channel=clean_input(str(channel or ""))[:30],
                channels=", ".join(label for _c, label in channels()),
            ),
            "channel",
        )
    return value


# --- rows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatSummary:
    id: int
    client_id: int
    channel: str
    channel_label: str
    status: str  # open | closed
    status_label: str
    opened_by_id: int | None  # None: opened by a message from outside
    opened_by_name: str
    created_at: datetime
    last_message_id: int | None  # changes when a message arrives (for polling)
    last_message_text: str  # as stored: show it with safe_text()
    last_message_at: datetime | None
    last_author_kind: str  # client | employee | "" (no messages)
    last_author_name: str
    message_count: int
    unread: int  # messages by others after this employee's read marker

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class ChatMessageRow:
    id: int
    chat_id: int
    at: datetime
    author_kind: str  # client | employee
    author_name: str  # the employee's name, or the client's
    employee_id: int | None
    text: str  # as stored: show it with safe_text()
    mine: bool  # written by the employee asking


@dataclass(frozen=True)
class MessagePage:
    """Messages oldest first. ``has_older``: pass ``oldest_id`` as ``before_id`` to load
    the ones before; pass ``newest_id`` as ``after_id`` to poll for new ones."""

    chat_id: int
    messages: tuple[ChatMessageRow, ...]
    has_older: bool
    oldest_id: int | None
    newest_id: int | None


def _chat(session: Session, chat_id: int, *, lock: bool = False) -> Chat:
    query = select(Chat).where(Chat.id == chat_id).execution_options(populate_existing=True)
    if lock:
        query = query.with_for_update()
    chat = session.exec(query).first()
    if chat is None:
        raise DomainError(_("That chat does not exist."))
    return chat


def _summaries(session: Session, actor: Actor, chats: list[Chat]) -> list[ChatSummary]:
    if not chats:
        return []
    ids = [c.id or 0 for c in chats]
    stats = {
        chat_id: (int(n), int(last or 0))
        for chat_id, n, last in session.exec(
            select(ChatMessage.chat_id, func.count(), func.max(ChatMessage.id))
            .where(col(ChatMessage.chat_id).in_(ids))
            .group_by(col(ChatMessage.chat_id))
        )
    }
    last_ids = [last for _n, last in stats.values() if last]
    last_rows = {
        m.chat_id: (m, name)
        for m, name in session.exec(
            select(ChatMessage, Employee.name)
            .join(Employee, col(Employee.id) == col(ChatMessage.employee_id), isouter=True)
            .where(col(ChatMessage.id).in_(last_ids))
        )
    }
    unread = {
        chat_id: int(n)
        for chat_id, n in session.exec(
            select(ChatMessage.chat_id, func.count())
            .join(
                ChatRead,
                and_(
                    col(ChatRead.chat_id) == col(ChatMessage.chat_id),
                    col(ChatRead.employee_id) == actor.id,
                ),
                isouter=True,
            )
            .where(
                col(ChatMessage.chat_id).in_(ids),
                col(ChatMessage.id) > func.coalesce(col(ChatRead.last_read_message_id), 0),
                (col(ChatMessage.employee_id).is_(None))
                | (col(ChatMessage.employee_id) != actor.id),
            )
            .group_by(col(ChatMessage.chat_id))
        )
    }
    openers = {
        e.id: e.name
        for e in session.exec(
            select(Employee).where(
                col(Employee.id).in_({c.opened_by for c in chats if c.opened_by})
            )
        )
    }
    client_names = {
        c.id: c.name
        for c in session.exec(
            select(Client).where(col(Client.id).in_({c.client_id for c in chats}))
        )
    }
    out = []
    for chat in chats:
        count, _last = stats.get(chat.id or 0, (0, 0))
        last = last_rows.get(chat.id or 0)
        last_msg, last_name = last if last else (None, None)
        author = ""
        if last_msg is not None and last_msg.author_kind == "employee":
            author = last_name or ""
        elif last_msg is not None:
            author = client_names.get(chat.client_id, "")
        out.append(
            ChatSummary(
                id=chat.id or 0,
                client_id=chat.client_id,
                channel=chat.channel,
                channel_label=channel_label(chat.channel),
                status=chat.status,
                status_label=status_label(chat.status),
                opened_by_id=chat.opened_by,
                opened_by_name=openers.get(chat.opened_by, "") if chat.opened_by else "",
                created_at=chat.created_at,
                last_message_id=last_msg.id if last_msg else None,
                last_message_text=last_msg.text if last_msg else "",
                last_message_at=last_msg.at if last_msg else None,
                last_author_kind=last_msg.author_kind if last_msg else "",
                last_author_name=author,
                message_count=count,
                unread=unread.get(chat.id or 0, 0),
            )
        )
    return out


def _summary(session: Session, actor: Actor, chat: Chat) -> ChatSummary:
    return _summaries(session, actor, [chat])[0]


# --- reading ----------------------------------------------------------------------------


def list_chats(session: Session, actor: Actor, client_id: int) -> list[ChatSummary]:
    """The client's chats: open ones first, then by latest activity."""
    require(actor, Perm.VIEW_CHATS)
    chats = list(session.exec(select(Chat).where(Chat.client_id == client_id)))
    summaries = _summaries(session, actor, chats)
    return sorted(summaries, key=lambda s: (s.status != "open", -(s.last_message_id or 0), -s.id))


def get_chat(session: Session, actor: Actor, chat_id: int) -> ChatSummary:
    require(actor, Perm.VIEW_CHATS)
    return _summary(session, actor, _chat(session, chat_id))


def unread_total(session: Session, actor: Actor, client_id: int) -> int:
    """Unread messages over all the client's chats, for this employee."""
    return sum(s.unread for s in list_chats(session, actor, client_id))


def messages(
    session: Session,
    actor: Actor,
    chat_id: int,
    *,
    before_id: int | None = None,
    after_id: int | None = None,
    limit: int = PAGE,
) -> MessagePage:
    """A page of the chat's messages, oldest first: the newest ``limit`` (default), those
    before ``before_id`` (older ones, on demand), or all after ``after_id`` up to
    ``limit`` (new ones)."""
    require(actor, Perm.VIEW_CHATS)
    chat = _chat(session, chat_id)
    limit = max(1, min(int(limit), 500))
    query = (
        select(ChatMessage, Employee.name)
        .join(Employee, col(Employee.id) == col(ChatMessage.employee_id), isouter=True)
        .where(ChatMessage.chat_id == chat_id)
    )
    if before_id is not None:
        query = query.where(col(ChatMessage.id) < before_id)
    if after_id is not None:
        query = query.where(col(ChatMessage.id) > after_id)
        found = list(session.exec(query.order_by(col(ChatMessage.id)).limit(limit)))
        has_older = bool(
            session.exec(
                select(ChatMessage.id)
                .where(ChatMessage.chat_id == chat_id, col(ChatMessage.id) <= after_id)
                .limit(1)
            ).first()
        )
    else:
        newest_first = list(
            session.exec(query.order_by(col(ChatMessage.id).desc()).limit(limit + 1))
        )
        has_older = len(newest_first) > limit
        found = list(reversed(newest_first[:limit]))
    client = session.get(Client, chat.client_id)
    client_name = client.name if client else ""
    rows = tuple(
        ChatMessageRow(
            id=m.id or 0,
            chat_id=chat_id,
            at=m.at,
            author_kind=m.author_kind,
            author_name=(name or "") if m.author_kind == "employee" else client_name,
            employee_id=m.employee_id,
            text=m.text,
            mine=m.author_kind == "employee" and m.employee_id == actor.id,
        )
        for m, name in found
    )
    return MessagePage(
        chat_id,
        rows,
        has_older,
        rows[0].id if rows else None,
        rows[-1].id if rows else None,
    )


# --- changing ---------------------------------------------------------------------------


def _clean_message(text: str) -> str:
    value = clean_input(text or "")
    if not value:
        raise DomainError(_("Write a message."), "text")
    if len(value) > MAX_TEXT:
        raise DomainError(_("A message has at most {n} characters.").format(n=MAX_TEXT), "text")
    return value


def _open_chat_on(session: Session, client_id: int, channel: str) -> Chat | None:
    return session.exec(
        select(Chat).where(
            Chat.client_id == client_id, Chat.channel == channel, Chat.status == "open"
        )
    ).first()


def _set_marker(session: Session, chat_id: int, employee_id: int, message_id: int) -> None:
    marker = session.get(ChatRead, (chat_id, employee_id), populate_existing=True)
    if marker is None:
        session.add(
            ChatRead(chat_id=chat_id, employee_id=employee_id, last_read_message_id=message_id)
        )
    elif message_id > marker.last_read_message_id:
        marker.last_read_message_id = message_id
        session.add(marker)
    session.flush()


def _add_message(
    session: Session,
    chat: Chat,
    author_kind: str,
    employee_id: int | None,
    text: str,
    at: datetime,
) -> ChatMessage:
    message = ChatMessage(
        chat_id=chat.id or 0, at=at, author_kind=author_kind, employee_id=employee_id, text=text
    )
    session.add(message)
    chat.updated_at = utcnow()
    session.add(chat)
    session.flush()
    return message


def start_chat(
    session: Session, actor: Actor, client_id: int, channel: str, first_message: str
) -> ChatSummary:
    """Open a chat with the client on ``channel`` with the employee's first message."""
    require(actor, Perm.VIEW_CHATS)
    if session.get(Client, client_id) is None:
        raise DomainError(_("That client does not exist."))
    channel = _check_channel(channel)
    text = _clean_message(first_message)
    if _open_chat_on(session, client_id, channel) is not None:
        raise DomainError(
            _("This client already has an open {channel} chat: continue that one.").format(
                channel=channel_label(channel)
            ),
            "channel",
        )
    now = utcnow()
    chat = Chat(
        client_id=client_id,
        channel=channel,
        status="open",
        opened_by=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(chat)
    session.flush()
    message = _add_message(session, chat, "employee", actor.id, text, now)
    _set_marker(session, chat.id or 0, actor.id, message.id or 0)
    audit.record(
        session, actor.id, "chat.open", "chat", chat.id, client_id=client_id, channel=channel
    )
    return _summary(session, actor, chat)


def post_message(session: Session, actor: Actor, chat_id: int, text: str) -> ChatMessageRow:
    """Post the employee's message to an open chat."""
    require(actor, Perm.VIEW_CHATS)
    chat = _chat(session, chat_id, lock=True)
    value = _clean_message(text)
    if chat.status != "open":
        raise DomainError(_("This chat is closed. Reopen it to write."))
    message = _add_message(session, chat, "employee", actor.id, value, utcnow())
    _set_marker(session, chat_id, actor.id, message.id or 0)
    audit.record(session, actor.id, "chat.post", "chat", chat_id, message_id=message.id)
    return ChatMessageRow(
        id=message.id or 0,
        chat_id=chat_id,
        at=message.at,
        author_kind="employee",
        author_name=actor.name,
        employee_id=actor.id,
        text=value,
        mine=True,
    )


def _set_chat_status(
    session: Session, actor: Actor, chat_id: int, before: str, after: str
) -> ChatSummary:
    chat = _chat(session, chat_id, lock=True)
    if chat.status != before:
        if after == "closed":
            raise DomainError(_("Only an open chat can be closed."))
        raise DomainError(_("Only a closed chat can be reopened."))
    if after == "open" and _open_chat_on(session, chat.client_id, chat.channel) is not None:
        raise DomainError(
            _("This client already has an open {channel} chat: continue that one.").format(
                channel=channel_label(chat.channel)
            ),
            "channel",
        )
    changed = session.execute(
        update(Chat)
        .where(col(Chat.id) == chat_id, col(Chat.status) == before)
        .values(status=after, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if getattr(changed, "rowcount", 1) != 1:  # someone else changed it meanwhile
        raise DomainError(
            _("Only an open chat can be closed.")
            if after == "closed"
            else _("Only a closed chat can be reopened.")
        )
    audit.record(
        session,
        actor.id,
        "chat.close" if after == "closed" else "chat.reopen",
        "chat",
        chat_id,
    )
    return _summary(session, actor, _chat(session, chat_id))


def close_chat(session: Session, actor: Actor, chat_id: int) -> ChatSummary:
    require(actor, Perm.VIEW_CHATS)
    return _set_chat_status(session, actor, chat_id, "open", "closed")


def reopen_chat(session: Session, actor: Actor, chat_id: int) -> ChatSummary:
    require(actor, Perm.VIEW_CHATS)
    return _set_chat_status(session, actor, chat_id, "closed", "open")


def mark_read(session: Session, actor: Actor, chat_id: int, up_to_id: int | None = None) -> int:
    """Mark the chat read for this employee up to ``up_to_id`` (default: its newest
    message). The marker never moves back. Returns the marker."""
    require(actor, Perm.VIEW_CHATS)
    _chat(session, chat_id)
    newest = session.exec(
        select(func.max(ChatMessage.id)).where(ChatMessage.chat_id == chat_id)
    ).one()
    target = int(newest or 0) if up_to_id is None else min(int(up_to_id), int(newest or 0))
    _set_marker(session, chat_id, actor.id, target)
    marker = session.get(ChatRead, (chat_id, actor.id))
    return marker.last_read_message_id if marker else 0


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
    channel = _check_channel(channel)
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
        chat = chats.get(key) or _open_chat_on(session, client_id, item.channel)
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
        message = _add_message(session, chat, "client", None, item.text, item.at)
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
