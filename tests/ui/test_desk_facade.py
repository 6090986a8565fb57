"""The grouped desk facade as the UI sees it: a typed `ctx.desk` (or a clear error before it is attached),
one actor for every group, and every page a `DeskPage` (retranslate + refresh)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget

from salon_desk.domain.booking import Role
from salon_desk.ui.context import DeskNotOpen, UiContext
from salon_desk.ui.pages import PAGES, DeskPage
from salon_desk.usecases.desk import DeskService

pytestmark = pytest.mark.qt_log_level_fail("WARNING")


def test_a_context_without_a_desk_says_so(task_runner: Any, ui_settings: Any) -> None:
    ctx = UiContext(None, task_runner, settings=ui_settings)
    assert not ctx.has_desk
    with pytest.raises(DeskNotOpen):
        _ = ctx.desk


def test_signing_in_changes_the_actor_of_every_group(desk_service: DeskService) -> None:
    manager = replace(desk_service.actor, role=Role.MANAGER, name="Hind")
    desk_service.actor = manager
    groups = (desk_service.reference, desk_service.calendar, desk_service.bookings, desk_service.customers,
              desk_service.walkins, desk_service.waitlist, desk_service.conflicts)
    assert all(group.actor is manager for group in groups)


def test_names_in_read_models_follow_the_language_the_desk_is_told(desk_service: DeskService) -> None:
    customer = next(c for c in desk_service.customers.search("", 50) if c.visits > 0)
    language = ["en"]
    desk_service.follow_language(lambda: language[0])
    english = desk_service.customers.profile(customer.id)
    language[0] = "ar"
    arabic = desk_service.customers.profile(customer.id)
    visit_en, visit_ar = (english.upcoming + english.past)[0], (arabic.upcoming + arabic.past)[0]
    assert visit_en.booking_id == visit_ar.booking_id
    assert all(name.isascii() for name in visit_en.services)
    assert not any(name.isascii() for name in visit_ar.services)  # the demo's services have Arabic names


@pytest.mark.parametrize("key", sorted(PAGES))
def test_every_page_is_a_desk_page(qtbot: Any, ui_context: UiContext, key: str) -> None:
    page = PAGES[key](ui_context)
    qtbot.addWidget(page)
    assert isinstance(page, QWidget) and isinstance(page, DeskPage)
    page.refresh()
    page.retranslate()
    ui_context.runner.wait_idle(10_000)
