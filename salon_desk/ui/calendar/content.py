"""What a calendar grid shows, in plain Python (no Qt): columns, blocks and the quick local move check.

The day view's columns are staff members; the week view's columns are business days of one staff member.
Both become a `CalendarContent` that the scene draws, so drawing and dragging are written once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from salon_desk.domain.booking import ACTIVE, MOVABLE, BookingStatus
from salon_desk.domain.model import Booking
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
        lanes = assign_lanes((b.item_id, b.start_at, b.end_at) for _, b in entries)
        placed.extend(PlacedBlock(b, key, lanes[b.item_id]) for _, b in entries)
    placed.sort(key=lambda p: (p.block.start_at, p.block.item_id))
    return tuple(placed)


NameOf = Callable[[object], str]  # Staff -> the name in the current language


def day_content(view: DayView, staff_name: NameOf, slot_height: float) -> CalendarContent:
    zone = ZoneInfo(view.timezone)
    if view.window is None:
        return CalendarContent((), (), (), zone, view.day)
    columns = tuple(
        ColumnSpec(c.staff.id, c.staff.id, staff_name(c.staff), c.staff.title, c.working, c.breaks)
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
    first_day = view.days[0].day if view.days else date.today()
    return CalendarContent(tuple(columns), tuple(axes), place_blocks(blocks), zone, first_day)


class MoveProblem(StrEnum):
    """Why a drop is refused before asking the store (the store may still refuse for its own reasons)."""

    NOT_MOVABLE = "not_movable"
    CLOSED = "closed"
    NOT_WORKING = "not_working"
    ON_BREAK = "on_break"
    OVERLAP = "overlap"


def _overlaps(start: datetime, end: datetime, spans: Sequence[Span]) -> bool:
    return any(span.start < end and start < span.end for span in spans)


def _inside(start: datetime, end: datetime, spans: Sequence[Span]) -> bool:
    return any(span.start <= start and end <= span.end for span in spans)


def quick_move_problem(
    content: CalendarContent, block: BookingBlock, key: Hashable, start: datetime
) -> MoveProblem | None:
    """The cheap check run on every drag step, from what the view already holds."""
    if block.status not in MOVABLE:
        return MoveProblem.NOT_MOVABLE
    column = content.column(key)
    if column is None or column.closed:
        return MoveProblem.CLOSED
    end = start + (block.end_at - block.start_at)
    busy_until = start + (block.busy_until - block.start_at)
    if not _inside(start, end, column.working):
        return MoveProblem.NOT_WORKING
    if _overlaps(start, end, column.breaks):
        return MoveProblem.ON_BREAK
    for placed in content.blocks_in(key):
        other = placed.block
        if other.booking_id == block.booking_id or other.status not in ACTIVE:
            continue
        if other.start_at < busy_until and start < other.busy_until:
            return MoveProblem.OVERLAP
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
