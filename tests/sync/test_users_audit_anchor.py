"""Each desk's audit chain head is anchored in the cloud at every push, so a chain rewritten *and* re-hashed
on one desk (which a local walk of the chain cannot see) is caught against the anchors."""

from __future__ import annotations

from sqlalchemy import select, text

from salon_desk.store.audit import GENESIS, AuditLog, event_hash
from salon_desk.store.rows import AuditEventRow
from salon_desk.store.uow import make_uow_factory
from salon_desk.usecases.audit_view import first_unanchored, verify_chain
from salon_desk.usecases.commands import AddCustomer

from .conftest import Desk, SyncWorld


def rewrite_and_rehash(desk: Desk) -> None:
    """What a tamperer with the database file could do: change an event, then recompute every hash after it."""
    factory = make_uow_factory(desk.engine, desk.clock, device_id=desk.device_id)
    with factory() as uow:
        prev = GENESIS
        for row in uow.session.scalars(select(AuditEventRow).order_by(AuditEventRow.seq)):
            if row.seq == 1:
                row.after = {"fields": ["nothing"]}
            fields = AuditLog._fields(row.id, row.salon_id, row.actor_id, row.device_id, row.action, row.entity,
                                      row.entity_id, row.before, row.after, row.at)
            row.prev_hash, row.hash = prev, event_hash(prev, fields)
            prev = row.hash
        uow.commit()


def test_a_rewritten_and_rehashed_chain_is_caught_by_the_cloud_anchor(sync_world: SyncWorld) -> None:
    desk = sync_world.desk("Desk 1")
    desk.service.customers.add(AddCustomer("Anchor one", "0551110001"))
    assert desk.sync.sync_once().ok
    desk.service.customers.add(AddCustomer("Anchor two", "0551110002"))
    assert desk.sync.sync_once().ok
    with sync_world.cloud.db.reader() as session:
        anchored = session.execute(
            text("SELECT seq FROM audit_anchor WHERE salon_id = :s AND device_id = :d ORDER BY seq"),
            {"s": sync_world.salon_id, "d": desk.device_id},
        ).scalars().all()
    assert anchored == [1, 2]
    anchors = desk.sync._api.audit_anchors()  # what `salon-desk audit verify --cloud-anchors` reads
    factory = make_uow_factory(desk.engine, desk.clock, device_id=desk.device_id)
    assert first_unanchored(factory(), anchors) is None

    rewrite_and_rehash(desk)
    assert verify_chain(factory()) is None  # the local walk alone is fooled
    assert first_unanchored(factory(), desk.sync._api.audit_anchors()) == 1
