"""Table models of the walk-ins screen, fed plain WalkInLine / WaitlistLine rows with `set_rows`.

Waiting minutes are computed from the injected clock when a cell is shown; the estimate itself
(WalkInLine.estimated_start / estimated_staff) comes from the use case and is only formatted here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QFont

from salon_desk.domain.model import WaitlistState, WalkInState
from salon_desk.domain.phone import format_national
from salon_desk.ui.customers.text import service_name, staff_name
from salon_desk.ui.i18n import _, ngettext
from salon_desk.ui.table_model import ROW_ROLE, RowsTableModel
from salon_desk.ui.theme import STATUS_COLOURS, TEXT_MUTED
from salon_desk.usecases.views import WaitlistLine, WalkInLine

if TYPE_CHECKING:
    from salon_desk.l10n import Localizer

__all__ = ["ROW_ROLE", "WaitlistTableModel", "WalkInTableModel"]
Row = TypeVar("Row", WalkInLine, WaitlistLine)
# Amber, not the accent: the selection is accent-soft, and an offer must stand out even when selected.
OFFERED_BACKGROUND = QColor(STATUS_COLOURS["requested"].fill)


def minutes_between(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def minutes_text(loc: Localizer, minutes: int) -> str:
    """ "25 min"; from an hour on "1 h 40 min" (waits past an hour happen on busy evenings)."""
    if minutes < 60:
        return ngettext("{n} min", "{n} min", minutes).format(n=loc.number(minutes))
    hours, rest = divmod(minutes, 60)
    if rest == 0:
        return ngettext("{n} h", "{n} h", hours).format(n=loc.number(hours))
    return _("{hours} h {minutes} min").format(hours=loc.number(hours), minutes=loc.number(rest))


def walkin_state_label(state: str) -> str:
    labels: dict[str, str] = {
        WalkInState.WAITING: _("Waiting"),
        WalkInState.SEATED: _("Seated"),
        WalkInState.LEFT: _("Left"),
    }
    return labels.get(state, state)


def waitlist_state_label(state: str) -> str:
    labels: dict[str, str] = {
        WaitlistState.WAITING: _("Waiting"),
        WaitlistState.OFFERED: _("Slot offered"),
        WaitlistState.BOOKED: _("Booked"),
        WaitlistState.REMOVED: _("Removed"),
    }
    return labels.get(state, state)


def person_label(name: str, phone: str | None, unnamed: str | None = None) -> str:
    """A walk-in may give no name: show the mobile, or `unnamed` (a plain "Walk-in" by default)."""
    if name:
        return name
    if phone:
        try:
            return format_national(phone)
        except Exception:  # noqa: BLE001 - a malformed stored number is still worth showing
            return phone
    return unnamed if unnamed is not None else _("Walk-in")


class _RowsModel(RowsTableModel[Row]):
    """The walk-in screen's tables: rows with an id, and the injected clock for waiting times."""

    def __init__(
        self, l10n: Callable[[], Localizer], now: Callable[[], datetime], parent: QObject | None = None
    ) -> None:
        super().__init__(l10n, parent)
        self._now = now

    def key(self, row: Row) -> str:
        return row.id


# -- walk-ins -------------------------------------------------------------------------------------------
W_NAME, W_SERVICE, W_STAFF, W_ARRIVED, W_WAITED, W_ESTIMATE, W_STATE = range(7)


class WalkInTableModel(_RowsModel[WalkInLine]):
    """Walk-ins; rows no longer waiting (seated, left) are greyed."""

    def headers(self) -> tuple[str, ...]:
        return (
            _("Name"),
            _("Service"),
            _("Staff member"),
            _("Arrived"),
            _("Waited"),
            _("Estimated start"),
            _("Status"),
        )

    def display(self, row: WalkInLine, column: int) -> str:
        loc = self._l10n()
        if column == W_NAME:
            return person_label(row.name, row.phone)
        if column == W_SERVICE:
            return service_name(row.service, loc.lang)
        if column == W_STAFF:
            return staff_name(row.preferred_staff, loc.lang) or _("Anyone")
        if column == W_ARRIVED:
            return loc.time(row.arrived_at)
        if column == W_WAITED:
            waiting = row.state == WalkInState.WAITING
            return minutes_text(loc, minutes_between(row.arrived_at, self._now())) if waiting else ""
        if column == W_ESTIMATE:
            return self._estimate(loc, row)
        return walkin_state_label(row.state)

    def _estimate(self, loc: Localizer, row: WalkInLine) -> str:
        if row.state != WalkInState.WAITING:
            return ""
        if row.estimated_start is None:
            return _("Nobody free today")
        who = staff_name(row.estimated_staff, loc.lang)
        wait = minutes_between(self._now(), row.estimated_start)
        when = (
            _("now")
            if wait == 0
            else _("{time} (in {wait})").format(
                time=loc.time(row.estimated_start), wait=minutes_text(loc, wait)
            )
        )
        return _("{when} with {staff}").format(when=when, staff=loc.isolate(who)) if who else when

    def decoration(self, row: WalkInLine, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and row.state != WalkInState.WAITING:
            return TEXT_MUTED
        return None

    def estimated_wait(self, row: WalkInLine) -> int | None:
        """Minutes until the estimated start (None when nobody is free today)."""
        return None if row.estimated_start is None else minutes_between(self._now(), row.estimated_start)


# -- waitlist -------------------------------------------------------------------------------------------
L_NAME, L_SERVICE, L_WINDOW, L_STATE = range(4)


class WaitlistTableModel(_RowsModel[WaitlistLine]):
    """Waitlist entries; an entry the use case offered a freed slot is highlighted with that slot."""

    def headers(self) -> tuple[str, ...]:
        return (_("Customer"), _("Service"), _("Wanted time"), _("Status"))

    def display(self, row: WaitlistLine, column: int) -> str:
        loc = self._l10n()
        if column == L_NAME:
            return person_label(row.name, row.phone, _("Customer"))
        if column == L_SERVICE:
            wanted = staff_name(row.staff, loc.lang)
            service = service_name(row.service, loc.lang)
            return _("{service} with {staff}").format(service=service, staff=wanted) if wanted else service
        if column == L_WINDOW:
            return self._window(loc, row)
        return self.offer_text(row) or waitlist_state_label(row.state)

    def _window(self, loc: Localizer, row: WaitlistLine) -> str:
        """ "10:00–14:00" today, "Thu 26 Nov 10:00–14:00" another day (a late window may end after midnight)."""
        hours = f"{loc.time(row.window_start)}–{loc.time(row.window_end)}"
        return (
            hours if self._is_today(loc, row.window_start) else f"{self._day(loc, row.window_start)} {hours}"
        )

    def _is_today(self, loc: Localizer, instant: datetime) -> bool:
        return loc.to_local(instant).date() == loc.to_local(self._now()).date()

    @staticmethod
    def _day(loc: Localizer, instant: datetime) -> str:
        return loc.date(instant, "EEE d MMM")

    def offer_text(self, row: WaitlistLine) -> str:
        """ "Offered: Thu 26 Nov 14:30 with Noura" for an offered entry, else ""."""
        if row.state != WaitlistState.OFFERED or row.offered_start is None:
            return ""
        loc = self._l10n()
        slot = loc.time(row.offered_start)
        if not self._is_today(loc, row.offered_start):
            slot = f"{self._day(loc, row.offered_start)} {slot}"
        who = staff_name(row.offered_staff, loc.lang)
        if who:
            return _("Offered: {time} with {staff}").format(time=loc.isolate(slot), staff=loc.isolate(who))
        return _("Offered: {time}").format(time=loc.isolate(slot))

    def decoration(self, row: WaitlistLine, column: int, role: int) -> Any:
        offered = row.state == WaitlistState.OFFERED
        if role == Qt.ItemDataRole.BackgroundRole and offered:
            return OFFERED_BACKGROUND
        if role == Qt.ItemDataRole.FontRole and offered:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and row.state in (
            WaitlistState.BOOKED,
            WaitlistState.REMOVED,
        ):
            return TEXT_MUTED
        return None
