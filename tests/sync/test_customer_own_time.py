"""The cloud re-runs the desk's own rule (issue #9): one customer's items never overlap, except services that
can run alongside (a manicure beside a pedicure). The flag travels on the wire with the service row.

A desk refuses such a visit itself, so these pushes are written by hand, as an older or faulty desk would
send them, with the desk's own payload builder."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from salon_desk.cloud.sync.tables import REPLICATED_TABLES
from salon_desk.domain.booking import BookingSource, BookingStatus
from salon_desk.domain.model import Booking, BookingItem
from salon_desk.sync.protocol import Mutation, MutationActor, PushRequest
from salon_desk.usecases import payloads
from salon_desk.usecases.commands import CreateBooking, ItemMove, ItemRequest, RescheduleBooking
from tests.conftest import DEMO_NOW

from .conftest import ACTOR_ID, Desk, SyncWorld, first_customer

RIYADH = ZoneInfo("Asia/Riyadh")
DAY = 26  # the day after DEMO_NOW: Noura is free from 12:40, Reem from 13:05, Dana 16:20-17:15, Haifa from 16:35


def _ids(desk: Desk) -> tuple[dict[str, object], dict[str, str]]:
    services = {s.name_en: s for s in desk.service.reference.services()}
    staff = {s.name_en: s.id for s in desk.service.reference.staff()}
    return services, staff


def _item(service: object, staff_id: str, start: datetime, booking_id: str) -> BookingItem:
    end = start + timedelta(minutes=service.duration_minutes)
    return BookingItem(str(uuid.uuid4()), booking_id, service.id, staff_id, start, end,
                       end + timedelta(minutes=service.buffer_minutes), service.price_halalas, service.phases)


def _create(desk: Desk, seq: int, *parts: tuple[object, str, datetime]) -> Mutation:
    booking_id = str(uuid.uuid4())
    items = tuple(_item(service, staff, start, booking_id) for service, staff, start in parts)
    booking = Booking(booking_id, first_customer(desk), BookingStatus.REQUESTED, BookingSource.DESK, "", items,
                      DEMO_NOW, DEMO_NOW)
    return Mutation(mutation_id=str(uuid.uuid4()), device_seq=seq, name="booking.create", entity="booking",
                    entity_id=booking_id, hlc="1:0", actor=MutationActor(desk_user_id=ACTOR_ID),
                    args=payloads.booking_create(booking, None))


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, DAY, hour, minute, tzinfo=RIYADH)


def test_the_cloud_refuses_one_customer_in_two_chairs_and_accepts_services_side_by_side(
    sync_world: SyncWorld,
) -> None:
    desk = sync_world.desk("Desk 1")
    services, staff = _ids(desk)
    overlapping = _create(desk, 1, (services["Haircut"], staff["Noura"], _at(12, 40)),
                          (services["Blow-dry"], staff["Reem"], _at(13, 10)))
    alongside = _create(desk, 2, (services["Manicure"], staff["Dana"], _at(16, 20)),
                        (services["Pedicure"], staff["Haifa"], _at(16, 35)))
    answer = desk.sync._api.push(PushRequest(device_id=desk.device_id, mutations=[overlapping, alongside]))  # noqa: SLF001

    refused, applied = answer.results
    assert (refused.status, refused.code) == ("refused", "booking.customer_overlap")
    assert refused.params["service"] == "Haircut" and refused.params["other"] == "Blow-dry"
    assert applied.status == "applied", applied
    with sync_world.cloud.db.reader() as session:
        booking = REPLICATED_TABLES["booking"]
        found = dict(session.execute(select(booking.c.id, booking.c.status)).all())
    assert overlapping.entity_id not in found
    assert found[alongside.entity_id] == "requested"


def test_the_alongside_flag_travels_with_the_service_row(sync_world: SyncWorld) -> None:
    desk = sync_world.desk("Desk 1")
    page = desk.sync._api.pull("", limit=1000)  # noqa: SLF001
    flags = {c.row["name_en"]: c.row.get("can_run_alongside") for c in page.changes if c.entity == "service"}
    assert flags["Manicure"] is True and flags["Pedicure"] is True
    assert flags["Haircut"] is False


def test_the_cloud_refuses_a_move_that_puts_the_customer_in_two_chairs(sync_world: SyncWorld) -> None:
    desk = sync_world.desk("Desk 1")
    services, staff = _ids(desk)
    created = desk.service.bookings.create(CreateBooking(
        (ItemRequest(services["Haircut"].id, staff["Noura"], _at(12, 40)),
         ItemRequest(services["Blow-dry"].id, staff["Reem"], _at(13, 25))), first_customer(desk)))
    desk.sync.sync_once()
    booking = desk.service.bookings.get(created.id)
    blow = next(i for i in booking.items if i.service_id == services["Blow-dry"].id)
    moved = _item(services["Blow-dry"], staff["Reem"], _at(13, 10), booking.id)
    args = payloads.booking_reschedule([BookingItem(blow.id, booking.id, blow.service_id, blow.staff_id,
                                                     moved.start_at, moved.end_at, moved.busy_until,
                                                     blow.price_halalas)])
    seq = desk.scalar("SELECT max(device_seq) FROM outbox") + 1
    move = Mutation(mutation_id=str(uuid.uuid4()), device_seq=seq, name="booking.reschedule", entity="booking",
                    entity_id=booking.id, hlc="2:0", actor=MutationActor(desk_user_id=ACTOR_ID), args=args,
                    base_seq=desk.scalar("SELECT server_seq FROM booking WHERE id = :id", id=booking.id))
    [result] = desk.sync._api.push(PushRequest(device_id=desk.device_id, mutations=[move])).results  # noqa: SLF001
    assert (result.status, result.code) == ("refused", "booking.customer_overlap")
    # The desk refuses the same move with the same rule before it is ever sent.
    try:
        desk.service.bookings.check_move(RescheduleBooking(booking.id, (ItemMove(blow.id, staff["Reem"], _at(13, 10)),)))
    except Exception as error:  # noqa: BLE001
        assert getattr(error, "code", None) == "booking.customer_overlap"
    else:
        raise AssertionError("the desk accepted a move the cloud refuses")
