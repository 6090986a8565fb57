"""Merging the fields of a duplicate customer into the survivor (issue #14, specs/sync.md §3.2).

Two offline desks that create the same customer (same phone) make two records; the cloud keeps the first and
tombstones the other. What the second desk typed must not be lost, and what the first desk typed must never be
overwritten:

- a text field (name, language) the survivor has empty takes the duplicate's value; a filled one stays;
- notes are joined: the survivor's, then the duplicate's on a new line (unless the survivor's already hold
  them), cut to the notes limit so the merged record stays one a desk can save;
- the phone is the same by construction; consents are never merged: a yes/no is never "empty", and the
  survivor's answer is the one in force (a consent is never assumed from another record).

    fields = merged_customer_fields(survivor, duplicate)   # {} when nothing changes
"""

from __future__ import annotations

from collections.abc import Mapping

from .rules import MAX_NOTES

FILLED_WHEN_EMPTY = ("name", "language")
JOINED = ("notes",)


def merged_customer_fields(survivor: Mapping[str, object], duplicate: Mapping[str, object]) -> dict[str, str]:
    """The survivor's fields that change when `duplicate` is merged into it (wire names, text values)."""
    changed: dict[str, str] = {}
    for name in FILLED_WHEN_EMPTY:
        ours, theirs = _text(survivor.get(name)), _text(duplicate.get(name))
        if not ours and theirs:
            changed[name] = theirs
    for name in JOINED:
        joined = joined_notes(_text(survivor.get(name)), _text(duplicate.get(name)))
        if joined != _text(survivor.get(name)):
            changed[name] = joined
    return changed


def joined_notes(ours: str, theirs: str) -> str:
    if not theirs or theirs in ours:
        return ours
    if not ours:
        return theirs[:MAX_NOTES]
    return f"{ours}\n{theirs}"[:MAX_NOTES]


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
