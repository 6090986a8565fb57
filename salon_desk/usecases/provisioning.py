"""Linking this desk to its cloud with a provisioning code (issue #13): the unattended twin of enrol_desk.

    link = provision_desk(engine, secrets, post, cloud_url=..., salon_id=..., code="SDP…", device_name="PC-3",
                          app_version=..., schema_version=...)

A provisioning code always enrols a NEW device. The token and the salon's PIN pepper (from the same answer)
go to the SecretStore and nowhere else; sync_state
keeps the link (store.desk_link). A database that held another device id carries its pending outbox over, as
enrol_desk does. Inputs are checked by the caller (salon_desk.provisioning); the HTTP call is injected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from salon_desk.secrets import SERVICE, SecretStore
from salon_desk.store.desk_link import DeskLinkStore, Engine, StoredLink
from salon_desk.usecases.enrolment import CloudLink, EnrolmentError, checked_answer, keep_secrets

# (cloud_url, JSON body) -> the cloud's JSON answer; raises a DomainError for a refusal or no connection.
PostProvision = Callable[[str, dict[str, Any]], dict[str, Any]]


def provision_desk(
    engine: Engine,
    secrets: SecretStore,
    post: PostProvision,
    *,
    cloud_url: str,
    salon_id: str,
    code: str,
    device_name: str,
    app_version: str,
    schema_version: int,
) -> CloudLink:
    store = DeskLinkStore(engine)
    if store.holds_other_salon(salon_id):  # checked before the code spends a seat
        raise EnrolmentError("enrol.other_salon")
    previous = store.device_id() or None
    body = {
        "salon_id": salon_id,
        "code": code,
        "device_name": device_name.strip() or "Desk",
        "app_version": app_version,
        "schema_version": schema_version,
    }
    answer = checked_answer(post(cloud_url, body))
    link = CloudLink(cloud_url, answer.device_id, answer.salon_id, answer.epoch)
    if store.holds_other_salon(link.salon_id):
        raise EnrolmentError("enrol.other_salon")
    keep_secrets(secrets, answer)  # the token and the salon's PIN pepper
    replaced = bool(previous) and link.device_id != previous
    store.save(StoredLink(link.cloud_url, link.device_id, link.salon_id, link.epoch), carry_outbox=replaced)
    if previous and replaced:
        secrets.delete(SERVICE, previous)
    return link
