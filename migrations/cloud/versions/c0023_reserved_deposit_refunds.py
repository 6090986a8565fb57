"""Deposit refunds get their own table (issue #12); the deposit amount has one home, the salon profile

`deposit_refund`: a refund the salon's deposit policy decided, performed by the payments job (pending →
claimed → done | refused), keyed by (salon_id, id) with its idempotency key unique per salon. Until now these
rows were `payment_request` rows with ids `deposit:<n>:<payment id>` whose `created_at` held the job's last
claim: they move here (the intent's time and its rule come from its `deposit.refund` audit event).

`payment_account.deposit_halalas` is dropped: the deposit a salon asks is its replicated profile's
`salon_profile.deposit_halalas` (the owner's "Deposit" on a desk, salon.patch).

Revision ID: c0023
Revises: c0022
"""

import uuid
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c0023"
down_revision = "c0022"
branch_labels = None
depends_on = None

UUID = sa.String(36).with_variant(postgresql.UUID(as_uuid=False), "postgresql")
INSTANT = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TABLE = "deposit_refund"
PREFIX = "deposit:"
STATE_MOVED = {"queued": "pending", "started": "claimed", "done": "done", "refused": "refused"}
STATE_BACK = {"pending": "queued", "claimed": "started", "done": "done", "refused": "refused"}

# Frozen shapes of the tables this revision reads and writes (never the app's live definitions).
request = sa.table(
    "payment_request", sa.column("salon_id", UUID), sa.column("id", sa.String(80)), sa.column("kind", sa.String(8)),
    sa.column("payment_id", sa.String(64)), sa.column("amount_halalas", sa.BigInteger()),
    sa.column("refunded_before", sa.BigInteger()), sa.column("state", sa.String(10)),
    sa.column("actor", sa.String(80)), sa.column("created_at", INSTANT),
)
payment = sa.table("online_payment", sa.column("salon_id", UUID), sa.column("id", sa.String(64)),
                   sa.column("booking_id", UUID))
audit = sa.table("payment_audit", sa.column("salon_id", UUID), sa.column("at", INSTANT),
                 sa.column("entity", sa.String(20)), sa.column("action", sa.String(40)), sa.column("after", JSON))
refund = sa.table(
    TABLE, sa.column("salon_id", UUID), sa.column("id", UUID), sa.column("idempotency_key", sa.String(80)),
    sa.column("booking_id", UUID), sa.column("payment_id", sa.String(64)), sa.column("amount_halalas", sa.BigInteger()),
    sa.column("reason", sa.String(16)), sa.column("actor", sa.String(80)), sa.column("state", sa.String(10)),
    sa.column("claimed_at", INSTANT), sa.column("attempts", sa.Integer()),
    sa.column("refunded_before", sa.BigInteger()), sa.column("last_error", sa.String(80)),
    sa.column("created_at", INSTANT), sa.column("updated_at", INSTANT),
)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("salon_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("idempotency_key", sa.String(80), nullable=False),
        sa.Column("booking_id", UUID, nullable=False),
        sa.Column("payment_id", sa.String(64), nullable=False),
        sa.Column("amount_halalas", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("claimed_at", INSTANT, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("refunded_before", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.String(80), nullable=True),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.PrimaryKeyConstraint("salon_id", "id", name=op.f(f"pk_{TABLE}")),
        sa.ForeignKeyConstraint(["salon_id"], ["salon.id"], name=op.f(f"fk_{TABLE}_salon_id_salon")),
        sa.UniqueConstraint("salon_id", "idempotency_key", name=op.f(f"uq_{TABLE}_salon_id_idempotency_key")),
    )
    op.create_index(op.f(f"ix_{TABLE}_salon_id_payment_id"), TABLE, ["salon_id", "payment_id"])
    op.create_index(op.f(f"ix_{TABLE}_state_claimed_at"), TABLE, ["state", "claimed_at"])
    _move_deposit_requests()
    with op.batch_alter_table("payment_account") as batch:
        batch.drop_column("deposit_halalas")


def _move_deposit_requests() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(request, payment.c.booking_id)
        .join(payment, (payment.c.salon_id == request.c.salon_id) & (payment.c.id == request.c.payment_id))
        .where(request.c.id.like(f"{PREFIX}%"))
    ).mappings().all()
    moved: list[dict[str, Any]] = []
    decided = _refund_decisions(bind, {r["salon_id"] for r in rows})
    for row in rows:
        # The n-th policy refund of a payment (its key deposit:<n>:<payment>) is its n-th deposit.refund event.
        n = int(str(row["id"]).split(":")[1])
        events = decided.get((row["salon_id"], row["payment_id"]), [])
        at, rule = events[n] if n < len(events) else (row["created_at"], "")
        state = STATE_MOVED.get(row["state"], "pending")
        moved.append({
            "salon_id": row["salon_id"], "id": str(uuid.uuid4()), "idempotency_key": row["id"],
            "booking_id": row["booking_id"], "payment_id": row["payment_id"],
            "amount_halalas": row["amount_halalas"] or 0,
            "reason": (rule.removeprefix("on_") or str(row["actor"]).removeprefix("policy:"))[:16],
            "actor": row["actor"], "state": state,
            "claimed_at": row["created_at"] if state == "claimed" else None,
            "attempts": 0 if state == "pending" else 1, "refunded_before": row["refunded_before"],
            "last_error": None, "created_at": at, "updated_at": row["created_at"],
        })
    if moved:
        op.bulk_insert(refund, moved)
        for row in moved:
            bind.execute(sa.delete(request).where(request.c.salon_id == row["salon_id"],
                                                  request.c.id == row["idempotency_key"]))


def _refund_decisions(bind: Any, salons: set[str]) -> dict[tuple[str, str], list[tuple[Any, str]]]:
    """(salon, payment) → [(when, rule)] of its deposit.refund audit events, oldest first."""
    found: dict[tuple[str, str], list[tuple[Any, str]]] = {}
    for salon_id in sorted(salons):
        events = bind.execute(
            sa.select(audit.c.at, audit.c.after)
            .where(audit.c.salon_id == salon_id, audit.c.entity == "deposit", audit.c.action == "deposit.refund")
            .order_by(audit.c.at)
        ).all()
        for at, after in events:
            facts = after or {}
            found.setdefault((salon_id, str(facts.get("payment_id"))), []).append((at, str(facts.get("rule") or "")))
    return found


def downgrade() -> None:
    with op.batch_alter_table("payment_account") as batch:
        batch.add_column(sa.Column("deposit_halalas", sa.BigInteger(), nullable=False, server_default="0"))
    bind = op.get_bind()
    rows = bind.execute(sa.select(refund)).mappings().all()
    if rows:
        op.bulk_insert(request, [{
            "salon_id": r["salon_id"], "id": r["idempotency_key"], "kind": "refund", "payment_id": r["payment_id"],
            "amount_halalas": r["amount_halalas"], "refunded_before": r["refunded_before"] or 0,
            "state": STATE_BACK.get(r["state"], "queued"), "actor": r["actor"],
            "created_at": r["claimed_at"] or r["created_at"],
        } for r in rows])
    op.drop_index(op.f(f"ix_{TABLE}_state_claimed_at"), table_name=TABLE)
    op.drop_index(op.f(f"ix_{TABLE}_salon_id_payment_id"), table_name=TABLE)
    op.drop_table(TABLE)
