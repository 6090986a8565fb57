"""Which failures of a pushed mutation are worth retrying (specs/sync.md §3.6, issue #8).

`retry` tells the desk to send the same mutation again later, so it is only for faults that go away by
themselves: a lock or statement timeout, a deadlock or serialization failure, the database down or
restarting, SQLite's "database is locked". Everything else is deterministic: the same mutation would fail
the same way for ever, so it is answered `refused` (with a conflict card) and the queue goes on.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# PostgreSQL SQLSTATE classes (Appendix A): 08 connection exception, 40 transaction rollback (serialization
# failure, deadlock), 53 insufficient resources, 57 operator intervention (query canceled by
# statement_timeout, admin shutdown, cannot connect now); 55P03 lock_not_available (lock_timeout).
TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "40", "53", "57"})
TRANSIENT_SQLSTATES = frozenset({"55P03"})
SQLITE_TRANSIENT_WORDS = ("locked", "busy", "disk i/o", "unable to open")


def is_transient(error: BaseException) -> bool:
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    state = getattr(error.orig, "sqlstate", None)
    if isinstance(state, str) and state:
        return state[:2] in TRANSIENT_SQLSTATE_CLASSES or state in TRANSIENT_SQLSTATES
    if not isinstance(error, OperationalError):
        return False
    if isinstance(error.orig, sqlite3.Error):
        message = str(error.orig).lower()
        return any(word in message for word in SQLITE_TRANSIENT_WORDS)
    return True  # a driver error without a SQLSTATE: the connection failed (server down, network)


def is_unique_violation(error: IntegrityError) -> bool:
    """A primary key or unique constraint: PostgreSQL SQLSTATE 23505, SQLite "UNIQUE constraint failed"."""
    state: object = getattr(error.orig, "sqlstate", None)
    if state is not None:
        return state == "23505"
    return "unique constraint failed" in str(error.orig).lower()
