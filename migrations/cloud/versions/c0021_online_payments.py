"""Online payments replicated to desks (issue #12)

`online_payment_replica`: the replicated `online_payment` entity (one row per pay link: its status, money and
history for desks), keyed by (salon_id, id) like every salon-owned table; `pay_link.checkout_id`: the desk's
bill a balance link was sent for.

Revision ID: c0021
Revises: c0020
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c0021"
down_revision = "c0020"
branch_labels = None
depends_on = None

# Frozen copies of the types and wire fields at this revision (never import the app's live definitions here).
UUID = sa.String(36).with_variant(postgresql.UUID(as_uuid=False), "postgresql")
INSTANT = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
KINDS = {"text": sa.Text, "int": sa.BigInteger, "instant": lambda: INSTANT, "json": lambda: JSON}
FIELDS = {
    "booking_id": "text",
    "checkout_id": "text",
    "purpose": "text",
    "amount_halalas": "int",
    "status": "text",
    "paid_halalas": "int",
    "refunded_halalas": "int",
    "payment_id": "text",
    "payment_status": "text",
    "company": "text",
    "language": "text",
    "expires_at": "instant",
    "message": "text",
    "requested_by": "text",
    "history": "json",
}
TABLE = "online_payment_replica"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", UUID, nullable=False),
        sa.Column("salon_id", UUID, nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.Column("deleted_at", INSTANT, nullable=True),
        *(sa.Column(name, KINDS[kind](), nullable=True) for name, kind in FIELDS.items()),
        sa.Column("server_seq", sa.BigInteger(), nullable=False),
        sa.Column("field_meta", JSON, nullable=True),
        sa.PrimaryKeyConstraint("salon_id", "id", name=op.f(f"pk_{TABLE}")),
    )
    op.create_index(f"ix_{TABLE}_salon_id", TABLE, ["salon_id"])
    with op.batch_alter_table("pay_link") as batch:
        batch.add_column(sa.Column("checkout_id", UUID, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pay_link") as batch:
        batch.drop_column("checkout_id")
    op.drop_index(f"ix_{TABLE}_salon_id", table_name=TABLE)
    op.drop_table(TABLE)
