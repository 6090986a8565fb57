"""`salon-desk audit verify` reports the first broken link when a row of the audit chain was edited."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import text

from salon_desk.app import open_desk
from salon_desk.cli import desk_main
from salon_desk.usecases.commands import AddCustomer
from tests.conftest import FixedClock


def test_audit_verify_reports_the_first_broken_link(demo_template: Path, tmp_path: Path, capsys) -> None:
    shutil.copy(demo_template, tmp_path / "salon-desk.db")
    runtime = open_desk(tmp_path, clock=FixedClock())
    for n in range(3):
        runtime.desk.customers.add(AddCustomer(f"Chain {n}", f"055123400{n}"))
    runtime.close()

    assert desk_main(["audit", "verify", "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("intact: 3 events")

    runtime = open_desk(tmp_path, clock=FixedClock())
    with runtime.engine.begin() as con:
        con.execute(text("UPDATE audit_event SET actor_id = '00000000-0000-7000-8000-00000000beef' WHERE seq = 2"))
    runtime.close()
    assert desk_main(["audit", "verify", "--data-dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("BROKEN: event #2") and "edited" in out
