"""The repositories a unit of work carries, created lazily on its session."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from .repo_audit import AuditRepository
from .repo_bookings import BookingRepository
from .repo_catalogue import CatalogueRepository
from .repo_conflicts import ConflictRepository
from .repo_money import MoneyRepository
from .repo_people import CustomerRepository, WaitlistRepository, WalkInRepository
from .repo_reference import ReferenceRepository
from .repo_salon_audit import SalonAuditRepository
from .repo_users import UserRepository

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class Repositories:
    @property
    def session(self) -> Session:
        raise NotImplementedError  # the unit of work opens it

    def _fresh(self) -> None:
        for name in ("reference", "bookings", "customers", "walkins", "waitlist", "conflicts", "money",
                     "users", "audit_events", "salon_audit", "catalogue"):
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

    @cached_property
    def conflicts(self) -> ConflictRepository:
        return ConflictRepository(self.session)

    @cached_property
    def money(self) -> MoneyRepository:
        return MoneyRepository(self.session)

    @cached_property
    def users(self) -> UserRepository:
        return UserRepository(self.session)

    @cached_property
    def catalogue(self) -> CatalogueRepository:
        """Writes of staff, services, availability and the salon profile (issue #10)."""
        return CatalogueRepository(self.session)

    @cached_property
    def audit_events(self) -> AuditRepository:
        return AuditRepository(self.session)

    @cached_property
    def salon_audit(self) -> SalonAuditRepository:
        """The other desks' audit events (issue #10)."""
        return SalonAuditRepository(self.session)
