"""Qt fixtures shared by the UI tests: offscreen platform, bundled fonts + theme, a task runner, a temp
QSettings file and a `ui_context` built from them.

`ui_context` wraps the real DeskService over the seeded demo database (`desk_service` from tests/conftest.py)
and the same hand-moved `clock` (DEMO_NOW unless a test sets `clock.now`). Override `ui_desk` in a test
module to give a page something else.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator  # noqa: E402
from datetime import datetime  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from salon_desk.ui import i18n, theme  # noqa: E402
from salon_desk.ui.context import DeskEvents, SignedInUser, UiContext  # noqa: E402
from salon_desk.ui.tasks import TaskRunner  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def desk_theme(qapp: Any) -> None:
    """Bundled fonts and the stylesheet, once per session, so rendering matches the app."""
    theme.apply_theme(qapp, rtl=True)


@pytest.fixture
def ui_settings(tmp_path: Any) -> QSettings:
    """A QSettings in a temp ini file: tests never touch the real desk's preferences."""
    return QSettings(str(tmp_path / "salon-desk.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def task_runner(qapp: Any) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    assert runner.shutdown(), "a task lane did not stop"


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Jobs a test left on the lanes finish inside the test's own call, under its log capture: a lane that
    logged a refusal while pytest swapped the call's capture for the teardown's wrote to a closed stream."""
    yield
    runner = getattr(item, "funcargs", {}).get("task_runner")
    if isinstance(runner, TaskRunner):
        runner.wait_idle(5000)


@pytest.fixture
def ui_desk(desk_service: Any) -> Any:
    return desk_service


@pytest.fixture
def ui_context(
    ui_desk: Any, task_runner: TaskRunner, clock: Callable[[], datetime], ui_settings: QSettings
) -> Iterator[UiContext]:
    """Arabic (the default) with Latin digits; language state is global, so it is reset afterwards."""
    i18n.set_ui_language("ar", "latn")
    ctx = UiContext(
        desk=ui_desk,
        runner=task_runner,
        events=DeskEvents(),
        now=clock,
        user=SignedInUser("Noura", "receptionist"),
        settings=ui_settings,
    )
    yield ctx
    task_runner.wait_idle(5000)
    i18n.set_ui_language("ar", "latn")


@pytest.fixture
def show_active(qtbot: Any) -> Callable[[Any, int, int], Any]:
    """Shows a top-level window at a size and waits until it is the active window (shortcuts need that)."""
    from PySide6.QtWidgets import QApplication

    def show(window: Any, width: int, height: int) -> Any:
        qtbot.addWidget(window)
        window.resize(width, height)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        return window

    return show
