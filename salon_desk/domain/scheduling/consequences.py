"""Which existing bookings a change of availability leaves outside working time (issue #10, "consequences
are never silent"). The answer uses the slot finder's own timeline (`availability.StaffTimeline`), so a
booking is "outside" exactly when the slot finder would refuse it there now.

For each booking left outside, the manager chooses (`Settlement`): keep it as an exception (an extra shift
covering it is added), move it to another staff member free at that time, or cancel it and notify the customer.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ..model import BookingItem
from .availability import StaffSchedule, StaffTimeline, Window
from .calendar import SalonCalendar, SalonSchedule
from .intervals import Interval, to_us


class Settlement(StrEnum):
    KEEP = "keep"  # keep as an exception: an extra shift is added around it
    MOVE = "move"  # to another staff member free at that time
    CANCEL = "cancel"  # cancel and notify the customer


def outside_items(staff: StaffSchedule, salon: SalonSchedule, items: Sequence[BookingItem]) -> list[BookingItem]:
    """The items (of this staff member, active, in the future) not wholly inside the staff member's working
    time under `staff` (the new rules and exceptions), in start order. One timeline over the items' hull;
    each item is then a binary search in the sorted working spans."""
    if not items:
        return []
    ordered = sorted(items, key=lambda i: i.start_at)
    lo, hi = to_us(ordered[0].start_at), max(to_us(i.end_at) for i in ordered)
    if hi <= lo:
        return []
    calendar = SalonCalendar(salon)
    timeline = StaffTimeline(StaffSchedule(staff.staff_id, staff.rules, staff.exceptions), calendar, lo, hi)
    working = timeline.working(Window.build(calendar, lo, hi))
    starts = [s for s, _ in working]
    out: list[BookingItem] = []
    for item in ordered:
        start, end = to_us(item.start_at), to_us(item.end_at)
        if end <= start:
            continue
        index = bisect_right(starts, start) - 1
        if index < 0 or working[index][1] < end:
            out.append(item)
    return out


@dataclass(frozen=True, slots=True)
class Consequence:
    """One booking item the change leaves outside working time, and who else is free for it."""

    item: BookingItem
    free_staff: tuple[str, ...]  # other staff members qualified and free for the whole item

    @property
    def interval(self) -> Interval:
        return Interval(self.item.start_at, self.item.end_at)
