"""Calendar geometry without Qt: time <-> y, RTL columns, lanes, snapping, past-midnight windows."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salon_desk.ui.calendar.geometry import (
    CalendarGeometry,
    ColumnLayout,
    Lane,
    TimeAxis,
    assign_lanes,
    floor_to_slot,
    local_midnight,
    round_to_slot,
    week_axes,
)

RIYADH = ZoneInfo("Asia/Riyadh")
SLOT_PX = 20.0  # 15 minutes


def riyadh(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=RIYADH)


def ramadan_axis() -> TimeAxis:
    """21:00 -> 03:00 the next calendar day: one business day."""
    start, end = riyadh(1, 21), riyadh(2, 3)
    return TimeAxis(start, int((end - start).total_seconds() // 60), SLOT_PX, RIYADH)


def test_geometry_imports_without_qt():
    import subprocess

    code = "import sys, salon_desk.ui.calendar.geometry; print(any(m.startswith('PySide6') for m in sys.modules))"
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert result.stdout.strip() == "False"


def test_past_midnight_window_is_one_continuous_axis():
    axis = ramadan_axis()
    assert axis.minutes == 6 * 60
    assert axis.height == 6 * 4 * SLOT_PX
    assert axis.y_of(riyadh(1, 21)) == 0
    assert axis.y_of(riyadh(1, 23, 45)) == (2 * 4 + 3) * SLOT_PX
    # 01:30 on the next calendar day is still inside this business day, below midnight
    assert axis.y_of(riyadh(2, 1, 30)) == (4 * 4 + 2) * SLOT_PX
    assert axis.contains(riyadh(2, 2, 59)) and not axis.contains(riyadh(2, 3))
    assert axis.instant_at(axis.y_of(riyadh(2, 1, 30))) == riyadh(2, 1, 30)


def test_grid_lines_mark_local_hours_across_midnight():
    lines = ramadan_axis().grid_lines()
    assert len(lines) == 24
    hours = [line.at.astimezone(RIYADH).hour for line in lines if line.is_hour]
    assert hours == [21, 22, 23, 0, 1, 2]
    assert [line.y for line in lines[:3]] == [0, SLOT_PX, 2 * SLOT_PX]


def test_grid_starts_at_first_quarter_when_window_opens_off_grid():
    axis = TimeAxis(riyadh(1, 9, 10), 60, SLOT_PX, RIYADH)
    assert [line.at.astimezone(RIYADH).minute for line in axis.grid_lines()] == [15, 30, 45, 0]


def test_now_line_inside_and_outside_window():
    axis = ramadan_axis()
    assert axis.now_line_y(riyadh(2, 0, 7)) == pytest.approx((3 * 60 + 7) / 15 * SLOT_PX)
    assert axis.now_line_y(riyadh(2, 3, 0)) is None
    assert axis.now_line_y(riyadh(1, 20, 59)) is None


def test_slot_rounding_uses_utc_quarters():
    at = datetime(2026, 3, 1, 10, 7, 29, tzinfo=UTC)
    assert floor_to_slot(at) == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert round_to_slot(at) == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert round_to_slot(at + timedelta(seconds=31)) == datetime(2026, 3, 1, 10, 15, tzinfo=UTC)
    assert floor_to_slot(riyadh(1, 23, 59)).astimezone(RIYADH) == riyadh(1, 23, 45)


def test_ltr_columns_left_to_right_and_rtl_first_column_rightmost():
    ltr = ColumnLayout(3, 100, rtl=False)
    rtl = ColumnLayout(3, 100, rtl=True)
    assert [ltr.x_of(i) for i in range(3)] == [0, 100, 200]
    assert [rtl.x_of(i) for i in range(3)] == [200, 100, 0]
    assert rtl.index_at(250) == 0 and rtl.index_at(10) == 2
    assert ltr.index_at(250) == 2 and ltr.index_at(10) == 0
    assert rtl.index_at(-1) is None and rtl.index_at(300) is None


@given(st.integers(1, 40), st.booleans(), st.data())
def test_x_and_index_round_trip(count, rtl, data):
    layout = ColumnLayout(count, 120, rtl)
    index = data.draw(st.integers(0, count - 1))
    assert layout.index_at(layout.x_of(index) + 60) == index


def test_lanes_side_by_side_only_for_overlaps():
    lanes = assign_lanes(
        [
            ("a", riyadh(1, 10), riyadh(1, 11)),
            ("b", riyadh(1, 10, 30), riyadh(1, 11, 30)),
            ("c", riyadh(1, 11), riyadh(1, 12)),  # overlaps b only, reuses a's lane
            ("d", riyadh(1, 12), riyadh(1, 13)),  # touches c's end: a new cluster
        ]
    )
    assert lanes["a"] == Lane(0, 2) and lanes["b"] == Lane(1, 2) and lanes["c"] == Lane(0, 2)
    assert lanes["d"] == Lane(0, 1)


def test_three_way_overlap_gets_three_lanes():
    lanes = assign_lanes([(k, riyadh(1, 10), riyadh(1, 11)) for k in "xyz"])
    assert sorted(lane.lane for lane in lanes.values()) == [0, 1, 2]
    assert {lane.lanes for lane in lanes.values()} == {3}


def day_geometry(rtl: bool) -> CalendarGeometry:
    axis = ramadan_axis()
    return CalendarGeometry(["s1", "s2", "s3"], [axis] * 3, column_width=100, rtl=rtl)


def test_overlap_lanes_mirror_in_rtl():
    start, end = riyadh(1, 22), riyadh(1, 23)
    ltr = day_geometry(False).span_rect("s1", start, end, Lane(0, 2), margin=0)
    rtl = day_geometry(True).span_rect("s1", start, end, Lane(0, 2), margin=0)
    assert ltr.x == 0 and rtl.x == 250  # lane 0 at the reading start of the rightmost column
    assert ltr.width == rtl.width == 50
    assert ltr.y == 4 * SLOT_PX and ltr.height == 4 * SLOT_PX


def test_drop_snaps_to_staff_and_quarter_in_rtl():
    geometry = day_geometry(True)
    y = ramadan_axis().y_of(riyadh(2, 0, 20))  # 00:20 rounds to 00:15
    target = geometry.drop_target(x=210, y=y, duration=timedelta(minutes=30))
    assert target.key == "s1" and target.start_at == riyadh(2, 0, 15)
    assert geometry.drop_target(x=20, y=y).key == "s3"


def test_drop_is_clamped_inside_the_window_and_columns():
    geometry = day_geometry(False)
    too_late = geometry.drop_target(x=10_000, y=10_000, duration=timedelta(minutes=45))
    assert too_late.key == "s3" and too_late.start_at == riyadh(2, 2, 15)
    too_early = geometry.drop_target(x=-50, y=-100)
    assert too_early.key == "s1" and too_early.start_at == riyadh(1, 21)


def test_click_slot_floors_and_refuses_outside():
    geometry = day_geometry(False)
    y = ramadan_axis().y_of(riyadh(1, 22, 14))
    assert geometry.slot_at(150, y).key == "s2"
    assert geometry.slot_at(150, y).start_at == riyadh(1, 22)
    assert geometry.slot_at(350, y) is None and geometry.slot_at(50, -1) is None


def test_now_line_per_column():
    lines = day_geometry(True).now_line(riyadh(2, 1))
    assert len(lines) == 3 and all(y == 16 * SLOT_PX for _, y in lines)


def test_week_axes_align_wall_clock_and_cover_past_midnight():
    sunday = date(2026, 3, 1)
    days = [
        (sunday, riyadh(1, 10), riyadh(1, 22)),
        (sunday + timedelta(1), riyadh(2, 21), riyadh(3, 3)),  # late night
        (sunday + timedelta(2), None, None),  # closed
    ]
    axes = week_axes(days, RIYADH, SLOT_PX)
    assert {axis.minutes for axis in axes} == {17 * 60}  # 10:00 -> 03:00
    assert axes[0].origin == local_midnight(sunday, RIYADH) + timedelta(hours=10)
    assert axes[1].y_of(riyadh(3, 1)) == axes[0].y_of(riyadh(2, 1))  # 01:00 lines up across days
    assert axes[2].origin.astimezone(RIYADH) == riyadh(3, 10)


def test_geometry_rejects_mismatched_axes():
    with pytest.raises(ValueError):
        CalendarGeometry(["a"], [], column_width=10, rtl=False)
