"""The push hot path (issue #14): a transaction's change_index entries are written as one statement at its
commit, and a savepoint rolled back takes its entries with it, never those written before it began."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from salon_desk.cloud.clock import ManualClock
from salon_desk.cloud.db import Database
from salon_desk.cloud.salons.service import create_salon
from salon_desk.cloud.sync.changes import ChangeSet
from salon_desk.cloud.sync.tables import REPLICATED_TABLES, ChangeIndexRow
from salon_desk.domain.ids import new_id
from tests.cloud.conftest import CLOUD_T0, cloud_backend, cloud_database_url  # noqa: F401 - fixtures

CUSTOMERS = REPLICATED_TABLES["customer"]


def _customer(customer_id: str, name: str) -> dict[str, Any]:
    return {"id": customer_id, "name": name, "phone": None, "language": "ar", "notes": "",
            "consent_reminders": True, "consent_marketing": False, "created_at": CLOUD_T0,
            "updated_at": CLOUD_T0, "deleted_at": None}


def test_the_index_is_written_at_commit_and_a_rolled_back_savepoint_keeps_what_came_before(
    cloud_database_url: str,  # noqa: F811
) -> None:
    db = Database.from_url(cloud_database_url)
    try:
        salon_id = create_salon(db, ManualClock(CLOUD_T0), name_ar="صالون", name_en="Salon")
        before, inside = new_id(), new_id()
        with db.session() as session:
            changes = ChangeSet(session, salon_id)
            changes.upsert("customer", _customer(before, "Before"), field_meta={})
            mark = changes.mark()
            try:
                with session.begin_nested():
                    changes.upsert("customer", _customer(inside, "Inside"), field_meta={})
                    changes.upsert("customer", {"id": before, "notes": "inside", "updated_at": CLOUD_T0})
                    raise RuntimeError("roll the savepoint back")
            except RuntimeError:
                changes.rewind(mark)
            assert session.scalars(select(ChangeIndexRow.entity_id)).all() == []  # not before the commit
            assert changes.get("customer", before) is not None and changes.get("customer", inside) is None
            seq = changes.seq
            session.commit()
        with db.reader() as session:
            index = session.execute(select(ChangeIndexRow.entity_id, ChangeIndexRow.seq)).all()
            notes = session.execute(select(CUSTOMERS.c.id, CUSTOMERS.c.notes)).all()
        assert [(str(i), s) for i, s in index] == [(before, seq)]
        assert [(str(i), n) for i, n in notes] == [(before, "")]
    finally:
        db.dispose()


def test_a_transaction_rolled_back_writes_no_index_entry(cloud_database_url: str) -> None:  # noqa: F811
    db = Database.from_url(cloud_database_url)
    try:
        salon_id = create_salon(db, ManualClock(CLOUD_T0), name_ar="صالون", name_en="Salon")
        with db.session() as session:
            changes = ChangeSet(session, salon_id)
            changes.upsert("customer", _customer(new_id(), "Gone"), field_meta={})
            session.rollback()
            kept = ChangeSet(session, salon_id)
            kept.upsert("customer", _customer(new_id(), "Kept"), field_meta={})
            session.commit()
        with db.reader() as session:
            assert len(session.scalars(select(ChangeIndexRow.entity_id)).all()) == 1
    finally:
        db.dispose()
