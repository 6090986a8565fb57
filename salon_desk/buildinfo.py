"""What build this is: the version (one place: `salon_desk.__version__`) and, in a frozen build, the commit
and lock digest packaging/build.sh stamped into BUILD-INFO.json beside the executable."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from salon_desk import __version__


def frozen_info() -> dict[str, str] | None:
    """BUILD-INFO.json of a frozen build, or None when running from source or an installed package."""
    if not getattr(sys, "frozen", False):
        return None
    try:
        data = json.loads((Path(sys.executable).resolve().parent / "BUILD-INFO.json").read_text())
    except (OSError, ValueError):
        return {"version": __version__}
    return {str(k): str(v) for k, v in data.items()}


def build_kind() -> str:
    """'from source', or 'frozen build, commit …, platform' (diagnose's "build:" line)."""
    info = frozen_info()
    if info is None:
        return "from source"
    return f"frozen build, commit {info.get('commit', 'unknown')[:12]}, {info.get('platform', sys.platform)}"


def describe() -> str:
    """One line for the About box: name, version and build."""
    return f"Salon Desk {__version__} ({build_kind()})"
