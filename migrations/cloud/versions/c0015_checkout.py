"""Payments, invoices, credit notes and daily closes (issue #11)

The replicated checkout tables: `checkout`, `payment`, `refund`, `invoice`, `credit_note`, `daily_close`, keyed
by (salon_id, id) like every salon-owned table (issue #14). Unique constraints lead with the salon: an invoice
or credit note number is unique per (salon, series, number), and the cloud stores it as the desk issued it
(never renumbered); a payment's idempotency key and a desk's close of one business day are unique per salon.

Revision ID: c0015
Revises: c0014
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c0015"
down_revision = "c0014"
branch_labels = None
depends_on = None

# Frozen copies of the types and wire fields at this revision (never import the app's live definitions here).
UUID = sa.String(36).with_variant(postgresql.UUID(as_uuid=False), "postgresql")
INSTANT = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
KINDS = {"text": sa.Text, "int": sa.BigInteger, "bool": sa.Boolean, "instant": lambda: INSTANT, "day": sa.Date,
         "json": lambda: JSON}
FIELDS = {
    "checkout": {
        "booking_id": "text",
        "customer_id": "text",
        "lines": "json",
        "order_discount": "json",
        "status": "text",
        "gross_halalas": "int",
        "discount_halalas": "int",
        "device_id": "text",
        "opened_by": "text",
        "invoice_id": "text",
    },
    "payment": {
        "booking_id": "text",
        "method": "text",
        "amount_halalas": "int",
        "status": "text",
        "external_id": "text",
        "idempotency_key": "text",
        "checkout_id": "text",
        "device_id": "text",
        "business_day": "day",
        "taken_at": "instant",
        "taken_by": "text",
        "tendered_halalas": "int",
        "change_halalas": "int",
        "card_network": "text",
        "approval_code": "text",
        "card_last4": "text",
    },
    "refund": {
        "payment_id": "text",
        "amount_halalas": "int",
        "reason": "text",
        "status": "text",
        "external_id": "text",
        "method": "text",
        "credit_note_id": "text",
        "checkout_id": "text",
        "device_id": "text",
        "business_day": "day",
        "refunded_at": "instant",
        "authorised_by": "text",
    },
    "invoice": {
        "booking_id": "text",
        "series": "text",
        "number": "int",
        "issued_at": "instant",
        "lines": "json",
        "net_halalas": "int",
        "vat_halalas": "int",
        "gross_halalas": "int",
        "seller": "json",
        "qr_payload": "text",
        "uuid": "text",
        "counter": "int",
        "previous_hash": "text",
        "hash": "text",
        "discount_halalas": "int",
        "checkout_id": "text",
        "device_id": "text",
        "payments": "json",
    },
    "credit_note": {
        "invoice_id": "text",
        "series": "text",
        "number": "int",
        "issued_at": "instant",
        "reason": "text",
        "lines": "json",
        "net_halalas": "int",
        "vat_halalas": "int",
        "gross_halalas": "int",
        "qr_payload": "text",
        "seller": "json",
        "uuid": "text",
        "counter": "int",
        "previous_hash": "text",
        "hash": "text",
        "chain_series": "text",
        "original_number": "text",
        "device_id": "text",
    },
    "daily_close": {
        "device_id": "text",
        "business_day": "day",
        "closed_at": "instant",
        "closed_by": "text",
        "closed_by_name": "text",
        "figures": "json",
        "counted_cash_halalas": "int",
        "expected_cash_halalas": "int",
        "variance_halalas": "int",
    },
}
UNIQUE = {
    "payment": ("salon_id", "idempotency_key"),
    "invoice": ("salon_id", "series", "number"),
    "credit_note": ("salon_id", "series", "number"),
    "daily_close": ("salon_id", "device_id", "business_day"),
}
INDEXES = {
    "checkout": ("salon_id", "booking_id"),
    "payment": ("salon_id", "checkout_id"),
    "refund": ("salon_id", "payment_id"),
    "credit_note": ("salon_id", "invoice_id"),
}


def upgrade() -> None:
    for table, fields in FIELDS.items():
        columns = [
            sa.Column("id", UUID, nullable=False),
            sa.Column("salon_id", UUID, nullable=False),
            sa.Column("created_at", INSTANT, nullable=False),
            sa.Column("updated_at", INSTANT, nullable=False),
            sa.Column("deleted_at", INSTANT, nullable=True),
            *(sa.Column(name, KINDS[kind](), nullable=True) for name, kind in fields.items()),
            sa.Column("server_seq", sa.BigInteger(), nullable=False),
            sa.Column("field_meta", JSON, nullable=True),
        ]
        constraints = [sa.PrimaryKeyConstraint("salon_id", "id", name=op.f(f"pk_{table}"))]
        if table in UNIQUE:
            constraints.append(sa.UniqueConstraint(*UNIQUE[table], name=op.f(f"uq_{table}_{'_'.join(UNIQUE[table])}")))
        op.create_table(table, *columns, *constraints)
        op.create_index(f"ix_{table}_salon_id", table, ["salon_id"])
        if table in INDEXES:
            op.create_index(f"ix_{table}_{'_'.join(INDEXES[table])}", table, list(INDEXES[table]))


def downgrade() -> None:
    for table in reversed(list(FIELDS)):
        if table in INDEXES:
            op.drop_index(f"ix_{table}_{'_'.join(INDEXES[table])}", table_name=table)
        op.drop_index(f"ix_{table}_salon_id", table_name=table)
        op.drop_table(table)
