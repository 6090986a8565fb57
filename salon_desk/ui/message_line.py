"""The one look of a page's or form's message line: a confirmation in green, a refusal in red, bold; hidden
when there is nothing to say."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from salon_desk.ui.theme import PALETTE


def show_message_line(label: QLabel, message: str, error: bool = False) -> None:
    label.setText(message)
    label.setStyleSheet(f"color: {PALETTE['danger' if error else 'success']}; font-weight: bold;")
    label.setVisible(bool(message))
