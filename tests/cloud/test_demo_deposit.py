"""`salon-desk --demo` asks its 50 SAR deposit the way a salon does (issue #12): the demo's owner sets it on the
desk's salon profile at enrolment, the desk's first sync carries it to the embedded cloud, and the cloud asks
exactly that amount. The payment account holds only the Moyasar keys."""

from __future__ import annotations

import shutil
from pathlib import Path

from salon_desk.app import open_desk
from salon_desk.cloud.clock import ManualClock
from salon_desk.demo.cloud import DEMO_DEPOSIT_HALALAS, enrol_demo_desk, start_demo_cloud
from salon_desk.secrets import MemorySecretStore
from salon_desk.sync.session import open_sync_session
from salon_desk.usecases.enrolment import SERVICE
from tests.conftest import DEMO_NOW, FixedClock


def test_the_demo_deposit_goes_from_the_desk_profile_to_the_cloud(demo_template: Path, tmp_path: Path) -> None:
    shutil.copy(demo_template, tmp_path / "salon-desk.db")
    desk_clock = FixedClock()
    runtime = open_desk(tmp_path, clock=desk_clock)
    cloud = start_demo_cloud(tmp_path, runtime.paths.database, clock=ManualClock(DEMO_NOW))
    try:
        payments = cloud.app.state.payments
        assert payments.deposit_for(cloud.salon_id) == 0  # imported before the owner set it
        secrets = MemorySecretStore()
        link = enrol_demo_desk(cloud, runtime.engine, secrets)
        runtime.close()
        runtime = open_desk(tmp_path, clock=desk_clock)
        assert runtime.desk.salon_profile.get().deposit_halalas == DEMO_DEPOSIT_HALALAS  # the owner's page
        session = open_sync_session(runtime.paths.database, link.cloud_url, link.device_id,
                                    secrets.get(SERVICE, link.device_id))
        try:
            report = session.sync_once()
            assert report.ok and report.refused == 0, report
        finally:
            session.close()
        assert payments.deposit_for(cloud.salon_id) == DEMO_DEPOSIT_HALALAS
        assert "deposit_halalas" not in payments.account_facts(cloud.salon_id)
    finally:
        runtime.close()
        cloud.stop()
