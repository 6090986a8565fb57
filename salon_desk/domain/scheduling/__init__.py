"""The pure scheduling engine: salon hours and business days -> working time -> free time -> slots.

All instants are tz-aware and returned in UTC; weekly hours are wall-clock times in the salon's zone.
"""

from . import actual as _actual
from . import availability as _availability
from . import obstacles as _obstacles
from . import segments as _segments
from . import visit as _visit
from .actual import MAX_CLOCK_SKEW, busy_as_it_ran, check_actual_time, item_actual_end
from .availability import StaffSchedule, check_fits, free_intervals, working_intervals
from .calendar import SalonSchedule, business_day, business_day_extent, business_day_window, week_start
from .intervals import Interval, overlapping
from .obstacles import InTheWay, Obstacle, blocked, obstacles
from .segments import busy_segments, phases_for_duration
from .slots import SlotAssignment, SlotOption, VisitPart, find_slots
from .visit import CustomerItem, check_customer_items, customer_clash

MESSAGES = {
    **_availability.MESSAGES,
    **_segments.MESSAGES,
    **_actual.MESSAGES,
    **_visit.MESSAGES,
    **_obstacles.MESSAGES,
}

__all__ = [
    "MAX_CLOCK_SKEW",
    "MESSAGES",
    "CustomerItem",
    "InTheWay",
    "Interval",
    "Obstacle",
    "SalonSchedule",
    "SlotAssignment",
    "SlotOption",
    "StaffSchedule",
    "VisitPart",
    "busy_as_it_ran",
    "blocked",
    "business_day",
    "business_day_extent",
    "business_day_window",
    "check_customer_items",
    "busy_segments",
    "check_actual_time",
    "check_fits",
    "customer_clash",
    "find_slots",
    "obstacles",
    "free_intervals",
    "item_actual_end",
    "overlapping",
    "phases_for_duration",
    "week_start",
    "working_intervals",
]
