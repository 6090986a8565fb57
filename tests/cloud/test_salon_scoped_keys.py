"""Ready for Citus by construction (issue #14): every salon-owned key leads with salon_id, secrets name their
salon, and tokens issued before keep working.

* the keys, read back from PostgreSQL's own catalog after the migrations (not from the Python models);
* migration c0012 keeps every row on SQLite (batch copies) and PostgreSQL, and the overlap invariant;
* device and link tokens carry the salon; old-format ones (issued before c0012) still work; a token whose
  salon part is changed to another salon's does not.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from salon_desk.cloud.db import make_engine
from salon_desk.cloud.devices.rows import DeviceRow
from salon_desk.cloud.devices.tokens import TOKEN_PREFIX, salon_part, token_digest, token_salon
from salon_desk.cloud.links import tokens as link_tokens
from salon_desk.cloud.links.rows import CustomerLinkRow
from salon_desk.cloud.migrate import alembic_config
from tests.cloud.test_links import booked_link
from tests.sync.conftest import SyncWorld, sync_world  # noqa: F401 - fixture

from .conftest import CLOUD_T0, CloudServer

# Tables that hold a salon_id but are not salon-owned: a public OTP request for a phone may belong to no
# salon (salon_id is nullable there), so these two are phone-scoped, like throttle_event (address/phone).
PHONE_SCOPED = {"otp_request", "sms_message_log"}

KEYS = """
SELECT c.conrelid::regclass::text AS table_name, c.conname, c.contype,
       array_agg(a.attname ORDER BY k.ord) AS columns
FROM pg_constraint c
JOIN unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) ON true
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
JOIN pg_namespace n ON n.oid = c.connamespace
WHERE n.nspname = current_schema() AND c.contype IN ('p', 'u', 'x')
GROUP BY c.conrelid, c.conname, c.contype
"""
UNIQUE_INDEXES = """
SELECT t.relname AS table_name, i.relname AS index_name, array_agg(a.attname) AS columns
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(x.indkey)
WHERE n.nspname = current_schema() AND x.indisunique
GROUP BY t.relname, i.relname
"""
SALON_OWNED = """
SELECT table_name FROM information_schema.columns
WHERE table_schema = current_schema() AND column_name = 'salon_id' AND is_nullable = 'NO'
"""


@pytest.mark.postgres
def test_every_key_of_every_salon_owned_table_holds_salon_id(cloud_database_url: str) -> None:
    if not cloud_database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's catalog is the one that matters (the database distributed by salon)")
    engine = make_engine(cloud_database_url)
    try:
        with engine.connect() as conn:
            owned = {r.table_name for r in conn.execute(text(SALON_OWNED))}
            keys = list(conn.execute(text(KEYS)))
            unique_indexes = list(conn.execute(text(UNIQUE_INDEXES)))
            nullable = {
                r.table_name
                for r in conn.execute(
                    text(
                        "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema()"
                        " AND column_name = 'salon_id' AND is_nullable = 'YES'"
                    )
                )
            }
    finally:
        engine.dispose()
    assert {"booking", "booking_item", "booking_item_busy", "device", "customer_link", "notification_job"} <= owned
    assert nullable == PHONE_SCOPED, "a new table with a nullable salon_id: salon-owned or phone-scoped?"
    missing = sorted(
        f"{k.table_name}.{k.conname} {list(k.columns)}"
        for k in keys
        if k.table_name in owned and "salon_id" not in k.columns
    ) + sorted(
        f"{u.table_name}.{u.index_name} {list(u.columns)}"
        for u in unique_indexes
        if u.table_name in owned and "salon_id" not in u.columns
    )
    assert missing == []
    primary = {k.table_name: list(k.columns) for k in keys if k.contype == "p"}
    assert all(primary[t][0] == "salon_id" for t in owned), {t: primary[t] for t in owned}
    assert owned - primary.keys() == set()


# ---------------------------------------------------------------- migration c0012 keeps the data

T0 = CLOUD_T0


def _id() -> str:
    return str(uuid.uuid4())


def test_migration_c0012_keeps_every_row_and_the_overlap_invariant(cloud_database_url: str) -> None:
    engine = make_engine(cloud_database_url)
    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "c0011")
        salon, device, link, item = _id(), _id(), _id(), _id()
        staff = _id()
        with engine.begin() as conn:
            _seed_c0011(conn, salon, device, link, item, staff)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "c0012")
        with engine.begin() as conn:
            counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in SEEDED}  # noqa: S608
            assert counts == dict.fromkeys(SEEDED, 1)
            pk = inspect(conn).get_pk_constraint("booking_item_busy")["constrained_columns"]
            assert pk == ["salon_id", "id"]
        with pytest.raises(IntegrityError), engine.begin() as conn:  # the overlap invariant still holds
            conn.execute(text(BUSY_INSERT), {"id": _id(), "salon": salon, "item": item, "staff": staff,
                                             "start": T0 + timedelta(minutes=10), "end": T0 + timedelta(minutes=50)})
        with engine.begin() as conn:  # deleting the item still cascades to its segments (composite key)
            conn.execute(text("DELETE FROM booking_item WHERE salon_id = :s AND id = :i"), {"s": salon, "i": item})
            assert conn.execute(text("SELECT count(*) FROM booking_item_busy")).scalar_one() == 0
        with engine.begin() as connection:  # and back down, then up to where the suite left it
            config.attributes["connection"] = connection
            command.downgrade(config, "c0011")
            command.upgrade(config, "head")
    finally:
        engine.dispose()


SEEDED = ("device", "enrolment_code", "customer_link", "customer_link_session", "otp_request", "booking_item",
          "booking_item_busy", "notification_job")
BUSY_INSERT = (
    "INSERT INTO booking_item_busy (id, salon_id, booking_item_id, staff_id, start_at, end_at, active) "
    "VALUES (:id, :salon, :item, :staff, :start, :end, true)"
)


def _seed_c0011(conn: object, salon: str, device: str, link: str, item: str, staff: str) -> None:
    run = conn.execute  # type: ignore[attr-defined]
    run(text("INSERT INTO salon (id, name_ar, name_en, timezone, public_settings, created_at, updated_at) "
             "VALUES (:id, 'ص', 'S', 'Asia/Riyadh', '{}', :t, :t)"), {"id": salon, "t": T0})
    run(text("INSERT INTO device (id, salon_id, name, role, token_sha256, app_version, schema_version, "
             "last_device_seq, enrolled_by, enrolled_at) VALUES (:id, :s, 'D', 'manager', :tok, '1', 1, 0, :by, :t)"),
        {"id": device, "s": salon, "tok": hashlib.sha256(b"x").digest(), "by": _id(), "t": T0})
    run(text("INSERT INTO enrolment_code (id, salon_id, code_sha256, role, created_by_device_id, created_at, "
             "expires_at) VALUES (:id, :s, :c, 'manager', :d, :t, :t)"),
        {"id": _id(), "s": salon, "c": hashlib.sha256(b"c").digest(), "d": device, "t": T0})
    run(text("INSERT INTO customer_link (id, salon_id, booking_id, token_hash, created_at, expires_at) "
             "VALUES (:id, :s, :b, :h, :t, :t)"), {"id": link, "s": salon, "b": _id(),
                                                   "h": hashlib.sha256(b"l").digest(), "t": T0})
    run(text("INSERT INTO customer_link_session (id, salon_id, link_id, secret_hash, created_at, expires_at) "
             "VALUES (:id, :s, :l, :h, :t, :t)"), {"id": _id(), "s": salon, "l": link,
                                                   "h": hashlib.sha256(b"s").digest(), "t": T0})
    run(text("INSERT INTO otp_request (id, salon_id, phone_e164, channel, language, code_hash, created_at, "
             "expires_at, attempts, provider, link_id, withheld) VALUES (:id, :s, '+966551234567', 'sms', 'ar', "
             ":h, :t, :t, 0, 'console', :l, false)"), {"id": _id(), "s": salon, "h": b"0" * 32, "t": T0, "l": link})
    run(text("INSERT INTO booking_item (id, salon_id, created_at, updated_at, booking_id, service_id, staff_id, "
             "start_at, end_at, busy_until, price_halalas, active, server_seq) VALUES (:id, :s, :t, :t, :b, :sv, "
             ":st, :t, :e, :e, 100, true, 1)"),
        {"id": item, "s": salon, "t": T0, "b": _id(), "sv": _id(), "st": staff, "e": T0 + timedelta(minutes=30)})
    run(text(BUSY_INSERT), {"id": _id(), "salon": salon, "item": item, "staff": staff, "start": T0,
                            "end": T0 + timedelta(minutes=30)})
    run(text("INSERT INTO notification_job (id, salon_id, booking_id, customer_id, recipient_hash, "
             "recipient_masked, event, channel, language, params, status, attempts, next_attempt_at, created_at, "
             "updated_at) VALUES (:id, :s, :b, :c, 'h', '05••', 'booked', 'sms', 'ar', '{}', 'pending', 0, :t, "
             ":t, :t)"), {"id": _id(), "s": salon, "b": _id(), "c": _id(), "t": T0})


# ---------------------------------------------------------------- tokens name their salon


def test_device_tokens_name_their_salon_and_old_ones_keep_working(cloud_server: CloudServer) -> None:
    salon_id, token = cloud_server.enrolled_desk()
    other_salon, _ = cloud_server.enrolled_desk()
    assert token.startswith(TOKEN_PREFIX + salon_part(salon_id)) and len(token) == len(TOKEN_PREFIX) + 22 + 43
    assert token_salon(token) == salon_id
    http = cloud_server.client()

    def me(bearer: str) -> int:
        return http.get("/v1/devices/me", headers={"Authorization": f"Bearer {bearer}"}).status_code

    assert me(token) == 200
    forged = token.replace(salon_part(salon_id), salon_part(other_salon))  # same secret, another salon
    assert token_salon(forged) == other_salon and me(forged) == 401
    legacy = TOKEN_PREFIX + "a" * 43  # the form issued before issue #14: no salon part
    assert token_salon(legacy) is None
    with cloud_server.db.session() as session:
        session.execute(update(DeviceRow).where(DeviceRow.salon_id == salon_id).values(
            token_sha256=token_digest(legacy)))
        session.commit()
    assert me(legacy) == 200 and me(token) == 401
    rotated = http.post("/v1/devices/rotate", headers={"Authorization": f"Bearer {legacy}"})
    assert rotated.status_code == 200
    assert token_salon(rotated.json()["token"]) == salon_id and me(legacy) == 401


def test_link_tokens_name_their_salon_and_links_already_sent_keep_working(sync_world: SyncWorld) -> None:  # noqa: F811
    case = booked_link(sync_world)
    cloud, salon_id = sync_world.cloud, sync_world.salon_id
    token = case.path.rsplit("/", 1)[1]
    assert len(token) == link_tokens.TOKEN_LENGTH and link_tokens.token_salon(token) == salon_id
    http = cloud.client()
    assert http.get(case.path).status_code == 200
    other_salon = cloud.create_salon()
    forged = salon_part(other_salon) + token[len(salon_part(salon_id)) :]
    assert http.get(f"/b/{forged}").status_code == 404
    legacy = "b" * link_tokens.LEGACY_TOKEN_LENGTH  # a link sent before issue #14: no salon part
    assert link_tokens.token_salon(legacy) is None
    with cloud.db.session() as session:
        link = session.scalar(select(CustomerLinkRow).where(CustomerLinkRow.salon_id == salon_id))
        assert link is not None
        session.add(CustomerLinkRow(id=_id(), salon_id=salon_id, booking_id=link.booking_id,
                                    token_hash=link_tokens.token_hash(legacy), created_at=link.created_at,
                                    expires_at=link.expires_at))
        session.commit()
    assert http.get(f"/b/{legacy}").status_code == 200
    redacted = link_tokens.redact_links(f"new https://x/b/{token} old https://x/b/{legacy}.")
    assert token not in redacted and legacy not in redacted and redacted.count("/b/••••") == 2
