"""The salon profile's deposit is the amount the booking page asks online (issue #12): none (0), or at least
Moyasar's minimum of 1 SAR, checked on the desk and again in the cloud (one rule, domain.salon_profile)."""

from __future__ import annotations

import pytest

from salon_desk.domain.errors import ValidationError
from salon_desk.domain.salon_profile import check_profile


@pytest.mark.parametrize("halalas", [0, 100, 5_000, 100_000_000])
def test_no_deposit_or_at_least_one_riyal(halalas: int) -> None:
    assert check_profile({"deposit_halalas": halalas}) == {"deposit_halalas": halalas}


@pytest.mark.parametrize(("halalas", "code"), [(1, "payments.amount_too_small"), (99, "payments.amount_too_small"),
                                               (-100, "salon.bad_value"), (100_000_001, "salon.bad_value"),
                                               (True, "salon.bad_value"), ("5000", "salon.bad_value")])
def test_a_deposit_moyasar_cannot_take_is_refused_with_a_code(halalas: object, code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        check_profile({"deposit_halalas": halalas})
    assert refused.value.code == code
