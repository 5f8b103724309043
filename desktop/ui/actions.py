"""Every QAction of the window, with its shortcut and text, in one place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from desktop.core import model

Std = QKeySequence.StandardKey


@dataclass(frozen=True)
class Spec:
    """What an action is: its name, text, shortcuts and status tip."""

    name: str
    text: str
    shortcuts: tuple[QKeySequence | QKeySequence.StandardKey | str, ...] = ()
    tip: str = ""


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Mark ``text`` for translation in ``context`` (lupdate extracts it); translated where it is shown."""
    return text


def _tr(text: str) -> str:
    return QCoreApplication.translate("Actions", text)


ANNOTATION_MENU = (
    "annotation_note",
    "annotation_delete",
    "annotation_extent",
    "annotation_merge",
    "link_start",
    "link_remove",
    "-",
    "annotation_copy_markdown",
    "annotation_export_selected",
)
"""The Annotation menu after the tag actions, also the list's context menu."""

SPECS: tuple[Spec, ...] = (
    Spec(
        "file_open",
        QT_TRANSLATE_NOOP("Actions", "&Open..."),
        (Std.Open,),
        QT_TRANSLATE_NOOP("Actions", "Open an article or an annotation file"),
    ),
    Spec(
        "file_save_copy",
        QT_TRANSLATE_NOOP("Actions", "Save a &Copy As..."),
        (Std.SaveAs,),
        QT_TRANSLATE_NOOP("Actions", "Write the annotation file as one file to hand on"),
    ),
    Spec(
        "file_export",
        QT_TRANSLATE_NOOP("Actions", "&Export..."),
        ("Ctrl+E",),
        QT_TRANSLATE_NOOP("Actions", "Export tagged passages: CSV, Excel, W3C, reports, Argdown, REFI-QDA, brat, ACH"),
    ),
    Spec(
        "file_import",
        QT_TRANSLATE_NOOP("Actions", "&Import Annotations..."),
        ("Ctrl+I",),
        QT_TRANSLATE_NOOP("Actions", "Import W3C or Hypothesis JSON, a REFI-QDA project or codebook, or brat standoff"),
    ),
    Spec(
        "file_review",
        QT_TRANSLATE_NOOP("Actions", "&Review Colleague's File..."),
        ("Ctrl+R",),
        QT_TRANSLATE_NOOP("Actions", "Open colleagues' annotation files read-only"),
    ),
    Spec(
        "file_add_tag",
        QT_TRANSLATE_NOOP("Actions", "Add &Tag..."),
        (),
        QT_TRANSLATE_NOOP("Actions", "Add a tag of your own to this annotation file"),
    ),
    Spec(
        "file_export_codebook",
        QT_TRANSLATE_NOOP("Actions", "Export Code&book..."),
        (),
        QT_TRANSLATE_NOOP("Actions", "Write the tag set as a REFI-QDA codebook (.qdc)"),
    ),
    Spec(
        "file_import_codebook",
        QT_TRANSLATE_NOOP("Actions", "Import Codebo&ok..."),
        (),
        QT_TRANSLATE_NOOP("Actions", "Add the tags of a REFI-QDA codebook to this file"),
    ),
    Spec(
        "file_quit",
        QT_TRANSLATE_NOOP("Actions", "&Quit"),
        (Std.Quit, "Ctrl+Q"),
        QT_TRANSLATE_NOOP("Actions", "Close Warrant (everything is already saved)"),
    ),
    Spec(
        "edit_find",
        QT_TRANSLATE_NOOP("Actions", "&Find..."),
        (Std.Find,),
        QT_TRANSLATE_NOOP("Actions", "Find text in the article"),
    ),
    Spec(
        "edit_find_next",
        QT_TRANSLATE_NOOP("Actions", "Find &Next"),
        (Std.FindNext,),
        QT_TRANSLATE_NOOP("Actions", "Find the next match"),
    ),
    Spec(
        "edit_find_previous",
        QT_TRANSLATE_NOOP("Actions", "Find Pre&vious"),
        (Std.FindPrevious,),
        QT_TRANSLATE_NOOP("Actions", "Find the previous match"),
    ),
    Spec(
        "edit_search_pane",
        QT_TRANSLATE_NOOP("Actions", "Search &Annotations"),
        ("Ctrl+Shift+F",),
        QT_TRANSLATE_NOOP("Actions", "Search the quotes and notes in the pane"),
    ),
    Spec(
        "edit_codebook",
        "&Codebook...",
        ("Ctrl+Shift+K",),
        "Rename, recolour, describe, reorder, merge or delete tags, and change their keys",
    ),
    Spec(
        "edit_preferences",
        QT_TRANSLATE_NOOP("Actions", "&Preferences..."),
        (Std.Preferences, "Ctrl+,"),
        QT_TRANSLATE_NOOP("Actions", "Your name, the theme, the reading font"),
    ),
    Spec(
        "annotation_note",
        QT_TRANSLATE_NOOP("Actions", "Edit &Note..."),
        ("N",),
        QT_TRANSLATE_NOOP("Actions", "Write a note on the selected annotation"),
    ),
    Spec(
        "annotation_delete",
        QT_TRANSLATE_NOOP("Actions", "&Delete Passage"),
        (Std.Delete,),
        QT_TRANSLATE_NOOP("Actions", "Delete the selected passages"),
    ),
    Spec(
        "annotation_extent", "Set &Passage to Selection", ("Ctrl+Shift+E",), "Make the selected text the row's passage"
    ),
    Spec(
        "annotation_merge",
        QT_TRANSLATE_NOOP("Actions", "&Merge Passages"),
        ("Ctrl+Shift+M",),
        QT_TRANSLATE_NOOP("Actions", "Merge the selected passages into one"),
    ),
    Spec(
        "annotation_copy_markdown",
        QT_TRANSLATE_NOOP("Actions", "Copy as &Markdown"),
        ("Ctrl+Shift+C",),
        QT_TRANSLATE_NOOP("Actions", "Copy the selected rows as Markdown"),
    ),
    Spec(
        "annotation_export_selected",
        QT_TRANSLATE_NOOP("Actions", "Export &Selected Rows..."),
        (),
        QT_TRANSLATE_NOOP("Actions", "Export only the selected annotations"),
    ),
    Spec(
        "link_start",
        QT_TRANSLATE_NOOP("Actions", "&Link to..."),
        ("L",),
        QT_TRANSLATE_NOOP("Actions", "Link the selected annotation to a claim: then click the target"),
    ),
    Spec(
        "link_remove",
        QT_TRANSLATE_NOOP("Actions", "&Remove Link..."),
        (),
        QT_TRANSLATE_NOOP("Actions", "Remove a link of the selected annotation"),
    ),
    Spec(
        "view_outline",
        QT_TRANSLATE_NOOP("Actions", "&Outline"),
        ("Ctrl+2",),
        QT_TRANSLATE_NOOP("Actions", "Show the argument's outline"),
    ),
    Spec(
        "view_map",
        QT_TRANSLATE_NOOP("Actions", "Argument &Map"),
        ("Ctrl+3",),
        QT_TRANSLATE_NOOP("Actions", "Show the argument map"),
    ),
    Spec(
        "view_annotations",
        QT_TRANSLATE_NOOP("Actions", "&Annotations"),
        ("Ctrl+1",),
        QT_TRANSLATE_NOOP("Actions", "Show the list of annotations"),
    ),
    Spec(
        "view_review",
        QT_TRANSLATE_NOOP("Actions", "Re&view"),
        ("Ctrl+4",),
        QT_TRANSLATE_NOOP("Actions", "Show the review of colleagues' files"),
    ),
    Spec(
        "help_shortcuts",
        QT_TRANSLATE_NOOP("Actions", "&Keyboard Shortcuts"),
        (Std.HelpContents,),
        QT_TRANSLATE_NOOP("Actions", "List the keyboard shortcuts"),
    ),
    Spec("help_about", QT_TRANSLATE_NOOP("Actions", "&About Warrant"), (), QT_TRANSLATE_NOOP("Actions", "")),
)


MENUS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "&File",
        ("file_open", "@recent", "-", "file_save_copy", "file_export", "file_import", "file_review", "-")
        + ("file_export_codebook", "file_import_codebook", "-", "file_quit"),
    ),
    (
        "&Edit",
        ("edit_undo", "edit_redo", "-", "edit_find", "edit_find_next", "edit_find_previous", "edit_search_pane")
        + ("-", "edit_codebook", "file_add_tag", "-", "edit_preferences"),
    ),
    ("&Annotation", ("@tags", *ANNOTATION_MENU)),
    ("&View", ("view_annotations", "view_outline", "view_map", "view_review")),
    ("&Help", ("help_shortcuts", "help_about")),
)
"""The menu bar: each menu's title and its actions by name; ``-`` is a separator,
``@name`` a place the window fills itself (the recent files, the tag actions)."""


def fill_menu(menu: QMenu, names: Sequence[str], actions: Mapping[str, QAction], places: Mapping[str, Any]) -> None:
    """Add the named actions to ``menu``; an ``@name`` calls ``places[name](menu)``."""
    for name in names:
        if name == "-":
            menu.addSeparator()
        elif name.startswith("@"):
            places[name[1:]](menu)
        else:
            menu.addAction(actions[name])


class Actions:
    """The window's actions, as typed attributes (``actions.file_open``) and by name (:attr:`by_name`)."""

    file_open: QAction
    file_save_copy: QAction
    file_export: QAction
    file_import: QAction
    file_review: QAction
    file_add_tag: QAction
    file_export_codebook: QAction
    file_import_codebook: QAction
    file_quit: QAction
    edit_find: QAction
    edit_find_next: QAction
    edit_find_previous: QAction
    edit_search_pane: QAction
    edit_codebook: QAction
    edit_preferences: QAction
    annotation_note: QAction
    annotation_delete: QAction
    annotation_extent: QAction
    annotation_merge: QAction
    annotation_copy_markdown: QAction
    annotation_export_selected: QAction
    link_start: QAction
    link_remove: QAction
    view_outline: QAction
    view_map: QAction
    view_annotations: QAction
    view_review: QAction
    help_shortcuts: QAction
    help_about: QAction

    def __init__(self, parent: QWidget) -> None:
        """Create every action with ``parent`` as owner."""
        self._parent = parent
        self.by_name: dict[str, QAction] = {}
        for spec in SPECS:
            action = QAction(_tr(spec.text), parent)
            action.setObjectName(spec.name)
            keys: list[QKeySequence] = []
            for k in spec.shortcuts:
                # A standard key may be empty on some platforms (offscreen); a fallback that equals it is dropped.
                for seq in (
                    QKeySequence.keyBindings(k) if isinstance(k, QKeySequence.StandardKey) else [QKeySequence(k)]
                ):
                    if not seq.isEmpty() and all(seq != other for other in keys):
                        keys.append(seq)
            if keys:
                action.setShortcuts(keys)
            if spec.tip:
                action.setStatusTip(_tr(spec.tip))
                action.setToolTip(_tr(spec.tip))
            self.by_name[spec.name] = action
            setattr(self, spec.name, action)
        for name in ("file_open", "file_save_copy", "file_export", "file_import", "file_review", "file_quit"):
            self.by_name[name].setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.tag_actions: dict[str, QAction] = {}

    def make_tag_actions(self, tags: list[model.Tag]) -> list[QAction]:
        """(Re)create one ``tag_<name>`` action per tag, with its shortcut key."""
        for action in self.tag_actions.values():
            action.setParent(None)
            action.deleteLater()
        self.tag_actions = {}
        for tag in tags:
            action = QAction(_tr(f"Tag as {tag.label}"), self._parent)
            action.setObjectName(f"tag_{tag.name}")
            action.setData(tag.name)
            if tag.shortcut:
                action.setShortcut(QKeySequence(tag.shortcut))
            action.setStatusTip(_tr(f"Tag the selected passage as {tag.label} (or retag the selected rows)"))
            action.setToolTip(f"{tag.label} ({tag.shortcut})" if tag.shortcut else tag.label)
            action.setIconText(f"{tag.shortcut}  {tag.label}" if tag.shortcut else tag.label)
            self.tag_actions[tag.name] = action
        return list(self.tag_actions.values())
