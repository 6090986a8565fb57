"""Signed artifacts (#13): a SHA-256 manifest and detached Ed25519 signatures in minisign's format, checked by
`salon-desk-verify` (and by the real `minisign` when it is installed); a flipped byte, a wrong key, a missing
signature and a file outside the manifest are refused with a plain message. Authenticode with osslsigncode on a
real Windows PE file and a throwaway certificate. The unit tests here need no build."""

from __future__ import annotations

import glob
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from salon_desk.verify import main as verify_main
from salon_desk.verify import public_key_of, sign_file
from tests.packaging.conftest import ROOT, Release, real_clock_env

VERIFY = [sys.executable, "-m", "salon_desk.verify"]


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def run_verify(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*VERIFY, *map(str, args)], capture_output=True, text=True, env=real_clock_env())


@pytest.fixture
def keys(tmp_path: Path):
    private, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    good, wrong = tmp_path / "release.pub", tmp_path / "other.pub"
    good.write_text(public_key_of(private).to_minisign())
    wrong.write_text(public_key_of(other).to_minisign())
    return private, good, wrong


def test_sign_and_verify_a_file_then_a_flipped_byte_and_a_wrong_key_are_refused(tmp_path: Path, keys, capsys):
    private, good, wrong = keys
    artifact = tmp_path / "salon-desk-9.9.9.tar.gz"
    artifact.write_bytes(bytes(range(256)) * 64)
    (tmp_path / "salon-desk-9.9.9.tar.gz.minisig").write_text(sign_file(artifact, private))
    assert verify_main([str(artifact), "--pubkey", str(good)]) == 0
    assert "OK: salon-desk-9.9.9.tar.gz" in capsys.readouterr().out

    assert verify_main([str(artifact), "--pubkey", str(wrong)]) == 1
    assert "wrong key" in capsys.readouterr().err

    flip_byte(artifact, 1000)
    assert verify_main([str(artifact), "--pubkey", str(good)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("REFUSED: salon-desk-9.9.9.tar.gz does not match its signature") and "Do not install" in err


def test_a_missing_signature_a_damaged_one_and_no_key_are_explained(tmp_path: Path, keys, capsys, monkeypatch):
    private, good, _ = keys
    monkeypatch.delenv("SALON_DESK_RELEASE_PUBKEY", raising=False)
    artifact = tmp_path / "a.deb"
    artifact.write_bytes(b"x" * 100)
    assert verify_main([str(artifact), "--pubkey", str(good)]) == 1
    assert "no signature found for a.deb" in capsys.readouterr().err
    (tmp_path / "a.deb.minisig").write_text("untrusted comment: nothing\nnot base64!\n")
    assert verify_main([str(artifact), "--pubkey", str(good)]) == 1
    assert "damaged" in capsys.readouterr().err
    assert verify_main([str(artifact)]) == 2
    assert "no public key" in capsys.readouterr().err
    signature = sign_file(artifact, private)
    lines = signature.splitlines()
    lines[2] = "trusted comment: file:other.deb hashed"  # someone re-labels a valid signature
    (tmp_path / "a.deb.minisig").write_text("\n".join(lines) + "\n")
    assert verify_main([str(artifact), "--pubkey", str(good)]) == 1
    assert "trusted comment" in capsys.readouterr().err
    old = tmp_path / "salon-desk_0.0.9_amd64.deb"  # an older release renamed to pass for a newer one
    old.write_bytes(b"old" * 100)
    (tmp_path / "a.deb.minisig").write_text(sign_file(old, private))
    old.rename(artifact)
    assert verify_main([str(artifact), "--pubkey", str(good)]) == 1
    assert "signed under another name, salon-desk_0.0.9_amd64.deb" in capsys.readouterr().err
    artifact.write_bytes(b"x" * 100)
    (tmp_path / "a.deb.minisig").write_text(signature)
    monkeypatch.setenv("SALON_DESK_RELEASE_PUBKEY", good.read_text().splitlines()[1])
    assert verify_main([str(artifact)]) == 0


@pytest.mark.skipif(shutil.which("minisign") is None, reason="Debian's minisign is not installed")
def test_the_real_minisign_accepts_our_signatures_and_we_accept_its(tmp_path: Path, keys):
    private, good, _ = keys
    artifact = tmp_path / "salon-desk.tar.gz"
    artifact.write_bytes(b"an archive" * 1000)
    (tmp_path / "salon-desk.tar.gz.minisig").write_text(sign_file(artifact, private))
    ours = subprocess.run(["minisign", "-Vm", str(artifact), "-p", str(good)], capture_output=True, text=True)
    assert ours.returncode == 0, ours.stderr
    # ...and a signature made by minisign itself (its own key, no password) passes salon-desk-verify.
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    subprocess.run(["minisign", "-G", "-W", "-p", str(theirs / "k.pub"), "-s", str(theirs / "k.key")],
                   check=True, capture_output=True)
    subprocess.run(["minisign", "-S", "-s", str(theirs / "k.key"), "-m", str(artifact), "-x",
                    str(theirs / "sig")], check=True, capture_output=True)
    result = run_verify(artifact, "--pubkey", theirs / "k.pub", "--sig", theirs / "sig")
    assert result.returncode == 0, result.stderr


@pytest.mark.packaging
def test_the_release_verifies_and_a_flipped_byte_in_the_archive_is_refused(release: Release, tmp_path: Path):
    sums = run_verify(release.sums, "--pubkey", release.pubkey)
    assert sums.returncode == 0, sums.stderr
    assert "2 listed files match" in sums.stdout or "1 listed files match" in sums.stdout
    bundle = subprocess.run([sys.executable, str(ROOT / "packaging" / "verify"), str(release.build.bundle),
                             "--pubkey", str(release.pubkey)], capture_output=True, text=True, env=real_clock_env())
    assert bundle.returncode == 0, bundle.stderr
    if shutil.which("minisign"):
        for artifact in (release.archive, release.sums):
            subprocess.run(["minisign", "-Vqm", str(artifact), "-p", str(release.pubkey)], check=True)

    tampered = tmp_path / release.archive.name
    shutil.copy(release.archive, tampered)
    shutil.copy(release.archive.with_name(release.archive.name + ".minisig"), tmp_path)
    flip_byte(tampered, tampered.stat().st_size // 2)
    refused = run_verify(tampered, "--pubkey", release.pubkey)
    assert refused.returncode == 1
    assert "does not match its signature" in refused.stderr
    other = tmp_path / "other.pub"
    other.write_text(public_key_of(Ed25519PrivateKey.generate()).to_minisign())
    assert "wrong key" in run_verify(release.sums, "--pubkey", other).stderr


def _windows_pe() -> Path | None:
    """A real Windows executable already on the machine: pip's vendored distlib launchers."""
    found = sorted(glob.glob(str(Path(sys.prefix) / "lib" / "python*" / "site-packages" / "pip" / "_vendor" /
                                 "distlib" / "*.exe")))
    found += sorted(glob.glob("/usr/lib/python3*/**/distlib/*.exe", recursive=True))
    found += sorted(glob.glob("/root/.pyenv/versions/*/lib/python*/site-packages/pip/_vendor/distlib/*.exe"))
    return Path(found[0]) if found else None


@pytest.mark.skipif(shutil.which("osslsigncode") is None or shutil.which("openssl") is None,
                    reason="osslsigncode and openssl are installed by .ci/run")
def test_authenticode_signs_a_real_pe_file_with_a_throwaway_certificate(tmp_path: Path):
    pe = _windows_pe()
    assert pe is not None, "no Windows PE file found (pip's distlib launchers)"
    assert pe.read_bytes()[:2] == b"MZ"
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=Salon Desk test signing/O=Throwaway",
                    "-addext", "extendedKeyUsage=codeSigning"], check=True, capture_output=True,
                   env=real_clock_env())
    signed = tmp_path / "signed.exe"
    release = [sys.executable, str(ROOT / "packaging" / "release.py"), "authenticode", str(pe), str(signed)]
    unconfigured = subprocess.run(release, capture_output=True, text=True, env=real_clock_env())
    assert unconfigured.returncode == 1 and "no Authenticode certificate configured" in unconfigured.stderr
    env = real_clock_env(SALON_AUTHENTICODE_CERT=str(cert), SALON_AUTHENTICODE_KEY=str(key))
    subprocess.run(release, check=True, capture_output=True, text=True, env=env)
    check = ["osslsigncode", "verify", "-CAfile", str(cert), "-in"]
    good = subprocess.run([*check, str(signed)], capture_output=True, text=True, env=real_clock_env())
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Signature verification: ok" in good.stdout
    unsigned = subprocess.run([*check, str(pe)], capture_output=True, text=True, env=real_clock_env())
    assert unsigned.returncode != 0
    data = bytearray(signed.read_bytes())
    data[0x200] ^= 0xFF  # a byte of the code, covered by the Authenticode digest
    tampered = tmp_path / "tampered.exe"
    tampered.write_bytes(bytes(data))
    bad = subprocess.run([*check, str(tampered)], capture_output=True, text=True, env=real_clock_env())
    assert bad.returncode != 0
