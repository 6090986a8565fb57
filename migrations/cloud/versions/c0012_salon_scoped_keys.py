"""Every salon-owned key carries salon_id (issue #14)

Primary keys of the salon-owned tables become (salon_id, id); the unique keys (device token digest, link
token hash, link session secret, one notification per booking/recipient/event/channel) lead with salon_id;
foreign keys between salon-owned tables become (salon_id, x_id) -> (salon_id, id). So the database can be
distributed by salon (Citus) and no key ever spans two salons. Rows keep their values: a key that was
unique alone is unique with salon_id in front too. Lookups by a secret alone (tokens issued before this
revision) keep an index of their own until those tokens expire or rotate.

SQLite (batch mode) copies each table; with foreign keys on, dropping a parent table would cascade to or
fail on its children, so the children lose their foreign keys first and get them back (composite) last.
The SQLite overlap triggers of booking_item_busy are re-created after its copy.

Downgrading restores the single-column keys; it fails if two salons now hold the same id.

Revision ID: c0012
Revises: c0011
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op

revision = "c0012"
down_revision = "c0011"
branch_labels = None
depends_on = None

# Frozen list (this revision never changes): salon-owned tables keyed by `id` alone at c0011.
TABLES = (
    "salon_profile",
    "staff",
    "service",
    "staff_service",
    "availability_rule",
    "availability_exception",
    "customer",
    "booking",
    "booking_item",
    "walk_in",
    "waitlist_entry",
    "sync_conflict",
    "superseded_edit",
    "notification",
    "notification_job",
    "booking_item_busy",
    "device",
    "enrolment_code",
    "customer_link",
    "customer_link_session",
)
# (table, name, columns, referred table, ondelete) of the foreign keys between salon-owned tables.
FOREIGN_KEYS = (
    ("booking_item_busy", "fk_booking_item_busy_booking_item_id_booking_item", "booking_item_id", "booking_item",
     "CASCADE"),
    ("enrolment_code", "fk_enrolment_code_created_by_device_id_device", "created_by_device_id", "device", None),
    ("enrolment_code", "fk_enrolment_code_consumed_by_device_id_device", "consumed_by_device_id", "device", None),
    ("customer_link_session", "fk_customer_link_session_link_id_customer_link", "link_id", "customer_link", None),
    ("otp_request", "fk_otp_request_link_id_customer_link", "link_id", "customer_link", None),
)
# (table, old name, old columns, new name, new columns, index kept for lookups by the secret alone)
UNIQUES = (
    ("device", "uq_device_token_sha256", ["token_sha256"], "uq_device_salon_id_token_sha256",
     ["salon_id", "token_sha256"], "ix_device_token_sha256"),
    ("customer_link", "uq_customer_link_token_hash", ["token_hash"], "uq_customer_link_salon_id_token_hash",
     ["salon_id", "token_hash"], "ix_customer_link_token_hash"),
    ("customer_link_session", "uq_customer_link_session_secret_hash", ["secret_hash"],
     "uq_customer_link_session_salon_id_secret_hash", ["salon_id", "secret_hash"], None),
    ("notification_job", "uq_notification_job_booking_id_recipient_hash_event_channel",
     ["booking_id", "recipient_hash", "event", "channel"],
     "uq_notification_job_salon_booking_recipient_event_channel",
     ["salon_id", "booking_id", "recipient_hash", "event", "channel"], None),
)
SEGMENT_CHECK = """
SELECT RAISE(ABORT, 'overlap') WHERE NEW.active AND NEW.deleted_at IS NULL AND EXISTS (
  SELECT 1 FROM booking_item_busy b WHERE b.salon_id = NEW.salon_id AND b.staff_id = NEW.staff_id
  AND b.id <> NEW.id AND b.active AND b.deleted_at IS NULL AND b.start_at < NEW.end_at AND NEW.start_at < b.end_at);
"""


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _drop_foreign_keys() -> None:
    for table in dict.fromkeys(t for t, *_ in FOREIGN_KEYS):
        with op.batch_alter_table(table, recreate="auto") as batch:
            for _, name, *_ in (fk for fk in FOREIGN_KEYS if fk[0] == table):
                batch.drop_constraint(name, type_="foreignkey")


def _add_foreign_keys(scoped: bool) -> None:
    for table in dict.fromkeys(t for t, *_ in FOREIGN_KEYS):
        with op.batch_alter_table(table, recreate="auto") as batch:
            for _, name, column, referred, ondelete in (fk for fk in FOREIGN_KEYS if fk[0] == table):
                local, remote = (["salon_id", column], ["salon_id", "id"]) if scoped else ([column], ["id"])
                batch.create_foreign_key(name, referred, local, remote, ondelete=ondelete)


def _primary_keys(columns: Sequence[str]) -> None:
    for table in TABLES:
        with op.batch_alter_table(table, recreate="auto") as batch:
            batch.drop_constraint(f"pk_{table}", type_="primary")
            batch.create_primary_key(f"pk_{table}", list(columns))


def _uniques(scoped: bool) -> None:
    for table, old, old_columns, new, new_columns, index in UNIQUES:
        drop, (create, columns) = (old, (new, new_columns)) if scoped else (new, (old, old_columns))
        if not scoped and index is not None:
            op.drop_index(index, table_name=table)
        with op.batch_alter_table(table, recreate="auto") as batch:
            batch.drop_constraint(drop, type_="unique")
            batch.create_unique_constraint(create, columns)
        if scoped and index is not None:
            op.create_index(index, table, [old_columns[0]])


def _sqlite_triggers() -> None:
    if not _sqlite():
        return
    for event in ("INSERT", "UPDATE"):
        op.execute(f"DROP TRIGGER IF EXISTS booking_item_busy_no_double_booking_{event.lower()}")
        op.execute(
            f"CREATE TRIGGER booking_item_busy_no_double_booking_{event.lower()} BEFORE {event} "
            f"ON booking_item_busy FOR EACH ROW BEGIN {SEGMENT_CHECK} END"
        )


def upgrade() -> None:
    _drop_foreign_keys()
    _primary_keys(["salon_id", "id"])
    _uniques(scoped=True)
    _add_foreign_keys(scoped=True)
    _sqlite_triggers()


def downgrade() -> None:
    _drop_foreign_keys()
    _uniques(scoped=False)
    _primary_keys(["id"])
    _add_foreign_keys(scoped=False)
    _sqlite_triggers()
