"""`desk.online_payments` (issue #12): a visit's Moyasar pay links as the cloud last said, "Send pay link", and
a manager's refund or void.

The money's state is cloud-owned: the desk reads its replica (pulled like every row, never written here) and
asks the cloud for changes through a `PaymentsCloud` (the composition root connects one built on the desk's
sync transport). Asking needs the network: offline, the desk says so and queues nothing. Each request runs
in three steps so no network call holds the DB lane: prepare (DB: checks, the manager's authority), ask (network),
record (DB: this desk's own audit event of who asked; the new state arrives by pull).

    ticket = desk.online_payments.prepare_link(SendPayLink(booking_id, None, "balance", 12_000, key))
    answer = desk.online_payments.request_link(ticket)
    desk.online_payments.record_link(ticket, answer)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from salon_desk.domain.errors import Conflict, DomainError, NotFound, ValidationError
from salon_desk.domain.model import Actor, Changes
from salon_desk.domain.online_payments import (
    OnlinePayment,
    OnlineState,
    check_link_amount,
    check_online_refund,
    check_online_void,
    online_state,
)
from salon_desk.domain.payments import check_cancel_link
from salon_desk.domain.permissions import Permission
from salon_desk.store.repo_online_payments import OnlinePaymentRepository
from salon_desk.store.uow import UnitOfWork

from .area import DeskArea
from .authority import authorise
from .users import desk_users

PURPOSES = ("deposit", "balance")


class PaymentsCloud(Protocol):
    """The cloud's payment endpoints. Raises DomainError: `online_payments.offline` when unreachable, the
    cloud's own code (translated on the desk) when it refuses."""

    def create_pay_link(self, body: dict[str, Any]) -> dict[str, Any]: ...

    def refund_online(self, payment_id: str, body: dict[str, Any]) -> dict[str, Any]: ...

    def cancel_pay_link(self, link_id: str) -> dict[str, Any]: ...

    def void_online(self, payment_id: str, body: dict[str, Any]) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class SendPayLink:
    booking_id: str | None
    checkout_id: str | None
    purpose: str  # deposit | balance
    amount_halalas: int
    idempotency_key: str  # made once per "Send" press: a retry after a lost answer gets the same link


@dataclass(frozen=True, slots=True)
class PayLinkTicket:
    body: dict[str, Any]
    actor: Actor


@dataclass(frozen=True, slots=True)
class PayLinkAnswer:
    link_id: str
    status: str
    amount_halalas: int
    notified: bool  # the message to the customer was queued


@dataclass(frozen=True, slots=True)
class RefundOnlinePayment:
    link_id: str
    amount_halalas: int | None  # None: everything left
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class MoneyBackTicket:
    """A refund or a void of one online payment, authorised on the desk and ready for the cloud."""

    link_id: str
    payment_id: str
    body: dict[str, Any]
    actor: Actor  # the manager whose authority (own sign-in or PIN) allows it


@dataclass(frozen=True, slots=True)
class RefundAnswer:
    status: str
    amount_halalas: int
    refunded_halalas: int


@dataclass(frozen=True, slots=True)
class VoidOnlinePayment:
    link_id: str
    idempotency_key: str  # made once per "Void" press


@dataclass(frozen=True, slots=True)
class VoidAnswer:
    status: str  # voided
    amount_halalas: int


@dataclass(frozen=True, slots=True)
class CancelTicket:
    link_id: str
    actor: Actor


@dataclass(frozen=True, slots=True)
class CancelAnswer:
    link_id: str
    status: str  # cancelled, or paid when the customer paid just before
    paid_halalas: int


@dataclass(frozen=True, slots=True)
class OnlinePaymentLine:
    """One link as the payment panel shows it."""

    payment: OnlinePayment
    state: OnlineState

    @property
    def refundable(self) -> bool:
        return self.payment.refundable_halalas > 0

    @property
    def cancellable(self) -> bool:
        return self.state is OnlineState.REQUESTED

    @property
    def voidable(self) -> bool:
        """Paid and nothing refunded: a void may be asked (a bill's claim, or settlement, may still refuse it)."""
        return self.state is OnlineState.PAID and self.payment.payment_id is not None


class OnlinePaymentsArea(DeskArea):
    """Reads the replica; sends links and refunds through the connected cloud."""

    _cloud: Callable[[], PaymentsCloud | None] | None = None

    def connect(self, cloud: Callable[[], PaymentsCloud | None]) -> None:
        """The composition root: where to reach the cloud (it answers None while this desk is not enrolled)."""
        self._cloud = cloud

    # --- reads -----------------------------------------------------------------------------------------
    def for_visit(self, booking_id: str | None, checkout_id: str | None = None) -> tuple[OnlinePaymentLine, ...]:
        with self.uow() as uow:
            now = uow.clock()
            found = OnlinePaymentRepository(uow.session).for_visit(booking_id, checkout_id)
            return tuple(OnlinePaymentLine(p, online_state(p, now)) for p in found)

    def user_names(self) -> dict[str, str]:
        """Desk user id -> name, to say who refunded (the cloud's history names users by id)."""
        return {user.id: user.name for user in desk_users(self.uow(), active_only=False)}

    # --- pay links ---------------------------------------------------------------------------------------
    def prepare_link(self, cmd: SendPayLink) -> PayLinkTicket:
        if cmd.purpose not in PURPOSES or not 8 <= len(cmd.idempotency_key) <= 80:
            raise ValidationError("payments.amount_invalid")
        check_link_amount(cmd.amount_halalas)
        with self.uow() as uow:
            booking = uow.bookings.get(cmd.booking_id) if cmd.booking_id else None
            if booking is None or not booking.customer_id:
                raise Conflict("online_payments.no_customer")
            customer = uow.customers.get(booking.customer_id)
            if customer is None or not customer.phone:
                raise Conflict("online_payments.no_customer")
            language = customer.language if customer.language in ("ar", "en") else "ar"
        body = {
            "idempotency_key": cmd.idempotency_key, "amount_halalas": cmd.amount_halalas, "purpose": cmd.purpose,
            "booking_id": cmd.booking_id, "checkout_id": cmd.checkout_id, "lang": language,
            "notify_customer": True,
        }
        return PayLinkTicket(body, self.actor)

    def request_link(self, ticket: PayLinkTicket) -> PayLinkAnswer:
        """Network lane: asks the cloud for the link and its message to the customer."""
        answer = self._connected().create_pay_link(ticket.body)
        try:
            return PayLinkAnswer(str(answer["id"]), str(answer["status"]), int(answer["amount_halalas"]),
                                 bool(answer.get("notified")))
        except (KeyError, TypeError, ValueError):
            raise DomainError("online_payments.refused", reason="answer") from None

    def record_link(self, ticket: PayLinkTicket, answer: PayLinkAnswer) -> Changes:
        """This desk's audit event: who sent which link (the link's own history comes from the cloud)."""
        after = {"amount_halalas": answer.amount_halalas, "purpose": ticket.body["purpose"],
                 "booking_id": ticket.body["booking_id"], "notified": answer.notified}
        return self._audit(ticket.actor, "online_payment.link_sent", answer.link_id, after)

    def send_link(self, cmd: SendPayLink) -> PayLinkAnswer:
        """All three steps at once (command line, tests)."""
        ticket = self.prepare_link(cmd)
        answer = self.request_link(ticket)
        self.record_link(ticket, answer)
        return answer

    # --- refunds -----------------------------------------------------------------------------------------
    def authorise_refund(self, cmd: RefundOnlinePayment, manager_pin: str | None = None) -> MoneyBackTicket:
        """DB lane: the manager's authority (a receptionist's is refused with `permission.denied`, which the
        PIN dialog lifts) and the desk's own check of the amount."""
        with self.uow() as uow:
            acting, payment, payment_id = _manager_and_payment(uow, self.actor, Permission.REFUND, cmd.link_id,
                                                               manager_pin)
            amount = check_online_refund(payment, cmd.amount_halalas)
            uow.commit()  # a PIN lock-out counter reset, if any
        body: dict[str, Any] = {"idempotency_key": cmd.idempotency_key, "actor_id": acting.user_id}
        if amount is not None:
            body["amount_halalas"] = amount
        return MoneyBackTicket(cmd.link_id, payment_id, body, acting)

    def request_refund(self, ticket: MoneyBackTicket) -> RefundAnswer:
        answer = self._connected().refund_online(ticket.payment_id, ticket.body)
        try:
            return RefundAnswer(str(answer["status"]), int(answer["amount_halalas"]),
                                int(answer["refunded_halalas"]))
        except (KeyError, TypeError, ValueError):
            raise DomainError("online_payments.refused", reason="answer") from None

    def record_refund(self, ticket: MoneyBackTicket, answer: RefundAnswer) -> Changes:
        after = {"payment_id": ticket.payment_id, "asked_halalas": ticket.body.get("amount_halalas"),
                 "refunded_halalas": answer.refunded_halalas, "status": answer.status}
        return self._audit(ticket.actor, "online_payment.refund", ticket.link_id, after)

    def refund(self, cmd: RefundOnlinePayment, manager_pin: str | None = None) -> RefundAnswer:
        ticket = self.authorise_refund(cmd, manager_pin)
        answer = self.request_refund(ticket)
        self.record_refund(ticket, answer)
        return answer

    # --- voiding -----------------------------------------------------------------------------------------
    def authorise_void(self, cmd: VoidOnlinePayment, manager_pin: str | None = None) -> MoneyBackTicket:
        """DB lane: the manager's authority (`permission.denied` for a receptionist, which the PIN dialog
        lifts), then the void rule on what this desk holds: money a bill already counts is refused
        (`payments.void_claimed`; refund it instead). The cloud checks both again."""
        with self.uow() as uow:
            acting, payment, payment_id = _manager_and_payment(uow, self.actor, Permission.VOID, cmd.link_id,
                                                               manager_pin)
            check_online_void(payment, claimed=bool(uow.money.online_claims([payment.id])))
            uow.commit()  # a PIN lock-out counter reset, if any
        body = {"idempotency_key": cmd.idempotency_key, "actor_id": acting.user_id}
        return MoneyBackTicket(cmd.link_id, payment_id, body, acting)

    def request_void(self, ticket: MoneyBackTicket) -> VoidAnswer:
        answer = self._connected().void_online(ticket.payment_id, ticket.body)
        try:
            return VoidAnswer(str(answer["status"]), int(answer["amount_halalas"]))
        except (KeyError, TypeError, ValueError):
            raise DomainError("online_payments.refused", reason="answer") from None

    def record_void(self, ticket: MoneyBackTicket, answer: VoidAnswer) -> Changes:
        after = {"payment_id": ticket.payment_id, "amount_halalas": answer.amount_halalas, "status": answer.status}
        return self._audit(ticket.actor, "online_payment.void", ticket.link_id, after)

    def void(self, cmd: VoidOnlinePayment, manager_pin: str | None = None) -> VoidAnswer:
        """All three steps at once (command line, tests)."""
        ticket = self.authorise_void(cmd, manager_pin)
        answer = self.request_void(ticket)
        self.record_void(ticket, answer)
        return answer

    # --- cancelling a link --------------------------------------------------------------------------------
    def prepare_cancel(self, link_id: str) -> CancelTicket:
        """DB lane: only a link still waiting for the customer can be cancelled (the cloud checks again)."""
        with self.uow() as uow:
            payment = OnlinePaymentRepository(uow.session).get(link_id)
            if payment is None:
                raise NotFound("online_payments.not_found")
            check_cancel_link(payment.status)
        return CancelTicket(link_id, self.actor)

    def request_cancel(self, ticket: CancelTicket) -> CancelAnswer:
        """Network lane: the cloud cancels the Moyasar invoice (if the customer paid meanwhile, money wins)."""
        answer = self._connected().cancel_pay_link(ticket.link_id)
        try:
            return CancelAnswer(str(answer["id"]), str(answer["status"]), int(answer["paid_halalas"]))
        except (KeyError, TypeError, ValueError):
            raise DomainError("online_payments.refused", reason="answer") from None

    def record_cancel(self, ticket: CancelTicket, answer: CancelAnswer) -> Changes:
        return self._audit(ticket.actor, "online_payment.link_cancel", ticket.link_id,
                           {"status": answer.status, "paid_halalas": answer.paid_halalas})

    def cancel_link(self, link_id: str) -> CancelAnswer:
        """All three steps at once (command line, tests)."""
        ticket = self.prepare_cancel(link_id)
        answer = self.request_cancel(ticket)
        self.record_cancel(ticket, answer)
        return answer

    # --- helpers -----------------------------------------------------------------------------------------
    def _connected(self) -> PaymentsCloud:
        cloud = self._cloud() if self._cloud is not None else None
        if cloud is None:
            raise Conflict("online_payments.not_enrolled")
        return cloud

    def _audit(self, actor: Actor, action: str, link_id: str, after: dict[str, Any]) -> Changes:
        with self.uow() as uow:
            OnlinePaymentRepository.record_request(uow, actor, action, link_id, after)
            return uow.commit()


def _manager_and_payment(
    uow: UnitOfWork, actor: Actor, permission: Permission, link_id: str, manager_pin: str | None
) -> tuple[Actor, OnlinePayment, str]:
    """The acting manager (`permission.denied` for a receptionist, which the PIN dialog lifts) and the link's
    replicated payment with its Moyasar id, for a refund or a void."""
    acting = authorise(uow, actor, permission, manager_pin)
    payment = OnlinePaymentRepository(uow.session).get(link_id)
    if payment is None or payment.payment_id is None:
        raise NotFound("online_payments.not_found")
    return acting, payment, payment.payment_id
