"""Fixtures for browser tests that pay through the fake Moyasar: the fake on loopback (webhooks held until the
test releases them) and a cloud that talks to it. Import both names into the test module to use them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from salon_desk.cloud.dev.moyasar_fake import FakeMoyasar
from salon_desk.cloud.payments.keys import new_master_key
from tests.cloud.conftest import CloudServer, StartCloudServer


@pytest.fixture
def fake() -> Iterator[FakeMoyasar]:
    moyasar = FakeMoyasar().start()
    moyasar.hold_webhooks()
    yield moyasar
    moyasar.stop()


@pytest.fixture
def cloud_server(start_cloud_server: StartCloudServer, fake: FakeMoyasar) -> CloudServer:
    server = start_cloud_server(moyasar_base_url=fake.api_url, payments_key=new_master_key())
    server.app.state.payments._base = server.base_url  # the return page on this loopback server
    return server
