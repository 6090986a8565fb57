"""Prometheus metrics, one registry per app (several apps in one test process never collide).

With several uvicorn workers each process answers /metrics for itself; scrape them per worker or set up
prometheus_client's multiprocess mode in the deployment.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "CloudMetrics"]


class CloudMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "salon_http_requests_total",
            "HTTP requests answered, by route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "salon_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template.",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )
        self.otp_requests = Counter(
            "salon_otp_requests_total",
            "Verification codes asked for, by channel and outcome (sent, limited, send_failed, invalid).",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.otp_verifications = Counter(
            "salon_otp_verifications_total",
            "Verification attempts, by outcome (verified, invalid_code, expired, used, locked, not_found).",
            ["outcome"],
            registry=self.registry,
        )
        self.messages = Counter(
            "salon_messages_total",
            "Messages handed to the SMS/WhatsApp provider, by provider, kind and outcome.",
            ["provider", "kind", "outcome"],
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
