"""The frozen desk, built once per test session with the real `packaging/build.sh` (PyInstaller, from the
hashed lock file), and released once (signed manifest, portable archive, .deb) with a throwaway key.

Every packaging test shares these two session fixtures, so CI pays for one build. The build's cost is printed.
`SALON_FROZEN_DIST=DIR` reuses a folder that build.sh already filled (local runs; DIR/salon-desk must exist).
The build runs on the real clock: the shifted clock (faketime) of the test run would make TLS certificates look
expired to pip/uv, and a build has no business with the salon's time."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from salon_desk.verify import public_key_of

ROOT = Path(__file__).resolve().parents[2]
CLOCK_VARIABLES = ("LD_PRELOAD", "FAKETIME", "FAKETIME_DONT_FAKE_MONOTONIC", "FAKETIME_DONT_RESET")


def real_clock_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLOCK_VARIABLES}
    env.update(extra)
    return env


def frozen_env(home: Path, **extra: str) -> dict[str, str]:
    """What a front-desk PC gives the frozen program: no virtual environment, no source tree on the path, and no
    session bus (so no OS keyring) unless a test adds its own (test_frozen_provisioning.py)."""
    env = real_clock_env(QT_QPA_PLATFORM="offscreen", HOME=str(home), XDG_DATA_HOME=str(home / "data"),
                         XDG_CONFIG_HOME=str(home / "config"), **extra)
    for name in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "DBUS_SESSION_BUS_ADDRESS"):
        env.pop(name, None)
    env["PATH"] = "/usr/bin:/bin"
    return env


@dataclass(frozen=True)
class FrozenBuild:
    dist: Path  # holds salon-desk/ (and, after `release`, the archive, the .deb and SHA256SUMS)
    bundle: Path  # dist/salon-desk
    exe: Path  # dist/salon-desk/salon-desk
    version: str
    build_seconds: float


@dataclass(frozen=True)
class Release:
    build: FrozenBuild
    pubkey: Path  # minisign-format public key file
    signing_env: dict[str, str]  # SALON_RELEASE_SIGNING_KEY for release.py (throwaway)
    archive: Path
    deb: Path | None
    sums: Path
    seconds: float


def _children_cpu() -> float:
    """CPU seconds of finished child processes: the build's cost without other load on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build_inputs_digest() -> str:
    """What the frozen build is made of: the code, data, lock and packaging files (not the tests)."""
    digest = hashlib.sha256()
    roots = ["salon_desk", "migrations/local", "resources", "translations", "packaging", "alembic.ini"]
    for root in roots:
        path = ROOT / root
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            if "__pycache__" in file.parts or file.suffix in {".pyc", ".mo"}:
                continue
            digest.update(file.relative_to(ROOT).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


@pytest.fixture(scope="session")
def frozen_build(tmp_path_factory: pytest.TempPathFactory) -> FrozenBuild:
    """Built once; the benchmark session (scripts/bench.sh, a second pytest run in CI) reuses the same build
    while the inputs are unchanged (build/packaging-tests/dist/.inputs)."""
    reuse = os.environ.get("SALON_FROZEN_DIST")
    started = time.perf_counter()
    cpu_before = _children_cpu()
    work = ROOT / "build" / "packaging-tests"  # gitignored; its venv is reused while the lock is unchanged
    dist = work / "dist"
    stamp = dist / ".inputs"
    inputs = build_inputs_digest()
    if reuse:
        dist = tmp_path_factory.mktemp("frozen-dist")
        shutil.copytree(Path(reuse) / "salon-desk", dist / "salon-desk", symlinks=True)
    elif stamp.is_file() and stamp.read_text() == inputs and (dist / "salon-desk" / "BUILD-INFO.json").is_file():
        print(f"\n[packaging] reusing the frozen build in {dist} (same inputs)")
    else:
        shutil.rmtree(dist, ignore_errors=True)
        result = subprocess.run(["bash", str(ROOT / "packaging" / "build.sh"), "--dist", str(dist), "--work",
                                 str(work)], cwd=ROOT, env=real_clock_env(), capture_output=True, text=True)
        if result.returncode != 0:
            pytest.fail(f"packaging/build.sh failed ({result.returncode}):\n{result.stdout[-3000:]}\n"
                        f"{result.stderr[-6000:]}")
        stamp.write_text(inputs)
    seconds = time.perf_counter() - started
    bundle = dist / "salon-desk"
    exe = bundle / ("salon-desk.exe" if sys.platform == "win32" else "salon-desk")
    info = json.loads((bundle / "BUILD-INFO.json").read_text())
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    cpu = _children_cpu() - cpu_before
    _COST["build"], _COST["build_cpu"], _COST["size_mb"] = seconds, cpu, size / 1e6
    print(f"\n[packaging] frozen build: {seconds:.1f} s wall, {cpu:.1f} s CPU, {size / 1e6:.0f} MB in {bundle}")
    return FrozenBuild(dist, bundle, exe, info["version"], seconds)


@pytest.fixture(scope="session")
def release(frozen_build: FrozenBuild, tmp_path_factory: pytest.TempPathFactory) -> Release:
    """`packaging/release.py all` with a throwaway key: fastest compression (CI time), same code path."""
    private = Ed25519PrivateKey.generate()
    pubkey = tmp_path_factory.mktemp("release-key") / "release.pub"
    pubkey.write_text(public_key_of(private).to_minisign())
    signing_env = {"SALON_RELEASE_SIGNING_KEY": base64.b64encode(private.private_bytes_raw()).decode()}
    started, cpu_before = time.perf_counter(), _children_cpu()
    result = subprocess.run([sys.executable, str(ROOT / "packaging" / "release.py"), "all", "--dist",
                             str(frozen_build.dist), "--gzip-level", "1", "--deb-compression", "gzip"],
                            env=real_clock_env(**signing_env), capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"packaging/release.py all failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    seconds = time.perf_counter() - started
    archives = sorted(frozen_build.dist.glob("salon-desk-*.tar.gz"))
    debs = sorted(frozen_build.dist.glob("salon-desk_*.deb"))
    _COST["release"] = seconds
    print(f"\n[packaging] sign + archive + .deb: {seconds:.1f} s wall, {_children_cpu() - cpu_before:.1f} s CPU")
    return Release(frozen_build, pubkey, signing_env, archives[0], debs[0] if debs else None,
                   frozen_build.dist / "SHA256SUMS", seconds)


_COST: dict[str, float] = {}


def _cpu_now() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime + _children_cpu()


@pytest.fixture(scope="session", autouse=True)
def packaging_cost_start() -> None:
    """Set up before the build (autouse fixtures come first in their scope): the cost includes it."""
    _COST["start"], _COST["cpu_start"] = time.perf_counter(), _cpu_now()


@pytest.fixture(autouse=True)
def packaging_cost(packaging_cost_start: None):
    """Measures the packaging tests from the first one's start to the last one's end."""
    yield
    _COST["end"], _COST["cpu_end"] = time.perf_counter(), _cpu_now()


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if "end" in _COST:
        terminalreporter.write_line(
            f"[packaging] cost of the packaging tests (build, release and tests): "
            f"{_COST['end'] - _COST['start']:.1f} s wall, {_COST['cpu_end'] - _COST['cpu_start']:.1f} s CPU "
            "(CI budget: 5 min)")
    if "build" in _COST:
        terminalreporter.write_line(
            f"[packaging] of which the frozen build: {_COST['build']:.1f} s wall, {_COST['build_cpu']:.1f} s CPU, "
            f"{_COST['size_mb']:.0f} MB; signing, archive and .deb: {_COST.get('release', 0):.1f} s wall")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The test that triggers the build pays for it: a longer timeout than the suite's 600 s on a busy machine."""
    for item in items:
        if item.get_closest_marker("packaging") is not None and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(1500))
