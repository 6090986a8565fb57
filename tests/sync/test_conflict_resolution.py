"""Conflicts reach a person end to end: two offline desks book one stylist, both see the card with fixes,
one desk resolves it, and after syncing the card is resolved everywhere and the booking active."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from salon_desk.domain.errors import Conflict
from salon_desk.domain.ids import new_id
from salon_desk.domain.model import Actor
from salon_desk.sync.api import SyncApi
from salon_desk.sync.protocol import Mutation, MutationActor, PushRequest
from salon_desk.usecases.commands import CreateBooking, ItemRequest
from salon_desk.usecases.conflicts import ResolveConflict

from .conftest import ACTOR_ID, Desk, SyncWorld, free_booking


def _race(world: SyncWorld) -> tuple[Desk, Desk, str, str]:
    desk1, desk2 = world.desk("Desk 1"), world.desk("Desk 2")
    cmd = free_booking(desk1)
    first = desk1.service.bookings.create(cmd).id
    second = desk2.service.bookings.create(cmd).id  # same stylist and time, offline on the other desk
    assert desk1.sync.sync_once().ok and desk2.sync.sync_once().conflicts == 1
    assert desk1.sync.sync_once().ok
    return desk1, desk2, first, second


def test_a_quarantined_booking_is_a_card_on_both_desks_and_one_resolution_closes_it_everywhere(
    sync_world: SyncWorld,
) -> None:
    desk1, desk2, first, second = _race(sync_world)
    for desk in (desk1, desk2):
        cards = desk.service.conflicts.open()
        assert [(c.kind, c.booking_id) for c in cards] == [("overlap", second)]
        card = cards[0]
        assert card.attempted_here is (desk is desk2)
        assert card.attempted_by_device == "Desk 2"
        assert card.existing is not None and card.existing.booking_id == first
        assert card.booking_status == "needs_attention" and card.customer_name
        kinds = [f.kind for f in desk.service.conflicts.fixes(card.id)]
        assert kinds[0] == "same_staff_slot" and {"waitlist", "cancel"} <= set(kinds)

    card = desk1.service.conflicts.open()[0]
    slot = next(f for f in desk1.service.conflicts.fixes(card.id) if f.kind == "same_staff_slot")
    desk1.service.conflicts.resolve(ResolveConflict(card.id, slot))
    assert desk1.service.conflicts.open() == []  # resolved locally, pending until the server confirms
    assert desk1.sync.status().open_conflicts == 0
    assert desk1.sync.sync_once().applied == 2  # booking.reschedule + conflict.resolve
    assert desk2.sync.sync_once().ok

    staff_id = slot.moves[0][1]
    for desk in (desk1, desk2):
        assert desk.service.conflicts.open() == []
        rows = desk.rows("SELECT resolved_at IS NOT NULL, resolution, sync_status FROM sync_conflict")
        assert rows == [(1, "rescheduled", "synced")]
        booking = desk.service.bookings.get(second)
        assert booking.status.value == "requested"
        assert (booking.items[0].staff_id, booking.start_at) == (staff_id, slot.start_at)
        assert (
            desk.scalar("SELECT count(*) FROM booking_item WHERE booking_id = :b AND active", b=second) == 1
        )
    with sync_world.cloud.db.reader() as session:
        resolution = session.execute(text("SELECT resolution, resolved_by FROM sync_conflict")).one()
    assert resolution[0] == "rescheduled" and resolution[1]


def test_a_fix_someone_else_took_meanwhile_is_refused_and_changes_nothing(sync_world: SyncWorld) -> None:
    desk1, desk2, _, second = _race(sync_world)
    card = desk2.service.conflicts.open()[0]
    slot = next(f for f in desk2.service.conflicts.fixes(card.id) if f.kind == "same_staff_slot")
    # Desk 1 books that very slot (another customer) and syncs; desk 2 pulls it.
    booking = desk1.service.bookings.get(second)
    item = booking.items[0]
    other_customer = desk1.scalar(
        "SELECT id FROM customer WHERE id != :c AND deleted_at IS NULL ORDER BY id LIMIT 1",
        c=booking.customer_id,
    )
    desk1.service.bookings.create(
        CreateBooking(
            (ItemRequest(item.service_id, slot.moves[0][1], slot.start_at),), customer_id=other_customer
        )
    )
    assert desk1.sync.sync_once().applied == 1 and desk2.sync.sync_once().ok

    before = _snapshot(desk2)
    with pytest.raises(Conflict) as refused:
        desk2.service.conflicts.resolve(ResolveConflict(card.id, slot))
    assert refused.value.code == "conflict.fix_unavailable"
    assert _snapshot(desk2) == before
    assert [c.id for c in desk2.service.conflicts.open()] == [card.id]


def test_the_server_refuses_to_resolve_a_card_it_does_not_have(sync_world: SyncWorld) -> None:
    desk = sync_world.desk("Desk 1")
    with desk.service._seat.uow_factory() as uow:  # a card for a conflict the server never created
        actor: Actor = desk.service.actor
        uow.outbox.append(
            "conflict.resolve",
            "sync_conflict",
            "00000000-0000-7000-8000-00000000dead",
            {"conflict_id": "00000000-0000-7000-8000-00000000dead", "resolution": "kept"},
            actor,
        )
        uow.commit()
    report = desk.sync.sync_once()
    assert report.refused == 1
    assert desk.scalar("SELECT last_error FROM outbox WHERE name = 'conflict.resolve'") == "sync.gone"


def _snapshot(desk: Desk) -> list[object]:
    tables = (
        "booking",
        "booking_item",
        "sync_conflict",
        "outbox",
        "audit_event",
        "waitlist_entry",
        "walk_in",
    )
    return [desk.rows(f"SELECT * FROM {t} ORDER BY 1") for t in tables]  # noqa: S608 - fixed names


def test_another_salon_cannot_resolve_this_salons_card(sync_world: SyncWorld) -> None:
    desk1, _desk2, _first, _second = _race(sync_world)
    conflict_id = desk1.service.conflicts.open()[0].id
    other_salon = sync_world.cloud.create_salon()
    answer = sync_world.cloud.enrol(
        sync_world.cloud.issue_code(other_salon, "receptionist"), device_name="Elsewhere"
    )
    device_id, token = answer.json()["device_id"], answer.json()["token"]
    mutation = Mutation(
        mutation_id=new_id(),
        device_seq=1,
        name="conflict.resolve",
        entity="sync_conflict",
        entity_id=conflict_id,
        hlc="1:0",
        actor=MutationActor(desk_user_id=ACTOR_ID),
        args={"conflict_id": conflict_id, "resolution": "kept"},
    )
    with httpx.Client(base_url=sync_world.cloud.base_url, timeout=15) as http:
        response = SyncApi(sync_world.cloud.base_url, token, client=http).push(
            PushRequest(device_id=device_id, schema_version=1, mutations=[mutation])
        )

    assert [(r.status, r.code) for r in response.results] == [("refused", "sync.gone")]
    with sync_world.cloud.db.reader() as session:
        resolved = session.execute(
            text("SELECT resolved_at FROM sync_conflict WHERE id = :c"), {"c": conflict_id}
        ).scalar_one()
    assert resolved is None


def test_a_fix_the_server_refuses_leaves_the_card_open_on_the_desk(sync_world: SyncWorld) -> None:
    desk1, desk2, _, second = _race(sync_world)
    card = desk1.service.conflicts.open()[0]
    slot = next(f for f in desk1.service.conflicts.fixes(card.id) if f.kind == "same_staff_slot")
    item = desk2.service.bookings.get(second).items[0]
    other_customer = desk2.scalar("SELECT id FROM customer WHERE deleted_at IS NULL ORDER BY id DESC LIMIT 1")
    desk2.service.bookings.create(  # desk 2 takes the slot and syncs before desk 1 does
        CreateBooking(
            (ItemRequest(item.service_id, slot.moves[0][1], slot.start_at),), customer_id=other_customer
        )
    )
    assert desk2.sync.sync_once().applied == 1
    desk1.service.conflicts.resolve(ResolveConflict(card.id, slot))
    assert desk1.service.conflicts.open() == []

    report = desk1.sync.sync_once()

    assert (report.refused, report.applied) == (
        1,
        1,
    )  # the move is refused; the resolution keeps the card open
    open_cards = {c.id: c.kind for c in desk1.service.conflicts.open()}
    assert open_cards[card.id] == "overlap" and "move_refused" in open_cards.values()
    assert desk1.service.bookings.get(second).status.value == "needs_attention"
    assert desk1.scalar("SELECT resolved_at FROM sync_conflict WHERE id = :c", c=card.id) is None
