"""Running the worker: inside the API process (`serve --with-worker`, the demo) or on its own
(`salon-cloud worker`). Either way it is the same NotificationWorker; several may run at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..clock import Clock
from ..db import Database
from ..messaging.base import MessageSender
from ..settings import CloudSettings
from .providers import build_notifier
from .settings import NotifySettings
from .worker import NotificationWorker

if TYPE_CHECKING:
    from fastapi import FastAPI

    from ..deps import CloudServices


def build_worker(
    db: Database,
    sender: MessageSender,
    clock: Clock,
    cloud_settings: CloudSettings,
    settings: NotifySettings,
    *,
    on_change: Callable[[str], None] | None = None,
) -> NotificationWorker:
    notifier = build_notifier(sender, cloud_settings)
    return NotificationWorker(
        db, notifier, clock, settings, public_base_url=cloud_settings.public_base_url, on_change=on_change
    )


def in_process_worker(app: FastAPI, services: CloudServices) -> NotificationWorker | None:
    """The worker `create_app`'s lifespan starts, when SALON_NOTIFY_IN_PROCESS (or the demo's
    `app.state.notify_settings`) asks for one. It wakes the salon's long-polling desks after each change."""
    settings = getattr(app.state, "notify_settings", None) or NotifySettings()
    if not settings.in_process:
        return None

    def wake_desks(salon_id: str) -> None:
        sync = getattr(app.state, "sync", None)  # built by the sync router on its first request
        if sync is not None:
            sync.notifier.notify(salon_id)

    return build_worker(
        services.db, services.sender, services.clock, services.settings, settings, on_change=wake_desks
    )
