"""Changing chats: starting one, posting to it, closing and reopening it, and each
employee's read marker."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from ...errors import DomainError
from ...i18n import _
from ...permissions import Perm
from ...safetext import clean_input
from ...store.tables import Client
from ...store.tables.comms import Chat, ChatMessage, ChatRead
from ...store.types import utcnow
from .. import audit
from ..actor import Actor, require
from .conversations import (
    MAX_TEXT,
    ChatMessageRow,
    ChatSummary,
    channel_label,
    check_channel,
    load_chat,
    summary_of,
)

# --- changing ---------------------------------------------------------------------------


def _clean_message(text: str) -> str:
    value = clean_input(text or "")
    if not value:
        raise DomainError(_("Write a message."), "text")
    if len(value) > MAX_TEXT:
        raise DomainError(_("A message has at most {n} characters.").format(n=MAX_TEXT), "text")
    return value


def open_chat_on(session: Session, client_id: int, channel: str) -> Chat | None:
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


def add_message(
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
    channel = check_channel(channel)
    text = _clean_message(first_message)
    if open_chat_on(session, client_id, channel) is not None:
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
    message = add_message(session, chat, "employee", actor.id, text, now)
    _set_marker(session, chat.id or 0, actor.id, message.id or 0)
    audit.record(
        session, actor.id, "chat.open", "chat", chat.id, client_id=client_id, channel=channel
    )
    return summary_of(session, actor, chat)


def post_message(session: Session, actor: Actor, chat_id: int, text: str) -> ChatMessageRow:
    """Post the employee's message to an open chat."""
    require(actor, Perm.VIEW_CHATS)
    chat = load_chat(session, chat_id, lock=True)
    value = _clean_message(text)
    if chat.status != "open":
        raise DomainError(_("This chat is closed. Reopen it to write."))
    message = add_message(session, chat, "employee", actor.id, value, utcnow())
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
    chat = load_chat(session, chat_id, lock=True)
    if chat.status != before:
        if after == "closed":
            raise DomainError(_("Only an open chat can be closed."))
        raise DomainError(_("Only a closed chat can be reopened."))
    if after == "open" and open_chat_on(session, chat.client_id, chat.channel) is not None:
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
    return summary_of(session, actor, load_chat(session, chat_id))


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
    load_chat(session, chat_id)
    newest = session.exec(
        select(func.max(ChatMessage.id)).where(ChatMessage.chat_id == chat_id)
    ).one()
    target = int(newest or 0) if up_to_id is None else min(int(up_to_id), int(newest or 0))
    _set_marker(session, chat_id, actor.id, target)
    marker = session.get(ChatRead, (chat_id, actor.id))
    return marker.last_read_message_id if marker else 0
