"""BoardActions: the walk-ins screen's writes. Each builds a command, runs it on the DB lane, announces the
Changes on success and reports a translated one-line message either way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from salon_desk.ui.context import UiContext
from salon_desk.ui.customers.text import staff_name
from salon_desk.ui.errors import error_text
from salon_desk.ui.i18n import _
from salon_desk.ui.walkins.model import person_label
from salon_desk.usecases.commands import (
    AddWalkIn,
    CreateBooking,
    ItemRequest,
    MarkWalkInLeft,
    NewCustomer,
    RemoveWaitlistEntry,
    SeatWalkIn,
)
from salon_desk.usecases.views import WaitlistLine, WalkInLine


class BoardActions(QObject):
    message = Signal(str, bool)  # translated text, is_error
    walkin_added = Signal(str)  # walk-in id
    walkin_seated = Signal(str)  # walk-in id
    walkin_left = Signal(str)
    slot_booked = Signal(str)  # booking id
    entry_removed = Signal(str)

    def __init__(self, ctx: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx

    def add_walkin(self, command: AddWalkIn) -> None:
        label = person_label(command.name, None)
        self._run(
            self._ctx.desk.walkins.add,
            command,
            self.walkin_added,
            lambda: _("{name} was added to the walk-ins.").format(name=self._isolate(label)),
        )

    def seat(self, line: WalkInLine, staff_id: str | None) -> None:
        label = person_label(line.name, line.phone)
        self._run(
            self._ctx.desk.walkins.seat,
            SeatWalkIn(line.id, staff_id),
            self.walkin_seated,
            lambda: _("{name} is seated; the service has started.").format(name=self._isolate(label)),
            emit_id=line.id,
        )

    def mark_left(self, line: WalkInLine) -> None:
        label = person_label(line.name, line.phone)
        self._run(
            self._ctx.desk.walkins.mark_left,
            MarkWalkInLeft(line.id),
            self.walkin_left,
            lambda: _("{name} left without being served.").format(name=self._isolate(label)),
            emit_id=line.id,
        )

    def book_offered_slot(self, line: WaitlistLine) -> None:
        offered_start = line.offered_start
        if offered_start is None or line.offered_staff is None:
            return
        customer_id = line.customer_id
        new_customer = None if customer_id else NewCustomer(name=line.name, phone=line.phone or "")
        command = CreateBooking(
            items=(ItemRequest(line.service.id, line.offered_staff.id, offered_start),),
            customer_id=customer_id,
            new_customer=new_customer,
            confirmed=True,
            waitlist_entry_id=line.id,
        )
        loc = self._ctx.l10n()
        who = staff_name(line.offered_staff, loc.lang)
        self._run(
            self._ctx.desk.bookings.create,
            command,
            self.slot_booked,
            lambda: _("Booked {name} at {time} with {staff}.").format(
                name=self._isolate(person_label(line.name, line.phone)),
                time=loc.isolate(loc.datetime(offered_start)),
                staff=self._isolate(who),
            ),
        )

    def remove_entry(self, line: WaitlistLine) -> None:
        self._run(
            self._ctx.desk.waitlist.remove,
            RemoveWaitlistEntry(line.id),
            self.entry_removed,
            lambda: _("{name} was removed from the waitlist.").format(
                name=self._isolate(person_label(line.name, line.phone))
            ),
            emit_id=line.id,
        )

    # -- plumbing ----------------------------------------------------------------------------------------
    def _run(
        self,
        write: Callable[[Any], Any],
        command: Any,
        done_signal: Any,
        success_text: Callable[[], str],
        emit_id: str | None = None,
    ) -> None:
        def on_done(result: Any) -> None:
            self._ctx.events.changes_applied.emit(result.changes)
            done_signal.emit(emit_id or result.id or "")
            self.message.emit(success_text(), False)

        self._ctx.runner.db(write, command, on_done=on_done, on_error=self._on_refused, owner=self)

    def _on_refused(self, error: BaseException) -> None:
        self.message.emit(error_text(error, self._ctx.l10n(), _("Something went wrong. Please try again.")), True)

    def _isolate(self, text: str) -> str:
        return self._ctx.l10n().isolate(text)
