"""Signed updates (#13) over real HTTP on 127.0.0.1: a TUF repository made with packaging/updates (throwaway
keys), a "newer" build made by restamping a copy's version. A good update installs; a tampered, half-downloaded,
wrongly signed, expired or rolled-back one is refused and the installed folder is untouched. The first start of
a new version backs the database up, migrates it, and restores it when the migration fails.

Most tests use a small stand-in folder (they test the trust rules, not PyInstaller); one runs the same path on
the real frozen build (tests/packaging/conftest.py, built once per session) and starts the installed program."""

from __future__ import annotations

import functools
import importlib.util
import json
import shutil
import subprocess
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from salon_desk.config import DeskPaths
from salon_desk.store.engine import make_engine
from salon_desk.store.migrate import current_revision, head_revision, upgrade
from salon_desk.updates.client import UpdateChannel, UpdateError, check_and_install
from salon_desk.updates.first_start import MigrationFailed, upgrade_on_first_start
from tests.packaging.conftest import frozen_env

ROOT = Path(__file__).resolve().parents[2]


def _load_tool():
    spec = importlib.util.spec_from_file_location("update_repo", ROOT / "packaging" / "updates" / "update_repo.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


class StaticServer:
    """Any web server will do: this one serves a folder on 127.0.0.1 (ephemeral port) from a thread."""

    def __init__(self, folder: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def stand_in_bundle(folder: Path, version: str) -> Path:
    """A tiny one-folder "build": an executable and BUILD-INFO.json, like dist/salon-desk."""
    folder.mkdir(parents=True)
    exe = folder / "salon-desk"
    exe.write_text("#!/bin/sh\necho salon-desk\n")
    exe.chmod(0o755)
    (folder / "_internal").mkdir()
    (folder / "_internal" / "data.bin").write_bytes(bytes(range(256)) * 64)
    (folder / "BUILD-INFO.json").write_text(json.dumps({"version": version}))
    return folder


def installed_version(app_dir: Path) -> str:
    return json.loads((app_dir / "BUILD-INFO.json").read_text())["version"]


class World:
    """Keys, repository, the served copy of it, an installed app folder and the desk's update state."""

    def __init__(self, tmp: Path, bundle: Path, version: str, *, publish_current: bool = True) -> None:
        self.tmp, self.keys, self.repo = tmp, tmp / "keys", tmp / "repo"
        self.root = tool.init(self.repo, self.keys)
        self.version = version
        if publish_current:  # the real build skips it: the desk only ever downloads the newer archive
            tool.add(self.repo, self.keys, bundle, version, gzip_level=1)
        self.snapshot_v1 = tmp / "repo-v1"
        shutil.copytree(self.repo, self.snapshot_v1)
        newer = tool.restamp(bundle, tmp / "newer", self.newer)
        tool.add(self.repo, self.keys, newer, self.newer, gzip_level=1)
        self.served = tmp / "served"
        self.serve(self.repo)
        self.server = StaticServer(self.served)
        self.app_dir = tmp / "prefix" / "salon-desk"
        shutil.copytree(bundle, self.app_dir, symlinks=True)
        self.state = tmp / "data" / "updates"

    @property
    def newer(self) -> str:
        major, minor, patch = self.version.split(".")[:3]
        return f"{major}.{minor}.{int(patch) + 1}"

    def serve(self, folder: Path) -> None:
        shutil.rmtree(self.served, ignore_errors=True)
        shutil.copytree(folder, self.served)

    def channel(self, root: Path | None = None) -> UpdateChannel:
        return UpdateChannel(self.server.url, self.app_dir, self.state, root or self.root)

    def archive(self) -> Path:
        return self.served / "targets" / f"salon-desk-{self.newer}.tar.gz"


@pytest.fixture
def world(tmp_path: Path):
    built = World(tmp_path, stand_in_bundle(tmp_path / "build" / "salon-desk", "0.1.0"), "0.1.0")
    yield built
    built.server.stop()


def test_a_signed_newer_build_installs_and_the_old_folder_is_kept(world: World):
    outcome = check_and_install(world.channel(), "0.1.0")
    assert outcome.installed and outcome.version == "0.1.1"
    assert installed_version(world.app_dir) == "0.1.1"
    assert outcome.previous_dir is not None and installed_version(outcome.previous_dir) == "0.1.0"
    assert not world.app_dir.with_name("salon-desk.incoming").exists()
    # the next check: nothing newer, nothing done
    assert check_and_install(world.channel(), "0.1.1").installed is False


@pytest.mark.parametrize("damage", ["flip_one_byte", "half_downloaded"])
def test_a_tampered_or_half_downloaded_update_is_refused_and_nothing_changes(world: World, damage: str):
    archive = world.archive()
    data = bytearray(archive.read_bytes())
    if damage == "flip_one_byte":
        data[len(data) // 2] ^= 0x01
    else:
        data = data[: len(data) // 2]
    archive.write_bytes(bytes(data))
    before = sorted(p.relative_to(world.app_dir) for p in world.app_dir.rglob("*"))
    with pytest.raises(UpdateError) as refused:
        check_and_install(world.channel(), "0.1.0")
    assert refused.value.code == "update.tampered"
    assert installed_version(world.app_dir) == "0.1.0"
    assert sorted(p.relative_to(world.app_dir) for p in world.app_dir.rglob("*")) == before
    assert list((world.state / "downloads").glob("*.tar.gz")) == []  # never kept under its name


def test_rolled_back_metadata_is_refused(world: World):
    assert check_and_install(world.channel(), "0.1.0", install=False).installed is False  # trusts the new state
    world.serve(world.snapshot_v1)  # an attacker (or a stale mirror) serves the older signed metadata
    with pytest.raises(UpdateError) as refused:
        check_and_install(world.channel(), "0.1.0")
    assert refused.value.code == "update.rollback"
    assert installed_version(world.app_dir) == "0.1.0"


def test_an_older_version_is_never_offered(world: World):
    world.serve(world.snapshot_v1)
    assert check_and_install(world.channel(), "0.2.0").installed is False
    assert installed_version(world.app_dir) == "0.1.0"


def test_expired_metadata_is_refused(world: World):
    tool.refresh(world.repo, world.keys, "timestamp", days=-1)  # a frozen copy, past its expiry
    world.serve(world.repo)
    with pytest.raises(UpdateError) as refused:
        check_and_install(world.channel(), "0.1.0")
    assert refused.value.code == "update.expired"
    assert installed_version(world.app_dir) == "0.1.0"


def test_metadata_signed_with_another_key_is_refused(world: World, tmp_path: Path):
    other = tmp_path / "other"
    tool.init(other / "repo", other / "keys")
    tool.add(other / "repo", other / "keys", tool.restamp(world.app_dir, other / "evil", "9.0.0"), "9.0.0", 1)
    world.serve(other / "repo")
    with pytest.raises(UpdateError) as refused:
        check_and_install(world.channel(), "0.1.0")
    assert refused.value.code == "update.untrusted"
    assert installed_version(world.app_dir) == "0.1.0"


def test_no_trusted_root_means_no_updates(world: World, tmp_path: Path):
    with pytest.raises(UpdateError) as refused:
        check_and_install(world.channel(root=tmp_path / "missing.json"), "0.1.0")
    assert refused.value.code == "update.no_root"


def test_update_messages_are_translated():
    from salon_desk.l10n import get_localizer
    from salon_desk.updates.client import MESSAGES

    ar = get_localizer("ar")
    for code in MESSAGES:
        text = UpdateError(code, reason="x").message(ar)
        assert any("\u0600" <= ch <= "\u06ff" for ch in text), code


def test_keys_inside_the_checkout_are_refused():
    with pytest.raises(SystemExit):
        tool.keys_dir(str(ROOT / "keys"))


# ---------------------------------------------------------------- the first start of the new version


def _old_database(tmp_path: Path) -> DeskPaths:
    paths = DeskPaths(tmp_path / "desk").ensure()
    engine = make_engine(paths.database)
    upgrade(engine, "0004")
    engine.dispose()
    return paths


def test_first_start_backs_up_and_migrates(tmp_path: Path):
    paths = _old_database(tmp_path)
    backup = upgrade_on_first_start(paths)
    assert backup is not None and backup.exists()
    engine = make_engine(paths.database)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
    assert upgrade_on_first_start(paths) is None  # second start: nothing due


def test_a_failed_migration_restores_the_database(tmp_path: Path):
    paths = _old_database(tmp_path)

    def half_then_fail(engine) -> None:
        upgrade(engine, "0005")  # some steps commit...
        raise RuntimeError("disk full")  # ...then the next one fails

    with pytest.raises(MigrationFailed) as failed:
        upgrade_on_first_start(paths, migrate=half_then_fail)
    assert failed.value.code == "update.migration_failed"
    engine = make_engine(paths.database)
    try:
        assert current_revision(engine) == "0004"  # exactly as before the update
    finally:
        engine.dispose()


# ---------------------------------------------------------------- the real frozen build


@pytest.mark.packaging
def test_the_frozen_build_updates_to_a_restamped_copy(frozen_build, tmp_path: Path):
    started = time.perf_counter()
    built = World(tmp_path, frozen_build.bundle, frozen_build.version, publish_current=False)
    try:
        prepared = time.perf_counter() - started
        outcome = check_and_install(built.channel(), frozen_build.version)
        assert outcome.installed and installed_version(built.app_dir) == built.newer
        exe = built.app_dir / frozen_build.exe.name
        run = subprocess.run([str(exe), "--version"], env=frozen_env(tmp_path / "home"), capture_output=True,
                             text=True, timeout=120)
        assert run.returncode == 0 and "salon-desk" in run.stdout
        # a tampered copy of the same release is refused and the installed one keeps running
        shutil.rmtree(built.state)
        shutil.rmtree(built.app_dir)
        shutil.copytree(outcome.previous_dir, built.app_dir, symlinks=True)
        archive = built.archive()
        with archive.open("r+b") as handle:
            handle.seek(archive.stat().st_size // 2)
            byte = handle.read(1)
            handle.seek(-1, 1)
            handle.write(bytes([byte[0] ^ 0x01]))
        with pytest.raises(UpdateError) as refused:
            check_and_install(built.channel(), frozen_build.version)
        assert refused.value.code == "update.tampered"
        assert installed_version(built.app_dir) == frozen_build.version
        assert subprocess.run([str(exe), "--version"], env=frozen_env(tmp_path / "home"),
                              capture_output=True, timeout=120).returncode == 0
        # the frozen program's own `update` (TUF inside the bundle) refuses the same tampered archive
        own = subprocess.run([str(exe), "update", "--channel", built.server.url, "--app-dir", str(built.app_dir),
                              "--root", str(built.root), "--data-dir", str(tmp_path / "frozen-data")],
                             env=frozen_env(tmp_path / "home", LANG="en_US.UTF-8"), capture_output=True,
                             text=True, timeout=120)
        assert own.returncode == 1 and "does not match what the vendor signed" in own.stderr, own.stderr[-2000:]
        assert installed_version(built.app_dir) == frozen_build.version
    finally:
        built.server.stop()
    print(f"\n[packaging] restamp + signed update repo (gzip -1): {prepared:.1f} s; "
          f"update + tamper check: {time.perf_counter() - started - prepared:.1f} s")


def test_the_update_command_installs_then_reports_up_to_date(world: World, tmp_path: Path, capsys):
    from salon_desk.cli import desk_main

    args = ["update", "--channel", world.server.url, "--app-dir", str(world.app_dir), "--root", str(world.root),
            "--data-dir", str(tmp_path / "data")]
    assert desk_main(args) == 0
    assert "installed 0.1.1 (was 0.1.0)" in capsys.readouterr().out
    assert desk_main(args) == 0
    assert "0.1.1 is up to date" in capsys.readouterr().out
    log_text = (tmp_path / "data" / "logs" / "salon-desk.log").read_text(encoding="utf-8")
    assert "update installed: 0.1.0 -> 0.1.1" in log_text
    from salon_desk.desk_logs import remove_desk_logging

    remove_desk_logging(DeskPaths(tmp_path / "data"))
    world.serve(world.snapshot_v1)
    assert desk_main(args) == 1
    assert "older information" in capsys.readouterr().err
    remove_desk_logging(DeskPaths(tmp_path / "data"))
