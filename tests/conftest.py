"""Shared fixtures: a real, migrated desk database with the demo salon, at a fixed moment."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from salon_desk.ui.qt_runtime import keep_none_alive  # noqa: E402

keep_none_alive()  # PySide6 6.12 on Python 3.11; a no-op on 3.12+

from salon_desk.demo.seed import seed_demo  # noqa: E402
from salon_desk.domain.booking import Role  # noqa: E402
from salon_desk.domain.model import Actor  # noqa: E402
from salon_desk.store.engine import make_engine  # noqa: E402
from salon_desk.store.uow import make_uow_factory  # noqa: E402
from salon_desk.usecases.desk import DeskService  # noqa: E402

# Wednesday 25 November 2026, 10:00 in Riyadh: the salon is open and the day is under way.
DEMO_NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


class FixedClock:
    """A clock tests move by hand; the store and the UI context both call it."""

    def __init__(self, now: datetime = DEMO_NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    @property
    def instant(self) -> datetime:
        return self.now

    @instant.setter
    def instant(self, value: datetime) -> None:
        self.now = value

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-template")
    seed_demo(folder, now=DEMO_NOW)
    return folder / "salon-desk.db"


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "salon-desk.db"
    shutil.copy(demo_template, target)
    return target


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def engine(demo_db: Path):  # type: ignore[no-untyped-def]
    eng = make_engine(demo_db)
    yield eng
    eng.dispose()


@pytest.fixture
def uow_factory(engine, clock):  # type: ignore[no-untyped-def]
    return make_uow_factory(engine, clock, device_id="desk-test")


@pytest.fixture
def actor() -> Actor:
    return Actor(user_id="00000000-0000-7000-8000-000000000001", role=Role.RECEPTIONIST, device_id="desk-test",
                 name="Reception")


@pytest.fixture
def desk_service(uow_factory, actor) -> DeskService:  # type: ignore[no-untyped-def]
    return DeskService(uow_factory, actor)


_TESTS_SINCE_FULL_COLLECTION = [0]
FULL_COLLECTION_EVERY = 100  # a full pass walks every live object (~1.5 s late in a session); young ones after each test


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_main_thread():
    """As the app does: no cyclic collection may start on a worker thread and free Qt objects there. The
    garbage a test leaves is collected here, on the main thread: the young generations after every test, all of
    them every FULL_COLLECTION_EVERY tests (a full pass over a long session's live objects costs too much)."""
    import gc

    gc.disable()
    yield
    _TESTS_SINCE_FULL_COLLECTION[0] += 1
    if _TESTS_SINCE_FULL_COLLECTION[0] >= FULL_COLLECTION_EVERY:
        _TESTS_SINCE_FULL_COLLECTION[0] = 0
        gc.collect()
    else:
        gc.collect(1)
    gc.enable()
