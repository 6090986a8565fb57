"""A title that always reads whole: the longest of its texts that fits, never a word cut in half.

    title = named(FittingLabel(), "PageTitle")
    title.set_texts("29 November – 5 December 2026", "29 Nov – 5 Dec 2026")   # longest first

When even the shortest text is too wide, whole words are dropped from its end and "…" stands for them.
Whenever the label shows less than the first text, the first text is its tooltip (and accessible name).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

ELLIPSIS = "…"


def fit_words(text: str, metrics: QFontMetrics, width: int) -> str:
    """`text` if it fits `width`, else as many of its leading words as fit, followed by an ellipsis."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    words = text.split(" ")
    while len(words) > 1:
        words.pop()
        candidate = " ".join(words).rstrip(" –-،,") + " " + ELLIPSIS
        if metrics.horizontalAdvance(candidate) <= width:
            return candidate
    return ELLIPSIS


class FittingLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts: tuple[str, ...] = ("",)
        # Never forces its row wider than the window: it takes what the layout gives and fits into it.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    @property
    def full_text(self) -> str:
        return self._texts[0]

    def set_texts(self, *texts: str) -> None:
        """The texts to choose from, longest (the complete one) first."""
        self._texts = tuple(texts) or ("",)
        self.setAccessibleName(self._texts[0])
        self._fit()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self._texts[0]) + 8, hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()

    def _fit(self) -> None:
        metrics, width = self.fontMetrics(), self.contentsRect().width()
        shown = next((t for t in self._texts if metrics.horizontalAdvance(t) <= width), None)
        if shown is None:
            shown = fit_words(self._texts[-1], metrics, width)
        if shown != self.text():
            super().setText(shown)
        self.setToolTip("" if shown == self._texts[0] else self._texts[0])
