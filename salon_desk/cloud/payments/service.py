"""Online payments through Moyasar (issue #12): salon accounts, pay links, webhooks, the apply job, refunds,
voids and reconciliation. The rules live in `domain.payments`; this module moves data.

No outbound call is ever made while a database transaction is open: every operation is
"short transaction → Moyasar → short transaction", and a lease (`pay_link.lease_until`) or a request row
(`payment_request`) says who is talking to Moyasar, so a retry or a concurrent request never makes two.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from salon_desk.domain.errors import Conflict, DomainError, NotFound, ValidationError
from salon_desk.domain.payments import (
    LinkStatus,
    PaymentState,
    PaymentStatus,
    check_amount,
    check_cancel_link,
    check_refund,
    check_void,
    link_after_payment,
    merge,
)

from ..clock import Clock
from ..db import Database
from ..devices.tokens import SALON_PART, salon_of_part, salon_part
from ..errors import BadRequest, Gone, Unauthorized, Unavailable
from ..salons.rows import SalonRow
from ..sync.online_claims import link_claimed, lock_claims
from . import replication
from .deposit_policy import deposit_state, perform_deposit_refunds, salon_deposit
from .keys import KeyBox, KeyBoxError
from .provider import NewInvoice, PaymentProvider, ProviderError, ProviderPayment, ProviderRefused
from .rows import (
    MoyasarEventRow,
    OnlinePaymentRow,
    PayLinkRow,
    PaymentAccountRow,
    PaymentAuditRow,
    PaymentRequestRow,
)

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)  # longer than the provider timeout: a live request keeps its lease
RETRY_BACKOFF = (10, 30, 60, 300, 900, 3600)  # seconds, webhook re-fetch attempts
LINK_ID_PART = 22  # a uuid's 16 bytes in unpadded base64url
TAG_PART = 22
PURPOSES = {"deposit", "balance"}
DESCRIPTIONS = {
    "deposit": {"ar": "عربون حجز — {salon}", "en": "Booking deposit — {salon}"},
    "balance": {"ar": "دفع الزيارة — {salon}", "en": "Visit payment — {salon}"},
}


@dataclass(frozen=True, slots=True)
class LinkRequest:
    idempotency_key: str
    amount_halalas: int
    purpose: str = "deposit"
    booking_id: str | None = None
    lang: str = "ar"
    checkout_id: str | None = None  # the desk's bill a balance link was sent for (shown on every desk)


@dataclass(frozen=True, slots=True)
class LinkView:
    id: str
    status: LinkStatus
    amount_halalas: int
    purpose: str
    booking_id: str | None
    url: str  # on the salon service's own domain, never Moyasar's
    expires_at: datetime
    paid_halalas: int
    refunded_halalas: int
    lang: str = "ar"


@dataclass(frozen=True, slots=True)
class PaymentView:
    id: str
    status: PaymentStatus
    amount_halalas: int
    refunded_halalas: int
    link_id: str | None
    booking_id: str | None
    company: str | None


@dataclass(frozen=True, slots=True)
class ReceiveOutcome:
    stored: bool  # False: a replay (the same event id), acknowledged and ignored
    salon_id: str


class PaymentsService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        provider: PaymentProvider,
        keybox: KeyBox | None,
        *,
        public_base_url: str,
        wait_for_peer_seconds: float = 5.0,
    ) -> None:
        self._db = db
        self._clock = clock
        self._provider = provider
        self._keybox = keybox
        self._base = public_base_url.rstrip("/")
        self._wait = wait_for_peer_seconds
        # Called after the commit that marks a link paid: (salon_id, booking_id, purpose). The app confirms
        # the booking when a deposit is paid (payments.deposits).
        self.on_paid: Callable[[str, str, str], None] | None = None
        self.wakeup = threading.Event()  # set when a webhook stored an event (the runner applies it)

    # ------------------------------------------------------------------ accounts

    def configure_account(
        self,
        salon_id: str,
        *,
        secret_key: str,
        publishable_key: str,
        webhook_secret: str,
        link_ttl_hours: int = 48,
        actor: str,
    ) -> None:
        box = self._box()
        live = secret_key.startswith("sk_live_")
        if not (secret_key.startswith(("sk_test_", "sk_live_")) and len(secret_key) >= 16):
            raise ValidationError("payments.keys_invalid")
        if not publishable_key.startswith("pk_live_" if live else "pk_test_") or len(webhook_secret) < 8:
            raise ValidationError("payments.keys_invalid")
        try:  # the key must open this merchant's account: a cheap authenticated read
            self._provider.find_invoices(secret_key, {"salon_id": salon_id})
        except ProviderRefused as refused:
            raise ValidationError("payments.keys_invalid") from refused
        now = self._clock.now()
        with self._db.session() as session:
            row = session.get(PaymentAccountRow, salon_id)
            before = None if row is None else {"publishable_key": row.publishable_key, "live": row.live}
            if row is None:
                row = PaymentAccountRow(salon_id=salon_id)
                session.add(row)
            row.secret_key_sealed = box.seal(salon_id, "secret_key", secret_key)
            row.webhook_secret_sealed = box.seal(salon_id, "webhook_secret", webhook_secret)
            row.publishable_key = publishable_key
            row.live = live
            row.link_ttl_hours = link_ttl_hours
            row.updated_at = now
            after = {"publishable_key": publishable_key, "live": live}
            self._audit(session, salon_id, "payment_account", salon_id, "keys.set", actor, before, after)
            session.commit()

    def account_facts(self, salon_id: str) -> dict[str, Any]:
        """What a desk may know of the salon's account: never a secret."""
        with self._db.reader() as session:
            row = session.get(PaymentAccountRow, salon_id)
            if row is None:
                return {"configured": False, "publishable_key": None, "live": None}
            return {"configured": True, "publishable_key": row.publishable_key, "live": row.live}

    def deposit_for(self, salon_id: str) -> int:
        """The deposit the salon asks online: its profile's (the owner's "Deposit" on a desk, replicated by
        salon.patch), 0 while it takes no online payments."""
        with self._db.reader() as session:
            if session.get(PaymentAccountRow, salon_id) is None:
                return 0
            return salon_deposit(session, salon_id)

    # ------------------------------------------------------------------ pay links

    def create_link(self, salon_id: str, device_id: str | None, request: LinkRequest) -> LinkView:
        check_amount(request.amount_halalas)
        if request.purpose not in PURPOSES or request.lang not in {"ar", "en"}:
            raise ValidationError("payments.amount_invalid")
        key = request.idempotency_key.strip()
        if not 8 <= len(key) <= 80:
            raise BadRequest("payments.idempotency_key_reused")
        secret = self._secret_key(salon_id)
        digest = _request_hash(request)
        now = self._clock.now()
        row, owner = self._insert_or_find_link(salon_id, device_id, key, digest, request, now)
        if row.request_hash != digest:
            raise Conflict("payments.idempotency_key_reused")
        if not owner:
            if row.status != LinkStatus.CREATING:
                return self._link_view(salon_id, row.id)
            if not self._claim(salon_id, row.id):
                return self._wait_for_peer(salon_id, row.id)
        return self._make_invoice(salon_id, row.id, secret)

    def _insert_or_find_link(
        self, salon_id: str, device_id: str | None, key: str, digest: str, request: LinkRequest, now: datetime
    ) -> tuple[PayLinkRow, bool]:
        with self._db.session() as session:
            found = session.scalar(
                select(PayLinkRow).where(PayLinkRow.salon_id == salon_id, PayLinkRow.idempotency_key == key)
            )
            if found is not None:
                return found, False
            account = session.get(PaymentAccountRow, salon_id)
            ttl = account.link_ttl_hours if account is not None else 48
            row = PayLinkRow(
                salon_id=salon_id,
                id=str(uuid.uuid4()),
                idempotency_key=key,
                request_hash=digest,
                booking_id=request.booking_id,
                checkout_id=request.checkout_id,
                purpose=request.purpose,
                amount_halalas=request.amount_halalas,
                lang=request.lang,
                status=LinkStatus.CREATING.value,
                uncertain=False,
                lease_until=now + LEASE,
                created_by=device_id,
                expires_at=now + timedelta(hours=ttl),
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            actor = f"device:{device_id}" if device_id else "customer"
            self._audit(session, salon_id, "pay_link", row.id, "link.create", actor, None, _link_facts(row))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
            else:
                return row, True
        with self._db.reader() as session:  # a concurrent request with the same key won the insert
            found = session.scalar(
                select(PayLinkRow).where(PayLinkRow.salon_id == salon_id, PayLinkRow.idempotency_key == key)
            )
            assert found is not None
            return found, False

    def _claim(self, salon_id: str, link_id: str) -> bool:
        """Takes the lease on a link still being created whose previous owner is gone (timed out)."""
        now = self._clock.now()
        with self._db.session() as session:
            result = session.execute(
                update(PayLinkRow)
                .where(
                    PayLinkRow.salon_id == salon_id,
                    PayLinkRow.id == link_id,
                    PayLinkRow.status == LinkStatus.CREATING.value,
                    (PayLinkRow.lease_until.is_(None)) | (PayLinkRow.lease_until < now),
                )
                .values(lease_until=now + LEASE)
            )
            session.commit()
            return isinstance(result, CursorResult) and result.rowcount == 1

    def _wait_for_peer(self, salon_id: str, link_id: str) -> LinkView:
        deadline = time.monotonic() + self._wait
        while time.monotonic() < deadline:
            time.sleep(0.05)
            with self._db.reader() as session:
                row = session.get(PayLinkRow, (salon_id, link_id))
                if row is not None and row.status != LinkStatus.CREATING.value:
                    break
        with self._db.reader() as session:
            row = session.get(PayLinkRow, (salon_id, link_id))
            assert row is not None
            if row.status == LinkStatus.CREATING.value:
                raise Unavailable("payments.link_in_progress")
            if row.status == LinkStatus.FAILED.value:
                raise Conflict("payments.provider_refused", message=str((row.error or {}).get("message", "")))
        return self._link_view(salon_id, link_id)

    def _make_invoice(self, salon_id: str, link_id: str, secret: str) -> LinkView:
        """The caller holds the link's lease. Looks for the invoice first when an earlier try may have made it."""
        with self._db.reader() as session:
            row = session.get(PayLinkRow, (salon_id, link_id))
            salon = session.get(SalonRow, salon_id)
            assert row is not None and salon is not None
            facts = _link_facts(row)
            expires_at = row.expires_at
            uncertain = row.uncertain
            name = salon.name_ar if row.lang == "ar" else salon.name_en
            token = self.token_for(salon_id, link_id)
        metadata = {"salon_link_id": link_id, "salon_id": salon_id}
        if facts["booking_id"]:
            metadata["booking_id"] = str(facts["booking_id"])
        try:
            invoice = None
            if uncertain:
                found = self._provider.find_invoices(secret, {"salon_link_id": link_id})
                invoice = found[0] if found else None
            if invoice is None:
                invoice = self._provider.create_invoice(
                    secret,
                    NewInvoice(
                        amount_halalas=int(facts["amount_halalas"]),
                        description=DESCRIPTIONS[str(facts["purpose"])][str(facts["lang"])].format(salon=name),
                        success_url=f"{self._base}/p/{token}/done",
                        back_url=f"{self._base}/p/{token}/done",
                        callback_url=None,  # unauthenticated hints; webhooks and reconciliation suffice
                        expires_at=expires_at,
                        metadata=metadata,
                    ),
                )
        except ProviderError:
            self._release(salon_id, link_id, uncertain=True)  # it may exist: the next try looks first
            raise
        except ProviderRefused as refused:
            self._fail_link(salon_id, link_id, refused)
            raise Conflict("payments.provider_refused", message=refused.message) from refused
        if invoice.amount_halalas != facts["amount_halalas"]:  # never send a link for another amount
            self._fail_link(salon_id, link_id, ProviderRefused(400, "amount_mismatch", "amount differs"))
            raise Conflict("payments.provider_refused", message="amount differs")
        now = self._clock.now()
        with self._db.session() as session:
            row = session.get(PayLinkRow, (salon_id, link_id), with_for_update=True)
            assert row is not None
            before = _link_facts(row)
            row.invoice_id = invoice.id
            row.invoice_url = invoice.url
            if row.status == LinkStatus.CREATING.value:
                row.status = LinkStatus.PENDING.value
            row.uncertain = False
            row.lease_until = None
            row.updated_at = now
            self._audit(session, salon_id, "pay_link", link_id, "link.invoice", "moyasar", before, _link_facts(row))
            session.commit()
        for payment in invoice.payments:  # an adopted invoice may already hold payments
            self._observe(salon_id, payment, actor="link.adopt")
        return self._link_view(salon_id, link_id)

    def _release(self, salon_id: str, link_id: str, *, uncertain: bool) -> None:
        with self._db.session() as session:
            session.execute(
                update(PayLinkRow)
                .where(PayLinkRow.salon_id == salon_id, PayLinkRow.id == link_id)
                .values(lease_until=None, uncertain=uncertain, updated_at=self._clock.now())
            )
            session.commit()

    def _fail_link(self, salon_id: str, link_id: str, refused: ProviderRefused) -> None:
        with self._db.session() as session:
            row = session.get(PayLinkRow, (salon_id, link_id), with_for_update=True)
            assert row is not None
            before = _link_facts(row)
            row.status = LinkStatus.FAILED.value
            row.lease_until = None
            row.error = {"status": refused.status, "type": refused.kind, "message": refused.message,
                         "errors": refused.errors}
            row.updated_at = self._clock.now()
            self._audit(session, salon_id, "pay_link", link_id, "link.refused", "moyasar", before, _link_facts(row))
            session.commit()

    def cancel_link(self, salon_id: str, link_id: str, actor: str) -> LinkView:
        with self._db.reader() as session:
            row = session.get(PayLinkRow, (salon_id, link_id))
            if row is None:
                raise NotFound("payments.link_not_found")
            check_cancel_link(LinkStatus(row.status))
            invoice_id = row.invoice_id
        if invoice_id is not None:
            secret = self._secret_key(salon_id)
            try:
                self._provider.cancel_invoice(secret, invoice_id)
            except ProviderRefused:
                invoice = self._provider.fetch_invoice(secret, invoice_id)  # paid meanwhile? money wins
                for payment in invoice.payments:
                    self._observe(salon_id, payment, actor=actor)
        with self._db.session() as session:
            row = session.get(PayLinkRow, (salon_id, link_id), with_for_update=True)
            assert row is not None
            if LinkStatus(row.status) in {LinkStatus.CREATING, LinkStatus.PENDING}:
                before = _link_facts(row)
                row.status = LinkStatus.CANCELLED.value
                row.updated_at = self._clock.now()
                self._audit(session, salon_id, "pay_link", link_id, "link.cancel", actor, before, _link_facts(row))
            session.commit()
        return self._link_view(salon_id, link_id)

    def link(self, salon_id: str, link_id: str) -> LinkView:
        return self._link_view(salon_id, link_id)

    def links_for_booking(self, salon_id: str, booking_id: str) -> list[LinkView]:
        with self._db.reader() as session:
            ids = session.scalars(
                select(PayLinkRow.id)
                .where(PayLinkRow.salon_id == salon_id, PayLinkRow.booking_id == booking_id)
                .order_by(PayLinkRow.created_at)
            ).all()
        return [self._link_view(salon_id, link_id) for link_id in ids]

    def _link_view(self, salon_id: str, link_id: str) -> LinkView:
        with self._db.reader() as session:
            row = session.get(PayLinkRow, (salon_id, link_id))
            if row is None:
                raise NotFound("payments.link_not_found")
            payments = session.scalars(
                select(OnlinePaymentRow).where(
                    OnlinePaymentRow.salon_id == salon_id, OnlinePaymentRow.link_id == link_id
                )
            ).all()
            kept = [p for p in payments if _state(p).is_paid or p.status == PaymentStatus.REFUNDED.value]
            status = LinkStatus(row.status)
            if status is LinkStatus.PENDING and row.expires_at <= self._clock.now():
                status = LinkStatus.EXPIRED
            return LinkView(
                id=row.id,
                status=status,
                amount_halalas=row.amount_halalas,
                purpose=row.purpose,
                booking_id=row.booking_id,
                url=f"{self._base}/p/{self.token_for(salon_id, row.id)}",
                expires_at=row.expires_at,
                paid_halalas=sum(p.amount_halalas for p in kept),
                refunded_halalas=sum(p.refunded_halalas for p in kept),
                lang=row.lang,
            )

    # ------------------------------------------------------------------ deposits (the booking page)

    def deposit_state(self, salon_id: str, booking_id: str) -> tuple[int, bool]:
        """(the deposit the salon asks, whether a deposit link of this booking is paid)."""
        with self._db.reader() as session:
            return deposit_state(session, salon_id, booking_id)

    def deposit_link(self, salon_id: str, booking_id: str, lang: str) -> str:
        """The path of the booking's deposit link (/p/{token}), made once per booking (a new one only after
        the last expired, failed or was cancelled)."""
        asked, paid = self.deposit_state(salon_id, booking_id)
        if not asked:
            raise Conflict("payments.not_configured")
        if paid:
            raise Gone("payments.link_paid")
        with self._db.reader() as session:
            earlier = session.scalars(
                select(PayLinkRow).where(
                    PayLinkRow.salon_id == salon_id, PayLinkRow.booking_id == booking_id,
                    PayLinkRow.purpose == "deposit",
                )
            ).all()
            spent = sum(1 for row in earlier if row.status in {LinkStatus.FAILED.value, LinkStatus.CANCELLED.value}
                        or row.expires_at <= self._clock.now())
        view = self.create_link(
            salon_id, None,
            LinkRequest(idempotency_key=f"deposit:{booking_id}:{spent}", amount_halalas=asked,
                        purpose="deposit", booking_id=booking_id, lang=lang),
        )
        return "/p/" + view.url.rsplit("/p/", 1)[1]

    # ------------------------------------------------------------------ /p/{token}

    def token_for(self, salon_id: str, link_id: str) -> str:
        link_part = base64.urlsafe_b64encode(uuid.UUID(link_id).bytes).rstrip(b"=").decode()
        return salon_part(salon_id) + link_part + self._tag(salon_id, link_id)

    def resolve_token(self, token: str) -> tuple[str, str]:
        """(salon_id, link_id) of a genuine token; NotFound otherwise (never says which part was wrong)."""
        if len(token) != SALON_PART + LINK_ID_PART + TAG_PART or self._keybox is None:
            raise NotFound("payments.link_not_found")
        salon_id = salon_of_part(token[:SALON_PART])
        try:
            link_id = str(uuid.UUID(bytes=base64.urlsafe_b64decode(token[SALON_PART:-TAG_PART] + "==")))
        except ValueError:
            raise NotFound("payments.link_not_found") from None
        if salon_id is None or not hmac.compare_digest(self._tag(salon_id, link_id), token[-TAG_PART:]):
            raise NotFound("payments.link_not_found")
        return salon_id, link_id

    def checkout_url(self, token: str) -> str:
        """Where /p/{token} sends the payer: Moyasar's hosted page, while the link can still be paid."""
        salon_id, link_id = self.resolve_token(token)
        view = self._link_view(salon_id, link_id)
        if view.status is LinkStatus.PAID:
            raise Gone("payments.link_paid")
        if view.status is LinkStatus.EXPIRED:
            raise Gone("payments.link_expired")
        if view.status is LinkStatus.CANCELLED:
            raise Gone("payments.link_cancelled")
        with self._db.reader() as session:
            row = session.get(PayLinkRow, (salon_id, link_id))
            assert row is not None
            if row.invoice_url is None:
                raise Unavailable("payments.link_in_progress")
            return f"{row.invoice_url.split('?')[0]}?lang={row.lang}"

    def refresh_by_token(self, token: str) -> LinkView:
        """The link as our records say after a fresh look at Moyasar (the payer's return page)."""
        salon_id, link_id = self.resolve_token(token)
        self.refresh_link(salon_id, link_id)
        return self._link_view(salon_id, link_id)

    def refresh_link(self, salon_id: str, link_id: str) -> None:
        with self._db.reader() as session:
            row = session.get(PayLinkRow, (salon_id, link_id))
            invoice_id = row.invoice_id if row is not None else None
        if invoice_id is None:
            return
        try:
            invoice = self._provider.fetch_invoice(self._secret_key(salon_id), invoice_id)
        except (ProviderError, ProviderRefused):
            return  # the webhook or reconciliation will tell
        for payment in invoice.payments:
            self._observe(salon_id, payment, actor="return_page")

    def _tag(self, salon_id: str, link_id: str) -> str:
        assert self._keybox is not None
        digest = self._keybox.mac(f"pay-link/{salon_id}/{link_id}".encode())
        return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()

    # ------------------------------------------------------------------ webhooks

    def receive_webhook(self, body: Any) -> ReceiveOutcome:
        """Checks and stores one webhook event. Nothing else: the job applies it after re-fetching."""
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise BadRequest("payments.webhook_rejected")
        if body.get("type") == "webhook_verification":  # sent once at setup, never retried (§1.10)
            code = str(body["data"].get("verification_code", ""))[:12]
            log.info("moyasar webhook verification: confirm it with POST /v1/webhooks/{id}/verify",
                     extra={"fields": {"webhook_id": str(body["data"].get("webhook_id", ""))[:64], "code": code}})
            return ReceiveOutcome(False, "")
        event_id, kind, token = body.get("id"), body.get("type"), body.get("secret_token")
        data = body["data"]
        payment_id, invoice_id = data.get("id"), data.get("invoice_id")
        if not all(isinstance(v, str) and 0 < len(v) <= 64 for v in (event_id, kind, payment_id)):
            raise BadRequest("payments.webhook_rejected")
        if invoice_id is not None and not (isinstance(invoice_id, str) and len(invoice_id) <= 64):
            raise BadRequest("payments.webhook_rejected")
        assert isinstance(event_id, str) and isinstance(kind, str) and isinstance(payment_id, str)
        with self._db.reader() as session:
            salon_id = session.scalar(select(OnlinePaymentRow.salon_id).where(OnlinePaymentRow.id == payment_id))
            if salon_id is None and invoice_id:
                salon_id = session.scalar(select(PayLinkRow.salon_id).where(PayLinkRow.invoice_id == invoice_id))
            account = session.get(PaymentAccountRow, salon_id) if salon_id else None
        if salon_id is None or account is None:
            raise NotFound("payments.webhook_rejected")  # not a payment of ours
        expected = self._open(salon_id, "webhook_secret", account.webhook_secret_sealed)
        if not isinstance(token, str) or not hmac.compare_digest(expected.encode(), token.encode()):
            log.warning("moyasar webhook with a wrong secret", extra={"fields": {"salon_id": salon_id}})
            raise Unauthorized("payments.webhook_rejected")
        if "live" in body and body["live"] is not account.live:
            raise Unauthorized("payments.webhook_rejected")
        now = self._clock.now()
        with self._db.session() as session:
            if session.get(MoyasarEventRow, (salon_id, event_id)) is not None:
                return ReceiveOutcome(False, salon_id)
            session.add(
                MoyasarEventRow(
                    salon_id=salon_id, id=event_id, type=kind[:40], payment_id=payment_id, invoice_id=invoice_id,
                    state="pending", attempts=0, next_attempt_at=now, received_at=now,
                )
            )
            try:
                session.commit()
            except IntegrityError:
                return ReceiveOutcome(False, salon_id)  # the same event, delivered twice at once
        self.wakeup.set()
        return ReceiveOutcome(True, salon_id)

    def apply_pending(self, limit: int = 100) -> int:
        """Applies stored events: re-fetch each payment from Moyasar (no DB lock held), then merge forward."""
        now = self._clock.now()
        with self._db.reader() as session:
            events = session.execute(
                select(MoyasarEventRow.salon_id, MoyasarEventRow.id, MoyasarEventRow.payment_id,
                       MoyasarEventRow.attempts)
                .where(MoyasarEventRow.state == "pending", MoyasarEventRow.next_attempt_at <= now)
                .order_by(MoyasarEventRow.received_at)
                .limit(limit)
            ).all()
        groups: dict[tuple[str, str], list[tuple[str, int]]] = {}
        for salon_id, event_id, payment_id, attempts in events:
            groups.setdefault((salon_id, payment_id), []).append((event_id, attempts))
        secrets: dict[str, str] = {}  # one opening of each salon's key per pass
        for (salon_id, payment_id), ids in groups.items():
            try:
                if salon_id not in secrets:
                    secrets[salon_id] = self._secret_key(salon_id)
                payment = self._provider.fetch_payment(secrets[salon_id], payment_id)
            except ProviderRefused as refused:
                self._finish_events(salon_id, ids, "rejected", f"moyasar {refused.status} {refused.kind}")
                continue
            except (ProviderError, DomainError):
                self._retry_events(salon_id, ids)
                continue
            applied = self._observe(salon_id, payment, actor=f"webhook:{ids[0][0]}", events=ids)
            if not applied:
                self._finish_events(salon_id, ids, "rejected", "not a payment of this salon's links")
        return len(events)

    def _finish_events(self, salon_id: str, ids: list[tuple[str, int]], state: str, note: str | None) -> None:
        with self._db.session() as session:
            session.execute(
                update(MoyasarEventRow)
                .where(MoyasarEventRow.salon_id == salon_id, MoyasarEventRow.id.in_([i for i, _ in ids]))
                .values(state=state, applied_at=self._clock.now(), note=note,
                        attempts=MoyasarEventRow.attempts + 1)
            )
            session.commit()

    def _retry_events(self, salon_id: str, ids: list[tuple[str, int]]) -> None:
        now = self._clock.now()
        with self._db.session() as session:
            for event_id, attempts in ids:
                wait = RETRY_BACKOFF[min(attempts, len(RETRY_BACKOFF) - 1)]
                session.execute(
                    update(MoyasarEventRow)
                    .where(MoyasarEventRow.salon_id == salon_id, MoyasarEventRow.id == event_id)
                    .values(attempts=attempts + 1, next_attempt_at=now + timedelta(seconds=wait))
                )
            session.commit()

    def _observe(
        self, salon_id: str, payment: ProviderPayment, *, actor: str, events: Sequence[tuple[str, int]] = ()
    ) -> bool:
        """Merges one re-fetched payment forward and marks `events` applied, in one short transaction.
        False: not a payment of this salon's links (nothing written)."""
        for attempt in range(2):
            try:
                return self._observe_once(salon_id, payment, actor, events)
            except IntegrityError:  # a concurrent job inserted the same payment first: merge into it
                if attempt:
                    raise
        return False

    def _observe_once(
        self, salon_id: str, payment: ProviderPayment, actor: str, events: Sequence[tuple[str, int]]
    ) -> bool:
        now = self._clock.now()
        paid: tuple[str, str] | None = None
        with self._db.session() as session:
            row = session.get(OnlinePaymentRow, (salon_id, payment.id), with_for_update=True)
            link = None
            if payment.invoice_id is not None:
                link = session.scalar(
                    select(PayLinkRow)
                    .where(PayLinkRow.salon_id == salon_id, PayLinkRow.invoice_id == payment.invoice_id)
                    .with_for_update()
                )
            if link is None and row is None:
                return False
            current = _state(row) if row is not None else None
            merged = merge(current, payment.state)
            if row is None:
                assert link is not None
                row = OnlinePaymentRow(
                    salon_id=salon_id, id=payment.id, link_id=link.id, booking_id=link.booking_id,
                    invoice_id=payment.invoice_id, status=merged.status.value,
                    amount_halalas=merged.amount_halalas, refunded_halalas=merged.refunded_halalas,
                    source_type=payment.source_type, company=payment.company,
                    message=(payment.message or "")[:200] or None, checked_at=now, created_at=now, updated_at=now,
                )
                session.add(row)
                self._audit(session, salon_id, "online_payment", payment.id, "payment.seen", actor, None,
                            _payment_facts(row))
            elif merged != current:
                before = _payment_facts(row)
                row.status = merged.status.value
                row.refunded_halalas = merged.refunded_halalas
                row.message = (payment.message or "")[:200] or row.message
                row.updated_at = now
                self._audit(session, salon_id, "online_payment", payment.id, f"payment.{merged.status.value}",
                            actor, before, _payment_facts(row))
            row.checked_at = now
            if link is not None:
                target = link_after_payment(LinkStatus(link.status), link.amount_halalas, merged)
                if target.value != link.status:
                    before = _link_facts(link)
                    link.status = target.value
                    link.updated_at = now
                    self._audit(session, salon_id, "pay_link", link.id, f"link.{target.value}", actor, before,
                                _link_facts(link))
                    if target is LinkStatus.PAID and link.booking_id is not None:
                        paid = (link.booking_id, link.purpose)
            if events:
                session.execute(
                    update(MoyasarEventRow)
                    .where(MoyasarEventRow.salon_id == salon_id, MoyasarEventRow.id.in_([i for i, _ in events]))
                    .values(state="applied", applied_at=now, attempts=MoyasarEventRow.attempts + 1)
                )
            session.commit()
        if paid is not None and self.on_paid is not None:
            try:
                self.on_paid(salon_id, *paid)
            except Exception:  # the money is recorded; reconciliation of the booking is the desk's to see
                log.exception("after-payment step failed", extra={"fields": {"salon_id": salon_id}})
        return True

    # ------------------------------------------------------------------ refunds and voids

    def payment(self, salon_id: str, payment_id: str) -> PaymentView:
        with self._db.reader() as session:
            row = session.get(OnlinePaymentRow, (salon_id, payment_id))
            if row is None:
                raise NotFound("payments.payment_not_found")
            return _payment_view(row)

    def payments_for_booking(self, salon_id: str, booking_id: str) -> list[PaymentView]:
        with self._db.reader() as session:
            rows = session.scalars(
                select(OnlinePaymentRow)
                .where(OnlinePaymentRow.salon_id == salon_id, OnlinePaymentRow.booking_id == booking_id)
                .order_by(OnlinePaymentRow.created_at)
            ).all()
            return [_payment_view(row) for row in rows]

    def refund(
        self, salon_id: str, payment_id: str, amount_halalas: int | None, *, idempotency_key: str, actor: str
    ) -> PaymentView:
        return self._money_back("refund", salon_id, payment_id, amount_halalas, idempotency_key, actor)

    def void(self, salon_id: str, payment_id: str, *, idempotency_key: str, actor: str) -> PaymentView:
        return self._money_back("void", salon_id, payment_id, None, idempotency_key, actor)

    def _money_back(
        self, kind: str, salon_id: str, payment_id: str, amount: int | None, key: str, actor: str
    ) -> PaymentView:
        secret = self._secret_key(salon_id)
        with self._db.reader() as session:
            row = session.get(OnlinePaymentRow, (salon_id, payment_id))
            if row is None:
                raise NotFound("payments.payment_not_found")
            state = _state(row)
            link_id = row.link_id
            claimed = kind == "void" and link_id is not None and link_claimed(session, salon_id, link_id)
            previous = session.get(PaymentRequestRow, (salon_id, key))
        if previous is not None:
            if (previous.kind, previous.payment_id, previous.amount_halalas) != (kind, payment_id, amount):
                raise Conflict("payments.idempotency_key_reused")
            if previous.state == "done":
                return self.payment(salon_id, payment_id)
            # An earlier try's answer was lost: has Moyasar applied it? Re-fetch before asking again.
            fetched = self._provider.fetch_payment(secret, payment_id)
            self._observe(salon_id, fetched, actor=actor)
            if _request_done(kind, previous.refunded_before, amount, fetched):
                self._request_state(salon_id, key, "done")
                return self.payment(salon_id, payment_id)
            state = fetched.state
        requested = amount
        if kind == "refund":
            amount = check_refund(state, amount)
        else:  # Moyasar alone knows settlement: it refuses after it
            check_void(state, settled=False, claimed=claimed)
        if previous is None:
            with self._db.session() as session:
                if kind == "void" and link_id is not None:  # a bill's claim pushed meanwhile: checked under its lock
                    lock_claims(session, salon_id, link_id)
                    check_void(state, settled=False, claimed=link_claimed(session, salon_id, link_id))
                session.add(PaymentRequestRow(
                    salon_id=salon_id, id=key, kind=kind, payment_id=payment_id,
                    amount_halalas=requested,
                    refunded_before=state.refunded_halalas, state="started", actor=actor,
                    created_at=self._clock.now(),
                ))
                try:
                    session.commit()
                except IntegrityError:
                    raise Unavailable("payments.link_in_progress") from None
        try:
            if kind == "refund":
                answer = self._provider.refund(secret, payment_id, amount)
            else:
                answer = self._provider.void(secret, payment_id)
        except ProviderRefused as refused:
            self._request_state(salon_id, key, "refused")
            if kind == "void" and refused.kind == "invalid_request_error":  # settled, or no longer voidable
                raise Conflict("payments.void_not_allowed", message=refused.message,
                               provider_type=refused.kind) from refused
            raise provider_refused(refused) from refused
        self._observe(salon_id, answer, actor=actor)
        self._request_state(salon_id, key, "done")
        return self.payment(salon_id, payment_id)

    def _request_state(self, salon_id: str, key: str, state: str) -> None:
        with self._db.session() as session:
            session.execute(
                update(PaymentRequestRow)
                .where(PaymentRequestRow.salon_id == salon_id, PaymentRequestRow.id == key)
                .values(state=state)
            )
            session.commit()

    # ------------------------------------------------------------------ reconciliation

    def reconcile(self, *, older_than_seconds: int = 300, limit: int = 200) -> list[dict[str, Any]]:
        """Re-fetches links waiting for payment and payments not final, untouched for a while; returns what
        changed. Also finishes links whose create timed out (their lease expired)."""
        now = self._clock.now()
        cutoff = now - timedelta(seconds=older_than_seconds)
        with self._db.reader() as session:
            links = session.execute(
                select(PayLinkRow.salon_id, PayLinkRow.id, PayLinkRow.invoice_id, PayLinkRow.status)
                .where(PayLinkRow.status.in_([LinkStatus.PENDING.value, LinkStatus.CREATING.value]),
                       PayLinkRow.updated_at <= cutoff)
                .limit(limit)
            ).all()
            payments = session.execute(
                select(OnlinePaymentRow.salon_id, OnlinePaymentRow.id)
                .where(OnlinePaymentRow.status.in_([PaymentStatus.INITIATED.value, PaymentStatus.AUTHORIZED.value]),
                       OnlinePaymentRow.checked_at <= cutoff)
                .limit(limit)
            ).all()
        corrections: list[dict[str, Any]] = []
        for salon_id, link_id, invoice_id, status in links:
            before = self._link_view(salon_id, link_id)
            try:
                secret = self._secret_key(salon_id)
                if status == LinkStatus.CREATING.value:
                    if self._claim(salon_id, link_id):
                        self._make_invoice(salon_id, link_id, secret)
                elif invoice_id is not None:
                    invoice = self._provider.fetch_invoice(secret, invoice_id)
                    for payment in invoice.payments:
                        self._observe(salon_id, payment, actor="reconcile")
                    self._touch_link(salon_id, link_id)
            except (ProviderError, ProviderRefused, DomainError) as error:
                log.warning("reconcile: link not checked", extra={"fields": {"link_id": link_id,
                                                                              "error": type(error).__name__}})
                continue
            after = self._link_view(salon_id, link_id)
            if after.status != before.status:
                corrections.append({"salon_id": salon_id, "link_id": link_id, "from": before.status.value,
                                    "to": after.status.value})
        for salon_id, payment_id in payments:
            try:
                fetched = self._provider.fetch_payment(self._secret_key(salon_id), payment_id)
            except (ProviderError, ProviderRefused, DomainError):
                continue
            before_payment = self.payment(salon_id, payment_id)
            self._observe(salon_id, fetched, actor="reconcile")
            after_payment = self.payment(salon_id, payment_id)
            if after_payment.status != before_payment.status:
                corrections.append({"salon_id": salon_id, "payment_id": payment_id,
                                    "from": before_payment.status.value, "to": after_payment.status.value})
        return corrections

    def run_deposit_refunds(self) -> int:
        """Performs the refunds the salon's deposit policy decided (payments.deposit_policy)."""
        return perform_deposit_refunds(self._db, self._clock, self)

    def fetch_payment_state(self, salon_id: str, payment_id: str, *, actor: str) -> PaymentState:
        """Moyasar's word on a payment now, merged forward into ours (deposit refunds re-check before asking).
        Unreachable: ProviderError; refused: Conflict("payments.provider_refused")."""
        try:
            fetched = self._provider.fetch_payment(self._secret_key(salon_id), payment_id)
        except ProviderRefused as refused:
            raise provider_refused(refused) from refused
        self._observe(salon_id, fetched, actor=actor)
        return fetched.state

    def refund_at_provider(self, salon_id: str, payment_id: str, amount_halalas: int, *, actor: str) -> PaymentState:
        """One refund asked of Moyasar (the caller holds no database lock and has recorded what it asks), its
        answer merged forward and audited. Unreachable: ProviderError; refused: Conflict."""
        try:
            answer = self._provider.refund(self._secret_key(salon_id), payment_id, amount_halalas)
        except ProviderRefused as refused:
            raise provider_refused(refused) from refused
        self._observe(salon_id, answer, actor=actor)
        return answer.state

    def _touch_link(self, salon_id: str, link_id: str) -> None:
        with self._db.session() as session:
            session.execute(
                update(PayLinkRow)
                .where(PayLinkRow.salon_id == salon_id, PayLinkRow.id == link_id)
                .values(updated_at=self._clock.now())
            )
            session.commit()

    # ------------------------------------------------------------------ helpers

    def _box(self) -> KeyBox:
        if self._keybox is None:
            raise Unavailable("payments.not_configured")
        return self._keybox

    def _open(self, salon_id: str, purpose: str, sealed: bytes) -> str:
        try:
            return self._box().open(salon_id, purpose, sealed)
        except KeyBoxError:
            log.error("a salon's sealed payment key does not open", extra={"fields": {"salon_id": salon_id}})
            raise Unavailable("payments.not_configured") from None

    def _secret_key(self, salon_id: str) -> str:
        with self._db.reader() as session:
            account = session.get(PaymentAccountRow, salon_id)
            sealed = account.secret_key_sealed if account is not None else None
        if sealed is None:
            raise Conflict("payments.not_configured")
        return self._open(salon_id, "secret_key", sealed)

    def _audit(
        self, session: Session, salon_id: str, entity: str, entity_id: str, action: str, actor: str,
        before: dict[str, Any] | None, after: dict[str, Any] | None,
    ) -> None:
        session.add(
            PaymentAuditRow(
                salon_id=salon_id, id=str(uuid.uuid4()), at=self._clock.now(), entity=entity,
                entity_id=entity_id, action=action[:40], actor=actor[:80], before=before, after=after,
            )
        )
        replication.note(session, salon_id, entity, entity_id)  # desks see the change by pull


def provider_refused(refused: ProviderRefused) -> Conflict:
    """Moyasar's refusal as the translated answer, its own message and error type kept for the desk."""
    return Conflict("payments.provider_refused", message=refused.message, provider_type=refused.kind)


def _request_hash(request: LinkRequest) -> str:
    facts = [request.booking_id, request.purpose, request.amount_halalas]  # not the language: one link
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()


def _request_done(kind: str, refunded_before: int, amount: int | None, fetched: ProviderPayment) -> bool:
    if kind == "void":
        return fetched.status is PaymentStatus.VOIDED
    wanted = fetched.amount_halalas if amount is None else refunded_before + amount
    return fetched.refunded_halalas >= wanted


def _state(row: OnlinePaymentRow) -> PaymentState:
    return PaymentState(PaymentStatus(row.status), row.amount_halalas, row.refunded_halalas)


def _link_facts(row: PayLinkRow) -> dict[str, Any]:
    return {
        "status": row.status, "amount_halalas": row.amount_halalas, "purpose": row.purpose,
        "booking_id": row.booking_id, "invoice_id": row.invoice_id, "lang": row.lang,
        "expires_at": row.expires_at.isoformat(),
    }


def _payment_facts(row: OnlinePaymentRow) -> dict[str, Any]:
    return {"status": row.status, "amount_halalas": row.amount_halalas, "refunded_halalas": row.refunded_halalas}


def _payment_view(row: OnlinePaymentRow) -> PaymentView:
    return PaymentView(
        id=row.id, status=PaymentStatus(row.status), amount_halalas=row.amount_halalas,
        refunded_halalas=row.refunded_halalas, link_id=row.link_id, booking_id=row.booking_id,
        company=row.company,
    )
