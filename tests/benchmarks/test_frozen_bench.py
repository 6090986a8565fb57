"""The frozen desk (#13) beside the same desk run from source, in one run:

* size: the frozen folder, its portable archive, against the desk-only virtual environment it was frozen from
  (what a source install needs: Python's packages without the interpreter);
* cold start: `salon-desk --version` (interpreter and CLI) and `salon-desk screenshot --view day` (the whole start
  path: Qt, the store, migrations check, the day view rendered to a PNG) on the same demo salon, frozen vs
  `python -m salon_desk.cli` from the source tree.

The build is the packaging tests' session build (reused while its inputs are unchanged, so CI builds once).
Run: pytest tests/benchmarks/test_frozen_bench.py -m benchmark -s
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from tests.benchmarks.report import Recorder, scaled
from tests.packaging.conftest import ROOT, FrozenBuild, frozen_build, frozen_env  # noqa: F401

pytestmark = [pytest.mark.benchmark, pytest.mark.timeout(1500)]  # may build the frozen desk
STARTS = scaled(3, 1)


def _folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=300)
    return time.perf_counter() - started


def test_frozen_size_and_cold_start(frozen_build: FrozenBuild, tmp_path: Path, bench: Recorder) -> None:  # noqa: F811
    venv = ROOT / "build" / "packaging-tests" / "venv"
    site = next((venv / "lib").glob("python3*/site-packages"), None)
    if site is not None:
        bench("frozen desk folder size", _folder_mb(frozen_build.bundle), "MB", baseline=_folder_mb(site),
              baseline_name="desk-only site-packages it was frozen from (incl. PyInstaller)")
    archive = tmp_path / "salon-desk.tar.gz"
    level = scaled(6, 1)  # release.py's default; quick mode compresses fastest
    with tarfile.open(archive, "w:gz", compresslevel=level) as tar:
        tar.add(frozen_build.bundle, arcname="salon-desk")
    bench(f"frozen desk portable archive (tar.gz -{level})", archive.stat().st_size / 1e6, "MB",
          baseline=_folder_mb(frozen_build.bundle), baseline_name="the folder unpacked")

    env = frozen_env(tmp_path / "home")
    source_env = {**env, "PYTHONPATH": str(ROOT)}
    data = tmp_path / "salon"
    subprocess.run([str(frozen_build.exe), "seed-demo", "--data-dir", str(data)], env=env, check=True,
                   capture_output=True, timeout=300)
    python = [sys.executable, "-m", "salon_desk.cli"]
    frozen = [str(frozen_build.exe)]
    shot = ["screenshot", "--view", "day", "--lang", "ar", "--data-dir", str(data), "--out"]
    for warm in (frozen, python):  # one untimed start each: the OS file cache is warm for both
        subprocess.run([*warm, "--version"], env=source_env, check=True, capture_output=True, timeout=300)

    version_frozen = statistics.median(_timed([*frozen, "--version"], env) for _ in range(STARTS))
    version_source = statistics.median(_timed([*python, "--version"], source_env) for _ in range(STARTS))
    bench("cold start to `--version`, frozen", version_frozen, "s", baseline=version_source,
          baseline_name="same command from source (python -m salon_desk.cli)")
    day_frozen = statistics.median(
        _timed([*frozen, *shot, str(tmp_path / f"f{i}.png")], env) for i in range(STARTS))
    day_source = statistics.median(
        _timed([*python, *shot, str(tmp_path / f"s{i}.png")], source_env) for i in range(STARTS))
    bench("cold start to a rendered day view (screenshot), frozen", day_frozen, "s", baseline=day_source,
          baseline_name="same command from source", note="demo-scale salon, offscreen, Arabic")
