"""The deposit policy rule (issue #12): every policy × every event × before/after the cutoff, in halalas."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from salon_desk.domain.deposit_policy import (
    CANCEL_CHOICES,
    RESCHEDULE_CHOICES,
    DepositAction,
    DepositEvent,
    DepositPolicy,
    deposit_outcome,
)
from salon_desk.domain.errors import ValidationError

START = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)  # 10:00 Riyadh
CUTOFF = 24 * 60
BEFORE = START - timedelta(minutes=CUTOFF, seconds=1)  # the last second a cancellation is on time
AT_DEADLINE = START - timedelta(minutes=CUTOFF)  # from here on it is late (the page's cutoff rule)
POLICIES = [
    DepositPolicy(CUTOFF, on_cancel, on_late, on_no_show, on_reschedule)
    for on_cancel, on_late, on_no_show in itertools.product(sorted(CANCEL_CHOICES), repeat=3)
    for on_reschedule in sorted(RESCHEDULE_CHOICES)
]


def expected_rule(event: DepositEvent, late: bool) -> str:
    if event is DepositEvent.SALON_CANCEL:
        return "salon_cancel"
    if event is DepositEvent.NO_SHOW:
        return "on_no_show"
    if event is DepositEvent.RESCHEDULE:
        return "on_reschedule"
    return "on_late_cancel" if late else "on_cancel"


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: "-".join(
    (p.on_cancel, p.on_late_cancel, p.on_no_show, p.on_reschedule)))
@pytest.mark.parametrize("event", list(DepositEvent))
@pytest.mark.parametrize(("at", "late"), [(BEFORE, False), (AT_DEADLINE, True), (START + timedelta(hours=1), True)])
def test_every_policy_event_and_side_of_the_cutoff(
    policy: DepositPolicy, event: DepositEvent, at: datetime, late: bool
) -> None:
    outcome = deposit_outcome(policy, START, event, at, 5_000, 1_250)
    rule = expected_rule(event, late)
    wanted = DepositAction.REFUND if rule == "salon_cancel" else getattr(policy, rule)
    assert (outcome.rule, outcome.late, outcome.action) == (rule, late, wanted)
    assert outcome.refund_halalas == (3_750 if wanted is DepositAction.REFUND else 0)
    assert isinstance(outcome.refund_halalas, int)


def test_the_default_is_the_policy_the_booking_page_states() -> None:
    policy = DepositPolicy(CUTOFF)
    on_time = deposit_outcome(policy, START, DepositEvent.CUSTOMER_CANCEL, BEFORE, 5_000, 0)
    assert (on_time.action, on_time.refund_halalas) == (DepositAction.REFUND, 5_000)
    for event, at in [(DepositEvent.DESK_CANCEL, AT_DEADLINE), (DepositEvent.NO_SHOW, START),
                      (DepositEvent.NO_SHOW, BEFORE)]:
        assert deposit_outcome(policy, START, event, at, 5_000, 0).action is DepositAction.KEEP
    moved = deposit_outcome(policy, START, DepositEvent.RESCHEDULE, AT_DEADLINE, 5_000, 0)
    assert moved.action is DepositAction.CARRY_OVER


def test_no_cutoff_means_every_cancellation_before_the_start_is_on_time() -> None:
    policy = DepositPolicy(0)
    assert deposit_outcome(policy, START, DepositEvent.DESK_CANCEL, START - timedelta(seconds=1), 100, 0).action \
        is DepositAction.REFUND
    assert deposit_outcome(policy, START, DepositEvent.DESK_CANCEL, START, 100, 0).action is DepositAction.KEEP


@pytest.mark.parametrize("event", list(DepositEvent))
@pytest.mark.parametrize(("paid", "refunded"), [(0, 0), (5_000, 5_000), (5_000, 6_000)])
def test_nothing_left_means_nothing_moves(event: DepositEvent, paid: int, refunded: int) -> None:
    outcome = deposit_outcome(DepositPolicy(CUTOFF), START, event, BEFORE, paid, refunded)
    assert (outcome.action, outcome.refund_halalas) == (DepositAction.NOTHING, 0)


def test_a_refund_takes_only_what_is_left() -> None:
    outcome = deposit_outcome(DepositPolicy(CUTOFF), START, DepositEvent.CUSTOMER_CANCEL, BEFORE, 5_001, 2_000)
    assert outcome.refund_halalas == 3_001


@pytest.mark.parametrize("fields", [
    {"cutoff_minutes": -1}, {"cutoff_minutes": 1.5}, {"on_cancel": DepositAction.CARRY_OVER},
    {"on_no_show": DepositAction.NOTHING}, {"on_reschedule": DepositAction.KEEP},
])
def test_a_policy_that_makes_no_sense_is_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        DepositPolicy(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("paid", "refunded"), [(-1, 0), (100, -1), (100.0, 0), (True, 0)])
def test_amounts_are_whole_non_negative_halalas(paid: object, refunded: object) -> None:
    with pytest.raises(ValidationError):
        deposit_outcome(DepositPolicy(), START, DepositEvent.NO_SHOW, BEFORE, paid, refunded)  # type: ignore[arg-type]


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="tz-aware"):
        deposit_outcome(DepositPolicy(), START.replace(tzinfo=None), DepositEvent.NO_SHOW, BEFORE, 100, 0)


@pytest.mark.parametrize("at", [BEFORE, AT_DEADLINE, START])
def test_a_cancellation_by_the_salon_refunds_what_is_left_whatever_the_policy(at: datetime) -> None:
    keeps_everything = DepositPolicy(CUTOFF, on_cancel=DepositAction.KEEP, on_late_cancel=DepositAction.KEEP)
    outcome = deposit_outcome(keeps_everything, START, DepositEvent.SALON_CANCEL, at, 5_000, 1_250)
    assert (outcome.action, outcome.refund_halalas, outcome.rule) == (DepositAction.REFUND, 3_750, "salon_cancel")
