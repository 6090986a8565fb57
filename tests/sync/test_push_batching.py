"""Push's fast path (issue #14): consecutive mutations share one transaction, and every answer is still what
one transaction per mutation would give — through real uvicorn on SQLite and PostgreSQL.

* each mutation keeps its own seq, result rows and change_index entries, and the counter ends at the last;
* a refusal in the middle of a batch keeps out only that mutation (and records its card); the ones before
  and after it apply, and the same batch sent again answers the same stored results;
* an overlapping booking.create is kept in quarantine inside the batch; an overlapping reschedule (which
  needs a savepoint) is refused on its own while its neighbours apply;
* the batch takes the salon's counter once and writes its receipts in one statement; the seqs it counts
  under the counter's lock are stored at its commit, which fails if anything else took one meanwhile.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, text

from salon_desk.cloud.clock import ManualClock
from salon_desk.cloud.db import Database
from salon_desk.cloud.salons.service import create_salon
from salon_desk.cloud.sync.changes import ChangeSet
from salon_desk.cloud.sync.push import ATTEMPTS, BATCH_TRANSACTION
from salon_desk.cloud.sync.tables import REPLICATED_TABLES, ChangeIndexRow
from salon_desk.domain.ids import new_id
from salon_desk.sync.protocol import format_instant
from tests.cloud.conftest import CLOUD_T0, cloud_backend, cloud_database_url  # noqa: F401 - fixtures

from .conftest import Desk, SyncWorld, first_customer, sync_world  # noqa: F401 - fixtures
from .test_bad_input import token_of
from .test_change_index_batching import _customer
from .test_push_hardening import desk, exploding_patch, mutation, push  # noqa: F401 - fixtures

START = datetime(2031, 3, 2, 7, tzinfo=UTC)


def _item(of: Desk, start: datetime, minutes: int = 30) -> dict[str, Any]:
    staff_id, service_id = of.rows("SELECT staff_id, service_id FROM staff_service ORDER BY staff_id")[0]
    end, busy = start + timedelta(minutes=minutes - 5), start + timedelta(minutes=minutes)
    return {"id": str(uuid.uuid4()), "service_id": service_id, "staff_id": staff_id,
            "start_at": format_instant(start), "end_at": format_instant(end),
            "busy_until": format_instant(busy), "price_halalas": 100, "phases": []}


def _create(seq: int, item: dict[str, Any]) -> dict[str, Any]:
    return mutation(seq, name="booking.create", entity="booking", args={
        "customer_id": None, "source": "desk", "status": "requested", "notes": "", "items": [item]})


def _last_seq(world: SyncWorld) -> int:
    with world.cloud.db.reader() as session:
        return int(session.execute(text("SELECT last_seq FROM salon_sync WHERE salon_id = :s"),
                                   {"s": world.salon_id}).scalar_one())


def test_a_refusal_in_a_batch_keeps_out_only_that_mutation_and_each_keeps_its_own_seq(
    sync_world: SyncWorld, desk: Desk  # noqa: F811
) -> None:
    customers = [r[0] for r in desk.rows("SELECT id FROM customer ORDER BY id LIMIT 4")]
    targets = [*customers[:2], str(uuid.uuid4()), *customers[2:]]  # the third is no customer of the salon
    batch = [mutation(10_000 + n, entity_id=c, args={"fields": {"notes": f"batch {customers.index(c)}"
                                                                 if c in customers else "nobody"}})
             for n, c in enumerate(targets)]

    answer = push(desk.http, token_of(desk), desk.device_id, batch)

    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied", "refused", "applied", "applied"]
    assert results[2]["code"] == "sync.gone" and results[2]["conflict_id"]
    seqs = [r["server_seq"] for r in results]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)  # one seq per mutation, in order
    assert answer.json()["head_seq"] >= seqs[-1] and _last_seq(sync_world) >= seqs[-1]
    for result in results:  # a mutation's rows carry its own seq
        assert result["rows"] and {row["seq"] for row in result["rows"]} == {result["server_seq"]}
    table = REPLICATED_TABLES["customer"]
    with sync_world.cloud.db.reader() as session:
        found = session.execute(select(table.c.id, table.c.notes).where(table.c.id.in_(customers)))
        notes = dict(found.all())
        index = dict(session.execute(
            select(ChangeIndexRow.entity_id, ChangeIndexRow.seq).where(
                ChangeIndexRow.salon_id == sync_world.salon_id, ChangeIndexRow.entity == "customer",
                ChangeIndexRow.entity_id.in_(customers))).all())
    assert [notes[c] for c in customers] == [f"batch {n}" for n in range(4)]
    assert [index[c] for c in customers] == [seqs[0], seqs[1], seqs[3], seqs[4]]

    again = push(desk.http, token_of(desk), desk.device_id, batch)  # a lost answer: sent again
    assert again.json()["results"] == results
    assert desk.sync.sync_once().ok  # the desk's own cursor takes every one of them
    assert [desk.scalar("SELECT notes FROM customer WHERE id = :c", c=c) for c in customers] == [
        f"batch {n}" for n in range(4)]


def test_an_unexpected_error_inside_a_batch_is_tried_attempts_times_in_all_and_its_neighbours_apply(
    sync_world: SyncWorld, desk: Desk, exploding_patch: list[str]  # noqa: F811
) -> None:
    customers = [r[0] for r in desk.rows("SELECT id FROM customer ORDER BY id LIMIT 3")]
    batch = [mutation(10_000 + n, entity_id=c, args={"fields": {"notes": notes}})
             for n, (c, notes) in enumerate(zip(customers, ["one", "boom", "three"], strict=True))]

    answer = push(desk.http, token_of(desk), desk.device_id, batch)

    results = answer.json()["results"]
    assert [(r["status"], r["code"]) for r in results] == [("applied", None), ("refused", "server_error"),
                                                           ("applied", None)], answer.text
    assert exploding_patch == [batch[1]["mutation_id"]] * ATTEMPTS  # the batch's try was the first of them
    assert desk.sync.sync_once().ok
    assert [desk.scalar("SELECT notes FROM customer WHERE id = :c", c=c) for c in customers][::2] == [
        "one", "three"]


def test_an_overlapping_create_is_quarantined_in_the_batch_and_an_overlapping_move_refused_alone(
    sync_world: SyncWorld, desk: Desk  # noqa: F811
) -> None:
    first, clash, later = _item(desk, START), _item(desk, START), _item(desk, START + timedelta(hours=2))
    creates = [_create(10_000, first), _create(10_001, clash), _create(10_002, later)]

    answer = push(desk.http, token_of(desk), desk.device_id, creates)

    results = answer.json()["results"]
    assert [(r["status"], r["code"]) for r in results] == [("applied", None), ("conflict", "overlap"),
                                                           ("applied", None)], answer.text
    bookings = REPLICATED_TABLES["booking"]
    with sync_world.cloud.db.reader() as session:
        status = dict(session.execute(select(bookings.c.id, bookings.c.status).where(
            bookings.c.id.in_([m["entity_id"] for m in creates]))).all())
    assert [status[m["entity_id"]] for m in creates] == ["requested", "needs_attention", "requested"]

    # A move onto the first booking's time needs a savepoint: it is refused alone, its neighbours apply.
    customer = first_customer(desk)
    move = {"id": later["id"], "staff_id": later["staff_id"], "start_at": first["start_at"],
            "end_at": first["end_at"], "busy_until": first["busy_until"]}
    batch = [mutation(10_003, entity_id=customer, args={"fields": {"notes": "before the move"}}),
             mutation(10_004, name="booking.reschedule", entity="booking", entity_id=creates[2]["entity_id"],
                      args={"items": [move]}),
             mutation(10_005, entity_id=customer, args={"fields": {"notes": "after the move"}})]
    answer = push(desk.http, token_of(desk), desk.device_id, batch)
    results = answer.json()["results"]
    assert [(r["status"], r["code"]) for r in results] == [("applied", None), ("refused", "overlap"),
                                                           ("applied", None)], answer.text
    items = REPLICATED_TABLES["booking_item"]
    with sync_world.cloud.db.reader() as session:
        kept = session.execute(select(items.c.start_at).where(items.c.id == later["id"])).scalar_one()
    assert format_instant(kept) == later["start_at"]
    assert desk.sync.sync_once().ok
    assert desk.scalar("SELECT notes FROM customer WHERE id = :c", c=customer) == "after the move"


def test_a_batch_takes_the_salon_counter_once_and_writes_its_receipts_in_one_statement(
    sync_world: SyncWorld, desk: Desk  # noqa: F811
) -> None:
    size = BATCH_TRANSACTION[sync_world.cloud.db.backend]
    creates = [_create(10_000 + n, _item(desk, START + timedelta(days=1, hours=n))) for n in range(size)]
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    engine = sync_world.cloud.db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        answer = push(desk.http, token_of(desk), desk.device_id, creates)
    finally:
        event.remove(engine, "before_cursor_execute", seen)

    assert {r["status"] for r in answer.json()["results"]} == {"applied"}, answer.text
    assert sum("last_seq = last_seq + 1" in s for s in statements) == 1
    assert sum(s.startswith("INSERT INTO mutation_receipt") for s in statements) == 1
    assert sum(s.startswith("SAVEPOINT") for s in statements) == 0
    # 23 a booking.create before issue #14; now its 3 rows, plus what the request and the batch do once
    assert len(statements) <= 3 * size + 20


def test_a_batched_change_set_counts_seqs_under_the_lock_and_never_commits_a_repeated_one(
    cloud_database_url: str,  # noqa: F811
) -> None:
    db = Database.from_url(cloud_database_url)
    try:
        salon_id = create_salon(db, ManualClock(CLOUD_T0), name_ar="صالون", name_en="Salon")
        first, second = new_id(), new_id()
        with db.session() as session:
            changes = ChangeSet(session, salon_id)
            changes.batched = True
            changes.upsert("customer", _customer(first, "First"), field_meta={})
            changes.next_mutation()
            changes.upsert("customer", _customer(second, "Second"), field_meta={})
            assert [r.row["id"] for r in changes.rows] == [second]  # the second mutation's own rows
            seq = changes.seq
            session.commit()
        with db.reader() as session:
            index = dict(session.execute(select(ChangeIndexRow.entity_id, ChangeIndexRow.seq)).all())
            counter = session.execute(text("SELECT last_seq FROM salon_sync WHERE salon_id = :s"),
                                      {"s": salon_id}).scalar_one()
        assert {str(k): v for k, v in index.items()} == {first: seq - 1, second: seq} and counter == seq

        lost = new_id()
        with db.session() as session:
            changes = ChangeSet(session, salon_id)
            changes.batched = True
            changes.upsert("customer", _customer(lost, "Lost"), field_meta={})
            changes.next_mutation()
            ChangeSet(session, salon_id).seq  # noqa: B018 - another writer of the transaction takes one
            with pytest.raises(LookupError):
                session.commit()
        with db.reader() as session:
            assert session.execute(select(ChangeIndexRow.entity_id)).scalars().all() != []
            names = session.execute(select(REPLICATED_TABLES["customer"].c.name)).scalars().all()
            counter = session.execute(text("SELECT last_seq FROM salon_sync WHERE salon_id = :s"),
                                      {"s": salon_id}).scalar_one()
        assert sorted(names) == ["First", "Second"] and counter == seq
    finally:
        db.dispose()
