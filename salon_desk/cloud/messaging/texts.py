"""Message texts the cloud composes itself (the console provider shows them; SMS providers send them)."""

from __future__ import annotations

import re

from salon_desk.domain.i18n import N_
from salon_desk.l10n import get_localizer

OTP_TEXT = N_("Salon Desk verification code: {code}")

_LINK = re.compile(r"https?://[^\s\u2066-\u2069]+")


def otp_text(code: str, lang: str) -> str:
    return get_localizer(lang).gettext(OTP_TEXT).format(code=code)


def links_in(body: str) -> list[str]:
    return _LINK.findall(body)
