"""MessagesPanel: every message the demo cloud's console provider "sent", newest first, links clickable.

A developer page (demo mode only): it polls the embedded cloud every few seconds on the network lane,
so a booking made at the desk shows its SMS here a moment after the sync, and its link opens the
customer's booking page in the browser (QDesktopServices.openUrl).
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from salon_desk.domain.i18n import N_
from salon_desk.ui.context import UiContext
from salon_desk.ui.i18n import _

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
        self.title_label = QLabel(objectName="PageTitle")
        self.subtitle_label = QLabel(objectName="PageSubtitle", wordWrap=True)
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        self.state_label = QLabel(objectName="InfoState", wordWrap=True)
        self.list_widget = QWidget()
        self.list_layout = QVBoxLayout(self.list_widget)
        self.list_layout.addStretch(1)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
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
        return [self.list_layout.itemAt(i).widget() for i in range(self.list_layout.count() - 1)]

    def _rebuild(self) -> None:
        while self.list_layout.count() > 1:
            widget = self.list_layout.takeAt(0).widget()
            widget.deleteLater()
        for position, message in enumerate(self._messages):
            self.list_layout.insertWidget(position, self._card(message))

    def _card(self, message: ConsoleMessage) -> QLabel:
        l10n = self.ctx.l10n()
        when = l10n.datetime(message.created_at, self.ctx.timezone)
        body = html.escape(message.text)
        for link in message.links:
            body = body.replace(html.escape(link), f'<a href="{html.escape(link)}">{html.escape(link)}</a>')
        if message.code:
            body += "<br>" + html.escape(_(CODE).format(code=message.code))
        head = f"<b>{html.escape(l10n.phone(message.phone_number))}</b> · {message.channel.upper()} · {html.escape(when)}"
        label = QLabel(f"{head}<br>{body.replace(chr(10), '<br>')}", objectName="Card", wordWrap=True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        label.setOpenExternalLinks(False)
        label.linkActivated.connect(lambda url: self._open_url(QUrl(url)))
        label.setContentsMargins(12, 10, 12, 10)
        return label

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
