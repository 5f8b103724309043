"""The analyst's workbench flows of the window: the codebook (edited, exported, imported), Preferences, shortcuts.

Each codebook edit is one :mod:`desktop.core.operations` call run by the session (one undo step); the
window only connects its actions here (``main_window.py`` stays an assembly of widgets).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog

from desktop.core import errors, model, operations
from desktop.ui import session as session_mod
from desktop.ui import settings, themes, wording
from desktop.ui.dialogs import codebook as codebook_dialog
from desktop.ui.dialogs import preferences as preferences_dialog
from desktop.ui.dialogs import shortcuts as shortcuts_dialog

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def _tr(text: str, n: int = -1) -> str:
    return wording.counted(QCoreApplication.translate("Workbench", text, None, n), n)


class SessionCodebook:
    """The :class:`~desktop.ui.dialogs.codebook.Codebook` of an open file: each edit one undo step of its session."""

    def __init__(self, sess: session_mod.Session) -> None:
        """Edit the tag set of ``sess``'s file."""
        self.session = sess
        self._counts: dict[str, int] | None = None
        sess.changed.connect(self._forget_counts)

    def _forget_counts(self, _changes: object = None) -> None:
        self._counts = None

    def _run(self, text: str, perform: Callable[[], operations.Outcome]) -> None:
        self.session.run(text, perform)

    def _label(self, name: str) -> str:
        return self.session.tag(name).label

    def tags(self) -> Sequence[model.Tag]:
        """The file's tags in display order."""
        return list(self.session.tags)

    def count(self, name: str) -> int:
        """How many passages (of every document of the file) have tag ``name``."""
        if self._counts is None:
            self._counts = self.session.store.tag_counts()
        return self._counts.get(name, 0)

    def add(self, label: str) -> None:
        """Add a tag called ``label`` (its name is the label in lower case)."""
        st = self.session.store
        self._run(_tr("Add Tag %1").replace("%1", label), lambda: operations.add_tag(st, label.lower(), label=label))

    def rename(self, name: str, label: str) -> None:
        """Relabel a tag."""
        st = self.session.store
        self._run(_tr("Rename Tag %1").replace("%1", self._label(name)), lambda: operations.rename_tag(st, name, label))

    def recolour(self, name: str, colour: str) -> None:
        """Give a tag another colour."""
        st = self.session.store
        self._run(
            _tr("Recolour Tag %1").replace("%1", self._label(name)), lambda: operations.recolour_tag(st, name, colour)
        )

    def describe(self, name: str, description: str) -> None:
        """Set a tag's description."""
        st = self.session.store
        self._run(
            _tr("Describe Tag %1").replace("%1", self._label(name)),
            lambda: operations.describe_tag(st, name, description),
        )

    def set_shortcut(self, name: str, key: str) -> None:
        """Give a tag a key (another tag that had it loses it)."""
        st = self.session.store
        self._run(
            _tr("Change Key of %1").replace("%1", self._label(name)),
            lambda: operations.set_tag_shortcut(st, name, key),
        )

    def reorder(self, names: Sequence[str]) -> None:
        """Put the tags in this order."""
        st, order = self.session.store, list(names)
        self._run(_tr("Reorder Tags"), lambda: operations.reorder_tags(st, order))

    def delete(self, name: str, reassign_to: str | None) -> None:
        """Delete a tag; its passages take ``reassign_to`` or go with it."""
        st = self.session.store
        self._run(
            _tr("Delete Tag %1").replace("%1", self._label(name)),
            lambda: operations.delete_tag(st, name, reassign_to),
        )

    def merge(self, name: str, into: str) -> None:
        """Merge tag ``name`` into ``into``."""
        st = self.session.store
        text = _tr("Merge Tag %1 into %2").replace("%1", self._label(name)).replace("%2", self._label(into))
        self._run(text, lambda: operations.merge_tags(st, name, into))


def open_codebook(window: MainWindow, *, answer: Callable[[QDialog], int] | None = None) -> None:
    """Edit > Codebook…: the codebook editor over the open file; every edit is one undo step.

    ``answer`` stands in for ``exec`` in tests (it gets the dialog, edits through it and returns).
    """
    sess = window.session
    if sess is None:
        return
    dialog = codebook_dialog.CodebookDialog(SessionCodebook(sess), window)
    dialog.setObjectName("codebook_dialog")
    dialog.refresh()

    def follow(_changes: object) -> None:
        dialog.refresh()  # an undo or redo while the editor is open shows in its list at once

    sess.changed.connect(follow)
    try:
        (answer or (lambda d: d.exec()))(dialog)
    finally:
        sess.changed.disconnect(follow)
        dialog.deleteLater()


# -- the codebook as a file ---------------------------------------------------------------------------

CODEBOOK_FILTER = "REFI-QDA codebooks (*.qdc);;REFI-QDA projects (*.qde *.qdpx);;All files (*)"


def export_codebook(window: MainWindow, path: str | None = None) -> bool:
    """File > Export Codebook: the tag set as a REFI-QDA ``.qdc`` file (written whole, then moved in place)."""
    from desktop.core import exchange

    sess = window.session
    if sess is None:
        return False
    if path is None:
        start = str(Path(str(settings.get("export_folder")) or Path.home()) / "codebook.qdc")
        path, _ = QFileDialog.getSaveFileName(window, _tr("Export Codebook"), start, _tr("REFI-QDA codebooks (*.qdc)"))
        if not path:
            return False
    try:
        exchange.export(sess.store, "qdc", path)  # written whole, then moved in place
    except errors.WarrantError as exc:
        window.error(str(exc))
        return False
    n = len(sess.tags)
    window.status(_tr("Exported %n tag(s) to %1", n).replace("%1", os.path.basename(path)), 6000)
    return True


def import_codebook(window: MainWindow, path: str | None = None) -> bool:
    """File > Import Codebook: add a ``.qdc`` codebook's tags to the file, as ONE undoable step."""
    from desktop.core.exchange import qdc, qdpx

    sess = window.session
    if sess is None:
        return False
    if path is None:
        path, _ = QFileDialog.getOpenFileName(window, _tr("Import Codebook"), "", _tr(CODEBOOK_FILTER))
        if not path:
            return False
    try:
        p = Path(path)
        if p.stat().st_size > qdc.MAX_BYTES:
            raise errors.ExchangeError(f"{p} is larger than {qdc.MAX_BYTES:,} bytes; refused")
        found = qdc.read(p.read_bytes(), sess.store, str(p))
        plan, report = qdpx.plan(sess.store, found)
    except OSError as exc:
        window.error(_tr("%1 cannot be read: %2").replace("%1", str(path)).replace("%2", exc.strerror or str(exc)))
        return False
    except errors.WarrantError as exc:
        window.error(str(exc))
        return False
    added = len(plan.tags)
    if added and not sess.run(_tr("Import Codebook"), lambda: operations.import_plan(sess.store, plan)):
        return False
    message = _tr("Added %n tag(s) from the codebook", added) if added else _tr("The file already has every tag")
    window.status(message, 6000)
    if report.notes:
        log.info("codebook import: %s", "; ".join(report.notes))
    return bool(added)


# -- Preferences -------------------------------------------------------------------------------------


def apply_preferences(window: MainWindow, prefs: preferences_dialog.Preferences, *, theme: bool = True) -> None:
    """Make the window follow ``prefs``: theme (window, map, review grid), reading font, word snapping, name.

    ``theme=False`` at start-up: the application's theme is set once, before the first window.
    """
    app = QApplication.instance()
    if theme and isinstance(app, QApplication):
        themes.apply(app, prefs.theme)
    window.reader.apply_font(prefs.reader_font, prefs.reader_point_size)
    window.reader.snap_words = prefs.snap_to_words
    sess = window.session
    if sess is not None and prefs.annotator and prefs.annotator != sess.store.annotator:
        try:
            sess.store.set_annotator(prefs.annotator)
        except errors.WarrantError as exc:
            window.error(str(exc))
    # The map and the review grid paint from the palette when they are filled: fill them again.
    window.map_tab.dirty = window.outline_tab.dirty = True
    window.refresh_argument_views()
    if window.reviewer is not None:
        window.reviewer.refresh()
    window.reader.viewport().update()


def stored_preferences() -> preferences_dialog.Preferences:
    """The preferences as stored."""
    return preferences_dialog.Preferences.current()


def open_preferences(window: MainWindow, *, answer: Callable[[QDialog], int] | None = None) -> bool:
    """Edit > Preferences…: edit, store and apply the preferences; ``answer`` stands in for ``exec`` in tests."""
    dialog = preferences_dialog.PreferencesDialog(preferences_dialog.Preferences.current(), window)
    dialog.setObjectName("preferences_dialog")
    try:
        result = (answer or (lambda d: d.exec()))(dialog)
        if result != QDialog.DialogCode.Accepted:
            return False
        prefs = dialog.values()
    finally:
        dialog.deleteLater()
    prefs.save()
    apply_preferences(window, prefs)
    return True


# -- Help > Keyboard Shortcuts ------------------------------------------------------------------------

PASSAGE_KEYS: tuple[tuple[str, str], ...] = (
    ("Move the selected passage's end by a word", "Shift+Right or Shift+Left"),
    ("Move the selected passage's start by a word", "Shift+Up or Shift+Down"),
    ("Move an end by one character", "Shift+Alt+arrow"),
    ("Move the nearer end of the selected passage here", "Shift+click"),
    ("Cancel a link, close Find", "Esc"),
)
"""Keys the reader handles itself (no action carries them)."""


def shortcut_groups(window: MainWindow) -> list[tuple[str, list[tuple[str, str]]]]:
    """The shortcuts of every action, grouped like the menus, then the reader's own keys."""
    from desktop.ui import actions as actions_mod

    named = {
        **window.action_collection.by_name,
        "edit_undo": window.undo_action,
        "edit_redo": window.redo_action,
    }
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for title, names in actions_mod.MENUS:
        chosen: list[QAction] = []
        for name in names:
            if name == "@tags":
                chosen.extend(window.action_collection.tag_actions.values())
            elif name in named:
                chosen.append(named[name])
        rows = shortcuts_dialog.rows_of(chosen)
        # The undo actions' texts name the edit they would undo ("Undo Tag as Claim"): list them plainly.
        fixed = {window.undo_action: _tr("Undo"), window.redo_action: _tr("Redo")}
        for action, what in fixed.items():
            keys = shortcuts_dialog.keys_text(action.shortcuts())
            rows = [(what, k) if k == keys and action in chosen else (w, k) for w, k in rows]
        groups.append((title.replace("&", ""), rows))
    assessing = getattr(window, "assessing", None)  # issue 17: the Assess menu's keys
    if assessing is not None:
        groups.append((_tr("Assess"), shortcuts_dialog.rows_of(list(assessing.actions.values()))))
    groups.append((_tr("Reading and Passages"), [(_tr(what), keys) for what, keys in PASSAGE_KEYS]))
    return groups


def show_shortcuts(window: MainWindow) -> shortcuts_dialog.ShortcutsDialog:
    """Help > Keyboard Shortcuts (F1): the dialog, built from the action collection (modeless)."""
    dialog = shortcuts_dialog.ShortcutsDialog(shortcut_groups(window), window)
    dialog.setObjectName("shortcuts_dialog")
    dialog.finished.connect(dialog.deleteLater)
    dialog.show()
    return dialog
