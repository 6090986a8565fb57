"""The salon-wide audit trail (issue #10) through the real cloud, on SQLite and PostgreSQL: each desk uploads
its own hash-chained events after its push, the cloud re-links them to what it holds and what the desk
anchored, and the other desks pull them onto their audit page. Forged uploads are refused with a code and
change nothing; re-sending is a no-op."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from salon_desk.cloud.sync.audit_trail import SalonAuditEventRow
from salon_desk.domain.audit_chain import GENESIS, chain_fields, event_hash
from salon_desk.domain.booking import Role
from salon_desk.domain.model import Actor
from salon_desk.store.repo_salon_audit import SalonAuditRepository
from salon_desk.store.uow import make_uow_factory
from salon_desk.sync.api import SyncApi
from salon_desk.sync.audit_trail import REFUSED, UPLOADED, AuditTrailSync
from salon_desk.sync.engine import SyncEngine, SyncReport
from salon_desk.sync.protocol import AuditEventWire, AuditUpload
from salon_desk.sync.state import SyncState
from salon_desk.usecases.audit_view import AuditFilter, audit_lines, to_csv
from salon_desk.usecases.commands import AddCustomer
from tests.conftest import DEMO_NOW

from .conftest import ACTOR_ID, Desk, SyncWorld
from .test_bad_input import cloud_dump, token_of
from .test_users_audit_anchor import rewrite_and_rehash


def own_events(desk: Desk) -> list[AuditEventWire]:
    with Session(desk.engine) as session:
        return SalonAuditRepository(session).own_events_after(0, 100)


def upload(desk: Desk, events: list[AuditEventWire], *, device_id: str | None = None) -> httpx.Response:
    body = AuditUpload.model_construct(device_id=device_id or desk.device_id, events=events)
    return desk.http.post("/v1/sync/audit", content=body.model_dump_json(),
                          headers={"Authorization": f"Bearer {token_of(desk)}", "Content-Type": "application/json"})


def rehashed(events: list[AuditEventWire], **changes: Any) -> list[AuditEventWire]:
    """The events with `changes` applied and every hash recomputed: a self-consistent forged chain."""
    prev, out = GENESIS, []
    for e in events:
        e = e.model_copy(update={**changes, "prev_hash": prev})
        fields = chain_fields(e.id, e.salon_id, e.actor_id, e.device_id, e.action, e.entity, e.entity_id,
                              e.before, e.after, e.at)
        e = e.model_copy(update={"hash": event_hash(prev, fields)})
        out.append(e)
        prev = e.hash
    return out


def manager_of(desk: Desk) -> Actor:
    user_id = desk.scalar("SELECT id FROM desk_user WHERE role = 'manager' ORDER BY id LIMIT 1")
    return Actor(user_id, Role.MANAGER, desk.device_id, "manager")


def lines_on(desk: Desk, flt: AuditFilter | None = None) -> list[Any]:
    factory = make_uow_factory(desk.engine, desk.clock, device_id=desk.device_id)
    return audit_lines(factory(), manager_of(desk), flt or AuditFilter())


def cloud_events(world: SyncWorld, desk: Desk) -> list[tuple[int, str]]:
    with world.cloud.db.reader() as session:
        rows = session.execute(
            text("SELECT seq, hash FROM salon_audit_event WHERE salon_id = :s AND device_id = :d ORDER BY seq"),
            {"s": world.salon_id, "d": desk.device_id},
        ).all()
    return [(int(s), str(h)) for s, h in rows]


def test_desk_a_events_appear_on_desk_b_audit_page(sync_world: SyncWorld) -> None:
    desk_a, desk_b = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    customer = desk_a.service.customers.add(AddCustomer("Audit one", "0551110101")).id
    desk_b.service.customers.add(AddCustomer("Audit two", "0551110102"))
    assert desk_a.sync.sync_once().ok
    report = desk_b.sync.sync_once()
    assert report.ok and "audit_event" in report.entities_changed

    assert cloud_events(sync_world, desk_a) == [(e.seq, e.hash) for e in own_events(desk_a)]
    lines = lines_on(desk_b)
    from_a = [line for line in lines if line.entity_id == customer]
    assert len(from_a) == 1 and from_a[0].action == "customer.create"
    assert (from_a[0].desk_name, from_a[0].desk_id, from_a[0].own) == ("Desk 1", desk_a.device_id, False)
    own = [line for line in lines if line.own]
    assert own and {line.desk_name for line in own} == {"Desk 2"}
    assert [line.at for line in lines] == sorted((line.at for line in lines), reverse=True)

    # filters by person, record and date work across both desks
    assert {line.desk_id for line in lines_on(desk_b, AuditFilter(actor_id=ACTOR_ID))} == {
        desk_a.device_id, desk_b.device_id}
    assert lines_on(desk_b, AuditFilter(actor_id=str(uuid.uuid4()))) == []
    assert {line.entity for line in lines_on(desk_b, AuditFilter(entity="customer"))} == {"customer"}
    assert lines_on(desk_b, AuditFilter(until=DEMO_NOW - timedelta(days=1))) == []
    csv_text = to_csv(lines)
    assert "Desk 1" in csv_text and "Desk 2" in csv_text
    assert "0551110101" not in csv_text  # the trail keeps customers by reference, on every desk and the cloud

    # desk A sees desk B's event; neither holds its own events twice
    assert desk_a.sync.sync_once().ok
    assert {line.desk_name for line in lines_on(desk_a)} == {"Desk 1", "Desk 2"}
    assert desk_a.scalar("SELECT count(*) FROM salon_audit_event WHERE desk_id = :d", d=desk_a.device_id) == 0

    # offline, the page still shows what the desk holds
    offline = SyncEngine(desk_b.sync_engine, SyncApi("http://127.0.0.1:9", token_of(desk_b)),
                         device_id=desk_b.device_id, clock=desk_b.clock)
    desk_b.service.customers.add(AddCustomer("Audit offline", "0551110103"))
    assert offline.sync_once().error == "offline"
    assert {line.desk_name for line in lines_on(desk_b)} == {"Desk 1", "Desk 2"}
    assert len(lines_on(desk_b)) == len(lines) + 1


def test_pull_is_paged_by_a_cursor_per_desk_and_salon_scoped(sync_world: SyncWorld) -> None:
    desk_a, desk_b = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    for n in range(3):
        desk_a.service.customers.add(AddCustomer(f"Paged {n}", f"055111020{n}"))
    assert desk_a.sync.sync_once().ok
    with sync_world.cloud.db.session() as session:  # another salon's event, which no desk here may see
        session.add(SalonAuditEventRow(
            salon_id=str(uuid.uuid4()), device_id=str(uuid.uuid4()), seq=1, id=str(uuid.uuid4()),
            recorded_device_id="local", actor_id="x", action="customer.create", entity="customer", entity_id="y",
            at=DEMO_NOW, at_text="2026-01-01T00:00:00.000000Z", prev_hash=GENESIS, hash=GENESIS,
            received_at=DEMO_NOW))
        session.commit()
    sessions = desk_b.sync._sessions  # noqa: SLF001 - the desk's own session factory
    trail = AuditTrailSync(sessions, desk_b.sync._api, desk_b.device_id, page=1)  # noqa: SLF001
    assert trail.pull() == 3
    held = desk_b.rows("SELECT desk_id, seq FROM salon_audit_event ORDER BY seq")
    assert held == [(desk_a.device_id, 1), (desk_a.device_id, 2), (desk_a.device_id, 3)]
    assert trail.pull() == 0  # caught up: nothing again


def test_idempotent_resend(sync_world: SyncWorld) -> None:
    desk = sync_world.desk("Desk 1")
    desk.service.customers.add(AddCustomer("Again one", "0551110301"))
    desk.service.customers.add(AddCustomer("Again two", "0551110302"))
    assert desk.sync.sync_once().ok
    before = cloud_dump(sync_world)
    events = own_events(desk)
    for batch in (events, events[:1], events[1:]):
        answer = upload(desk, batch)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"stored_seq": len(events)}
    assert cloud_dump(sync_world) == before
    with Session(desk.engine) as session:  # the desk forgot how far it got: it sends again, harmlessly
        SyncState(session).set(UPLOADED, "0")
        session.commit()
    assert desk.sync.sync_once().ok
    assert cloud_dump(sync_world) == before


def forged_cases(world: SyncWorld, desk_a: Desk, desk_b: Desk) -> dict[str, tuple[Any, int, str]]:
    a_events, b_events = own_events(desk_a), own_events(desk_b)
    edited = [b_events[0].model_copy(update={"after": {"fields": ["notes"]}}), *b_events[1:]]
    return {
        "another desk's chain": (lambda: upload(desk_b, a_events), 400, "audit.foreign_device"),
        "another desk's chain re-hashed": (
            lambda: upload(desk_b, rehashed(a_events)), 400, "audit.foreign_device"),
        "an edited event": (lambda: upload(desk_b, edited), 409, "audit.hash_mismatch"),
        "a broken link": (
            lambda: upload(desk_b, [b_events[0].model_copy(update={"prev_hash": "1" * 64})]), 409,
            "audit.unlinked"),
        "another salon's id in the body": (
            lambda: upload(desk_b, rehashed(b_events, salon_id=str(uuid.uuid4()))), 400, "audit.salon_mismatch"),
        "another desk's id in the body": (
            lambda: upload(desk_b, b_events, device_id=desk_a.device_id), 400, "sync.device_mismatch"),
        "a gap": (lambda: upload(desk_b, b_events[1:]), 409, "audit.gap"),
        "out of order": (lambda: upload(desk_b, list(reversed(b_events))), 400, "audit.not_contiguous"),
        "a held event changed": (
            lambda: upload(desk_a, rehashed(a_events, actor_id=str(uuid.uuid4()))), 409, "audit.chain_diverged"),
    }


@pytest.mark.parametrize("case", [
    "another desk's chain", "another desk's chain re-hashed", "an edited event", "a broken link",
    "another salon's id in the body", "another desk's id in the body", "a gap", "out of order",
    "a held event changed",
])
def test_forged_uploads_are_refused_with_a_code_and_change_nothing(sync_world: SyncWorld, case: str) -> None:
    desk_a, desk_b = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    desk_a.service.customers.add(AddCustomer("Forge one", "0551110401"))
    assert desk_a.sync.sync_once().ok
    desk_b.service.customers.add(AddCustomer("Forge two", "0551110402"))
    desk_b.service.customers.add(AddCustomer("Forge three", "0551110403"))
    before = cloud_dump(sync_world)
    send, status, code = forged_cases(sync_world, desk_a, desk_b)[case]

    answer = send()

    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code and answer.json()["detail"]
    assert cloud_dump(sync_world) == before


def test_a_rewritten_chain_disagreeing_with_its_anchor_is_refused_and_never_blocks_sync(
    sync_world: SyncWorld,
) -> None:
    desk = sync_world.desk("Desk 1")
    desk.service.customers.add(AddCustomer("Anchored one", "0551110501"))
    desk.service.customers.add(AddCustomer("Anchored two", "0551110502"))
    assert desk.sync.push_batch(SyncReport()) is False  # pushed and anchored (head = 2), audit not uploaded yet
    rewrite_and_rehash(desk)  # a tamperer re-hashes the whole chain: locally consistent again
    before = cloud_dump(sync_world)

    answer = upload(desk, own_events(desk))

    assert (answer.status_code, answer.json()["code"]) == (409, "audit.anchor_mismatch")
    assert cloud_dump(sync_world) == before
    report = desk.sync.sync_once()  # the engine meets the same refusal: kept, visible, never blocking
    assert report.ok
    with Session(desk.engine) as session:
        assert SyncState(session).get(REFUSED) == "audit.anchor_mismatch"
    assert cloud_events(sync_world, desk) == []
