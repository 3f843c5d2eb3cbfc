"""The client ledger: one append-only row per movement of a client's balance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from ..types import UTCDateTime, utcnow


class LedgerEntry(SQLModel, table=True):
    """Positive amounts: the client owes the shop more. Never updated nor deleted."""

    __tablename__ = "ledger_entry"
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(sa_column=Column(Integer, ForeignKey("client.id"), nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    employee_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("employee.id"), nullable=True)
    )
    # correction, payment, refund, sale, sale_refund, work_order, work_order_reopen, ...
    kind: str = Field(sa_column=Column(Text, nullable=False))
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    # The client's balance right after this entry (kept so a page of the statement
    # never has to add up the whole history).
    balance_after: int = Field(sa_column=Column(BigInteger, nullable=False))
    source_type: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    source_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    reference: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    cashbox_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("cashbox.id"), nullable=True)
    )
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))

    __table_args__ = (
        Index("ix_ledger_client", "client_id", "id"),
        Index("ix_ledger_source", "source_type", "source_id"),
        # Sums by kind of source (corrections) for one client, from the index alone.
        Index("ix_ledger_client_source", "client_id", "source_type", "amount"),
    )
