"""Browser fixtures: Debian's headless Chromium driven by Playwright (never `playwright install`).

Tests here are marked `browser` and skip with a clear reason when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# ENVIRONMENT.md: the flags that keep Chromium quiet, offline and sandbox-free in CI containers.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing (apt-get install chromium) - browser tests skipped"
    )
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


def _browser_environment() -> dict[str, str]:
    """The browser runs on the real clock: under scripts/shifted-clock.sh only our own processes (the
    server, the desk) have their wall clock moved; Chromium under libfaketime spins and never loads a page."""
    moved = {"LD_PRELOAD", "FAKETIME", "FAKETIME_DONT_FAKE_MONOTONIC", "FAKETIME_DONT_RESET"}
    return {name: value for name, value in os.environ.items() if name not in moved}


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, env=_browser_environment()
        )
        yield browser
        browser.close()


@pytest.fixture
def phone_page(chromium: Any) -> Iterator[Any]:
    """A fresh phone-sized browser context (own cookies) and page."""
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
