"""Preferences (the analyst's name, theme, reading font, word snapping) and the first run's name prompt."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFontComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import reader, settings

NAME_LIMIT = 120


def os_full_name() -> str:
    """The user's name as the system knows it (the full name where there is one, else the login)."""
    try:
        import pwd

        gecos = pwd.getpwuid(os.getuid()).pw_gecos.split(",")[0].strip()
        if gecos:
            return gecos
    except (ImportError, KeyError, AttributeError):
        pass
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def clean_name(text: str) -> str:
    """An annotator's name as stored: one line, no control characters, at most NAME_LIMIT characters."""
    name = " ".join("".join(ch for ch in text if ch.isprintable()).split())
    return name[:NAME_LIMIT]


@dataclass(frozen=True)
class Preferences:
    """The values the Preferences dialog edits."""

    annotator: str
    theme: str
    reader_font: str
    reader_point_size: float
    snap_to_words: bool

    @classmethod
    def current(cls) -> Preferences:
        """Read the stored preferences."""
        theme = str(settings.get("theme"))
        return cls(
            annotator=str(settings.get("annotator")),
            theme=theme if theme in settings.THEMES else "system",
            reader_font=str(settings.get("reader_font")),
            reader_point_size=float(settings.get("reader_point_size")),
            snap_to_words=bool(settings.get("snap_to_words")),
        )

    def save(self) -> None:
        """Store these preferences."""
        settings.put("annotator", self.annotator)
        settings.put("theme", self.theme)
        settings.put("reader_font", self.reader_font)
        settings.put("reader_point_size", self.reader_point_size)
        settings.put("snap_to_words", self.snap_to_words)


class PreferencesDialog(QDialog):
    """Edit :class:`Preferences`; ``values()`` returns what the user chose."""

    def __init__(self, current: Preferences, parent: QWidget | None = None) -> None:
        """Show ``current`` for editing."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Preferences"))
        form = QFormLayout()
        self.name = QLineEdit(current.annotator, self)
        self.name.setObjectName("pref_name")
        self.name.setMaxLength(NAME_LIMIT)
        self.name.setPlaceholderText(os_full_name())
        form.addRow(self.tr("Your &name:"), self.name)
        self.theme = QComboBox(self)
        self.theme.setObjectName("pref_theme")
        for key, label in (("system", self.tr("System")), ("light", self.tr("Light")), ("dark", self.tr("Dark"))):
            self.theme.addItem(label, key)
        self.theme.setCurrentIndex(max(0, self.theme.findData(current.theme)))
        form.addRow(self.tr("&Theme:"), self.theme)
        self.font_box = QFontComboBox(self)
        self.font_box.setObjectName("pref_font")
        installed = set(QFontDatabase.families())
        # No font chosen yet: show the one the reader uses, so OK without a change keeps it.
        shown = current.reader_font or next((f for f in reader.READING_FAMILIES if f in installed), "")
        if shown:
            self.font_box.setCurrentFont(QFont(shown))
        form.addRow(self.tr("Reading &font:"), self.font_box)
        self.size_box = QDoubleSpinBox(self)
        self.size_box.setObjectName("pref_size")
        self.size_box.setRange(7.0, 40.0)
        self.size_box.setSingleStep(0.5)
        self.size_box.setSuffix(self.tr(" pt"))
        self.size_box.setValue(current.reader_point_size)
        form.addRow(self.tr("Reading &size:"), self.size_box)
        self.snap = QCheckBox(self.tr("Snap selections to whole &words"), self)
        self.snap.setObjectName("pref_snap")
        self.snap.setChecked(current.snap_to_words)
        form.addRow("", self.snap)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def values(self) -> Preferences:
        """The preferences as the dialog now shows them."""
        return Preferences(
            annotator=clean_name(self.name.text()) or clean_name(os_full_name()),
            theme=str(self.theme.currentData()),
            reader_font=self.font_box.currentFont().family(),
            reader_point_size=float(self.size_box.value()),
            snap_to_words=self.snap.isChecked(),
        )


class FirstRunDialog(QDialog):
    """The first run: ask the analyst's name (it signs every tag), prefilled from the system."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Prefill the name from the operating system."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Welcome to Warrant"))
        layout = QVBoxLayout(self)
        text = QLabel(
            self.tr(
                "Your name is saved with every passage you tag, so colleagues reviewing your file "
                "know whose judgement it is. You can change it later in Preferences."
            ),
            self,
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.name = QLineEdit(clean_name(os_full_name()), self)
        self.name.setObjectName("first_run_name")
        self.name.setMaxLength(NAME_LIMIT)
        self.name.selectAll()
        layout.addWidget(self.name)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    def chosen_name(self) -> str:
        """The name entered, or the system's when left empty."""
        return clean_name(self.name.text()) or clean_name(os_full_name())


def ensure_annotator(parent: QWidget | None = None) -> str:
    """Return the analyst's name, asking for it on the first run and storing the answer."""
    stored = clean_name(str(settings.get("annotator")))
    if stored:
        return stored
    dialog = FirstRunDialog(parent)
    dialog.exec()
    name = dialog.chosen_name()
    settings.put("annotator", name)
    return name
