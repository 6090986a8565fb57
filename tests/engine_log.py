"""What a SQLAlchemy engine ran while a block was open: every statement (whitespace folded) and commits.

    with EngineLog(world.cloud.db.engine) as log:
        ...
    assert log.commits == 1
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

READS = ("SELECT", "BEGIN", "ROLLBACK", "PRAGMA", "SAVEPOINT")


class EngineLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []
        self.commits = 0

    def writes(self) -> list[str]:
        """The first word of every statement that is not a read, then COMMIT for each commit."""
        words = [s.split()[0] for s in self.statements if not s.upper().startswith(READS)]
        return words + ["COMMIT"] * self.commits

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(" ".join(statement.split()))

    def _commit(self, _conn: Any) -> None:
        self.commits += 1

    def __enter__(self) -> EngineLog:
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)
