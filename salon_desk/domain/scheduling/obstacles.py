"""What stands in the way of a requested time: every booking, break, leave, off hour and closed hour in it.

A refusal names them all ("Noura is with Hind Al-Shammari 10:00–11:00, then on a break 11:30–12:00"), not
only the first. `obstacles` finds them for one staff member from the same inputs `check_fits` judges;
`blocked` turns the obstacles of a whole visit (with the names the caller knows) into one Conflict whose
`obstacles` parameter is a list of clauses, each a message code with its own parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import Conflict
from ..i18n import N_
from ..model import ExceptionKind
from .availability import StaffSchedule, StaffTimeline, Window
from .calendar import SalonCalendar, SalonSchedule
from .intervals import Interval, Span, from_us, intersect_spans, merge_spans, subtract_spans, to_us

BOOKED, BREAK, TIME_OFF, NOT_WORKING, CLOSED = "booked", "break", "time_off", "not_working", "closed"
WALK_IN = "walk_in"  # booked, by a customer without a name (a walk-in)

MESSAGES = {
    "schedule.blocked": N_("This time is not free: {obstacles}."),
    "schedule.in_way.booked": N_("{staff} is with {customer} {start_time}–{end_time}"),
    "schedule.in_way.booked.then": N_("then with {customer} {start_time}–{end_time}"),
    "schedule.in_way.walk_in": N_("{staff} is with a walk-in customer {start_time}–{end_time}"),
    "schedule.in_way.walk_in.then": N_("then with a walk-in customer {start_time}–{end_time}"),
    "schedule.in_way.break": N_("{staff} is on a break {start_time}–{end_time}"),
    "schedule.in_way.break.then": N_("then on a break {start_time}–{end_time}"),
    "schedule.in_way.time_off": N_("{staff} is on leave {start_time}–{end_time}"),
    "schedule.in_way.time_off.then": N_("then on leave {start_time}–{end_time}"),
    "schedule.in_way.not_working": N_("{staff} is not working {start_time}–{end_time}"),
    "schedule.in_way.not_working.then": N_("then not working {start_time}–{end_time}"),
    "schedule.in_way.closed": N_("the salon is closed {start_time}–{end_time}"),
}


@dataclass(frozen=True, slots=True)
class Obstacle:
    """One thing in the way, in time order. `interval` is the whole booking or break; leave, off hours and
    closed hours are cut to the time asked for."""

    kind: str  # booked | walk_in | break | time_off | not_working | closed
    interval: Interval


def obstacles(staff: StaffSchedule, salon: SalonSchedule, segments: Sequence[Interval]) -> list[Obstacle]:
    """Everything that keeps `segments` from fitting the staff member's time (empty when check_fits passes)."""
    wanted = merge_spans(s.span for s in segments if not s.is_empty)
    if not wanted:
        return []
    found = [Obstacle(BOOKED, b) for b in staff.busy if any(b.overlaps(Interval.of_span(w)) for w in wanted)]
    lo, hi = wanted[0][0], wanted[-1][1]
    away: list[Span] = []
    for exc in staff.exceptions:
        if exc.kind in (ExceptionKind.EXTRA_HOURS, ExceptionKind.KEPT):
            continue
        span = (to_us(exc.start_at), to_us(exc.end_at))
        hit = intersect_spans(wanted, [span])
        if not hit:
            continue
        away.append(span)
        if exc.kind is ExceptionKind.BREAK:
            found.append(Obstacle(BREAK, Interval.of_span(span)))
        else:
            found.append(Obstacle(TIME_OFF, Interval(from_us(max(span[0], lo)), from_us(min(span[1], hi)))))
    calendar = SalonCalendar(salon)
    window = Window.build(calendar, lo, hi)
    closed = subtract_spans(wanted, window.open)
    # An extra-hours exception may open a stylist beyond the salon's hours: it is then not "closed" for her.
    working = StaffTimeline(staff, calendar, lo, hi).working(window)
    closed = subtract_spans(closed, working)
    found += [Obstacle(CLOSED, Interval.of_span(s)) for s in closed]
    off = subtract_spans(subtract_spans(wanted, working), merge_spans(away + closed))
    found += [Obstacle(NOT_WORKING, Interval.of_span(s)) for s in off]
    return sorted(found, key=lambda o: (o.interval.start, o.interval.end))


@dataclass(frozen=True, slots=True)
class InTheWay:
    """An obstacle with the names a refusal shows (the caller knows who is booked)."""

    obstacle: Obstacle
    staff: str = ""
    staff_ar: str = ""
    customer: str = ""


def blocked(groups: Sequence[Sequence[InTheWay]]) -> Conflict:
    """One Conflict("schedule.blocked") naming every obstacle: one group per staff member, each in time order.
    Clauses after the first of a group read as a continuation ("then on a break …")."""
    clauses: list[dict[str, object]] = []
    for group in groups:
        subject = False
        for way in sorted(group, key=lambda w: (w.obstacle.interval.start, w.obstacle.interval.end)):
            kind = way.obstacle.kind
            code = f"schedule.in_way.{kind}" + (".then" if subject and kind != CLOSED else "")
            clauses.append({
                "code": code, "staff": way.staff, "staff_ar": way.staff_ar or way.staff, "customer": way.customer,
                "start_time": way.obstacle.interval.start, "end_time": way.obstacle.interval.end,
            })
            subject = kind != CLOSED
    return Conflict("schedule.blocked", obstacles=clauses)

