"""Every statement on a salon-owned table is scoped by salon_id (issue #14, DESIGN §5b: shardable by salon).

A whole sync scenario runs against the real cloud on PostgreSQL (uvicorn on 127.0.0.1): bootstrap, desks
enrolling, pushing bookings, customers and walk-ins, pulling, a customer link with its OTP, the public OTP,
and a notification worker round. A `before_cursor_execute` listener records the SQL; a statement touching a
salon-owned table without `salon_id` fails the test, unless it crosses salons on purpose: those are allowed
BY NAME below, each with its reason (the name is the statement's `cross_salon` execution option, or the
function of salon_desk.cloud that ran it).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine, event

from salon_desk.cloud.messaging.console import ConsoleSender
from salon_desk.cloud.notify.providers import SenderNotifier
from salon_desk.cloud.notify.settings import NotifySettings
from salon_desk.cloud.notify.worker import NotificationWorker
from salon_desk.cloud.rows import metadata
from salon_desk.cloud.sync.bootstrap import import_desk
from salon_desk.usecases.commands import AddCustomer, AddWalkIn, UpdateCustomer
from tests.cloud.test_links import Customer, LinkCase, latest_code, new_link
from tests.sync.conftest import SyncWorld, first_customer, free_booking, sync_world  # noqa: F401 - fixture

# Statements that cross salons on purpose, by name, each with its reason.
ALLOWED: dict[str, str] = {
    # execution options (`.execution_options(cross_salon=...)`) set where the statement is built
    "legacy_device_token": "a desk token issued before issue #14 names no salon: found by its digest alone "
    "until the desk rotates or re-enrols (new tokens carry the salon)",
    "legacy_link_token": "a customer link sent before issue #14 names no salon: found by its hash alone "
    "until it expires (new links carry the salon)",
    # functions of salon_desk.cloud
    "salon_desk.cloud.devices.enrolment:EnrolmentService._usable_code": "an enrolment code is 8 digits a person "
    "types: it cannot carry a salon; the code row names the salon the new desk joins",
    "salon_desk.cloud.devices.enrolment:EnrolmentService._unused_code": "a new enrolment code must not collide "
    "with a live one of any salon, since the desk that types it names no salon",
    "salon_desk.cloud.notify.claim:due_salons": "the notification worker's claim: which salons have jobs "
    "due, across salons, then each salon's jobs are claimed by salon",
    "salon_desk.cloud.notify.claim:expired_leases": "the worker's lease sweep: jobs of any salon whose "
    "sender died mid-send",
    "salon_desk.cloud.notify.scheduler:schedule_reminders": "the reminder scheduler scans tomorrow's "
    "bookings of every salon",
    "salon_desk.cloud.otp.reach:reachable_salon": "the public /v1/otp/request finds the live link behind a "
    "phone number, whichever salon holds it",
}
# Tables with a NOT NULL salon_id are salon-owned. otp_request and sms_message_log are phone-scoped (a public
# code may belong to no salon: salon_id is nullable) and throttle_event is keyed by address or phone.
SALON_OWNED = frozenset(
    t.name for t in metadata.tables.values() if "salon_id" in t.c and not t.c.salon_id.nullable
)
TABLE_REF = re.compile(r'\b(?:from|join|into|update)\s+"?([a-z_]+)"?', re.IGNORECASE)


@dataclass
class Recorder:
    seen: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    allowed_used: set[str] = field(default_factory=set)

    def __call__(self, _conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool) -> None:
        self.seen.append(statement)
        tables = {t.lower() for t in TABLE_REF.findall(statement)} & SALON_OWNED
        if not tables or _scoped(statement, tables):
            return
        name = _name(context)
        if name in ALLOWED:
            self.allowed_used.add(name)
            return
        self.bad.append(f"{name}: {' '.join(statement.split())[:300]}")


def _scoped(statement: str, tables: set[str]) -> bool:
    """salon_id named in the filtering part at least once per salon-owned table the statement reads or
    writes: an INSERT names it as a column; a SELECT, UPDATE or DELETE in its FROM/JOIN/WHERE (a join
    repeats it, `a.salon_id = b.salon_id`), not merely in the columns it returns, groups or sorts by."""
    return len(re.findall(r"\bsalon_id\b", _filtering_part(statement), re.IGNORECASE)) >= len(tables)


def _filtering_part(statement: str) -> str:
    verb = statement.lstrip().split(None, 1)[0].upper()
    if verb == "INSERT":
        return statement
    start = re.search(r"\bWHERE\b" if verb == "UPDATE" else r"\bFROM\b", statement, re.IGNORECASE)
    part = statement[start.start() :] if start else ""
    part = re.split(r"\bRETURNING\b", part, flags=re.IGNORECASE)[0]
    return re.sub(r"\b(GROUP|ORDER) BY\b.*?(?=\bLIMIT\b|\bOFFSET\b|\bFOR\b|\bHAVING\b|$)", " ", part,
                  flags=re.IGNORECASE | re.DOTALL)


def _name(context: Any) -> str:
    option = context.execution_options.get("cross_salon") if context is not None else None
    if option:
        return str(option)
    frame = sys._getframe(1)  # noqa: SLF001 - which function of the cloud ran the statement
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("salon_desk.cloud") and module != "salon_desk.cloud.db":
            return f"{module}:{frame.f_code.co_qualname}"
        frame = frame.f_back
    return "?"


@pytest.fixture
def recorder(sync_world: SyncWorld) -> Iterator[Recorder]:  # noqa: F811
    if sync_world.cloud.db.backend != "postgresql":
        pytest.skip("the SQL of record is PostgreSQL's (the database that is distributed by salon)")
    found = Recorder()
    engine: Engine = sync_world.cloud.db.engine
    event.listen(engine, "before_cursor_execute", found)
    yield found
    event.remove(engine, "before_cursor_execute", found)


def test_every_statement_of_a_sync_scenario_is_scoped_by_salon(sync_world: SyncWorld, recorder: Recorder) -> None:  # noqa: F811
    world, cloud = sync_world, sync_world.cloud
    import_desk(cloud.db, world.template, world.salon_id, cloud.clock)  # bootstrap again: finds every row present
    desk1, desk2 = world.desk("Desk 1"), world.desk("Desk 2")
    assert desk1.sync.sync_once().ok and desk2.sync.sync_once().ok
    booking = desk1.service.bookings.create(free_booking(desk1))
    desk1.service.customers.add(AddCustomer("Scoped Customer", "0551234567"))
    desk1.service.customers.update(UpdateCustomer(first_customer(desk1), {"notes": "scoped"}))
    service_id = desk1.scalar("SELECT id FROM service ORDER BY id LIMIT 1")
    desk1.service.walkins.add(AddWalkIn(service_id, name="Walk-in"))
    assert desk1.sync.sync_once().ok
    assert desk2.sync.sync_once().ok and desk2.sync.sync_once(wait=0).ok
    assert desk2.scalar("SELECT notes FROM customer WHERE id = :c", c=first_customer(desk1)) == "scoped"

    case = LinkCase(world, desk1, str(booking.id), new_link(world, str(booking.id)))
    customer = Customer(case)
    assert customer.post("code").status_code == 200
    assert customer.post("confirm", code=latest_code(cloud)).status_code == 200
    assert desk1.sync.sync_once().ok

    http = cloud.client()
    phone = desk1.scalar("SELECT phone FROM customer WHERE id = :c", c=first_customer(desk1))
    assert http.post("/v1/otp/request", json={"phone_number": phone, "channel": "sms"}).status_code < 500

    worker = NotificationWorker(cloud.db, SenderNotifier(ConsoleSender(cloud.db, cloud.clock)), cloud.clock,
                                NotifySettings.isolated(), public_base_url="https://salon.example")
    worker.run_once()

    assert len(recorder.seen) > 100, "the scenario ran"
    bad = sorted(set(recorder.bad))
    assert bad == [], "statements on salon-owned tables without salon_id:\n" + "\n".join(bad)


def test_the_allow_list_names_real_places_with_reasons() -> None:
    for name, reason in ALLOWED.items():
        assert len(reason) > 40, name
        if ":" in name:
            module, qualname = name.split(":")
            found: Any = __import__(module, fromlist=["_"])
            for part in qualname.split("."):
                found = getattr(found, part)
            assert callable(found), name
