"""The audit page's reads: who did what on which desk, filtered by person, entity and date; CSV export; chain
verification. The salon's trail is this desk's own chain plus the other desks' events pulled from the cloud
(issue #10, sync.audit_trail): offline, the page shows what this desk holds.

Reading the trail is a manager's right (Permission.REPORTS). Events keep personal data by reference, so a
line shows the person's name (from the desk users), the action, the entity and the fields before and after.
Turning a line into plain words is the edge's job (it knows the language): see `ui/audit/text.py`.
"""

from __future__ import annotations

import csv
import heapq
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from salon_desk.domain.model import Actor
from salon_desk.domain.permissions import Permission
from salon_desk.store.repo_audit import BrokenLink, ChainHead
from salon_desk.store.repo_salon_audit import DeskEvent
from salon_desk.store.uow import UnitOfWork

from .area import DeskArea
from .authority import authorise

MAX_LINES = 2000


@dataclass(frozen=True)
class AuditFilter:
    actor_id: str | None = None
    entity: str | None = None
    since: datetime | None = None  # inclusive, UTC
    until: datetime | None = None  # exclusive, UTC
    limit: int = 500


@dataclass(frozen=True)
class AuditLine:
    """One event as the audit page shows it."""

    event_id: str
    at: datetime
    actor_id: str
    actor_name: str
    device_id: str
    action: str  # the mutation's wire name, e.g. "booking.cancel"
    entity: str
    entity_id: str
    before: dict[str, Any]
    after: dict[str, Any]
    record_name: str = ""  # a desk user's name when the record is one (other records keep data by reference)
    desk_id: str = ""  # the desk whose chain holds the event
    desk_name: str = ""  # its name as the cloud knows it ("" before this desk first synced)
    own: bool = True  # written on this desk

    def changed_fields(self) -> list[str]:
        keys = list(dict.fromkeys([*self.before, *self.after]))
        return [k for k in keys if self.before.get(k) != self.after.get(k)]


@dataclass(frozen=True)
class AuditPeople:
    """Who appears in the trail (for the person filter): id -> name."""

    names: dict[str, str]


def audit_lines(uow: UnitOfWork, actor: Actor, flt: AuditFilter, manager_pin: str | None = None) -> list[AuditLine]:
    with uow:
        authorise(uow, actor, Permission.REPORTS, manager_pin)
        names = {u.id: u.name for u in uow.users.credentials(active_only=False)}
        limit = min(max(flt.limit, 1), MAX_LINES)
        own = [DeskEvent(e, uow.device_id) for e in uow.audit_events.search(
            actor_id=flt.actor_id, entity=flt.entity, since=flt.since, until=flt.until, limit=limit)]
        others = uow.salon_audit.search(actor_id=flt.actor_id, entity=flt.entity, since=flt.since,
                                        until=flt.until, limit=limit)
        desks = uow.salon_audit.desk_names()
        merged = heapq.merge(own, others, key=lambda d: d.event.at, reverse=True)  # each newest first
        return [_line(d, names, desks, uow.device_id) for _, d in zip(range(limit), merged, strict=False)]


def audit_people(uow: UnitOfWork) -> AuditPeople:
    with uow:
        names = {u.id: u.name for u in uow.users.credentials(active_only=False)}
        ids = dict.fromkeys([*uow.audit_events.actor_ids(), *uow.salon_audit.actor_ids()])
        return AuditPeople({i: names.get(i, i) for i in ids})


def verify_chain(uow: UnitOfWork) -> BrokenLink | None:
    """The first event that was edited or unlinked since it was written, or None when the chain is intact."""
    with uow:
        return uow.audit_events.first_broken()


def chain_head(uow: UnitOfWork) -> ChainHead | None:
    with uow:
        return uow.audit_events.head()


CSV_COLUMNS = ("time_utc", "person", "person_id", "desk", "action", "entity", "entity_id", "field", "before", "after")


def to_csv(lines: list[AuditLine]) -> str:
    """One CSV row per changed field (a line without field changes gets one row): spreadsheet-friendly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for line in lines:
        desk = line.desk_name or line.desk_id  # the desk's name; its id until the cloud named it
        base = [line.at.isoformat(), _safe(line.actor_name), line.actor_id, _safe(desk), line.action, line.entity,
                line.entity_id]
        fields = line.changed_fields() or [""]
        for field in fields:
            writer.writerow([*base, field, _safe(_text(line.before.get(field))), _safe(_text(line.after.get(field)))])
    return out.getvalue()


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _safe(text: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: quote them."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _line(d: DeskEvent, names: dict[str, str], desks: dict[str, str], this_desk: str) -> AuditLine:
    e = d.event
    record = names.get(e.entity_id, "") if e.entity == "desk_user" else ""
    return AuditLine(e.id, e.at, e.actor_id, names.get(e.actor_id, ""), e.device_id, e.action, e.entity,
                     e.entity_id, dict(e.before or {}), dict(e.after or {}), record, d.desk_id,
                     desks.get(d.desk_id, ""), d.desk_id == this_desk)


class AuditArea(DeskArea):
    def lines(self, flt: AuditFilter | None = None, manager_pin: str | None = None) -> list[AuditLine]:
        return audit_lines(self.uow(), self.actor, flt or AuditFilter(), manager_pin)

    def people(self) -> AuditPeople:
        return audit_people(self.uow())

    def export_csv(self, flt: AuditFilter | None = None, manager_pin: str | None = None) -> str:
        return to_csv(self.lines(flt, manager_pin))

    def verify(self) -> BrokenLink | None:
        return verify_chain(self.uow())

    def head(self) -> ChainHead | None:
        return chain_head(self.uow())


def first_unanchored(uow: UnitOfWork, anchors: list[tuple[int, str]]) -> int | None:
    """The first anchored event (seq) whose hash on this desk differs from what the cloud anchored, or None."""
    with uow:
        for seq, anchored in sorted(anchors):
            if uow.audit_events.hash_at(seq) != anchored:
                return seq
    return None
