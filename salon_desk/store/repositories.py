"""The repositories a unit of work carries, created lazily on its session."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from .repo_bookings import BookingRepository
from .repo_people import CustomerRepository, WaitlistRepository, WalkInRepository
from .repo_reference import ReferenceRepository

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class Repositories:
    @property
    def session(self) -> Session:
        raise NotImplementedError  # the unit of work opens it

    def _fresh(self) -> None:
        for name in ("reference", "bookings", "customers", "walkins", "waitlist"):
            self.__dict__.pop(name, None)

    @cached_property
    def reference(self) -> ReferenceRepository:
        return ReferenceRepository(self.session)

    @cached_property
    def bookings(self) -> BookingRepository:
        return BookingRepository(self.session)

    @cached_property
    def customers(self) -> CustomerRepository:
        return CustomerRepository(self.session)

    @cached_property
    def walkins(self) -> WalkInRepository:
        return WalkInRepository(self.session)

    @cached_property
    def waitlist(self) -> WaitlistRepository:
        return WaitlistRepository(self.session)
