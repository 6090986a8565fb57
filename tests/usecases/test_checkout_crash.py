"""A crash at every step of checkout: the desk recovers, money is never wrong and the series stays gap-free."""

from __future__ import annotations

import uuid

import pytest

from salon_desk.domain.checkout import CheckoutLine, CheckoutStatus, LineKind, Tender, TenderMethod
from salon_desk.usecases import checkout as checkout_module
from salon_desk.usecases.checkout import OpenCheckout, TakePayment

STEPS = ("payment.validated", "payment.written", "payment.status", "payment.committed", "invoice.numbered",
         "invoice.written", "invoice.status", "invoice.committed")


class Crash(Exception):
    pass


def _sale(desk, price: int) -> str:
    line = CheckoutLine(str(uuid.uuid4()), LineKind.PRODUCT, "شامبو", "Shampoo", price)
    return desk.checkout.open(OpenCheckout(None, extra_lines=(line,))).id


@pytest.mark.parametrize("step", STEPS)
def test_a_crash_at_every_step_is_recovered_gap_free(desk_service, clock, monkeypatch, step):
    desk = desk_service
    # One sale before, issued normally.
    first = _sale(desk, 5_000)
    assert desk.checkout.pay(TakePayment(first, Tender(TenderMethod.CASH, 5_000), str(uuid.uuid4()))).invoice

    cid = _sale(desk, 11_500)
    key = str(uuid.uuid4())

    def crash(name: str) -> None:
        if name == step:
            raise Crash(name)

    monkeypatch.setattr(checkout_module, "checkpoint", crash)
    with pytest.raises(Crash):
        desk.checkout.pay(TakePayment(cid, Tender(TenderMethod.CASH, 11_500), key))
    monkeypatch.setattr(checkout_module, "checkpoint", lambda name: None)

    # The desk restarts: pending invoices are issued, then the receptionist retries the same click.
    clock.advance(minutes=1)
    desk.checkout.resume()
    view = desk.checkout.get(cid)
    if view.status is CheckoutStatus.OPEN:  # the crash came before the payment committed: nothing was recorded
        assert view.payments == () and view.balance_halalas == 11_500
        desk.checkout.pay(TakePayment(cid, Tender(TenderMethod.CASH, 11_500), key))
    else:  # the retried click finds its payment and does not take it twice
        desk.checkout.pay(TakePayment(cid, Tender(TenderMethod.CASH, 11_500), key))
    view = desk.checkout.get(cid)
    assert view.status is CheckoutStatus.INVOICED and view.paid_halalas == 11_500 == view.invoice.gross
    assert len(view.payments) == 1
    # Later sales continue the series without a gap, and the chain verifies.
    third = _sale(desk, 2_000)
    clock.advance(minutes=1)
    assert desk.checkout.pay(TakePayment(third, Tender(TenderMethod.CASH, 2_000), str(uuid.uuid4()))).invoice
    with desk._seat.uow_factory() as uow:
        series = uow.money.active_series().series
        numbers = [d.number for d in uow.money.chain(series)]
    assert numbers == [1, 2, 3]
    assert desk.checkout.verify_invoices() == []
    assert desk.checkout.series().last_invoice_number == 3
