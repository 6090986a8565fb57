"""Debounced background work where only the newest answer counts (as qutebrowser's misc/throttle.py, plus
the rule every search-as-you-type needs: a slow answer to an older question never overwrites a newer one).

    self.search = Latest(ctx.runner, delay_ms=150, parent=self)
    self.search.request(desk.customers.search, text, 8, on_done=self._show)   # restarts the pause
    self.search.run_now(desk.customers.search, text, 8, on_done=self._show)   # no pause
    self.search.cancel()                                                       # answers still coming: dropped

Callbacks run on the GUI thread, only for the newest request, and never after the runner shut down (the app
is closing) or the owner was deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from salon_desk.ui.tasks import TaskRunner

OnAnswer = Callable[[Any], None]


class Latest(QObject):
    def __init__(
        self, runner: TaskRunner, delay_ms: int = 0, lane: str = "db", parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._runner, self._lane = runner, lane
        self._generation = 0
        self._pending: tuple[Callable[..., Any], tuple[Any, ...], OnAnswer | None, OnAnswer | None] | None = None
        self._timer = QTimer(self, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(self._fire)

    def request(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: OnAnswer | None = None,
        on_error: OnAnswer | None = None,
    ) -> None:
        """Asks `fn(*args)` after the pause; a newer request before then replaces this one."""
        self._generation += 1  # whatever is already running answers an older question now
        self._pending = (fn, args, on_done, on_error)
        self._timer.start()

    def run_now(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: OnAnswer | None = None,
        on_error: OnAnswer | None = None,
    ) -> None:
        self.request(fn, *args, on_done=on_done, on_error=on_error)
        self._fire()

    def cancel(self) -> None:
        """Forgets the pending request and every answer still on its way."""
        self._timer.stop()
        self._pending = None
        self._generation += 1

    @property
    def waiting(self) -> bool:
        """True while a request waits for its pause to end."""
        return self._timer.isActive()

    def _fire(self) -> None:
        self._timer.stop()
        if self._pending is None or self._runner.is_shut_down:
            return
        fn, args, on_done, on_error = self._pending
        self._pending = None
        generation = self._generation
        submit = self._runner.db if self._lane == "db" else self._runner.net
        submit(
            fn,
            *args,
            on_done=lambda answer: self._answer(generation, on_done, answer),
            # No handler: a failure goes to the runner's own report (the status bar), as any job's would.
            on_error=None if on_error is None else (lambda error: self._answer(generation, on_error, error)),
            owner=self,
        )

    def _answer(self, generation: int, callback: OnAnswer | None, value: Any) -> None:
        if generation == self._generation and callback is not None:
            callback(value)
