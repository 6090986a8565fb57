"""Showing failures to people: a business refusal in its own words, anything else as a calm generic message
with the technical details one click away (and always in the log)."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget

from salon_desk.domain.errors import DomainError
from salon_desk.ui.i18n import _, current_localizer

if TYPE_CHECKING:
    from salon_desk.l10n import Localizer

log = logging.getLogger(__name__)
T = TypeVar("T")


def error_text(exc: BaseException, l10n: Localizer | None = None, fallback: str | None = None) -> str:
    """The one error-to-text path: a refusal (DomainError) in its own translated words; anything else the
    translated `fallback` (say what failed: "The calendar could not be loaded.") or a calm generic sentence.
    Never the exception's own text."""
    if isinstance(exc, DomainError):
        return (l10n or current_localizer()).error(exc)
    return fallback if fallback is not None else _(
        "Something went wrong and the action was not completed. Please try again."
    )


def read_form(read: Callable[[], T], show: Callable[[BaseException], None]) -> T | None:
    """A form's values, or None once `show` has said why they cannot be read (the input stays on screen)."""
    try:
        return read()
    except DomainError as error:
        show(error)
        return None


def error_details(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def show_error(parent: QWidget | None, exc: BaseException) -> QMessageBox:
    """Opens a window-modal message (non-blocking) and returns it. DomainError: the translated reason.
    Anything else: a generic translated message, the traceback under "Show Details…", and a log entry."""
    box = QMessageBox(parent)
    box.setWindowTitle(_("Salon Desk"))
    box.setText(error_text(exc))
    if isinstance(exc, DomainError):
        box.setIcon(QMessageBox.Icon.Warning)
    else:
        log.error("unexpected error shown to the user", exc_info=exc)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setInformativeText(_("If it happens again, please send the details to your support contact."))
        box.setDetailedText(error_details(exc))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.open()
    return box
