"""`salon-cloud create-salon --vat-number N --commercial-registration CR` (issue #10): checked by the rule the
desk's salon profile uses (domain.salon_profile.check_profile), refused with a clear message and nothing
created; accepted facts land in the salon's replicated profile, the row a desk's first pull brings."""

from __future__ import annotations

import pytest

from salon_desk.cloud.db import Database
from salon_desk.cloud.salons.rows import SalonRow
from salon_desk.cloud.sync.pull import read_page
from tests.cloud.test_cli import cloud_env, run  # noqa: F401 - the fixture is used by name

VAT = "310122393500003"


def salons(url: str) -> list[SalonRow]:
    db = Database.from_url(url)
    try:
        with db.reader() as session:
            return list(session.query(SalonRow).all())
    finally:
        db.dispose()


def first_pull(url: str, salon_id: str) -> list[dict]:
    db = Database.from_url(url)
    try:
        with db.reader() as session:
            page = read_page(session, salon_id, None, 100)
            return [c.row for c in page.changes if c.entity == "salon"]
    finally:
        db.dispose()


def test_the_vat_number_and_cr_reach_the_salons_profile_and_a_desks_first_pull(cloud_env, capsys):  # noqa: F811
    run(capsys, "migrate")
    status, salon_id, err = run(capsys, "create-salon", "--name-ar", "صالون الورد", "--name-en", "Rose Salon",
                                "--vat-number", VAT, "--commercial-registration", "1010123456",
                                "--sms-sender", "RoseSalon")
    assert status == 0, err
    [profile] = first_pull(cloud_env, salon_id)
    assert profile["id"] == salon_id
    assert (profile["vat_number"], profile["commercial_registration"]) == (VAT, "1010123456")
    assert (profile["name_ar"], profile["name_en"], profile["sms_sender"]) == ("صالون الورد", "Rose Salon", "RoseSalon")


@pytest.mark.parametrize("vat", ["31012239350000", "410122393500003", "310122393500004", "3101223935OOOO3"])
def test_a_bad_vat_number_is_refused_with_the_rule_and_nothing_is_created(cloud_env, capsys, vat):  # noqa: F811
    run(capsys, "migrate")
    status, out, err = run(capsys, "create-salon", "--name-ar", "صالون", "--name-en", "Salon", "--vat-number", vat)
    assert status == 1 and out == ""
    assert err == "salon-cloud: The VAT number must be 15 digits starting and ending with 3."
    assert salons(cloud_env) == []


def test_a_commercial_registration_that_is_not_digits_is_refused(cloud_env, capsys):  # noqa: F811
    run(capsys, "migrate")
    status, _, err = run(capsys, "create-salon", "--name-ar", "صالون", "--name-en", "Salon",
                         "--commercial-registration", "CR-1010")
    assert status == 1 and "commercial_registration" in err and "not allowed" in err
    assert salons(cloud_env) == []


def test_the_refusal_is_in_arabic_for_an_arabic_shell(cloud_env, capsys, monkeypatch):  # noqa: F811
    run(capsys, "migrate")
    monkeypatch.setenv("LANG", "ar_SA.UTF-8")
    status, _, err = run(capsys, "create-salon", "--name-ar", "صالون", "--name-en", "Salon", "--vat-number", "123")
    assert status == 1 and "الرقم الضريبي" in err


def test_without_profile_facts_no_profile_row_is_written(cloud_env, capsys):  # noqa: F811
    run(capsys, "migrate")
    status, salon_id, _ = run(capsys, "create-salon", "--name-ar", "صالون", "--name-en", "Salon")
    assert status == 0 and first_pull(cloud_env, salon_id) == []
