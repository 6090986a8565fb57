"""Benchmark fixtures: `bench` records a figure (see report.py)."""

from __future__ import annotations

import pytest

from tests.benchmarks.report import Recorder


@pytest.fixture
def bench(request: pytest.FixtureRequest) -> Recorder:
    module = request.node.module.__name__.rsplit(".", 1)[-1]
    return Recorder(f"{module}::{request.node.name}")
