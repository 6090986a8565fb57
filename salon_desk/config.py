"""Desk settings and paths, and resource lookup that works from source, an installed wheel and a frozen build."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
APP_NAME = "salon-desk"


def resource_path(*parts: str) -> Path:
    """Top-level project folders (resources/, translations/, migrations/) wherever this build keeps them."""
    candidates = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root))
    candidates += [PACKAGE_DIR / "_data", PACKAGE_DIR.parent]
    for root in candidates:
        path = root.joinpath(*parts)
        if path.exists():
            return path
    return candidates[-1].joinpath(*parts)


def default_data_dir() -> Path:
    override = os.environ.get("SALON_DESK_DATA_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "SalonDesk"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "SalonDesk"
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / APP_NAME


@dataclass(frozen=True)
class DeskPaths:
    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "salon-desk.db"

    @property
    def backups(self) -> Path:
        return self.data_dir / "backups"

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"

    def ensure(self) -> DeskPaths:
        for folder in (self.data_dir, self.backups, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        return self
