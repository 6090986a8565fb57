"""Provisioning codes (#13): days long, N desks, one role, revocable, kept only as a digest; through the real
server on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from salon_desk.cloud.devices.provisioning import ProvisioningCodeRow, ProvisioningService
from salon_desk.cloud.devices.rows import DeviceRow
from salon_desk.cloud.devices.tokens import TOKEN_PREFIX
from salon_desk.cloud.migrate import upgrade
from salon_desk.cloud.rows import metadata
from salon_desk.domain.errors import ValidationError


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def provision(server, salon_id: str, code: str, name: str = "Desk", **extra):
    body = {"salon_id": salon_id, "code": code, "device_name": name, "app_version": "1.0.0",
            "schema_version": 7, **extra}
    return server.client().post("/v1/provisioning/enrol", json=body)


def issue(server, manager_token: str, **body):
    answer = server.client().post("/v1/provisioning/codes", json=body, headers=bearer(manager_token))
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_manager_issues_a_code_that_enrols_n_desks_in_its_role_then_refuses(cloud_server):
    salon_id, manager = cloud_server.enrolled_desk("manager")
    issued = issue(cloud_server, manager, role="receptionist", max_desks=2, valid_days=5, label="Branch 2")
    assert issued["code"].startswith("SDP-") and issued["max_desks"] == 2

    first = provision(cloud_server, salon_id, issued["code"], "PC-1")
    second = provision(cloud_server, salon_id, issued["code"].lower().replace("-", " "), "PC-2")
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    assert {first.json()["role"], second.json()["role"]} == {"receptionist"}
    assert first.json()["token"].startswith(TOKEN_PREFIX)
    assert first.json()["device_id"] != second.json()["device_id"]

    third = provision(cloud_server, salon_id, issued["code"], "PC-3")
    assert third.status_code == 409 and third.json()["code"] == "provisioning.code_used_up"
    assert "رمز التجهيز" in third.json()["detail"]  # Arabic unless the caller asks otherwise
    english = cloud_server.client(headers={"Accept-Language": "en"}).post(
        "/v1/provisioning/enrol",
        json={"salon_id": salon_id, "code": issued["code"], "device_name": "PC-3", "app_version": "1",
              "schema_version": 7},
    )
    assert "all the desks" in english.json()["detail"]

    listed = cloud_server.client().get("/v1/provisioning/codes", headers=bearer(manager)).json()
    assert [(c["used_desks"], c["max_desks"], c["label"]) for c in listed] == [(2, 2, "Branch 2")]
    assert "code" not in listed[0]
    # a receptionist desk enrolled this way may not issue codes
    refused = cloud_server.client().post("/v1/provisioning/codes", json={}, headers=bearer(first.json()["token"]))
    assert refused.status_code == 403


def test_the_code_lasts_its_days_then_expires(cloud_server):
    salon_id, manager = cloud_server.enrolled_desk("manager")
    code = issue(cloud_server, manager, valid_days=3)["code"]
    cloud_server.clock.advance(days=2, hours=23)
    assert provision(cloud_server, salon_id, code).status_code == 201
    cloud_server.clock.advance(hours=1)
    late = provision(cloud_server, salon_id, code)
    assert late.status_code == 410 and late.json()["code"] == "provisioning.code_expired"


def test_a_revoked_code_enrols_nobody_but_its_desks_keep_working(cloud_server):
    salon_id, manager = cloud_server.enrolled_desk("manager")
    issued = issue(cloud_server, manager, max_desks=5)
    desk = provision(cloud_server, salon_id, issued["code"]).json()
    revoked = cloud_server.client().post(
        f"/v1/provisioning/codes/{issued['id']}/revoke", headers=bearer(manager)
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    refused = provision(cloud_server, salon_id, issued["code"])
    assert refused.status_code == 410 and refused.json()["code"] == "provisioning.code_revoked"
    me = cloud_server.client().get("/v1/devices/me", headers=bearer(desk["token"]))
    assert me.status_code == 200


def test_a_code_is_bound_to_its_salon_and_unknown_codes_are_one_answer(cloud_server):
    salon_id, manager = cloud_server.enrolled_desk("manager")
    other_salon, other_manager = cloud_server.enrolled_desk("manager")
    code = issue(cloud_server, manager)["code"]
    for salon, typed in ((other_salon, code), (salon_id, "SDP-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"),
                         (salon_id, "12345678"), ("00000000-0000-0000-0000-000000000000", code)):
        answer = provision(cloud_server, salon, typed)
        assert answer.status_code == 400 and answer.json()["code"] == "provisioning.code_invalid", typed
    # another salon's manager cannot see or revoke it
    listed = cloud_server.client().get("/v1/provisioning/codes", headers=bearer(other_manager)).json()
    assert listed == []
    code_id = cloud_server.client().get("/v1/provisioning/codes", headers=bearer(manager)).json()[0]["id"]
    foreign = cloud_server.client().post(f"/v1/provisioning/codes/{code_id}/revoke", headers=bearer(other_manager))
    assert foreign.status_code == 404
    assert provision(cloud_server, salon_id, code).status_code == 201


def test_bad_input_is_refused_with_nothing_written(cloud_server):
    salon_id, manager = cloud_server.enrolled_desk("manager")
    for body in ({"max_desks": 0}, {"max_desks": 101}, {"valid_days": 31}, {"role": "owner"}, {"colour": "red"}):
        answer = cloud_server.client().post("/v1/provisioning/codes", json=body, headers=bearer(manager))
        assert answer.status_code == 422, body
    assert provision(cloud_server, salon_id, "x", extra_key=1).status_code == 422
    with cloud_server.db.reader() as session:
        assert session.scalars(select(ProvisioningCodeRow)).all() == []
    service = ProvisioningService(cloud_server.db, cloud_server.clock)
    with pytest.raises(ValidationError):
        service.issue(salon_id, "receptionist", valid_days=0)


def test_the_server_keeps_only_a_digest_of_the_code(cloud_server):
    salon_id, manager = cloud_server.enrolled_desk("manager")
    issued = issue(cloud_server, manager)
    desk = provision(cloud_server, salon_id, issued["code"]).json()
    with cloud_server.db.reader() as session:
        row = session.scalars(select(ProvisioningCodeRow)).one()
        device = session.scalars(select(DeviceRow).where(DeviceRow.id == desk["device_id"])).one()
    assert len(row.code_sha256) == 32 and issued["code"].encode() not in row.code_sha256
    assert row.code_sha256 != hashlib.sha256(issued["code"].encode()).digest()
    assert device is not None and device.enrolled_by == row.id and device.role == "receptionist"


def test_wrong_codes_count_against_the_enrolment_throttle(cloud_server):
    salon_id, manager = cloud_server.enrolled_desk("manager")
    code = issue(cloud_server, manager)["code"]
    for _ in range(10):
        provision(cloud_server, salon_id, "SDP-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
    blocked = provision(cloud_server, salon_id, code)
    assert blocked.status_code == 429


def test_the_cli_issues_lists_and_revokes(cloud_server, monkeypatch, capsys):
    from salon_desk.cloud.cli import main

    salon_id = cloud_server.create_salon()
    monkeypatch.setenv("DATABASE_URL", cloud_server.settings.database_url)
    assert main(["provisioning-code", "create", "--salon", salon_id, "--desks", "3", "--days", "10",
                 "--label", "Branch 2"]) == 0
    out, err = capsys.readouterr()
    code = out.strip()
    assert code.startswith("SDP-") and "up to 3 desk(s)" in err
    assert provision(cloud_server, salon_id, code).status_code == 201
    assert main(["provisioning-code", "list", "--salon", salon_id]) == 0
    line = capsys.readouterr().out.strip()
    assert "1/3" in line and "Branch 2" in line and code not in line
    assert main(["provisioning-code", "revoke", "--salon", salon_id, "--id", line.split()[0]]) == 0
    assert provision(cloud_server, salon_id, code).json()["code"] == "provisioning.code_revoked"
    assert main(["provisioning-code", "create", "--salon", salon_id, "--days", "99"]) == 1
    assert "30 days" in capsys.readouterr().err


def test_the_table_is_in_the_metadata_and_migrations(tmp_path):
    upgrade(f"sqlite:///{tmp_path / 'c.db'}")
    table = metadata.tables["provisioning_code"]
    assert [c.name for c in table.primary_key.columns] == ["salon_id", "id"]
