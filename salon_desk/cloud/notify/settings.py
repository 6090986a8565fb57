"""Notification settings: environment variables, read once (like CloudSettings, but this feature's own).

SALON_NOTIFY_CHANNEL=sms|whatsapp       first channel tried (whatsapp falls back to SMS when refused)
SALON_NOTIFY_REMINDERS=24,2             reminder lead times in hours ("" = no reminders)
SALON_NOTIFY_QUIET_HOURS=21:00-09:00    salon-local hours in which reminders wait ("" = none)
SALON_NOTIFY_MAX_ATTEMPTS=5             attempts before a message is dead
SALON_NOTIFY_BACKOFF_SECONDS=30         first retry delay; doubles per attempt, capped at one hour
SALON_NOTIFY_IN_PROCESS=0|1             run the worker inside `salon-cloud serve` (small installs)
SALON_NOTIFY_BATCH=20                   jobs one round claims at most
SALON_NOTIFY_PER_SALON=5                jobs of one salon one round claims at most (fairness across salons)
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from .events import REMINDER_BY_HOURS, Event


class NotifySettings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", validate_by_name=True, frozen=True)

    channel: str = Field("sms", validation_alias="SALON_NOTIFY_CHANNEL", pattern="^(sms|whatsapp)$")
    reminders: str = Field("24,2", validation_alias="SALON_NOTIFY_REMINDERS")
    quiet_hours: str = Field("21:00-09:00", validation_alias="SALON_NOTIFY_QUIET_HOURS")
    max_attempts: int = Field(5, ge=1, le=20, validation_alias="SALON_NOTIFY_MAX_ATTEMPTS")
    backoff_seconds: float = Field(30.0, gt=0, validation_alias="SALON_NOTIFY_BACKOFF_SECONDS")
    backoff_cap_seconds: float = Field(3600.0, gt=0, validation_alias="SALON_NOTIFY_BACKOFF_CAP_SECONDS")
    lease_seconds: float = Field(120.0, gt=0, validation_alias="SALON_NOTIFY_LEASE_SECONDS")
    batch_size: int = Field(20, ge=1, le=500, validation_alias="SALON_NOTIFY_BATCH")
    per_salon: int = Field(5, ge=1, le=500, validation_alias="SALON_NOTIFY_PER_SALON")
    poll_seconds: float = Field(2.0, gt=0, validation_alias="SALON_NOTIFY_POLL_SECONDS")
    scheduler_seconds: float = Field(60.0, gt=0, validation_alias="SALON_NOTIFY_SCHEDULER_SECONDS")
    in_process: bool = Field(False, validation_alias="SALON_NOTIFY_IN_PROCESS")

    @field_validator("reminders")
    @classmethod
    def _known_reminders(cls, value: str) -> str:
        hours = [int(part) for part in value.replace(" ", "").split(",") if part]
        unknown = [h for h in hours if h not in REMINDER_BY_HOURS]
        if unknown:
            raise ValueError(f"reminder lead times must be among {sorted(REMINDER_BY_HOURS)} hours")
        return ",".join(str(h) for h in hours)

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours_shape(cls, value: str) -> str:
        parse_quiet_hours(value)
        return value.strip()

    @classmethod
    def isolated(cls, **values: Any) -> NotifySettings:
        """Settings from keywords only (tests, the demo): the process environment is not read."""
        return _IsolatedNotifySettings(**values)

    @property
    def reminder_events(self) -> dict[Event, timedelta]:
        hours = [int(part) for part in self.reminders.split(",") if part]
        return {REMINDER_BY_HOURS[h]: timedelta(hours=h) for h in hours}

    @property
    def quiet(self) -> tuple[time, time] | None:
        return parse_quiet_hours(self.quiet_hours)

    def backoff(self, attempts: int) -> timedelta:
        """Delay before attempt `attempts + 1`: base, 2x, 4x ..., capped."""
        seconds = self.backoff_seconds * 2 ** max(0, attempts - 1)
        return timedelta(seconds=min(seconds, self.backoff_cap_seconds))


class _IsolatedNotifySettings(NotifySettings):
    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def parse_quiet_hours(text: str | None) -> tuple[time, time] | None:
    """ "21:00-09:00" -> (21:00, 09:00); "" or None -> no quiet hours. Raises ValueError on other text."""
    if not text or not text.strip():
        return None
    start, sep, end = text.strip().partition("-")
    if not sep:
        raise ValueError("quiet hours look like 21:00-09:00")
    first, last = time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    if first == last:
        raise ValueError("quiet hours need a start different from the end")
    return first, last
