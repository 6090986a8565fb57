"""Installers (#13): the portable archive and the .deb install into a temporary prefix, verify against the
signed manifest there and start; the .deb carries a desktop entry and an icon. The lock file covers Linux and
Windows with hashes and no server package; archives are reproducible."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.packaging.conftest import ROOT, Release, frozen_env, real_clock_env

LOCK = ROOT / "packaging" / "requirements-desk.lock"


def _verify(folder: Path, pubkey: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "salon_desk.verify", str(folder),
                           "--pubkey", str(pubkey)], capture_output=True, text=True, env=real_clock_env())


@pytest.mark.packaging
def test_the_portable_archive_installs_to_a_prefix_verifies_and_starts(release: Release, tmp_path: Path):
    prefix = tmp_path / "opt"
    with tarfile.open(release.archive) as tar:
        names = tar.getnames()
        assert all(name == "salon-desk" or name.startswith("salon-desk/") for name in names)
        assert all(m.uid == 0 and m.gid == 0 for m in tar.getmembers())
        tar.extractall(prefix, filter="tar")
    installed = prefix / "salon-desk"
    ok = _verify(installed, release.pubkey)
    assert ok.returncode == 0, ok.stderr
    started = subprocess.run([str(installed / "salon-desk"), "--version"], env=frozen_env(tmp_path / "home"),
                             capture_output=True, text=True, timeout=120)
    assert started.stdout.strip() == f"salon-desk {release.build.version}"

    # Someone edits an installed file, or drops one in: the folder check names it.
    target = next(p for p in sorted((installed / "_internal").rglob("*.mo")))
    target.write_bytes(target.read_bytes() + b"\0")
    (installed / "_internal" / "evil.so").write_bytes(b"\x7fELF")
    refused = _verify(installed, release.pubkey)
    assert refused.returncode == 1
    assert f"changed: {target.relative_to(installed).as_posix()}" in refused.stderr
    assert "unexpected: _internal/evil.so" in refused.stderr


@pytest.mark.packaging
def test_the_deb_has_a_desktop_entry_and_icon_and_installs_to_a_prefix(release: Release, tmp_path: Path):
    assert release.deb is not None
    info = subprocess.run(["dpkg-deb", "--field", str(release.deb), "Package", "Version", "Architecture"],
                          capture_output=True, text=True, check=True).stdout
    assert "Package: salon-desk" in info and f"Version: {release.build.version}" in info
    listing = subprocess.run(["dpkg-deb", "--contents", str(release.deb)], capture_output=True, text=True,
                             check=True).stdout
    for path in ("./usr/share/applications/salon-desk.desktop",
                 "./usr/share/icons/hicolor/scalable/apps/salon-desk.svg", "./opt/salon-desk/salon-desk",
                 "./usr/bin/salon-desk -> /opt/salon-desk/salon-desk", "./opt/salon-desk/MANIFEST.sha256"):
        assert path in listing, path
    assert "root/root" in listing.splitlines()[0]
    prefix = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(release.deb), str(prefix)], check=True)
    desktop = (prefix / "usr/share/applications/salon-desk.desktop").read_text()
    assert "Exec=/opt/salon-desk/salon-desk" in desktop and "Icon=salon-desk" in desktop
    assert "Name[ar]=صالون ديسك" in desktop
    if subprocess.run(["which", "desktop-file-validate"], capture_output=True).returncode == 0:
        subprocess.run(["desktop-file-validate", str(prefix / "usr/share/applications/salon-desk.desktop")],
                       check=True)
    ok = _verify(prefix / "opt" / "salon-desk", release.pubkey)
    assert ok.returncode == 0, ok.stderr
    started = subprocess.run([str(prefix / "opt/salon-desk/salon-desk"), "--version"],
                             env=frozen_env(tmp_path / "home"), capture_output=True, text=True, timeout=120)
    assert started.stdout.strip() == f"salon-desk {release.build.version}"


def test_the_lock_covers_linux_and_windows_with_hashes_and_no_server_package():
    text = LOCK.read_text()
    blocks = re.split(r"\n(?=[a-z0-9])", text.split("\n", 2)[2])
    names = {}
    for block in blocks:
        head = block.split()[0]
        name, _, version = head.partition("==")
        assert version, f"unpinned: {head}"
        assert "--hash=sha256:" in block, f"no hash: {name}"
        names[name] = block
    assert {"pyside6-essentials", "sqlalchemy", "pyinstaller", "cryptography"} <= set(names)
    assert "sys_platform == 'win32'" in names["pywin32-ctypes"]  # keyring's Windows backend
    assert "tzdata" in names  # Windows has no system time zone database
    assert not {"fastapi", "starlette", "uvicorn", "psycopg", "psycopg-binary"} & set(names)
    assert "://" not in text  # the machine's configured index is used, none is written in
    cloud = (ROOT / "packaging" / "requirements-cloud.lock").read_text()
    assert "\nfastapi==" in cloud and "\nuvicorn==" in cloud and "--hash=sha256:" in cloud


def test_the_lock_holds_every_desk_and_build_dependency_of_pyproject():
    """A dependency added to pyproject.toml without `bash packaging/lock.sh` would be missing from the build."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["build"]]
    locked = {re.split(r"[=\s;]", line)[0] for line in LOCK.read_text().splitlines() if re.match(r"[a-z0-9]", line)}
    for requirement in wanted:
        name = re.split(r"[<>=!~;\[\s]", requirement, maxsplit=1)[0].lower().replace("_", "-").replace(".", "-")
        assert name in locked, f"{name} is in pyproject.toml but not in the lock: run `bash packaging/lock.sh`"


def _release_module():
    spec = importlib.util.spec_from_file_location("salon_release", ROOT / "packaging" / "release.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_portable_archive_is_reproducible(tmp_path: Path):
    release = _release_module()
    folder = tmp_path / "salon-desk"
    (folder / "_internal").mkdir(parents=True)
    (folder / "salon-desk").write_bytes(b"#!/bin/sh\n")
    (folder / "salon-desk").chmod(0o755)
    (folder / "_internal" / "b.txt").write_text("b")
    (folder / "_internal" / "a.txt").write_text("a")
    first = release.portable_archive(folder, tmp_path / "1.tar.gz", 1_700_000_000, 6)
    (folder / "_internal" / "a.txt").touch()  # a newer time on disk changes nothing
    second = release.portable_archive(folder, tmp_path / "2.tar.gz", 1_700_000_000, 6)
    assert hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()
    with tarfile.open(first) as tar:
        assert tar.getnames() == ["salon-desk", "salon-desk/_internal", "salon-desk/_internal/a.txt",
                                  "salon-desk/_internal/b.txt", "salon-desk/salon-desk"]
        assert tar.getmember("salon-desk/salon-desk").mode == 0o755
