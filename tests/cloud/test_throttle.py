"""The sliding-window rule behind every Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from salon_desk.cloud.throttle import Limit, wait_seconds

T0 = datetime(2025, 3, 1, 7, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_under_the_limit_nothing_waits():
    assert wait_seconds([at(0), at(-10)], Limit(3, 60), at(1)) == 0


def test_the_wait_ends_when_the_oldest_counted_event_leaves_the_window():
    recent = [at(50), at(20), at(0)]  # newest first
    assert wait_seconds(recent, Limit(3, 60), at(55)) == 5
    assert wait_seconds(recent, Limit(2, 60), at(55)) == 25  # the 2nd newest (t=20) frees the slot


def test_partial_seconds_round_up_so_retrying_after_the_wait_always_passes():
    assert wait_seconds([at(0)], Limit(1, 60), at(59.2)) == 1
    assert wait_seconds([at(0)], Limit(1, 60), at(60)) == 0


def test_a_limit_allows_at_least_one_event():
    with pytest.raises(ValueError):
        wait_seconds([], Limit(0, 60), T0)
