"""Enrolling this desk with the salon's cloud (specs/sync.md §3.11) and reading its link back.

    link = enrol_desk(engine, secrets, post_enrol, cloud_url=..., code="12345678", device_name="Reception")
    enrolled = enrolled_desk(engine, secrets)          # (link, token) or None

The token goes to the SecretStore (service "salon-desk", username = device_id) and nowhere else, and so does the
salon's PIN pepper from the same answer (`pin-pepper:{salon_id}`, see secrets.py and domain.pin): every desk of a
salon then hashes and checks PINs alike. sync_state keeps only what is not secret: device_id, salon_id, cloud
URL and epoch. Re-enrolling the same database
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
from typing import TYPE_CHECKING, Any, Protocol

from salon_desk.domain.errors import DomainError
from salon_desk.domain.i18n import N_
from salon_desk.secrets import SERVICE, SecretStore, adopt_pin_pepper
from salon_desk.store.desk_link import CLOUD_URL, RETIRED, SALON_ID, DeskLinkStore, Engine, StoredLink

if TYPE_CHECKING:  # pydantic and the protocol load only when an answer is checked (not at cold start)
    from salon_desk.sync.protocol import EnrolAnswer

__all__ = [
    "CLOUD_URL", "MESSAGES", "RETIRED", "SALON_ID", "SERVICE", "CloudLink", "EnrolmentError", "checked_answer",
    "clean_cloud_url", "clean_code", "cloud_link", "enrol_desk", "enrolled_desk", "has_salon", "keep_secrets",
]

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
    "enrolment.rebind_revoked": N_(
        "That desk was removed from the salon and keeps no identity; enrol it with an ordinary code."
    ),
    "device.not_found": N_("This desk was not found in the salon."),
}

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
    store = DeskLinkStore(engine)
    previous = store.device_id() or None
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
    answer = checked_answer(post_enrol(cloud_url, body))
    link = CloudLink(cloud_url, answer.device_id, answer.salon_id, answer.epoch)
    if store.holds_other_salon(link.salon_id):
        raise EnrolmentError("enrol.other_salon")
    keep_secrets(secrets, answer)
    replaced = bool(previous) and link.device_id != previous
    store.save(StoredLink(link.cloud_url, link.device_id, link.salon_id, link.epoch), carry_outbox=replaced)
    if previous and replaced:
        secrets.delete(SERVICE, previous)  # the revoked desk's token opens nothing any more
    return link


def checked_answer(answer: dict[str, Any]) -> EnrolAnswer:
    """The cloud's answer checked whole (sync.protocol.EnrolAnswer); anything malformed, such as a missing PIN
    pepper, is refused before anything is stored. The error never quotes the answer (it holds secrets)."""
    from pydantic import ValidationError

    from salon_desk.sync.protocol import EnrolAnswer

    try:
        return EnrolAnswer.model_validate(answer)
    except ValidationError:
        raise EnrolmentError("enrol.refused", reason="answer") from None


def keep_secrets(secrets: SecretStore, answer: EnrolAnswer) -> None:
    """The device token and the salon's PIN pepper into the keyring (nowhere else). A pepper this desk made
    before it enrolled stays as a previous one, so the PINs set with it still work here and are rewritten with
    the salon's pepper at each person's next sign-in (domain.pin)."""
    secrets.set(SERVICE, answer.device_id, answer.token)
    adopt_pin_pepper(secrets, answer.salon_id, answer.pin_pepper)


def cloud_link(engine: Engine) -> CloudLink | None:
    """What sync_state says about the cloud; None when this desk was never enrolled."""
    stored = DeskLinkStore(engine).load()
    if stored is None:
        return None
    return CloudLink(stored.cloud_url, stored.device_id, stored.salon_id, stored.epoch)


def enrolled_desk(engine: Engine, secrets: SecretStore) -> tuple[CloudLink, str] | None:
    """(link, token) when the desk is enrolled and its token is in the store; otherwise None."""
    link = cloud_link(engine)
    if link is None:
        return None
    token = secrets.get(SERVICE, link.device_id)
    return (link, token) if token else None


def has_salon(engine: Engine) -> bool:
    return DeskLinkStore(engine).has_salon()
