"""The keyboard shortcuts, listed from the action collection in aligned columns, grouped like the menus."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

_MODIFIERS = Qt.KeyboardModifier.KeyboardModifierMask.value
_TYPABLE_SPECIAL = {
    Qt.Key.Key_Escape,
    Qt.Key.Key_Tab,
    Qt.Key.Key_Backtab,
    Qt.Key.Key_Backspace,
    Qt.Key.Key_Return,
    Qt.Key.Key_Enter,
    Qt.Key.Key_Insert,
    Qt.Key.Key_Delete,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
    Qt.Key.Key_Left,
    Qt.Key.Key_Up,
    Qt.Key.Key_Right,
    Qt.Key.Key_Down,
    Qt.Key.Key_PageUp,
    Qt.Key.Key_PageDown,
    Qt.Key.Key_Space,
    *(Qt.Key(Qt.Key.Key_F1.value + i) for i in range(24)),
}


def typable(sequence: QKeySequence) -> bool:
    """True when every key of ``sequence`` is on an ordinary keyboard (not a media key such as "Open")."""
    if sequence.isEmpty():
        return False
    for i in range(sequence.count()):
        key = Qt.Key(sequence[i].toCombined() & ~_MODIFIERS)  # type: ignore[index]  # QKeySequence[i] is a QKeyCombination
        if key.value >= Qt.Key.Key_Escape.value and key not in _TYPABLE_SPECIAL:
            return False
    return True


def keys_text(sequences: Iterable[QKeySequence]) -> str:
    """The typable shortcuts of an action as the platform writes them, joined with "or"."""
    shown: list[str] = []
    for seq in sequences:
        text = seq.toString(QKeySequence.SequenceFormat.NativeText)
        if typable(seq) and text not in shown:
            shown.append(text)
    return " or ".join(shown)


def action_text(action: QAction) -> str:
    """An action's menu text without its mnemonic ampersands and trailing dots."""
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(".").rstrip("…")


Row = tuple[str, str]
"""(what it does, the keys)."""


def rows_of(actions: Sequence[QAction]) -> list[Row]:
    """One row per action that has a typable shortcut, in the given order."""
    rows = []
    for action in actions:
        keys = keys_text(action.shortcuts())
        if keys:
            rows.append((action_text(action), keys))
    return rows


class ShortcutsDialog(QDialog):
    """Two aligned columns (what, keys) under one heading per group."""

    def __init__(self, groups: Sequence[tuple[str, Sequence[Row]]], parent: QWidget | None = None) -> None:
        """Show ``groups``: (heading, rows) pairs; empty groups are left out."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard Shortcuts"))
        self.resize(520, 560)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("shortcuts")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([self.tr("Action"), self.tr("Keys")])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.NoSelection)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(False)
        for heading, rows in groups:
            if not rows:
                continue
            group = QTreeWidgetItem(self.tree, [heading, ""])
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            group.setFirstColumnSpanned(True)
            for what, keys in rows:
                QTreeWidgetItem(group, [what, keys])
        self.tree.expandAll()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)

    def rows(self) -> list[tuple[str, str, str]]:
        """(group, what, keys) for every row shown, for tests and copying."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            assert group is not None
            for j in range(group.childCount()):
                child = group.child(j)
                assert child is not None
                out.append((group.text(0), child.text(0), child.text(1)))
        return out
