"""Installing a vendor-signed update from a TUF repository (python-tuf's ngclient; the archives follow tufup's
`<app>-<version>.tar.gz` naming, made by packaging/updates).

    channel = UpdateChannel(url="https://updates.example.sa/salon-desk", app_dir=Path(".../salon-desk"),
                            state_dir=paths.data_dir / "updates", trusted_root=Path(".../root.json"))
    outcome = check_and_install(channel, current_version="0.1.0")     # UpdateError: nothing was changed

What TUF gives the desk: every metadata file must carry the vendor's signatures (root -> timestamp -> snapshot
-> targets), versions never go backwards (rollback), the timestamp expires within a day so replayed old
metadata is refused (freeze), and every archive must match the length and SHA-256 the signed targets name (a
tampered or half-downloaded file never reaches the disk under its name). Only an archive NEWER than the
running version is considered.

Installing: the verified archive is unpacked next to the installed folder and swapped in with two renames; the
folder it replaces stays as `<app_dir>.previous` (IT's way back). Until the swap nothing installed changes, so
a refusal leaves the running version working. The new version's first start migrates the database (with a
backup and a restore on failure: first_start.py). On Windows a running program's folder cannot be renamed:
there the swap must run after the app exits (tufup's install script); documented, untested here.
"""

from __future__ import annotations

import logging
import re
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salon_desk.domain.errors import DomainError
from salon_desk.domain.i18n import N_

log = logging.getLogger(__name__)

APP_NAME = "salon-desk"
PREVIOUS_SUFFIX = ".previous"
STAGING_SUFFIX = ".incoming"
ARCHIVE_NAME = re.compile(rf"^{APP_NAME}-([0-9][0-9A-Za-z.+!-]*)\.tar\.gz$")

MESSAGES = {
    "update.unreachable": N_("The update server could not be reached; this version keeps running."),
    "update.untrusted": N_(
        "The update is not signed by the vendor's keys and was refused; this version keeps running."
    ),
    "update.tampered": N_(
        "The downloaded update does not match what the vendor signed (changed or incomplete) and was "
        "refused; this version keeps running."
    ),
    "update.expired": N_(
        "The update information has expired (it may be an old copy replayed by someone); refused, this "
        "version keeps running."
    ),
    "update.rollback": N_(
        "The update server offered older information than this desk already trusts; refused, this version "
        "keeps running."
    ),
    "update.no_root": N_("This build has no trusted update key (root.json); updates are off."),
    "update.refused": N_("The update was refused ({reason}); this version keeps running."),
    "update.install_failed": N_("The update could not be installed ({reason}); this version keeps running."),
}


class UpdateError(DomainError):
    """An update was refused or failed; nothing installed was changed. `message(l10n)` is the sentence."""

    def message(self, l10n: Any) -> str:
        text: str = l10n.gettext(MESSAGES[self.code])
        return text.format(**self.params)


@dataclass(frozen=True, slots=True)
class UpdateChannel:
    url: str  # the static folder: <url>/metadata/*.json and <url>/targets/*.tar.gz
    app_dir: Path  # the installed one-folder build (dist/salon-desk after install)
    state_dir: Path  # per machine: trusted metadata and downloads (<data folder>/updates)
    trusted_root: Path  # the vendor's root.json shipped with the build (the trust anchor)

    @property
    def metadata_dir(self) -> Path:
        return self.state_dir / "metadata"

    @property
    def downloads_dir(self) -> Path:
        return self.state_dir / "downloads"


@dataclass(frozen=True, slots=True)
class UpdateOutcome:
    installed: bool
    version: str  # the version now installed (the running one when nothing was installed)
    previous_dir: Path | None = None


def check_and_install(channel: UpdateChannel, current_version: str, *, install: bool = True) -> UpdateOutcome:
    updater = _updater(channel)
    newest = _newest_archive(updater, current_version)
    if newest is None:
        log.info("update check: %s is the newest signed version", current_version)
        return UpdateOutcome(False, current_version)
    version, info = newest
    archive = _download(updater, info)
    log.info("update %s downloaded and verified (%s bytes)", version, info.length)
    if not install:
        return UpdateOutcome(False, current_version)
    previous = install_archive(archive, channel.app_dir)
    log.info("update installed: %s -> %s; the previous folder is %s", current_version, version, previous)
    return UpdateOutcome(True, str(version), previous)


def _updater(channel: UpdateChannel) -> Any:
    from tuf.ngclient import Updater

    channel.metadata_dir.mkdir(parents=True, exist_ok=True)
    channel.downloads_dir.mkdir(parents=True, exist_ok=True)
    trusted = channel.metadata_dir / "root.json"
    if not trusted.exists():
        if not channel.trusted_root.is_file():
            raise UpdateError("update.no_root")
        shutil.copyfile(channel.trusted_root, trusted)  # first use: the shipped anchor; later roots rotate it
    base = channel.url.rstrip("/")
    try:
        updater = Updater(
            metadata_dir=str(channel.metadata_dir),
            metadata_base_url=f"{base}/metadata/",
            target_dir=str(channel.downloads_dir),
            target_base_url=f"{base}/targets/",
        )
        updater.refresh()
    except Exception as exc:
        raise _refusal(exc) from None
    return updater


def archive_version(target_path: str) -> Any:
    """The version in `salon-desk-1.2.0.tar.gz` (tufup's naming), or None for any other target."""
    from packaging.version import InvalidVersion, Version

    match = ARCHIVE_NAME.match(target_path)
    if match is None:
        return None
    try:
        return Version(match.group(1))
    except InvalidVersion:
        return None


def _newest_archive(updater: Any, current_version: str) -> tuple[Any, Any] | None:
    from packaging.version import Version

    running = Version(current_version)
    candidates = []
    for path in updater._trusted_set.targets.targets:  # noqa: SLF001 (tufup reads it the same way)
        version = archive_version(path)
        if version is not None and version > running and not version.is_prerelease:
            candidates.append((version, path))
    if not candidates:
        return None
    version, path = max(candidates)
    try:
        info = updater.get_targetinfo(path)
    except Exception as exc:
        raise _refusal(exc) from None
    if info is None:
        raise UpdateError("update.refused", reason="target not in signed metadata")
    return version, info


def _download(updater: Any, info: Any) -> Path:
    try:
        cached = updater.find_cached_target(info)  # verified against the signed length and hashes
        return Path(cached or updater.download_target(info))
    except Exception as exc:
        raise _refusal(exc) from None


def install_archive(archive: Path, app_dir: Path) -> Path | None:
    """Unpacks next to `app_dir`, then swaps folders; returns the previous folder. Nothing changes on error."""
    staging = app_dir.with_name(app_dir.name + STAGING_SUFFIX)
    previous = app_dir.with_name(app_dir.name + PREVIOUS_SUFFIX)
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(staging, filter="data")  # refuses absolute paths, "..", devices and links outside
    except (OSError, tarfile.TarError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise UpdateError("update.install_failed", reason=type(exc).__name__) from None
    shutil.rmtree(previous, ignore_errors=True)
    had_previous = app_dir.exists()
    if had_previous:
        app_dir.rename(previous)
    try:
        staging.rename(app_dir)
    except OSError as exc:
        if had_previous:
            previous.rename(app_dir)
        raise UpdateError("update.install_failed", reason=type(exc).__name__) from None
    return previous if had_previous else None


def _refusal(exc: BaseException) -> UpdateError:
    """python-tuf's exceptions, in words IT can act on."""
    from tuf.api import exceptions as tuf_errors

    log.warning("update refused: %s: %s", type(exc).__name__, exc)
    if isinstance(exc, tuf_errors.ExpiredMetadataError):
        return UpdateError("update.expired")
    if isinstance(exc, tuf_errors.BadVersionNumberError):
        return UpdateError("update.rollback")
    if isinstance(exc, tuf_errors.LengthOrHashMismatchError | tuf_errors.DownloadLengthMismatchError):
        return UpdateError("update.tampered")
    if isinstance(exc, tuf_errors.UnsignedMetadataError):
        return UpdateError("update.untrusted")
    if isinstance(exc, tuf_errors.DownloadError | OSError):
        return UpdateError("update.unreachable")
    if isinstance(exc, tuf_errors.RepositoryError):
        return UpdateError("update.refused", reason=type(exc).__name__)
    return UpdateError("update.refused", reason=type(exc).__name__)
