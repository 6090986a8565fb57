"""What the desk's database keeps about its cloud link (specs/sync.md §3.11), for `usecases.enrolment`:
sync_state's device id, salon id, cloud URL and epoch (never the token), whether the database already holds
a salon, and carrying the pending outbox over to a new device id. Each call is its own transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from salon_desk.sync import state as keys
from salon_desk.sync.state import SyncState

from .rows import OutboxRow, SalonRow

__all__ = ["CLOUD_URL", "RETIRED", "SALON_ID", "DeskLinkStore", "Engine", "StoredLink", "carry_outbox_over"]

CLOUD_URL = "cloud_url"
SALON_ID = "salon_id"
RETIRED = "retired"  # outbox status of a replaced device's acknowledged history


@dataclass(frozen=True, slots=True)
class StoredLink:
    cloud_url: str
    device_id: str
    salon_id: str
    epoch: str


class DeskLinkStore:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine)

    def device_id(self) -> str:
        """This database's device id, or "" when it was never enrolled."""
        with self._sessions() as session:
            return SyncState(session).get(keys.DEVICE_ID)

    def holds_other_salon(self, salon_id: str) -> bool:
        with self._sessions() as session:
            return bool(session.scalar(select(func.count()).select_from(SalonRow).where(SalonRow.id != salon_id)))

    def save(self, link: StoredLink, *, carry_outbox: bool) -> None:
        """Stores the link (a new epoch starts the pull cursor from its beginning); with `carry_outbox`, the
        pending outbox is renumbered for the new device id in the same transaction."""
        with self._sessions() as session:
            if carry_outbox:
                carry_outbox_over(session)
            sync_state = SyncState(session)
            if sync_state.get(keys.EPOCH) != link.epoch:
                sync_state.set(keys.CURSOR, f"{link.epoch}.0")
            sync_state.set(keys.DEVICE_ID, link.device_id)
            sync_state.set(keys.EPOCH, link.epoch)
            sync_state.set(SALON_ID, link.salon_id)
            sync_state.set(CLOUD_URL, link.cloud_url)
            session.commit()

    def load(self) -> StoredLink | None:
        with self._sessions() as session:
            sync_state = SyncState(session)
            device_id, url = sync_state.get(keys.DEVICE_ID), sync_state.get(CLOUD_URL)
            if not device_id or not url:
                return None
            return StoredLink(url, device_id, sync_state.get(SALON_ID), sync_state.get(keys.EPOCH))

    def has_salon(self) -> bool:
        with self._sessions() as session:
            return bool(session.scalar(select(func.count()).select_from(SalonRow)))


def carry_outbox_over(session: Session) -> int:
    """Renumbers the pending outbox from device_seq 1 (in order) for a new device id; the old device's
    acknowledged rows stay as `retired` history under negative device_seq. Returns how many are pending.
    Runs inside the caller's transaction."""
    floor = min(session.scalar(select(func.min(OutboxRow.device_seq))) or 0, 0)  # below earlier history
    session.execute(
        update(OutboxRow)
        .where(OutboxRow.status != "pending", OutboxRow.device_seq > 0)
        .values(device_seq=floor - OutboxRow.device_seq, status=RETIRED)
    )
    pending = session.scalars(
        select(OutboxRow.device_seq).where(OutboxRow.status == "pending").order_by(OutboxRow.device_seq)
    ).all()
    for new_seq, old_seq in enumerate(pending, start=1):  # ascending: each target is free already
        session.execute(update(OutboxRow).where(OutboxRow.device_seq == old_seq).values(device_seq=new_seq))
    session.execute(
        text("UPDATE sqlite_sequence SET seq = :seq WHERE name = :table"),
        {"seq": len(pending), "table": OutboxRow.__tablename__},
    )
    return len(pending)
