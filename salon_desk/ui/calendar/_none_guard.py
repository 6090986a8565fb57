"""Stop-gap for a PySide6 6.12.0 bug on Python 3.11: every Qt call that returns None (every void method,
and `parent()` of an orphan) drops one reference to `None` without taking one. On Python >= 3.12 `None` is
immortal (PEP 683) and nothing happens; on 3.11 the interpreter aborts with "none_dealloc: deallocating
None" after a few thousand such calls, e.g. within seconds of painting a busy calendar.

`keep_none_alive()` gives `None` a reference count no program can use up, which is what 3.12 does.
It belongs in the composition root (app.py) and the test conftest; it is called from this package's
__init__ until the lead moves it there (or pins a PySide6 without the bug, or moves to Python 3.12).
"""

from __future__ import annotations

import ctypes
import sys

_BALLAST = 1 << 40


def keep_none_alive() -> bool:
    """Idempotent; returns True when it had to act (Python < 3.12)."""
    if sys.version_info >= (3, 12) or sys.getrefcount(None) > _BALLAST:
        return False
    ctypes.c_ssize_t.from_address(id(None)).value += _BALLAST
    return True
