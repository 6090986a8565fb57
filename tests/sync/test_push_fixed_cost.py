"""A desk's single push costs one write transaction and nothing around it (issue #14: push p99 at 300/s), and
every request-level answer is still given before anything is written — real uvicorn, SQLite and PostgreSQL.

* the salon's epoch comes with the token lookup, the desk's audit chain head is anchored inside the push's
  own transaction, the answer's head is that transaction's seq, and receipts are not read first when every
  mutation comes after the desk's last device_seq;
* a mutation id used before with another payload, sent at a new device_seq, is still refused whole (409)
  even when a refusal in the same batch sent part of it down the careful path: nothing is written;
* a push answered from stored receipts still anchors its head; an old epoch is refused before any write.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text

from salon_desk.cloud.devices.tokens import TOKEN_PREFIX
from tests.cloud.conftest import cloud_backend, cloud_database_url  # noqa: F401 - fixtures
from tests.engine_log import EngineLog

from .conftest import Desk, SyncWorld, first_customer, sync_world  # noqa: F401 - fixtures
from .test_bad_input import token_of
from .test_push_batching import _last_seq
from .test_push_hardening import desk, domain_dump, mutation, push  # noqa: F401 - fixtures


def _epoch(world: SyncWorld) -> str:
    with world.cloud.db.reader() as session:
        return str(session.execute(text("SELECT epoch FROM salon_sync WHERE salon_id = :s"),
                                   {"s": world.salon_id}).scalar_one())


def _head(seq: int) -> dict[str, Any]:
    return {"seq": seq, "hash": uuid.uuid4().hex * 2}


def _anchors(world: SyncWorld, of: Desk) -> dict[int, str]:
    with world.cloud.db.reader() as session:
        rows = session.execute(text("SELECT seq, hash FROM audit_anchor WHERE salon_id = :s AND device_id = :d"),
                               {"s": world.salon_id, "d": of.device_id}).all()
    return {int(seq): str(chain_hash) for seq, chain_hash in rows}


def test_a_desks_single_push_is_one_write_transaction_with_its_anchor_and_no_reads_around_it(
    sync_world: SyncWorld, desk: Desk  # noqa: F811
) -> None:
    customer = first_customer(desk)
    head, epoch = _head(50_000), _epoch(sync_world)
    patch = mutation(10_000, entity_id=customer, args={"fields": {"notes": "one push"}})

    with EngineLog(sync_world.cloud.db.engine) as recorded:
        answer = push(desk.http, token_of(desk), desk.device_id, [patch], epoch=epoch, audit_head=head)

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["results"][0]["status"] == "applied"
    assert body["head_seq"] == body["results"][0]["server_seq"] == _last_seq(sync_world)
    assert _anchors(sync_world, desk)[head["seq"]] == head["hash"]
    assert recorded.commits == 1  # the mutation, its receipt, the device's seq and the anchor, together
    reads_first = [s for s in recorded.statements if "FROM mutation_receipt" in s or "FROM salon_sync" in s]
    assert reads_first == []  # neither the receipts nor the epoch nor the head are read on their own
    assert sum(s.startswith("INSERT INTO audit_anchor") for s in recorded.statements) == 1
    assert [s for s in recorded.statements if "FROM audit_anchor" in s] == []  # a new head is not read back
    assert [s for s in recorded.statements if s.startswith("SELECT pg_notify")] == []  # it rides on the seq's
    assert desk.sync.sync_once().ok
    assert desk.scalar("SELECT notes FROM customer WHERE id = :c", c=customer) == "one push"


def test_an_id_used_before_sent_again_at_a_new_seq_is_refused_whole_even_behind_a_refusal(
    sync_world: SyncWorld, desk: Desk  # noqa: F811
) -> None:
    customers = [r[0] for r in desk.rows("SELECT id FROM customer ORDER BY id LIMIT 2")]
    first = mutation(10_000, entity_id=customers[0], args={"fields": {"notes": "first"}})
    assert push(desk.http, token_of(desk), desk.device_id, [first]).json()["results"][0]["status"] == "applied"
    before, counter, anchors = domain_dump(sync_world), _last_seq(sync_world), _anchors(sync_world, desk)

    batch = [
        mutation(10_001, entity_id=customers[1], args={"fields": {"notes": "kept out"}}),
        mutation(10_002, entity_id=str(uuid.uuid4())),  # no customer of the salon: refused, careful path
        mutation(10_003, entity_id=customers[1], args={"fields": {"notes": "kept out too"}}),
        first | {"device_seq": 10_004, "args": {"fields": {"notes": "another payload"}}},  # the id again
    ]
    answer = push(desk.http, token_of(desk), desk.device_id, batch, audit_head=_head(60_000))

    assert answer.status_code == 409 and answer.json()["code"] == "idempotency_key_reuse", answer.text
    assert domain_dump(sync_world) == before  # nothing of the request was written
    assert _last_seq(sync_world) == counter and _anchors(sync_world, desk) == anchors


def test_a_push_answered_from_stored_receipts_still_anchors_its_new_head(
    sync_world: SyncWorld, desk: Desk  # noqa: F811
) -> None:
    patch = mutation(10_000, entity_id=first_customer(desk), args={"fields": {"notes": "sent twice"}})
    sent = push(desk.http, token_of(desk), desk.device_id, [patch], audit_head=_head(70_000))
    counter = _last_seq(sync_world)

    again = push(desk.http, token_of(desk), desk.device_id, [patch], audit_head=(head := _head(70_001)))

    assert again.status_code == 200 and again.json()["results"] == sent.json()["results"]
    assert _last_seq(sync_world) == counter  # answered, not applied again
    assert again.json()["head_seq"] == counter
    assert _anchors(sync_world, desk)[head["seq"]] == head["hash"]


def test_a_desk_on_an_old_epoch_is_refused_before_anything_is_written(
    sync_world: SyncWorld, desk: Desk  # noqa: F811
) -> None:
    before, counter = domain_dump(sync_world), _last_seq(sync_world)
    patch = mutation(10_000, entity_id=first_customer(desk), args={"fields": {"notes": "too late"}})

    answer = push(desk.http, token_of(desk), desk.device_id, [patch], epoch=uuid.uuid4().hex,
                  audit_head=_head(80_000))

    assert answer.status_code == 409 and answer.json()["code"] == "epoch_changed", answer.text
    assert answer.json()["params"]["epoch"] == _epoch(sync_world)
    assert domain_dump(sync_world) == before and _last_seq(sync_world) == counter
    assert 80_000 not in _anchors(sync_world, desk)


def test_a_push_looks_its_desk_up_in_the_same_trip_as_its_work(
    sync_world: SyncWorld, desk: Desk  # noqa: F811
) -> None:
    """One trip to a hot thread per push: the desk's lookup runs there, after the body was checked, so a body
    that is not a push never reaches the database, whoever sends it; without a desk token's form it is 401."""
    unknown = TOKEN_PREFIX + "x" * 43
    patch = mutation(10_000, entity_id=first_customer(desk), args={"fields": {"notes": "unknown desk"}})
    before = domain_dump(sync_world)

    with EngineLog(sync_world.cloud.db.engine) as recorded:
        not_a_push = desk.http.post("/v1/sync/push", json={"x": 1}, headers={"Authorization": f"Bearer {unknown}"})
    assert not_a_push.status_code == 422 and recorded.statements == []

    no_token = desk.http.post("/v1/sync/push", json={"x": 1})
    not_a_token = desk.http.post("/v1/sync/push", json={"x": 1}, headers={"Authorization": "Bearer abc"})
    assert [r.status_code for r in (no_token, not_a_token)] == [401, 401]
    assert {r.json()["code"] for r in (no_token, not_a_token)} == {"token_invalid"}

    refused = push(desk.http, unknown, desk.device_id, [patch])
    assert refused.status_code == 401 and refused.json()["code"] == "token_invalid"
    other = push(desk.http, token_of(desk), str(uuid.uuid4()), [patch])
    assert other.status_code == 400 and other.json()["code"] == "sync.device_mismatch"
    assert domain_dump(sync_world) == before


def test_a_create_inserts_its_row_unread_and_an_id_the_salon_uses_is_refused_id_taken(
    sync_world: SyncWorld, desk: Desk  # noqa: F811
) -> None:
    """A create does not read its own row first (issue #14: a statement less per create); the primary key
    refuses an id already used, live or deleted, as `sync.id_taken`, alone or in a batch, and nothing of it
    is written."""
    new = mutation(10_000, name="customer.create", args={"name": "Walk-up", "phone": None})
    with EngineLog(sync_world.cloud.db.engine) as recorded:
        answer = push(desk.http, token_of(desk), desk.device_id, [new])
    assert answer.json()["results"][0]["status"] == "applied", answer.text
    assert [s for s in recorded.statements if s.startswith("SELECT") and "FROM customer" in s] == []
    assert sum(s.startswith("INSERT INTO customer ") for s in recorded.statements) == 1

    taken, deleted = first_customer(desk), new["entity_id"]
    with sync_world.cloud.db.session() as session:  # a tombstone's id stays taken too
        session.execute(text("UPDATE customer SET deleted_at = updated_at WHERE salon_id = :s AND id = :i"),
                        {"s": sync_world.salon_id, "i": deleted})
        session.commit()
    before = domain_dump(sync_world)
    batch = [
        mutation(10_001, name="customer.create", entity_id=taken, args={"name": "Copycat", "phone": None}),
        mutation(10_002, name="customer.create", entity_id=deleted, args={"name": "Back again", "phone": None}),
        mutation(10_003, name="customer.create", args={"name": "Own customer", "phone": None}),
    ]
    results = push(desk.http, token_of(desk), desk.device_id, batch).json()["results"]
    assert [(r["status"], r.get("code")) for r in results] == [
        ("refused", "sync.id_taken"), ("refused", "sync.id_taken"), ("applied", None)]
    assert all(r["conflict_id"] for r in results[:2])
    after = domain_dump(sync_world)
    assert {k: v for k, v in after.items() if k != "customer"} == {k: v for k, v in before.items() if k != "customer"}
    assert len(after["customer"]) == len(before["customer"]) + 1  # only the last one
    assert not any("Copycat" in row or "Back again" in row for row in after["customer"])
