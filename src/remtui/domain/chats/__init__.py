"""Chats with clients over WhatsApp, Telegram, Instagram, e-mail or SMS.

The package: ``conversations`` (channels, labels, the chat list and a chat's messages
with each employee's unread count), ``changes`` (starting, posting, closing, reopening,
marking read), ``receive`` (messages from outside, below).

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

from .changes import (
    close_chat,
    mark_read,
    post_message,
    reopen_chat,
    start_chat,
)
from .conversations import (
    CHANNELS,
    MAX_TEXT,
    PAGE,
    STATUSES,
    ChatMessageRow,
    ChatSummary,
    MessagePage,
    channel_label,
    channels,
    get_chat,
    list_chats,
    messages,
    status_label,
    unread_total,
)
from .receive import (
    MAX_RECEIVED,
    LineProblem,
    ReceiveReport,
    receive_messages,
)

__all__ = [
    "CHANNELS",
    "MAX_RECEIVED",
    "MAX_TEXT",
    "PAGE",
    "STATUSES",
    "ChatMessageRow",
    "ChatSummary",
    "LineProblem",
    "MessagePage",
    "ReceiveReport",
    "channel_label",
    "channels",
    "close_chat",
    "get_chat",
    "list_chats",
    "mark_read",
    "messages",
    "post_message",
    "receive_messages",
    "reopen_chat",
    "start_chat",
    "status_label",
    "unread_total",
]
