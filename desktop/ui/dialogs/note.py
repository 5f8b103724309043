"""The note editor: multi-line, wrapping, showing the passage; Ctrl+Enter saves, Esc cancels, Tab moves on."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core import textutil

QUOTE_SHOWN = 600
"""Characters of the passage shown above the note; a longer passage ends in an ellipsis."""


def clean_note(text: str) -> str:
    """Return the note as it is saved: line breaks kept, trailing white space of each line and of the note dropped."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


class _NoteEdit(QPlainTextEdit):
    """A plain-text editor where Ctrl+Enter accepts the dialog (Enter alone starts a new line)."""

    def __init__(self, dialog: QDialog) -> None:
        super().__init__(dialog)
        self._dialog = dialog

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._dialog.accept()
            return
        super().keyPressEvent(event)


class NoteDialog(QDialog):
    """Edit the note of one passage (or of several at once), seeing the passage while writing."""

    def __init__(self, quote: str, note: str, *, count: int = 1, parent: QWidget | None = None) -> None:
        """Show ``quote`` (the passage) above an editor holding ``note``; ``count`` passages share the note."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Note"))
        self.setMinimumSize(460, 300)
        layout = QVBoxLayout(self)

        shown = textutil.one_line(quote) if quote else ""
        if len(shown) > QUOTE_SHOWN:
            shown = shown[: QUOTE_SHOWN - 1].rstrip() + "…"
        if count > 1:
            heading = self.tr("One note for %n passages", "", count)
        else:
            heading = self.tr("Passage")
        title = QLabel(heading, self)
        title.setObjectName("note_heading")
        layout.addWidget(title)
        passage = QLabel(shown, self)
        passage.setObjectName("note_passage")
        passage.setTextFormat(Qt.TextFormat.PlainText)  # a passage is text, never markup
        passage.setWordWrap(True)
        passage.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        passage.setStyleSheet("QLabel { font-style: italic; padding: 4px 8px; }")
        passage.setVisible(bool(shown))
        layout.addWidget(passage)

        self.editor = _NoteEdit(self)
        self.editor.setObjectName("note_editor")
        self.editor.setPlainText(note)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.editor.setTabChangesFocus(True)
        self.editor.setPlaceholderText(self.tr("Your note on this passage"))
        layout.addWidget(self.editor, 1)

        hint = QLabel(self.tr("Ctrl+Enter saves · Esc cancels"), self)
        hint.setObjectName("note_hint")
        hint.setEnabled(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        # Ctrl+Enter saves from anywhere in the dialog, the buttons included.
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.accept)
        self.editor.setFocus()
        self.editor.moveCursor(self.editor.textCursor().MoveOperation.End)

    def note(self) -> str:
        """The note as it will be saved (see :func:`clean_note`)."""
        return clean_note(self.editor.toPlainText())


def edit_note(parent: QWidget | None, quote: str, note: str, *, count: int = 1) -> str | None:
    """Ask for a note on ``quote``; return the cleaned note, or None when the user cancelled."""
    dialog = NoteDialog(quote, note, count=count, parent=parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.note()
