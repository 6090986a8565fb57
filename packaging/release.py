"""Release steps after packaging/build.sh: sign, archive, package, Authenticode. Vendor-side; never on a desk.

    python packaging/release.py keygen --pub release.pub [--keyring]   # once; keep the secret off disk
    python packaging/release.py all --dist dist [--deb-compression gzip|none]
    python packaging/release.py sign FILE...                           # FILE.minisig beside each
    python packaging/release.py authenticode IN.exe OUT.exe            # when a certificate is configured

`all` writes, into DIST: the signed bundle manifest (DIST/salon-desk/MANIFEST.sha256 + .minisig, so an
installed folder can be checked), the portable archive salon-desk-VERSION-PLATFORM.tar.gz, on Linux the
package salon-desk_VERSION_ARCH.deb, a .minisig for each, and SHA256SUMS + SHA256SUMS.minisig over them.
Archives are reproducible: sorted entries, fixed owner and times (SOURCE_DATE_EPOCH, default: the commit's).

Keys never live in the repository: the signing key is read from SALON_RELEASE_SIGNING_KEY (base64 of the
32-byte Ed25519 seed; a CI secret) or from the OS keyring (service "salon-desk-release", user "ed25519").
Authenticode: SALON_AUTHENTICODE_PFX (+ SALON_AUTHENTICODE_PASSWORD), or SALON_AUTHENTICODE_CERT and
SALON_AUTHENTICODE_KEY (PEM files); SALON_AUTHENTICODE_TIMESTAMP_URL adds an RFC 3161 timestamp.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from salon_desk.verify import (  # noqa: E402
    BUNDLE_MANIFEST,
    SIG_SUFFIX,
    manifest_text,
    public_key_of,
    sign_file,
)

KEY_ENV = "SALON_RELEASE_SIGNING_KEY"
KEYRING_SERVICE, KEYRING_USER = "salon-desk-release", "ed25519"


class ReleaseError(Exception):
    pass


def signing_key() -> Ed25519PrivateKey:
    text = os.environ.get(KEY_ENV)
    if not text:
        try:
            import keyring

            text = keyring.get_password(KEYRING_SERVICE, KEYRING_USER)
        except Exception:  # no keyring backend on a build server: the environment is the way there
            text = None
    if not text:
        raise ReleaseError(f"no signing key: set {KEY_ENV} or store it in the keyring "
                           f"(service {KEYRING_SERVICE!r}, user {KEYRING_USER!r}); see `keygen`")
    try:
        seed = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise ReleaseError(f"{KEY_ENV} is not base64") from None
    if len(seed) != 32:
        raise ReleaseError(f"{KEY_ENV} must hold a 32-byte Ed25519 seed")
    return Ed25519PrivateKey.from_private_bytes(seed)


def keygen(pub: Path, to_keyring: bool) -> None:
    private = Ed25519PrivateKey.generate()
    seed = base64.b64encode(private.private_bytes_raw()).decode()
    pub.write_text(public_key_of(private).to_minisign())
    if to_keyring:
        import keyring

        keyring.set_password(KEYRING_SERVICE, KEYRING_USER, seed)
        print(f"public key written to {pub}; the secret key is in the keyring only")
    else:
        print(f"public key written to {pub}. The secret key follows: put it in your CI secret store as "
              f"{KEY_ENV} and nowhere else.", file=sys.stderr)
        print(seed)


def sign(paths: list[Path], key: Ed25519PrivateKey) -> list[Path]:
    out = []
    for path in paths:
        sig = path.with_name(path.name + SIG_SUFFIX)
        sig.write_text(sign_file(path, key))
        out.append(sig)
    return out


def _epoch() -> int:
    if "SOURCE_DATE_EPOCH" in os.environ:
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        return int(subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%ct"], capture_output=True,
                                  text=True, check=True).stdout.strip())
    except (subprocess.CalledProcessError, FileNotFoundError, ValueError):
        return 0


def bundle_files(bundle: Path) -> list[Path]:
    skip = {BUNDLE_MANIFEST, BUNDLE_MANIFEST + SIG_SUFFIX}
    return [p for p in bundle.rglob("*") if (p.is_file() or p.is_symlink()) and p.name not in skip]


def sign_bundle(bundle: Path, key: Ed25519PrivateKey) -> Path:
    manifest = bundle / BUNDLE_MANIFEST
    manifest.write_text(manifest_text(bundle, bundle_files(bundle)))
    sign([manifest], key)
    return manifest


def _add_tree(tar: tarfile.TarFile, source: Path, arcname: str, epoch: int) -> None:
    """Sorted, owner root, fixed times: the same folder gives the same archive."""
    def normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        info.mtime = epoch
        info.mode = 0o755 if info.isdir() or info.mode & 0o111 else 0o644
        return info

    tar.add(source, arcname=arcname, recursive=False, filter=normalise)
    if source.is_dir() and not source.is_symlink():
        for child in sorted(source.iterdir(), key=lambda p: p.name):
            _add_tree(tar, child, f"{arcname}/{child.name}", epoch)


def _deterministic_gzip_tar(out: Path, add, level: int) -> None:
    with out.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=level, mtime=0,
                                              filename="") as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as tar:
        add(tar)


def portable_archive(bundle: Path, out: Path, epoch: int, level: int) -> Path:
    _deterministic_gzip_tar(out, lambda tar: _add_tree(tar, bundle, "salon-desk", epoch), level)
    return out


def debian_arch() -> str:
    machine = platform.machine().lower()
    return {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)


def deb_package(bundle: Path, out_dir: Path, version: str, epoch: int, compression: str) -> Path:
    """/opt/salon-desk (the frozen folder), /usr/bin/salon-desk, a desktop entry and an icon."""
    if shutil.which("dpkg-deb") is None:
        raise ReleaseError("dpkg-deb is not installed (apt-get install dpkg-dev)")
    arch = debian_arch()
    out = out_dir / f"salon-desk_{version}_{arch}.deb"
    with tempfile.TemporaryDirectory(prefix="salon-deb-") as tmp:
        root = Path(tmp) / "root"
        shutil.copytree(bundle, root / "opt" / "salon-desk", symlinks=True)
        (root / "usr" / "bin").mkdir(parents=True)
        (root / "usr" / "bin" / "salon-desk").symlink_to("/opt/salon-desk/salon-desk")
        apps = root / "usr" / "share" / "applications"
        icons = root / "usr" / "share" / "icons" / "hicolor" / "scalable" / "apps"
        apps.mkdir(parents=True)
        icons.mkdir(parents=True)
        shutil.copy2(ROOT / "packaging" / "linux" / "salon-desk.desktop", apps / "salon-desk.desktop")
        shutil.copy2(ROOT / "packaging" / "linux" / "salon-desk.svg", icons / "salon-desk.svg")
        size_kib = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink()) // 1024
        debian = root / "DEBIAN"
        debian.mkdir()
        (debian / "control").write_text(
            "Package: salon-desk\n"
            f"Version: {version}\n"
            f"Architecture: {arch}\n"
            "Maintainer: Salon Desk <support@salon-desk.invalid>\n"
            f"Installed-Size: {size_kib}\n"
            "Depends: libc6, libfontconfig1, libxkbcommon0, libegl1, libgl1, libdbus-1-3, libxcb-cursor0\n"
            "Recommends: fonts-noto-core, gnome-keyring\n"
            "Section: misc\n"
            "Priority: optional\n"
            "Description: Salon Desk: the salon's front-desk app\n"
            " Bookings, walk-ins and the day's calendar for hair and beauty salons;\n"
            " works offline and syncs with the salon's cloud. Frozen build: no Python needed.\n")
        for path in sorted(root.rglob("*")):
            if not path.is_symlink():
                os.utime(path, (epoch, epoch))
                if path.is_file():
                    path.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)
                else:
                    path.chmod(0o755)
        os.utime(root, (epoch, epoch))
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
        level = ["-z1"] if compression == "gzip" else []
        subprocess.run(["dpkg-deb", "--root-owner-group", f"-Z{compression}", *level, "--build", str(root),
                        str(out)], check=True, env=env, stdout=subprocess.DEVNULL)
    return out


def authenticode(source: Path, out: Path, *, timestamp: bool = True) -> Path:
    """Authenticode-signs a Windows PE file with osslsigncode and the configured certificate."""
    if shutil.which("osslsigncode") is None:
        raise ReleaseError("osslsigncode is not installed (apt-get install osslsigncode)")
    pfx, cert, key = (os.environ.get(n) for n in ("SALON_AUTHENTICODE_PFX", "SALON_AUTHENTICODE_CERT",
                                                  "SALON_AUTHENTICODE_KEY"))
    if pfx:
        creds = ["-pkcs12", pfx]
        password = os.environ.get("SALON_AUTHENTICODE_PASSWORD")
        if password:
            creds += ["-readpass", _secret_file(password)]
    elif cert and key:
        creds = ["-certs", cert, "-key", key]
    else:
        raise ReleaseError("no Authenticode certificate configured (SALON_AUTHENTICODE_PFX, or "
                           "SALON_AUTHENTICODE_CERT and SALON_AUTHENTICODE_KEY)")
    command = ["osslsigncode", "sign", *creds, "-h", "sha256", "-n", "Salon Desk", "-in", str(source),
               "-out", str(out)]
    if os.environ.get("SALON_AUTHENTICODE_INFO_URL"):  # the publisher's web page, shown by Windows
        command[-4:-4] = ["-i", os.environ["SALON_AUTHENTICODE_INFO_URL"]]
    url = os.environ.get("SALON_AUTHENTICODE_TIMESTAMP_URL")
    if timestamp and url:
        command += ["-ts", url]
    try:
        result = subprocess.run(command, capture_output=True, text=True)
    finally:
        if pfx and os.environ.get("SALON_AUTHENTICODE_PASSWORD"):
            os.unlink(creds[-1])
    if result.returncode != 0:
        raise ReleaseError(f"osslsigncode could not sign {source.name}: {result.stderr.strip()[-400:]}")
    return out


def _secret_file(secret: str) -> str:
    handle, name = tempfile.mkstemp(prefix="salon-pass-")
    with os.fdopen(handle, "w") as f:
        f.write(secret)
    return name


def release_all(dist: Path, deb_compression: str, gzip_level: int) -> list[Path]:
    bundle = dist / "salon-desk"
    info = json.loads((bundle / "BUILD-INFO.json").read_text())
    version, plat = info["version"], info["platform"]
    key = signing_key()
    epoch = _epoch()
    signed = [sign_bundle(bundle, key)]
    artifacts = [portable_archive(bundle, dist / f"salon-desk-{version}-{plat}.tar.gz", epoch, gzip_level)]
    if sys.platform.startswith("linux"):
        artifacts.append(deb_package(bundle, dist, version, epoch, deb_compression))
    sign(artifacts, key)
    sums = dist / "SHA256SUMS"
    sums.write_text(manifest_text(dist, artifacts))
    sign([sums], key)
    for path in [*signed, *artifacts, sums]:
        print(f"signed {path}")
    return artifacts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="packaging/release.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    kg = sub.add_parser("keygen", help="a new Ed25519 release key pair (minisign format public key)")
    kg.add_argument("--pub", type=Path, required=True)
    kg.add_argument("--keyring", action="store_true", help="keep the secret in the OS keyring only")
    sg = sub.add_parser("sign", help="FILE.minisig for each file")
    sg.add_argument("files", nargs="+", type=Path)
    al = sub.add_parser("all", help="sign the bundle, build the archive and the .deb, sign them all")
    al.add_argument("--dist", type=Path, default=ROOT / "dist")
    al.add_argument("--deb-compression", choices=["gzip", "none"], default="gzip")
    al.add_argument("--gzip-level", type=int, default=6, help="portable archive: 1 fastest, 9 smallest")
    ac = sub.add_parser("authenticode", help="Authenticode-sign a Windows .exe with osslsigncode")
    ac.add_argument("source", type=Path)
    ac.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "keygen":
            keygen(args.pub, args.keyring)
        elif args.command == "sign":
            for sig in sign(args.files, signing_key()):
                print(f"signed {sig}")
        elif args.command == "all":
            release_all(args.dist, args.deb_compression, args.gzip_level)
        elif args.command == "authenticode":
            print(f"signed {authenticode(args.source, args.out)}")
    except ReleaseError as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
