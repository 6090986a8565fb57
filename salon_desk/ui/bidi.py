"""Direction in mixed Arabic and Latin text, for the whole UI (the isolate characters come from l10n).

    isolate(name)                  # FSI…PDI: a name or free text keeps its own direction in a sentence
    isolate_ltr("123456")          # LRI…PDI: a code, a link or a number always reads left to right
    isolate_numbers(sms_text)      # every phone number, time, date or code in free text, as isolate_ltr
    direction_of(text, fallback)   # the paragraph direction a text asks for (its first strong letter)

A translated sentence puts its parameters in isolates with `Localizer.message`; this module is for text
the UI shows as it came (SMS bodies, notes) and for the UI's own joined strings.
"""

from __future__ import annotations

import re
import unicodedata

from PySide6.QtCore import Qt

from salon_desk.l10n import FSI, LRI, PDI

RLI = "\u2067"
_ISOLATED = re.compile(f"[{LRI}{RLI}{FSI}][^{LRI}{RLI}{FSI}{PDI}]*{PDI}")
_DIGIT = "0-9\u0660-\u0669\u06f0-\u06f9"
# A phone number ("055 123 4567", "+966551234567"), a time ("10:30"), a date ("2026/12/05") or a code.
_NUMBER = re.compile(rf"\+?[{_DIGIT}](?:[{_DIGIT}:/.,\- ]*[{_DIGIT}])?")


def isolate(text: str) -> str:
    return f"{FSI}{text}{PDI}"


def isolate_ltr(text: str) -> str:
    return f"{LRI}{text}{PDI}"


def isolate_numbers(text: str) -> str:
    """Wraps each run of digits (with the separators phone numbers, times and dates use) in LRI…PDI, leaving
    text that is already isolated as it is."""
    out, position = [], 0
    for match in _ISOLATED.finditer(text):
        out.append(_NUMBER.sub(lambda m: isolate_ltr(m.group()), text[position : match.start()]))
        out.append(match.group())
        position = match.end()
    out.append(_NUMBER.sub(lambda m: isolate_ltr(m.group()), text[position:]))
    return "".join(out)


def direction_of(text: str, fallback: Qt.LayoutDirection) -> Qt.LayoutDirection:
    """The direction of the first strong letter outside isolates (the Unicode paragraph rule), else
    `fallback` (the UI's direction)."""
    depth = 0
    for char in text:
        if char in (LRI, RLI, FSI):
            depth += 1
        elif char == PDI:
            depth = max(depth - 1, 0)
        elif depth == 0:
            kind = unicodedata.bidirectional(char)
            if kind in ("R", "AL"):
                return Qt.LayoutDirection.RightToLeft
            if kind == "L":
                return Qt.LayoutDirection.LeftToRight
    return fallback
