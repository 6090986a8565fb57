"""Quiet hours for reminders, in the salon's own time zone.

DESIGN §7: service messages (OTP, confirmations, reminders) have no legal hour limit; promotional ones
are limited to 09:00–19:00 and need consent (we send none). We still hold *reminders* back at night as
a courtesy: by default 21:00–09:00 salon time (SALON_NOTIFY_QUIET_HOURS, or a salon's own
`public_settings["quiet_hours"]`, e.g. "03:00-11:00" for a salon open until 03:00 in Ramadan). A reminder
that falls inside them waits until they end; if that is already past the appointment, it is skipped.
Booking messages (received, confirmed, moved, cancelled) answer something that just happened and go out
at once, at any hour.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def _inside(moment: time, start: time, end: time) -> bool:
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end  # the window runs past midnight


def quiet_until(instant: datetime, quiet: tuple[time, time] | None, timezone: str) -> datetime | None:
    """The instant the quiet hours around `instant` end, or None when `instant` is not inside them."""
    if quiet is None:
        return None
    start, end = quiet
    zone = ZoneInfo(timezone)
    local = instant.astimezone(zone)
    if not _inside(local.time(), start, end):
        return None
    end_today = datetime.combine(local.date(), end, tzinfo=zone)
    ends = end_today if end_today > local else end_today + timedelta(days=1)
    return ends.astimezone(instant.tzinfo)
