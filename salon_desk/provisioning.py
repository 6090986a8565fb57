"""Unattended first start (issue #13): IT passes the cloud, the salon and a provisioning code; the desk enrols
itself, keeps its token and the salon's PIN pepper (both from the cloud's answer) in the OS keyring, deletes the
code from the provisioning file and logs the outcome (never the token or the pepper).

A provisioning file is JSON with exactly these keys (anything else is refused, nothing is done):

    {"cloud_url": "https://salon.example.sa", "salon_id": "0190…", "code": "SDP-ABCD-…", "device_name": "Front 2"}

Where it is looked for: `--provision FILE`, else $SALON_DESK_PROVISIONING_FILE, else
`<data folder>/provisioning.json`. Flags do the same without a file:
`salon-desk --cloud URL --salon ID --provisioning-code CODE [--device-name NAME]` (the code is then visible in the
process list: prefer the file). `salon-desk provision …` does it headless and runs the first sync, then exits.

    prov = load_provisioning(path)                     # ProvisioningError: unreadable, unknown keys, bad URL…
    link = provision(data_dir, prov)                   # enrols, keeps the token, strips the code, logs
    provision_at_start(data_dir, args)                 # the one hook cli.py calls before the window opens

Nothing is half-done: every input is checked and the keyring is opened BEFORE the code is sent (a refused
keyring never spends a seat); the file loses its code only after the link is stored. A used, expired or
revoked code leaves everything as it was and says so.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from salon_desk import __version__
from salon_desk.config import DeskPaths, default_data_dir
from salon_desk.domain.errors import DomainError
from salon_desk.domain.i18n import N_

log = logging.getLogger(__name__)

FILE_NAME = "provisioning.json"
FILE_ENV = "SALON_DESK_PROVISIONING_FILE"
KEYS = ("cloud_url", "salon_id", "code", "device_name")
REQUIRED = ("cloud_url", "salon_id")
CODE_SHAPE = re.compile(r"^SDP[A-Z2-7]{24}$")
TIMEOUT = 20.0

MESSAGES = {
    "provision.unreadable": N_("The provisioning file {path} could not be read ({reason})."),
    "provision.unknown_keys": N_(
        "The provisioning file has keys this version does not know: {keys}. "
        "Allowed: cloud_url, salon_id, code, device_name."
    ),
    "provision.missing": N_("The provisioning details are missing: {keys}."),
    "provision.no_code": N_(
        "The provisioning file holds no code (a code is removed once used). Ask a manager for a new "
        "provisioning code and add it as \"code\"."
    ),
    "provision.cloud_url": N_(
        "The cloud address must start with https:// (or http:// on this computer), for example "
        "https://salon.example.sa."
    ),
    "provision.salon_id": N_("The salon id must be the id salon-cloud printed (a UUID)."),
    "provision.code_format": N_("A provisioning code looks like SDP-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX."),
    "provision.device_name": N_("The desk name must have 1 to 100 characters."),
    "provision.unreachable": N_("The cloud could not be reached. Check the address and the network."),
    "provision.refused": N_("The cloud refused this provisioning ({reason})."),
    "provision.other_salon": N_("This desk already holds another salon's data; use an empty data folder."),
    # the cloud's refusals, same English as salon_desk/cloud/devices/provisioning.py
    "provisioning.code_invalid": N_(
        "This provisioning code is not valid for this salon. Check the salon and the code in the "
        "provisioning file."
    ),
    "provisioning.code_expired": N_("This provisioning code has expired. A manager can issue a new one."),
    "provisioning.code_revoked": N_("This provisioning code was revoked. A manager can issue a new one."),
    "provisioning.code_used_up": N_(
        "This provisioning code has already enrolled all the desks it allows. A manager can issue a new one."
    ),
    "rate_limited": N_("Too many attempts. Please try again in {seconds}."),
}


class ProvisioningError(DomainError):
    """Provisioning cannot go ahead; `message(l10n)` is the translated sentence. Nothing was changed."""

    def message(self, l10n: Any) -> str:
        text: str = l10n.gettext(MESSAGES[self.code])
        return text.format(**self.params)


@dataclass(frozen=True, slots=True)
class Provisioning:
    cloud_url: str
    salon_id: str
    code: str  # "" when the file's code was already used
    device_name: str
    source: Path | None = None  # the file it came from (its code is removed once used)

    def __repr__(self) -> str:  # never print the code
        return f"Provisioning(cloud_url={self.cloud_url!r}, salon_id={self.salon_id!r}, source={self.source})"


# ---------------------------------------------------------------- reading and checking


def clean_code(typed: str) -> str:
    code = "".join(ch for ch in typed.upper() if ch not in " -\t")
    if not CODE_SHAPE.match(code):
        raise ProvisioningError("provision.code_format")
    return code


def clean_cloud_url(url: str) -> str:
    url = url.strip().rstrip("/")
    local = re.match(r"^http://(127\.0\.0\.1|localhost)(:\d{1,5})?(/|$)", url) is not None
    secure = re.match(r"^https://[A-Za-z0-9.\-]+(:\d{1,5})?(/[^\s]*)?$", url) is not None
    if not (secure or local):
        raise ProvisioningError("provision.cloud_url")
    return url


def checked(values: dict[str, Any], source: Path | None = None) -> Provisioning:
    unknown = sorted(set(values) - set(KEYS))
    if unknown:
        raise ProvisioningError("provision.unknown_keys", keys=", ".join(unknown))
    missing = [key for key in REQUIRED if not str(values.get(key) or "").strip()]
    if missing:
        raise ProvisioningError("provision.missing", keys=", ".join(missing))
    if not all(isinstance(values.get(key, ""), str) for key in KEYS):
        raise ProvisioningError("provision.unreadable", path=source or "-", reason="values must be text")
    cloud_url = clean_cloud_url(values["cloud_url"])
    try:
        salon_id = str(uuid.UUID(values["salon_id"].strip()))
    except ValueError:
        raise ProvisioningError("provision.salon_id") from None
    code = clean_code(values["code"]) if values.get("code", "").strip() else ""
    name = (values.get("device_name") or "").strip() or default_device_name()
    if len(name) > 100:
        raise ProvisioningError("provision.device_name")
    return Provisioning(cloud_url, salon_id, code, name, source)


def load_provisioning(path: Path) -> Provisioning:
    try:
        values = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ProvisioningError("provision.unreadable", path=path, reason=exc.strerror or type(exc).__name__) from None
    except ValueError as exc:
        raise ProvisioningError("provision.unreadable", path=path, reason=f"not JSON: {exc.args[0][:60]}") from None
    if not isinstance(values, dict):
        raise ProvisioningError("provision.unreadable", path=path, reason="not a JSON object")
    return checked(values, path)


def default_device_name() -> str:
    import platform

    return (platform.node() or "Desk")[:100]


def strip_code(path: Path) -> None:
    """Rewrites the file without its code (atomically: a crash leaves the old or the new file, never half)."""
    values = json.loads(path.read_text(encoding="utf-8-sig"))
    values.pop("code", None)
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(json.dumps(values, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.chmod(temp, path.stat().st_mode & 0o777)  # IT's permissions on the file stay as they were
    os.replace(temp, path)


# ---------------------------------------------------------------- doing it


def post_provision(cloud_url: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST /v1/provisioning/enrol; a refusal becomes ProvisioningError with the cloud's code."""
    import httpx

    try:
        with httpx.Client(
            base_url=cloud_url, timeout=TIMEOUT, headers={"User-Agent": f"salon-desk/{__version__}"}
        ) as http:
            answer = http.post("/v1/provisioning/enrol", json=body)
    except httpx.TransportError:
        raise ProvisioningError("provision.unreachable") from None
    if answer.status_code != 201:
        try:
            payload = answer.json()
        except ValueError:
            payload = {}
        code = payload.get("code") if isinstance(payload, dict) else None
        if code == "rate_limited":
            raise ProvisioningError("rate_limited", seconds=payload.get("params", {}).get("seconds", "?"))
        if code in MESSAGES:
            raise ProvisioningError(code)
        raise ProvisioningError("provision.refused", reason=code or str(answer.status_code))
    result: dict[str, Any] = answer.json()
    return result


def provision(
    data_dir: Path, prov: Provisioning, secrets: Any = None, post: Any = post_provision
) -> tuple[Any, bool]:
    """Enrols the desk in `data_dir` unless it is enrolled already. Returns (CloudLink, newly_enrolled)."""
    from salon_desk.app import open_desk
    from salon_desk.sync.engine import DESK_SCHEMA_VERSION
    from salon_desk.usecases.enrolment import EnrolmentError, enrolled_desk
    from salon_desk.usecases.provisioning import provision_desk

    if secrets is None:
        from salon_desk.secrets import KeyringSecretStore

        secrets = KeyringSecretStore()  # SecretStoreError before anything is sent
    runtime = open_desk(data_dir)
    try:
        already = enrolled_desk(runtime.engine, secrets)
        if already is not None:
            link = already[0]
            _forget_code(prov)
            log.info("provisioning skipped: this desk is already enrolled (device %s)", link.device_id)
            return link, False
        if not prov.code:
            raise ProvisioningError("provision.no_code")
        try:
            link = provision_desk(
                runtime.engine,
                secrets,
                post,
                cloud_url=prov.cloud_url,
                salon_id=prov.salon_id,
                code=prov.code,
                device_name=prov.device_name,
                app_version=__version__,
                schema_version=DESK_SCHEMA_VERSION,
            )
        except EnrolmentError as exc:  # another salon's data in this folder, or a malformed answer
            if exc.code == "enrol.other_salon":
                raise ProvisioningError("provision.other_salon") from exc
            raise ProvisioningError("provision.refused", reason=exc.params.get("reason", exc.code)) from None
    finally:
        runtime.close()
    _forget_code(prov)
    log.info(
        "desk provisioned: device %s in salon %s at %s (%s)", link.device_id, link.salon_id, link.cloud_url,
        prov.device_name,
    )
    return link, True


def _forget_code(prov: Provisioning) -> None:
    if prov.source is not None and prov.source.exists() and prov.code:
        strip_code(prov.source)
        log.info("provisioning code removed from %s", prov.source)


# ---------------------------------------------------------------- the command line


def add_provisioning_arguments(parser: argparse.ArgumentParser, sub: Any) -> None:
    """Top-level flags for the first start, and the headless `provision` command."""
    group = parser.add_argument_group("unattended first start (IT)")
    _add_source_arguments(group)
    command = sub.add_parser("provision", help="enrol this desk with a provisioning file or flags, sync, exit (IT)")
    _add_source_arguments(command)
    command.add_argument("--data-dir", type=Path, dest="provision_dir")


def _add_source_arguments(group: Any) -> None:
    group.add_argument("--provision", type=Path, metavar="FILE", help=f"a provisioning file (default: {FILE_NAME} "
                       "in the data folder, or $" + FILE_ENV + ")")
    group.add_argument("--cloud", dest="prov_cloud", metavar="URL", help="the salon's cloud address")
    group.add_argument("--salon", dest="prov_salon", metavar="SALON_ID", help="the salon's id")
    group.add_argument("--provisioning-code", dest="prov_code", metavar="CODE", help="SDP-… from a manager")
    group.add_argument("--device-name", dest="prov_name", metavar="NAME", help="this desk's name in the salon")


def provisioning_from(args: argparse.Namespace, data_dir: Path) -> Provisioning | None:
    """What IT asked for: flags, else a file; None when there is nothing to do."""
    cloud, salon, code = getattr(args, "prov_cloud", None), getattr(args, "prov_salon", None), getattr(
        args, "prov_code", None
    )
    name = getattr(args, "prov_name", None)
    if cloud or salon or code:
        values = {"cloud_url": cloud or "", "salon_id": salon or "", "code": code or ""}
        return checked({**values, **({"device_name": name} if name else {})})
    path = getattr(args, "provision", None) or (Path(os.environ[FILE_ENV]) if os.environ.get(FILE_ENV) else None)
    if path is None:
        path = DeskPaths(data_dir).data_dir / FILE_NAME
        if not path.exists():
            return None
    prov = load_provisioning(path)
    return replace(prov, device_name=name) if name else prov


def provision_at_start(data_dir: Path, args: argparse.Namespace) -> bool:
    """The hook before the window opens: enrol if IT asked to. Never stops the desk from starting:
    a refusal is logged and printed, and the desk opens as it would have (its first-run screen)."""
    from salon_desk.desk_logs import configure_desk_logging

    configure_desk_logging(DeskPaths(data_dir))
    try:
        prov = provisioning_from(args, data_dir)
        if prov is None:
            return False
        provision(data_dir, prov)
        return True
    except DomainError as exc:
        _report(exc)
        return False
    except Exception as exc:  # the desk still opens (its first-run screen); the log says what broke
        log.error("provisioning failed unexpectedly: %s", type(exc).__name__)
        print(f"salon-desk: provisioning failed ({type(exc).__name__}); see the log", file=sys.stderr)
        return False


def provision_command(args: argparse.Namespace) -> int:
    """`salon-desk provision`: enrol, then the first sync; 0 when the desk holds its salon."""
    from salon_desk.desk_logs import configure_desk_logging
    from salon_desk.secrets import SERVICE, KeyringSecretStore
    from salon_desk.sync.session import open_sync_session, run_until_caught_up

    data_dir = args.provision_dir or args.data_dir or default_data_dir()
    configure_desk_logging(DeskPaths(data_dir))
    try:
        prov = provisioning_from(args, data_dir)
        if prov is None:
            print(f"salon-desk: no provisioning file at {Path(data_dir) / FILE_NAME} and no flags", file=sys.stderr)
            return 2
        secrets = KeyringSecretStore()
        link, new = provision(data_dir, prov, secrets)
    except DomainError as exc:
        _report(exc)
        return 1
    print(f"{'enrolled' if new else 'already enrolled'}: device {link.device_id}, salon {link.salon_id}")
    session = open_sync_session(DeskPaths(data_dir).database, link.cloud_url, link.device_id,
                                secrets.get(SERVICE, link.device_id) or "")
    try:
        report = run_until_caught_up(session)
    finally:
        session.close()
    if not report.ok:
        log.warning("first sync after provisioning did not finish: %s", report.error)
        print(f"salon-desk: first sync did not finish ({report.error}); the desk retries when it starts",
              file=sys.stderr)
        return 3
    log.info("first sync after provisioning: %s rows", report.pulled)
    print(f"first sync done: {report.pulled} rows")
    return 0


def _report(exc: DomainError) -> None:
    from salon_desk.l10n import get_localizer

    l10n = get_localizer("ar" if os.environ.get("LANG", "").lower().startswith("ar") else "en")
    text = exc.message(l10n) if hasattr(exc, "message") else l10n.error(exc)
    english = exc.message(get_localizer("en")) if hasattr(exc, "message") else exc.code
    log.error("provisioning refused: %s (%s)", english, exc.code)
    print(f"salon-desk: {text}", file=sys.stderr)
