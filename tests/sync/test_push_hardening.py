"""The push pipeline and tenant isolation (issue #8, findings 3-5 and the pull cursor), through real uvicorn
on SQLite and PostgreSQL.

* a malformed envelope or batch answers 4xx {code, detail, params}, translated, with nothing written;
* `retry` only for transient faults; an unexpected error is tried again, then `refused` `server_error` with a
  conflict card, counted in /metrics and logged with the mutation id, and the next mutation still applies;
* receipts are the salon's own; an id another salon uses is refused `sync.id_taken`, never `retry`;
* a pull cursor carrying an absurd day or seq answers 400;
* the desk keeps a batch the cloud refuses for good, shows itself blocked with the code and still pulls.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from salon_desk.cloud.rows import metadata
from salon_desk.cloud.sync import push as push_module
from salon_desk.cloud.sync.faults import is_transient, is_unique_violation
from salon_desk.cloud.sync.tables import REPLICATED_TABLES
from salon_desk.sync.protocol import format_instant

from .conftest import Desk, SyncWorld, first_customer
from .test_bad_input import call, cloud_dump, token_of

ACTOR = {"desk_user_id": "00000000-0000-7000-8000-0000000000a1", "role": "receptionist"}
# What a refusal may write: its receipt, its conflict card and their bookkeeping. Everything else is domain.
BOOKKEEPING = {"mutation_receipt", "sync_conflict", "change_index", "salon_sync", "device"}


def mutation(seq: int, **fields: Any) -> dict[str, Any]:
    return {
        "mutation_id": str(uuid.uuid4()),
        "device_seq": seq,
        "name": "customer.patch",
        "v": 1,
        "entity": "customer",
        "entity_id": str(uuid.uuid4()),
        "hlc": "1740812400000:0",
        "actor": ACTOR,
        "args": {"fields": {"notes": "hello"}},
    } | fields


def push(
    http: httpx.Client, token: str, device_id: str, mutations: list[Any], lang: str = "en", **body: Any
) -> httpx.Response:
    return http.post(
        "/v1/sync/push",
        content=json.dumps({"device_id": device_id, "mutations": mutations} | body),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept-Language": lang,
        },
    )


def domain_dump(world: SyncWorld) -> dict[str, list[str]]:
    full = cloud_dump(world)
    return {name: rows for name, rows in full.items() if name not in BOOKKEEPING}


def conflict_codes(world: SyncWorld) -> list[str]:
    table = REPLICATED_TABLES["sync_conflict"]
    with world.cloud.db.reader() as session:
        return [params.get("code") for params in session.scalars(select(table.c.params))]


def assert_translated(answer_en: httpx.Response, answer_ar: httpx.Response, status: int, code: str) -> None:
    for answer in (answer_en, answer_ar):
        assert answer.status_code == status, answer.text
        assert answer.json()["code"] == code, answer.text
        assert isinstance(answer.json()["params"], dict)
    en, ar = answer_en.json()["detail"], answer_ar.json()["detail"]
    assert en and ar and en != ar and code not in {en, ar}


@pytest.fixture
def desk(sync_world: SyncWorld) -> Desk:
    desk = sync_world.desk("Desk 1")
    assert desk.sync.sync_once().ok
    return desk


# ---------------------------------------------------------------- finding 3/4: the envelope, whole


def _customer(desk: Desk) -> str:
    return first_customer(desk)


ENVELOPES: dict[str, tuple[Any, int, str]] = {
    "device_seq 2**63": (lambda d: [mutation(2**63)], 422, "invalid_request"),
    "device_seq beyond int64": (lambda d: [mutation(10**30)], 422, "invalid_request"),
    "device_seq as text": (lambda d: [mutation(10_000) | {"device_seq": "10000"}], 422, "invalid_request"),
    "a non-UUID mutation_id": (lambda d: [mutation(10_000, mutation_id="abc")], 422, "invalid_request"),
    "a non-UUID entity_id": (
        lambda d: [mutation(10_000, entity_id="1; DROP TABLE customer")],
        422,
        "invalid_request",
    ),
    "hlc garbage": (lambda d: [mutation(10_000, hlc="garbage")], 422, "invalid_request"),
    "an unknown v": (lambda d: [mutation(10_000, v=99)], 422, "invalid_request"),
    "an oversize name": (lambda d: [mutation(10_000, name="customer." + "p" * 5000)], 422, "invalid_request"),
    "a lone surrogate in the entity": (lambda d: [mutation(10_000, entity="\ud800")], 422, "invalid_request"),
    "an actor that is an object": (
        lambda d: [mutation(10_000, actor={"desk_user_id": {"x": 1}})],
        422,
        "invalid_request",
    ),
    "a good mutation then a malformed one": (
        lambda d: [
            mutation(10_000, entity_id=_customer(d)),
            mutation(10_001, hlc="garbage"),
        ],
        422,
        "invalid_request",
    ),
    # Finding 4: the first one used to commit before the second answered 409.
    "one id twice with different args": (
        lambda d: [
            mutation(10_000, mutation_id=(m := str(uuid.uuid4())), entity_id=_customer(d)),
            mutation(10_001, mutation_id=m, entity_id=_customer(d), args={"fields": {"notes": "other"}}),
        ],
        422,
        "sync.duplicate_mutation",
    ),
    "one mutation twice": (
        lambda d: [m := mutation(10_000, entity_id=_customer(d)), m | {"device_seq": 10_001}],
        422,
        "sync.duplicate_mutation",
    ),
    "a device_seq gap": (
        lambda d: [mutation(10_000, entity_id=_customer(d)), mutation(10_002, entity_id=_customer(d))],
        422,
        "sync.bad_sequence",
    ),
    "device_seqs going back": (
        lambda d: [mutation(10_001, entity_id=_customer(d)), mutation(10_000, entity_id=_customer(d))],
        422,
        "sync.bad_sequence",
    ),
}


def test_a_malformed_envelope_answers_4xx_translated_and_writes_nothing(
    sync_world: SyncWorld, desk: Desk
) -> None:
    before = cloud_dump(sync_world)
    for case, (
        build,
        status,
        code,
    ) in ENVELOPES.items():  # one salon import for all cases: nothing is written
        mutations = build(desk)

        answers = [push(desk.http, token_of(desk), desk.device_id, mutations, lang) for lang in ("en", "ar")]

        assert_translated(*answers, status, code)
        assert cloud_dump(sync_world) == before, case
    # The same good mutation alone is applied afterwards: nothing of the refused batches was claimed.
    good = mutation(10_000, entity_id=_customer(desk))
    answer = push(desk.http, token_of(desk), desk.device_id, [good])
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["status"] == "applied"


def test_an_oversize_client_time_or_epoch_is_refused_whole(sync_world: SyncWorld, desk: Desk) -> None:
    before = cloud_dump(sync_world)
    good = [mutation(10_000, entity_id=_customer(desk))]
    for body in ({"client_time": "x" * 5000}, {"epoch": "e" * 500}, {"schema_version": 2**70}):
        answers = [
            push(desk.http, token_of(desk), desk.device_id, good, lang, **body) for lang in ("en", "ar")
        ]
        assert_translated(*answers, 422, "invalid_request")
    assert cloud_dump(sync_world) == before


# ---------------------------------------------------------------- finding 3: refused vs retry


@pytest.fixture
def exploding_patch(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """customer.patch raises an unexpected error when the notes say "boom" (our own fault path)."""
    original = push_module.HANDLERS["customer.patch"]
    calls: list[str] = []

    def handler(ctx: Any) -> Any:
        if ctx.args.get("fields", {}).get("notes") == "boom":
            calls.append(ctx.mutation.mutation_id)
            raise RuntimeError("a bug in a handler")
        return original(ctx)

    monkeypatch.setitem(push_module.HANDLERS, "customer.patch", handler)
    yield calls


def metric(world: SyncWorld, name: str, label: str) -> float:
    text = world.cloud.client().get("/metrics").text
    for line in text.splitlines():
        if line.startswith(f"{name}{{") and label in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_an_unexpected_error_is_tried_then_refused_as_server_error_and_the_next_mutation_applies(
    sync_world: SyncWorld, desk: Desk, exploding_patch: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    customers = [r[0] for r in desk.rows("SELECT id FROM customer ORDER BY id LIMIT 2")]
    bad = mutation(10_000, entity_id=customers[0], args={"fields": {"notes": "boom"}})
    good = mutation(10_001, entity_id=customers[1], args={"fields": {"notes": "after the bug"}})
    before = domain_dump(sync_world)

    with caplog.at_level(logging.INFO, logger="salon_desk.cloud.sync.push"):
        answer = push(desk.http, token_of(desk), desk.device_id, [bad, good])

    assert answer.status_code == 200, answer.text
    first, second = answer.json()["results"]
    assert exploding_patch == [bad["mutation_id"]] * push_module.ATTEMPTS  # tried, each time afresh
    assert first["status"] == "refused" and first["code"] == "server_error" and first["conflict_id"]
    assert any(r["entity"] == "sync_conflict" for r in first["rows"])
    assert second["status"] == "applied"
    assert "server_error" in conflict_codes(sync_world)
    after = domain_dump(sync_world)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"customer"}  # only the second mutation's customer
    notes = REPLICATED_TABLES["customer"]
    with sync_world.cloud.db.reader() as session:
        desk_notes = dict(
            session.execute(select(notes.c.id, notes.c.notes).where(notes.c.id.in_(customers))).all()
        )
    assert desk_notes[customers[1]] == "after the bug" and desk_notes[customers[0]] != "boom"
    assert metric(sync_world, "salon_sync_mutation_errors_total", 'outcome="server_error"') == 1
    assert metric(sync_world, "salon_sync_mutation_errors_total", 'outcome="attempt_failed"') == 3
    assert metric(sync_world, "salon_sync_mutations_total", 'status="refused"') == 1
    logged = [r for r in caplog.records if getattr(r, "fields", {}).get("mutation_id") == bad["mutation_id"]]
    assert logged and any("server_error" in r.getMessage() for r in logged)
    # The same mutation again gets the stored answer; the handler is not run again.
    again = push(desk.http, token_of(desk), desk.device_id, [bad])
    assert again.json()["results"][0]["code"] == "server_error"
    assert len(exploding_patch) == push_module.ATTEMPTS


def test_a_desk_drops_a_server_error_mutation_from_its_queue_and_shows_the_conflict(
    sync_world: SyncWorld, desk: Desk, exploding_patch: list[str]
) -> None:
    from salon_desk.usecases.commands import UpdateCustomer

    customer_id = first_customer(desk)
    desk.service.customers.update(UpdateCustomer(customer_id, {"notes": "boom"}))
    assert desk.sync.status().pending == 1

    report = desk.sync.sync_once()

    assert report.ok and report.refused == 1 and report.blocked_code is None
    status = desk.sync.status()
    assert status.pending == 0 and status.open_conflicts >= 1
    assert desk.scalar("SELECT result_status FROM outbox WHERE entity_id = :c", c=customer_id) == "refused"


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


TRANSIENT_FAULTS = {
    "sqlite locked": OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked")),
    "pg serialization failure": OperationalError("UPDATE", {}, _PgError("40001")),
    "pg deadlock": OperationalError("UPDATE", {}, _PgError("40P01")),
    "pg lock timeout": OperationalError("UPDATE", {}, _PgError("55P03")),
}


def test_a_transient_fault_answers_retry_for_it_and_the_rest_and_keeps_nothing(
    sync_world: SyncWorld, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = push_module.HANDLERS["customer.patch"]
    fault: list[Exception] = []

    def handler(ctx: Any) -> Any:
        if ctx.args.get("fields", {}).get("notes") == "locked":
            raise fault[0]
        return original(ctx)

    monkeypatch.setitem(push_module.HANDLERS, "customer.patch", handler)
    customers = [r[0] for r in desk.rows("SELECT id FROM customer ORDER BY id LIMIT 2")]
    seq = 10_000
    for count, (case, error) in enumerate(TRANSIENT_FAULTS.items(), start=1):
        fault[:] = [error]
        ok = mutation(seq, entity_id=customers[0], args={"fields": {"notes": f"fine {case}"}})
        locked = mutation(seq + 1, entity_id=customers[1], args={"fields": {"notes": "locked"}})
        later = mutation(seq + 2, entity_id=customers[1], args={"fields": {"notes": "later"}})

        answer = push(desk.http, token_of(desk), desk.device_id, [ok, locked, later])

        assert answer.status_code == 200, answer.text
        assert [r["status"] for r in answer.json()["results"]] == ["applied", "retry", "retry"], case
        assert metric(sync_world, "salon_sync_mutation_errors_total", 'outcome="transient"') == count
        # Sent again once the fault is gone, they apply: nothing of the first attempt was kept.
        monkeypatch.setitem(push_module.HANDLERS, "customer.patch", original)
        again = push(desk.http, token_of(desk), desk.device_id, [locked, later])
        assert [r["status"] for r in again.json()["results"]] == ["applied", "applied"], case
        monkeypatch.setitem(push_module.HANDLERS, "customer.patch", handler)
        seq += 3


def test_fault_classification() -> None:
    def integrity(orig: Exception) -> IntegrityError:
        return IntegrityError("INSERT", {}, orig)

    assert is_transient(OperationalError("x", {}, sqlite3.OperationalError("database is locked")))
    assert is_transient(OperationalError("x", {}, _PgError("57P01")))  # admin shutdown
    assert is_transient(OperationalError("x", {}, _PgError("08006")))  # connection failure
    assert not is_transient(OperationalError("x", {}, sqlite3.OperationalError("no such table: x")))
    assert not is_transient(integrity(_PgError("23505")))
    assert not is_transient(RuntimeError("bug"))
    assert not is_transient(ValueError("NUL"))
    assert is_unique_violation(integrity(_PgError("23505")))
    assert not is_unique_violation(integrity(_PgError("23503")))  # foreign key
    assert is_unique_violation(integrity(sqlite3.IntegrityError("UNIQUE constraint failed: customer.id")))
    assert not is_unique_violation(integrity(sqlite3.IntegrityError("NOT NULL constraint failed: x.y")))


# ---------------------------------------------------------------- finding 5: receipts and ids by salon


def other_salon_desk(world: SyncWorld) -> tuple[str, str, str]:
    """(salon_id, device_id, token) of a desk of a second, empty salon."""
    suffix = uuid.uuid4().hex[:6]
    salon_id = world.cloud.create_salon(f"صالون آخر {suffix}", f"Other Salon {suffix}")
    answer = world.cloud.enrol(world.cloud.issue_code(salon_id, "receptionist"), device_name="Intruder")
    assert answer.status_code == 201, answer.text
    return salon_id, answer.json()["device_id"], answer.json()["token"]


def test_receipts_are_per_salon_another_salon_never_sees_or_blocks_ours(
    sync_world: SyncWorld, desk: Desk
) -> None:
    other_salon, other_device, other_token = other_salon_desk(sync_world)
    _third, third_device, third_token = other_salon_desk(sync_world)
    http = sync_world.cloud.client()
    customer_id = first_customer(desk)
    ours = mutation(10_000, entity_id=customer_id, args={"fields": {"notes": "ours"}})
    answer = push(desk.http, token_of(desk), desk.device_id, [ours])
    assert answer.json()["results"][0]["status"] == "applied"
    before = domain_dump(sync_world)

    # The same id and payload from salon A: its own answer (the customer is not A's), not our stored one.
    replay = push(http, other_token, other_device, [ours | {"device_seq": 1}])
    assert replay.status_code == 200, replay.text
    result = replay.json()["results"][0]
    assert result["status"] == "refused" and result["code"] == "sync.gone"
    rows = [r for r in result["rows"] if r["entity"] != "sync_conflict"]
    assert rows == [] and all(r["row"]["salon_id"] == other_salon for r in result["rows"])
    assert customer_id not in replay.text.replace(json.dumps(ours["entity_id"]), "")  # never B's row
    # The same id with another payload, from a third salon: no 409 telling it the id exists elsewhere.
    other = ours | {"device_seq": 1, "args": {"fields": {"notes": "theirs"}}}
    answer = push(http, third_token, third_device, [other])
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["code"] == "sync.gone"
    assert domain_dump(sync_world) == before

    # A pre-claims ids; our pushes with those ids still apply.
    claimed = str(uuid.uuid4())
    squat = mutation(2, mutation_id=claimed, entity_id=customer_id, args={"fields": {"notes": "squat"}})
    assert push(http, other_token, other_device, [squat]).status_code == 200
    mine = mutation(10_001, mutation_id=claimed, entity_id=customer_id, args={"fields": {"notes": "mine"}})
    answer = push(desk.http, token_of(desk), desk.device_id, [mine])
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["status"] == "applied"


def test_an_id_another_salon_uses_is_its_own_row_and_an_id_taken_in_the_salon_is_refused_never_retry(
    sync_world: SyncWorld, desk: Desk
) -> None:
    """Keys are (salon_id, id) since issue #14: a salon's ids never meet another salon's. The same id in a
    second salon is that salon's own row; inside one salon an id stays taken (refused `sync.id_taken`)."""
    _salon, other_device, other_token = other_salon_desk(sync_world)
    http = sync_world.cloud.client()
    taken = first_customer(desk)  # a customer of the demo salon
    before = domain_dump(sync_world)

    create = mutation(1, name="customer.create", entity_id=taken, args={"name": "Copycat", "phone": None})
    answer = push(http, other_token, other_device, [create])
    assert answer.status_code == 200 and answer.json()["results"][0]["status"] == "applied", answer.text
    with sync_world.cloud.db.reader() as session:
        found = session.execute(text("SELECT salon_id, name FROM customer WHERE id = :i"), {"i": taken}).all()
    names = {str(salon_id): name for salon_id, name in found}
    assert len(names) == 2 and names[_salon] == "Copycat"
    assert {k: v for k, v in domain_dump(sync_world).items() if k != "customer"} == {
        k: v for k, v in before.items() if k != "customer"
    }

    staff_id, service_id = desk.rows("SELECT staff_id, service_id FROM staff_service LIMIT 1")[0]
    item_id = desk.scalar("SELECT id FROM booking_item ORDER BY id LIMIT 1")  # another booking's item
    start = datetime(2031, 1, 5, 7, tzinfo=UTC)
    item = {"id": item_id, "service_id": service_id, "staff_id": staff_id, "start_at": format_instant(start),
            "end_at": format_instant(start + timedelta(minutes=25)), "busy_until": format_instant(start + timedelta(minutes=30)),
            "price_halalas": 100, "phases": []}
    booking = mutation(1000, name="booking.create", entity="booking", args={
        "customer_id": None, "source": "desk", "status": "requested", "notes": "", "items": [item]})
    token = desk.sync._api._token  # noqa: SLF001
    answers = [push(http, token, desk.device_id, [booking | {"mutation_id": str(uuid.uuid4()),
                                                               "device_seq": 1000 + n}], lang)
               for n, lang in enumerate(("en", "ar"))]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        result = answer.json()["results"][0]
        assert result["status"] == "refused" and result["code"] == "sync.id_taken", result
        assert result["conflict_id"]
    with sync_world.cloud.db.reader() as session:
        bookings = session.execute(text("SELECT count(*) FROM booking WHERE id = :i"), {"i": booking["entity_id"]})
        assert bookings.scalar_one() == 0
    # The next mutation of that desk applies normally.
    fresh = mutation(3, name="customer.create", entity_id=str(uuid.uuid4()), args={"name": "Own customer"})
    answer = push(http, other_token, other_device, [fresh])
    assert answer.json()["results"][0]["status"] == "applied", answer.text
    # The code is translated for people (the conflict card, the desk's message table).
    from salon_desk.cloud.i18n import translate

    en, ar = translate("sync.id_taken", {}, "en"), translate("sync.id_taken", {}, "ar")
    assert en != ar and "sync.id_taken" not in {en, ar}


# ---------------------------------------------------------------- the pull cursor


@pytest.mark.parametrize(
    ("suffix", "priority"),
    [
        (".0@9999-12-31", 2),
        (".0@9999-12-31", 3),
        (".0@0001-01-01", 2),
        (".0@0001-01-01", 3),
        (".0@2025-02-30", 2),
        (f".{2**63}", None),
        (f".{10**30}", None),
        (".5@2025-03-01@2025-03-02", 2),
        (".-1", None),
        ("." + "9" * 5000, None),
    ],
)
def test_a_pull_cursor_with_an_absurd_day_or_seq_answers_400(
    sync_world: SyncWorld, desk: Desk, suffix: str, priority: int | None
) -> None:
    epoch = desk.scalar("SELECT value FROM sync_state WHERE key = 'epoch'")
    params: dict[str, Any] = {"cursor": epoch + suffix}
    if priority is not None:
        params["priority"] = priority
    answers = [
        call(desk, "GET", "/v1/sync/pull", params=params, headers={"Accept-Language": lang})
        for lang in ("en", "ar")
    ]
    assert_translated(*answers, 400, "sync.bad_cursor")


# ---------------------------------------------------------------- the desk, blocked visibly


def test_a_batch_the_cloud_refuses_for_good_blocks_the_desk_visibly_and_the_outbox_is_kept(
    sync_world: SyncWorld, desk: Desk
) -> None:
    from salon_desk.usecases.commands import UpdateCustomer

    customers = [r[0] for r in desk.rows("SELECT id FROM customer ORDER BY id LIMIT 2")]
    for customer_id in customers:
        desk.service.customers.update(UpdateCustomer(customer_id, {"notes": "edited"}))
    with desk.engine.begin() as conn:  # a desk whose outbox has a hole (never written by the app)
        from sqlalchemy import text

        last = conn.execute(text("SELECT max(device_seq) FROM outbox")).scalar()
        conn.execute(
            text("UPDATE outbox SET device_seq = :s WHERE device_seq = :l"), {"s": last + 5, "l": last}
        )
    other = sync_world.desk("Desk 2")
    other.service.customers.update(UpdateCustomer(customers[0], {"name": "Renamed on desk 2"}))
    assert other.sync.sync_once().ok
    before = cloud_dump(sync_world)

    report = desk.sync.sync_once()

    assert report.error == "rejected" and report.blocked_code == "sync.bad_sequence"
    assert report.next_delay is not None  # tried again on the timer, visibly blocked meanwhile
    assert report.pulled >= 1  # reads never wait for a refused batch
    status = desk.sync.status()
    assert status.pending == 2 and status.stuck_attempts == 1
    assert desk.scalar("SELECT last_error FROM outbox ORDER BY device_seq LIMIT 1") == "sync.bad_sequence"
    with sync_world.cloud.db.reader() as session:  # nothing of the batch reached the cloud
        table = metadata.tables["mutation_receipt"]
        pushed = session.execute(select(table.c.device_id).where(table.c.device_id == desk.device_id)).all()
    assert pushed == []
    assert cloud_dump(sync_world) == before


def test_an_outbox_row_that_is_no_valid_envelope_is_never_sent_and_blocks_visibly(
    sync_world: SyncWorld, desk: Desk
) -> None:
    from sqlalchemy import text

    from salon_desk.usecases.commands import UpdateCustomer

    customers = [r[0] for r in desk.rows("SELECT id FROM customer ORDER BY id LIMIT 2")]
    for customer_id in customers:
        desk.service.customers.update(UpdateCustomer(customer_id, {"notes": "edited"}))
    with desk.engine.begin() as conn:
        conn.execute(
            text("UPDATE outbox SET hlc = 'garbage' WHERE device_seq = (SELECT max(device_seq) FROM outbox)")
        )

    report = desk.sync.sync_once()  # the valid first row goes; the bad one stays, with its code

    assert report.applied == 1 and report.blocked_code == "invalid_request"
    assert desk.sync.status().pending == 1
    again = desk.sync.sync_once()
    assert again.blocked_code == "invalid_request" and again.applied == 0
    assert desk.sync.status().stuck_attempts == 2
