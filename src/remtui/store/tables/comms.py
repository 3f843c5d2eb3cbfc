"""Communications with clients: phone calls, SMS, and chats with their messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, text
from sqlmodel import Field, SQLModel

from ..types import UTCDateTime, utcnow


def _fk(target: str, nullable: bool = True) -> Column[int]:
    return Column(Integer, ForeignKey(target), nullable=nullable)


def _ts(nullable: bool = False) -> Column[datetime]:
    return Column(UTCDateTime, nullable=nullable)


def _text(default: str = "") -> Column[str]:
    return Column(Text, nullable=False, default=default)


class PhoneCall(SQLModel, table=True):
    """One call with a client, logged by hand or imported from the telephone system."""

    __tablename__ = "phone_call"
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(sa_column=_fk("client.id", nullable=False))
    at: datetime = Field(sa_column=_ts())
    direction: str = Field(sa_column=Column(Text, nullable=False))  # incoming | outgoing
    missed: bool = False  # an unanswered incoming call
    number_e164: str = Field(default="", sa_column=_text())
    duration_seconds: int = 0
    employee_id: int | None = Field(default=None, sa_column=_fk("employee.id"))
    # An http(s) URL or an absolute path on the server when recording_is_link, otherwise
    # plain text that is never made clickable.
    recording: str = Field(default="", sa_column=_text())
    recording_is_link: bool = False
    source: str = Field(default="manual", sa_column=_text("manual"))  # manual | import
    # Imported calls: a hash of time, number and direction, so re-imports skip them.
    external_key: str | None = Field(
        default=None, sa_column=Column(Text, nullable=True, unique=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    created_by: int | None = Field(default=None, sa_column=_fk("employee.id"))

    __table_args__ = (Index("ix_phone_call_client", "client_id", "at", "id"),)


class SmsMessage(SQLModel, table=True):
    """One SMS to a client and where it is on its way through the gateway."""

    __tablename__ = "sms_message"
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(sa_column=_fk("client.id", nullable=False))
    number_e164: str = Field(sa_column=Column(Text, nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    # queued | sending | sent | delivered | failed
    status: str = Field(default="queued", sa_column=_text("queued"))
    error: str = Field(default="", sa_column=_text())
    employee_id: int | None = Field(default=None, sa_column=_fk("employee.id"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # Which sender holds the message while its program runs, and since when.
    claim_token: str = Field(default="", sa_column=_text())
    claimed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    attempts: int = 0

    __table_args__ = (
        Index("ix_sms_message_client", "client_id", "id"),
        Index("ix_sms_message_status", "status", "id"),
    )


class Chat(SQLModel, table=True):
    """A conversation with a client on one channel; at most one open per channel."""

    __tablename__ = "chat"
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(sa_column=_fk("client.id", nullable=False))
    channel: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="open", sa_column=_text("open"))  # open | closed
    opened_by: int | None = Field(default=None, sa_column=_fk("employee.id"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())

    __table_args__ = (
        Index("ix_chat_client", "client_id", "id"),
        Index(
            "ux_chat_open_channel",
            "client_id",
            "channel",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )


class ChatMessage(SQLModel, table=True):
    __tablename__ = "chat_message"
    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=_fk("chat.id", nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    author_kind: str = Field(sa_column=Column(Text, nullable=False))  # client | employee
    employee_id: int | None = Field(default=None, sa_column=_fk("employee.id"))
    text: str = Field(sa_column=Column(Text, nullable=False))

    __table_args__ = (Index("ix_chat_message_chat", "chat_id", "id"),)


class ChatRead(SQLModel, table=True):
    """How far each employee has read each chat (for the unread counts)."""

    __tablename__ = "chat_read"
    chat_id: int = Field(
        sa_column=Column(Integer, ForeignKey("chat.id"), primary_key=True, nullable=False)
    )
    employee_id: int = Field(
        sa_column=Column(Integer, ForeignKey("employee.id"), primary_key=True, nullable=False)
    )
    last_read_message_id: int = 0
