"""Revision 0003_service_alongside: existing services keep every value and are not marked to run alongside;
the repository reads the flag into the domain's Service."""

import sqlite3

import sqlalchemy as sa

from salon_desk.store import migrate
from salon_desk.store.engine import make_engine
from salon_desk.store.mappers import service as service_of
from salon_desk.store.rows import ServiceRow


def test_existing_services_upgrade_to_not_alongside_and_the_flag_reads_back(tmp_path):
    db = tmp_path / "salon-desk.db"
    engine = make_engine(db)
    migrate.upgrade(engine, "0002")
    stamp = "2026-11-25T07:00:00.000000Z"
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO service (id, salon_id, name_ar, name_en, category, duration_minutes, buffer_minutes,"
            " price_halalas, phases, color, active, created_at, updated_at, sync_status) VALUES"
            " ('m1', 's1', 'مانيكير', 'Manicure', 'nails', 45, 5, 9000, '[]', '', 1, :t, :t, 'synced')"),
            {"t": stamp})
    migrate.upgrade(engine, "0003")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT name_en, price_halalas, can_run_alongside FROM service").fetchall() == [
            ("Manicure", 9000, 0)]
        conn.execute("UPDATE service SET can_run_alongside = 1")
    migrate.upgrade(engine)
    with sa.orm.Session(engine) as session:
        assert service_of(session.get(ServiceRow, "m1")).can_run_alongside is True
    engine.dispose()
