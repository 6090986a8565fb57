"""`/b/{token}`: the customer's booking page (DESIGN §5): see it, get a code, confirm or cancel.

Every answer is HTML. Unknown / forged / expired tokens get one generic 404 page. POST forms carry a
per-page CSRF token derived from the browser's own HttpOnly cookie; the cookie also names the server-side
session that remembers the requested and verified code (never the URL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from salon_desk.domain.booking import BookingStatus
from salon_desk.domain.errors import DomainError

from ..deps import CloudServices, Services
from ..errors import RateLimited, http_status
from ..hot_threads import run_hot
from ..i18n import SUPPORTED, negotiate_language, translate
from ..payments.deposit_policy import DepositFate, deposit_fate, deposit_state
from ..sync.api import sync_services
from .actions import apply_customer_action, customer_can_act
from .booking_view import BookingView, load_booking_view
from .messages import action_done, refusal_text, text
from .pages import DepositOffer, Notice, PageState, booking_page, not_found_page
from .rows import CustomerLinkRow
from .service import LinkNotFound, resolve_link_and_booking
from .sessions import (
    COOKIE_NAME,
    NO_SESSION,
    SESSION_LIFETIME,
    LinkSessionState,
    cookie_key,
    mark_verified,
    new_secret,
    read_session,
    remember_code,
)
from .tokens import csrf_token, same

router = APIRouter(prefix="/b", tags=["customer pages"], include_in_schema=False)

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token is in the URL: never pass it on
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
}


@dataclass
class Visit:
    """One request on one link: the link, what the page shows, the language, the browser's secret and its
    session, and what the deposit policy did (all read in one transaction)."""

    token: str
    link: CustomerLinkRow
    view: BookingView
    lang: str
    secret: str
    new_cookie: bool
    now: datetime
    state: LinkSessionState = NO_SESSION
    fate: DepositFate | None = None
    deposit: tuple[int, bool] = (0, False)  # (asked, paid): payments.deposit_policy.deposit_state

    @property
    def csrf(self) -> str:
        return csrf_token(self.secret, self.token)


class PageAnswer(Exception):
    """Stops handling with this page (404, expired form)."""

    def __init__(self, response: HTMLResponse) -> None:
        self.response = response


def _language(request: Request, requested: str | None, view: BookingView | None) -> str:
    if requested in SUPPORTED:
        return str(requested)
    if view is not None and view.customer_language in SUPPORTED:
        return str(view.customer_language)
    return negotiate_language(request.headers.get("accept-language"))


def _open(services: CloudServices, request: Request, token: str, requested_lang: str | None) -> Visit:
    """Everything the page shows, in one read transaction; writes nothing."""
    now = services.clock.now()
    key = cookie_key(services.settings.pin_pepper_key_bytes)
    with services.db.reader() as session:
        try:
            link, booking = resolve_link_and_booking(session, token, now)
            view = load_booking_view(session, link, booking)
        except LinkNotFound:
            view = None
        if view is None:
            lang = _language(request, requested_lang, None)
            raise PageAnswer(_html(not_found_page(lang), 404))
        cookie = request.cookies.get(COOKIE_NAME)
        issued, state = read_session(session, key, link, cookie, now)
        if not issued:
            cookie = None  # a value we never issued for this link is no session: a new one is issued
        fate = deposit_fate(session, link.salon_id, view.booking_id)  # after a cancel or reschedule
        deposit = deposit_state(session, link.salon_id, view.booking_id)
        session.expunge(link)
    lang = _language(request, requested_lang, view)
    secret = cookie or new_secret(key, link, now)
    return Visit(token, link, view, lang, secret, cookie is None, now, state, fate, deposit)


def _html(body: str, status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})})


def _page(
    services: CloudServices, visit: Visit, notice: Notice | None = None, status: int = 200, **headers: str
) -> HTMLResponse:
    page = PageState(
        visit.token, visit.lang, visit.csrf, visit.view, visit.state, visit.now, notice, _deposit(services, visit)
    )
    response = _html(booking_page(page), status, headers)
    if visit.new_cookie:  # signed, so it needs no row: viewing a page writes nothing
        response.set_cookie(
            COOKIE_NAME,
            visit.secret,
            max_age=int(SESSION_LIFETIME.total_seconds()),
            path=f"/b/{visit.token}",
            httponly=True,
            samesite="lax",
            secure=services.settings.uses_https,
        )
    return response


def _deposit(services: CloudServices, visit: Visit) -> DepositOffer | None:
    """The salon's deposit for this booking when its policy asks for one (issue #12)."""
    asked, paid = visit.deposit
    if not asked and visit.fate is None:
        return None
    return DepositOffer(asked, paid, f"/b/{visit.token}/pay?lang={visit.lang}", visit.fate)


async def _form(request: Request) -> dict[str, str]:
    """The urlencoded form body (parsed here: no multipart dependency for three small fields). Its size
    is bounded before this reads it (edge.BodyLimitMiddleware, SALON_MAX_BODY_BYTES)."""
    raw = (await request.body())[:4096].decode("utf-8", "replace")
    return {key: values[0] for key, values in parse_qs(raw).items()}


def _checked_visit(services: CloudServices, request: Request, token: str, form: dict[str, str]) -> Visit:
    visit = _open(services, request, token, form.get("lang"))
    if visit.new_cookie or not same(form.get("csrf", ""), visit.csrf):
        raise PageAnswer(_page(services, visit, Notice("error", text(visit.lang, "page_expired")), 403))
    return visit


def _error_page(services: CloudServices, visit: Visit, error: DomainError) -> HTMLResponse:
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else {}
    notice = Notice("error", translate(error.code, error.params, visit.lang))
    return _page(services, visit, notice, http_status(error), **headers)


@router.get("/{token}", response_class=HTMLResponse)
async def show(
    token: str, request: Request, services: Services, lang: str | None = None, done: str | None = None
) -> HTMLResponse:
    """Database reads and rendering only: on the hot threads (hot_threads.py), like a desk's push."""
    return await run_hot(request, _show, services, request, token, lang, done)


def _show(
    services: CloudServices, request: Request, token: str, lang: str | None, done: str | None
) -> HTMLResponse:
    try:
        visit = _open(services, request, token, lang)
    except PageAnswer as answer:
        return answer.response
    return _page(services, visit, _done_notice(services, visit, done))


def _done_notice(services: CloudServices, visit: Visit, done: str | None) -> Notice | None:
    """The notice after a successful form (Post/Redirect/Get), only when it is still true: a crafted
    `?done=` cannot make the page claim something that did not happen."""
    if done == "code_sent" and visit.state.code_sent:
        return Notice("ok", text(visit.lang, "code_sent", view=visit.view))
    if done in (BookingStatus.CONFIRMED, BookingStatus.CANCELLED) and visit.view.status == done:
        return action_done(visit.lang, BookingStatus(done))
    return None


def _see_page(visit: Visit, done: str) -> Response:
    """303 to the page itself: a reload never re-posts, and the address bar keeps the plain link."""
    return RedirectResponse(
        f"/b/{visit.token}?lang={visit.lang}&done={done}", status_code=303, headers=SECURITY_HEADERS
    )


def _send_code(services: CloudServices, request: Request, token: str, form: dict[str, str]) -> Response:
    visit = _checked_visit(services, request, token, form)
    if not customer_can_act(visit.view, visit.now):  # no SMS spent on a booking nothing can be done to
        return _page(services, visit, Notice("error", text(visit.lang, "nothing_to_do")), 409)
    if not visit.view.customer_phone:
        return _page(services, visit, Notice("error", text(visit.lang, "no_phone")), 409)
    ip = request.client.host if request.client else None
    try:
        code_request = services.otp.request_for_link(
            visit.view.customer_phone,
            "sms",
            lang=visit.lang,
            ip=ip,
            salon_id=visit.link.salon_id,
            link_id=visit.link.id,
        )
    except DomainError as error:
        return _error_page(services, visit, error)
    with services.db.session() as session:
        link_row = session.get(CustomerLinkRow, (visit.link.salon_id, visit.link.id))
        assert link_row is not None  # the visit's link was read in this request
        link_row.last_used_at = visit.now
        remember_code(session, visit.link, visit.secret, code_request.request_id, visit.now)
    return _see_page(visit, "code_sent")


def _verify(services: CloudServices, visit: Visit, code: str) -> HTMLResponse | None:
    """None when the browser holds a verified code (now or from earlier); otherwise the page saying why not."""
    state = visit.state
    if state.verified:
        return None
    if not state.code_sent:
        return _page(services, visit, Notice("error", text(visit.lang, "ask_code_first")), 400)
    if not code.strip():
        return _page(services, visit, Notice("error", text(visit.lang, "enter_code")), 400)
    try:
        services.otp.verify_for_link(str(state.otp_request_id), code, salon_id=visit.link.salon_id)
    except DomainError as error:
        return _error_page(services, visit, error)
    with services.db.session() as session:
        mark_verified(session, visit.link, visit.secret, visit.now)
    visit.state = LinkSessionState(state.otp_request_id, True)  # what a page drawn after this shows
    return None


def _act(
    services: CloudServices, request: Request, token: str, form: dict[str, str], target: BookingStatus
) -> Response:
    visit = _checked_visit(services, request, token, form)
    refused = _verify(services, visit, form.get("code", ""))
    if refused is not None:
        return refused
    result = apply_customer_action(services.db, visit.view, target, visit.now)
    if not result.done:
        notice = Notice("error", refusal_text(visit.lang, visit.view, target, result.code, result.params))
        return _page(services, visit, notice, 409)
    sync_services(request, services).notifier.notify(visit.link.salon_id)  # wake the desks' long-polls
    if target is BookingStatus.CANCELLED:
        services.payments.wakeup.set()  # a refund the deposit policy queued: the payments job performs it
    return _see_page(visit, target.value)


def _verify_only(services: CloudServices, request: Request, token: str, form: dict[str, str]) -> Response:
    """Checks the code without confirming (a booking that a paid deposit confirms)."""
    visit = _checked_visit(services, request, token, form)
    refused = _verify(services, visit, form.get("code", ""))
    if refused is not None:
        return refused
    return _see_page(visit, "verified")


async def _handle(request: Request, services: CloudServices, token: str, work: Any, *args: Any) -> Response:
    form = await _form(request)
    try:
        return await run_in_threadpool(work, services, request, token, form, *args)
    except PageAnswer as answer:
        return answer.response


@router.post("/{token}/code", response_class=HTMLResponse)
async def send_code(token: str, request: Request, services: Services) -> Response:
    return await _handle(request, services, token, _send_code)


@router.post("/{token}/confirm", response_class=HTMLResponse)
async def confirm(token: str, request: Request, services: Services) -> Response:
    return await _handle(request, services, token, _act, BookingStatus.CONFIRMED)


@router.post("/{token}/verify", response_class=HTMLResponse)
async def verify(token: str, request: Request, services: Services) -> Response:
    return await _handle(request, services, token, _verify_only)


@router.get("/{token}/pay", response_class=HTMLResponse)
def pay_deposit(token: str, request: Request, services: Services, lang: str | None = None) -> Response:
    """A verified customer's way to the deposit checkout: our own /p/{token}, never Moyasar's address."""
    try:
        visit = _open(services, request, token, lang)
    except PageAnswer as answer:
        return answer.response
    if not visit.state.verified:
        return _page(services, visit, Notice("error", text(visit.lang, "ask_code_first")), 403)
    try:
        target = services.payments.deposit_link(visit.link.salon_id, visit.view.booking_id, visit.lang)
    except DomainError as error:
        return _error_page(services, visit, error)
    return RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)


@router.post("/{token}/cancel", response_class=HTMLResponse)
async def cancel(token: str, request: Request, services: Services) -> Response:
    return await _handle(request, services, token, _act, BookingStatus.CANCELLED)
