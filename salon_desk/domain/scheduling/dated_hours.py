"""Dated salon hours (issue #10): a named date range such as "Ramadan 1448" with its own weekly hours, which
replace the usual weekly hours on the business days inside the range (closures still win). Ramadan salons
often open twice a day, e.g. 13:00-17:00 and 21:00-02:00: several spans a day, past midnight allowed.

The manager types the Gregorian first and last day; nothing here converts from the Hijri calendar (Umm
al-Qura dates are announced, not computed). Checked on the desk and again in the cloud (`salon.patch`).
Stored form (JSON): [{"name", "first_day": "YYYY-MM-DD", "last_day", "hours": [{weekday, start, end}]}].
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, time
from typing import Any

from ..errors import ValidationError
from ..i18n import N_
from ..model import DatedHours, OpeningHours
from .editing import MAX_RANGE_DAYS, check_salon_hours

MAX_NAME = 60
MAX_RANGES = 50

MESSAGES = {
    "salon.dated_hours_no_name": N_("Give the dated hours a name (for example Ramadan 1448)."),
    "salon.dated_hours_reversed": N_("{name} ends on {end}, before it starts on {start}."),
    "salon.dated_hours_overlap": N_("{first} and {second} cover the same days. Shorten one of them."),
    "salon.dated_hours_bad_day": N_("A day of {name} is not a valid date (use YYYY-MM-DD)."),
    "salon.dated_hours_too_many": N_("A salon can have at most {count} dated hours."),
}


def dated_hours_of(value: Iterable[DatedHours | Mapping[str, Any]]) -> tuple[DatedHours, ...]:
    """Dated hours from their stored (JSON) form or as they are; not checked (see `check_dated_hours`)."""
    out = []
    for item in value:
        if isinstance(item, DatedHours):
            out.append(item)
            continue
        name = str(item.get("name") or "").strip()
        try:
            first, last = _day(item["first_day"]), _day(item["last_day"])
            hours = tuple(h if isinstance(h, OpeningHours) else
                          OpeningHours(int(h["weekday"]), _time(h["start"]), _time(h["end"]))
                          for h in item.get("hours") or ())
        except (KeyError, TypeError, ValueError):
            raise ValidationError("salon.dated_hours_bad_day", name=name or "?") from None
        out.append(DatedHours(name, first, last, hours))
    return tuple(out)


def check_dated_hours(value: Iterable[DatedHours | Mapping[str, Any]]) -> tuple[DatedHours, ...]:
    """Each range named, ending on or after its start, at most a year long, with valid, non-overlapping
    hours (past midnight allowed); no two ranges sharing a day. Returned sorted by first day."""
    ranges = sorted(dated_hours_of(value), key=lambda d: (d.first_day, d.last_day))
    if len(ranges) > MAX_RANGES:
        raise ValidationError("salon.dated_hours_too_many", count=MAX_RANGES)
    for item in ranges:
        if not item.name or len(item.name) > MAX_NAME:
            raise ValidationError("salon.dated_hours_no_name")
        if item.last_day < item.first_day:
            raise ValidationError("salon.dated_hours_reversed", name=item.name, start=item.first_day.isoformat(),
                                  end=item.last_day.isoformat())
        if (item.last_day - item.first_day).days >= MAX_RANGE_DAYS:
            raise ValidationError("availability.range_too_long", days=MAX_RANGE_DAYS)
        check_salon_hours(item.hours)
    for before, after in zip(ranges, ranges[1:], strict=False):
        if after.first_day <= before.last_day:
            raise ValidationError("salon.dated_hours_overlap", first=before.name, second=after.name)
    return tuple(DatedHours(d.name, d.first_day, d.last_day, tuple(sorted(d.hours, key=_hours_key)))
                 for d in ranges)


def dated_hours_to_json(ranges: Iterable[DatedHours]) -> list[dict[str, Any]]:
    return [{"name": d.name, "first_day": d.first_day.isoformat(), "last_day": d.last_day.isoformat(),
             "hours": [{"weekday": h.weekday, "start": f"{h.start:%H:%M}", "end": f"{h.end:%H:%M}"}
                       for h in d.hours]}
            for d in ranges]


def hours_in_force(ranges: Iterable[DatedHours], day: date) -> DatedHours | None:
    """The dated hours covering business day `day`, if any (ranges never overlap once checked)."""
    return next((d for d in ranges if d.first_day <= day <= d.last_day), None)


def _hours_key(h: OpeningHours) -> tuple[int, time]:
    return h.weekday, h.start


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _time(value: object) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value))
