"""Prometheus metrics, one registry per app (several apps in one test process never collide).

Each server process answers /metrics for itself: run one `salon-cloud serve` per port and scrape every
port (docs/deploy.md). In production /metrics needs `Authorization: Bearer $SALON_OPS_TOKEN`.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
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
        # OTP abuse controls (otp.service): which limit refused, the scrypt work done, the daily budget.
        self.otp_limited = Counter(
            "salon_otp_limited_total",
            "OTP requests and verifications refused or withheld, by limit (phone_cooldown, phone_window, "
            "ip_window, link_cooldown, link_window, link_ip_window, salon_budget, verify_ip, verify_request).",
            ["limit"],
            registry=self.registry,
        )
        self.otp_hashes = Counter(
            "salon_otp_hashes_total",
            "scrypt computations of OTP codes, by operation (issue, verify).",
            ["operation"],
            registry=self.registry,
        )
        self.otp_sent_24h = Gauge(
            "salon_otp_sent_last_24h",
            "OTP messages sent over all salons in the last 24 hours (as last counted by this process).",
            registry=self.registry,
        )
        self.otp_budget_alerts = Counter(
            "salon_otp_budget_alerts_total",
            "Times the OTP messages sent over all salons in 24 hours reached SALON_OTP_DAILY_ALERT_TOTAL.",
            registry=self.registry,
        )
        self.bodies_too_large = Counter(
            "salon_http_bodies_too_large_total",
            "Requests refused 413 because their body was over the limit (declared or while streaming).",
            ["how"],
            registry=self.registry,
        )

        self.sync_mutations = Counter(
            "salon_sync_mutations_total",
            "Pushed mutations answered, by status (applied, conflict, refused, retry).",
            ["status"],
            registry=self.registry,
        )
        self.sync_errors = Counter(
            "salon_sync_mutation_errors_total",
            "Failures while applying a pushed mutation, by outcome: attempt_failed (an unexpected error, "
            "tried again), server_error (refused after the last attempt), transient (answered retry).",
            ["outcome"],
            registry=self.registry,
        )

        # Long-poll wake-ups (sync/notify.py, sync/wakeups_pg.py).
        self.sync_longpolls_waiting = Gauge(
            "salon_sync_longpolls_waiting",
            "Pulls of this process waiting for a change (each holds a socket, no thread, no DB connection).",
            registry=self.registry,
        )
        self.sync_wakeups = Counter(
            "salon_sync_wakeups_total",
            "Waiting pulls woken, by source: local (a write in this process), remote (LISTEN/NOTIFY from "
            "another process), reconnect / listener_down (every pull reads again), stop.",
            ["source"],
            registry=self.registry,
        )
        self.sync_listener_up = Gauge(
            "salon_sync_listener_up",
            "1 while this process's PostgreSQL LISTEN connection for wake-ups is up (PostgreSQL only).",
            registry=self.registry,
        )
        self.sync_quiet_pages = Counter(
            "salon_sync_quiet_pages",
            "Pulls at the head answered from the remembered empty page, without reading the database.",
            registry=self.registry,
        )
        self.sync_listener_connects = Counter(
            "salon_sync_listener_connects",
            "Times this process's wake-up listener connected and ran LISTEN (more than 1: it reconnected).",
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
