"""Qt fixtures shared by the UI tests: offscreen platform, bundled fonts + theme, a task runner, a fixed
clock, a temp QSettings file and a `ui_context` built from them.

`ui_context` uses the `ui_desk` fixture as its desk: a tiny hand-written fake here; override `ui_desk` in a
test module (or use the lead's `desk_service`) when a page needs real data.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, date, datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from salon_desk.ui import i18n, theme  # noqa: E402
from salon_desk.ui.context import DeskEvents, SignedInUser, UiContext  # noqa: E402
from salon_desk.ui.tasks import TaskRunner  # noqa: E402
from salon_desk.usecases.views import SalonInfo  # noqa: E402

# Sunday 2 March 2025, 09:30 in Riyadh = 1 Ramadan 1446 (Umm al-Qura).
FIXED_NOW = datetime(2025, 3, 2, 6, 30, tzinfo=UTC)


@dataclass
class FixedClock:
    instant: datetime = FIXED_NOW

    def now(self) -> datetime:
        return self.instant

    def advance(self, **delta: float) -> None:
        self.instant += timedelta(**delta)


@dataclass
class FakeDesk:
    """The few DeskService reads the shell itself makes; records calls so tests can check the lane."""

    salon: SalonInfo = field(
        default_factory=lambda: SalonInfo(
            id="salon-1", name_ar="صالون الورد", name_en="Al Ward Salon", timezone="Asia/Riyadh", digit_style="latn"
        )
    )
    calls: list[str] = field(default_factory=list)

    def salon_info(self) -> SalonInfo:
        self.calls.append("salon_info")
        return self.salon

    def today(self) -> date:
        self.calls.append("today")
        return FIXED_NOW.date()


@pytest.fixture(scope="session", autouse=True)
def desk_theme(qapp: Any) -> None:
    """Bundled fonts and the stylesheet, once per session, so rendering matches the app."""
    theme.apply_theme(qapp, rtl=True)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def ui_settings(tmp_path: Any) -> QSettings:
    """A QSettings in a temp ini file: tests never touch the real desk's preferences."""
    return QSettings(str(tmp_path / "salon-desk.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def task_runner(qapp: Any) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    assert runner.shutdown(), "a task lane did not stop"


@pytest.fixture
def ui_desk() -> Any:
    return FakeDesk()


@pytest.fixture
def ui_context(ui_desk: Any, task_runner: TaskRunner, clock: FixedClock, ui_settings: QSettings) -> Iterator[UiContext]:
    """Arabic (the default) with Latin digits; language state is global, so it is reset afterwards."""
    i18n.set_ui_language("ar", "latn")
    ctx = UiContext(
        desk=ui_desk,
        runner=task_runner,
        events=DeskEvents(),
        now=clock.now,
        user=SignedInUser("Noura", "receptionist"),
        settings=ui_settings,
    )
    yield ctx
    task_runner.wait_idle(5000)
    i18n.set_ui_language("ar", "latn")
