"""`named(QLabel(wordWrap=True), "PageTitle")`: a widget with the object name the stylesheet and tests use.

PySide6 accepts any Qt property as a constructor keyword, but its type stubs list only a class's own
properties, not inherited ones such as QObject's `objectName`; this keeps construction on one line, typed.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject

_Q = TypeVar("_Q", bound=QObject)


def named(widget: _Q, name: str) -> _Q:
    """`widget` itself, with `name` as its object name."""
    widget.setObjectName(name)
    return widget
