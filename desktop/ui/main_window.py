"""The main window: assembles the reader, the annotation pane and the tabs, the menus and the actions.

The edits live in :mod:`desktop.ui.editing` (run by the session, :mod:`desktop.ui.session`), opening in
:mod:`desktop.ui.opening`, the review in :mod:`desktop.ui.reviewing`; the window connects them and
refreshes each view from the session's one ``changed`` signal.
"""

from __future__ import annotations

import functools
import gc
import logging
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QPoint, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
    QUndoGroup,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.core import documents, errors, model, store
from desktop.ui import actions as actions_mod
from desktop.ui import (
    argument_tabs,
    article_loading,
    assessing,
    casefiles,
    editing,
    files_out,
    find_bar,
    opening,
    pane,
    reader,
    reviewing,
    session,
    settings,
    workbench,
)
from desktop.ui.dialogs import help as help_dialogs

log = logging.getLogger(__name__)

is_annotation_file = opening.is_annotation_file
default_annotation_path = opening.default_annotation_path


class MainWindow(QMainWindow):
    """Warrant's window."""

    def __init__(self) -> None:
        """Build the window with nothing open."""
        super().__init__()
        self.setObjectName("MainWindow")
        self.setWindowTitle(self.tr("Warrant"))
        self.setAcceptDrops(True)
        self.session: session.Session | None = None
        self.undo_group = QUndoGroup(self)
        self._no_stack = QUndoStack(self)
        self.action_collection = actions_mod.Actions(self)
        self._spans: tuple[documents.Span, ...] = ()
        self.extra_tabs: dict[str, QWidget] = {}
        self.reviewer: reviewing.Reviewer | None = None

        self.reader = reader.Reader(self)
        self.reader.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.reader.customContextMenuRequested.connect(self._reader_menu)
        self.find_bar = find_bar.FindBar(self.reader)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(0)
        left_layout.addWidget(self.reader, 1)
        left_layout.addWidget(self.find_bar)

        self.pane = pane.AnnotationPane(self)
        self.pane.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.pane.view.customContextMenuRequested.connect(self._pane_menu)
        self.editor = ed = editing.Editor(self, self.reader, self.pane, self.status, self.error)
        self.reader.passage_clicked.connect(ed.passage_clicked)
        self.pane.activated.connect(ed.choose)
        self.pane.view.selectionModel().selectionChanged.connect(lambda *_: ed.rows_selected())
        # The edit flows the menus, keys and tests call, in editing.Editor.
        self.tag_selection, self.delete_selected = self.editor.tag_selection, self.editor.delete_selected
        self.edit_note, self.start_link, self.import_dialog = ed.edit_note, ed.start_link, ed.import_file
        self.casefiles = casefiles.CaseFiles(self, self)  # the Documents sidebar, the open lock, the hover cards
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.pane, self.tr("Annotations"))
        any_article = functools.partial(self.casefiles.choose, then=ed.choose)
        self.outline_tab = argument_tabs.LazyTab(lambda p: argument_tabs.make_outline(p, any_article), self)
        self.map_tab = argument_tabs.LazyTab(lambda p: argument_tabs.MapPage(p, any_article, self.error), self)
        for tab in (self.outline_tab, self.map_tab):
            tab.scope_changed.connect(self.refresh_argument_views)
        ed.show_list = lambda: self.show_tab("annotations")
        ed.followed = functools.partial(argument_tabs.follow, self.outline_tab, self.map_tab)
        self.go_to, self._row_activated = ed.go_to, ed.choose
        self.add_extra_tab("outline", self.outline_tab, self.tr("Outline"))
        self.add_extra_tab("map", self.map_tab, self.tr("Map"))
        self.tabs.currentChanged.connect(self._tab_changed)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.file_label = QLabel(self)
        self.file_label.setTextFormat(Qt.TextFormat.PlainText)
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addPermanentWidget(self.file_label)
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self._file_changed)
        self._build_menus()
        self.casefiles.install_menus(self.menuBar())
        self._build_toolbar()
        self._connect_actions()
        self._set_editing_enabled(False)
        self.assessing = assessing.install(self)  # issue 17: the ACH tab, the Assess menu, the grade keys
        self.resize(1280, 820)
        self._restore_state()
        workbench.apply_preferences(self, workbench.stored_preferences(), theme=False)
        article_loading.install(self)

    @property
    def undo_stack(self) -> QUndoStack:
        """The open file's undo stack (an empty one while nothing is open)."""
        return self._no_stack if self.session is None else self.session.undo_stack

    # -- construction -------------------------------------------------------------------------

    def _build_toolbar(self) -> None:
        a = self.action_collection
        self.toolbar = QToolBar(self.tr("Tags"), self)
        self.toolbar.setObjectName("tags_toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(self.toolbar)
        self.document_box = QComboBox(self)
        self.document_box.setMinimumContentsLength(24)
        self.document_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.document_box.setToolTip(self.tr("Documents in this annotation file"))
        self.document_box.activated.connect(self._document_chosen)
        self._tag_anchor = self.toolbar.addSeparator()
        self.toolbar.addActions([a.annotation_note, a.link_start, a.annotation_delete])
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.undo_action, self.redo_action])
        self.toolbar.addSeparator()
        self.document_action = self.toolbar.addWidget(self.document_box)
        self.document_action.setVisible(False)

    def _build_menus(self) -> None:
        self.undo_action = self.undo_group.createUndoAction(self, self.tr("&Undo"))
        self.undo_action.setShortcuts(QKeySequence.StandardKey.Undo)
        self.undo_action.setObjectName("edit_undo")
        self.redo_action = self.undo_group.createRedoAction(self, self.tr("&Redo"))
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redo_action.setObjectName("edit_redo")
        named = {**self.action_collection.by_name, "edit_undo": self.undo_action, "edit_redo": self.redo_action}
        places = {"recent": self._add_recent_menu, "tags": self._add_tag_anchor}
        for title, names in actions_mod.MENUS:
            actions_mod.fill_menu(self.menuBar().addMenu(self.tr(title)), names, named, places)
        self.addActions([self.undo_action, self.redo_action])

    def _add_recent_menu(self, menu: QMenu) -> None:
        self.recent_menu = menu.addMenu(self.tr("Open &Recent"))
        self.recent_menu.aboutToShow.connect(self._fill_recent)

    def _add_tag_anchor(self, menu: QMenu) -> None:
        self.annotation_menu = menu
        self._menu_anchor = menu.addSeparator()

    def _install_tag_actions(self, tags: model.TagSet) -> None:
        """Replace the tag actions (toolbar, menu, shortcuts) after the tag set changed."""
        for old in self.action_collection.tag_actions.values():
            self.toolbar.removeAction(old)
            self.annotation_menu.removeAction(old)
            self.removeAction(old)
        new = self.action_collection.make_tag_actions(list(tags))
        for action in new:
            action.triggered.connect(functools.partial(self._tag_action, str(action.data())))
            self.addAction(action)
        self.toolbar.insertActions(self._tag_anchor, new)
        self.annotation_menu.insertActions(self._menu_anchor, new)

    def _connect_actions(self) -> None:
        a, ed = self.action_collection, self.editor
        handlers: dict[QAction, Callable[[], object]] = {
            a.file_open: self._choose_and_open,
            a.file_save_copy: self.save_copy,
            a.file_export: self.export_dialog,
            a.file_import: self.import_dialog,
            a.file_review: self.review_dialog,
            a.file_add_tag: ed.add_tag_dialog,
            a.file_export_codebook: lambda: workbench.export_codebook(self),
            a.file_import_codebook: lambda: workbench.import_codebook(self),
            a.edit_codebook: lambda: workbench.open_codebook(self),
            a.edit_preferences: lambda: workbench.open_preferences(self),
            a.file_quit: self.close,
            a.edit_find: self.find_bar.open,
            a.edit_find_next: lambda: self.find_bar.find_next(False),
            a.edit_find_previous: lambda: self.find_bar.find_next(True),
            a.edit_search_pane: self._focus_search,
            a.annotation_note: ed.edit_note,
            a.annotation_delete: ed.delete_selected,
            a.annotation_extent: ed.set_extent,
            a.annotation_merge: ed.merge_selected,
            a.annotation_copy_markdown: self.copy_markdown,
            a.annotation_export_selected: lambda: self.export_dialog(selected_only=True),
            a.link_start: ed.start_link,
            a.link_remove: ed.remove_link_dialog,
            a.view_annotations: lambda: self.show_tab("annotations"),
            a.view_outline: lambda: self.show_tab("outline"),
            a.view_map: lambda: self.show_tab("map"),
            a.view_review: lambda: self.show_tab("review"),
            a.help_shortcuts: lambda: workbench.show_shortcuts(self),
            a.help_about: lambda: help_dialogs.show_about(self, self.session.store.path if self.session else None),
        }
        for action, handler in handlers.items():
            action.triggered.connect(lambda _checked=False, h=handler: h())
        self.addActions(list(a.by_name.values()))

    def _set_editing_enabled(self, enabled: bool) -> None:
        needs_file: tuple[str, ...] = ("file_save_copy", "file_export", "file_import", "file_review", "file_add_tag")
        needs_file += ("file_export_codebook", "file_import_codebook", "edit_codebook")
        for name, action in self.action_collection.by_name.items():
            if name.startswith(("annotation_", "link_")) or name in needs_file:
                action.setEnabled(enabled)
        for action in self.action_collection.tag_actions.values():
            action.setEnabled(enabled)

    # -- the edit flows (in editing.Editor) ------------------------------------------------------

    default_relation = staticmethod(editing.default_relation)

    def _tag_action(self, name: str, _checked: bool = False) -> None:
        self.editor.tag_selection(name)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.editor.cancel_link():
            return
        super().keyPressEvent(event)

    # -- opening ------------------------------------------------------------------------------

    def open_path(
        self, path: str | os.PathLike[str], *, annotation_file: str | None = None, annotator: str | None = None
    ) -> None:
        """Open an article (with its annotation file) or an annotation file.

        Raises:
            WarrantError: the path cannot be opened; nothing open in the window changed.
        """
        st, doc, spans = opening.open_any(
            os.fspath(path),
            annotation_file=annotation_file,
            annotator=annotator,
            load=lambda p: article_loading.load_article(self, p),
        )
        self.show_store(st, doc, spans)
        settings.remember_recent(str(path))

    def preview(self, loaded: documents.LoadedDocument, then: Callable[[], object] | None = None) -> None:
        """Paint an article at once, before its annotation file is open (start-up); ``then`` runs after the
        reader's first paint and should call :meth:`attach`."""
        self.reader.show_text(loaded.text, (), loaded.spans)
        self.setWindowTitle(self.tr("%1 — Warrant").replace("%1", loaded.title))
        self.file_label.setText(self.tr("Opening the annotation file..."))
        if then is not None:
            self._after_paint = opening.AfterFirstPaint(self.reader.viewport(), then)

    def attach(self, loaded: documents.LoadedDocument, annotation_file: Path, annotator: str | None) -> bool:
        """Open the annotation file of a previewed article and enable editing; a failure is shown in a dialog."""
        try:
            st, doc = opening.open_with_article(annotation_file, loaded, annotator)
        except errors.WarrantError as exc:
            self.file_label.setText(self.tr("Not saving: the annotation file could not be opened"))
            self.error(str(exc))
            return False
        self.show_store(st, doc, loaded.spans)
        settings.remember_recent(loaded.path)
        return True

    def show_store(self, st: store.Store, document: model.Document, spans: tuple[documents.Span, ...] = ()) -> None:
        """Make ``st`` the open annotation file and show ``document``; every view follows its session."""
        if not self.casefiles.claim(st.path):  # open in another window: that one keeps it
            st.close()
            if self.session is None:
                self.file_label.setText(self.tr("Not open here: the annotation file is open in another window"))
            return
        old = self.session
        if old is not None:
            self.watcher.removePaths(self.watcher.files())
            self.undo_group.removeStack(old.undo_stack)
            old.store.close()
            old.deleteLater()
        self._spans = spans
        sess = session.Session(st, document, self, on_error=self.error)
        self.session = sess
        self.editor.attach(sess)
        self.undo_group.addStack(sess.undo_stack)
        self.undo_group.setActiveStack(sess.undo_stack)
        # Each view follows the session's one changed signal (the tag actions first: a new tag needs its key).
        sess.changed.connect(self._on_changes)
        sess.changed.connect(functools.partial(editing.repaint_reader, self.reader, sess))
        self.pane.follow(sess)
        sess.changed.connect(lambda _changes: self._argument_changed())
        sess.document_changed.connect(self._show_document)
        if self.reviewer is not None:
            self.reviewer.set_session(sess)
        self._install_tag_actions(sess.tags)
        self.assessing.follow(sess)
        self._show_document()
        self._fill_documents()
        if st.path != ":memory:":
            self.watcher.addPath(st.path)
        self._set_editing_enabled(True)
        self.casefiles.attach(sess)

    def _show_document(self) -> None:
        sess = self.session
        assert sess is not None
        doc = sess.document
        items = ((a.id, a, sess.tag(a.tag)) for a in sess.annotations.values())
        if self.reader.text == doc.text and self.reader.document().characterCount() > 1:
            self.reader.replace_marks(items)  # the preview already shows this text
        else:
            self.reader.show_text(doc.text, items, self._spans)
        self.pane.reset(sess.sorted_annotations(), list(sess.tags))
        self.setWindowTitle(
            self.tr("%1 — %2 — Warrant").replace("%1", doc.title).replace("%2", Path(sess.store.path).name)
        )
        self.file_label.setText(self.tr("Saved as you go in %s") % sess.store.path)
        # The document's text and annotations live as long as it is shown: move them out of the
        # collector's way, so a full collection during a tag does not scan tens of thousands of
        # dataclasses (the tail of the tag latency).
        gc.freeze()
        self._argument_changed()
        if self.reviewer is not None:
            self.reviewer.refresh()

    def _fill_documents(self) -> None:
        sess = self.session
        assert sess is not None
        docs = sess.store.document_titles()
        self.document_box.clear()
        for fingerprint, title in docs:
            self.document_box.addItem(title, fingerprint)
        self.document_box.setCurrentIndex(max(0, self.document_box.findData(sess.document.fingerprint)))
        self.document_action.setVisible(False)  # the Documents sidebar lists them (the toolbar stays narrow)

    def _document_chosen(self, index: int) -> None:
        self.show_document(str(self.document_box.itemData(index) or ""))

    def show_document(self, fingerprint: str) -> None:
        """Show another article of the open file (its undo history starts again)."""
        sess = self.session
        if sess is None or not fingerprint or fingerprint == sess.document.fingerprint:
            return
        doc = sess.store.document(str(fingerprint))
        assert doc is not None
        self._spans = ()
        sess.switch_document(doc)

    def _choose_and_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open"), "", self.tr(opening.FILE_FILTER))
        if path:
            self.open_guarded(path)

    def open_guarded(self, path: str) -> bool:
        """Open ``path``; on failure show why in a dialog and keep what was open."""
        try:
            self.open_path(path)
        except errors.WarrantError as exc:
            self.error(str(exc))
            return False
        return True

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = settings.get("recent_files")
        if not recent:
            self.recent_menu.addAction(self.tr("(none)")).setEnabled(False)
        for path in recent:
            self.recent_menu.addAction(path).triggered.connect(lambda _c=False, p=path: self.open_guarded(p))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile():
                event.acceptProposedAction()
                QTimer.singleShot(0, functools.partial(self.open_guarded, url.toLocalFile()))
                return

    def _file_changed(self, path: str) -> None:
        if not Path(path).exists():
            self.error(
                self.tr(
                    "The annotation file %s was moved or deleted while open. Your work is still in this window: "
                    "use File > Save a Copy As... to keep it."
                )
                % path
            )

    # -- views follow the session --------------------------------------------------------------

    def _on_changes(self, changes: model.Changes) -> None:
        """The window's own part of an edit: the tag actions and the document list."""
        sess = self.session
        assert sess is not None
        if changes.tags:
            self._install_tag_actions(sess.tags)
            self._set_editing_enabled(True)
        if changes.documents:
            self._fill_documents()

    def _argument_changed(self) -> None:
        """The outline and map are out of date: rebuild the one in view (never a hidden one)."""
        self.outline_tab.dirty = self.map_tab.dirty = True
        self.refresh_argument_views()

    def refresh_argument_views(self) -> None:
        """Rebuild the outline or the map if it is the tab in view and out of date."""
        sess, current = self.session, self.tabs.currentWidget()
        if sess is not None and current in (self.outline_tab, self.map_tab):
            tab = self.outline_tab if current is self.outline_tab else self.map_tab
            if tab.dirty:
                argument_tabs.refresh(tab, sess)

    def _tab_changed(self, _index: int) -> None:
        self.refresh_argument_views()
        if self.reviewer is not None and self.tabs.currentWidget() is self.reviewer.pane:
            self.reviewer.refresh_if_stale()

    # -- selection sync -----------------------------------------------------------------------

    def _reader_menu(self, pos: QPoint) -> None:
        menu = self.reader.createStandardContextMenu(pos)
        menu.addSeparator()
        menu.addActions(list(self.action_collection.tag_actions.values()))
        menu.addSeparator()
        menu.addActions([self.action_collection.link_start, self.action_collection.edit_find])
        menu.exec(self.reader.mapToGlobal(pos))

    def _pane_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        menu.addActions(list(self.action_collection.tag_actions.values()))
        menu.addSeparator()
        actions_mod.fill_menu(menu, actions_mod.ANNOTATION_MENU, self.action_collection.by_name, {})
        menu.exec(self.pane.view.viewport().mapToGlobal(pos))

    def _focus_search(self) -> None:
        self.show_tab("annotations")
        self.pane.search.setFocus()
        self.pane.search.selectAll()

    def show_tab(self, name: str) -> None:
        """Bring the named right-hand tab forward."""
        widget = self.pane if name == "annotations" else self.extra_tabs.get(name)
        if widget is not None:
            self.tabs.setCurrentWidget(widget)

    def add_extra_tab(self, name: str, widget: QWidget, title: str) -> None:
        """Add a right-hand tab (outline, map, review)."""
        self.extra_tabs[name] = widget
        self.tabs.addTab(widget, title)

    # -- files out ----------------------------------------------------------------------------

    def error(self, message: str) -> None:
        """Tell the user something went wrong, in a dialog with plain text."""
        log.warning("%s", message)
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Warrant"), message, QMessageBox.StandardButton.Ok, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()

    def status(self, message: str, timeout: int = 4000) -> None:
        """Say something in the status bar."""
        self.statusBar().showMessage(message, timeout)

    def save_copy(self) -> None:
        """Write the annotation file as one consolidated file somewhere else."""
        if self.session is not None:
            files_out.save_copy(self, self.session.store, self.status, self.error)

    def export_dialog(self, selected_only: bool = False) -> None:
        """File > Export: written in a worker thread, finished by a signal."""
        if self.session is not None:
            ids = self.pane.selected_ids()
            files_out.export(self, self.session, ids, self.status, self.error, selected_only=selected_only)

    def copy_markdown(self) -> None:
        """Copy the selected rows as Markdown."""
        files_out.copy_markdown(self, self.session, self.pane.selected_ids(), self.status)

    # -- review -------------------------------------------------------------------------------

    def review_dialog(self, paths: list[str] | None = None) -> None:
        """File > Review: open colleagues' files read-only and compare them with mine."""
        if self.session is None:
            return
        if paths is None:
            paths, _ = QFileDialog.getOpenFileNames(
                self,
                self.tr("Review Colleagues' Files"),
                "",
                self.tr("Warrant annotation files (*.warrant);;All files (*)"),
            )
            if not paths:
                return
        reviewer = self._ensure_reviewer()
        refused = reviewer.add_files(paths)
        if refused:
            self.error(self.tr("Not reviewed:") + "\n" + "\n".join(refused))
        if reviewer.files:
            self.show_tab("review")
            reviewer.refresh()

    def _ensure_reviewer(self) -> reviewing.Reviewer:
        if self.reviewer is None:
            self.reviewer = reviewing.open_review(
                self.reader, self, self.session, status=self.status, in_view=lambda p: self.tabs.currentWidget() is p
            )
            assert self.reviewer.pane is not None
            self.reviewer.pane.close_requested.connect(self.close_review)
            self.add_extra_tab("review", self.reviewer.pane, self.tr("Review"))
        return self.reviewer

    def close_review(self) -> None:
        """Stop reviewing: the colleagues' passages leave the reader and the Review tab closes."""
        if self.reviewer is None:
            return
        self.reviewer.set_session(None)
        self.reviewer.close()
        page = self.extra_tabs.pop("review", None)
        if page is not None:
            self.tabs.removeTab(self.tabs.indexOf(page))
            page.deleteLater()
        self.reviewer.deleteLater()
        self.reviewer = None

    # -- help and state -----------------------------------------------------------------------

    def _restore_state(self) -> None:
        geometry = settings.window_state("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = settings.window_state("splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        else:
            self.splitter.setSizes([520, 500])  # at 1024 px the list's Passage column keeps 40 characters

    def closeEvent(self, event: QCloseEvent) -> None:
        settings.save_window_state("geometry", bytes(self.saveGeometry().data()))
        settings.save_window_state("splitter", bytes(self.splitter.saveState().data()))
        if self.reviewer is not None:
            self.reviewer.set_session(None)
        if self.session is not None:
            self.session.store.close()
        self.casefiles.close()
        super().closeEvent(event)
