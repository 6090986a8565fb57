"""The one place the desk and the cloud read the wall clock.

Everything else is handed a clock (`Clock`, a callable returning a tz-aware UTC instant) so that tests,
demos and the shifted-clock CI run decide what "now" is. A ruff rule bans `datetime.now()` and
`date.today()` everywhere but here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The machine's current instant, tz-aware UTC."""
    return datetime.now(UTC)
