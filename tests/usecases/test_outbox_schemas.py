"""The desk checks each mutation against the shared schema (salon_desk/sync/schemas.py) before it enters the
outbox: a mutation the cloud would refuse is never queued; the use case fails with a typed, translated error
and nothing at all is written."""

from __future__ import annotations

import sqlite3

import pytest

from salon_desk.domain.errors import ValidationError
from salon_desk.l10n import get_localizer
from salon_desk.sync import schemas
from salon_desk.usecases.commands import AddCustomer, UpdateBookingNotes, UpdateCustomer
from tests.helpers import snapshot


def _first(demo_db, table: str) -> str:
    with sqlite3.connect(demo_db) as db:
        return db.execute(f"SELECT id FROM {table} WHERE deleted_at IS NULL ORDER BY id LIMIT 1").fetchone()[0]


def test_text_the_cloud_cannot_store_is_refused_before_anything_is_written(desk_service, demo_db) -> None:
    customer_id, booking_id = _first(demo_db, "customer"), _first(demo_db, "booking")
    before = snapshot(demo_db)
    for text in ("a\x00b", "x\ud800"):  # SQLite stores a NUL; PostgreSQL text and jsonb cannot; nothing stores \ud800
        attempts = [
            lambda t=text: desk_service.customers.update(UpdateCustomer(customer_id, {"notes": t})),
            lambda t=text: desk_service.bookings.update_notes(UpdateBookingNotes(booking_id, t)),
            lambda t=text: desk_service.customers.add(AddCustomer("Noura " + t, "0501234999")),
        ]
        for attempt in attempts:
            with pytest.raises(ValidationError) as caught:
                attempt()
            assert caught.value.code == "text.unreadable"
            arabic = get_localizer("ar").error(caught.value)
            english = get_localizer("en").error(caught.value)
            assert arabic != english and "text.unreadable" not in arabic + english
    assert snapshot(demo_db) == before


def test_the_outbox_itself_refuses_a_mutation_the_cloud_would_refuse(uow_factory, actor, demo_db) -> None:
    """The last barrier: whatever a use case builds, a payload outside the shared schema is never queued."""
    customer_id = _first(demo_db, "customer")
    before = snapshot(demo_db)
    with pytest.raises(ValidationError) as caught, uow_factory() as uow:
        uow.outbox.append("customer.patch", "customer", customer_id, {"fields": {"notes": "a\x00b"}}, actor)
        uow.commit()
    assert caught.value.code == "sync.invalid_args"
    arabic, english = get_localizer("ar").error(caught.value), get_localizer("en").error(caught.value)
    assert arabic != english and "sync.invalid_args" not in arabic + english
    assert snapshot(demo_db) == before


def test_a_valid_edit_still_enters_the_outbox_under_the_current_rules(desk_service, demo_db) -> None:
    customer_id = _first(demo_db, "customer")
    desk_service.customers.update(UpdateCustomer(customer_id, {"notes": "prefers mornings"}))
    with sqlite3.connect(demo_db) as db:
        name, v = db.execute("SELECT name, v FROM outbox ORDER BY device_seq DESC LIMIT 1").fetchone()
    assert (name, v) == ("customer.patch", schemas.CURRENT_VERSION)


def test_rules_are_looked_up_by_the_version_a_mutation_was_written_under() -> None:
    args = {"fields": {"notes": "x"}}
    assert schemas.validate_args("customer.patch", 1, args) == args
    with pytest.raises(schemas.InvalidArgs) as caught:
        schemas.validate_args("customer.patch", 99, args)  # no such rules: never guessed
    assert caught.value.code == "sync.unknown_mutation"
