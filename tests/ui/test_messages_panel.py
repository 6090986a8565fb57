"""The demo's Messages page: each message in its own language's direction, links, codes, phone numbers and
times isolated left to right. The messages come over real HTTP from a loopback server speaking the cloud's
`GET /v1/dev/messages` shape, with the cloud's own Arabic and English texts."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument

from salon_desk.cloud.notify.events import Event
from salon_desk.cloud.notify.templates import MessageFacts, render
from salon_desk.ui.messages.panel import MessagesPanel

LRI, PDI = "\u2066", "\u2069"
LINK = "http://127.0.0.1:8765/b/Zm9vYmFy"
STARTS = datetime(2026, 11, 26, 13, 30, tzinfo=UTC)  # Thursday 4:30 PM in Riyadh
FACTS = MessageFacts("صالون لمسة الجمال", "Lamsat Al-Jamal Salon", "Asia/Riyadh", STARTS, LINK)


def wire(message_id: str, text: str, links: list[str], code: str | None = None) -> dict[str, object]:
    return {"id": message_id, "created_at": "2026-11-25T07:00:00+00:00", "phone_number": "+966551234567",
            "channel": "sms", "kind": "otp" if code else "text", "text": text, "links": links, "code": code}


MESSAGES = [
    wire("m3", "رمز التحقق 482913 صالح لمدة 5 دقائق", [], code="482913"),
    wire("m2", render(Event.BOOKING_CREATED, "en", FACTS), [LINK]),
    wire("m1", render(Event.BOOKING_CREATED, "ar", FACTS), [LINK]),
]


@pytest.fixture
def cloud_url() -> Iterator[str]:
    class Messages(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            body = json.dumps({"messages": MESSAGES}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Messages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def card_blocks(html_text: str) -> list[tuple[str, Qt.LayoutDirection]]:
    document = QTextDocument()
    document.setHtml(html_text)
    block, blocks = document.begin(), []
    while block.isValid():
        blocks.append((block.text(), block.blockFormat().layoutDirection()))
        block = block.next()
    return blocks


def panel_for(qtbot, ctx, cloud_url: str) -> MessagesPanel:
    panel = MessagesPanel(ctx, cloud_url)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: len(panel.message_labels()) == 3, timeout=5000)
    return panel


def test_arabic_sms_reads_right_to_left_even_in_the_english_ui(qtbot, ui_context, cloud_url) -> None:
    ui_context.set_language("en")
    panel = panel_for(qtbot, ui_context, cloud_url)
    otp, english, arabic = (label.text() for label in panel.message_labels())
    (head, head_direction), (body, body_direction) = card_blocks(arabic)[:2]
    assert head_direction == Qt.LayoutDirection.LeftToRight  # phone · channel · time follow the UI
    assert body_direction == Qt.LayoutDirection.RightToLeft  # the message follows its own language
    assert head.startswith(f"{LRI}055 123 4567{PDI}")
    assert f"{LRI}<a href=\"{LINK}\">{LINK}</a>{PDI}" in arabic
    assert card_blocks(english)[1][1] == Qt.LayoutDirection.LeftToRight
    _head, otp_body, code_line = card_blocks(otp)
    assert otp_body == (f"رمز التحقق {LRI}482913{PDI} صالح لمدة {LRI}5{PDI} دقائق", Qt.LayoutDirection.RightToLeft)
    assert code_line == (f"Verification code: {LRI}482913{PDI}", Qt.LayoutDirection.LeftToRight)


def test_english_sms_reads_left_to_right_in_the_arabic_ui(qtbot, ui_context, cloud_url) -> None:
    panel = panel_for(qtbot, ui_context, cloud_url)
    _otp, english, arabic = (label.text() for label in panel.message_labels())
    assert card_blocks(english)[0][1] == Qt.LayoutDirection.RightToLeft  # the UI's own line
    assert card_blocks(english)[1][1] == Qt.LayoutDirection.LeftToRight
    assert card_blocks(arabic)[1][1] == Qt.LayoutDirection.RightToLeft
    assert "Lamsat Al-Jamal Salon: booking received for Thursday 26 November, 4:30" in card_blocks(english)[1][0]
