"""Choosing the caller's language and turning an error code into a translated sentence.

Cloud codes (devices, OTP, messaging, HTTP-level, and any feature module's `MESSAGES`) are translated from
the cloud's own table; codes the domain raises (phone.*, booking.*) go through `Localizer.message`.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Mapping
from datetime import timedelta
from functools import cache
from typing import Any

from babel.dates import format_timedelta

from salon_desk.domain.digits import apply_digit_style
from salon_desk.l10n import Localizer, get_localizer

DEFAULT_LANGUAGE = "ar"
SUPPORTED = ("ar", "en")


def negotiate_language(accept_language: str | None) -> str:
    """Arabic when the header is absent or prefers Arabic over English; English otherwise."""
    if not accept_language or not accept_language.strip() or accept_language.strip() == "*":
        return DEFAULT_LANGUAGE
    best: tuple[float, int, str] | None = None
    for position, item in enumerate(accept_language.split(",")):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        quality = _quality(params)
        if primary in SUPPORTED and quality > 0 and (best is None or (quality, -position) > best[:2]):
            best = (quality, -position, primary)
    return best[2] if best else "en"


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


@cache
def cloud_messages() -> dict[str, str]:
    """Every `MESSAGES` table in the cloud package: a new feature module's codes are found without
    registering them anywhere. Two templates for one code is a programming error."""
    import salon_desk.cloud as package

    table: dict[str, str] = {}
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        module = importlib.import_module(info.name)
        for code, template in getattr(module, "MESSAGES", {}).items():
            if table.setdefault(code, template) != template:
                raise RuntimeError(f"error code {code!r} has two message templates")
    return table


def translate(code: str, params: Mapping[str, Any], lang: str) -> str:
    localizer = get_localizer(lang)
    template = cloud_messages().get(code)
    if template is None:
        return localizer.message(code, params)
    values = {key: _render(localizer, key, value) for key, value in params.items()}
    try:
        return localizer.gettext(template).format_map(_KeepMissing(values))
    except (ValueError, IndexError, AttributeError):
        return localizer.gettext(template)


def _render(localizer: Localizer, key: str, value: Any) -> str:
    if key.endswith("seconds") and isinstance(value, int):
        return localizer.isolate(wait_text(localizer, value))
    if key.endswith("phone") and isinstance(value, str):
        return localizer.phone(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return localizer.number(value)
    return localizer.isolate(str(value))


def wait_text(localizer: Localizer, seconds: int) -> str:
    """ "40 seconds", "7 minutes", "٧ دقائق": rounded up, so waiting that long is always enough."""
    if seconds >= 60:
        seconds = math.ceil(seconds / 60) * 60
    text = format_timedelta(timedelta(seconds=seconds), threshold=1, locale=localizer.locale)
    return apply_digit_style(text, localizer.digit_style)


class _KeepMissing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
