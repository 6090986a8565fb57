"""Phone verification codes: issued, limited, sent and checked. Used by `/v1/otp/*` (public) and by the
customer booking page (`request_for_link` / `verify_for_link`).

Rules: codes are 6 random digits, stored only as a salted scrypt hash, expire after the TTL, allow a
limited number of wrong tries and are single use. Limits live in `otp.limits`; a refused request gets the
exact seconds until a new one would pass, and never costs a scrypt.

Public requests (SMS pumping, probing whose phone is whose): a code is sent only to a phone behind a live
booking link (`otp.reach`), within the salon's daily budget. Any other phone gets the same status, body
and work: a row, a scrypt, a queued delivery that sends nothing; such a request can never be verified.
On `/v1/otp/verify` an unknown request answers exactly like a wrong code (attempts counted alike); the
request is looked up before hashing, and verification is limited per address and per request.

The limit check and the insert share one write transaction (BEGIN IMMEDIATE on SQLite, advisory locks on
PostgreSQL) holding a random placeholder hash; the code is hashed after commit (scrypt is slow: never under
the lock), then the hash is stored and the provider called.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from salon_desk.domain.digits import normalize_digits
from salon_desk.domain.errors import Conflict, Forbidden, NotFound
from salon_desk.domain.i18n import N_
from salon_desk.domain.ids import new_id
from salon_desk.domain.phone import mask_phone, normalize_mobile

from ..clock import Clock
from ..db import Database, canonical_uuid, lock_key
from ..errors import BadRequest, Gone, RateLimited
from ..messaging.base import Channel, MessageSender, MessagingError
from ..metrics import CloudMetrics
from ..throttle import Limit, Throttle, ThrottleEventRow
from .delivery import DeliveryQueue
from .limits import DAY, OtpLimits, OtpPolicy, Wait
from .reach import reachable_salon
from .rows import OtpRequestRow

__all__ = ["IssuedOtp", "OtpPolicy", "OtpService", "VerifiedOtp"]

log = logging.getLogger(__name__)

MESSAGES = {
    "otp.invalid_code": N_("The code is not correct. Attempts left: {remaining_attempts}."),
    "otp.expired": N_("This code has expired. Please ask for a new code."),
    "otp.used": N_("This code was already used. Please ask for a new code."),
    "otp.too_many_attempts": N_("Too many wrong codes. Please ask for a new code."),
    "otp.not_found": N_("This verification request was not found. Please ask for a new code."),
    "otp.cooldown": N_("A new code can be sent in {seconds}."),
    "otp.too_many_requests": N_("Too many codes were asked for this number. Please try again in {seconds}."),
    "otp.ip_throttled": N_("Too many codes were asked from this network. Please try again in {seconds}."),
    "otp.verify_throttled": N_("Too many codes were tried from this network. Please try again in {seconds}."),
    "otp.salon_budget": N_(
        "The salon cannot send more codes today. Please try again in {seconds} or contact the salon."
    ),
}

CODE_DIGITS = 6
# scrypt makes an offline guess of all 10^6 codes from a leaked hash take hours, far beyond the TTL.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
VERIFY_IP_SCOPE = "otp.verify_ip"
UNKNOWN_SCOPE = "otp.verify_unknown"  # wrong tries on request ids that do not exist (or never can verify)
ALERT_EVERY = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class IssuedOtp:
    request_id: str
    phone_e164: str
    channel: Channel
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class VerifiedOtp:
    request_id: str
    phone_e164: str
    salon_id: str | None


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def hash_code(request_id: str, code: str) -> bytes:
    return hashlib.scrypt(code.encode("utf-8"), salt=request_id.encode("ascii"), **_SCRYPT)


class OtpService:
    def __init__(
        self,
        db: Database,
        sender: MessageSender,
        policy: OtpPolicy,
        clock: Clock,
        metrics: CloudMetrics | None = None,
    ) -> None:
        self._db = db
        self._sender = sender
        self._policy = policy
        self._limits = OtpLimits(policy)
        self._clock = clock
        self._metrics = metrics or CloudMetrics()
        self._throttle = Throttle(clock)
        self._queue = DeliveryQueue()
        self._alerted_at: datetime | None = None
        self._alert_lock = threading.Lock()

    # -- issuing

    def request_code(self, phone: str, channel: Channel | str, *, lang: str, ip: str | None) -> IssuedOtp:
        """Public: limits, then a row and a queued delivery; sent only if the phone is reachable."""
        channel, e164, now = Channel(channel), normalize_mobile(phone), self._clock.now()
        with self._db.session() as session:
            _lock(session, f"otp:phone:{e164}", ip and f"otp:ip:{ip}")
            self._refuse_if_waiting(self._limits.public(session, e164, ip, now), channel, e164)
            salon_id = reachable_salon(session, e164, now)
            sent_today = self._limits.salon_sent(session, salon_id, now, self._policy.public_budget)
            withheld = salon_id is None or len(sent_today) >= self._policy.public_budget
            if salon_id is not None and withheld:
                self._metrics.otp_limited.labels("salon_budget").inc()
            row = self._insert(session, e164, channel, lang, ip, now, salon_id=salon_id, withheld=withheld)
        code = self._store_hash(row.id)
        issued = IssuedOtp(row.id, e164, channel, row.expires_at)
        if withheld:
            self._queue.submit(lambda: self._withhold(issued))
        else:
            self._queue.submit(lambda: self._deliver(issued, code, lang, salon_id, quiet=True))
        return issued

    def request_for_link(
        self,
        phone: str,
        channel: Channel | str,
        *,
        lang: str,
        ip: str | None,
        salon_id: str,
        link_id: str,
    ) -> IssuedOtp:
        """A booking page's "send code": the link's own limits and the salon's budget; sent at once, so
        the page can say when the provider failed."""
        channel, e164, now = Channel(channel), normalize_mobile(phone), self._clock.now()
        with self._db.session() as session:
            _lock(session, f"otp:link:{link_id}", f"otp:salon:{salon_id}", ip and f"otp:link-ip:{ip}")
            wait = max(
                self._limits.link(session, link_id, ip, now),
                self._limits.budget_wait(session, salon_id, now),
                key=lambda w: w.seconds,
            )
            self._refuse_if_waiting(wait, channel, e164)
            row = self._insert(session, e164, channel, lang, ip, now, salon_id=salon_id, link_id=link_id)
        code = self._store_hash(row.id)
        issued = IssuedOtp(row.id, e164, channel, row.expires_at)
        self._deliver(issued, code, lang, salon_id, quiet=False)
        return issued

    def wait_idle(self, timeout: float | None = 10) -> bool:
        """Waits until every queued public delivery was handed to the provider (tests, shutdown)."""
        return self._queue.wait_idle(timeout)

    def close(self) -> None:
        self._queue.close()

    def _insert(
        self,
        session: Session,
        e164: str,
        channel: Channel,
        lang: str,
        ip: str | None,
        now: datetime,
        **values: object,
    ) -> OtpRequestRow:
        row = OtpRequestRow(
            id=new_id(int(now.timestamp() * 1000)),
            phone_e164=e164,
            channel=channel.value,
            language=lang,
            code_hash=secrets.token_bytes(32),  # a placeholder nobody knows until the real hash is stored
            created_at=now,
            expires_at=now + timedelta(seconds=self._policy.ttl_seconds),
            attempts=0,
            ip=ip,
            provider=self._sender.name,
            **values,
        )
        session.add(row)
        session.commit()
        return row

    def _store_hash(self, request_id: str) -> str:
        code = new_code()
        digest = self._hash("issue", request_id, code)
        self._update(request_id, code_hash=digest)
        return code

    def _refuse_if_waiting(self, wait: Wait, channel: Channel, e164: str) -> None:
        if wait.seconds <= 0:
            return
        self._metrics.otp_requests.labels(channel.value, "limited").inc()
        self._metrics.otp_limited.labels(wait.limit).inc()
        log.info(
            "otp request limited",
            extra={"fields": {"reason": wait.limit, "retry_after": wait.seconds, "phone": mask_phone(e164)}},
        )
        raise RateLimited(wait.code, wait.seconds)

    # -- sending

    def _deliver(self, issued: IssuedOtp, code: str, lang: str, salon_id: str | None, *, quiet: bool) -> None:
        """Hands the code to the provider. `quiet` (queued public sends): a failure is recorded and logged,
        not raised; on a booking page it answers 503."""
        fields = self._fields(issued)
        try:
            result = self._sender.send_otp(issued.phone_e164, code, issued.channel, lang, salon_id=salon_id)
        except MessagingError:
            self._update(issued.request_id, send_failed_at=self._clock.now())
            self._metrics.otp_requests.labels(issued.channel.value, "send_failed").inc()
            self._metrics.messages.labels(self._sender.name, "otp", "failed").inc()
            log.warning("otp not sent", extra={"fields": fields})
            if quiet:
                return
            raise
        self._update(issued.request_id, provider_message_id=result.provider_id)
        self._metrics.otp_requests.labels(issued.channel.value, "sent").inc()
        self._metrics.messages.labels(self._sender.name, "otp", result.status).inc()
        log.info("otp sent", extra={"fields": fields})
        self._watch_total()

    def _withhold(self, issued: IssuedOtp) -> None:
        """The public request's delivery for a phone nobody asked us to message: nothing is sent."""
        self._update(issued.request_id, provider_message_id=None)
        self._metrics.otp_requests.labels(issued.channel.value, "withheld").inc()
        log.info("otp withheld", extra={"fields": self._fields(issued)})

    def _watch_total(self) -> None:
        """The total over all salons is not a limit (one salon must not spend everyone's budget); reaching
        SALON_OTP_DAILY_ALERT_TOTAL logs a warning (at most hourly) and counts an alert."""
        now = self._clock.now()
        with self._db.reader() as session:
            total = session.scalar(
                select(func.count(OtpRequestRow.id)).where(
                    OtpRequestRow.created_at > now - DAY,
                    OtpRequestRow.withheld.is_(False),
                    OtpRequestRow.send_failed_at.is_(None),
                )
            )
        self._metrics.otp_sent_24h.set(total or 0)
        if (total or 0) < self._policy.daily_alert_total:
            return
        with self._alert_lock:
            if self._alerted_at is not None and now - self._alerted_at < ALERT_EVERY:
                return
            self._alerted_at = now
            self._metrics.otp_budget_alerts.inc()
            log.warning(
                "otp daily total over the alert level",
                extra={"fields": {"sent_24h": total, "alert_total": self._policy.daily_alert_total}},
            )

    def _fields(self, issued: IssuedOtp) -> dict[str, str]:
        return {
            "request_id": issued.request_id,
            "channel": issued.channel.value,
            "provider": self._sender.name,
            "phone": mask_phone(issued.phone_e164),
        }

    def _update(self, request_id: str, **values: object) -> None:
        with self._db.session() as session:
            session.execute(update(OtpRequestRow).where(OtpRequestRow.id == request_id).values(**values))
            session.commit()

    # -- verification

    def verify(self, request_id: str, code: str, *, ip: str | None) -> VerifiedOtp:
        """Public: limited per address and per request; an unknown request answers like a wrong code."""
        canonical_id = canonical_uuid(request_id)
        with self._db.session() as session:
            if ip:
                limit = Limit(self._policy.verify_max_per_ip, self._policy.window_seconds)
                wait = self._throttle.wait(session, VERIFY_IP_SCOPE, ip, limit)
                if wait > 0:
                    self._count_verification("limited")
                    self._metrics.otp_limited.labels("verify_ip").inc()
                    raise RateLimited("otp.verify_throttled", wait)
                self._throttle.record(session, VERIFY_IP_SCOPE, ip, limit)
            row = session.get(OtpRequestRow, canonical_id) if canonical_id else None
            if row is None or row.link_id is not None or row.send_failed_at is not None:
                self._unknown_attempt(session, str(request_id)[:100])  # commits, then raises
            session.commit()
        return self._check(row.id, code, salon_id=None)

    def verify_for_link(self, request_id: str, code: str, *, salon_id: str) -> VerifiedOtp:
        """The booking page's code (its request id comes from the server-side session, never the user)."""
        return self._check(request_id, code, salon_id=salon_id)

    def _check(self, request_id: str, code: str, *, salon_id: str | None) -> VerifiedOtp:
        """Looks the request up, hashes only for a usable one (outside any lock), then compares."""
        canonical_id = canonical_uuid(request_id)
        with self._db.reader() as session:
            found = session.get(OtpRequestRow, canonical_id) if canonical_id else None
            self._usable(found, salon_id, self._clock.now())
        candidate = self._hash("verify", str(canonical_id), normalize_digits(code).strip())
        now = self._clock.now()
        with self._db.session() as session:
            row = self._usable(session.get(OtpRequestRow, canonical_id, with_for_update=True), salon_id, now)
            if hmac.compare_digest(candidate, row.code_hash) and not row.withheld:
                row.consumed_at = now
                session.commit()
                self._count_verification("verified")
                return VerifiedOtp(row.id, row.phone_e164, row.salon_id)
            row.attempts += 1
            remaining = self._policy.max_attempts - row.attempts
            session.commit()
        log.info(
            "otp wrong code", extra={"fields": {"request_id": canonical_id, "remaining_attempts": remaining}}
        )
        self._wrong_code(remaining)
        raise AssertionError("unreachable")

    def _unknown_attempt(self, session: Session, key: str) -> NoReturn:
        """Counts a try on a request that cannot verify exactly as a wrong code on a real one is counted
        (the same answers, the same attempts left, the same lock-out); commits, then raises."""
        window = timedelta(seconds=self._policy.ttl_seconds)
        lock_key(session, f"{UNKNOWN_SCOPE}:{key}")
        session.execute(  # made-up ids are never asked about twice for long: forget them after the TTL
            delete(ThrottleEventRow).where(
                ThrottleEventRow.scope == UNKNOWN_SCOPE,
                ThrottleEventRow.created_at <= self._clock.now() - window,
            )
        )
        tried = int(
            session.scalar(
                select(func.count(ThrottleEventRow.id)).where(
                    ThrottleEventRow.scope == UNKNOWN_SCOPE,
                    ThrottleEventRow.key == key,
                    ThrottleEventRow.created_at > self._clock.now() - window,
                )
            )
            or 0
        )
        if tried >= self._policy.max_attempts:
            session.commit()
            self._count_verification("locked")
            raise Forbidden("otp.too_many_attempts")
        self._throttle.record(
            session, UNKNOWN_SCOPE, key, Limit(self._policy.max_attempts, int(window.total_seconds()))
        )
        session.commit()
        self._count_verification("unknown")
        self._wrong_code(self._policy.max_attempts - tried - 1, count=False)

    def _wrong_code(self, remaining: int, *, count: bool = True) -> NoReturn:
        if remaining <= 0:
            if count:
                self._count_verification("locked")
            raise Forbidden("otp.too_many_attempts")
        if count:
            self._count_verification("invalid_code")
        raise BadRequest("otp.invalid_code", remaining_attempts=remaining)

    def _usable(self, row: OtpRequestRow | None, salon_id: str | None, now: datetime) -> OtpRequestRow:
        if (
            row is None
            or row.send_failed_at is not None
            or (salon_id is not None and row.salon_id != salon_id)
        ):
            self._count_verification("not_found")
            raise NotFound("otp.not_found")
        if row.consumed_at is not None:
            self._count_verification("used")
            raise Conflict("otp.used")
        if row.attempts >= self._policy.max_attempts:
            self._count_verification("locked")
            raise Forbidden("otp.too_many_attempts")
        if row.expires_at <= now:
            self._count_verification("expired")
            raise Gone("otp.expired")
        return row

    def _hash(self, operation: str, request_id: str, code: str) -> bytes:
        self._metrics.otp_hashes.labels(operation).inc()
        return hash_code(request_id, code)

    def _count_verification(self, outcome: str) -> None:
        self._metrics.otp_verifications.labels(outcome).inc()


def _lock(session: Session, *keys: str | None) -> None:
    for key in keys:
        if key:
            lock_key(session, key)
