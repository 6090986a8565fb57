"""The salon's own deposit policy (issue #12): the owner chooses it on a desk, `salon.patch` carries it to the
cloud, and the cloud applies THAT policy (keep on an early cancel, refund on a no-show) and states it on the
booking page before paying, in Arabic and English. A receptionist's forged change is refused. SQLite and
PostgreSQL (the cloud_server fixture)."""

from __future__ import annotations

import re
from datetime import timedelta

from salon_desk.domain.booking import Role
from salon_desk.domain.model import Actor
from salon_desk.sync.schemas.names import MutationName
from salon_desk.usecases.commands import CancelBooking, TransitionBooking
from tests.cloud.deposit_world import owner_sets_deposit
from tests.sync.conftest import SyncWorld, sync_world  # noqa: F401 - fixture
from tests.sync.test_catalogue_sync import receipt_codes, record, signed_in, staffed

from .test_deposit_policy_cloud import (  # noqa: F401 - fixtures
    DEPOSIT,
    SECRET,
    FakeMoyasar,
    cloud_server,
    deposit_audit,
    fake,
    move_clocks_to,
    paid_deposit,
    refund_calls,
    requests_of,
    starts_at,
)
from .test_links import Customer, booked_link


def choose_policy(world: SyncWorld, **choices: str) -> None:
    """The owner saves the salon's deposit policy on Desk 1, which pushes it to the cloud."""
    desk = world.desk("Desk 1") if not world.desks else world.desks[0]
    owner = staffed(desk)
    signed_in(owner, Role.OWNER)
    owner.salon_profile.update(choices)
    assert desk.sync.sync_once().refused == 0, receipt_codes(world, desk)


def ask_deposit(world: SyncWorld, fake: FakeMoyasar) -> None:  # noqa: F811
    """The salon takes deposits online: its booking pages ask for one before confirming."""
    cloud = world.cloud
    account = fake.add_account(webhook_url=f"{cloud.base_url}/v1/webhooks/moyasar", webhook_secret=SECRET)
    cloud.app.state.payments.configure_account(
        world.salon_id, secret_key=account.secret_key, publishable_key=account.publishable_key,
        webhook_secret=SECRET, actor="test")
    owner_sets_deposit(world, DEPOSIT)


def stated_policy(world: SyncWorld, lang: str) -> str:
    """The policy paragraph of a new booking's page, before paying."""
    page = Customer(booked_link(world), lang).open()
    found = re.search(r'<p class="muted" id="deposit-policy">(.*?)</p>', page.text, re.S)
    assert found, page.text[-2000:]
    return re.sub(r"<[^>]+>", "", found.group(1))


def test_a_salon_that_keeps_on_cancel_keeps_an_early_cancellations_deposit(
    sync_world: SyncWorld, fake: FakeMoyasar  # noqa: F811
) -> None:
    choose_policy(sync_world, deposit_on_cancel="keep")
    case, customer, payment_id = paid_deposit(sync_world, fake)
    case.desk.service.bookings.cancel(CancelBooking(case.booking_id, "changed her mind"))  # days ahead
    assert case.desk.sync.sync_once().error is None
    case.cloud.app.state.payments.run_deposit_refunds()
    assert requests_of(case) == [] and refund_calls(fake, payment_id) == 0
    [(action, actor, facts)] = deposit_audit(case)
    assert (action, actor, facts["rule"], facts["late"]) == ("deposit.keep", "policy:desk_cancel", "on_cancel",
                                                               False)
    assert "is kept, as the salon" in customer.open().text


def test_a_salon_that_refunds_a_no_show_refunds_it_once(sync_world: SyncWorld, fake: FakeMoyasar) -> None:  # noqa: F811
    choose_policy(sync_world, deposit_on_no_show="refund")
    case, customer, payment_id = paid_deposit(sync_world, fake)
    move_clocks_to(case, starts_at(case) + timedelta(minutes=20))
    case.desk.service.bookings.transition(TransitionBooking(case.booking_id, "no_show"))
    assert case.desk.sync.sync_once().error is None
    [queued] = requests_of(case)
    assert (queued.amount_halalas, queued.actor) == (DEPOSIT, "policy:no_show")
    payments = case.cloud.app.state.payments
    assert payments.run_deposit_refunds() == 1 and payments.run_deposit_refunds() == 0
    assert refund_calls(fake, payment_id) == 1 and fake.payment(payment_id)["refunded"] == DEPOSIT
    [(action, _, facts)] = deposit_audit(case)
    assert (action, facts["rule"]) == ("deposit.refund", "on_no_show")
    assert "was refunded to your card" in customer.open().text


def test_the_booking_page_states_the_salons_own_policy_before_paying(
    sync_world: SyncWorld, fake: FakeMoyasar  # noqa: F811
) -> None:
    ask_deposit(sync_world, fake)
    default_en = stated_policy(sync_world, "en")
    assert "It is refunded if you cancel before" in default_en and "It is kept if you cancel later." in default_en
    assert "It is kept if you do not come." in default_en
    assert "It carries over to the new time if the salon reschedules you." in default_en
    choose_policy(sync_world, deposit_on_cancel="keep", deposit_on_no_show="refund",
                  deposit_on_reschedule="refund")
    en, ar = stated_policy(sync_world, "en"), stated_policy(sync_world, "ar")
    assert en == ("The deposit is deducted from your bill. It is kept if you cancel. It is refunded if you do "
                  "not come. It is refunded if the salon reschedules you.")
    assert ar == ("يُخصم العربون من فاتورتك. لا يُسترد إذا ألغيت الحجز. يُسترد إذا لم تحضر. "
                  "يُسترد إذا غيّر الصالون موعدك.")


def test_only_the_owner_changes_the_policy(sync_world: SyncWorld, fake: FakeMoyasar) -> None:  # noqa: F811
    ask_deposit(sync_world, fake)
    desk = sync_world.desks[0]  # the owner's desk, where the deposit was set
    receptionist = next(u.id for u in staffed(desk).users.list() if u.role is Role.RECEPTIONIST)
    forged = Actor(receptionist, Role.OWNER, desk.device_id)
    record(desk, MutationName.SALON_PATCH, "salon", sync_world.salon_id,
           {"fields": {"deposit_on_cancel": "keep"}}, forged)
    desk.sync.sync_once()
    assert receipt_codes(sync_world, desk)[-1] == "permission.denied"
    assert "It is refunded if you cancel before" in stated_policy(sync_world, "en")
