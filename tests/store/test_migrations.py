"""Every revision upgrades a database that holds data, losing nothing. Grow this with every revision."""

import sqlite3

import sqlalchemy as sa

from salon_desk.store import migrate
from salon_desk.store.engine import make_engine


def test_first_revision_with_data_upgrades_to_head_with_nothing_lost(tmp_path):
    db = tmp_path / "salon-desk.db"
    engine = make_engine(db)
    migrate.upgrade(engine, "0001")
    stamp = "2026-11-25T07:00:00.000000Z"
    rows = {"salon": ("s1",), "customer": ("c1", "c2")}
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO salon (id, salon_id, name_ar, name_en, timezone, vat_number, commercial_registration, address,"
            " opening_hours, closures, cancel_cutoff_minutes, deposit_halalas, sms_sender, digit_style, created_at,"
            " updated_at, sync_status) VALUES ('s1','s1','صالون','Salon','Asia/Riyadh','','','','[]','[]',120,0,'',"
            "'latn', :t, :t, 'synced')"), {"t": stamp})
        for cid, name, phone in (("c1", "نورة أحمد", "+966501234567"), ("c2", "Maria Santos", None)):
            conn.execute(sa.text(
                "INSERT INTO customer (id, salon_id, name, phone, language, notes, consent_reminders,"
                " consent_marketing, created_at, updated_at, sync_status) VALUES (:id,'s1',:n,:p,'ar','',1,0,:t,:t,"
                "'pending')"), {"id": cid, "n": name, "p": phone, "t": stamp})
        conn.execute(sa.text(
            "INSERT INTO outbox (mutation_id, name, v, entity, entity_id, hlc, args, actor_id, actor_role,"
            " created_at, status, attempts) VALUES ('m1','customer.create',1,'customer','c1','1:0','{}','u',"
            "'receptionist', :t, 'pending', 0)"), {"t": stamp})
    before = {t: sqlite3.connect(db).execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in (*rows, "outbox")}

    backup = migrate.prepare_database(engine, db, tmp_path / "backups")

    assert backup is not None and backup.exists()
    assert migrate.current_revision(engine) == migrate.head_revision()
    with sqlite3.connect(db) as conn:
        after = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in before}
        assert after == before
        assert conn.execute("SELECT args, status FROM outbox").fetchone() == ("{}", "pending")
        found = conn.execute("SELECT c.id FROM customer c JOIN customer_fts f ON f.rowid = c.rowid "
                             "WHERE customer_fts MATCH '\"نوره\"*'").fetchall()
        assert found == [("c1",)]
    with sqlite3.connect(backup) as old:
        assert old.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)


def test_head_matches_the_rows(tmp_path):
    """The migrations and the SQLAlchemy rows describe the same schema (nothing left for autogenerate)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from salon_desk.store.rows import Base

    engine = make_engine(tmp_path / "x.db")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if "customer_fts" not in str(d)] == []


def test_head_constant_matches_the_migration_scripts():
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(migrate.alembic_config()).get_current_head() == migrate.HEAD_REVISION
