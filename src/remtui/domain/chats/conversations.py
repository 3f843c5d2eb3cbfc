"""Reading chats: channels and labels, a client's chats with the actor's unread count,
a chat's messages a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_
from sqlmodel import Session, col, func, select

from ...errors import DomainError
from ...i18n import _
from ...permissions import Perm
from ...safetext import clean_input
from ...store.tables import Client, Employee
from ...store.tables.comms import Chat, ChatMessage, ChatRead
from ..actor import Actor, require

CHANNELS = ("whatsapp", "telegram", "instagram", "email", "sms")
STATUSES = ("open", "closed")
MAX_TEXT = 4000  # what a clerk may post in one message

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


def check_channel(channel: str) -> str:
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


def load_chat(session: Session, chat_id: int, *, lock: bool = False) -> Chat:
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


def summary_of(session: Session, actor: Actor, chat: Chat) -> ChatSummary:
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
    return summary_of(session, actor, load_chat(session, chat_id))


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
    chat = load_chat(session, chat_id)
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
