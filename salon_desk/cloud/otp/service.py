"""Phone verification codes: issued, limited, sent and checked. Used by `/v1/otp/*` and by the customer
booking page (pass its `salon_id`).

Rules: codes are 6 random digits, stored only as a salted scrypt hash, expire after the TTL, allow a
limited number of wrong tries and are single use. Per phone there is a resend cooldown and a sliding-window
limit; per IP address a wider window limit. A refused request gets the exact seconds until a new one would
pass. The limit check and the insert share one write transaction (BEGIN IMMEDIATE on SQLite, an advisory
lock on PostgreSQL); the provider is called after commit, never while the lock is held.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
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
from ..settings import CloudSettings
from ..throttle import Limit, wait_seconds
from .rows import OtpRequestRow

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
}

CODE_DIGITS = 6
# scrypt makes an offline guess of all 10^6 codes from a leaked hash take hours, far beyond the TTL.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
# A salon's shared network serves many customers: the per-IP window allows this many phones' worth.
IP_LIMIT_FACTOR = 10


@dataclass(frozen=True, slots=True)
class OtpPolicy:
    ttl_seconds: int = 300
    max_attempts: int = 5
    cooldown_seconds: int = 60
    window_seconds: int = 3600
    max_per_window: int = 5
    max_per_ip_per_window: int = 5 * IP_LIMIT_FACTOR

    @classmethod
    def from_settings(cls, settings: CloudSettings) -> OtpPolicy:
        return cls(
            ttl_seconds=settings.otp_ttl_seconds,
            max_attempts=settings.otp_max_attempts,
            cooldown_seconds=settings.otp_cooldown_seconds,
            window_seconds=settings.otp_window_seconds,
            max_per_window=settings.otp_max_per_window,
            max_per_ip_per_window=settings.otp_max_per_window * IP_LIMIT_FACTOR,
        )


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
        self._clock = clock
        self._metrics = metrics or CloudMetrics()

    def request_code(
        self, phone: str, channel: Channel | str, *, lang: str, ip: str | None, salon_id: str | None = None
    ) -> IssuedOtp:
        """Validates the phone, applies the limits, stores the hashed code and sends it."""
        channel = Channel(channel)
        e164 = normalize_mobile(phone)
        now = self._clock.now()
        request_id = new_id(int(now.timestamp() * 1000))
        code = new_code()
        row = OtpRequestRow(
            id=request_id,
            salon_id=salon_id,
            phone_e164=e164,
            channel=channel.value,
            language=lang,
            code_hash=hash_code(request_id, code),
            created_at=now,
            expires_at=now + timedelta(seconds=self._policy.ttl_seconds),
            attempts=0,
            ip=ip,
            provider=self._sender.name,
        )
        with self._db.session() as session:
            self._enforce_limits(session, e164, ip, now, channel)
            session.add(row)
            session.commit()
        self._send(row, code, channel, lang)
        return IssuedOtp(request_id, e164, channel, row.expires_at)

    def verify(self, request_id: str, code: str, *, salon_id: str | None = None) -> VerifiedOtp:
        """The verified phone, or a coded error: not_found, used, too_many_attempts, expired, invalid_code."""
        canonical_id = canonical_uuid(request_id)
        if canonical_id is None:
            self._count_verification("not_found")
            raise NotFound("otp.not_found")
        candidate = hash_code(canonical_id, normalize_digits(code).strip())  # before the lock: scrypt is slow
        now = self._clock.now()
        with self._db.session() as session:
            row = self._usable(session.get(OtpRequestRow, canonical_id, with_for_update=True), salon_id, now)
            if hmac.compare_digest(candidate, row.code_hash):
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
        if remaining <= 0:
            self._count_verification("locked")
            raise Forbidden("otp.too_many_attempts")
        self._count_verification("invalid_code")
        raise BadRequest("otp.invalid_code", remaining_attempts=remaining)

    # -- limits

    def _enforce_limits(
        self, session: Session, e164: str, ip: str | None, now: datetime, channel: Channel
    ) -> None:
        lock_key(session, f"otp:phone:{e164}")
        if ip:
            lock_key(session, f"otp:ip:{ip}")
        policy = self._policy
        phone_times = self._recent(session, OtpRequestRow.phone_e164 == e164, policy.max_per_window, now)
        window = Limit(policy.max_per_window, policy.window_seconds)
        waits = [(wait_seconds(phone_times, window, now), "otp.too_many_requests")]
        if policy.cooldown_seconds:
            cooldown = Limit(1, policy.cooldown_seconds)
            waits.append((wait_seconds(phone_times[:1], cooldown, now), "otp.cooldown"))
        if ip:
            ip_window = Limit(policy.max_per_ip_per_window, policy.window_seconds)
            ip_times = self._recent(session, OtpRequestRow.ip == ip, ip_window.count, now, all_rows=True)
            waits.append((wait_seconds(ip_times, ip_window, now), "otp.ip_throttled"))
        wait, code = max(waits)
        if wait > 0:
            self._metrics.otp_requests.labels(channel.value, "limited").inc()
            log.info(
                "otp request limited",
                extra={"fields": {"reason": code, "retry_after": wait, "phone": mask_phone(e164)}},
            )
            raise RateLimited(code, wait)

    def _recent(
        self, session: Session, condition: object, limit: int, now: datetime, *, all_rows: bool = False
    ) -> list[datetime]:
        """Newest-first creation times inside the longest lookback; failed sends hold no phone limit."""
        lookback = timedelta(seconds=max(self._policy.window_seconds, self._policy.cooldown_seconds))
        query = select(OtpRequestRow.created_at).where(condition, OtpRequestRow.created_at > now - lookback)
        if not all_rows:
            query = query.where(OtpRequestRow.send_failed_at.is_(None))
        return list(session.scalars(query.order_by(OtpRequestRow.created_at.desc()).limit(limit)))

    # -- sending

    def _send(self, row: OtpRequestRow, code: str, channel: Channel, lang: str) -> None:
        fields = {
            "request_id": row.id,
            "channel": channel.value,
            "provider": self._sender.name,
            "phone": mask_phone(row.phone_e164),
        }
        try:
            result = self._sender.send_otp(row.phone_e164, code, channel, lang, salon_id=row.salon_id)
        except MessagingError:
            self._record_send(row.id, send_failed_at=self._clock.now())
            self._metrics.otp_requests.labels(channel.value, "send_failed").inc()
            self._metrics.messages.labels(self._sender.name, "otp", "failed").inc()
            log.warning("otp not sent", extra={"fields": fields})
            raise
        self._record_send(row.id, provider_message_id=result.provider_id)
        self._metrics.otp_requests.labels(channel.value, "sent").inc()
        self._metrics.messages.labels(self._sender.name, "otp", result.status).inc()
        log.info("otp sent", extra={"fields": fields})

    def _record_send(self, request_id: str, **values: object) -> None:
        with self._db.session() as session:
            session.execute(update(OtpRequestRow).where(OtpRequestRow.id == request_id).values(**values))
            session.commit()

    # -- verification

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

    def _count_verification(self, outcome: str) -> None:
        self._metrics.otp_verifications.labels(outcome).inc()
