"""ledger: the append-only client ledger

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 07:14:50
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from remtui.store.ddl import append_only, integer_only

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("source_type", sa.Text(), nullable=False),
        sa.Column("source_id", sa.BigInteger(), nullable=True),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("cashbox_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["cashbox_id"], ["cashbox.id"]),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"]),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ledger_client", "ledger_entry", ["client_id", "id"])
    op.create_index("ix_ledger_source", "ledger_entry", ["source_type", "source_id"])
    append_only(op, "ledger_entry")
    integer_only(op, "ledger_entry", "amount")
    integer_only(op, "ledger_entry", "balance_after")


def downgrade() -> None:
    op.drop_table("ledger_entry")
