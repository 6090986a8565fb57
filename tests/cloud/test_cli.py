"""`salon-cloud` commands, run in-process (`main(argv)`) and, for `serve`, as a real process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from salon_desk.cloud.cli import main
from tests.cloud.test_settings import ENVIRONMENT


@pytest.fixture
def cloud_env(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite:///{tmp_path / 'cloud.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    return url


def run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out.strip(), err.strip()


def test_migrate_create_a_salon_and_issue_a_code(cloud_env, capsys):
    assert run(capsys, "migrate")[0] == 0
    status, salon_id, _ = run(capsys, "create-salon", "--name-ar", "صالون الورد", "--name-en", "Rose Salon")
    assert status == 0 and len(salon_id) == 36
    status, code, note = run(capsys, "enrol-code", "--salon", salon_id)
    assert status == 0 and len(code) == 8 and code.isdigit()
    assert "manager code" in note


def test_errors_are_translated_and_exit_non_zero(cloud_env, capsys):
    run(capsys, "migrate")
    status, out, err = run(capsys, "enrol-code", "--salon", "not-a-salon")
    assert status == 1 and out == ""
    assert err == "salon-cloud: This salon was not found."
    status, _, err = run(capsys, "create-salon", "--name-ar", " ", "--name-en", "X")
    assert status == 1 and "name in Arabic and in English" in err


def test_an_invalid_configuration_exits_2(cloud_env, capsys, monkeypatch):
    monkeypatch.setenv("SALON_ENV", "production")
    status, _, err = run(capsys, "migrate")
    assert status == 2 and "invalid configuration" in err


def test_serve_refuses_an_unmigrated_database(cloud_env, capsys):
    status, _, err = run(capsys, "serve", "--port", "1")
    assert status == 1 and "salon-cloud migrate" in err


def test_serve_runs_uvicorn_with_json_logs(cloud_env, capsys, tmp_path):
    run(capsys, "migrate")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from salon_desk.cloud.cli import main; raise SystemExit(main())",
            "serve",
            "--port",
            str(port),
        ],
        env={**os.environ},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        answer = _wait_for(f"http://127.0.0.1:{port}/healthz")
        assert answer.json() == {"status": "ok", "database": "ok"}
    finally:
        process.terminate()
        _, err = process.communicate(timeout=15)
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(line.get("route") == "/healthz" and line.get("status") == 200 for line in lines)


def _wait_for(url: str) -> httpx.Response:
    deadline = time.monotonic() + 20
    while True:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_import_desk_loads_a_desk_salon_into_a_migrated_cloud(tmp_path, demo_db, monkeypatch):
    import sqlite3

    from salon_desk.cloud.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cloud.db'}")
    assert main(["migrate"]) == 0
    salon_id = sqlite3.connect(demo_db).execute("SELECT id FROM salon").fetchone()[0]
    assert main(["import-desk", "--salon", salon_id, "--desk-db", str(demo_db)]) == 0
    assert main(["import-desk", "--salon", salon_id, "--desk-db", str(demo_db)]) == 0  # safe to re-run
    assert main(["import-desk", "--salon", salon_id, "--desk-db", str(tmp_path / "missing.db")]) == 1
    count = "SELECT count(*) FROM booking"
    assert sqlite3.connect(tmp_path / "cloud.db").execute(count).fetchone() == sqlite3.connect(demo_db).execute(
        count
    ).fetchone()
