"""`salon-desk-verify`: checks a Salon Desk artifact against the vendor's published Ed25519 public key.

Signatures are minisign's format (https://jedisct1.github.io/minisign/), chosen because IT can check them with
a small, audited, widely packaged tool (`minisign -Vm FILE -P KEY`, in Debian, Homebrew, Scoop) as well as with
this command, and because a detached `.minisig` next to each download needs no key server, no web of trust and
no expiry handling (GnuPG needs all three). TUF metadata (the update channel) is for updates, signed with the
same kind of key; this is for a person holding a downloaded file.

* a file: `salon-desk-verify FILE` reads `FILE.minisig` (Ed25519 over BLAKE2b-512 of the file, and a second
  signature over the trusted comment, which names the file);
* a release manifest: `salon-desk-verify SHA256SUMS` checks its signature, then every file it lists;
* an installed or unpacked build folder: `salon-desk-verify DIR` checks `DIR/MANIFEST.sha256` and its
  signature, then every file in the folder (changed, missing and unexpected files are all refused).

The public key: `--pubkey FILE` (minisign's `.pub`), `-P BASE64`, or `SALON_DESK_RELEASE_PUBKEY` (either form).
Exit codes: 0 verified, 1 refused (the message says what is wrong), 2 nothing to check with (no key, no file).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PUBKEY_ENV = "SALON_DESK_RELEASE_PUBKEY"
SIG_SUFFIX = ".minisig"
BUNDLE_MANIFEST = "MANIFEST.sha256"
_ALG_PUBKEY = b"Ed"
_ALG_PREHASHED = b"ED"  # minisign's default: the file's BLAKE2b-512 is signed (constant memory)
_ALG_LEGACY = b"Ed"  # the whole file is signed (minisign -l); accepted when verifying


class Refused(Exception):
    """Verification failed; the message says plainly why (shown to IT as is)."""


class Unusable(Exception):
    """Nothing to verify with: no key, no signature file, an unreadable input (exit code 2)."""


@dataclass(frozen=True, slots=True)
class PublicKey:
    key_id: bytes  # 8 bytes, as minisign stores them
    key: bytes  # 32 bytes

    @property
    def key_id_hex(self) -> str:
        return self.key_id[::-1].hex().upper()  # minisign prints the id as a little-endian 64-bit number

    def to_minisign(self) -> str:
        body = base64.b64encode(_ALG_PUBKEY + self.key_id + self.key).decode()
        return f"untrusted comment: minisign public key {self.key_id_hex}\n{body}\n"


@dataclass(frozen=True, slots=True)
class Signature:
    algorithm: bytes
    key_id: bytes
    signature: bytes
    trusted_comment: str
    global_signature: bytes


def key_id_for(public: bytes) -> bytes:
    """A stable 8-byte key id derived from the public key (minisign picks a random one; either is valid)."""
    return hashlib.blake2b(public, digest_size=8).digest()


def public_key_of(private: Ed25519PrivateKey) -> PublicKey:
    raw = private.public_key().public_bytes_raw()
    return PublicKey(key_id_for(raw), raw)


def parse_public_key(text: str) -> PublicKey:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        raise Unusable("the public key is empty")
    body = next((line for line in lines if not line.startswith("untrusted comment:")), "")
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise Unusable("the public key is not a minisign public key (base64 expected)") from None
    if len(raw) != 42 or raw[:2] != _ALG_PUBKEY:
        raise Unusable("the public key is not a minisign Ed25519 public key")
    return PublicKey(raw[2:10], raw[10:])


def parse_signature(text: str) -> Signature:
    lines = text.splitlines()
    if len(lines) < 4 or not lines[0].startswith("untrusted comment:") \
            or not lines[2].startswith("trusted comment: "):
        raise Refused("the signature file is damaged or not a minisign signature")
    try:
        raw = base64.b64decode(lines[1].strip(), validate=True)
        global_sig = base64.b64decode(lines[3].strip(), validate=True)
    except (binascii.Error, ValueError):
        raise Refused("the signature file is damaged (bad base64)") from None
    if len(raw) != 74 or raw[:2] not in (_ALG_PREHASHED, _ALG_LEGACY) or len(global_sig) != 64:
        raise Refused("the signature file is damaged or uses an unknown algorithm")
    return Signature(raw[:2], raw[2:10], raw[10:], lines[2][len("trusted comment: "):], global_sig)


def _blake2b_file(path: Path) -> bytes:
    digest = hashlib.blake2b(digest_size=64)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.digest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sign_file(path: Path, private: Ed25519PrivateKey, trusted_comment: str | None = None) -> str:
    """The `.minisig` text for a file (prehashed, as `minisign -S` writes by default)."""
    public = public_key_of(private)
    comment = trusted_comment or f"file:{path.name} hashed"
    if "\n" in comment or "\r" in comment:
        raise ValueError("a trusted comment is one line")
    signature = private.sign(_blake2b_file(path))
    global_sig = private.sign(signature + comment.encode())
    body = base64.b64encode(_ALG_PREHASHED + public.key_id + signature).decode()
    return (f"untrusted comment: signature from Salon Desk release key {public.key_id_hex}\n{body}\n"
            f"trusted comment: {comment}\n{base64.b64encode(global_sig).decode()}\n")


def verify_file(path: Path, signature_text: str, key: PublicKey) -> str:
    """Checks a file against its detached signature; returns the trusted comment. Raises Refused."""
    sig = parse_signature(signature_text)
    if sig.key_id != key.key_id:
        raise Refused(f"{path.name} was signed with key {sig.key_id[::-1].hex().upper()}, not with the "
                      f"public key given ({key.key_id_hex}): wrong key, or not a Salon Desk release")
    public = Ed25519PublicKey.from_public_bytes(key.key)
    message = _blake2b_file(path) if sig.algorithm == _ALG_PREHASHED else path.read_bytes()
    try:
        public.verify(sig.signature, message)
    except InvalidSignature:
        raise Refused(f"{path.name} does not match its signature: the file was changed or damaged after it "
                      "was signed (or the signature belongs to another file). Do not install it.") from None
    try:
        public.verify(sig.global_signature, sig.signature + sig.trusted_comment.encode())
    except InvalidSignature:
        raise Refused(f"the signature's trusted comment for {path.name} was altered") from None
    signed_as = next((part[5:] for part in sig.trusted_comment.split() if part.startswith("file:")), None)
    if signed_as is not None and signed_as != path.name:
        raise Refused(f"{path.name} was signed under another name, {signed_as}: a renamed file (perhaps an "
                      "older version). Do not install it.")
    return sig.trusted_comment


def parse_manifest(text: str) -> dict[str, str]:
    """`sha256sum` format: '<64 hex>  <relative path>' per line ('*' binary marker accepted)."""
    entries: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep:
            digest, sep, name = line.partition(" *")
        if not sep or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise Refused(f"the manifest is damaged at line {number}")
        name = name.strip()
        if name.startswith("/") or ".." in Path(name).parts:
            raise Refused(f"the manifest names a path outside its folder: {name}")
        entries[name] = digest
    return entries


def manifest_text(root: Path, files: list[Path]) -> str:
    lines = [f"{sha256_file(f)}  {f.relative_to(root).as_posix()}" for f in sorted(files)]
    return "\n".join(lines) + "\n"


def check_manifest(root: Path, entries: dict[str, str], complete: bool, skip: frozenset[str]) -> int:
    problems: list[str] = []
    for name, digest in sorted(entries.items()):
        target = root / name
        if not target.is_file():
            problems.append(f"missing: {name}")
        elif sha256_file(target) != digest:
            problems.append(f"changed: {name}")
    if complete:
        present = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() or p.is_symlink()}
        problems += [f"unexpected: {name}" for name in sorted(present - set(entries) - skip)]
    if problems:
        shown = "\n  ".join(problems[:20]) + ("\n  …" if len(problems) > 20 else "")
        raise Refused(f"{len(problems)} file(s) do not match the signed manifest:\n  {shown}")
    return len(entries)


def load_key(pubkey_file: Path | None, pubkey_text: str | None) -> PublicKey:
    if pubkey_file is not None:
        try:
            return parse_public_key(pubkey_file.read_text())
        except OSError as exc:
            raise Unusable(f"cannot read the public key {pubkey_file}: {exc.strerror}") from None
    text = pubkey_text or os.environ.get(PUBKEY_ENV)
    if not text:
        raise Unusable(f"no public key: pass --pubkey FILE or -P KEY, or set {PUBKEY_ENV}")
    candidate = Path(text)
    if "\n" not in text and len(text) < 4096 and candidate.is_file():
        return parse_public_key(candidate.read_text())
    return parse_public_key(text)


def _read_signature(path: Path, signature: Path | None) -> str:
    sig_path = signature or path.with_name(path.name + SIG_SUFFIX)
    try:
        return sig_path.read_text()
    except FileNotFoundError:
        raise Refused(f"no signature found for {path.name} (expected {sig_path.name}): unsigned files are "
                      "refused") from None


def verify(target: Path, key: PublicKey, signature: Path | None = None) -> str:
    """Verifies a file, a manifest or a build folder; returns what was checked. Raises Refused / Unusable."""
    if target.is_dir():
        manifest = target / BUNDLE_MANIFEST
        if not manifest.is_file():
            raise Refused(f"{target} has no {BUNDLE_MANIFEST}: not a signed Salon Desk build")
        verify_file(manifest, _read_signature(manifest, signature), key)
        count = check_manifest(target, parse_manifest(manifest.read_text()), complete=True,
                               skip=frozenset({BUNDLE_MANIFEST, BUNDLE_MANIFEST + SIG_SUFFIX}))
        return f"OK: {target} — {count} files match the manifest signed by key {key.key_id_hex}"
    if not target.is_file():
        raise Unusable(f"{target} does not exist")
    comment = verify_file(target, _read_signature(target, signature), key)
    if target.name == "SHA256SUMS" or target.suffix == ".sha256":
        count = check_manifest(target.parent, parse_manifest(target.read_text()), complete=False,
                               skip=frozenset())
        return f"OK: {target.name} signed by key {key.key_id_hex}; {count} listed files match"
    return f"OK: {target.name} signed by key {key.key_id_hex} ({comment})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="salon-desk-verify",
        description="Check a Salon Desk download, release manifest or installed folder against the "
                    "vendor's public key.")
    parser.add_argument("target", type=Path, help="a file (with FILE.minisig beside it), SHA256SUMS, or a "
                                                  "build folder holding MANIFEST.sha256")
    parser.add_argument("--pubkey", "-p", type=Path, help="the published public key file (minisign .pub)")
    parser.add_argument("-P", dest="pubkey_text", help="the public key itself (base64)")
    parser.add_argument("--sig", "-x", type=Path, help="the signature file (default: TARGET.minisig)")
    args = parser.parse_args(argv)
    try:
        key = load_key(args.pubkey, args.pubkey_text)
        print(verify(args.target, key, args.sig))
        return 0
    except Refused as exc:
        print(f"REFUSED: {exc}", file=sys.stderr)
        return 1
    except Unusable as exc:
        print(f"cannot verify: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
