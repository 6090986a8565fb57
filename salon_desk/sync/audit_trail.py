"""The desk's half of the salon-wide audit trail (issue #10, docs/audit-trail.md), run by the sync engine:
after its push, upload this desk's own audit events the cloud does not hold yet (bounded batches, from the
`audit_uploaded_seq` sync_state key); after its pull, fetch the other desks' events by a cursor per desk
(bounded pages) into the read-only `salon_audit_event` table.

A refusal (the cloud found the chain unlinked, edited, another desk's or another salon's) is kept in
sync_state under `audit_refused` with its code and never blocks the booking sync; `audit.gap` (the cloud
holds fewer events than this desk thought, e.g. it was restored) moves the upload back to where it ends.

A desk restored from a backup and re-linked (issue #14, docs/audit-trail.md) holds an older chain than the
cloud: `rebind` marks it (RELINK), pushes then anchor no chain head, and before its next upload the desk fetches
its own events the cloud holds, keeps those it lost, and re-chains its never-uploaded events after them.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from salon_desk.store.repo_salon_audit import SalonAuditRepository

from .api import SyncApi, SyncHttpError
from .protocol import MAX_AUDIT_BATCH, MAX_AUDIT_PAGE, AuditEventWire, AuditUpload
from .state import SyncState

UPLOADED = "audit_uploaded_seq"
REFUSED = "audit_refused"
GAP = "audit.gap"
RELINK = "audit_relink"  # "1" from a re-link until the chain is caught up with the cloud's copy
REQUESTS_PER_RUN = 20  # per direction: a long history goes over several runs, never holding one up


class AuditTrailSync:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        api: SyncApi,
        device_id: str,
        batch: int = MAX_AUDIT_BATCH,
        page: int = MAX_AUDIT_PAGE,
    ) -> None:
        self._sessions, self._api, self._device_id = sessions, api, device_id
        self._batch, self._page = min(batch, MAX_AUDIT_BATCH), min(page, MAX_AUDIT_PAGE)

    def upload(self) -> int:
        """Uploads until the cloud holds this desk's whole chain; returns how many events were sent."""
        self.catch_up_after_relink()
        sent, rewound = 0, False
        for _request in range(REQUESTS_PER_RUN):
            with self._sessions() as session:
                done = int(SyncState(session).get(UPLOADED) or 0)
                events = SalonAuditRepository(session).own_events_after(done, self._batch)
            if not events:
                return sent
            try:
                answer = self._api.upload_audit(AuditUpload(device_id=self._device_id, events=events))
            except SyncHttpError as error:
                if error.kind != "rejected":
                    raise
                expected = error.params.get("expected")
                if error.code == GAP and isinstance(expected, int) and not rewound:
                    self._note(max(expected - 1, 0), "")
                    rewound = True
                    continue
                self._note(done, error.code or error.kind)
                return sent
            sent += len(events)
            self._note(answer.stored_seq, "")
            if answer.stored_seq < events[-1].seq:
                return sent  # the cloud kept less than was sent: try again on the next run
        return sent

    def catch_up_after_relink(self) -> int:
        """After a re-link: fetches this desk's own events the cloud holds beyond what this desk knows it
        uploaded, then (one transaction) stores those it lost and re-chains its unsent ones after them.
        Returns how many were re-chained; a network error leaves RELINK set for the next run."""
        with self._sessions() as session:
            state = SyncState(session)
            if not state.get(RELINK):
                return 0
            done = int(state.get(UPLOADED) or 0)
        held: list[AuditEventWire] = []
        while True:
            page = self._api.own_audit(done + len(held), self._page)
            held += page.events
            if not page.has_more or not page.events:
                break
        with self._sessions() as session:
            rechained = SalonAuditRepository(session).rechain_after_relink(held)
            state = SyncState(session)
            state.set(UPLOADED, str(held[-1].seq if held else done))
            state.set(REFUSED, "")
            state.set(RELINK, "")
            session.commit()
        return rechained

    def pull(self) -> int:
        """Fetches the other desks' events until caught up; returns how many were new here."""
        added = 0
        for _request in range(REQUESTS_PER_RUN):
            with self._sessions() as session:
                cursors = SalonAuditRepository(session).cursors()
            page = self._api.salon_audit(cursors, self._page)
            with self._sessions() as session:
                added += SalonAuditRepository(session).install(page)
                session.commit()
            if not page.has_more or not page.events:
                break
        return added

    def _note(self, uploaded: int, refused: str) -> None:
        with self._sessions() as session:
            state = SyncState(session)
            state.set(UPLOADED, str(uploaded))
            state.set(REFUSED, refused)
            session.commit()
