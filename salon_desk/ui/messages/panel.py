"""MessagesPanel: every message the demo cloud's console provider "sent", newest first, links clickable.

A developer page (demo mode only): it polls the embedded cloud every few seconds on the network lane,
so a booking made at the desk shows its SMS here a moment after the sync, and its link opens the
customer's booking page in the browser (QDesktopServices.openUrl).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from salon_desk.domain.i18n import N_
from salon_desk.ui.bidi import direction_of, isolate, isolate_ltr, isolate_numbers
from salon_desk.ui.context import UiContext
from salon_desk.ui.i18n import _
from salon_desk.ui.named import named

from .client import ConsoleMessage, fetch_messages

POLL_MS = 3000
TITLE = N_("Messages")
SUBTITLE = N_("Demo only: the SMS and WhatsApp messages the demo cloud would have sent to customers.")
EMPTY = N_("No messages yet. Create or confirm a booking for a customer to see one here.")
OFFLINE = N_("The demo cloud does not answer.")
REFRESH = N_("Refresh")
CODE = N_("Verification code: {code}")


class MessagesPanel(QWidget):
    def __init__(
        self,
        ctx: UiContext,
        cloud_url: str,
        fetch: Callable[[str], list[ConsoleMessage]] = fetch_messages,
        open_url: Callable[[QUrl], object] = QDesktopServices.openUrl,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("MessagesPanel")
        self.ctx, self._cloud_url, self._fetch, self._open_url = ctx, cloud_url, fetch, open_url
        self._messages: list[ConsoleMessage] = []
        self._failed = False
        self.title_label = named(QLabel(), "PageTitle")
        self.subtitle_label = named(QLabel(wordWrap=True), "PageSubtitle")
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        self.state_label = named(QLabel(wordWrap=True), "InfoState")
        self.list_widget = QWidget()
        self.list_layout = QVBoxLayout(self.list_widget)
        self.list_layout.addStretch(1)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.list_widget)
        header = QHBoxLayout()
        header.addWidget(self.title_label)
        header.addStretch(1)
        header.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.addLayout(header)
        layout.addWidget(self.subtitle_label)
        layout.addWidget(self.state_label)
        layout.addWidget(scroll, 1)
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.retranslate()
        self.refresh()

    # -- data

    def refresh(self) -> None:
        if self.ctx.runner.is_shut_down:  # the app is closing
            self._timer.stop()
            return
        self.ctx.runner.net(
            self._fetch, self._cloud_url, on_done=self._show, on_error=self._offline, owner=self
        )

    def _show(self, messages: list[ConsoleMessage]) -> None:
        self._failed = False
        if [m.id for m in messages] != [m.id for m in self._messages]:
            self._messages = messages
            self._rebuild()
        self._update_state()

    def _offline(self, _error: BaseException) -> None:
        self._failed = True
        self._update_state()

    # -- view

    def message_labels(self) -> list[QLabel]:
        items = (self.list_layout.itemAt(i) for i in range(self.list_layout.count() - 1))
        return [label for item in items if item is not None and isinstance(label := item.widget(), QLabel)]

    def _rebuild(self) -> None:
        while self.list_layout.count() > 1:
            item = self.list_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for position, message in enumerate(self._messages):
            self.list_layout.insertWidget(position, self._card(message))

    def _card(self, message: ConsoleMessage) -> QLabel:
        label = named(QLabel(self.card_html(message), wordWrap=True), "Card")
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        label.setOpenExternalLinks(False)
        label.linkActivated.connect(lambda url: self._open_url(QUrl(url)))
        label.setContentsMargins(12, 10, 12, 10)
        return label

    def card_html(self, message: ConsoleMessage) -> str:
        """The phone, channel and time in the UI's direction; the message in its own language's direction,
        with links, codes, phone numbers and times isolated left to right so no colon or digit wanders."""
        l10n = self.ctx.l10n()
        ui_direction = Qt.LayoutDirection.RightToLeft if l10n.is_rtl else Qt.LayoutDirection.LeftToRight
        when = isolate(l10n.datetime(message.created_at, self.ctx.timezone))
        phone = html.escape(l10n.phone(message.phone_number))
        head = f"<b>{phone}</b> · {message.channel.upper()} · {html.escape(when)}"
        body_direction = direction_of(message.text, ui_direction)
        rtl = body_direction == Qt.LayoutDirection.RightToLeft
        links = "|".join(map(re.escape, message.links))
        parts = re.split(f"({links})", message.text) if links else [message.text]
        body = "".join(
            isolate_ltr(f'<a href="{html.escape(part)}">{html.escape(part)}</a>')
            if part in message.links
            else html.escape(isolate_numbers(part) if rtl else part)
            for part in parts
        )
        card = _paragraph(head, ui_direction) + _paragraph(body.replace("\n", "<br>"), body_direction)
        if message.code:  # the panel's own sentence, in the UI's language and direction
            card += _paragraph(html.escape(_(CODE).format(code=isolate_ltr(message.code))), ui_direction)
        return card

    def _update_state(self) -> None:
        if self._failed:
            self.state_label.setText(_(OFFLINE))
        else:
            self.state_label.setText("" if self._messages else _(EMPTY))
        self.state_label.setVisible(bool(self.state_label.text()))

    def retranslate(self) -> None:
        self.title_label.setText(_(TITLE))
        self.subtitle_label.setText(_(SUBTITLE))
        self.refresh_button.setText(_(REFRESH))
        self._rebuild()
        self._update_state()


def _paragraph(inner_html: str, direction: Qt.LayoutDirection) -> str:
    """A paragraph with an explicit direction: Qt then aligns it to that direction's start edge."""
    direction_name = "rtl" if direction == Qt.LayoutDirection.RightToLeft else "ltr"
    return f'<p dir="{direction_name}" style="margin-top: 0px; margin-bottom: 6px;">{inner_html}</p>'
