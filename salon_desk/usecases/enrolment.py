"""Enrolling this desk with the salon's cloud (specs/sync.md §3.11) and reading its link back.

    link = enrol_desk(engine, secrets, post_enrol, cloud_url=..., code="12345678", device_name="Reception")
    enrolled = enrolled_desk(engine, secrets)          # (link, token) or None

The token goes to the SecretStore (service "salon-desk", username = device_id) and nowhere else; sync_state
keeps only what is not secret: device_id, salon_id, cloud URL and epoch. Re-enrolling the same database
sends its device_id with its token as proof, and the cloud keeps the id (rebinding a new token), so pending
changes still push in order. When the cloud answers with a NEW id (the old desk was revoked, and a revoked id
is never revived), the pending outbox is carried over in the same transaction that stores the link:
renumbered from device_seq 1 under the new device, mutation ids kept (so a change the old desk already
pushed is answered from its receipt), and the old device's acknowledged history kept as `retired` rows
(negative device_seq, never pushed again). Nothing is lost.
The HTTP call is injected (`post_enrol`): use cases know no HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from salon_desk.domain.errors import DomainError
from salon_desk.domain.i18n import N_
from salon_desk.secrets import SERVICE, SecretStore
from salon_desk.store.rows import OutboxRow, SalonRow
from salon_desk.sync import state as keys
from salon_desk.sync.state import SyncState

CLOUD_URL = "cloud_url"
SALON_ID = "salon_id"
CODE_DIGITS = 8

MESSAGES = {
    "enrol.code_format": N_("The enrolment code has 8 digits."),
    "enrol.cloud_url": N_("The cloud address must start with https:// (or http:// on this computer)."),
    "enrol.unreachable": N_("The cloud could not be reached. Check the internet connection and try again."),
    "enrol.refused": N_("The cloud refused this enrolment ({reason})."),
    "enrol.other_salon": N_("This desk already holds another salon's data; use an empty data folder."),
    # The cloud's own refusals, same English as salon_desk/cloud/devices/enrolment.py (translated in cloud.po).
    "enrolment.code_invalid": N_(
        "This enrolment code is not valid. Check the 8 digits or ask for a new code."
    ),
    "enrolment.code_expired": N_("This enrolment code has expired. A manager can create a new one."),
    "enrolment.code_used": N_("This enrolment code was already used. A manager can create a new one."),
    "enrolment.device_taken": N_(
        "This desk's identity belongs to an enrolled desk. Re-enrol from that desk itself, "
        "or ask a manager for a code that re-enrols this desk."
    ),
    "enrolment.rebind_mismatch": N_("This enrolment code was created to re-enrol a different desk."),
    "device.not_found": N_("This desk was not found in the salon."),
}
RETIRED = "retired"  # outbox status of a replaced device's acknowledged history

# (cloud_url, JSON body) -> the cloud's JSON answer; raises EnrolmentError for a refusal or no connection.
PostEnrol = Callable[[str, dict[str, Any]], dict[str, Any]]


class Translator(Protocol):
    def gettext(self, message: str) -> str: ...


class EnrolmentError(DomainError):
    """Enrolment could not happen; `message(l10n)` is the translated sentence."""

    def message(self, l10n: Translator) -> str:
        return l10n.gettext(MESSAGES[self.code]).format(**self.params)


@dataclass(frozen=True, slots=True)
class CloudLink:
    cloud_url: str
    device_id: str
    salon_id: str
    epoch: str


def clean_code(code: str) -> str:
    digits = "".join(ch for ch in code if not ch.isspace() and ch != "-")
    digits = digits.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))
    if len(digits) != CODE_DIGITS or not digits.isdigit():
        raise EnrolmentError("enrol.code_format")
    return digits


def clean_cloud_url(url: str) -> str:
    url = url.strip().rstrip("/")
    local = url.startswith(("http://127.0.0.1", "http://localhost"))
    if not (url.startswith("https://") or local):
        raise EnrolmentError("enrol.cloud_url")
    return url


def enrol_desk(
    engine: Engine,
    secrets: SecretStore,
    post_enrol: PostEnrol,
    *,
    cloud_url: str,
    code: str,
    device_name: str,
    app_version: str,
    schema_version: int,
) -> CloudLink:
    cloud_url, code = clean_cloud_url(cloud_url), clean_code(code)
    sessions = sessionmaker(engine)
    with sessions() as session:
        previous = SyncState(session).get(keys.DEVICE_ID) or None
    body: dict[str, Any] = {
        "code": code,
        "device_name": device_name.strip() or "Desk",
        "app_version": app_version,
        "schema_version": schema_version,
    }
    if previous:
        body["device_id"] = previous
        proof = secrets.get(SERVICE, previous)
        if proof:
            body["device_token"] = proof  # proves this database is that desk: the cloud keeps its id
    answer = post_enrol(cloud_url, body)
    link = CloudLink(cloud_url, answer["device_id"], answer["salon_id"], answer["epoch"])
    with sessions() as session:
        _check_same_salon(session, link.salon_id)
    secrets.set(SERVICE, link.device_id, answer["token"])
    with sessions() as session:
        if previous and link.device_id != previous:
            carry_outbox_over(session)
        _store_link(SyncState(session), link)
        session.commit()
    if previous and link.device_id != previous:
        secrets.delete(SERVICE, previous)  # the revoked desk's token opens nothing any more
    return link


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


def _check_same_salon(session: Any, salon_id: str) -> None:
    present = session.scalar(select(func.count()).select_from(SalonRow).where(SalonRow.id != salon_id))
    if present:
        raise EnrolmentError("enrol.other_salon")


def _store_link(sync_state: SyncState, link: CloudLink) -> None:
    if sync_state.get(keys.EPOCH) != link.epoch:  # a new salon or a restored cloud: start from its beginning
        sync_state.set(keys.CURSOR, f"{link.epoch}.0")
    sync_state.set(keys.DEVICE_ID, link.device_id)
    sync_state.set(keys.EPOCH, link.epoch)
    sync_state.set(SALON_ID, link.salon_id)
    sync_state.set(CLOUD_URL, link.cloud_url)


def cloud_link(engine: Engine) -> CloudLink | None:
    """What sync_state says about the cloud; None when this desk was never enrolled."""
    with sessionmaker(engine)() as session:
        sync_state = SyncState(session)
        device_id, url = sync_state.get(keys.DEVICE_ID), sync_state.get(CLOUD_URL)
        if not device_id or not url:
            return None
        return CloudLink(url, device_id, sync_state.get(SALON_ID), sync_state.get(keys.EPOCH))


def enrolled_desk(engine: Engine, secrets: SecretStore) -> tuple[CloudLink, str] | None:
    """(link, token) when the desk is enrolled and its token is in the store; otherwise None."""
    link = cloud_link(engine)
    if link is None:
        return None
    token = secrets.get(SERVICE, link.device_id)
    return (link, token) if token else None


def has_salon(engine: Engine) -> bool:
    with sessionmaker(engine)() as session:
        return bool(session.scalar(select(func.count()).select_from(SalonRow)))
