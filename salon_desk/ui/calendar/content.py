"""What a calendar grid shows, in plain Python (no Qt): columns, blocks and the domain's verdict on a drag.

The day view's columns are staff members; the week view's columns are business days of one staff member.
Both become a `CalendarContent` that the scene draws, so drawing and dragging are written once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from salon_desk.domain.booking import ACTIVE, BookingStatus, check_movable
from salon_desk.domain.errors import DomainError
from salon_desk.domain.model import AvailabilityException, Booking, ExceptionKind, Staff
from salon_desk.domain.scheduling import Interval, SalonSchedule, StaffSchedule, check_fits
from salon_desk.usecases.commands import ItemMove, RescheduleBooking
from salon_desk.usecases.views import BookingBlock, DayView, Span, WeekView

from .geometry import CalendarGeometry, Lane, TimeAxis, assign_lanes, week_axes

HIDDEN_STATUSES = frozenset({BookingStatus.CANCELLED.value})  # cancelled visits free their time


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    key: Hashable  # staff id (day view) or business date (week view)
    staff_id: str
    title: str
    subtitle: str
    working: tuple[Span, ...]
    breaks: tuple[Span, ...]
    closed: bool = False


@dataclass(frozen=True, slots=True)
class PlacedBlock:
    block: BookingBlock
    key: Hashable  # the column it sits in
    lane: Lane


@dataclass(frozen=True)
class CalendarContent:
    columns: tuple[ColumnSpec, ...]
    axes: tuple[TimeAxis, ...]
    blocks: tuple[PlacedBlock, ...]
    zone: ZoneInfo
    day: date
    _by_key: dict[Hashable, ColumnSpec] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_key.update({column.key: column for column in self.columns})

    def column(self, key: Hashable) -> ColumnSpec | None:
        return self._by_key.get(key)

    def geometry(self, column_width: float, rtl: bool) -> CalendarGeometry:
        return CalendarGeometry([c.key for c in self.columns], self.axes, column_width=column_width, rtl=rtl)

    def blocks_in(self, key: Hashable) -> list[PlacedBlock]:
        return [placed for placed in self.blocks if placed.key == key]


def visible(block: BookingBlock) -> bool:
    return block.status not in HIDDEN_STATUSES


def place_blocks(blocks: Sequence[tuple[Hashable, BookingBlock]]) -> tuple[PlacedBlock, ...]:
    """Lanes per column so inconsistent (overlapping) data is shown side by side, never hidden."""
    per_column: dict[Hashable, list[tuple[Hashable, BookingBlock]]] = {}
    for key, block in blocks:
        per_column.setdefault(key, []).append((key, block))
    placed: list[PlacedBlock] = []
    for key, entries in per_column.items():
        lanes = assign_lanes((b.item_id, b.start_at, b.shown_end) for _, b in entries)  # as the visit ran
        placed.extend(PlacedBlock(b, key, lanes[b.item_id]) for _, b in entries)
    placed.sort(key=lambda p: (p.block.start_at, p.block.item_id))
    return tuple(placed)


NameOf = Callable[[Staff], str]  # the name in the current language


def day_content(view: DayView, staff_name: NameOf, slot_height: float,
                staff_title: NameOf | None = None) -> CalendarContent:
    zone = ZoneInfo(view.timezone)
    if view.window is None:
        return CalendarContent((), (), (), zone, view.day)
    columns = tuple(
        ColumnSpec(c.staff.id, c.staff.id, staff_name(c.staff),
                   staff_title(c.staff) if staff_title else c.staff.title, c.working, c.breaks)
        for c in view.columns
    )
    minutes = int((view.window.end - view.window.start).total_seconds() // 60)
    axis = TimeAxis(view.window.start, minutes, slot_height, zone)
    known = {c.key for c in columns}
    blocks = [(b.staff_id, b) for b in view.blocks if visible(b) and b.staff_id in known]
    return CalendarContent(columns, (axis,) * len(columns), place_blocks(blocks), zone, view.day)


def week_content(
    view: WeekView, day_title: Callable[[date], tuple[str, str]], slot_height: float
) -> CalendarContent:
    zone = ZoneInfo(view.days[0].timezone) if view.days else ZoneInfo("Asia/Riyadh")
    columns: list[ColumnSpec] = []
    blocks: list[tuple[Hashable, BookingBlock]] = []
    for day_view in view.days:
        column = next((c for c in day_view.columns if c.staff.id == view.staff.id), None)
        title, subtitle = day_title(day_view.day)
        closed = day_view.window is None or column is None
        working = () if column is None else column.working
        breaks = () if column is None else column.breaks
        columns.append(ColumnSpec(day_view.day, view.staff.id, title, subtitle, working, breaks, closed))
        blocks.extend(
            (day_view.day, b) for b in day_view.blocks if b.staff_id == view.staff.id and visible(b)
        )
    windows = [(d.day, *((d.window.start, d.window.end) if d.window else (None, None))) for d in view.days]
    axes = week_axes(windows, zone, slot_height)
    first_day = view.days[0].day if view.days else date.min  # a week view always has its seven days
    return CalendarContent(tuple(columns), tuple(axes), place_blocks(blocks), zone, first_day)


def _column_schedule(content: CalendarContent, column: ColumnSpec, skip_booking: str) -> StaffSchedule:
    """The column's staff member as the scheduling engine sees her, from what the view holds: her working
    time this day (the domain's own, read with the view), her breaks and time off, and the busy segments
    of every other active booking in the column."""
    spans = [(ExceptionKind.EXTRA_HOURS, s) for s in column.working]
    spans += [(ExceptionKind.BREAK, s) for s in column.breaks]
    times = tuple(
        AvailabilityException(f"{column.key}-{n}", column.staff_id, kind, span.start, span.end)
        for n, (kind, span) in enumerate(spans)
    )
    busy = sorted(
        segment
        for placed in content.blocks_in(column.key)
        if placed.block.booking_id != skip_booking and placed.block.status in ACTIVE
        for segment in placed.block.segments
    )
    return StaffSchedule(column.staff_id, (), times, tuple(busy))


def _column_at(content: CalendarContent, staff_id: str, instant: datetime) -> ColumnSpec | None:
    """The column showing `staff_id` at `instant` (day view: her column; week view: that day's)."""
    for column, axis in zip(content.columns, content.axes, strict=False):
        if column.staff_id == staff_id and axis.origin <= instant < axis.end:
            return column
    return None


def move_refusal(
    content: CalendarContent, block: BookingBlock, key: Hashable, start: datetime
) -> DomainError | None:
    """The domain's verdict on a drop, from what the view already holds (None: it fits as far as the view
    can tell; the store's `check_move` then has the last word).

    As `reschedule_command` moves the visit, the dragged item goes to the drop column at `start` and the
    visit's other items shift by the same amount in their own columns; each must fit its stylist
    (`check_fits`, processing phases left free), after the visit's items placed before it.
    """
    try:
        check_movable(block.status)
        target = content.column(key)
        delta = start - block.start_at
        salon = SalonSchedule(content.zone, ())
        own: dict[Hashable, list[Interval]] = {}
        visit = [p for p in content.blocks if p.block.booking_id == block.booking_id]
        for placed in sorted(visit, key=lambda p: p.block.start_at):
            moved = placed.block
            dragged = moved.item_id == block.item_id
            column = target if dragged else _column_at(content, moved.staff_id, moved.start_at + delta)
            if column is None:
                continue  # not on this screen (another stylist in the week view): the store checks it
            schedule = _column_schedule(content, column, block.booking_id)
            placed_before = own.setdefault(column.key, [])
            segments = tuple(Interval(s.start + delta, s.end + delta) for s in moved.segments)
            check_fits(replace(schedule, busy=tuple(sorted([*schedule.busy, *placed_before]))), salon, segments)
            placed_before.extend(segments)
    except DomainError as refusal:
        return refusal
    return None


def reschedule_command(booking: Booking, item_id: str, staff_id: str, start: datetime) -> RescheduleBooking:
    """The move of a whole visit when one of its items is dragged.

    The dragged item goes to the drop's staff member and time; the visit's other items keep their staff
    member and shift by the same amount, so a multi-service visit stays in order.
    """
    dragged = next(item for item in booking.items if item.id == item_id)
    delta: timedelta = start - dragged.start_at
    moves = [ItemMove(item_id, staff_id, start)]
    moves += [ItemMove(i.id, i.staff_id, i.start_at + delta) for i in booking.items if i.id != item_id]
    return RescheduleBooking(booking.id, tuple(moves))
