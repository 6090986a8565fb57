"""The installed frozen desk's unattended first start (#13), done the way README "For IT" tells IT to do it on a
Linux PC: the signed portable archive verified and unpacked into a temporary prefix, a provisioning code from
`salon-cloud provisioning-code create` against a real cloud (uvicorn on 127.0.0.1), `provisioning.json` in the
desk's default data folder, then the installed program started with nobody at the keyboard in a desktop-like
session whose OS keyring is GNOME Keyring (Secret Service on a private D-Bus session, unlocked as a login would).

The desk enrols, keeps its token and the salon's PIN pepper in that keyring (never in the database or the log),
removes the code from the file, logs the outcome and pulls its salon; the cloud lists the device and counts the
seat, and the frozen `diagnose --bundle` names the Secret Service backend and the cloud link.

Needs `dbus-run-session` and `gnome-keyring-daemon` (apt-get install dbus gnome-keyring, as .ci/run does): skipped
without them on a developer's machine, a failure in CI (CI=true)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
import zipfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cloud.conftest import (  # noqa: F401 - fixtures reused from the cloud suite
    SqliteBackend,
    cloud_database_url,
    cloud_server,
    start_cloud_server,
)
from tests.packaging.conftest import ROOT, Release, frozen_env, real_clock_env
from tests.sync.conftest import SyncWorld, sync_world  # noqa: F401 - the real cloud holding the demo salon

KEYRING_TOOLS = ("dbus-run-session", "gnome-keyring-daemon")
LOGIN_PASSWORD = "front-desk-login"  # the session's login password, which unlocks GNOME Keyring's login keyring
SERVICE = "salon-desk"  # salon_desk.secrets.SERVICE


@pytest.fixture(scope="module")
def cloud_backend(tmp_path_factory):
    """SQLite only here: the installed desk is what this test exercises; tests/cloud runs codes on PostgreSQL."""
    return SqliteBackend(tmp_path_factory.mktemp("cloud-template"))


@dataclass(frozen=True)
class KeyringSession:
    bus: str  # DBUS_SESSION_BUS_ADDRESS of the private session
    env: dict[str, str]  # what a program started in that session gets: HOME, XDG_RUNTIME_DIR, the bus address


def require_keyring_tools() -> None:
    missing = [tool for tool in KEYRING_TOOLS if shutil.which(tool) is None]
    if missing:
        reason = (f"{', '.join(missing)} not installed: the frozen desk needs a real OS keyring here "
                  "(apt-get install dbus gnome-keyring, as .ci/run does)")
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def os_keyring(tmp_path: Path) -> Iterator[KeyringSession]:
    """A private D-Bus session with GNOME Keyring's Secret Service unlocked, like a desktop login gives.
    The session lives in its own process group, ended by its id when the test is done."""
    require_keyring_tools()
    home, runtime = tmp_path / "home", tmp_path / "run"
    (home / ".cache").mkdir(parents=True)
    runtime.mkdir(mode=0o700)
    ready = tmp_path / "bus-address"
    script = ('printf %s "$1" | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1\n'
              'printf %s "$DBUS_SESSION_BUS_ADDRESS" > "$2.tmp" && mv "$2.tmp" "$2"\n'
              "exec sleep 600")
    env = real_clock_env(HOME=str(home), XDG_RUNTIME_DIR=str(runtime))
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    log = tmp_path / "keyring-session.log"
    with log.open("wb") as out:
        session = subprocess.Popen(["dbus-run-session", "--", "sh", "-c", script, "sh", LOGIN_PASSWORD, str(ready)],
                                   env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while not ready.exists():
            if session.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the keyring session did not start:\n{log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.05)
        bus = ready.read_text()
        yield KeyringSession(bus, {"HOME": str(home), "XDG_RUNTIME_DIR": str(runtime),
                                   "DBUS_SESSION_BUS_ADDRESS": bus})
    finally:
        os.killpg(session.pid, signal.SIGTERM)  # the session's own group: sleep, dbus-daemon (and the keyring)
        session.wait(timeout=15)


def keyring_secrets(bus: str) -> dict[str, str]:
    """username -> secret of every salon-desk item in the session's default keyring, read over D-Bus directly
    (not through `keyring`: the tests' in-memory backend stays installed in this process)."""
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    with closing(open_dbus_connection(bus)) as connection:
        collection = secretstorage.get_default_collection(connection)
        return {item.get_attributes()["username"]: item.get_secret().decode()
                for item in collection.search_items({"service": SERVICE})}


def salon_cloud(world: SyncWorld, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                *argv: str) -> str:
    """`salon-cloud …` on the cloud's own database (the IT command line of README "For IT"); its stdout."""
    from salon_desk.cloud.cli import main as cloud_main

    monkeypatch.setenv("DATABASE_URL", world.cloud.settings.database_url)
    capsys.readouterr()
    assert cloud_main(list(argv)) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def counts(database: Path) -> dict[str, int]:
    """Rows of the salon's data in a desk database (read-only; empty while the desk has not created it)."""
    if not database.exists():
        return {}
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)) as db:
            return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
                    for table in ("salon", "staff", "service", "customer")}
    except sqlite3.OperationalError:  # not migrated yet
        return {}


@pytest.mark.packaging
def test_the_installed_desk_provisions_itself_into_the_os_keyring_and_syncs(
    release: Release, sync_world: SyncWorld, os_keyring: KeyringSession, tmp_path: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
):
    started = time.perf_counter()
    # README "Installing a signed build": verify the download, then unpack the portable archive into a folder.
    checked = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "salon_desk.verify", str(release.archive),
                              "--pubkey", str(release.pubkey)], capture_output=True, text=True, env=real_clock_env())
    assert checked.returncode == 0 and checked.stdout.startswith("OK"), checked.stdout + checked.stderr
    prefix = tmp_path / "opt"
    prefix.mkdir()
    subprocess.run(["tar", "-xzf", str(release.archive), "-C", str(prefix)], check=True)
    program = prefix / "salon-desk" / "salon-desk"

    # README "Unattended provisioning": a code from the cloud's command line, a file in the data folder.
    code = salon_cloud(sync_world, capsys, monkeypatch, "provisioning-code", "create", "--salon",
                       sync_world.salon_id, "--role", "receptionist", "--desks", "2", "--days", "7",
                       "--label", "packaging test").strip()
    home = Path(os_keyring.env["HOME"])
    data = home / "data" / "salon-desk"  # the Linux default: $XDG_DATA_HOME/salon-desk (frozen_env sets it)
    data.mkdir(parents=True)
    provisioning = data / "provisioning.json"
    provisioning.write_text(json.dumps({"cloud_url": sync_world.cloud.base_url, "salon_id": sync_world.salon_id,
                                        "code": code, "device_name": "Front desk 2"}), encoding="utf-8")
    provisioning.chmod(0o600)  # readable only by the desk's user, as the README asks

    # The first start: the window (offscreen), nobody at the keyboard.
    env = {**frozen_env(home, LANG="en_US.UTF-8"), **os_keyring.env}
    expected = counts(sync_world.template)
    output = tmp_path / "desk-output.txt"
    with output.open("wb") as out:
        desk = subprocess.Popen([str(program)], env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while counts(data / "salon-desk.db") != expected:
            if desk.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the desk did not sync its salon ({counts(data / 'salon-desk.db')} of {expected}, "
                            f"exit {desk.returncode}):\n{output.read_text(errors='replace')[-3000:]}")
            time.sleep(0.25)
        assert desk.poll() is None, "the desk should still be running after its first sync"
    finally:
        if desk.poll() is None:
            os.killpg(desk.pid, signal.SIGTERM)  # the PC logs out
        desk.wait(timeout=30)
    first_start = time.perf_counter() - started

    [device] = [d for d in sync_world.cloud.services.devices.list_devices(sync_world.salon_id)
                if d.name == "Front desk 2"]
    assert device.role == "receptionist" and device.revoked_at is None
    assert device.last_seen_at is not None  # it has synced with its token
    [listed] = salon_cloud(sync_world, capsys, monkeypatch, "provisioning-code", "list", "--salon",
                           sync_world.salon_id).splitlines()
    assert "\treceptionist\t1/2\t" in listed and code not in listed

    held = keyring_secrets(os_keyring.bus)
    token = held[device.device_id]
    pepper = held[f"pin-pepper:{sync_world.salon_id}"]
    assert token.startswith("sd_dev_") and len(bytes.fromhex(pepper)) == 32

    remaining = json.loads(provisioning.read_text(encoding="utf-8"))
    assert remaining == {"cloud_url": sync_world.cloud.base_url, "salon_id": sync_world.salon_id,
                         "device_name": "Front desk 2"}
    assert provisioning.stat().st_mode & 0o777 == 0o600
    log_text = (data / "logs" / "salon-desk.log").read_text(encoding="utf-8")
    assert f"desk provisioned: device {device.device_id} in salon {sync_world.salon_id}" in log_text
    assert "provisioning code removed from" in log_text
    written = log_text + output.read_text(errors="replace")
    db_bytes = b"".join(p.read_bytes() for p in data.glob("salon-desk.db*"))
    for secret in (code, token, pepper):
        assert secret not in written and secret.encode() not in db_bytes

    # README "how to check a desk": the support bundle names the keyring backend and the cloud link.
    bundle = tmp_path / "support.zip"
    diagnosed = subprocess.run([str(program), "diagnose", "--bundle", str(bundle)], env=env, capture_output=True,
                               text=True, timeout=120)
    assert diagnosed.returncode == 0, diagnosed.stderr[-2000:]
    with zipfile.ZipFile(bundle) as archive:
        settings = json.loads(archive.read("settings.json"))
    assert settings["keyring_backend"] == "keyring.backends.SecretService.Keyring"
    link = settings["cloud_link"]
    assert (link["device_id"], link["salon_id"], link["cloud_url"]) == (
        device.device_id, sync_world.salon_id, sync_world.cloud.base_url)
    assert "code" not in settings["provisioning_file"]
    print(f"\n[packaging] installed desk: verify, unpack, provision, first sync in {first_start:.1f} s")
