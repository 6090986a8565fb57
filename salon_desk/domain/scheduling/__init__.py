"""The pure scheduling engine: salon hours and business days -> working time -> free time -> slots.

All instants are tz-aware and returned in UTC; weekly hours are wall-clock times in the salon's zone.
"""

from . import availability as _availability
from . import segments as _segments
from .availability import StaffSchedule, check_fits, free_intervals, working_intervals
from .calendar import SalonSchedule, business_day, business_day_extent, business_day_window, week_start
from .intervals import Interval, overlapping
from .segments import busy_segments, phases_for_duration
from .slots import SlotAssignment, SlotOption, VisitPart, find_slots

MESSAGES = {**_availability.MESSAGES, **_segments.MESSAGES}

__all__ = [
    "MESSAGES",
    "Interval",
    "SalonSchedule",
    "SlotAssignment",
    "SlotOption",
    "StaffSchedule",
    "VisitPart",
    "business_day",
    "business_day_extent",
    "business_day_window",
    "busy_segments",
    "check_fits",
    "find_slots",
    "free_intervals",
    "overlapping",
    "phases_for_duration",
    "week_start",
    "working_intervals",
]
