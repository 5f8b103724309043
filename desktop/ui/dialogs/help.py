"""Help > Keyboard Shortcuts and Help > About: plain-text message boxes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def _message(parent: QWidget, title: str, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


def show_shortcuts(parent: QWidget, table: list[tuple[str, str]]) -> None:
    """List every keyboard shortcut: (action text, keys) rows."""
    _message(parent, parent.tr("Keyboard Shortcuts"), "\n".join(f"{text:<32} {keys}" for text, keys in table))


def show_about(parent: QWidget) -> None:
    """Say what Warrant is."""
    from desktop import __version__

    _message(
        parent, parent.tr("About Warrant"), f"Warrant {__version__}\nAn offline reader and annotator for analysts."
    )
