"""documents extra: totals in the status history, catalog search key, integrity guards

- document_status_change.total: the document's total when its status changed (what a
  close or a sale charged, what a reopen or a sale refund reversed), so the ledger can be
  recomputed from the history even after an open work order's lines were edited; and
  .note (why it was cancelled, refunded, reopened). The history becomes append-only.
- catalog_item.name_key: the folded name (remtui.domain.text.fold) that type-ahead
  searches, indexed.
- document.estimate_id indexed (the documents an estimate became).
- money columns of documents, lines, payments and the history refuse non-integers (SQLite).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 08:00:00
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from remtui.store.ddl import append_only, drop_append_only, integer_only

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fold(value: str) -> str:
    # A copy of remtui.domain.text.fold as it is today (the store does not import domain/).
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def upgrade() -> None:
    op.add_column(
        "document_status_change",
        sa.Column("total", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.add_column(
        "document_status_change",
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
    )
    op.add_column(
        "catalog_item",
        sa.Column("name_key", sa.Text(), nullable=False, server_default=""),
    )
    conn = op.get_bind()
    items = conn.execute(sa.text("SELECT id, name FROM catalog_item")).all()
    for item_id, name in items:
        conn.execute(
            sa.text("UPDATE catalog_item SET name_key = :k WHERE id = :id"),
            {"k": _fold(name), "id": item_id},
        )
    # Status changes that existed before this revision: their total is the document's.
    conn.execute(
        sa.text(
            "UPDATE document_status_change SET total = "
            "(SELECT d.total FROM document d WHERE d.id = document_status_change.document_id)"
        )
    )
    op.create_index("ix_catalog_item_name_key", "catalog_item", ["name_key"])
    op.create_index("ix_document_estimate", "document", ["estimate_id"])
    append_only(op, "document_status_change")
    integer_only(op, "document_status_change", "total")
    integer_only(op, "document", "total")
    for column in ("quantity_milli", "unit_price", "discount_value", "line_total"):
        integer_only(op, "document_line", column)
    integer_only(op, "payment", "amount")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table, column in (
            ("document_status_change", "total"),
            ("document", "total"),
            ("document_line", "quantity_milli"),
            ("document_line", "unit_price"),
            ("document_line", "discount_value"),
            ("document_line", "line_total"),
            ("payment", "amount"),
        ):
            for verb in ("insert", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{column}_int_{verb}")
    drop_append_only(op, "document_status_change")
    op.drop_index("ix_document_estimate", table_name="document")
    op.drop_index("ix_catalog_item_name_key", table_name="catalog_item")
    op.drop_column("catalog_item", "name_key")
    op.drop_column("document_status_change", "note")
    op.drop_column("document_status_change", "total")
