"""Calendar geometry in plain Python (no Qt): time <-> y, column <-> x, overlap lanes, drop snapping.

The scene is not mirrored by Qt, so right-to-left column order is decided here: with an RTL layout the
first column (the first staff member, or Sunday in the week view) is the rightmost one.
Instants are tz-aware datetimes; a business day's window may run past midnight, which is just a longer
continuous span of instants.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SLOT_MINUTES = 15
_SLOT = timedelta(minutes=SLOT_MINUTES)
_UTC = ZoneInfo("UTC")
_EPOCH = datetime(1970, 1, 1, tzinfo=_UTC)


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass(frozen=True, slots=True)
class GridLine:
    y: float
    at: datetime
    is_hour: bool
    is_half_hour: bool


def floor_to_slot(instant: datetime) -> datetime:
    """The quarter-hour at or before `instant` (quarters are the same in every zone we serve)."""
    slots = (instant - _EPOCH) // _SLOT
    return (_EPOCH + slots * _SLOT).astimezone(instant.tzinfo)


def round_to_slot(instant: datetime) -> datetime:
    return floor_to_slot(instant + _SLOT / 2)


@dataclass(frozen=True, slots=True)
class TimeAxis:
    """Maps instants in [origin, origin + minutes) to y in [0, height) on a 15-minute grid."""

    origin: datetime
    minutes: int
    slot_height: float
    zone: ZoneInfo

    @property
    def end(self) -> datetime:
        return self.origin + timedelta(minutes=self.minutes)

    @property
    def px_per_minute(self) -> float:
        return self.slot_height / SLOT_MINUTES

    @property
    def height(self) -> float:
        return self.minutes * self.px_per_minute

    def y_of(self, instant: datetime) -> float:
        return (instant - self.origin).total_seconds() / 60 * self.px_per_minute

    def instant_at(self, y: float) -> datetime:
        return self.origin + timedelta(minutes=y / self.px_per_minute)

    def contains(self, instant: datetime) -> bool:
        return self.origin <= instant < self.end

    def span_y(self, start: datetime, end: datetime) -> tuple[float, float]:
        """Top and height of [start, end) clipped to the axis (height 0 when fully outside)."""
        top = min(max(self.y_of(start), 0.0), self.height)
        bottom = min(max(self.y_of(end), 0.0), self.height)
        return top, max(bottom - top, 0.0)

    def grid_lines(self) -> list[GridLine]:
        """One line per quarter-hour from the first quarter at or after the origin; hours by local time."""
        first = floor_to_slot(self.origin)
        if first < self.origin:
            first += _SLOT
        lines: list[GridLine] = []
        at = first
        while at < self.end:
            minute = at.astimezone(self.zone).minute
            lines.append(GridLine(self.y_of(at), at, minute == 0, minute == 30))
            at += _SLOT
        return lines

    def now_line_y(self, now: datetime) -> float | None:
        """Where the current-time line goes, or None when now is outside the window."""
        return self.y_of(now) if self.contains(now) else None

    def snap_start(self, instant: datetime, duration: timedelta = timedelta(0)) -> datetime:
        """Round to the nearest quarter and keep [start, start + duration) inside the axis when it fits."""
        start = round_to_slot(instant)
        latest = floor_to_slot(self.end - duration) if duration <= self.end - self.origin else self.origin
        earliest = floor_to_slot(self.origin)
        if earliest < self.origin:
            earliest += _SLOT
        return min(max(start, earliest), max(latest, earliest))


@dataclass(frozen=True, slots=True)
class ColumnLayout:
    """Equal-width columns; with `rtl` index 0 is the rightmost column."""

    count: int
    column_width: float
    rtl: bool

    @property
    def width(self) -> float:
        return self.count * self.column_width

    def visual_position(self, index: int) -> int:
        return self.count - 1 - index if self.rtl else index

    def x_of(self, index: int) -> float:
        """Left edge of column `index`."""
        return self.visual_position(index) * self.column_width

    def index_at(self, x: float) -> int | None:
        if self.count == 0 or x < 0 or x >= self.width:
            return None
        position = int(x // self.column_width)
        return self.count - 1 - position if self.rtl else position

    def clamped_index_at(self, x: float) -> int:
        clamped = min(max(x, 0.0), max(self.width - 1e-6, 0.0))
        index = self.index_at(clamped)
        return 0 if index is None else index


@dataclass(frozen=True, slots=True)
class Lane:
    lane: int
    lanes: int


def assign_lanes(intervals: Iterable[tuple[Hashable, datetime, datetime]]) -> dict[Hashable, Lane]:
    """Side-by-side lanes for overlapping intervals of one column.

    One staff member should never have overlapping bookings, but inconsistent data (a sync conflict) must
    still be visible, so overlaps are shown next to each other instead of on top of each other. Each cluster
    of transitively overlapping intervals shares one lane count.
    """
    ordered = sorted(intervals, key=lambda item: (item[1], item[2]))
    result: dict[Hashable, Lane] = {}
    cluster: list[tuple[Hashable, int]] = []
    lane_ends: list[datetime] = []
    cluster_end: datetime | None = None
    for key, start, end in ordered:
        if cluster_end is not None and start >= cluster_end:
            _close_cluster(cluster, len(lane_ends), result)
            cluster, lane_ends, cluster_end = [], [], None
        lane = next((i for i, lane_end in enumerate(lane_ends) if lane_end <= start), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(end)
        else:
            lane_ends[lane] = end
        cluster.append((key, lane))
        cluster_end = end if cluster_end is None else max(cluster_end, end)
    _close_cluster(cluster, len(lane_ends), result)
    return result


def _close_cluster(cluster: list[tuple[Hashable, int]], lanes: int, out: dict[Hashable, Lane]) -> None:
    for key, lane in cluster:
        out[key] = Lane(lane, lanes)


@dataclass(frozen=True, slots=True)
class DropTarget:
    column: int
    key: Hashable  # staff id in the day view, business date in the week view
    start_at: datetime


class CalendarGeometry:
    """Columns (each with its own time axis, all the same height) laid out side by side.

    The day view has one axis shared by every staff column; the week view has one axis per business day
    (each anchored on that day, so the same wall-clock time lines up across the week).
    """

    def __init__(
        self, keys: Sequence[Hashable], axes: Sequence[TimeAxis], *, column_width: float, rtl: bool
    ) -> None:
        if len(keys) != len(axes):
            raise ValueError("one time axis per column")
        self.keys = tuple(keys)
        self.axes = tuple(axes)
        self.columns = ColumnLayout(len(self.keys), column_width, rtl)
        self._index = {key: i for i, key in enumerate(self.keys)}

    @property
    def width(self) -> float:
        return self.columns.width

    @property
    def height(self) -> float:
        return max((axis.height for axis in self.axes), default=0.0)

    def index_of(self, key: Hashable) -> int | None:
        return self._index.get(key)

    def axis_for(self, key: Hashable) -> TimeAxis | None:
        index = self._index.get(key)
        return None if index is None else self.axes[index]

    def column_rect(self, index: int) -> Rect:
        return Rect(self.columns.x_of(index), 0.0, self.columns.column_width, self.height)

    def span_rect(
        self, key: Hashable, start: datetime, end: datetime, lane: Lane = Lane(0, 1), margin: float = 2.0
    ) -> Rect | None:
        """The rectangle of [start, end) in column `key`, in `lane`; lane 0 sits at the reading start."""
        index = self._index.get(key)
        if index is None:
            return None
        top, height = self.axes[index].span_y(start, end)
        inner = self.columns.column_width - 2 * margin
        lane_width = inner / lane.lanes
        position = lane.lanes - 1 - lane.lane if self.columns.rtl else lane.lane
        x = self.columns.x_of(index) + margin + position * lane_width
        return Rect(x, top, lane_width, height)

    def drop_target(self, x: float, y: float, duration: timedelta = timedelta(0)) -> DropTarget | None:
        """Snap a point (the top of a dragged block, or a click) to a column and a quarter-hour start."""
        if self.columns.count == 0:
            return None
        index = self.columns.clamped_index_at(x)
        axis = self.axes[index]
        start = axis.snap_start(axis.instant_at(y), duration)
        return DropTarget(index, self.keys[index], start)

    def slot_at(self, x: float, y: float) -> DropTarget | None:
        """The quarter-hour under a click (floored, not rounded), or None outside the columns."""
        index = self.columns.index_at(x)
        if index is None or not 0 <= y < self.axes[index].height:
            return None
        axis = self.axes[index]
        return DropTarget(index, self.keys[index], floor_to_slot(axis.instant_at(y)))

    def now_line(self, now: datetime) -> list[tuple[Rect, float]]:
        """(column rect, y) for each column whose axis contains `now`."""
        lines = []
        for index, axis in enumerate(self.axes):
            y = axis.now_line_y(now)
            if y is not None:
                lines.append((self.column_rect(index), y))
        return lines


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The business day's local midnight as a UTC instant (so later arithmetic is absolute)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(_UTC)


def minutes_after_midnight(day: date, instant: datetime, zone: ZoneInfo) -> int:
    """Minutes from the business day's local midnight (more than 1440 past midnight)."""
    return int((instant - local_midnight(day, zone)).total_seconds() // 60)


def week_axes(
    days: Sequence[tuple[date, datetime | None, datetime | None]], zone: ZoneInfo, slot_height: float
) -> list[TimeAxis]:
    """One axis per business day covering the union of the week's opening windows by wall-clock offset.

    `days` holds (business day, window start, window end); closed days (None) get the common axis too.
    """
    offsets = [
        (minutes_after_midnight(day, start, zone), minutes_after_midnight(day, end, zone))
        for day, start, end in days
        if start is not None and end is not None
    ]
    first = min((a for a, _ in offsets), default=9 * 60)
    last = max((b for _, b in offsets), default=21 * 60)
    first -= first % SLOT_MINUTES
    last += -last % SLOT_MINUTES
    return [
        TimeAxis(local_midnight(day, zone) + timedelta(minutes=first), last - first, slot_height, zone)
        for day, _, _ in days
    ]
