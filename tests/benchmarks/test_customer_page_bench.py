"""The customer booking page under load: p99 latency with 200 concurrent clients for 10 s (wrk), against
`/healthz` on the same server as the baseline. A real `salon-cloud serve --workers 2` on 127.0.0.1.

Run: pytest tests/benchmarks/test_customer_page_bench.py -m benchmark -s
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time

import httpx
import pytest
from sqlalchemy import text

import salon_desk.cloud.rows  # noqa: F401 - every cloud table, so foreign keys resolve
from salon_desk.clock import utc_now
from salon_desk.cloud.db import Database
from salon_desk.cloud.links.service import issue_link
from tests.benchmarks.report import Recorder, scaled

pytestmark = pytest.mark.benchmark
WRK = shutil.which("wrk")
SECONDS = scaled(10, 2)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wrk(url: str) -> tuple[float, float]:
    out = subprocess.run([WRK, "-t2", "-c200", f"-d{SECONDS}s", "--latency", url], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert p99 and rps, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert non_2xx is None, out  # every answer was a real page
    return float(p99.group(1)) * scale, float(rps.group(1))


@pytest.mark.skipif(WRK is None, reason="wrk (Debian package) is not installed")
def test_booking_page_p99_under_200_concurrent_clients(tmp_path, demo_db, bench: Recorder):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cloud.db'}", "SALON_PUBLIC_BASE_URL": base}
    cloud = [sys.executable, "-c", "import sys; from salon_desk.cli import cloud_main; sys.exit(cloud_main())"]
    salon_id = sqlite3.connect(demo_db).execute("SELECT id FROM salon").fetchone()[0]
    subprocess.run([*cloud, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([*cloud, "import-desk", "--salon", salon_id, "--desk-db", str(demo_db)], env=env, check=True,
                   capture_output=True)
    now = utc_now()
    db = Database.from_url(env["DATABASE_URL"])
    with db.session() as session:
        booking_id = session.execute(
            text("SELECT id FROM booking WHERE status IN ('requested','confirmed') ORDER BY starts_at DESC")
        ).scalar()
        url = issue_link(session, salon_id, booking_id, now, base_url=base)
        session.commit()
    db.dispose()
    server = subprocess.Popen([*cloud, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert httpx.get(url, timeout=5).status_code == 200
        page_p99, page_rps = _wrk(url)
        health_p99, health_rps = _wrk(base + "/healthz")
    finally:
        server.terminate()
        server.wait(10)
    bench(f"customer booking page, 200 concurrent clients, {SECONDS} s, 2 uvicorn workers: p99", page_p99, "ms",
          baseline=health_p99, baseline_name="GET /healthz on the same server, p99",
          note=f"{page_rps:,.0f} pages/s; /healthz {health_rps:,.0f} req/s")
