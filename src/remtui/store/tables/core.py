"""SQLModel tables. The schema itself is created and changed only by migrations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from ..types import UTCDateTime, utcnow


def _ts(nullable: bool = False) -> Column[datetime]:
    return Column(UTCDateTime, nullable=nullable)


class Role(SQLModel, table=True):
    __tablename__ = "role"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    # Space-separated permission names; the domain owns their meaning.
    permissions: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Employee(SQLModel, table=True):
    __tablename__ = "employee"
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    name: str = Field(sa_column=Column(Text, nullable=False))
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    role_id: int = Field(sa_column=Column(Integer, ForeignKey("role.id"), nullable=False))
    active: bool = True
    failed_attempts: int = 0
    locked_until: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Client(SQLModel, table=True):
    __tablename__ = "client"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="person", sa_column=Column(Text, nullable=False))
    name: str = Field(sa_column=Column(Text, nullable=False))
    email: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    address: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    company_name: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    tax_id: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Hundredths of a percent (1250 = 12.50 %), so no float ever holds it.
    discount_bp: int = 0
    marketing_source: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    conflicted: bool = False
    # Folded name, email, tax id and phone digits: what search looks in.
    search_key: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    sort_key: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    created_by: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("employee.id"), nullable=True)
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_by: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("employee.id"), nullable=True)
    )

    # Name order; carrying the search key lets a search walk names without the table.
    __table_args__ = (Index("ix_client_sort", "sort_key", "id", "search_key"),)


class ClientDigits(SQLModel, table=True):
    """The digit search index: each suffix (3 digits or more, cut to 8) of each run of
    digits in a client's search key, so a phone fragment is a prefix range of the key.
    Derived from Client.search_key only (see remtui.domain.search_index)."""

    __tablename__ = "client_digits"
    digits: str = Field(sa_column=Column(Text, primary_key=True))
    client_id: int = Field(
        sa_column=Column(Integer, ForeignKey("client.id", ondelete="CASCADE"), primary_key=True)
    )

    # SQLite: the primary key is the table itself (no rowid, no second b-tree).
    __table_args__ = ({"sqlite_with_rowid": False},)


class ClientPhone(SQLModel, table=True):
    __tablename__ = "client_phone"
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(
        sa_column=Column(Integer, ForeignKey("client.id", ondelete="CASCADE"), nullable=False)
    )
    position: int = 0
    e164: str = Field(sa_column=Column(Text, nullable=False))
    digits: str = Field(sa_column=Column(Text, nullable=False))
    label: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    notify: bool = False

    __table_args__ = (
        Index("ix_client_phone_client", "client_id", "position"),
        Index("ix_client_phone_digits", "digits"),
    )


class Cashbox(SQLModel, table=True):
    __tablename__ = "cashbox"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    active: bool = True


class Warehouse(SQLModel, table=True):
    __tablename__ = "warehouse"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    # "shop" for the shop's own places, "client" for "with the client".
    kind: str = Field(default="shop", sa_column=Column(Text, nullable=False, default="shop"))
    active: bool = True


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    employee_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("employee.id"), nullable=True)
    )
    action: str = Field(sa_column=Column(Text, nullable=False))
    entity: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    entity_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))

    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)


class Meta(SQLModel, table=True):
    """Small key/value facts about the store (e.g. that it is a demo store)."""

    __tablename__ = "store_meta"
    key: str = Field(sa_column=Column(Text, primary_key=True))
    value: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
