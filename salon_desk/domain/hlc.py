"""Hybrid logical clock "ms:counter" (specs/sync.md §3.10). Never uses local wall-clock time zones."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True, slots=True)
class Hlc:
    ms: int
    counter: int = 0

    def __str__(self) -> str:
        return f"{self.ms}:{self.counter}"

    @classmethod
    def parse(cls, text: str) -> Hlc:
        ms, _, counter = text.partition(":")
        return cls(int(ms), int(counter or 0))

    def tick(self, now_ms: int) -> Hlc:
        """The next local event's timestamp."""
        return Hlc(now_ms, 0) if now_ms > self.ms else Hlc(self.ms, self.counter + 1)

    def receive(self, remote: Hlc, now_ms: int) -> Hlc:
        """Merge a timestamp seen from the server or another desk."""
        top = max(self.ms, remote.ms, now_ms)
        if top == self.ms == remote.ms:
            return Hlc(top, max(self.counter, remote.counter) + 1)
        if top == self.ms:
            return Hlc(top, self.counter + 1)
        if top == remote.ms:
            return Hlc(top, remote.counter + 1)
        return Hlc(top, 0)
