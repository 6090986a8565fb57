"""Offline desks racing for the same stylist, refused transitions and per-field last-writer-wins."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from salon_desk.usecases.commands import TransitionBooking, UpdateCustomer
from tests.conftest import DEMO_NOW

from .conftest import SyncWorld, first_customer, free_booking


def cloud_overlaps(world: SyncWorld) -> int:
    with world.cloud.db.reader() as session:
        return session.execute(
            text(
                "SELECT count(*) FROM booking_item a JOIN booking_item b ON a.salon_id = b.salon_id "
                "AND a.staff_id = b.staff_id AND a.id < b.id AND a.start_at < b.busy_until AND b.start_at < a.busy_until "
                "WHERE a.active AND b.active AND a.deleted_at IS NULL AND b.deleted_at IS NULL"
            )
        ).scalar_one()


def test_two_offline_desks_booking_one_stylist_end_with_one_active_and_a_conflict_everywhere(
    sync_world: SyncWorld,
) -> None:
    desk1, desk2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    cmd = free_booking(desk1)
    first = desk1.service.bookings.create(cmd).id
    second = desk2.service.bookings.create(cmd).id  # the same stylist and time, offline on the other desk

    assert desk1.sync.sync_once().applied == 1
    report2 = desk2.sync.sync_once()
    assert (report2.conflicts, report2.applied) == (1, 0)
    assert desk1.sync.sync_once().ok

    for desk in (desk1, desk2):
        statuses = dict(desk.rows("SELECT id, status FROM booking WHERE id IN (:a, :b)", a=first, b=second))
        assert statuses[second] == "needs_attention"
        assert statuses[first] in {"requested", "confirmed"}
        assert (
            desk.scalar("SELECT count(*) FROM booking_item WHERE booking_id = :b AND active", b=second) == 0
        )
        conflict = desk.rows("SELECT kind, entity_id, device_id, resolved_at FROM sync_conflict")
        assert conflict == [("overlap", second, desk2.device_id, None)]
        assert desk.sync.status().open_conflicts == 1
        assert desk.sync.status().pending == 0
    assert cloud_overlaps(sync_world) == 0


def test_a_refused_transition_is_undone_on_the_desk_and_recorded(sync_world: SyncWorld) -> None:
    desk1, desk2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    assert desk1.sync.sync_once().ok and desk2.sync.sync_once().ok
    booking_id = desk1.scalar(
        "SELECT id FROM booking WHERE status = 'confirmed' AND starts_at > :now LIMIT 1",
        now=DEMO_NOW.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    )
    desk1.service.bookings.transition(TransitionBooking(booking_id, "cancelled", "customer called"))
    desk2.service.bookings.transition(TransitionBooking(booking_id, "checked_in"))  # offline, unaware
    assert desk1.sync.sync_once().applied == 1

    report = desk2.sync.sync_once()

    assert report.refused == 1
    assert desk2.scalar("SELECT status FROM booking WHERE id = :b", b=booking_id) == "cancelled"
    assert desk2.rows("SELECT kind, entity_id FROM sync_conflict") == [("transition_refused", booking_id)]
    assert desk2.scalar("SELECT result_status FROM outbox WHERE entity_id = :b", b=booking_id) == "refused"


def test_concurrent_patches_keep_the_later_clock_and_record_the_loser(sync_world: SyncWorld) -> None:
    desk1, desk2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    assert desk1.sync.sync_once().ok and desk2.sync.sync_once().ok
    customer = first_customer(desk1)
    desk1.clock.now = DEMO_NOW + timedelta(minutes=1)
    desk2.clock.now = DEMO_NOW + timedelta(minutes=2)
    desk1.service.customers.update(
        UpdateCustomer(customer, {"notes": "older note", "consent_marketing": True})
    )
    desk2.service.customers.update(UpdateCustomer(customer, {"notes": "newer note"}))

    assert desk2.sync.sync_once().applied == 1
    assert desk1.sync.sync_once().applied == 1  # applied: consent kept; notes lost the race
    assert desk2.sync.sync_once().ok

    for desk in (desk1, desk2):
        notes, marketing = desk.rows(
            "SELECT notes, consent_marketing FROM customer WHERE id = :c", c=customer
        )[0]
        assert (notes, bool(marketing)) == ("newer note", True)
        lost = desk.rows("SELECT field, lost_value, won_value, lost_by_device FROM superseded_edit")
        assert lost == [("notes", '"older note"', '"newer note"', desk1.device_id)]


def test_a_later_patch_from_a_desk_that_saw_the_first_wins_whatever_the_clocks(sync_world: SyncWorld) -> None:
    desk1, desk2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    customer = first_customer(desk1)
    desk1.clock.now = DEMO_NOW + timedelta(minutes=3)  # desk 1's clock runs ahead
    desk1.service.customers.update(UpdateCustomer(customer, {"notes": "first"}))
    assert desk1.sync.sync_once().ok
    assert desk2.sync.sync_once().ok  # desk 2 sees "first" ...
    desk2.service.customers.update(UpdateCustomer(customer, {"notes": "second"}))  # ... then edits it
    assert desk2.sync.sync_once().ok and desk1.sync.sync_once().ok

    for desk in (desk1, desk2):
        assert desk.scalar("SELECT notes FROM customer WHERE id = :c", c=customer) == "second"
        assert desk.scalar("SELECT count(*) FROM superseded_edit") == 0
