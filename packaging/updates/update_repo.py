#!/usr/bin/env python3
"""The vendor's update channel: a TUF repository (tufup) published as a static folder any web server can host.

    python packaging/updates/update_repo.py init    --repo REPO [--keys KEYS]
    python packaging/updates/update_repo.py add     --repo REPO [--keys KEYS] --bundle dist/salon-desk [--version V]
    python packaging/updates/update_repo.py refresh --repo REPO [--keys KEYS] [--role timestamp] [--days N]
    python packaging/updates/update_repo.py restamp --bundle dist/salon-desk --out DIR --version V   (tests, demos)

REPO gets `metadata/` (root, targets, snapshot, timestamp .json, all signed) and `targets/`
(`salon-desk-<version>.tar.gz`): upload REPO as it is. The desk ships `metadata/root.json` as its trust anchor
(copy it to resources/updates/root.json before building).

Keys: Ed25519 key pairs, one per role, in KEYS = --keys, else $SALON_UPDATE_KEYS_DIR. Never in this repository
(refused); keep root's private key offline (only `init` and key rotation need it). Tests make throwaway keys in
a temporary folder.

Expiry (freeze-attack protection): timestamp 1 day, snapshot 7, targets 30, root 365. A desk refuses
metadata past its expiry, so `refresh --role timestamp` must run at least daily (cron / CI schedule) and
`refresh --role snapshot`/`targets` weekly/monthly; every refresh bumps the version, so an old copy replayed
by an attacker is refused as a rollback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tarfile
from pathlib import Path

from tufup.repo import Repository

APP_NAME = "salon-desk"
KEYS_ENV = "SALON_UPDATE_KEYS_DIR"
EXPIRATION_DAYS = {"root": 365, "targets": 30, "snapshot": 7, "timestamp": 1}
CHECKOUT = Path(__file__).resolve().parents[2]


class ChannelRepository(Repository):
    """tufup's Repository without its config file in the current directory: everything is in arguments."""

    def save_config(self) -> None:
        pass

    @classmethod
    def load_config(cls) -> dict:
        return {}


def keys_dir(value: str | None) -> Path:
    raw = value or os.environ.get(KEYS_ENV)
    if not raw:
        raise SystemExit(f"update_repo: no keys folder: pass --keys or set {KEYS_ENV}")
    path = Path(raw).resolve()
    if path == CHECKOUT or CHECKOUT in path.parents:
        raise SystemExit(f"update_repo: refusing keys inside the source checkout ({path}); keep them outside")
    return path


def open_repo(repo: Path, keys: Path, expiration_days: dict[str, int] | None = None) -> ChannelRepository:
    return ChannelRepository(
        app_name=APP_NAME,
        repo_dir=repo,
        keys_dir=keys,
        expiration_days=dict(expiration_days or EXPIRATION_DAYS),
    )


def init(repo: Path, keys: Path) -> Path:
    """Creates missing key pairs and the signed root/targets/snapshot/timestamp; returns root.json."""
    repository = open_repo(repo, keys)
    repository.initialize()
    return repo / "metadata" / "root.json"


def add(repo: Path, keys: Path, bundle: Path, version: str, gzip_level: int = 6) -> Path:
    """Archives the one-folder bundle as salon-desk-<version>.tar.gz (no patches: full archives only), signs
    and publishes it. Versions only go up. gzip level 6 packs a 230 MB build in ~15 s; tests use 1."""
    from packaging.version import Version

    repository = open_repo(repo, keys)
    repository._load_keys_and_roles(create_keys=False)  # noqa: SLF001 (tufup's from_config does this)
    latest = repository.roles.get_latest_archive()
    if latest is not None and Version(version) <= latest.version:
        raise SystemExit(f"update_repo: {version} is not newer than the published {latest.version}")
    archive = repository.targets_dir / f"{APP_NAME}-{version}.tar.gz"
    make_archive(bundle, archive, gzip_level)
    repository.roles.add_or_update_target(local_path=archive, custom={"user": None, "tufup": {"required": False}})
    repository.publish_changes(private_key_dirs=[keys])
    return archive


def make_archive(bundle: Path, archive: Path, gzip_level: int) -> Path:
    """A tar.gz of the folder's contents, members in name order with the build's own times."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:gz", compresslevel=gzip_level, format=tarfile.PAX_FORMAT) as tar:
        tar.add(bundle, arcname=".", recursive=True)
    return archive


def refresh(repo: Path, keys: Path, role: str = "timestamp", days: float | None = None) -> None:
    """Re-signs `role` with a new expiry (days from now; negative makes expired metadata for tests)."""
    repository = open_repo(repo, keys)
    repository._load_keys_and_roles(create_keys=False)  # noqa: SLF001
    repository.refresh_expiration_date(role, days=days if days is not None else EXPIRATION_DAYS[role])
    repository.publish_changes(private_key_dirs=[keys])


def restamp(bundle: Path, out: Path, version: str) -> Path:
    """A copy of a build with another version in BUILD-INFO.json: a "newer" build without a second build."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(bundle, out, symlinks=True)
    info_path = out / "BUILD-INFO.json"
    info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.exists() else {}
    info["version"] = version
    info["restamped_from"] = str(bundle)
    info_path.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="update_repo", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("init", "add", "refresh"):
        command = commands.add_parser(name)
        command.add_argument("--repo", type=Path, required=True)
        command.add_argument("--keys", default=None)
        if name == "add":
            command.add_argument("--bundle", type=Path, required=True)
            command.add_argument("--version", default=None, help="default: the bundle's BUILD-INFO.json")
            command.add_argument("--gzip-level", type=int, default=6, choices=range(1, 10))
        if name == "refresh":
            command.add_argument("--role", choices=sorted(EXPIRATION_DAYS), default="timestamp")
            command.add_argument("--days", type=float, default=None)
    stamp = commands.add_parser("restamp")
    stamp.add_argument("--bundle", type=Path, required=True)
    stamp.add_argument("--out", type=Path, required=True)
    stamp.add_argument("--version", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    if args.command == "restamp":
        print(restamp(args.bundle, args.out, args.version))
        return 0
    keys = keys_dir(args.keys)
    if args.command == "init":
        print(init(args.repo, keys))
    elif args.command == "add":
        version = args.version or json.loads((args.bundle / "BUILD-INFO.json").read_text())["version"]
        print(add(args.repo, keys, args.bundle, version, args.gzip_level))
    else:
        refresh(args.repo, keys, args.role, args.days)
        print(args.repo / "metadata" / f"{args.role}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
