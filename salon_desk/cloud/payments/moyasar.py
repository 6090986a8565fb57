"""Moyasar's API over httpx (providers.md §1): Basic auth with the salon's secret key and an empty password,
JSON bodies, amounts in halalas, an explicit User-Agent (§1.1).

Retries (§1.11): reads (GET) are retried a bounded number of times on network errors, timeouts, 429 and
5xx; writes never are here: a timed-out invoice create raises `ProviderError(timed_out=True)` and the
caller looks for the invoice by its metadata before creating another (Moyasar invoices take no
`given_id`). A refund or void is never repeated blindly either: the caller re-fetches the payment.
Keys are never logged: only the method, the path and the status are.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from .provider import NewInvoice, ProviderError, ProviderInvoice, ProviderPayment, ProviderRefused

log = logging.getLogger(__name__)
USER_AGENT = "salon-desk-cloud/1"
RETRYABLE = {429, 500, 502, 503, 504}


class MoyasarClient:
    name = "moyasar"

    def __init__(
        self,
        base_url: str = "https://api.moyasar.com/v1",
        *,
        timeout_seconds: float = 10.0,
        read_attempts: int = 3,
        backoff_seconds: float = 0.3,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._read_attempts = max(1, read_attempts)
        self._backoff = backoff_seconds
        self._sleep = sleep
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout_seconds),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    # ------------------------------------------------------------- operations

    def create_invoice(self, secret_key: str, invoice: NewInvoice) -> ProviderInvoice:
        body: dict[str, Any] = {
            "amount": invoice.amount_halalas,
            "currency": "SAR",
            "description": invoice.description,
            "success_url": invoice.success_url,
            "metadata": invoice.metadata,
        }
        if invoice.back_url:
            body["back_url"] = invoice.back_url
        if invoice.callback_url:
            body["callback_url"] = invoice.callback_url
        if invoice.expires_at is not None:
            body["expired_at"] = invoice.expires_at.isoformat()
        return ProviderInvoice.from_json(self._call("POST", "/invoices", secret_key, json=body))

    def find_invoices(self, secret_key: str, metadata: dict[str, str]) -> list[ProviderInvoice]:
        params = {f"metadata[{key}]": value for key, value in metadata.items()}
        answer = self._call("GET", "/invoices", secret_key, params=params)
        found = [ProviderInvoice.from_json(item) for item in answer.get("invoices") or ()]
        # The metadata filter is UNCONFIRMED (§1.3): never trust it, check every pair ourselves.
        return [i for i in found if all(i.metadata.get(k) == v for k, v in metadata.items())]

    def fetch_invoice(self, secret_key: str, invoice_id: str) -> ProviderInvoice:
        return ProviderInvoice.from_json(self._call("GET", f"/invoices/{_safe(invoice_id)}", secret_key))

    def cancel_invoice(self, secret_key: str, invoice_id: str) -> ProviderInvoice:
        return ProviderInvoice.from_json(self._call("PUT", f"/invoices/{_safe(invoice_id)}/cancel", secret_key))

    def fetch_payment(self, secret_key: str, payment_id: str) -> ProviderPayment:
        return ProviderPayment.from_json(self._call("GET", f"/payments/{_safe(payment_id)}", secret_key))

    def refund(self, secret_key: str, payment_id: str, amount_halalas: int | None) -> ProviderPayment:
        body = {} if amount_halalas is None else {"amount": amount_halalas}
        return ProviderPayment.from_json(
            self._call("POST", f"/payments/{_safe(payment_id)}/refund", secret_key, json=body)
        )

    def void(self, secret_key: str, payment_id: str) -> ProviderPayment:
        return ProviderPayment.from_json(self._call("POST", f"/payments/{_safe(payment_id)}/void", secret_key))

    # ------------------------------------------------------------- transport

    def _call(self, method: str, path: str, secret_key: str, **kwargs: Any) -> dict[str, Any]:
        attempts = self._read_attempts if method == "GET" else 1
        for attempt in range(1, attempts + 1):
            try:
                response = self._client.request(method, path, auth=(secret_key, ""), **kwargs)
            except httpx.TimeoutException as error:
                failure = ProviderError("payments.provider_unavailable", timed_out=True)
                log.warning("moyasar timed out", extra={"fields": {"method": method, "path": _shape(path)}})
                if attempt == attempts:
                    raise failure from error
            except httpx.HTTPError as error:
                failure = ProviderError("payments.provider_unavailable")
                log.warning("moyasar unreachable", extra={"fields": {"method": method, "path": _shape(path)}})
                if attempt == attempts:
                    raise failure from error
            else:
                if response.status_code in RETRYABLE:
                    log.warning(
                        "moyasar answered %s", response.status_code,
                        extra={"fields": {"method": method, "path": _shape(path)}},
                    )
                    if attempt == attempts:
                        raise ProviderError("payments.provider_unavailable", status=response.status_code)
                else:
                    return _answer(response)
            self._sleep(self._backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")


def _answer(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if 200 <= response.status_code < 300:
        if not isinstance(body, dict):
            raise ProviderError("payments.provider_unavailable", status=response.status_code)
        return body
    body = body if isinstance(body, dict) else {}
    raise ProviderRefused(
        response.status_code,
        str(body.get("type") or "api_error"),
        str(body.get("message") or response.reason_phrase),
        body.get("errors"),
    )


def _safe(identifier: str) -> str:
    """Ids go into a path: only what a Moyasar id may hold (a UUID)."""
    if not identifier or any(not (ch.isalnum() or ch in "-_") for ch in identifier):
        raise ProviderRefused(404, "api_error", "Object not found")
    return identifier


def _shape(path: str) -> str:
    return "/".join("{id}" if len(part) > 20 else part for part in path.split("/"))
