"""The desk's calls to the cloud's payment endpoints (issue #12), on the desk's sync transport (its device
token, its protocol headers), for `usecases.online_payments.PaymentsCloud`.

Online only: a desk that cannot reach the cloud gets `online_payments.offline` at once and nothing is queued
(a pay link or a refund asked later would surprise the customer). A refusal keeps the cloud's code (a Moyasar
refusal arrives as `payments.provider_refused` with Moyasar's own message), translated on the desk.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from salon_desk.domain.errors import Conflict, DomainError, Forbidden, NotFound, ValidationError
from salon_desk.domain.messages import all_messages

from .api import SyncApi, SyncHttpError
from .transport import USER_AGENT

ERROR_CLASSES: dict[int, type[DomainError]] = {403: Forbidden, 404: NotFound, 409: Conflict, 422: ValidationError}


class CloudPayments:
    def __init__(self, api: SyncApi) -> None:
        self._api = api

    def create_pay_link(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._post("/v1/payments/links", body)

    def refund_online(self, payment_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._post(f"/v1/payments/{quote(payment_id, safe='')}/refund", body)

    def void_online(self, payment_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._post(f"/v1/payments/{quote(payment_id, safe='')}/void", body)

    def cancel_pay_link(self, link_id: str) -> dict[str, Any]:
        return self._post(f"/v1/payments/links/{quote(link_id, safe='')}/cancel", {})

    def close(self) -> None:
        self._api.close()

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._api.post_json(path, body)
        except SyncHttpError as error:
            raise refusal(error) from None


def refusal(error: SyncHttpError) -> DomainError:
    """The desk's translated error for a failed call."""
    known = bool(error.code and error.code in all_messages())
    if error.kind == "offline" or (error.kind == "transient" and not known):
        return DomainError("online_payments.offline")
    if known and error.code:
        params = {k: v for k, v in error.params.items() if isinstance(v, str | int)}
        return ERROR_CLASSES.get(error.status or 0, DomainError)(error.code, **params)
    return DomainError("online_payments.refused", reason=error.code or str(error.status or error.kind))


def payments_cloud(link: Callable[[], tuple[str, str] | None]) -> Callable[[], CloudPayments | None]:
    """For `desk.online_payments.connect`: the client for the desk's current (cloud URL, token), made once per
    link (a rebind's new token makes a new one); None while the desk is not enrolled."""
    made: dict[tuple[str, str], CloudPayments] = {}
    lock = threading.Lock()

    def current() -> CloudPayments | None:
        found = link()
        if found is None:
            return None
        with lock:
            if found not in made:
                for old in made.values():
                    old.close()
                made.clear()
                made[found] = CloudPayments(SyncApi(found[0], found[1], user_agent=USER_AGENT))
            return made[found]

    return current
