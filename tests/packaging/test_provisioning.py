"""Unattended provisioning (#13): a fresh data folder + a provisioning file against the real cloud (uvicorn on
127.0.0.1): the desk enrols, keeps its token in the keyring, loses the code from the file, logs the outcome and
syncs its salon with no one at the keyboard. Bad files, URLs and codes are refused with nothing done. The
support bundle carries no secret and no phone number."""

from __future__ import annotations

import json
import logging
import re
import zipfile
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from salon_desk.app import open_desk
from salon_desk.cli import _desk_parser, desk_main
from salon_desk.cloud.devices.provisioning import ProvisioningService
from salon_desk.config import DeskPaths
from salon_desk.desk_logs import remove_desk_logging
from salon_desk.provisioning import ProvisioningError, load_provisioning, provision_at_start
from salon_desk.secrets import ALLOW_INSECURE_ENV, SERVICE
from salon_desk.usecases.enrolment import cloud_link
from tests.cloud.conftest import (  # noqa: F401 - fixtures reused from the cloud suite
    SqliteBackend,
    cloud_database_url,
    cloud_server,
    start_cloud_server,
)
from tests.sync.conftest import SyncWorld, sync_world  # noqa: F401 - the real cloud holding the demo salon


@pytest.fixture(scope="module")
def cloud_backend(tmp_path_factory):
    """SQLite only here: the desk side is what these tests exercise; tests/cloud runs the codes on PostgreSQL."""
    return SqliteBackend(tmp_path_factory.mktemp("cloud-template"))


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def data_dir(tmp_path: Path):
    folder = tmp_path / "fresh-desk"
    yield folder
    remove_desk_logging(DeskPaths(folder))


def issue(world: SyncWorld, **kwargs) -> str:
    service = ProvisioningService(world.cloud.db, world.cloud.clock)
    return service.issue(world.salon_id, "receptionist", **kwargs).code


def write_file(folder: Path, world: SyncWorld, code: str, **extra) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "provisioning.json"
    values = {"cloud_url": world.cloud.base_url, "salon_id": world.salon_id, "code": code,
              "device_name": "Front desk 2", **extra}
    path.write_text(json.dumps(values), encoding="utf-8")
    return path


def test_a_fresh_desk_provisions_itself_and_syncs_unattended(
    sync_world: SyncWorld, memory_keyring: MemoryKeyring, data_dir: Path, capsys  # noqa: F811
):
    code = issue(sync_world, max_desks=2)
    path = write_file(data_dir, sync_world, code)

    assert desk_main(["provision", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "enrolled: device" in out and "first sync done" in out

    runtime = open_desk(data_dir)
    try:
        link = cloud_link(runtime.engine)
        assert link is not None and link.salon_id == sync_world.salon_id
        token = memory_keyring.passwords[(SERVICE, link.device_id)]
        assert token.startswith("sd_dev_")
        assert runtime.desk.customers.count("") > 0  # the salon arrived by sync
    finally:
        runtime.close()
    remaining = json.loads(path.read_text(encoding="utf-8"))
    assert "code" not in remaining and remaining["salon_id"] == sync_world.salon_id

    log_text = (data_dir / "logs" / "salon-desk.log").read_text(encoding="utf-8")
    assert "desk provisioned: device" in log_text and "first sync after provisioning" in log_text
    assert token not in log_text and code not in log_text and "sd_dev_" not in log_text
    pepper = memory_keyring.passwords[(SERVICE, f"pin-pepper:{sync_world.salon_id}")]  # the salon's, from the cloud
    assert len(bytes.fromhex(pepper)) == 32 and pepper not in log_text
    db_bytes = b"".join(p.read_bytes() for p in data_dir.glob("salon-desk.db*"))
    assert token.encode() not in db_bytes and code.encode() not in db_bytes
    assert pepper.encode() not in db_bytes and bytes.fromhex(pepper) not in db_bytes

    # second start: the file has no code, the desk is enrolled: nothing happens, nothing is refused
    args = _desk_parser().parse_args(["--data-dir", str(data_dir)])
    assert provision_at_start(data_dir, args) is True

    # the support bundle: versions, settings, logs, integrity, backlog, and no secret or phone number
    logging.getLogger("salon_desk.test").warning("customer 0551234567 asked; header Bearer %s", token)
    assert "0551234567" not in (data_dir / "logs" / "salon-desk.log").read_text(encoding="utf-8")
    (data_dir / "logs" / "salon-desk.log.1").write_text(  # an older file written by some other version
        f"call +966 55 123 4567 or ٠٥٥١٢٣٤٥٦٧ about {code}, device token {token}\n", encoding="utf-8"
    )
    bundle = data_dir.parent / "support.zip"
    assert desk_main(["diagnose", "--data-dir", str(data_dir), "--bundle", str(bundle)]) == 0
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        texts = {name: archive.read(name).decode("utf-8") for name in names}
    assert {"report.txt", "versions.txt", "settings.json", "integrity.txt", "sync_backlog.json",
            "logs/salon-desk.log"} <= names
    assert texts["integrity.txt"].startswith("ok")
    assert "salon-desk" in texts["versions.txt"] and link.device_id in texts["settings.json"]
    everything = "\n".join(texts.values())
    assert token not in everything and code not in everything and "sd_dev_" not in everything
    assert pepper not in everything
    assert "[redacted]" in texts["logs/salon-desk.log.1"]
    phones = re.findall(r"(?:\+?966|0)5\d{8}", everything.replace(" ", "").replace("-", ""))
    assert phones == [] and "٠٥٥١٢٣٤٥٦٧" not in everything


def test_first_start_flags_enrol_without_a_file(
    sync_world: SyncWorld, memory_keyring: MemoryKeyring, data_dir: Path  # noqa: F811
):
    code = issue(sync_world)
    args = _desk_parser().parse_args(["--data-dir", str(data_dir), "--cloud", sync_world.cloud.base_url,
                                      "--salon", sync_world.salon_id, "--provisioning-code", code,
                                      "--device-name", "Kiosk"])
    assert provision_at_start(data_dir, args) is True
    runtime = open_desk(data_dir)
    try:
        assert cloud_link(runtime.engine) is not None
    finally:
        runtime.close()


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"cloud_url": "https://x.example", "salon_id": "0190a3b4-1234-7abc-8def-0123456789ab", "colour": "red"},
         "provision.unknown_keys"),
        ({"cloud_url": "ftp://x.example", "salon_id": "0190a3b4-1234-7abc-8def-0123456789ab"}, "provision.cloud_url"),
        ({"cloud_url": "http://salon.example", "salon_id": "0190a3b4-1234-7abc-8def-0123456789ab"},
         "provision.cloud_url"),
        ({"cloud_url": "https://x.example", "salon_id": "salon-1"}, "provision.salon_id"),
        ({"cloud_url": "https://x.example", "salon_id": "0190a3b4-1234-7abc-8def-0123456789ab", "code": "1234"},
         "provision.code_format"),
        ({"salon_id": "0190a3b4-1234-7abc-8def-0123456789ab"}, "provision.missing"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(tmp_path: Path, values, code):
    path = tmp_path / "provisioning.json"
    path.write_text(json.dumps(values), encoding="utf-8")
    with pytest.raises(ProvisioningError) as caught:
        load_provisioning(path)
    assert caught.value.code == code
    from salon_desk.l10n import get_localizer

    for lang in ("en", "ar"):
        assert caught.value.message(get_localizer(lang))


def test_a_used_up_expired_or_wrong_code_changes_nothing(
    sync_world: SyncWorld, memory_keyring: MemoryKeyring, data_dir: Path, capsys, caplog  # noqa: F811
):
    code = issue(sync_world, max_desks=1, valid_days=2)
    other = data_dir.parent / "other"
    write_file(other, sync_world, code)
    assert desk_main(["provision", "--data-dir", str(other)]) == 0
    remove_desk_logging(DeskPaths(other))
    capsys.readouterr()

    path = write_file(data_dir, sync_world, code)  # the same code, already used by the other desk
    before = path.read_text(encoding="utf-8")
    with caplog.at_level(logging.INFO):
        assert desk_main(["provision", "--data-dir", str(data_dir)]) == 1
    err = capsys.readouterr().err
    assert "already enrolled all the desks" in err
    assert path.read_text(encoding="utf-8") == before  # the file keeps its code: nothing half-done
    held = {user for _service, user in memory_keyring.passwords}  # only the first desk's token and pepper
    assert len(held) == 2 and f"pin-pepper:{sync_world.salon_id}" in held
    assert code not in caplog.text

    fresh = issue(sync_world, valid_days=1)
    write_file(data_dir, sync_world, fresh)
    sync_world.cloud.clock.advance(days=1)
    assert desk_main(["provision", "--data-dir", str(data_dir)]) == 1
    assert "expired" in capsys.readouterr().err
    runtime = open_desk(data_dir)
    try:
        assert cloud_link(runtime.engine) is None
    finally:
        runtime.close()


def test_no_secure_keyring_refuses_before_the_code_is_spent(
    sync_world: SyncWorld, data_dir: Path, monkeypatch, capsys  # noqa: F811
):
    monkeypatch.delenv(ALLOW_INSECURE_ENV, raising=False)
    code = issue(sync_world, max_desks=1)
    write_file(data_dir, sync_world, code)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert desk_main(["provision", "--data-dir", str(data_dir)]) == 1
    finally:
        keyring.set_keyring(previous)
    assert "password store" in capsys.readouterr().err
    [summary] = ProvisioningService(sync_world.cloud.db, sync_world.cloud.clock).list_codes(sync_world.salon_id)
    assert summary.used_desks == 0


@pytest.mark.packaging
def test_the_frozen_desk_reads_the_file_and_spends_no_seat_without_a_keyring(
    frozen_build, sync_world: SyncWorld, tmp_path: Path  # noqa: F811
):
    """The installed program on a PC with no password store: a clear refusal, the file and the code intact."""
    import subprocess

    from tests.packaging.conftest import frozen_env

    code = issue(sync_world, max_desks=1)
    folder = tmp_path / "frozen-desk"
    path = write_file(folder, sync_world, code)
    run = subprocess.run([str(frozen_build.exe), "provision", "--data-dir", str(folder)],
                         env=frozen_env(tmp_path / "home", LANG="en_US.UTF-8"), capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 1 and "password store" in run.stderr, run.stderr[-2000:]
    assert json.loads(path.read_text(encoding="utf-8"))["code"] == code
    [summary] = ProvisioningService(sync_world.cloud.db, sync_world.cloud.clock).list_codes(sync_world.salon_id)
    assert summary.used_desks == 0
    assert code not in (folder / "logs" / "salon-desk.log").read_text(encoding="utf-8")
