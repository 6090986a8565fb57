"""Mutation receipts keyed by salon: the primary key of `mutation_receipt` becomes (salon_id, mutation_id).

A desk of one salon pushing a mutation id another salon already used gets its own receipt, never the other
salon's stored answer, and cannot block the other salon by claiming ids first (issue #8, finding 5). Existing
rows keep their values (ids were globally unique until now, so they are unique per salon too).

Downgrading restores the global key; it fails if two salons now hold the same mutation id.

Revision ID: c0010
Revises: c0009
Create Date: 2026-12-05
"""

from alembic import op

revision = "c0010"
down_revision = "c0009"
branch_labels = None
depends_on = None

TABLE = "mutation_receipt"
PK = "pk_mutation_receipt"


def _primary_key(columns: list[str]) -> None:
    with op.batch_alter_table(TABLE, recreate="auto") as batch:  # SQLite copies the table, PostgreSQL alters
        batch.drop_constraint(PK, type_="primary")
        batch.create_primary_key(PK, columns)


def upgrade() -> None:
    _primary_key(["salon_id", "mutation_id"])


def downgrade() -> None:
    _primary_key(["mutation_id"])
