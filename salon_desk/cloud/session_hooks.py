"""Transaction hooks of one session, without an `event.listen` per session (issue #14).

SQLAlchemy's instance-level `event.listen` builds a dispatch of the session's own (tens of microseconds
each), and a push added five per request (the ChangeSet three, the wake-ups two): ~5 % of its CPU. Here
one class-level listener per event runs the hooks a session keeps in its `info`, in the order they were
added, as the instance listeners ran. A session with no hooks pays one dictionary lookup per event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

Hook = Callable[..., None]
EVENTS = ("before_commit", "after_commit", "after_transaction_create", "after_soft_rollback")
_HOOKS = "session_hooks"  # session.info key: {event name: [hook, ...]}


def add_hook(session: Session, name: str, hook: Hook) -> None:
    """Runs `hook` with the event's own arguments (SQLAlchemy's SessionEvents) for as long as the session
    lives."""
    if name not in EVENTS:
        raise ValueError(f"no session hook for {name!r}")
    hooks: dict[str, list[Hook]] = session.info.setdefault(_HOOKS, {})
    hooks.setdefault(name, []).append(hook)


def has_hook(session: Session, name: str, hook: Hook) -> bool:
    return hook in session.info.get(_HOOKS, {}).get(name, ())


def _dispatcher(name: str) -> Hook:
    def dispatch(session: Session, *args: Any) -> None:
        hooks: dict[str, list[Hook]] | None = session.info.get(_HOOKS)
        if hooks:
            for hook in tuple(hooks.get(name, ())):  # a hook may add another one
                hook(session, *args)

    return dispatch


for _name in EVENTS:  # every Session, sessionmaker's subclasses included
    event.listen(Session, _name, _dispatcher(_name))
