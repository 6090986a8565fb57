"""A session's transaction hooks (cloud/session_hooks.py) run as SQLAlchemy's own listeners did, without an
`event.listen` per session (issue #14): in the order they were added, only for their own session, and a hook
added while another runs still runs at its event. Real SQLite and PostgreSQL through the cloud's Database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, text

from salon_desk.cloud.db import Database
from salon_desk.cloud.session_hooks import add_hook, has_hook
from salon_desk.cloud.sync.changes import ChangeSet
from tests.cloud.conftest import cloud_backend, cloud_database_url  # noqa: F401 - fixtures


@pytest.fixture
def db(cloud_database_url: str) -> Any:  # noqa: F811
    from salon_desk.cloud.migrate import upgrade

    upgrade(cloud_database_url)
    database = Database.from_url(cloud_database_url)
    yield database
    database.dispose()


def test_hooks_run_in_order_for_their_own_session_only(db: Database) -> None:
    ran: list[str] = []

    def first(_session: Any) -> None:
        ran.append("first")
        add_hook(_session, "after_commit", lambda _s: ran.append("added while committing"))

    with db.session() as mine, db.session() as other:
        add_hook(mine, "before_commit", first)
        add_hook(mine, "before_commit", lambda _s: ran.append("second"))
        add_hook(mine, "after_soft_rollback", lambda _s, transaction: ran.append(f"rolled back {transaction.nested}"))
        assert has_hook(mine, "before_commit", first) and not has_hook(other, "before_commit", first)
        other.execute(text("SELECT 1"))
        other.commit()
        assert ran == []
        mine.execute(text("SELECT 1"))
        mine.commit()
        assert ran == ["first", "second", "added while committing"]
        mine.execute(text("SELECT 1"))
        mine.rollback()
        assert ran[-1] == "rolled back False"
    with pytest.raises(ValueError, match="no session hook"):
        add_hook(mine, "after_flush", first)


def test_a_change_set_adds_no_listener_to_its_session_and_still_indexes_its_rows(db: Database) -> None:
    """Its hooks (the change index before the commit, savepoints, rollbacks) are session hooks: nothing is
    listened for on the session itself, and the index is still written with the commit."""
    with db.session() as session:
        session.execute(
            text("INSERT INTO salon (id, name_ar, name_en, timezone, public_settings, created_at, updated_at) "
                 "VALUES (:i, 'ص', 'S', 'Asia/Riyadh', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
            {"i": SALON})
        session.execute(text("INSERT INTO salon_sync (salon_id, epoch, last_seq, min_retained_seq) "
                             "VALUES (:i, 'e1', 0, 0)"), {"i": SALON})
        session.commit()
    with db.session() as session:
        changes = ChangeSet(session, SALON)
        for name, hook in (("before_commit", changes._write_index), ("after_transaction_create", changes._began),
                           ("after_soft_rollback", changes._rolled_back)):
            assert not event.contains(session, name, hook)
            assert has_hook(session, name, hook)
        changes.upsert("staff", {"id": STAFF, "name_ar": "أ", "name_en": "A", "title": "", "title_ar": "",
                                 "title_en": "", "color": "#123456", "phone": None, "sort_order": 0,
                                 "active": True, "created_at": NOW, "updated_at": NOW, "deleted_at": None})
        session.commit()
    with db.reader() as session:
        indexed = session.execute(text("SELECT entity, entity_id, seq FROM change_index WHERE salon_id = :s"),
                                  {"s": SALON}).all()
    assert [(entity, str(entity_id), seq) for entity, entity_id, seq in indexed] == [("staff", STAFF, 1)]


NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)
SALON = "0194a0e0-0000-7000-8000-000000000001"
STAFF = "0194a0e0-0000-7000-8000-0000000000aa"
