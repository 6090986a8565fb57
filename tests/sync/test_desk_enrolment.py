"""Desk enrolment (specs/sync.md §3.11): keyring rules, `salon-desk enrol` against the real cloud, initial
sync of a new, empty desk, and the token never reaching SQLite, logs or diagnostics."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from salon_desk.app import open_desk
from salon_desk.cli import desk_main
from salon_desk.diagnose import report as diagnose_report
from salon_desk.secrets import (
    ALLOW_INSECURE_ENV,
    SERVICE,
    InsecureKeyringError,
    KeyringSecretStore,
    MemorySecretStore,
    is_secure_backend,
)
from salon_desk.usecases.enrolment import cloud_link, enrolled_desk
from tests.sync.conftest import SyncWorld


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring backend (a test never touches the OS keyring)."""

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


class PlaintextKeyring(MemoryKeyring):
    """Stands for keyrings.alt.file.PlaintextKeyring (not installed here): same module prefix rule."""


PlaintextKeyring.__module__ = "keyrings.alt.file"


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


# ---------------------------------------------------------------- the secret store


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring(), PlaintextKeyring()])
def test_insecure_keyring_backends_fail_loudly(
    backend: KeyringBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW_INSECURE_ENV, raising=False)
    assert not is_secure_backend(backend)
    with pytest.raises(InsecureKeyringError) as caught:
        KeyringSecretStore(backend)
    from salon_desk.l10n import get_localizer

    arabic = caught.value.message(get_localizer("ar"))
    assert type(backend).__module__ in arabic and "مخزن" in arabic


def test_it_may_allow_an_insecure_keyring_on_purpose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_INSECURE_ENV, "1")
    store = KeyringSecretStore(PlaintextKeyring())
    store.set(SERVICE, "device", "sd_dev_x")
    assert store.get(SERVICE, "device") == "sd_dev_x"
    monkeypatch.delenv(ALLOW_INSECURE_ENV)
    assert KeyringSecretStore(PlaintextKeyring(), allow_insecure=True).get(SERVICE, "device") is None


def test_keyring_store_round_trip(memory_keyring: MemoryKeyring) -> None:
    store = KeyringSecretStore()
    store.set(SERVICE, "d1", "sd_dev_secret")
    assert memory_keyring.passwords == {(SERVICE, "d1"): "sd_dev_secret"}
    store.delete(SERVICE, "d1")
    store.delete(SERVICE, "d1")  # deleting twice is fine
    assert store.get(SERVICE, "d1") is None
    memory = MemorySecretStore()
    memory.set(SERVICE, "d1", "t")
    assert memory.get(SERVICE, "d1") == "t"


# ---------------------------------------------------------------- enrol + initial sync


def test_enrol_command_initial_syncs_a_new_desk(
    sync_world: SyncWorld,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    code = sync_world.cloud.issue_code(sync_world.salon_id, "receptionist")
    folder = tmp_path / "new-desk"
    args = ["enrol", "--cloud", sync_world.cloud.base_url, "--code", code, "--name", "Reception 2"]
    assert desk_main([*args, "--data-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "first sync done" in out

    runtime = open_desk(folder)
    try:
        link = cloud_link(runtime.engine)
        assert link is not None and link.salon_id == sync_world.salon_id
        enrolled = enrolled_desk(runtime.engine, KeyringSecretStore())
        assert enrolled is not None
        token = enrolled[1]
        assert token.startswith("sd_dev_") and memory_keyring.passwords[(SERVICE, link.device_id)] == token
        assert runtime.desk.actor.device_id == link.device_id
        source = open_desk(sync_world.template.parent, device_id="source")
        try:
            for day in (date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 20)):
                new_view, old_view = runtime.desk.day_view(day), source.desk.day_view(day)
                assert new_view.blocks and new_view == old_view
            assert runtime.desk.count_customers("") == source.desk.count_customers("")
        finally:
            source.close()
    finally:
        runtime.close()

    database_bytes = b"".join(p.read_bytes() for p in folder.glob("salon-desk.db*"))
    assert token.encode() not in database_bytes
    assert b"sd_dev_" not in database_bytes
    assert token not in caplog.text and token not in out
    assert token not in diagnose_report(folder)


def test_enrol_refuses_a_wrong_code(
    sync_world: SyncWorld, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    url = sync_world.cloud.base_url
    assert desk_main(["enrol", "--cloud", url, "--code", "00000000", "--data-dir", str(tmp_path / "d")]) == 1
    assert desk_main(["enrol", "--cloud", url, "--code", "123", "--data-dir", str(tmp_path / "d")]) == 1
    assert memory_keyring.passwords == {}


def test_enrol_without_a_secure_keyring_stores_nothing(
    sync_world: SyncWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW_INSECURE_ENV, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        code = sync_world.cloud.issue_code(sync_world.salon_id, "receptionist")
        folder = tmp_path / "d"
        assert (
            desk_main(
                ["enrol", "--cloud", sync_world.cloud.base_url, "--code", code, "--data-dir", str(folder)]
            )
            == 2
        )
    finally:
        keyring.set_keyring(previous)
    runtime = open_desk(folder)
    try:
        assert cloud_link(runtime.engine) is None
    finally:
        runtime.close()
