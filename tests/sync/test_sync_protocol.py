"""The wire field list matches both databases, and the small pieces behave (cursor, backoff, classification)."""

from __future__ import annotations

import httpx
import pytest

from salon_desk.cloud.sync.tables import REPLICATED_TABLES
from salon_desk.store.rows import REPLICATED
from salon_desk.sync.api import classify
from salon_desk.sync.engine import Backoff
from salon_desk.sync.protocol import ENTITY_FIELDS, fields_of, format_cursor, parse_cursor

DESK_LOCAL = {"server_seq", "sync_status", "search_name"}


@pytest.mark.parametrize("entity", list(ENTITY_FIELDS))
def test_wire_fields_are_exactly_the_desk_and_cloud_columns(entity: str) -> None:
    desk = {c.name for c in REPLICATED[entity].__table__.columns} - DESK_LOCAL
    cloud = {c.name for c in REPLICATED_TABLES[entity].columns} - {"server_seq", "field_meta"}
    assert set(fields_of(entity)) == desk == cloud


def test_cursor_round_trip_and_rejects_garbage() -> None:
    assert parse_cursor(format_cursor("e1a2b3", 42)) == ("e1a2b3", 42)
    for bad in ("", "42", "e1.", ".5", "e1.x"):
        with pytest.raises(ValueError):
            parse_cursor(bad)


def test_backoff_doubles_with_jitter_up_to_the_cap_and_honours_retry_after() -> None:
    backoff = Backoff(rng=lambda: 1.0)  # the top of the ±20 % band
    delays = [backoff.next_delay() for _ in range(12)]
    assert delays[:3] == pytest.approx([1.2, 2.4, 4.8])
    assert max(delays) == pytest.approx(360.0)
    assert Backoff(rng=lambda: 0.5).next_delay(retry_after=30) == 30
    backoff.reset()
    assert backoff.next_delay() == pytest.approx(1.2)


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (401, "device_revoked", "auth"),
        (426, "update_required", "update_required"),
        (409, "epoch_changed", "epoch_changed"),
        (409, "device_rewound", "device_rewound"),
        (410, "resync_required", "resync_required"),
        (503, "unavailable", "transient"),
        (429, "rate_limited", "transient"),
        (422, "invalid_request", "rejected"),
    ],
)
def test_http_answers_are_classified(status: int, code: str, kind: str) -> None:
    response = httpx.Response(status, json={"code": code, "params": {}}, headers={"Retry-After": "7"})
    error = classify(response)
    assert (error.kind, error.code, error.retry_after) == (kind, code, 7.0)
    assert error.transient is (kind == "transient")
