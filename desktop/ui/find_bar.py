"""Ctrl+F: the find bar under the reader."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from desktop.ui import reader


class FindBar(QWidget):
    """Ctrl+F: find text in the article, forwards or backwards."""

    def __init__(self, target: reader.Reader) -> None:
        """Make a hidden find bar for ``target``."""
        super().__init__(target.parentWidget())
        self.target = target
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(self.tr("Find in article"))
        self.edit.setClearButtonEnabled(True)
        self.edit.returnPressed.connect(self.find_next)
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.hide()

    def open(self) -> None:
        """Show and focus the bar, seeded with the selection."""
        selected = self.target.textCursor().selectedText()
        if selected and "\u2029" not in selected and len(selected) < 200:
            self.edit.setText(selected)
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            self.target.setFocus()
            return
        super().keyPressEvent(event)

    def find_next(self, backwards: bool = False) -> bool:
        """Select the next (or previous) match; wrap around once."""
        needle = self.edit.text()
        if not needle:
            return False
        flags = QTextDocument.FindFlag.FindBackward if backwards else QTextDocument.FindFlag(0)
        found = self.target.find(needle, flags)
        if not found:
            cursor = self.target.textCursor()
            cursor.movePosition(cursor.MoveOperation.End if backwards else cursor.MoveOperation.Start)
            self.target.setTextCursor(cursor)
            found = self.target.find(needle, flags)
        self.status.setText("" if found else self.tr("Not found"))
        return found
