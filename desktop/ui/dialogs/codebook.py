"""The codebook editor: the file's tags with their colour, key and description, edited one undoable step at a time.

The dialog edits nothing itself: each button calls the :class:`Codebook` it was given (the window passes one
that runs an undo command per edit), then shows the tag set the codebook reports back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import model
from desktop.ui import wording

SHORTCUT_KEYS = tuple("123456789")
"""Keys a tag can be given: one press tags the selection."""


class Codebook(Protocol):
    """What the editor asks of the window: each method is one undoable edit; ``tags()`` is the current set."""

    def tags(self) -> Sequence[model.Tag]: ...
    def count(self, name: str) -> int: ...
    def add(self, label: str) -> None: ...
    def rename(self, name: str, label: str) -> None: ...
    def recolour(self, name: str, colour: str) -> None: ...
    def describe(self, name: str, description: str) -> None: ...
    def set_shortcut(self, name: str, key: str) -> None: ...
    def reorder(self, names: Sequence[str]) -> None: ...
    def delete(self, name: str, reassign_to: str | None) -> None: ...
    def merge(self, name: str, into: str) -> None: ...


def _swatch(colour: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class CodebookDialog(QDialog):
    """List the tags; rename, recolour, describe, change the key, reorder, delete (reassigning), merge."""

    def __init__(self, codebook: Codebook, parent: QWidget | None = None) -> None:
        """Edit ``codebook``."""
        super().__init__(parent)
        self.codebook = codebook
        self.setWindowTitle(self.tr("Codebook"))
        self.resize(520, 420)
        self.list = QListWidget(self)
        self.list.setObjectName("codebook_tags")
        self.list.setUniformItemSizes(True)
        self.list.currentRowChanged.connect(self._selection_changed)
        self.buttons: dict[str, QPushButton] = {}
        column = QVBoxLayout()
        for key, text, slot in (
            ("add", self.tr("&Add…"), self.add),
            ("rename", self.tr("&Rename…"), self.rename),
            ("colour", self.tr("&Colour…"), self.recolour),
            ("describe", self.tr("&Description…"), self.describe),
            ("shortcut", self.tr("&Key…"), self.set_shortcut),
            ("up", self.tr("Move &Up"), lambda: self.move(-1)),
            ("down", self.tr("Move Do&wn"), lambda: self.move(1)),
            ("merge", self.tr("&Merge Into…"), self.merge),
            ("delete", self.tr("De&lete…"), self.delete),
        ):
            button = QPushButton(text, self)
            button.setObjectName(f"codebook_{key}")
            button.clicked.connect(slot)
            self.buttons[key] = button
            column.addWidget(button)
        column.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(column)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(close)
        self.refresh()

    # -- display -------------------------------------------------------------------------------

    def refresh(self, select: str | None = None) -> None:
        """Show the codebook's tags again, keeping (or moving to) ``select``."""
        keep = select or self.current_name()
        self.list.clear()
        for tag in self.codebook.tags():
            key = f"  [{tag.shortcut}]" if tag.shortcut else ""
            uses = self.codebook.count(tag.name)
            item = QListWidgetItem(_swatch(tag.colour), f"{tag.label}{key}  ·  {self._uses(uses)}")
            item.setData(Qt.ItemDataRole.UserRole, tag.name)
            description = getattr(tag, "description", "")
            item.setToolTip(description or tag.label)
            self.list.addItem(item)
            if tag.name == keep:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self._selection_changed()

    def _uses(self, n: int) -> str:
        return wording.counted(self.tr("%n passage(s)", "", n), n)

    def current_name(self) -> str | None:
        """The selected tag's name."""
        item = self.list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def _current(self) -> model.Tag | None:
        name = self.current_name()
        return next((t for t in self.codebook.tags() if t.name == name), None)

    def _selection_changed(self, _row: int = -1) -> None:
        chosen = self.current_name() is not None
        row = self.list.currentRow()
        for key, button in self.buttons.items():
            if key != "add":
                button.setEnabled(chosen)
        self.buttons["up"].setEnabled(chosen and row > 0)
        self.buttons["down"].setEnabled(chosen and row < self.list.count() - 1)
        several = self.list.count() > 1
        self.buttons["merge"].setEnabled(chosen and several)

    # -- edits ---------------------------------------------------------------------------------

    def add(self) -> None:
        """Ask for a new tag's name and add it."""
        label, ok = QInputDialog.getText(self, self.tr("Add Tag"), self.tr("Name of the new tag:"))
        label = " ".join(label.split())
        if ok and label:
            self.codebook.add(label)
            self.refresh()

    def rename(self) -> None:
        """Rename the selected tag (passages keep it)."""
        tag = self._current()
        if tag is None:
            return
        label, ok = QInputDialog.getText(self, self.tr("Rename Tag"), self.tr("New name:"), text=tag.label)
        label = " ".join(label.split())
        if ok and label and label != tag.label:
            self.codebook.rename(tag.name, label)
            self.refresh(tag.name)

    def recolour(self) -> None:
        """Choose the selected tag's colour."""
        tag = self._current()
        if tag is None:
            return
        colour = QColorDialog.getColor(QColor(tag.colour), self, self.tr("Colour of %1").replace("%1", tag.label))
        if colour.isValid() and colour.name() != tag.colour:
            self.codebook.recolour(tag.name, colour.name())
            self.refresh(tag.name)

    def describe(self) -> None:
        """Write what the tag means (shown as its tooltip and exported with the codebook)."""
        tag = self._current()
        if tag is None:
            return
        current = getattr(tag, "description", "")
        text, ok = QInputDialog.getMultiLineText(
            self, self.tr("Description"), self.tr("What %1 means:").replace("%1", tag.label), current
        )
        if ok and text.strip() != current:
            self.codebook.describe(tag.name, text.strip())
            self.refresh(tag.name)

    def set_shortcut(self) -> None:
        """Give the selected tag one of the keys 1–9 (or none); a key another tag had moves here."""
        tag = self._current()
        if tag is None:
            return
        taken = {t.shortcut: t.label for t in self.codebook.tags() if t.shortcut and t.name != tag.name}
        none = self.tr("(no key)")
        choices = [none] + [f"{k}" + (f"  ({taken[k]})" if k in taken else "") for k in SHORTCUT_KEYS]
        current = choices.index(next((c for c in choices if c.split()[0] == tag.shortcut), none))
        choice, ok = QInputDialog.getItem(
            self, self.tr("Key"), self.tr("Key that tags a selection:"), choices, current, False
        )
        if not ok:
            return
        key = "" if choice == none else choice.split()[0]
        if key != tag.shortcut:
            self.codebook.set_shortcut(tag.name, key)
            self.refresh(tag.name)

    def move(self, step: int) -> None:  # type: ignore[override]  # the button's slot, not QWidget.move
        """Move the selected tag up (-1) or down (+1) in the codebook's order."""
        names = [t.name for t in self.codebook.tags()]
        name = self.current_name()
        if name is None:
            return
        i = names.index(name)
        j = i + step
        if not 0 <= j < len(names):
            return
        names[i], names[j] = names[j], names[i]
        self.codebook.reorder(names)
        self.refresh(name)

    def _other_tag(self, tag: model.Tag, title: str, prompt: str, *, allow_none: bool) -> tuple[bool, str | None]:
        others = [t for t in self.codebook.tags() if t.name != tag.name]
        labels = [t.label for t in others]
        none = self.tr("(delete its passages too)")
        if allow_none:
            labels.append(none)
        if not labels:
            return False, None
        choice, ok = QInputDialog.getItem(self, title, prompt, labels, 0, False)
        if not ok:
            return False, None
        if choice == none:
            return True, None
        return True, others[labels.index(choice)].name

    def delete(self) -> None:
        """Delete the selected tag; its passages move to another tag, or go with it after a warning."""
        tag = self._current()
        if tag is None:
            return
        uses = self.codebook.count(tag.name)
        if uses == 0:
            if self._confirm(self.tr("Delete the tag %1?").replace("%1", tag.label)):
                self.codebook.delete(tag.name, None)
                self.refresh()
            return
        ok, target = self._other_tag(
            tag,
            self.tr("Delete Tag"),
            self.tr("%1 is on %2. Give them which tag instead?")
            .replace("%1", tag.label)
            .replace("%2", self._uses(uses)),
            allow_none=True,
        )
        if not ok:
            return
        if target is None and not self._confirm(
            self.tr("Delete %1 and %2 tagged with it? (Edit > Undo brings them back.)")
            .replace("%1", tag.label)
            .replace("%2", self._uses(uses))
        ):
            return
        self.codebook.delete(tag.name, target)
        self.refresh(target)

    def merge(self) -> None:
        """Merge the selected tag into another: its passages take the other tag and it disappears."""
        tag = self._current()
        if tag is None:
            return
        ok, target = self._other_tag(
            tag, self.tr("Merge Tag"), self.tr("Merge %1 into:").replace("%1", tag.label), allow_none=False
        )
        if ok and target is not None:
            self.codebook.merge(tag.name, target)
            self.refresh(target)

    def _confirm(self, question: str) -> bool:
        answer = QMessageBox.question(self, self.tr("Codebook"), question)
        return answer == QMessageBox.StandardButton.Yes
