"""The OTP limits, counted from `otp_request` rows (they hold across workers and hosts).

Two separate sets, so a stranger hammering the public endpoint cannot lock a customer out of their link:
- public `/v1/otp/request`: per phone (cooldown + window) and per address, counting public rows only;
- a booking page's "send code": per link (cooldown + window) and per address, counting that page's rows.
Each salon's customers may be sent SALON_OTP_DAILY_BUDGET_PER_SALON codes in any 24 hours; the public
endpoint may use only PUBLIC_BUDGET_SHARE of it, so strangers cannot spend what booking pages need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..settings import CloudSettings
from ..throttle import Limit, wait_seconds
from .rows import OtpRequestRow

# A salon's shared network serves many customers: the per-IP window allows this many phones' worth.
IP_LIMIT_FACTOR = 10
PUBLIC_BUDGET_SHARE = 0.5
DAY = timedelta(days=1)
NO_SALON = "00000000-0000-0000-0000-000000000000"  # counts nothing: the same query runs either way


@dataclass(frozen=True, slots=True)
class OtpPolicy:
    ttl_seconds: int = 300
    max_attempts: int = 5
    cooldown_seconds: int = 60
    window_seconds: int = 3600
    max_per_window: int = 5
    max_per_ip_per_window: int = 5 * IP_LIMIT_FACTOR
    verify_max_per_ip: int = 50
    daily_budget_per_salon: int = 500
    daily_alert_total: int = 20_000

    @classmethod
    def from_settings(cls, settings: CloudSettings) -> OtpPolicy:
        return cls(
            ttl_seconds=settings.otp_ttl_seconds,
            max_attempts=settings.otp_max_attempts,
            cooldown_seconds=settings.otp_cooldown_seconds,
            window_seconds=settings.otp_window_seconds,
            max_per_window=settings.otp_max_per_window,
            max_per_ip_per_window=settings.otp_max_per_window * IP_LIMIT_FACTOR,
            verify_max_per_ip=settings.otp_verify_max_per_ip,
            daily_budget_per_salon=settings.otp_daily_budget_per_salon,
            daily_alert_total=settings.otp_daily_alert_total,
        )

    @property
    def public_budget(self) -> int:
        return max(1, int(self.daily_budget_per_salon * PUBLIC_BUDGET_SHARE))


@dataclass(frozen=True, slots=True)
class Wait:
    seconds: int
    code: str  # the translated error code of the refusal
    limit: str  # the metric label


class OtpLimits:
    def __init__(self, policy: OtpPolicy) -> None:
        self.policy = policy

    def public(self, session: Session, e164: str, ip: str | None, now: datetime) -> Wait:
        """The longest wait among the public limits (0 seconds: one more may go now)."""
        phone = OtpRequestRow.phone_e164 == e164
        times = self._recent(session, now, self.policy.max_per_window, phone, OtpRequestRow.link_id.is_(None))
        waits = self._phone_or_link(times, now, "phone")
        if ip:
            waits.append(self._ip(session, ip, now, OtpRequestRow.link_id.is_(None), "ip_window"))
        return max(waits, key=lambda wait: wait.seconds)

    def link(self, session: Session, link_id: str, ip: str | None, now: datetime) -> Wait:
        times = self._recent(session, now, self.policy.max_per_window, OtpRequestRow.link_id == link_id)
        waits = self._phone_or_link(times, now, "link")
        if ip:
            waits.append(self._ip(session, ip, now, OtpRequestRow.link_id.is_not(None), "link_ip_window"))
        return max(waits, key=lambda wait: wait.seconds)

    def salon_sent(self, session: Session, salon_id: str | None, now: datetime, count: int) -> list[datetime]:
        """Newest-first times of the codes sent (or being sent) to the salon's customers in 24 hours."""
        query = (
            select(OtpRequestRow.created_at)
            .where(
                OtpRequestRow.salon_id == (salon_id or NO_SALON),
                OtpRequestRow.created_at > now - DAY,
                OtpRequestRow.withheld.is_(False),
                OtpRequestRow.send_failed_at.is_(None),
            )
            .order_by(OtpRequestRow.created_at.desc())
            .limit(count)
        )
        return list(session.scalars(query))

    def budget_wait(self, session: Session, salon_id: str, now: datetime) -> Wait:
        budget = Limit(self.policy.daily_budget_per_salon, int(DAY.total_seconds()))
        sent = self.salon_sent(session, salon_id, now, budget.count)
        return Wait(wait_seconds(sent, budget, now), "otp.salon_budget", "salon_budget")

    # -- helpers

    def _phone_or_link(self, times: list[datetime], now: datetime, kind: str) -> list[Wait]:
        policy = self.policy
        window = Limit(policy.max_per_window, policy.window_seconds)
        waits = [Wait(wait_seconds(times, window, now), "otp.too_many_requests", f"{kind}_window")]
        if policy.cooldown_seconds:
            cooldown = Limit(1, policy.cooldown_seconds)
            waits.append(Wait(wait_seconds(times[:1], cooldown, now), "otp.cooldown", f"{kind}_cooldown"))
        return waits

    def _ip(self, session: Session, ip: str, now: datetime, source: Any, label: str) -> Wait:
        window = Limit(self.policy.max_per_ip_per_window, self.policy.window_seconds)
        times = self._recent(session, now, window.count, OtpRequestRow.ip == ip, source, failed_too=True)
        return Wait(wait_seconds(times, window, now), "otp.ip_throttled", label)

    def _recent(
        self, session: Session, now: datetime, count: int, *conditions: Any, failed_too: bool = False
    ) -> list[datetime]:
        """Newest-first creation times inside the longest lookback; failed sends hold no phone limit."""
        policy = self.policy
        lookback = timedelta(seconds=max(policy.window_seconds, policy.cooldown_seconds))
        query = select(OtpRequestRow.created_at).where(*conditions, OtpRequestRow.created_at > now - lookback)
        if not failed_too:
            query = query.where(OtpRequestRow.send_failed_at.is_(None))
        return list(session.scalars(query.order_by(OtpRequestRow.created_at.desc()).limit(count)))
