"""The frozen desk (#13): built once from the lock file by packaging/build.sh, it holds no server code, starts
with no Python around it, renders the day view offscreen, and `--demo` says plainly that the demo needs the
cloud extra. The build's cost is printed by the session fixture (conftest.py)."""

from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path

import pytest

import salon_desk
from tests.packaging.conftest import ROOT, FrozenBuild, frozen_env

pytestmark = pytest.mark.packaging

SERVER_PACKAGES = {"fastapi", "starlette", "uvicorn", "psycopg", "psycopg_binary", "psycopg_pool"}
SERVER_MODULES = ("salon_desk.cloud", "salon_desk.demo.cloud")


def is_server_code(entry: str) -> bool:
    """A module of a server package (by its top-level name), the desk's cloud, or a file of one of them.
    SQLAlchemy's own dialect modules (sqlalchemy.dialects.postgresql.psycopg, imported by Alembic) are
    SQLAlchemy's and stay: without the psycopg package they cannot connect anywhere."""
    kind, _, name = entry.partition(":")
    if kind in {"pyz", "exe"}:
        return name.split(".")[0] in SERVER_PACKAGES or any(
            name == m or name.startswith(m + ".") for m in SERVER_MODULES)
    parts = name.split("/")
    for index, part in enumerate(parts):
        top = re.split(r"[.-]", part)[0].lower()
        if top in SERVER_PACKAGES or part.lower().startswith(("psycopg_binary", "psycopg.libs")):
            return True
        if part == "salon_desk" and parts[index + 1:index + 2] == ["cloud"]:
            return True
        if part == "salon_desk" and parts[index + 1:index + 3] in (["demo", "cloud"], ["demo", "cloud.py"]):
            return True
    return False


def bundle_contents(build: FrozenBuild) -> list[str]:
    """Every file in the folder and every module inside the executable's embedded archive (PYZ)."""
    from PyInstaller.archive.readers import CArchiveReader

    files = [f"file:{p.relative_to(build.bundle).as_posix()}" for p in build.bundle.rglob("*")]
    archive = CArchiveReader(str(build.exe))
    modules = [f"pyz:{name}" for name in archive.open_embedded_archive("PYZ.pyz").toc]
    return files + [f"exe:{name}" for name in archive.toc] + modules


def test_the_frozen_desk_carries_no_server_code(frozen_build: FrozenBuild):
    contents = bundle_contents(frozen_build)
    assert any(name == "pyz:salon_desk.ui.calendar.day_view" for name in contents)  # the reader sees modules
    assert any(name.startswith("pyz:PySide6") for name in contents)
    assert is_server_code("pyz:fastapi.routing") and is_server_code("file:_internal/psycopg_binary.libs/x.so")
    assert is_server_code("file:_internal/salon_desk/cloud/app.pyc") and not is_server_code("pyz:sqlalchemy.orm")
    leaked = sorted(name for name in contents if is_server_code(name))
    assert leaked == [], f"server code in the desk bundle: {leaked[:20]}"
    print(f"\n[packaging] bundle: {len(contents)} files and modules, none of {', '.join(sorted(SERVER_PACKAGES))}, salon_desk.cloud")


def test_the_bundle_has_translations_resources_qt_translations_and_migrations(frozen_build: FrozenBuild):
    internal = frozen_build.bundle / "_internal"
    for lang in ("ar", "en"):
        assert (internal / "salon_desk" / "_data" / "translations" / lang / "LC_MESSAGES" / "salon.mo").is_file()
        assert list(internal.glob(f"PySide6/Qt/translations/qtbase_{lang}.qm"))
    assert (internal / "resources" / "fonts").is_dir() and (internal / "resources" / "icons").is_dir()
    shipped = {p.name for p in (internal / "migrations" / "local" / "versions").glob("*.py")}
    assert shipped == {p.name for p in (ROOT / "migrations" / "local" / "versions").glob("*.py")}
    assert (internal / "alembic.ini").is_file()
    assert not (internal / "migrations" / "cloud").exists()


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", header[16:24])


def test_the_frozen_desk_renders_the_day_view_offscreen(frozen_build: FrozenBuild, tmp_path: Path):
    env = frozen_env(tmp_path / "home")
    version = subprocess.run([str(frozen_build.exe), "--version"], env=env, capture_output=True, text=True,
                             check=True, timeout=120)
    assert version.stdout.strip() == f"salon-desk {salon_desk.__version__}" == f"salon-desk {frozen_build.version}"
    data = tmp_path / "desk"
    seeded = subprocess.run([str(frozen_build.exe), "seed-demo", "--data-dir", str(data)], env=env,
                            capture_output=True, text=True, timeout=300)
    assert seeded.returncode == 0, seeded.stderr[-2000:]
    for lang in ("ar", "en"):
        out = tmp_path / f"day-{lang}.png"
        shot = subprocess.run([str(frozen_build.exe), "screenshot", "--view", "day", "--lang", lang, "--out",
                               str(out), "--data-dir", str(data)], env=env, capture_output=True, text=True,
                              timeout=300)
        assert shot.returncode == 0, shot.stderr[-2000:]
        assert "not available" not in shot.stderr, shot.stderr[-2000:]  # a page that failed to import
        width, height = _png_size(out)
        assert width >= 800 and height >= 600 and out.stat().st_size > 30_000
    diagnose = subprocess.run([str(frozen_build.exe), "diagnose", "--data-dir", str(data)], env=env,
                              capture_output=True, text=True, timeout=120)
    assert diagnose.returncode == 0, diagnose.stderr[-2000:]
    assert f"salon-desk {frozen_build.version}" in diagnose.stdout
    assert "frozen build" in diagnose.stdout


def test_the_frozen_demo_explains_that_the_cloud_extra_is_missing(frozen_build: FrozenBuild, tmp_path: Path):
    result = subprocess.run([str(frozen_build.exe), "--demo"], env=frozen_env(tmp_path / "home"),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "salon-desk[cloud]" in result.stderr and "Traceback" not in result.stderr
