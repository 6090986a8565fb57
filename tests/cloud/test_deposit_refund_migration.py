"""Migration c0023 (issue #12): the deposit policy's refunds, stored until now as `payment_request` rows with ids
`deposit:<n>:<payment>` (their `created_at` the job's last claim), move to `deposit_refund` with their own state,
the intent's time and rule from its audit event; a desk's own refund stays where it is; the payment account
loses `deposit_halalas` (the salon profile holds the amount) and keeps its keys. And back down. SQLite and
PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta

from alembic import command
from sqlalchemy import select, text

from salon_desk.cloud.clock import ManualClock
from salon_desk.cloud.db import Database, make_engine
from salon_desk.cloud.migrate import alembic_config, upgrade_engine
from salon_desk.cloud.rows import metadata
from salon_desk.cloud.salons.service import create_salon

from .conftest import CLOUD_T0

BEFORE = "c0022"
T = metadata.tables
CLAIMED = CLOUD_T0 + timedelta(minutes=30)


def test_deposit_refunds_move_to_their_own_table_and_back(cloud_database_url: str) -> None:
    engine = make_engine(cloud_database_url)
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, BEFORE)
        db = Database(engine)
        salon_id = create_salon(db, ManualClock(CLOUD_T0), name_ar="صالون", name_en="Salon")
        booking_id, link_id = str(uuid.uuid4()), str(uuid.uuid4())
        common = {"salon_id": salon_id, "created_at": CLOUD_T0}
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO payment_account (salon_id, secret_key_sealed, webhook_secret_sealed, publishable_key,"
                " live, deposit_halalas, link_ttl_hours, updated_at) VALUES (:s, :k, :w, 'pk_test_x', false, 5000,"
                " 48, :t)"), {"s": salon_id, "k": b"sealed", "w": b"sealed", "t": CLOUD_T0})
            for payment_id in ("pay-1", "pay-2"):
                conn.execute(T["online_payment"].insert().values(
                    id=payment_id, link_id=link_id, booking_id=booking_id, invoice_id=None, status="paid",
                    amount_halalas=5000, refunded_halalas=0, checked_at=CLOUD_T0, updated_at=CLOUD_T0, **common))
            conn.execute(T["payment_audit"].insert().values(
                salon_id=salon_id, id=str(uuid.uuid4()), at=CLOUD_T0, entity="deposit", entity_id=link_id,
                action="deposit.refund", actor="policy:no_show", before=None,
                after={"payment_id": "pay-1", "rule": "on_no_show", "refund_halalas": 5000}))
            conn.execute(T["payment_request"].insert(), [
                {"id": "deposit:0:pay-1", "kind": "refund", "payment_id": "pay-1", "amount_halalas": 5000,
                 "refunded_before": 0, "state": "started", "actor": "policy:no_show", "salon_id": salon_id,
                 "created_at": CLAIMED},
                {"id": "desk-refund-key-1", "kind": "refund", "payment_id": "pay-2", "amount_halalas": 1000,
                 "refunded_before": 0, "state": "done", "actor": "user:someone", **common},
            ])

        upgrade_engine(engine)

        with db.reader() as session:
            [moved] = session.execute(select(T["deposit_refund"])).mappings().all()
            left = session.execute(select(T["payment_request"].c.id)).scalars().all()
            account = session.execute(select(T["payment_account"])).mappings().one()
        assert (moved["salon_id"], moved["idempotency_key"], moved["booking_id"], moved["payment_id"]) == (
            salon_id, "deposit:0:pay-1", booking_id, "pay-1")
        assert (moved["amount_halalas"], moved["reason"], moved["actor"], moved["state"], moved["attempts"]) == (
            5000, "no_show", "policy:no_show", "claimed", 1)
        assert (moved["created_at"], moved["claimed_at"], moved["refunded_before"]) == (CLOUD_T0, CLAIMED, 0)
        assert left == ["desk-refund-key-1"]  # a desk's own refund is not the policy's
        assert "deposit_halalas" not in account and account["publishable_key"] == "pk_test_x"

        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, BEFORE)
        with engine.connect() as conn:
            back = conn.execute(text("SELECT id, state, created_at FROM payment_request ORDER BY id")).all()
            deposit = conn.execute(text("SELECT deposit_halalas FROM payment_account")).scalar_one()
        assert [(r[0], r[1]) for r in back] == [("deposit:0:pay-1", "started"), ("desk-refund-key-1", "done")]
        assert deposit == 0
        upgrade_engine(engine)
    finally:
        engine.dispose()
