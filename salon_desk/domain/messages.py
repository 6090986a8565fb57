"""One table of every error code's English template, collected from the modules that raise them."""

from __future__ import annotations

from functools import cache

from . import booking, digits, money, phone, rules, scheduling, sync_messages
from .i18n import N_

GENERIC = {
    "internal": N_("Something went wrong. Nothing was changed. Please try again."),
}


@cache
def all_messages() -> dict[str, str]:
    table: dict[str, str] = {}
    for module in (booking, digits, money, phone, rules, scheduling, sync_messages):
        table.update(getattr(module, "MESSAGES", {}))
    table.update(GENERIC)
    return table
