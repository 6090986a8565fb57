"""A fake Moyasar (providers.md §1.13) speaking real HTTP on 127.0.0.1: development, the demo and tests.

Refused in production (`FakeMoyasar.start` checks the environment it is given). What it does:

- `/v1/*` with HTTP Basic auth, the merchant's `sk_test_…` key as user and an empty password; a wrong or
  missing key answers 401 `authentication_error`. Each key is one merchant (`add_account`): one merchant
  never sees another's invoices or payments (404 `api_error` "Object not found").
- Invoices: `POST /v1/invoices` (amount int >= 100, 3-letter currency, description; 400 "Validation Failed"
  with per-field errors), `GET /v1/invoices/{id}`, `GET /v1/invoices?metadata[key]=value`,
  `PUT /v1/invoices/{id}/cancel` (POST accepted too).
- Payments: `GET /v1/payments/{id}`, `POST /v1/payments` (with `given_id`: a reused one answers 400
  `used_given_id`), `POST …/refund {amount?}`, `…/capture {amount?}`, `…/void`; transitions follow
  `domain.payments.PROVIDER_TRANSITIONS` exactly; anything else 400 `invalid_request_error`. `settle(id)`
  marks a payment settled (void refused from then on).
- A hosted checkout at the invoice `url` (`/checkout/invoices/{id}`): the payer types a test card (§1.12:
  4201320111111010 / 4111111111111111 / 5421080101000000 pay, every other number fails), passes a 3-D Secure
  step, and is sent to the invoice's `success_url` (paid) or back to the invoice page (failed).
- Webhooks (§1.10 body, `secret_token`, `live: false`) POSTed to the merchant's webhook URL from a delivery
  thread, retried on non-2xx with a compressed schedule (`retry_delays`); the invoice `callback_url` gets
  the invoice object (no secret). Tests steer delivery: `hold_webhooks()` keeps events in `held` so a test
  can `deliver(event, secret_token=…)` them in any order, any number of times.
- Faults: `fail_next(status, times, path=…)` (500/503/429 with Moyasar's error bodies), `stall_next(seconds)`.
"""

from __future__ import annotations

import base64
import html
import json
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from salon_desk.clock import utc_now
from salon_desk.domain.payments import MINIMUM_HALALAS, PaymentStatus, provider_allows

APPROVED_CARDS = {"4201320111111010": "mada", "4111111111111111": "visa", "5421080101000000": "master"}
DECLINE_MESSAGES = {
    "4201320000013020": "UNSPECIFIED FAILURE",
    "4201320000311101": "INSUFFICIENT FUNDS",
    "4201321234411220": "DECLINED",
}
ERROR_TYPES = {429: "rate_limit_error", 500: "api_error", 503: "api_error"}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _format(halalas: int) -> str:
    return f"{halalas // 100}.{halalas % 100:02d} SAR"


def _error(kind: str, message: str, errors: Any = None) -> dict[str, Any]:
    return {"type": kind, "message": message, "errors": errors}


@dataclass
class Account:
    secret_key: str
    publishable_key: str
    webhook_url: str | None
    webhook_secret: str | None
    name: str
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    given_ids: set[str] = field(default_factory=set)
    settled: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class WebhookEvent:
    account_key: str
    url: str
    body: dict[str, Any]  # the §1.10 envelope


@dataclass
class Delivery:
    event_id: str
    event_type: str
    status: int | None  # the receiver's HTTP status, None when it could not be reached
    attempt: int


class FakeMoyasar:
    def __init__(
        self,
        *,
        now: Callable[[], datetime] = utc_now,
        retry_delays: tuple[float, ...] = (0.2, 0.5, 1.0, 2.0, 4.0),
        host: str = "127.0.0.1",
    ) -> None:
        self._now = now
        self.retry_delays = retry_delays
        self._host = host
        self._accounts: dict[str, Account] = {}
        self._by_invoice: dict[str, str] = {}  # invoice id -> secret key
        self._by_payment: dict[str, str] = {}
        self._lock = threading.RLock()
        self._faults: list[tuple[int, str]] = []  # (status, path prefix)
        self._stalls: list[float] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every /v1 request, for tests
        self.held: list[WebhookEvent] | None = None  # not None: events wait here instead of being sent
        self.deliveries: list[Delivery] = []
        self.callbacks: list[dict[str, Any]] = []  # invoice callback_url posts made
        self._outbox: queue.Queue[tuple[WebhookEvent, int] | None] = queue.Queue()
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------- lifecycle

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/v1"

    def start(self, *, production: bool = False) -> FakeMoyasar:
        if production:
            raise ValueError("the fake Moyasar is refused in production")
        self._server = ThreadingHTTPServer((self._host, 0), _handler_for(self))
        self._server.daemon_threads = True
        for target, name in ((self._server.serve_forever, "fake-moyasar"), (self._deliver_loop, "fake-moyasar-hooks")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._outbox.put(None)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    # ------------------------------------------------------------- steering

    def add_account(
        self,
        *,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        name: str = "Salon",
    ) -> Account:
        suffix = uuid.uuid4().hex[:24]
        account = Account(f"sk_test_{suffix}", f"pk_test_{suffix}", webhook_url, webhook_secret, name)
        with self._lock:
            self._accounts[account.secret_key] = account
        return account

    def set_webhook(self, secret_key: str, url: str, secret: str) -> None:
        with self._lock:
            account = self._accounts[secret_key]
            account.webhook_url, account.webhook_secret = url, secret

    def fail_next(self, status: int = 503, times: int = 1, path: str = "/v1/") -> None:
        with self._lock:
            self._faults += [(status, path)] * times

    def stall_next(self, seconds: float, times: int = 1) -> None:
        with self._lock:
            self._stalls += [seconds] * times

    def settle(self, payment_id: str) -> None:
        with self._lock:
            self._accounts[self._by_payment[payment_id]].settled.add(payment_id)

    def hold_webhooks(self) -> None:
        with self._lock:
            self.held = []

    def release_webhooks(self) -> None:
        with self._lock:
            held, self.held = self.held or [], None
        for event in held:
            self._outbox.put((event, 0))

    def deliver(self, event: WebhookEvent, *, secret_token: str | None = None, timeout: float = 10) -> int:
        """Sends one event now (a test's duplicate, reordering or forgery); answers the receiver's status."""
        body = dict(event.body)
        if secret_token is not None:
            body["secret_token"] = secret_token
        response = httpx.post(event.url, json=body, timeout=timeout)
        return response.status_code

    def invoice(self, invoice_id: str) -> dict[str, Any]:
        with self._lock:
            return self._invoice_view(self._accounts[self._by_invoice[invoice_id]], invoice_id)

    def invoices(self, secret_key: str) -> list[dict[str, Any]]:
        with self._lock:
            account = self._accounts[secret_key]
            return [self._invoice_view(account, invoice_id) for invoice_id in account.invoices]

    def payment(self, payment_id: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._accounts[self._by_payment[payment_id]].payments[payment_id])

    def pay_invoice(self, invoice_id: str, card: str = "4201320111111010") -> dict[str, Any]:
        """What the hosted page does, without a browser: start and finish a payment with this card."""
        payment = self._start_checkout(invoice_id, card)
        return self._finish_3ds(payment["id"])

    def refund_now(self, payment_id: str, amount: int | None = None) -> dict[str, Any]:
        """A refund made in Moyasar's dashboard (not through the salon's API)."""
        with self._lock:
            account = self._accounts[self._by_payment[payment_id]]
            status, body = self._refund(account, payment_id, {} if amount is None else {"amount": amount})
        assert status == 200, body
        return body

    # ------------------------------------------------------------- HTTP API

    def answer_api(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str],
                   body: Any) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append((method, path))
            fault = next((f for f in self._faults if path.startswith(f[1])), None)
            if fault is not None:
                self._faults.remove(fault)
            stall = self._stalls.pop(0) if self._stalls else 0.0
        if stall:
            time.sleep(stall)
        if fault is not None:
            status = fault[0]
            return status, _error(ERROR_TYPES.get(status, "api_error"), "Injected failure")
        account = self._authenticate(headers.get("authorization", ""))
        if account is None:
            return 401, _error("authentication_error", "Invalid authorization credentials")
        parts = [p for p in path.removeprefix("/v1/").split("/") if p]
        with self._lock:
            return self._route(account, method, parts, query, body if isinstance(body, dict) else {})

    def _authenticate(self, header: str) -> Account | None:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except ValueError:
            return None
        with self._lock:
            account = self._accounts.get(user)
        return account if account is not None and password == "" else None

    def _route(self, account: Account, method: str, parts: list[str], query: dict[str, list[str]],
               body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        not_found = 404, _error("api_error", "Object not found")
        if parts == ["invoices"] and method == "POST":
            return self._create_invoice(account, body)
        if parts == ["invoices"] and method == "GET":
            return 200, self._list_invoices(account, query)
        if len(parts) >= 2 and parts[0] == "invoices":
            if parts[1] not in account.invoices:
                return not_found
            if len(parts) == 2 and method == "GET":
                return 200, self._invoice_view(account, parts[1])
            if parts[2:] == ["cancel"] and method in {"PUT", "POST"}:
                return self._cancel_invoice(account, parts[1])
        if parts == ["payments"] and method == "POST":
            return self._create_payment(account, body)
        if len(parts) >= 2 and parts[0] == "payments":
            if parts[1] not in account.payments:
                return not_found
            if len(parts) == 2 and method == "GET":
                return 200, dict(account.payments[parts[1]])
            if parts[2:] == ["refund"] and method == "POST":
                return self._refund(account, parts[1], body)
            if parts[2:] == ["void"] and method == "POST":
                return self._void(account, parts[1])
            if parts[2:] == ["capture"] and method == "POST":
                return self._capture(account, parts[1], body)
        return not_found

    def _create_invoice(self, account: Account, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        errors: dict[str, list[str]] = {}
        amount = body.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, int):
            errors["amount"] = ["must be an integer"]
        elif amount < MINIMUM_HALALAS:
            errors["amount"] = [f"must be greater than or equal to {MINIMUM_HALALAS}"]
        currency = body.get("currency")
        if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
            errors["currency"] = ["is invalid"]
        if not (isinstance(body.get("description"), str) and body["description"].strip()):
            errors["description"] = ["can't be blank"]
        metadata = body.get("metadata")
        if metadata is not None and not (
            isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values())
        ):
            errors["metadata"] = ["must be a map of strings"]
        if errors:
            return 400, _error("invalid_request_error", "Validation Failed", errors)
        invoice_id = str(uuid.uuid4())
        now = _stamp(self._now())
        account.invoices[invoice_id] = {
            "id": invoice_id,
            "status": "initiated",
            "amount": amount,
            "currency": str(currency).upper(),
            "description": body["description"],
            "logo_url": None,
            "amount_format": _format(int(str(amount))),
            "url": f"{self.base_url}/checkout/invoices/{invoice_id}?lang=en",
            "callback_url": body.get("callback_url"),
            "success_url": body.get("success_url"),
            "back_url": body.get("back_url"),
            "expired_at": body.get("expired_at"),
            "created_at": now,
            "updated_at": now,
            "metadata": metadata,
            "payment_ids": [],
        }
        self._by_invoice[invoice_id] = account.secret_key
        return 201, self._invoice_view(account, invoice_id)

    def _invoice_view(self, account: Account, invoice_id: str) -> dict[str, Any]:
        view = dict(account.invoices[invoice_id])
        view["payments"] = [dict(account.payments[p]) for p in view.pop("payment_ids")]
        return view

    def _list_invoices(self, account: Account, query: dict[str, list[str]]) -> dict[str, Any]:
        wanted = {k[len("metadata["):-1]: v[0] for k, v in query.items() if k.startswith("metadata[")}
        status = query.get("status", [None])[0]
        found = [
            self._invoice_view(account, i)
            for i, invoice in account.invoices.items()
            if all((invoice.get("metadata") or {}).get(k) == v for k, v in wanted.items())
            and (status is None or invoice["status"] == status)
        ]
        meta = {"current_page": 1, "next_page": None, "prev_page": None, "total_pages": 1,
                "total_count": len(found)}
        return {"invoices": found, "meta": meta}

    def _cancel_invoice(self, account: Account, invoice_id: str) -> tuple[int, dict[str, Any]]:
        invoice = account.invoices[invoice_id]
        if invoice["status"] != "initiated":
            return 400, _error("invalid_request_error", f"Invoice is {invoice['status']} and cannot be canceled")
        invoice["status"] = "canceled"
        invoice["updated_at"] = _stamp(self._now())
        return 200, self._invoice_view(account, invoice_id)

    def _new_payment(self, account: Account, amount: int, *, invoice_id: str | None, company: str,
                     number: str, payment_id: str | None = None, metadata: Any = None,
                     callback_url: str | None = None) -> dict[str, Any]:
        payment_id = payment_id or str(uuid.uuid4())
        now = _stamp(self._now())
        payment = {
            "id": payment_id, "status": "initiated", "amount": amount, "fee": 0, "currency": "SAR",
            "refunded": 0, "refunded_at": None, "captured": 0, "captured_at": None, "voided_at": None,
            "description": None, "amount_format": _format(amount), "fee_format": _format(0),
            "refunded_format": _format(0), "captured_format": _format(0), "invoice_id": invoice_id,
            "ip": "127.0.0.1", "callback_url": callback_url, "created_at": now, "updated_at": now,
            "metadata": metadata,
            "source": {"type": "creditcard", "company": company, "name": "Test Payer",
                       "number": f"XXXX-XXXX-XXXX-{number[-4:]}", "message": None,
                       "transaction_url": f"{self.base_url}/checkout/3ds/{payment_id}",
                       "gateway_id": f"moyasar_ap_{uuid.uuid4().hex[:20]}", "reference_number": None},
        }
        account.payments[payment_id] = payment
        self._by_payment[payment_id] = account.secret_key
        return payment

    def _create_payment(self, account: Account, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        given = body.get("given_id")
        if given is not None and given in account.given_ids:
            return 400, _error("used_given_id", "given_id has been used before")
        amount = body.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < MINIMUM_HALALAS:
            return 400, _error("invalid_request_error", "Validation Failed", {"amount": ["must be an integer"]})
        if given is not None:
            account.given_ids.add(str(given))
        source = body.get("source") or {}
        number = str(source.get("number", "0000"))
        payment = self._new_payment(account, amount, invoice_id=None, company=APPROVED_CARDS.get(number, "visa"),
                                    number=number, payment_id=str(given) if given else None,
                                    metadata=body.get("metadata"), callback_url=body.get("callback_url"))
        self._outcome(account, payment, number)
        return 201, dict(payment)

    def _move(self, account: Account, payment: dict[str, Any], target: PaymentStatus) -> bool:
        if not provider_allows(PaymentStatus(payment["status"]), target):
            return False
        payment["status"] = target.value
        payment["updated_at"] = _stamp(self._now())
        return True

    def _outcome(self, account: Account, payment: dict[str, Any], number: str) -> None:
        approved = number in APPROVED_CARDS
        self._move(account, payment, PaymentStatus.PAID if approved else PaymentStatus.FAILED)
        payment["source"]["message"] = "APPROVED" if approved else DECLINE_MESSAGES.get(number, "DECLINED")
        payment["source"]["response_code"] = "00" if approved else "05"
        if approved and payment["invoice_id"]:
            invoice = account.invoices[payment["invoice_id"]]
            invoice["status"] = "paid"
            invoice["updated_at"] = payment["updated_at"]
            self._callback(invoice)
        self._emit(account, "payment_paid" if approved else "payment_failed", payment)

    def _refund(self, account: Account, payment_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        payment = account.payments[payment_id]
        if payment["status"] not in {"paid", "captured", "refunded"}:
            return 400, _error("invalid_request_error", f"Payment is {payment['status']} and cannot be refunded")
        left = payment["amount"] - payment["refunded"]
        amount = body.get("amount", left)
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            return 400, _error("invalid_request_error", "Validation Failed", {"amount": ["must be an integer"]})
        if amount > left:
            return 400, _error("invalid_request_error", "Refund amount exceeds the refundable amount")
        self._move(account, payment, PaymentStatus.REFUNDED)
        payment["refunded"] += amount
        payment["refunded_format"] = _format(payment["refunded"])
        payment["refunded_at"] = payment["updated_at"]
        if payment["invoice_id"] and payment["refunded"] == payment["amount"]:
            account.invoices[payment["invoice_id"]]["status"] = "refunded"
        self._emit(account, "payment_refunded", payment)
        return 200, dict(payment)

    def _void(self, account: Account, payment_id: str) -> tuple[int, dict[str, Any]]:
        payment = account.payments[payment_id]
        if payment_id in account.settled:
            return 400, _error("invalid_request_error", "Payment is already settled and cannot be voided")
        if payment["refunded"] or not self._move(account, payment, PaymentStatus.VOIDED):
            return 400, _error("invalid_request_error", f"Payment is {payment['status']} and cannot be voided")
        payment["voided_at"] = payment["updated_at"]
        if payment["invoice_id"]:
            account.invoices[payment["invoice_id"]]["status"] = "voided"
        self._emit(account, "payment_voided", payment)
        return 200, dict(payment)

    def _capture(self, account: Account, payment_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        payment = account.payments[payment_id]
        amount = body.get("amount", payment["amount"])
        if not isinstance(amount, int) or not 0 < amount <= payment["amount"]:
            return 400, _error("invalid_request_error", "Validation Failed", {"amount": ["is invalid"]})
        if not self._move(account, payment, PaymentStatus.CAPTURED):
            return 400, _error("invalid_request_error", f"Payment is {payment['status']} and cannot be captured")
        payment["captured"] = amount
        payment["captured_at"] = payment["updated_at"]
        self._emit(account, "payment_captured", payment)
        return 200, dict(payment)

    # ------------------------------------------------------------- hosted checkout

    def _start_checkout(self, invoice_id: str, card: str) -> dict[str, Any]:
        with self._lock:
            account = self._accounts[self._by_invoice[invoice_id]]
            invoice = account.invoices[invoice_id]
            if invoice["status"] != "initiated":
                raise ValueError(f"invoice is {invoice['status']}")
            number = "".join(ch for ch in card if ch.isdigit())
            payment = self._new_payment(account, invoice["amount"], invoice_id=invoice_id,
                                        company=APPROVED_CARDS.get(number, "visa"), number=number,
                                        callback_url=f"{self.base_url}/checkout/invoices/{invoice_id}/done")
            payment["_card"] = number
            invoice["payment_ids"].append(payment["id"])
            return payment

    def _finish_3ds(self, payment_id: str) -> dict[str, Any]:
        with self._lock:
            account = self._accounts[self._by_payment[payment_id]]
            payment = account.payments[payment_id]
            if payment["status"] == "initiated":
                self._outcome(account, payment, payment.pop("_card", ""))
            return {k: v for k, v in payment.items() if not k.startswith("_")}

    def answer_page(self, method: str, path: str, query: dict[str, list[str]],
                    form: dict[str, list[str]]) -> tuple[int, str, str | None]:
        """(status, html, redirect location) for the payer-facing pages."""
        parts = [p for p in path.split("/") if p]
        lang = query.get("lang", ["en"])[0]
        if parts[:2] == ["checkout", "invoices"] and len(parts) == 3:
            invoice_id = parts[2]
            with self._lock:
                known = invoice_id in self._by_invoice
            if not known:
                return 404, _page("Not found", "<p>Invoice not found.</p>"), None
            if method == "POST":
                try:
                    payment = self._start_checkout(invoice_id, form.get("number", [""])[0])
                except ValueError as error:
                    return 409, _page("Invoice", f"<p>{html.escape(str(error))}</p>"), None
                return 303, "", f"/checkout/3ds/{payment['id']}"
            return 200, self._invoice_page(invoice_id, lang, query.get("failed", [""])[0]), None
        if parts[:2] == ["checkout", "3ds"] and len(parts) == 3:
            payment_id = parts[2]
            with self._lock:
                known = payment_id in self._by_payment
            if not known:
                return 404, _page("Not found", "<p>Payment not found.</p>"), None
            if method == "POST":
                payment = self._finish_3ds(payment_id)
                invoice = self.invoice(payment["invoice_id"])
                if payment["status"] == "paid" and invoice.get("success_url"):
                    target = invoice["success_url"]
                    extra = urlencode({"id": payment["id"], "status": "paid", "message": "APPROVED",
                                       "invoice_id": invoice["id"]})
                    return 303, "", f"{target}{'&' if '?' in target else '?'}{extra}"
                return 303, "", f"/checkout/invoices/{invoice['id']}?failed={payment['id']}"
            body = ('<h1>3-D Secure</h1><p>Test bank: confirm the payment.</p>'
                    '<form method="post"><button id="complete-3ds" type="submit">Complete</button></form>')
            return 200, _page("3-D Secure", body), None
        return 404, _page("Not found", "<p>Not found.</p>"), None

    def _invoice_page(self, invoice_id: str, lang: str, failed: str) -> str:
        invoice = self.invoice(invoice_id)
        status = invoice["status"]
        notice = ""
        if failed:
            message = self.payment(failed)["source"]["message"] if failed in self._by_payment else "DECLINED"
            notice = f'<p id="payment-failed" class="failed">Payment failed: {html.escape(str(message))}</p>'
        if status != "initiated":
            return _page("Invoice", f'<h1>{html.escape(invoice["description"])}</h1>'
                                    f'<p id="invoice-status">{html.escape(status)}</p>')
        back = invoice.get("back_url")
        back_link = f'<p><a href="{html.escape(back)}">Back</a></p>' if back else ""
        body = (
            f'<h1>{html.escape(invoice["description"])}</h1>'
            f'<p id="amount">{invoice["amount_format"]}</p>{notice}'
            '<form method="post"><label>Card number <input id="card-number" name="number" '
            'value="4201320111111010" autocomplete="off"></label>'
            '<button id="pay" type="submit">Pay</button></form>'
            f'<p class="hint">Test mode ({html.escape(lang)}): 4201320111111010 pays, 4201321234411220 is declined.</p>'
            f"{back_link}"
        )
        return _page("Moyasar checkout (test)", body)

    # ------------------------------------------------------------- webhooks

    def _emit(self, account: Account, event_type: str, payment: dict[str, Any]) -> None:
        if not account.webhook_url:
            return
        body = {
            "id": str(uuid.uuid4()),
            "type": event_type,
            "created_at": _stamp(self._now()),
            "secret_token": account.webhook_secret,
            "account_name": account.name,
            "live": False,
            "data": {k: v for k, v in payment.items() if not k.startswith("_")},
        }
        event = WebhookEvent(account.secret_key, account.webhook_url, json.loads(json.dumps(body)))
        if self.held is not None:
            self.held.append(event)
        else:
            self._outbox.put((event, 0))

    def _callback(self, invoice: dict[str, Any]) -> None:
        if invoice.get("callback_url"):
            view = {k: v for k, v in invoice.items() if k != "payment_ids"}
            self.callbacks.append(view)
            self._outbox.put((WebhookEvent("", invoice["callback_url"], view), -1))

    def _deliver_loop(self) -> None:
        while True:
            item = self._outbox.get()
            if item is None:
                return
            event, attempt = item
            status: int | None
            try:
                status = httpx.post(event.url, json=event.body, timeout=10).status_code
            except httpx.HTTPError:
                status = None
            if attempt < 0:  # an invoice callback: sent once, never retried
                continue
            with self._lock:
                self.deliveries.append(Delivery(event.body["id"], event.body["type"], status, attempt + 1))
            if (status is None or not 200 <= status < 300) and attempt < len(self.retry_delays):
                delay = self.retry_delays[attempt]
                timer = threading.Timer(delay, self._outbox.put, args=((event, attempt + 1),))
                timer.daemon = True
                timer.start()


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
        "<style>body{font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}"
        "button{font-size:1.1rem;padding:.6rem 1.2rem}.failed{color:#b00020}</style></head>"
        f"<body>{body}</body></html>"
    )


def _handler_for(fake: FakeMoyasar) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._handle()

        def do_POST(self) -> None:  # noqa: N802
            self._handle()

        def do_PUT(self) -> None:  # noqa: N802
            self._handle()

        def _handle(self) -> None:
            split = urlsplit(self.path)
            query = parse_qs(split.query)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            if split.path.startswith("/v1/"):
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                status, payload = fake.answer_api(self.command, split.path, query, headers, body)
                self._send(status, json.dumps(payload).encode(), "application/json")
                return
            form = parse_qs(raw.decode("utf-8", "replace")) if raw else {}
            status, page, location = fake.answer_page(self.command, split.path, query, form)
            self._send(status, page.encode(), "text/html; charset=utf-8", location)

        def _send(self, status: int, data: bytes, content_type: str, location: str | None = None) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                if location:
                    self.send_header("Location", location)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler
