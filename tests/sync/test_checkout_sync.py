"""Checkout through sync (issue #11): two desks sell offline, then sync; numbers never collide, the cloud keeps
them as issued and every desk sees both series; tampered or colliding documents are refused; a payment that
reaches a desk after its day was closed counts in the next close. Real uvicorn on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from salon_desk.cloud.sync.tables import REPLICATED_TABLES
from salon_desk.domain.checkout import CheckoutLine, LineKind, Tender, TenderMethod
from salon_desk.sync.schemas.names import MutationName
from salon_desk.usecases.checkout import CloseDay, OpenCheckout, TakePayment

from .conftest import Desk, SyncWorld

INVOICES, PAYMENTS, CONFLICTS = (REPLICATED_TABLES[n] for n in ("invoice", "payment", "sync_conflict"))


def _sell(desk: Desk, price: int) -> str:
    line = CheckoutLine(str(uuid.uuid4()), LineKind.PRODUCT, "شامبو", "Shampoo", price)
    cid = desk.service.checkout.open(OpenCheckout(None, extra_lines=(line,))).id
    out = desk.service.checkout.pay(TakePayment(cid, Tender(TenderMethod.CASH, price), str(uuid.uuid4())))
    assert out.invoice is not None
    desk.clock.advance(minutes=1)
    return out.invoice.id


def _cloud(world: SyncWorld, table, *where):  # type: ignore[no-untyped-def]
    with world.cloud.db.session() as session:
        return list(session.execute(select(table).where(table.c.salon_id == world.salon_id, *where)).mappings())


def test_two_desks_offline_then_sync_without_collision(sync_world: SyncWorld) -> None:
    desk1, desk2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    ids1 = [_sell(desk1, 1000 * (i + 1)) for i in range(3)]
    ids2 = [_sell(desk2, 700 * (i + 1)) for i in range(2)]
    desk1.sync.sync_once()
    desk2.sync.sync_once()
    desk1.sync.sync_once()
    rows = _cloud(sync_world, INVOICES)
    assert {r["id"] for r in rows} == set(ids1 + ids2)
    by_series: dict[str, list[int]] = {}
    for r in rows:
        by_series.setdefault(r["series"], []).append(r["number"])
    assert sorted(sorted(v) for v in by_series.values()) == [[1, 2], [1, 2, 3]]  # numbers kept as issued
    assert _cloud(sync_world, CONFLICTS) == []
    # each desk now holds the other's invoices too, and its own chain still verifies
    assert desk1.scalar("SELECT COUNT(*) FROM invoice") == 5 == desk2.scalar("SELECT COUNT(*) FROM invoice")
    assert desk1.service.checkout.verify_invoices() == [] and desk2.service.checkout.verify_invoices() == []
    # desk 2 continues its own series: no number of desk 1's is reused
    _sell(desk2, 300)
    series2 = desk2.service.checkout.series()
    assert series2.last_invoice_number == 3
    assert series2.series not in {r["series"] for r in rows if r["id"] in ids1}


def test_a_restored_desk_continues_after_the_clouds_last_number(sync_world: SyncWorld) -> None:
    desk = sync_world.desk("Desk 1")
    _sell(desk, 1000)
    desk.sync.sync_once()
    series = desk.service.checkout.series().series
    # A backup from before those sales comes back: the counter forgot them, the pulled rows did not.
    with desk.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE invoice_counter SET last_number = 0, last_counter = 0, last_hash = ''")
    _sell(desk, 2000)
    desk.sync.sync_once()
    numbers = sorted(r["number"] for r in _cloud(sync_world, INVOICES, INVOICES.c.series == series))
    assert numbers == [1, 2]
    assert desk.service.checkout.verify_invoices() == []


def test_tampered_or_colliding_invoices_are_refused_by_the_cloud(sync_world: SyncWorld) -> None:
    desk = sync_world.desk("Desk 1")
    _sell(desk, 1000)
    with desk.engine.begin() as conn:  # a desk that edits the amount after issue (bypassing the store)
        conn.exec_driver_sql(
            "UPDATE outbox SET args = json_set(args, '$.gross_halalas', 1100, '$.net_halalas', 957, "
            "'$.vat_halalas', 143, '$.lines[0].gross', 1100, '$.lines[0].net', 957, '$.lines[0].vat', 143, '$.payments[0][1]', 1100) "
            "WHERE name = :n".replace(":n", f"'{MutationName.INVOICE_ISSUE.value}'"))
    desk.sync.sync_once()
    assert _cloud(sync_world, INVOICES) == []
    codes = {r["params"].get("code") for r in _cloud(sync_world, CONFLICTS)}
    assert "invoice.tampered" in codes  # the refusal is on a conflict card every desk sees
    assert _cloud(sync_world, PAYMENTS)  # the money taken is still recorded


def test_a_payment_synced_in_after_a_close_counts_in_the_next_close(sync_world: SyncWorld) -> None:
    desk = sync_world.desk("Desk 1")
    day = desk.service.calendar.business_day(desk.clock.now)
    _sell(desk, 1000)
    first = desk.service.checkout.close_day(CloseDay(day, 1000))
    assert first.variance_halalas == 0
    desk.clock.advance(days=1)
    next_day = desk.service.calendar.business_day(desk.clock.now)
    late = _sell(desk, 500)
    with desk.engine.begin() as conn:  # it was taken yesterday, recorded after yesterday closed
        conn.exec_driver_sql("UPDATE payment SET business_day = :d WHERE checkout_id = (SELECT checkout_id FROM "
                             "invoice WHERE id = :i)".replace(":d", f"'{day.isoformat()}'").replace(":i", f"'{late}'"))
    second = desk.service.checkout.close_day(CloseDay(next_day, 1500))
    assert second.figures["takings"] == {"cash": 500} and len(second.figures["adjustments"]) == 1
    desk.sync.sync_once()
    closes = _cloud(sync_world, REPLICATED_TABLES["daily_close"])
    assert sorted(c["business_day"] for c in closes) == [day, next_day]


def test_a_credit_note_by_someone_the_cloud_does_not_know_as_a_manager_is_refused(sync_world: SyncWorld) -> None:
    from salon_desk.domain.booking import Role
    from salon_desk.domain.checkout import RefundLine
    from salon_desk.domain.model import Actor
    from salon_desk.usecases.checkout import RefundInvoice
    from salon_desk.usecases.desk import DeskService

    desk = sync_world.desk("Desk 1")
    invoice_id = _sell(desk, 1000)
    forged = Actor("00000000-0000-7000-8000-0000000000ee", Role.OWNER, desk.device_id, "Not a user")
    manager_desk = DeskService(desk.service._seat.uow_factory, forged)
    note = manager_desk.checkout.refund(RefundInvoice(invoice_id, "damaged", (RefundLine(0, 1000),)))
    desk.sync.sync_once()
    assert [r["id"] for r in _cloud(sync_world, INVOICES)] == [invoice_id]  # the sale itself is kept
    assert _cloud(sync_world, REPLICATED_TABLES["credit_note"]) == []
    cards = _cloud(sync_world, CONFLICTS)
    assert [(c["entity_id"], c["params"]["code"]) for c in cards] == [(note.id, "permission.denied")]


def test_a_discount_beyond_the_salons_limit_needs_a_manager_the_cloud_knows(sync_world: SyncWorld) -> None:
    """The cloud re-checks a pushed bill's discount against the salon's limit (20 % by default): beyond it,
    the actor must be a manager in the cloud's copy of the salon's users, whatever role the desk claimed."""
    from salon_desk.domain.booking import Role
    from salon_desk.domain.checkout import Discount
    from salon_desk.domain.model import Actor
    from salon_desk.usecases.desk import DeskService

    desk = sync_world.desk("Desk 1")
    forged = Actor("00000000-0000-7000-8000-0000000000ef", Role.OWNER, desk.device_id, "Not a user")
    claimed = DeskService(desk.service._seat.uow_factory, forged)
    line = CheckoutLine(str(uuid.uuid4()), LineKind.PRODUCT, "شامبو", "Shampoo", 10_000)
    small = claimed.checkout.open(OpenCheckout(None, extra_lines=(line,), order_discount=Discount.percent(1_000))).id
    line = CheckoutLine(str(uuid.uuid4()), LineKind.PRODUCT, "شامبو", "Shampoo", 10_000)
    large = claimed.checkout.open(OpenCheckout(None, extra_lines=(line,), order_discount=Discount.percent(5_000))).id
    desk.sync.sync_once()
    kept = {r["id"] for r in _cloud(sync_world, REPLICATED_TABLES["checkout"])}
    assert small in kept and large not in kept
    cards = [(c["entity_id"], c["params"]["code"]) for c in _cloud(sync_world, CONFLICTS)]
    assert (large, "permission.denied") in cards
