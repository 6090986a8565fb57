"""The deposit policy as a salon profile setting (issue #12): the owner's four choices are checked by the one
rule (domain.deposit_policy), refused with a translated message, and read back as the policy the cloud applies;
a salon that never chose keeps today's policy."""

from __future__ import annotations

import typing

import pytest

from salon_desk.domain.deposit_policy import (
    CANCEL_CHOICES,
    DEFAULT_POLICY,
    PROFILE_FIELDS,
    RESCHEDULE_CHOICES,
    DepositAction,
    DepositPolicy,
    policy_of,
)
from salon_desk.domain.errors import ValidationError
from salon_desk.domain.model import Salon
from salon_desk.domain.salon_profile import check_profile
from salon_desk.l10n import get_localizer
from salon_desk.sync.schemas.catalogue import DepositOnCancel, DepositOnReschedule, SalonPatch


def test_the_default_is_the_policy_every_salon_had() -> None:
    before = DepositPolicy(0, DepositAction.REFUND, DepositAction.KEEP, DepositAction.KEEP, DepositAction.CARRY_OVER)
    assert before == DEFAULT_POLICY
    assert policy_of({}, 120) == DepositPolicy(120)
    assert policy_of({"deposit_on_cancel": None, "name_ar": "لمسة"}, 0) == DEFAULT_POLICY  # never set
    salon = Salon("s", "ا", "A", "Asia/Riyadh", "", "", "", (), (), 120, 0, "", "latn")
    assert policy_of({k: getattr(salon, k) for k in PROFILE_FIELDS}, 120) == DepositPolicy(120)


def test_every_allowed_choice_is_stored_as_the_actions_value() -> None:
    for field in ("deposit_on_cancel", "deposit_on_late_cancel", "deposit_on_no_show"):
        for action in CANCEL_CHOICES:
            assert check_profile({field: action.value}) == {field: action.value}
    for action in RESCHEDULE_CHOICES:
        assert check_profile({"deposit_on_reschedule": action.value}) == {"deposit_on_reschedule": action.value}
    chosen = check_profile({"deposit_on_cancel": "keep", "deposit_on_late_cancel": "refund",
                            "deposit_on_no_show": "refund", "deposit_on_reschedule": "refund"})
    assert policy_of(chosen, 60) == DepositPolicy(60, DepositAction.KEEP, DepositAction.REFUND,
                                                  DepositAction.REFUND, DepositAction.REFUND)


@pytest.mark.parametrize(("field", "value"), [
    ("deposit_on_cancel", "carry_over"),  # a cancelled booking has no new time to carry it to
    ("deposit_on_no_show", "carry_over"),
    ("deposit_on_reschedule", "keep"),
    ("deposit_on_late_cancel", "nothing"),
    ("deposit_on_cancel", ""),
    ("deposit_on_cancel", None),
    ("deposit_on_late_cancel", 1),
])
def test_a_choice_the_policy_does_not_allow_is_refused_in_ar_and_en(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        check_profile({field: value})
    assert caught.value.code == "salon.bad_deposit_policy" and caught.value.params["field"] == field
    en = get_localizer("en").error(caught.value)
    ar = get_localizer("ar").error(caught.value)
    assert "carried over or refunded" in en and field in en
    assert "عربون" in ar.replace("العربون", "عربون") and "يُسترد" in ar


def test_the_wire_schema_offers_exactly_the_domains_choices() -> None:
    assert set(typing.get_args(DepositOnCancel)) == {a.value for a in CANCEL_CHOICES}
    assert set(typing.get_args(DepositOnReschedule)) == {a.value for a in RESCHEDULE_CHOICES}
    assert SalonPatch.model_validate({"fields": {"deposit_on_no_show": "refund"}})
    with pytest.raises(ValueError):
        SalonPatch.model_validate({"fields": {"deposit_on_reschedule": "keep"}})
