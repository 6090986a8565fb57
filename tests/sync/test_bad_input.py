"""Bad input to /v1/sync (issue "Cloud API and sync"): each answered with its status and a JSON
{code, detail}, and the cloud's tables exactly as before (a dump compared before/after)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from salon_desk.cloud.rows import metadata
from salon_desk.sync.protocol import Mutation, MutationActor, PushRequest

from .conftest import Desk, SyncWorld, free_booking


def cloud_dump(world: SyncWorld) -> dict[str, list[Any]]:
    with world.cloud.db.reader() as session:
        return {
            t.name: sorted(map(repr, session.execute(select(t)).all()))
            for t in metadata.sorted_tables
            if t.name not in {"device"}  # last_seen_at moves on every authenticated request
        }


def token_of(desk: Desk) -> str:
    return desk.sync._api._token  # noqa: SLF001 - the test plays a desk with the same credentials


def push_body(desk: Desk, **mutation: Any) -> str:
    fields = {
        "mutation_id": str(uuid.uuid4()),
        "device_seq": 10_000,
        "name": "customer.patch",
        "entity": "customer",
        "entity_id": str(uuid.uuid4()),
        "hlc": "1:0",
        "actor": MutationActor(desk_user_id=str(uuid.uuid4())),
        "args": {"fields": {"notes": "x"}},
    } | mutation
    return PushRequest(device_id=desk.device_id, mutations=[Mutation(**fields)]).model_dump_json()


def call(desk: Desk, method: str, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token or token_of(desk)}", "Content-Type": "application/json"}
    return desk.http.request(method, path, headers=headers | kwargs.pop("headers", {}), **kwargs)


CASES: dict[str, tuple[Callable[[Desk, SyncWorld], httpx.Response], int, str | None]] = {
    "malformed json": (lambda d, w: call(d, "POST", "/v1/sync/push", content=b'{"device_id": '), 422, None),
    "a body of the wrong shape": (lambda d, w: call(d, "POST", "/v1/sync/push", json={"x": 1}), 422, None),
    "too many mutations": (
        lambda d, w: call(
            d,
            "POST",
            "/v1/sync/push",
            content=push_body(d).replace('"mutations":[', '"mutations":[' + "{}," * 150),
        ),
        422,
        None,
    ),
    "an oversized body": (
        lambda d, w: call(d, "POST", "/v1/sync/push", content=push_body(d, args={"pad": "x" * 1_100_000})),
        413,
        "sync.too_large",
    ),
    "an oversized chunked body": (
        lambda d, w: call(
            d, "POST", "/v1/sync/push", content=iter([b"{" + b" " * 700_000, b" " * 700_000 + b"}"])
        ),
        413,
        "sync.too_large",
    ),
    "a cursor from the future": (
        lambda d, w: call(d, "GET", "/v1/sync/pull", params={"cursor": "zzz.99999999"}),
        409,
        "epoch_changed",
    ),
    "a cursor that is not one": (
        lambda d, w: call(d, "GET", "/v1/sync/pull", params={"cursor": "no-dot"}),
        400,
        "sync.bad_cursor",
    ),
    "an unknown token": (
        lambda d, w: call(d, "POST", "/v1/sync/push", token="sd_dev_" + "x" * 43, content=push_body(d)),
        401,
        None,
    ),
    "another desk's device id": (
        lambda d, w: call(
            d, "POST", "/v1/sync/push", content=push_body(d).replace(d.device_id, str(uuid.uuid4()))
        ),
        400,
        "sync.device_mismatch",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_requests_get_a_json_error_and_change_nothing(sync_world: SyncWorld, case: str) -> None:
    desk = sync_world.desk("Desk 1")
    assert desk.sync.sync_once().ok
    before = cloud_dump(sync_world)
    send, status, code = CASES[case]

    answer = send(desk, sync_world)

    assert answer.status_code == status, answer.text
    body = answer.json()
    assert isinstance(body.get("code"), str) and "detail" in body
    if code is not None:
        assert body["code"] == code
    assert cloud_dump(sync_world) == before


def test_unknown_mutations_and_entities_are_refused_visibly_without_changing_records(
    sync_world: SyncWorld,
) -> None:
    desk = sync_world.desk("Desk 1")
    assert desk.sync.sync_once().ok
    for seq, (name, entity) in enumerate((("booking.teleport", "booking"), ("spaceship.patch", "spaceship"))):
        body = push_body(desk, name=name, entity=entity, device_seq=10_000 + seq)
        answer = call(desk, "POST", "/v1/sync/push", content=body)
        assert answer.status_code == 200, answer.text
        result = answer.json()["results"][0]
        assert result["status"] == "refused" and result["conflict_id"]  # a visible SyncConflict, no change


def test_a_mutation_for_another_salons_booking_is_refused_and_that_booking_is_untouched(
    sync_world: SyncWorld,
) -> None:
    other_salon, other_token = sync_world.cloud.enrolled_desk("receptionist")
    desk = sync_world.desk("Desk 1")
    booking_id = desk.service.bookings.create(free_booking(desk)).id
    assert desk.sync.sync_once().applied == 1
    with sync_world.cloud.db.reader() as session:
        before = session.execute(
            select(metadata.tables["booking"]).where(metadata.tables["booking"].c.id == booking_id)
        ).all()
    other_device = sync_world.cloud.client().get(
        "/v1/sync/pull", headers={"Authorization": f"Bearer {other_token}"}
    )
    assert other_device.status_code == 200 and other_device.json()["changes"] == []  # sees nothing of ours
    body = {
        "device_id": other_device_id(sync_world, other_token),
        "mutations": [
            {
                "mutation_id": str(uuid.uuid4()),
                "device_seq": 1,
                "name": "booking.cancel",
                "entity": "booking",
                "entity_id": booking_id,
                "hlc": "1:0",
                "actor": {"desk_user_id": str(uuid.uuid4())},
                "args": {"reason": "hijack"},
            }
        ],
    }
    answer = sync_world.cloud.client().post(
        "/v1/sync/push", json=body, headers={"Authorization": f"Bearer {other_token}"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["status"] == "refused"
    with sync_world.cloud.db.reader() as session:
        after = session.execute(
            select(metadata.tables["booking"]).where(metadata.tables["booking"].c.id == booking_id)
        ).all()
    assert after == before
    assert other_salon != sync_world.salon_id


def other_device_id(world: SyncWorld, token: str) -> str:
    from hashlib import sha256

    with world.cloud.db.reader() as session:
        table = metadata.tables["device"]
        return session.execute(
            select(table.c.id).where(table.c.token_sha256 == sha256(token.encode()).digest())
        ).scalar_one()
