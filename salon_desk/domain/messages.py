"""One table of every error code's English template, collected from the modules that raise them."""

from __future__ import annotations

from functools import cache

from . import (
    booking,
    catalogue,
    checkout,
    deposit_policy,
    digits,
    money,
    online_payments,
    payments,
    permissions,
    phone,
    pin,
    rules,
    scheduling,
    sync_messages,
    users,
    zatca,
)
from .i18n import N_
from .scheduling import dated_hours, editing

GENERIC = {
    "internal": N_("Something went wrong. Nothing was changed. Please try again."),
}


@cache
def all_messages() -> dict[str, str]:
    table: dict[str, str] = {}
    for module in (booking, catalogue, dated_hours, editing, checkout, deposit_policy, digits, money,
                   online_payments, payments, permissions, phone, pin, rules, scheduling, sync_messages, users, zatca):
        table.update(getattr(module, "MESSAGES", {}))
    table.update(GENERIC)
    return table
