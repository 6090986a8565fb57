"""Half-open time intervals, and the integer interval arithmetic the scheduler runs on.

Public values are `Interval`s of tz-aware UTC datetimes. Inside the package the hot paths work on
`Span`s: `(start, end)` tuples of integer microseconds since the Unix epoch, which compare and add
several times faster than datetimes and are exact (no float rounding).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
MINUTE_US = 60_000_000
DAY_US = 86_400 * 1_000_000
FOREVER_US = 2**62  # beyond any real instant; stands for an open end

Span = tuple[int, int]  # [start, end) in microseconds since the epoch


def to_us(instant: datetime) -> int:
    if instant.tzinfo is None:
        raise ValueError(f"naive datetime {instant!r}: instants must be timezone-aware")
    return (instant - EPOCH) // MICROSECOND


def from_us(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """[start, end) between two tz-aware instants, normalised to UTC. Empty when start == end."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        start, end = self.start, self.end
        if start.tzinfo is not UTC:
            start = _as_utc(start, "start")
            object.__setattr__(self, "start", start)
        if end.tzinfo is not UTC:
            end = _as_utc(end, "end")
            object.__setattr__(self, "end", end)
        if end < start:
            raise ValueError(f"Interval ends before it starts: {start} > {end}")

    @classmethod
    def of_span(cls, span: Span) -> Interval:
        """From epoch microseconds, skipping the checks (a Span is UTC and ordered by construction)."""
        interval = object.__new__(cls)
        object.__setattr__(interval, "start", EPOCH + timedelta(microseconds=span[0]))
        object.__setattr__(interval, "end", EPOCH + timedelta(microseconds=span[1]))
        return interval

    @property
    def span(self) -> Span:
        return to_us(self.start), to_us(self.end)

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def is_empty(self) -> bool:
        return self.start == self.end

    def overlaps(self, other: Interval) -> bool:
        """True when the two share some time. Touching ([9, 10) and [10, 11)) is not overlapping."""
        return max(self.start, other.start) < min(self.end, other.end)

    def contains(self, other: Interval | datetime) -> bool:
        if isinstance(other, datetime):
            return self.start <= other < self.end
        return self.start <= other.start and other.end <= self.end

    def intersection(self, other: Interval) -> Interval | None:
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Interval(start, end) if start < end else None


def _as_utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"Interval.{name} is naive: {value!r}")
    return value.astimezone(UTC)


def overlapping(segments: Sequence[Interval], busy: Sequence[Interval]) -> Interval | None:
    """The earliest busy interval that overlaps any of the segments, or None."""
    hits = [b for b in busy if any(b.overlaps(s) for s in segments)]
    return min(hits) if hits else None


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Sorted, with empty spans dropped and overlapping or touching spans joined."""
    out: list[Span] = []
    for start, end in sorted(spans):
        if start >= end:
            continue
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def intersect_spans(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    """Both inputs sorted and merged; so is the result."""
    out: list[Span] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = a[i][0] if a[i][0] > b[j][0] else b[j][0]
        end = a[i][1] if a[i][1] < b[j][1] else b[j][1]
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract_spans(base: Sequence[Span], cut: Sequence[Span]) -> list[Span]:
    """`base` minus `cut`, both sorted and merged; so is the result."""
    out: list[Span] = []
    j, n = 0, len(cut)
    for start, end in base:
        while j < n and cut[j][1] <= start:
            j += 1
        cursor, k = start, j
        while k < n and cut[k][0] < end:
            if cut[k][0] > cursor:
                out.append((cursor, cut[k][0]))
            if cut[k][1] > cursor:
                cursor = cut[k][1]
            if cursor >= end:
                break
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return out


def clip_spans(spans: Sequence[Span], lo: int, hi: int) -> list[Span]:
    out: list[Span] = []
    for start, end in spans:
        start, end = max(start, lo), min(end, hi)
        if start < end:
            out.append((start, end))
    return out


def spans_to_intervals(spans: Iterable[Span]) -> list[Interval]:
    return [Interval.of_span(span) for span in spans]
