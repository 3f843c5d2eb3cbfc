"""Leads and assets (devices), with their histories."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from ..types import UTCDateTime, utcnow


def _fk(target: str, nullable: bool = True) -> Column[int]:
    return Column(Integer, ForeignKey(target), nullable=nullable)


def _ts() -> Column[datetime]:
    return Column(UTCDateTime, nullable=False)


class Lead(SQLModel, table=True):
    __tablename__ = "lead"
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    client_id: int = Field(sa_column=_fk("client.id", nullable=False))
    channel: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    responsible_id: int | None = Field(default=None, sa_column=_fk("employee.id"))
    # new | in_work | won_order | won_sale | lost
    status: str = Field(default="new", sa_column=Column(Text, nullable=False))
    lost_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # The work order or sale the lead became (document.lead_id points back at the lead).
    document_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("document.id", use_alter=True, name="fk_lead_document")
        ),
    )
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    created_by: int | None = Field(default=None, sa_column=_fk("employee.id"))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_by: int | None = Field(default=None, sa_column=_fk("employee.id"))

    __table_args__ = (Index("ix_lead_client", "client_id", "id"),)


class LeadStatusChange(SQLModel, table=True):
    __tablename__ = "lead_status_change"
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(sa_column=_fk("lead.id", nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    employee_id: int | None = Field(default=None, sa_column=_fk("employee.id"))
    from_status: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    to_status: str = Field(sa_column=Column(Text, nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))

    __table_args__ = (Index("ix_lead_status_lead", "lead_id", "id"),)


class Asset(SQLModel, table=True):
    __tablename__ = "asset"
    id: int | None = Field(default=None, primary_key=True)
    serial: str = Field(sa_column=Column(Text, nullable=False))  # as the clerk typed it
    # Upper-case, without spaces and dashes: unique across the shop.
    serial_key: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    kind: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    brand: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    model: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    client_id: int = Field(sa_column=_fk("client.id", nullable=False))
    warehouse_id: int = Field(sa_column=_fk("warehouse.id", nullable=False))
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    created_by: int | None = Field(default=None, sa_column=_fk("employee.id"))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_by: int | None = Field(default=None, sa_column=_fk("employee.id"))

    __table_args__ = (Index("ix_asset_client", "client_id", "id"),)


class AssetMove(SQLModel, table=True):
    __tablename__ = "asset_move"
    id: int | None = Field(default=None, primary_key=True)
    asset_id: int = Field(sa_column=_fk("asset.id", nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    employee_id: int | None = Field(default=None, sa_column=_fk("employee.id"))
    from_warehouse_id: int | None = Field(default=None, sa_column=_fk("warehouse.id"))
    to_warehouse_id: int = Field(sa_column=_fk("warehouse.id", nullable=False))

    __table_args__ = (Index("ix_asset_move_asset", "asset_id", "id"),)
