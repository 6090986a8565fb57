"""Desk enrolment, tokens and revocation through the real server (specs/sync.md §3.11)."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from salon_desk.cloud.devices.rows import DeviceRow, EnrolmentCodeRow
from salon_desk.cloud.devices.tokens import TOKEN_PREFIX


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_an_enrolment_code_buys_a_token_once(cloud_server):
    salon_id = cloud_server.create_salon()
    code = cloud_server.issue_code(salon_id, "manager")
    assert len(code) == 8 and code.isdigit()

    first = cloud_server.enrol(code, device_name="Front desk")
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["salon_id"] == salon_id and body["role"] == "manager"
    assert body["token"].startswith(TOKEN_PREFIX) and len(body["token"]) > len(TOKEN_PREFIX) + 40
    assert body["epoch"]

    again = cloud_server.enrol(code, device_name="Second desk")
    assert again.status_code == 409
    assert again.json()["code"] == "enrolment.code_used"


def test_the_server_keeps_only_digests_of_tokens_and_codes(cloud_server):
    salon_id = cloud_server.create_salon()
    code = cloud_server.issue_code(salon_id)
    token = cloud_server.enrol(code).json()["token"]
    with cloud_server.db.reader() as session:
        device = session.scalars(select(DeviceRow)).one()
        code_row = session.scalars(select(EnrolmentCodeRow)).one()
    assert device.token_sha256 == hashlib.sha256(token.encode()).digest()
    assert code.encode() not in code_row.code_sha256 and len(code_row.code_sha256) == 32
    assert code_row.consumed_by_device_id == device.id and device.enrolled_by == code_row.id


def test_a_code_expires_after_ten_minutes(cloud_server):
    salon_id = cloud_server.create_salon()
    still_valid = cloud_server.issue_code(salon_id)
    expired = cloud_server.issue_code(salon_id)
    cloud_server.clock.advance(minutes=9, seconds=59)
    assert cloud_server.enrol(still_valid).status_code == 201
    cloud_server.clock.advance(seconds=1)
    answer = cloud_server.enrol(expired)
    assert answer.status_code == 410
    assert answer.json()["code"] == "enrolment.code_expired"


def test_codes_typed_with_arabic_digits_and_spaces_are_accepted(cloud_server):
    salon_id = cloud_server.create_salon()
    code = cloud_server.issue_code(salon_id)
    arabic = "".join("٠١٢٣٤٥٦٧٨٩"[int(d)] for d in code)
    assert cloud_server.enrol(f"{arabic[:4]} {arabic[4:]}").status_code == 201


def test_guessing_codes_is_throttled_per_address_with_an_exact_retry_after(cloud_server):
    salon_id = cloud_server.create_salon()
    real_code = cloud_server.issue_code(salon_id)
    wrong = "00000000" if real_code != "00000000" else "11111111"
    for _ in range(10):
        assert cloud_server.enrol(wrong).json()["code"] == "enrolment.code_invalid"
        cloud_server.clock.advance(seconds=5)
    # 10 failures at t0 .. t0+45 s; the window is 600 s, so the next attempt passes at t0+600.
    refused = cloud_server.enrol(real_code)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(600 - 50)
    assert refused.json()["code"] == "rate_limited"
    cloud_server.clock.advance(seconds=549)
    assert cloud_server.enrol(real_code).headers["Retry-After"] == "1"
    cloud_server.clock.advance(seconds=1)
    assert cloud_server.enrol(real_code).status_code == 410  # the limit lifted; the code itself timed out


def test_unknown_missing_and_revoked_tokens_are_refused(cloud_server):
    http = cloud_server.client()
    assert http.get("/v1/devices/me").json()["code"] == "token_invalid"
    unknown = http.get("/v1/devices/me", headers=bearer(TOKEN_PREFIX + "x" * 43))
    assert unknown.status_code == 401 and unknown.json()["code"] == "token_invalid"
    assert unknown.headers["WWW-Authenticate"] == "Bearer"

    salon_id, manager_token = cloud_server.enrolled_desk("manager")
    desk = cloud_server.enrol(cloud_server.issue_code(salon_id, "receptionist"), device_name="Desk 2").json()
    assert http.get("/v1/devices/me", headers=bearer(desk["token"])).status_code == 200

    revoked = http.post(f"/v1/devices/{desk['device_id']}/revoke", headers=bearer(manager_token))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    refused = http.get("/v1/devices/me", headers=bearer(desk["token"]))
    assert refused.status_code == 401 and refused.json()["code"] == "device_revoked"


def test_a_manager_desk_enrols_another_desk_and_a_receptionist_desk_cannot(cloud_server):
    http = cloud_server.client()
    salon_id, manager_token = cloud_server.enrolled_desk("manager")
    issued = http.post(
        "/v1/devices/enrolment-codes", json={"role": "receptionist"}, headers=bearer(manager_token)
    )
    assert issued.status_code == 201
    assert issued.json()["salon_id"] == salon_id
    desk = cloud_server.enrol(issued.json()["code"], device_name="Desk 2").json()
    assert desk["role"] == "receptionist" and desk["salon_id"] == salon_id

    refused = http.post("/v1/devices/enrolment-codes", json={}, headers=bearer(desk["token"]))
    assert refused.status_code == 403 and refused.json()["code"] == "device.manager_required"
    names = [d["name"] for d in http.get("/v1/devices", headers=bearer(manager_token)).json()]
    assert sorted(names) == ["Desk 1", "Desk 2"]  # both enrolled at the test clock's one instant: any order


def test_a_manager_cannot_reach_desks_of_another_salon(cloud_server):
    http = cloud_server.client()
    _, manager_a = cloud_server.enrolled_desk("manager")
    other_salon_desk = cloud_server.enrol(
        cloud_server.issue_code(cloud_server.create_salon(), "receptionist")
    )
    other_id = other_salon_desk.json()["device_id"]
    answer = http.post(f"/v1/devices/{other_id}/revoke", headers=bearer(manager_a))
    assert answer.status_code == 404 and answer.json()["code"] == "device.not_found"
    assert http.get("/v1/devices/me", headers=bearer(other_salon_desk.json()["token"])).status_code == 200
    assert http.post("/v1/devices/not-a-uuid/revoke", headers=bearer(manager_a)).status_code == 404


def test_rotation_replaces_the_token_at_once(cloud_server):
    http = cloud_server.client()
    _, old_token = cloud_server.enrolled_desk("receptionist")
    rotated = http.post("/v1/devices/rotate", headers=bearer(old_token))
    assert rotated.status_code == 200
    new_token = rotated.json()["token"]
    assert new_token != old_token
    assert http.get("/v1/devices/me", headers=bearer(old_token)).json()["code"] == "token_invalid"
    assert http.get("/v1/devices/me", headers=bearer(new_token)).status_code == 200


def test_a_revoked_desk_id_is_never_revived_the_desk_enrols_as_a_new_device(cloud_server):
    http = cloud_server.client()
    salon_id, manager_token = cloud_server.enrolled_desk("manager")
    desk = cloud_server.enrol(cloud_server.issue_code(salon_id, "receptionist"), device_name="Desk 2").json()
    http.post(f"/v1/devices/{desk['device_id']}/revoke", headers=bearer(manager_token))

    again = cloud_server.enrol(
        cloud_server.issue_code(salon_id, "receptionist"),
        device_name="Desk 2",
        device_id=desk["device_id"],
        device_token=desk["token"],  # even with proof: a revoked id stays revoked
    )
    assert again.status_code == 201, again.text
    fresh = again.json()
    assert fresh["device_id"] != desk["device_id"] and fresh["replaces_device_id"] == desk["device_id"]
    assert (
        http.get("/v1/devices/me", headers=bearer(fresh["token"])).json()["device_id"] == fresh["device_id"]
    )
    assert http.get("/v1/devices/me", headers=bearer(desk["token"])).json()["code"] == "device_revoked"
    listed = {d["device_id"]: d for d in http.get("/v1/devices", headers=bearer(manager_token)).json()}
    assert listed[desk["device_id"]]["revoked_at"] and listed[fresh["device_id"]]["revoked_at"] is None


def test_a_receptionist_code_cannot_claim_the_manager_desk(cloud_server):
    http = cloud_server.client()
    salon_id = cloud_server.create_salon()
    manager = cloud_server.enrol(cloud_server.issue_code(salon_id, "manager"), device_name="Office").json()
    code = cloud_server.issue_code(salon_id, "receptionist")

    for proof in ({}, {"device_token": "sd_dev_" + "x" * 43}):
        refused = cloud_server.enrol(code, device_name="Intruder", device_id=manager["device_id"], **proof)
        assert refused.status_code == 409 and refused.json()["code"] == "enrolment.device_taken"
    body = {"code": code, "device_name": "X", "app_version": "1", "schema_version": 1}
    translated = http.post(
        "/v1/devices/enrol",
        json={**body, "device_id": manager["device_id"]},
        headers={"Accept-Language": "ar"},
    )
    assert translated.status_code == 409 and "هوية هذا الجهاز" in translated.json()["detail"]

    me = http.get("/v1/devices/me", headers=bearer(manager["token"]))
    assert me.status_code == 200 and me.json()["role"] == "manager" and me.json()["name"] == "Office"
    assert cloud_server.enrol(code, device_name="Desk 2").status_code == 201  # the refusals used nothing up


def test_re_enrolling_with_the_current_or_last_token_keeps_the_id(cloud_server):
    http = cloud_server.client()
    salon_id = cloud_server.create_salon()
    desk = cloud_server.enrol(cloud_server.issue_code(salon_id, "receptionist"), device_name="Desk 1").json()

    kept = cloud_server.enrol(
        cloud_server.issue_code(salon_id, "receptionist"),
        device_id=desk["device_id"].upper(),
        device_token=desk["token"],
    )
    assert kept.status_code == 201, kept.text
    assert kept.json()["device_id"] == desk["device_id"] and kept.json()["replaces_device_id"] is None
    assert http.get("/v1/devices/me", headers=bearer(desk["token"])).json()["code"] == "token_invalid"

    # The rotation's answer was lost: the desk still holds the token before it, which proves it too.
    last = kept.json()["token"]
    assert http.post("/v1/devices/rotate", headers=bearer(last)).status_code == 200
    again = cloud_server.enrol(
        cloud_server.issue_code(salon_id, "receptionist"), device_id=desk["device_id"], device_token=last
    )
    assert again.status_code == 201 and again.json()["device_id"] == desk["device_id"]
    assert http.get("/v1/devices/me", headers=bearer(again.json()["token"])).status_code == 200


def test_a_manager_approves_a_rebind_for_exactly_one_desk(cloud_server):
    http = cloud_server.client()
    salon_id, manager_token = cloud_server.enrolled_desk("manager")
    desk = cloud_server.enrol(cloud_server.issue_code(salon_id, "receptionist"), device_name="Desk 2").json()
    other = cloud_server.enrol(cloud_server.issue_code(salon_id, "receptionist"), device_name="Desk 3").json()

    issued = http.post(
        "/v1/devices/enrolment-codes",
        json={"role": "receptionist", "rebind_device_id": desk["device_id"]},
        headers=bearer(manager_token),
    )
    assert issued.status_code == 201, issued.text
    code = issued.json()["code"]
    wrong = cloud_server.enrol(code, device_id=other["device_id"])
    assert wrong.status_code == 409 and wrong.json()["code"] == "enrolment.rebind_mismatch"
    assert cloud_server.enrol(code).json()["code"] == "enrolment.rebind_mismatch"
    assert http.get("/v1/devices/me", headers=bearer(other["token"])).status_code == 200

    rebound = cloud_server.enrol(code, device_name="Desk 2", device_id=desk["device_id"])  # lost its token
    assert rebound.status_code == 201 and rebound.json()["device_id"] == desk["device_id"]
    assert http.get("/v1/devices/me", headers=bearer(rebound.json()["token"])).status_code == 200

    http.post(f"/v1/devices/{other['device_id']}/revoke", headers=bearer(manager_token))
    refused = http.post(
        "/v1/devices/enrolment-codes",
        json={"rebind_device_id": other["device_id"]},
        headers=bearer(manager_token),
    )
    assert refused.status_code == 409 and refused.json()["code"] == "enrolment.rebind_revoked"


def test_a_re_enrolment_naming_a_desk_of_another_salon_changes_nothing(cloud_server):
    other = cloud_server.enrol(cloud_server.issue_code(cloud_server.create_salon())).json()
    code = cloud_server.issue_code(cloud_server.create_salon())
    answer = cloud_server.enrol(code, device_id=other["device_id"])
    assert answer.status_code == 404
    assert cloud_server.enrol(code).status_code == 201  # the refused attempt did not use the code up


def test_last_seen_is_recorded_at_most_once_a_minute(cloud_server):
    http = cloud_server.client()
    _, token = cloud_server.enrolled_desk()

    def last_seen():
        with cloud_server.db.reader() as session:
            return session.scalars(select(DeviceRow.last_seen_at)).one()

    http.get("/v1/devices/me", headers=bearer(token))
    first = last_seen()
    assert first == cloud_server.clock.now()
    cloud_server.clock.advance(30)
    http.get("/v1/devices/me", headers=bearer(token))
    assert last_seen() == first
    cloud_server.clock.advance(30)
    http.get("/v1/devices/me", headers=bearer(token))
    assert last_seen() == cloud_server.clock.now()


def test_bad_enrolment_bodies_answer_invalid_request(cloud_server):
    answer = cloud_server.client().post("/v1/devices/enrol", json={"code": "12345678"})
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_request"
    assert {"device_name", "app_version", "schema_version"} <= set(answer.json()["fields"])
