"""The shortcuts dialog lists typable keys only, aligned, from real actions (issue 16)."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.ui.dialogs import shortcuts


def test_media_keys_from_standard_bindings_are_left_out() -> None:
    assert not shortcuts.typable(QKeySequence("Open"))
    assert not shortcuts.typable(QKeySequence("Shift+Save"))
    assert shortcuts.typable(QKeySequence("Ctrl+O"))
    assert shortcuts.typable(QKeySequence("Shift+Right"))
    assert shortcuts.typable(QKeySequence("Esc"))
    assert shortcuts.typable(QKeySequence("4"))
    assert shortcuts.keys_text([QKeySequence("Ctrl+O"), QKeySequence("Open"), QKeySequence("Ctrl+O")]) == "Ctrl+O"


def test_rows_come_from_the_actions_without_mnemonics(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    save = QAction("Save a &Copy As...", owner)
    save.setShortcuts([QKeySequence("Ctrl+Shift+S"), QKeySequence("Shift+Save")])
    plain = QAction("No keys", owner)
    undo = QAction("&Undo", owner)
    undo.setShortcuts([QKeySequence("Ctrl+Z")])
    assert shortcuts.rows_of([save, plain, undo]) == [("Save a Copy As", "Ctrl+Shift+S"), ("Undo", "Ctrl+Z")]


def test_the_dialog_shows_every_group_in_two_columns(qtbot: QtBot) -> None:
    dialog = shortcuts.ShortcutsDialog(
        [("File", [("Open", "Ctrl+O")]), ("Empty", []), ("Passages", [("Extend the passage", "Shift+Right")])]
    )
    qtbot.addWidget(dialog)
    assert dialog.rows() == [("File", "Open", "Ctrl+O"), ("Passages", "Extend the passage", "Shift+Right")]
    assert dialog.tree.columnCount() == 2
