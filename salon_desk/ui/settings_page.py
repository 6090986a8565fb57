"""Desk preferences: the language of the screens and the digit style, applied at once and remembered."""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QGroupBox, QLabel, QRadioButton, QVBoxLayout, QWidget

from salon_desk import __version__
from salon_desk.buildinfo import frozen_info
from salon_desk.ui.context import UiContext
from salon_desk.ui.i18n import _
from salon_desk.ui.named import named
from salon_desk.ui.status_bar import local_today

# Each language is offered under its own name, as people look for it (not translated).
LANGUAGE_NAMES = {"ar": "العربية", "en": "English"}
SAMPLE_HALALAS = 15_000


class SettingsPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SettingsPage")
        self._ctx = ctx
        self.title_label = named(QLabel(), "PageTitle")
        self.language_box, self.language_group = self._radio_group(LANGUAGE_NAMES)
        self.digits_box, self.digit_group = self._radio_group({"latn": "", "arab": ""})
        self.preview_label = named(QLabel(), "PageSubtitle")
        self.english_note = named(QLabel(wordWrap=True), "PageSubtitle")
        digits_layout = self.digits_box.layout()
        assert digits_layout is not None  # _radio_group gave the box its layout
        digits_layout.addWidget(self.preview_label)
        digits_layout.addWidget(self.english_note)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 36, 40, 36)
        layout.setSpacing(16)
        layout.addWidget(self.title_label)
        # About: the version (one place, salon_desk.__version__) and, in a frozen build, its commit.
        self.about_box = named(QGroupBox(), "AboutBox")
        self.version_label = named(QLabel(), "AboutVersion")
        self.build_label = named(QLabel(), "AboutBuild")
        about_layout = QVBoxLayout(self.about_box)
        about_layout.addWidget(self.version_label)
        about_layout.addWidget(self.build_label)
        for box in (self.language_box, self.digits_box, self.about_box):
            box.setMaximumWidth(560)
            layout.addWidget(box)
        layout.addStretch(1)
        self.language_group.idClicked.connect(self._on_language_clicked)
        self.digit_group.idClicked.connect(self._on_digit_style_clicked)
        self.retranslate()

    def _radio_group(self, options: dict[str, str]) -> tuple[QGroupBox, QButtonGroup]:
        box = QGroupBox()
        group = QButtonGroup(box)
        box_layout = QVBoxLayout(box)
        for index, (code, text) in enumerate(options.items()):
            button = named(QRadioButton(text), f"option_{code}")
            button.setProperty("code", code)
            group.addButton(button, index)
            box_layout.addWidget(button)
        return box, group

    def refresh(self) -> None:
        """Nothing loaded from the desk: the choices are the current settings."""
        self.retranslate()

    def retranslate(self) -> None:
        l10n = self._ctx.l10n()
        self.title_label.setText(_("Settings"))
        self.language_box.setTitle(_("Language of the screens"))
        self.digits_box.setTitle(_("Digits"))
        latin, arabic = self.digit_group.buttons()
        latin.setText(_("Latin digits ({sample})").format(sample="0123456789"))
        arabic.setText(_("Arabic-Indic digits ({sample})").format(sample="٠١٢٣٤٥٦٧٨٩"))
        samples = (l10n.date(local_today(self._ctx)), l10n.money(SAMPLE_HALALAS))
        example = " · ".join(l10n.isolate(sample) for sample in samples)
        self.preview_label.setText(_("Example: {example}").format(example=example))
        self.english_note.setText(_("(English screens always use Latin digits.)"))
        self.english_note.setVisible(self._ctx.language == "en")
        self.about_box.setTitle(_("About Salon Desk"))
        self.version_label.setText(_("Version {version}").format(version=__version__))
        info = frozen_info()
        self.build_label.setText(
            _("Build {commit} ({platform})").format(commit=info.get("commit", "?")[:12],
                                                   platform=info.get("platform", "?"))
            if info else _("Running from source"))
        self._check(self.language_group, self._ctx.language)
        self._check(self.digit_group, self._ctx.digit_style)

    @staticmethod
    def _check(group: QButtonGroup, code: str) -> None:
        for button in group.buttons():
            if button.property("code") == code:
                button.setChecked(True)

    def _on_language_clicked(self, button_id: int) -> None:
        code = self.language_group.button(button_id).property("code")
        if code != self._ctx.language:
            self._ctx.set_language(code)

    def _on_digit_style_clicked(self, button_id: int) -> None:
        code = self.digit_group.button(button_id).property("code")
        if code != self._ctx.digit_style:
            self._ctx.set_language(self._ctx.language, code)
