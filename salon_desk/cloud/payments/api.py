"""HTTP for online payments (issue #12).

Desks (bearer device token):
    PUT  /v1/payments/account              manager desk: the salon's Moyasar keys (write-only) and link expiry
                                           (the deposit amount is the salon profile's, via salon.patch)
    GET  /v1/payments/account              whether payments are set up (never a secret)
    POST /v1/payments/links                a pay link for a booking's deposit or balance (idempotent by key)
    GET  /v1/payments/links/{id}           its live status
    POST /v1/payments/links/{id}/cancel
    GET  /v1/payments/bookings/{id}        a booking's links and online payments
    POST /v1/payments/{payment_id}/refund  manager authority (the cloud's copy of desk users)
    POST /v1/payments/{payment_id}/void    manager authority; money a bill counts: payments.void_claimed
Moyasar:
    POST /v1/webhooks/moyasar              stored by event id, answered at once; the job applies it
Customers (the salon service's own domain):
    GET  /p/{token}                        303 to Moyasar's hosted checkout while the link can be paid
    GET  /p/{token}/done                   the outcome, read from our records (never the query string)
"""

from __future__ import annotations

import html
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from salon_desk.domain.errors import Conflict, DomainError, Forbidden, NotFound
from salon_desk.domain.payments import LinkStatus
from salon_desk.domain.permissions import Permission, allows
from salon_desk.sync.protocol import UUID_PATTERN

from ..deps import Language, ReadSession, Services
from ..devices.auth import CurrentDevice, ManagerDevice
from ..devices.service import AuthenticatedDevice
from ..errors import http_status
from ..i18n import negotiate_language, translate
from ..sync.users import desk_user, has_users
from .messages import send_pay_link
from .service import LinkRequest, LinkView, PaymentsService, PaymentView

router = APIRouter(tags=["payments"])


async def get_payments(request: Request) -> PaymentsService:
    payments: PaymentsService = request.app.state.payments
    return payments


Payments = Annotated[PaymentsService, Depends(get_payments)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class AccountIn(Strict):
    secret_key: str = Field(min_length=16, max_length=200)
    publishable_key: str = Field(min_length=16, max_length=200)
    webhook_secret: str = Field(min_length=8, max_length=200)
    link_ttl_hours: int = Field(48, ge=1, le=24 * 30)


class AccountOut(BaseModel):
    configured: bool
    publishable_key: str | None
    live: bool | None


class LinkIn(Strict):
    idempotency_key: str = Field(min_length=8, max_length=80)
    amount_halalas: int = Field(ge=1, le=100_000_000)
    purpose: Literal["deposit", "balance"] = "deposit"
    booking_id: str | None = Field(None, max_length=36)
    lang: Literal["ar", "en"] = "ar"
    checkout_id: str | None = Field(None, pattern=UUID_PATTERN)
    # The desk's "Send pay link": the link goes to the booking's customer by SMS/WhatsApp, in their language.
    notify_customer: bool = False


class LinkOut(BaseModel):
    id: str
    status: str
    amount_halalas: int
    purpose: str
    booking_id: str | None
    url: str
    expires_at: str
    paid_halalas: int
    refunded_halalas: int
    notified: bool = False  # the link went to the customer's message queue (notify_customer)


class PaymentOut(BaseModel):
    id: str
    status: str
    amount_halalas: int
    refunded_halalas: int
    link_id: str | None
    booking_id: str | None
    company: str | None


class BookingPaymentsOut(BaseModel):
    links: list[LinkOut]
    payments: list[PaymentOut]


class MoneyBackIn(Strict):
    idempotency_key: str = Field(min_length=8, max_length=80)
    actor_id: str = Field(min_length=1, max_length=64)  # the desk user who entered the manager PIN
    amount_halalas: int | None = Field(None, ge=1, le=100_000_000)


class VoidIn(Strict):
    idempotency_key: str = Field(min_length=8, max_length=80)
    actor_id: str = Field(min_length=1, max_length=64)


def _link_out(view: LinkView) -> LinkOut:
    return LinkOut(
        id=view.id, status=view.status.value, amount_halalas=view.amount_halalas, purpose=view.purpose,
        booking_id=view.booking_id, url=view.url, expires_at=view.expires_at.isoformat(),
        paid_halalas=view.paid_halalas, refunded_halalas=view.refunded_halalas,
    )


def _payment_out(view: PaymentView) -> PaymentOut:
    return PaymentOut(
        id=view.id, status=view.status.value, amount_halalas=view.amount_halalas,
        refunded_halalas=view.refunded_halalas, link_id=view.link_id, booking_id=view.booking_id,
        company=view.company,
    )


# ---------------------------------------------------------------- desks


@router.put("/v1/payments/account", status_code=204)
def set_account(body: AccountIn, device: ManagerDevice, payments: Payments) -> Response:
    payments.configure_account(
        device.salon_id,
        secret_key=body.secret_key,
        publishable_key=body.publishable_key,
        webhook_secret=body.webhook_secret,
        link_ttl_hours=body.link_ttl_hours,
        actor=f"device:{device.device_id}",
    )
    return Response(status_code=204)


@router.get("/v1/payments/account", response_model=AccountOut)
def get_account(device: CurrentDevice, payments: Payments) -> AccountOut:
    facts = payments.account_facts(device.salon_id)
    return AccountOut(**facts)


@router.post("/v1/payments/links", status_code=201, response_model=LinkOut)
def create_link(body: LinkIn, device: CurrentDevice, payments: Payments, services: Services) -> LinkOut:
    request = LinkRequest(
        idempotency_key=body.idempotency_key, amount_halalas=body.amount_halalas, purpose=body.purpose,
        booking_id=body.booking_id, lang=body.lang, checkout_id=body.checkout_id,
    )
    if body.notify_customer and body.booking_id is None:
        raise Conflict("online_payments.no_customer")  # nobody to send it to: refused before Moyasar is asked
    view = payments.create_link(device.salon_id, device.device_id, request)
    out = _link_out(view)
    if body.notify_customer:
        out.notified = send_pay_link(services.db, device.salon_id, view, services.clock.now())
    return out


@router.get("/v1/payments/links/{link_id}", response_model=LinkOut)
def get_link(link_id: str, device: CurrentDevice, payments: Payments) -> LinkOut:
    return _link_out(payments.link(device.salon_id, _uuid(link_id)))


@router.post("/v1/payments/links/{link_id}/cancel", response_model=LinkOut)
def cancel_link(link_id: str, device: CurrentDevice, payments: Payments) -> LinkOut:
    return _link_out(payments.cancel_link(device.salon_id, _uuid(link_id), f"device:{device.device_id}"))


@router.get("/v1/payments/bookings/{booking_id}", response_model=BookingPaymentsOut)
def booking_payments(booking_id: str, device: CurrentDevice, payments: Payments) -> BookingPaymentsOut:
    booking_id = _uuid(booking_id)
    return BookingPaymentsOut(
        links=[_link_out(v) for v in payments.links_for_booking(device.salon_id, booking_id)],
        payments=[_payment_out(v) for v in payments.payments_for_booking(device.salon_id, booking_id)],
    )


@router.post("/v1/payments/{payment_id}/refund", response_model=PaymentOut)
def refund(
    payment_id: str, body: MoneyBackIn, device: CurrentDevice, session: ReadSession, payments: Payments
) -> PaymentOut:
    actor = _authorised(session, device, body.actor_id, Permission.REFUND)
    session.close()  # no transaction stays open while Moyasar is called
    view = payments.refund(
        device.salon_id, payment_id[:64], body.amount_halalas, idempotency_key=body.idempotency_key, actor=actor
    )
    return _payment_out(view)


@router.post("/v1/payments/{payment_id}/void", response_model=PaymentOut)
def void(
    payment_id: str, body: VoidIn, device: CurrentDevice, session: ReadSession, payments: Payments
) -> PaymentOut:
    actor = _authorised(session, device, body.actor_id, Permission.VOID)
    session.close()
    return _payment_out(
        payments.void(device.salon_id, payment_id[:64], idempotency_key=body.idempotency_key, actor=actor)
    )


def _authorised(session: Session, device: AuthenticatedDevice, actor_id: str, permission: Permission) -> str:
    """The cloud's own check, against its copy of the salon's desk users (never the role a desk claims);
    a salon whose users have not reached the cloud yet needs a manager desk."""
    if has_users(session, device.salon_id):
        user = desk_user(session, device.salon_id, actor_id)
        if user is None or not user["active"] or user["deleted_at"] is not None or not allows(
            user["role"], permission
        ):
            raise Forbidden("permission.denied", permission=permission.value)
    elif not device.is_manager:
        raise Forbidden("device.manager_required")
    return f"user:{actor_id}"


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise NotFound("payments.link_not_found") from None


# ---------------------------------------------------------------- Moyasar


@router.post("/v1/webhooks/moyasar")
async def moyasar_webhook(request: Request) -> Response:
    """Stores the event and answers at once; `PaymentsService.apply_pending` re-fetches and applies it."""
    payments: PaymentsService = request.app.state.payments
    try:
        body = await request.json()
    except ValueError:
        body = None
    outcome = await run_in_threadpool(payments.receive_webhook, body)
    return Response(
        content=b'{"received":true,"duplicate":%s}' % (b"false" if outcome.stored else b"true"),
        media_type="application/json",
    )


# ---------------------------------------------------------------- customers


@router.get("/p/{token}", include_in_schema=False)
def pay(token: str, request: Request, payments: Payments) -> Response:
    lang = negotiate_language(request.headers.get("accept-language"))
    try:
        target = payments.checkout_url(token[:100])
    except DomainError as error:
        return _page(lang, translate(error.code, error.params, lang), http_status(error))
    return RedirectResponse(target, status_code=303, headers={"Referrer-Policy": "no-referrer",
                                                              "Cache-Control": "no-store"})


@router.get("/p/{token}/done", include_in_schema=False)
def pay_done(token: str, request: Request, lang: Language, payments: Payments) -> Response:  # noqa: ARG001
    """The payer's return page: what OUR records say (a fresh look at Moyasar first), whatever the query says."""
    try:
        view = payments.refresh_by_token(token[:100])
    except DomainError as error:
        return _page(lang, translate(error.code, error.params, lang), http_status(error))
    asked = request.query_params.get("lang")
    lang = asked if asked in {"ar", "en"} else view.lang
    return _page(lang, outcome_text(view, lang), 200, outcome=view.status.value)


OUTCOMES = {
    "paid": {"ar": "تم الدفع. شكراً لك! المبلغ: {amount}", "en": "Payment received. Thank you! Amount: {amount}"},
    "pending": {"ar": "لم يكتمل الدفع بعد. يمكنك المحاولة مرة أخرى من الرابط.",
                "en": "The payment is not complete yet. You can try again from the link."},
    "other": {"ar": "لا يمكن الدفع من هذا الرابط.", "en": "This link can no longer be paid."},
}


def outcome_text(view: LinkView, lang: str) -> str:
    if view.status is LinkStatus.PAID:
        return OUTCOMES["paid"][lang].format(amount=sar(view.amount_halalas, lang))
    if view.status in {LinkStatus.PENDING, LinkStatus.CREATING}:
        return OUTCOMES["pending"][lang]
    return OUTCOMES["other"][lang]


def sar(halalas: int, lang: str) -> str:
    figure = f"{halalas // 100:,}.{halalas % 100:02d}"
    return f"{figure} ر.س" if lang == "ar" else f"SAR {figure}"


def _page(lang: str, message: str, status: int, *, outcome: str = "refused") -> HTMLResponse:
    direction = "rtl" if lang == "ar" else "ltr"
    body = (
        f'<!doctype html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Salon</title>'
        "<style>body{font-family:'Noto Sans Arabic','Noto Sans',sans-serif;max-width:28rem;margin:2rem auto;"
        "padding:0 1rem;font-size:1.1rem}</style></head>"
        f'<body><p id="outcome" data-outcome="{outcome}">{html.escape(message)}</p></body></html>'
    )
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store",
                                                           "Referrer-Policy": "no-referrer"})
