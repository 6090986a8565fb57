"""Marks user-facing strings for extraction without translating them.

The domain never translates (it knows no locale); it only marks the English source text so
Babel extracts it into `translations/`. The edges (desk UI, cloud) translate with `salon_desk.l10n`.
"""


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    return message


def Np_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802
    """Marks a plural pair; translate with l10n.ngettext(singular, plural, n)."""
    return singular, plural
