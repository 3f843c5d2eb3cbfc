"""Work orders, estimates and sales; their lines; payments; number sequences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..types import UTCDateTime, utcnow


def _fk(target: str, nullable: bool = True) -> Column[int]:
    return Column(Integer, ForeignKey(target), nullable=nullable)


class NumberSequence(SQLModel, table=True):
    """Next number per series (work_order, estimate, sale, lead): never reused."""

    __tablename__ = "number_sequence"
    series: str = Field(sa_column=Column(Text, primary_key=True))
    next_value: int = 1


class CatalogItem(SQLModel, table=True):
    __tablename__ = "catalog_item"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="service", sa_column=Column(Text, nullable=False))  # or product
    name: str = Field(sa_column=Column(Text, nullable=False))
    price: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))  # minor units
    active: bool = True
    # The folded name (domain.text.fold) that type-ahead searches (migration 0005).
    name_key: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))

    __table_args__ = (Index("ix_catalog_item_name_key", "name_key"),)


class Document(SQLModel, table=True):
    __tablename__ = "document"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_column=Column(Text, nullable=False))  # work_order | estimate | sale
    number: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    client_id: int = Field(sa_column=_fk("client.id", nullable=False))
    status: str = Field(sa_column=Column(Text, nullable=False))
    asset_id: int | None = Field(default=None, sa_column=_fk("asset.id"))
    lead_id: int | None = Field(default=None, sa_column=_fk("lead.id"))
    estimate_id: int | None = Field(default=None, sa_column=_fk("document.id"))
    total: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    version: int = 1
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    created_by: int | None = Field(default=None, sa_column=_fk("employee.id"))
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_by: int | None = Field(default=None, sa_column=_fk("employee.id"))

    __table_args__ = (
        Index("ix_document_client", "client_id", "id"),
        Index("ix_document_asset", "asset_id"),
        Index("ix_document_estimate", "estimate_id"),
    )


class DocumentLine(SQLModel, table=True):
    __tablename__ = "document_line"
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(
        sa_column=Column(Integer, ForeignKey("document.id", ondelete="CASCADE"), nullable=False)
    )
    position: int = 0
    item_id: int | None = Field(default=None, sa_column=_fk("catalog_item.id"))
    description: str = Field(sa_column=Column(Text, nullable=False))
    quantity_milli: int = Field(default=1000, sa_column=Column(BigInteger, nullable=False))
    unit_price: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    discount_kind: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    discount_value: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    line_total: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))

    __table_args__ = (Index("ix_document_line_doc", "document_id", "position"),)


class DocumentStatusChange(SQLModel, table=True):
    __tablename__ = "document_status_change"
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(sa_column=_fk("document.id", nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    employee_id: int | None = Field(default=None, sa_column=_fk("employee.id"))
    from_status: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    to_status: str = Field(sa_column=Column(Text, nullable=False))
    # The document's total at this change: what a close or sale charged, what a reopen or
    # sale refund reversed (migration 0005). Append-only, like the ledger.
    total: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))

    __table_args__ = (Index("ix_document_status_doc", "document_id", "id"),)


class Payment(SQLModel, table=True):
    """Money in from or out to a client. Append-only: a mistake is voided by another."""

    __tablename__ = "payment"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    client_id: int = Field(sa_column=_fk("client.id", nullable=False))
    cashbox_id: int = Field(sa_column=_fk("cashbox.id", nullable=False))
    direction: str = Field(sa_column=Column(Text, nullable=False))  # in | out
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))  # positive minor units
    # client_payment | prepayment | client_refund
    cash_flow_item: str = Field(sa_column=Column(Text, nullable=False))
    document_id: int | None = Field(default=None, sa_column=_fk("document.id"))
    voids_id: int | None = Field(default=None, sa_column=_fk("payment.id"))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    employee_id: int | None = Field(default=None, sa_column=_fk("employee.id"))

    __table_args__ = (
        Index("ix_payment_client", "client_id", "id"),
        Index("ix_payment_document", "document_id"),
        Index("ix_payment_cashbox", "cashbox_id"),
        UniqueConstraint("voids_id", name="uq_payment_voids_once"),
    )
