"""Desk users (who may sign in on this desk)."""

from __future__ import annotations

from salon_desk.domain.model import DeskUser
from salon_desk.store.uow import UnitOfWork


def desk_users(uow: UnitOfWork) -> list[DeskUser]:
    with uow:
        return uow.reference.desk_users()
