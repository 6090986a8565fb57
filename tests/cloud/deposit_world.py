"""The deposit a salon asks (issue #12) has one home, the salon profile: tests set it the way the owner does,
on a desk's salon page (the salon-profile use case), and the desk's sync carries it to the cloud (salon.patch)."""

from __future__ import annotations

from salon_desk.domain.booking import Role
from tests.sync.conftest import SyncWorld
from tests.sync.test_catalogue_sync import receipt_codes, signed_in, staffed


def owner_sets_deposit(world: SyncWorld, halalas: int) -> None:
    """The owner types the salon's "Deposit (SAR)" on Desk 1 and the desk syncs."""
    desk = world.desks[0] if world.desks else world.desk("Desk 1")
    owner = staffed(desk)
    signed_in(owner, Role.OWNER)
    owner.salon_profile.update({"deposit_halalas": halalas})
    report = desk.sync.sync_once()
    assert report.error is None and report.refused == 0, receipt_codes(world, desk)
