"""SignInView: who is at the desk. A tile per person, the PIN (any digits: ٠-٩ or 0-9), and a clear refusal
(wrong PIN, locked until …, access revoked). On a new salon's first run it creates the owner instead.

    view = SignInView(ctx)           # loads the people on the DB lane
    view.signed_in.connect(...)      # an Actor: every area of the desk acts as them now

The view never checks a PIN itself: `desk.users.sign_in` does (domain.pin), on the DB lane.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.model import Actor, DeskUser
from salon_desk.domain.pin import normalize_pin
from salon_desk.ui.context import SignedInUser, UiContext
from salon_desk.ui.errors import error_text
from salon_desk.ui.i18n import _, current_localizer
from salon_desk.ui.named import named
from salon_desk.ui.theme import PALETTE

MAX_PIN_CHARS = 12  # digits plus the invisible marks a paste may carry; the domain decides what is valid


def pin_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(MAX_PIN_CHARS)
    field.setAlignment(Qt.AlignmentFlag.AlignCenter)
    field.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    field.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData)
    return field


class SignInView(QWidget):
    signed_in = Signal(object)  # the Actor now at the desk
    users_loaded = Signal(object)  # list[DeskUser], or None on a first run (the owner is created)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SignInView")
        self._ctx = ctx
        self.users: list[DeskUser] = []
        self.first_run = False
        self.title_label = named(QLabel(), "PageTitle")
        self.subtitle_label = named(QLabel(wordWrap=True), "PageSubtitle")
        self.tiles = QButtonGroup(self)
        self.tiles.setExclusive(True)
        self._tile_box = QWidget()
        self._tile_grid = QGridLayout(self._tile_box)
        self._tile_grid.setSpacing(10)
        self.name_field = QLineEdit()  # first run: the owner's name
        self.pin_label = QLabel()
        self.pin_field = pin_field()
        self.confirm_label = QLabel()
        self.confirm_field = pin_field()  # first run: the PIN again
        self.message_label = named(QLabel(wordWrap=True), "SignInMessage")
        self.message_label.setVisible(False)
        self.sign_in_button = QPushButton()
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.submit)
        self.pin_field.returnPressed.connect(self.submit)
        self.confirm_field.returnPressed.connect(self.submit)
        self.tiles.idClicked.connect(lambda _i: self.pin_field.setFocus())
        self._build()
        ctx.events.language_changed.connect(self.retranslate)
        self.retranslate()
        self.reload()

    def _build(self) -> None:
        card = named(QFrame(), "Card")
        card.setFixedWidth(520)
        box = QVBoxLayout(card)
        box.setContentsMargins(32, 28, 32, 28)
        box.setSpacing(12)
        for widget in (self.title_label, self.subtitle_label, self._tile_box, self.name_field, self.pin_label,
                       self.pin_field, self.confirm_label, self.confirm_field, self.message_label,
                       self.sign_in_button):
            box.addWidget(widget)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            f"QPushButton#UserTile {{ padding: 8px; }}"
            f"QPushButton#UserTile:checked {{ background: {PALETTE['accent_soft']}; "
            f"border: 2px solid {PALETTE['accent']}; font-weight: bold; }}"
        )

    # -- loading

    def reload(self) -> None:
        self._ctx.runner.db(self._load, self._ctx.desk, on_done=self._on_loaded, on_error=self._on_error,
                            owner=self)

    @staticmethod
    def _load(desk: Any) -> list[DeskUser] | None:
        return None if desk.users.needs_owner() else desk.users.list()

    def _on_loaded(self, users: list[DeskUser] | None) -> None:
        self.first_run = users is None
        self.users = users or []
        for button in self.tiles.buttons():
            self.tiles.removeButton(button)
            button.setParent(None)
            button.deleteLater()
        for index in range(len(self.users)):
            tile = named(QPushButton(), "UserTile")
            tile.setCheckable(True)
            tile.setMinimumHeight(56)
            self.tiles.addButton(tile, index)
            self._tile_grid.addWidget(tile, index // 3, index % 3)
        if self.users:
            self.tiles.button(0).setChecked(True)
        for widget in (self.name_field, self.confirm_label, self.confirm_field):
            widget.setVisible(self.first_run)
        self._tile_box.setVisible(not self.first_run)
        self.retranslate()
        (self.name_field if self.first_run else self.pin_field).setFocus()
        self.users_loaded.emit(None if self.first_run else list(self.users))

    # -- acting

    def choose(self, user_id: str) -> None:
        for index, user in enumerate(self.users):
            if user.id == user_id:
                self.tiles.button(index).setChecked(True)

    def chosen(self) -> DeskUser | None:
        index = self.tiles.checkedId()
        return self.users[index] if 0 <= index < len(self.users) else None

    def submit(self) -> None:
        pin = self.pin_field.text()
        if self.first_run:
            if normalize_pin(pin) != normalize_pin(self.confirm_field.text()):  # ٣٩٠٥ and 3905 are one PIN
                self.show_message(_("The two PINs are not the same."), error=True)
                return
            job: tuple[Any, ...] = (self._ctx.desk.users.set_up_owner, self.name_field.text(), pin)
        else:
            user = self.chosen()
            if user is None:
                self.show_message(_("Please choose who you are."), error=True)
                return
            job = (self._ctx.desk.users.sign_in, user.id, pin)
        self.sign_in_button.setEnabled(False)
        self._ctx.runner.db(*job, on_done=self._on_signed_in, on_error=self._on_error, owner=self)

    def _on_signed_in(self, actor: Actor) -> None:
        self.sign_in_button.setEnabled(True)
        self.pin_field.clear()
        self.confirm_field.clear()
        self.message_label.setVisible(False)
        self._ctx.user = SignedInUser(actor.name, actor.role.value)
        self.signed_in.emit(actor)

    def _on_error(self, error: BaseException) -> None:
        self.sign_in_button.setEnabled(True)
        self.pin_field.clear()
        self.confirm_field.clear()
        self.pin_field.setFocus()
        self.show_message(error_text(error), error=True)

    def show_message(self, message: str, error: bool = False) -> None:
        self.message_label.setText(message)
        colour = PALETTE["danger" if error else "success"]
        self.message_label.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.message_label.setVisible(bool(message))

    def reset(self) -> None:
        """Back to a blank PIN (the desk locked or someone switches user)."""
        self.pin_field.clear()
        self.confirm_field.clear()
        self.message_label.setVisible(False)
        self.pin_field.setFocus()

    def retranslate(self, *_args: Any) -> None:
        l10n = current_localizer()
        if self.first_run:
            self.title_label.setText(_("Welcome to Salon Desk"))
            self.subtitle_label.setText(_("First, the salon's owner: a name and a PIN of 4 to 6 digits."))
            self.name_field.setPlaceholderText(_("Owner's name"))
            self.sign_in_button.setText(_("Create the owner and sign in"))
        else:
            self.title_label.setText(_("Who is at the desk?"))
            self.subtitle_label.setText(_("Choose your name and enter your PIN."))
            self.sign_in_button.setText(_("Sign in"))
        self.pin_label.setText(_("PIN"))
        self.confirm_label.setText(_("The same PIN again"))
        for index, user in enumerate(self.users):
            self.tiles.button(index).setText(f"{l10n.isolate(user.name)}\n{l10n.role_label(user.role)}")
