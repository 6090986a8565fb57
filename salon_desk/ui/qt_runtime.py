"""Stop-gap for a PySide6 6.12.0 bug on Python 3.11: every Qt call that returns None (every void method,
and `parent()` of an orphan) drops one reference to `None` without taking one. On Python >= 3.12 `None` is
immortal (PEP 683) and nothing happens; on 3.11 the interpreter aborts with "none_dealloc: deallocating
None" after a few thousand such calls, e.g. within seconds of painting a busy calendar.

`keep_none_alive()` gives `None` a reference count no program can use up, which is what 3.12 does.
The composition root (app.py), the calendar package and the test conftest call it; the scripts build the
virtual environment with Python 3.12 where the machine has it, which makes this a no-op.
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


class GuiThreadGarbageCollector:
    """Runs Python's cyclic garbage collector only on the GUI thread (Anki's approach).

    A collection that happens to start on the DB-lane thread may free a reference cycle holding Qt widgets,
    which Qt then destroys on the wrong thread and crashes. Automatic collection is switched off and a
    timer collects on the GUI thread instead.
    """

    def __init__(self, interval_ms: int = 1000) -> None:
        import gc

        from PySide6.QtCore import QTimer

        self._gc = gc
        gc.disable()
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    def collect(self) -> None:
        if self._gc.get_count()[0] > self._gc.get_threshold()[0]:
            self._gc.collect()

    def stop(self) -> None:
        self._timer.stop()
        self._gc.enable()


def prepare_qt_runtime() -> None:
    """Call before creating any Qt object."""
    keep_none_alive()
