"""A restored desk's audit chain after re-link (issue #14, docs/audit-trail.md): the cloud already holds events
the desk uploaded before its disk failed, past the backup's chain head, while the restored desk wrote new
events under the same seqs. On re-link it fetches its own held events it lacks, re-chains its never-uploaded
ones after them, and uploads resume: the cloud ends holding every event from before and after the restore,
as one valid chain, and no uploaded event was changed. Real uvicorn; SQLite, and PostgreSQL when
SALON_TEST_DATABASE_URL is set."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from salon_desk.cloud.sync.audit_trail import SalonAuditEventRow
from salon_desk.cloud.sync.users import AuditAnchorRow
from salon_desk.domain.audit_chain import GENESIS, chain_fields, event_hash
from salon_desk.secrets import SERVICE
from salon_desk.store.audit import AuditLog
from salon_desk.sync.session import SyncSession
from tests.conftest import DEMO_NOW
from tests.sync.conftest import (  # noqa: F401 - fixtures reused from the sync suite
    Desk,
    SyncWorld,
    cloud_backend,
    cloud_database_url,
    cloud_server,
    free_booking,
    start_cloud_server,
    sync_world,
)
from tests.sync.test_device_rebind import MemorySecrets, backup, open_desk


def local_events(desk: Desk) -> list[tuple[int, str, str]]:
    return [tuple(r) for r in desk.rows("SELECT seq, id, hash FROM audit_event ORDER BY seq")]


def cloud_chain(world: SyncWorld, device_id: str) -> list[SalonAuditEventRow]:
    with world.cloud.db.reader() as session:
        return list(session.scalars(
            select(SalonAuditEventRow)
            .where(SalonAuditEventRow.salon_id == world.salon_id, SalonAuditEventRow.device_id == device_id)
            .order_by(SalonAuditEventRow.seq)
        ))  # fmt: skip


def assert_valid_chain(events: list[SalonAuditEventRow]) -> None:
    prev = GENESIS
    for offset, e in enumerate(events, start=1):
        assert e.seq == offset and e.prev_hash == prev, e.seq
        fields = chain_fields(str(e.id), str(e.salon_id), e.actor_id, e.recorded_device_id, e.action, e.entity,
                              e.entity_id, e.before, e.after, e.at_text)
        assert event_hash(prev, fields) == e.hash, e.seq
        prev = e.hash


def test_a_restored_desk_relinked_uploads_its_audit_again_and_the_cloud_keeps_every_event(
    sync_world: SyncWorld,  # noqa: F811
) -> None:
    world, cloud = sync_world, sync_world.cloud
    answer = cloud.enrol(cloud.issue_code(world.salon_id, "receptionist"), device_name="Front desk").json()
    device_id, token = answer["device_id"], answer["token"]
    live = world.folder / "front.db"
    live.write_bytes(world.template.read_bytes())
    desk = open_desk(world, live, device_id, token, "Front desk")
    assert desk.sync.sync_once().ok
    desk.service.bookings.create(free_booking(desk, day_offset=2))
    assert desk.sync.sync_once().applied == 1
    backup(live, world.folder / "backup.db")  # last night's backup: its chain head is uploaded already
    desk.service.bookings.create(free_booking(desk, day_offset=3))
    desk.service.bookings.create(free_booking(desk, day_offset=4))
    assert desk.sync.sync_once().applied == 2
    before_failure = local_events(desk)
    uploaded = cloud_chain(world, device_id)
    assert [(e.seq, str(e.id), e.hash) for e in uploaded] == before_failure  # all uploaded, then the disk fails
    desk.close()
    world.desks.remove(desk)

    restored = open_desk(world, world.folder / "backup.db", device_id, token, "Front desk")
    restored.service.bookings.create(free_booking(restored, day_offset=5))
    after_restore = [e for e in local_events(restored) if e[1] not in {i for _s, i, _h in before_failure}]
    assert after_restore and after_restore[0][0] <= before_failure[-1][0]  # the same seqs, other events
    assert restored.sync.sync_once().blocked_code == "device_rewound"

    manager = cloud.enrolled_desk("manager", salon_id=world.salon_id)[1]
    with cloud.client(headers={"Authorization": f"Bearer {manager}"}) as http:
        approval = http.post(
            "/v1/devices/enrolment-codes", json={"role": "receptionist", "rebind_device_id": device_id}
        ).json()["code"]
    secrets = MemorySecrets()
    session = SyncSession(restored.path, cloud.base_url, device_id, token)
    try:
        session.rebind(approval, secrets)
        assert secrets.get(SERVICE, device_id)
        report = session.sync_once()
        assert report.ok, report
        restored.service.bookings.create(free_booking(restored, day_offset=6))  # and it goes on
        assert session.sync_once().ok
    finally:
        session.close()

    assert restored.scalar("SELECT value FROM sync_state WHERE key = 'audit_refused'") == ""
    held = cloud_chain(world, device_id)
    assert_valid_chain(held)
    for seq, event_id, digest in before_failure:  # nothing uploaded was changed
        assert (held[seq - 1].id, held[seq - 1].hash) == (event_id, digest)
    held_ids = [str(e.id) for e in held]
    assert {i for _s, i, _h in after_restore} <= set(held_ids)  # the restored desk's events, re-chained
    assert len(held_ids) == len(set(held_ids)) == len(before_failure) + len(after_restore) + 1  # + the last booking
    # The desk holds the same chain, intact; the cloud's anchors agree with what it holds.
    assert local_events(restored) == [(e.seq, str(e.id), e.hash) for e in held]
    with sessionmaker(restored.engine)() as local:
        assert AuditLog(local, lambda: DEMO_NOW, device_id).verify_chain() is None
    with cloud.db.reader() as reader:
        anchors = reader.execute(select(AuditAnchorRow.seq, AuditAnchorRow.hash).where(
            AuditAnchorRow.salon_id == world.salon_id, AuditAnchorRow.device_id == device_id)).all()  # fmt: skip
    assert anchors and all(held[seq - 1].hash == h for seq, h in anchors)
