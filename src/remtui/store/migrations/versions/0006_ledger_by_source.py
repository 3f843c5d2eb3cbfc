"""ledger: an index by client and source, so the advance held is read without a scan

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 08:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_ledger_client_source", "ledger_entry", ["client_id", "source_type", "amount"]
    )


def downgrade() -> None:
    op.drop_index("ix_ledger_client_source", table_name="ledger_entry")
