"""Delivery guarantees: idempotent retries, outbox kept on blocking answers, pulls that never skip."""

from __future__ import annotations

import threading
import uuid

import httpx
from sqlalchemy import func, select, text

from salon_desk.cloud.sync.tables import MutationReceiptRow
from salon_desk.domain.ids import new_id
from salon_desk.sync.protocol import Mutation, MutationActor, PullResponse, PushRequest

from .conftest import SyncWorld, free_booking
from .faults import FaultyTransport


def test_a_lost_push_response_is_retried_and_answered_from_the_receipt(sync_world: SyncWorld) -> None:
    faults = FaultyTransport()
    desk = sync_world.desk("Desk 1", transport=faults)
    booking_id = desk.service.bookings.create(free_booking(desk)).id
    faults.drop_responses = 1

    lost = desk.sync.sync_once()
    assert lost.error == "offline" and lost.next_delay is not None
    assert desk.sync.status().pending == 1  # the desk does not know the server applied it

    again = desk.sync.sync_once()

    assert again.ok and again.applied == 1
    assert desk.sync.status().pending == 0
    assert desk.scalar("SELECT server_seq FROM booking WHERE id = :b", b=booking_id) is not None
    with sync_world.cloud.db.reader() as session:
        assert session.scalar(select(func.count()).select_from(MutationReceiptRow)) == 1
        assert (
            session.execute(text("SELECT count(*) FROM booking WHERE id = :b"), {"b": booking_id}).scalar()
            == 1
        )


def test_the_same_mutation_id_with_another_payload_is_refused_as_key_reuse(sync_world: SyncWorld) -> None:
    desk = sync_world.desk("Desk 1")
    desk.service.bookings.create(free_booking(desk))
    assert desk.sync.sync_once().ok
    row = desk.rows("SELECT mutation_id, device_seq, entity_id FROM outbox")[0]
    token = desk.sync._api._token  # noqa: SLF001 - the test plays a buggy desk with the same credentials
    tampered = PushRequest(
        device_id=desk.device_id,
        mutations=[
            Mutation(
                mutation_id=row[0],
                device_seq=row[1],
                name="booking.patch_notes",
                entity="booking",
                entity_id=row[2],
                hlc="1:0",
                actor=MutationActor(desk_user_id=str(uuid.uuid4())),
                args={"fields": {"notes": "x"}},
            )
        ],
    )
    answer = desk.http.post(
        "/v1/sync/push",
        content=tampered.model_dump_json(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 409 and answer.json()["code"] == "idempotency_key_reuse"


def test_a_revoked_desk_keeps_its_outbox(sync_world: SyncWorld) -> None:
    desk = sync_world.desk("Desk 1")
    desk.service.bookings.create(free_booking(desk))
    sync_world.cloud.services.devices.revoke(sync_world.salon_id, desk.device_id)

    report = desk.sync.sync_once()

    assert (report.error, report.blocked_code) == ("auth", "device_revoked")
    assert desk.sync.status().pending == 1


def test_pull_never_skips_a_seq_while_writers_commit_concurrently(sync_world: SyncWorld) -> None:
    cloud = sync_world.cloud
    tokens = [
        cloud.enrol(cloud.issue_code(sync_world.salon_id, "receptionist"), device_name=f"W{i}").json()
        for i in range(3)
    ]
    with cloud.client() as reader:
        auth = {"Authorization": f"Bearer {tokens[0]['token']}"}
        head = PullResponse.model_validate(
            reader.get("/v1/sync/pull", params={"limit": 1000}, headers=auth).json()
        )
        while head.has_more:
            head = PullResponse.model_validate(
                reader.get("/v1/sync/pull", params={"cursor": head.next_cursor}, headers=auth).json()
            )
        created: list[str] = []
        done = threading.Event()

        def write(answer: dict[str, str]) -> None:
            with httpx.Client(base_url=cloud.base_url, timeout=15) as http:
                for seq in range(1, 31):
                    customer_id = new_id()
                    created.append(customer_id)
                    body = PushRequest(
                        device_id=answer["device_id"],
                        mutations=[
                            Mutation(
                                mutation_id=new_id(),
                                device_seq=seq,
                                name="customer.create",
                                entity="customer",
                                entity_id=customer_id,
                                hlc=f"{seq}:0",
                                actor=MutationActor(desk_user_id=str(uuid.uuid4())),
                                args={"name": f"Writer {seq}", "phone": None},
                            )
                        ],
                    )
                    result = http.post(
                        "/v1/sync/push",
                        content=body.model_dump_json(),
                        headers={
                            "Authorization": f"Bearer {answer['token']}",
                            "Content-Type": "application/json",
                        },
                    )
                    assert result.status_code == 200, result.text

        writers = [threading.Thread(target=write, args=(t,)) for t in tokens]
        for thread in writers:
            thread.start()
        seen: set[str] = set()
        seqs: list[int] = []
        cursor = head.next_cursor
        while True:
            finished = not any(t.is_alive() for t in writers)
            page = PullResponse.model_validate(
                reader.get("/v1/sync/pull", params={"cursor": cursor, "limit": 7}, headers=auth).json()
            )
            seen |= {c.id for c in page.changes if c.entity == "customer"}
            seqs += [c.seq for c in page.changes]
            cursor = page.next_cursor
            if finished and not page.has_more:
                break
        done.set()
    assert set(created) <= seen
    assert seqs == sorted(seqs)
