"""The rule for a merged duplicate customer's fields (domain/customer_merge.py, issue #14)."""

from __future__ import annotations

from salon_desk.domain.customer_merge import joined_notes, merged_customer_fields
from salon_desk.domain.rules import MAX_NOTES


def test_empty_survivor_fields_take_the_duplicates() -> None:
    survivor = {"name": "", "language": None, "notes": "", "phone": "+966551239876"}
    duplicate = {"name": "Noura", "language": "en", "notes": "prefers Reem", "phone": "+966551239876"}
    assert merged_customer_fields(survivor, duplicate) == {"name": "Noura", "language": "en", "notes": "prefers Reem"}


def test_a_filled_survivor_field_is_never_overwritten_and_notes_are_joined() -> None:
    survivor = {"name": "Noura Al-Harbi", "language": "ar", "notes": "likes tea", "consent_marketing": False}
    duplicate = {"name": "Noura Alharbi", "language": "en", "notes": "prefers Reem", "consent_marketing": True}
    assert merged_customer_fields(survivor, duplicate) == {"notes": "likes tea\nprefers Reem"}


def test_nothing_changes_when_the_duplicate_adds_nothing() -> None:
    survivor = {"name": "Noura", "language": "ar", "notes": "likes tea; prefers Reem"}
    assert merged_customer_fields(survivor, {"name": "", "notes": "prefers Reem", "language": ""}) == {}
    assert merged_customer_fields(survivor, {}) == {}


def test_joined_notes_stay_within_the_limit() -> None:
    assert len(joined_notes("a" * MAX_NOTES, "b" * 10)) == MAX_NOTES
    assert joined_notes("x", "") == "x"
