"""The building block of the desk facade: a `DeskArea` is one group of `DeskService` (`desk.bookings`,
`desk.calendar`, ...), as Anki's collection exposes `col.decks` and `col.tags`.

Every area of one `DeskService` shares one `Seat`: the unit-of-work factory, the current actor (sign-in
replaces it, and every area sees the change at once) and the UI language for names in read models. An area
method opens its own unit of work (`self.uow()`), so it is safe to call from the DB-lane thread; no ORM row or
session ever leaves it.

To add a group (say `desk.staff`), write in your own module::

    class StaffArea(DeskArea):
        def list_staff(self) -> tuple[Staff, ...]:
            with self.uow() as uow:
                ...

        def add_staff(self, cmd: AddStaff) -> Result:
            return staff.add_staff(self.uow(), cmd, self.actor)

and add ONE line to `DeskService.__init__` in `usecases/desk.py`: ``self.staff = StaffArea(seat)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from salon_desk.domain.model import Actor
from salon_desk.store.uow import UnitOfWork


def _arabic() -> str:
    return "ar"


@dataclass
class Seat:
    """What every area of one desk shares: where to open a unit of work, who acts, in which UI language."""

    uow_factory: Callable[[], UnitOfWork]
    actor: Actor
    language: Callable[[], str] = field(default=_arabic)


class DeskArea:
    """Base of one facade group. Subclasses add methods only; they keep no state of their own."""

    def __init__(self, seat: Seat) -> None:
        self._seat = seat

    def uow(self) -> UnitOfWork:
        """A fresh unit of work (use it as `with self.uow() as uow:` or hand it to a use case)."""
        return self._seat.uow_factory()

    @property
    def actor(self) -> Actor:
        """Who acts now (changes when a user signs in)."""
        return self._seat.actor

    def language(self) -> str:
        """The UI language ("ar" or "en"), for names in read models."""
        return self._seat.language()

    def now(self) -> datetime:
        """The desk's clock (tz-aware UTC)."""
        return self.uow().clock()
