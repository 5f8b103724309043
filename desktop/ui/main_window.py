"""The main window: the reader | the annotation pane, menus built from the actions, and the edit flow."""

from __future__ import annotations

import functools
import gc
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QFileSystemWatcher, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QTextDocument,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import anchoring, documents, errors, model, store
from desktop.ui import actions as actions_mod
from desktop.ui import argument_tabs, commands, opening, pane, reader, session, settings

if TYPE_CHECKING:
    from desktop.ui import reviewing

log = logging.getLogger(__name__)

FILE_FILTER = opening.FILE_FILTER  # every format desktop.core.documents opens, and annotation files


def is_annotation_file(path: Path) -> bool:
    """True when ``path`` is (or claims to be) an annotation file rather than an article."""
    if path.suffix.lower() == store.SUFFIX:
        return True
    try:
        with path.open("rb") as f:
            return f.read(16) == store.SQLITE_MAGIC
    except OSError:
        return False


def default_annotation_path(doc: documents.LoadedDocument) -> Path:
    """The annotation file an article gets when none is named: one per article, in the data folder."""
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in Path(doc.path).stem)[:60] or "article"
    return settings.data_dir() / f"{stem}-{doc.fingerprint[:10]}{store.SUFFIX}"


def _open_with_article(
    path: Path, loaded: documents.LoadedDocument, annotator: str | None
) -> tuple[store.Store, model.Document]:
    """Open (or create) an annotation file and add the article to it unless it is there already."""
    st = store.Store.open(path, annotator=annotator or settings.get("annotator") or None)
    try:
        return st, st.add_document(loaded)
    except errors.WarrantError:
        st.close()
        raise


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

    def keyPressEvent(self, event: object) -> None:
        from PySide6.QtGui import QKeyEvent

        if isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape:
            self.hide()
            self.target.setFocus()
            return
        super().keyPressEvent(event)  # type: ignore[arg-type]

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


class _AfterFirstPaint(QObject):
    """Runs a callback once, in the event-loop turn after a widget's first paint."""

    def __init__(self, widget: QWidget, callback: Callable[[], object]) -> None:
        super().__init__(widget)
        self.callback: Callable[[], object] | None = callback
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.callback is not None:
            watched.removeEventFilter(self)
            callback, self.callback = self.callback, None
            QTimer.singleShot(0, callback)
        return False


class MainWindow(QMainWindow):
    """Warrant's window."""

    def __init__(self) -> None:
        """Build the window with nothing open."""
        super().__init__()
        self.setObjectName("MainWindow")
        self.setWindowTitle("Warrant")
        self.setAcceptDrops(True)
        self.session: session.Session | None = None
        self.undo_stack = QUndoStack(self)
        self.action_collection = actions_mod.Actions(self)
        self._syncing = False
        self._link_source: list[str] = []
        self._shown_by_row: tuple[int, int] | None = None
        self._spans: tuple[documents.Span, ...] = ()
        self.extra_tabs: dict[str, QWidget] = {}
        self.reviewer: reviewing.Reviewer | None = None

        self.reader = reader.Reader(self)
        self.reader.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.reader.customContextMenuRequested.connect(self._reader_menu)
        self.reader.passage_clicked.connect(self._passage_clicked)
        self.find_bar = FindBar(self.reader)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(0)
        left_layout.addWidget(self.reader, 1)
        left_layout.addWidget(self.find_bar)

        self.pane = pane.AnnotationPane(self)
        self.pane.activated.connect(self._row_activated)
        self.pane.view.selectionModel().selectionChanged.connect(self._rows_selected)
        self.pane.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.pane.view.customContextMenuRequested.connect(self._pane_menu)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.pane, self.tr("Annotations"))
        self.outline_tab = argument_tabs.LazyTab(
            lambda parent: argument_tabs.make_outline(parent, self._argument_item_activated), self
        )
        self.map_tab = argument_tabs.LazyTab(
            lambda parent: argument_tabs.MapPage(parent, self._argument_item_activated, self.error), self
        )
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

        self._build_toolbar()
        self._build_menus()
        self._populate_toolbar()
        self._populate_annotation_menu()
        self._connect_actions()
        self._set_editing_enabled(False)
        self.resize(1280, 820)
        self._restore_state()
        opening.install(self)

    # -- construction -------------------------------------------------------------------------

    def _build_toolbar(self) -> None:
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

    def _populate_toolbar(self) -> None:
        """Fill the toolbar once; tag actions are inserted before ``_tag_anchor`` as tags change."""
        a = self.action_collection
        self._tag_anchor = self.toolbar.addSeparator()
        for action in (a.annotation_note, a.link_start, a.annotation_delete):
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.undo_action)
        self.toolbar.addAction(self.redo_action)
        self.toolbar.addSeparator()
        self.document_action = self.toolbar.addWidget(self.document_box)
        self.document_action.setVisible(False)

    def _build_menus(self) -> None:
        a = self.action_collection
        self.undo_action = self.undo_stack.createUndoAction(self, self.tr("&Undo"))
        self.undo_action.setShortcuts(QKeySequence.StandardKey.Undo)
        self.undo_action.setObjectName("edit_undo")
        self.redo_action = self.undo_stack.createRedoAction(self, self.tr("&Redo"))
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redo_action.setObjectName("edit_redo")
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addAction(a.file_open)
        self.recent_menu = file_menu.addMenu(self.tr("Open &Recent"))
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        for action in (a.file_save_copy, a.file_export, a.file_import, a.file_review):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(a.file_add_tag)
        file_menu.addSeparator()
        file_menu.addAction(a.file_quit)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        for action in (a.edit_find, a.edit_find_next, a.edit_find_previous, a.edit_search_pane):
            edit_menu.addAction(action)
        self.annotation_menu = bar.addMenu(self.tr("&Annotation"))
        view_menu = bar.addMenu(self.tr("&View"))
        for action in (a.view_annotations, a.view_outline, a.view_map, a.view_review):
            view_menu.addAction(action)
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(a.help_shortcuts)
        help_menu.addAction(a.help_about)
        for action in (self.undo_action, self.redo_action):
            self.addAction(action)

    def _populate_annotation_menu(self) -> None:
        """Fill the Annotation menu once; tag actions are inserted before ``_menu_anchor``."""
        a = self.action_collection
        menu = self.annotation_menu
        self._menu_anchor = menu.addSeparator()
        for action in (a.annotation_note, a.annotation_delete, a.link_start, a.link_remove):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(a.annotation_copy_markdown)
        menu.addAction(a.annotation_export_selected)

    def _install_tag_actions(self, tags: list[model.Tag]) -> None:
        """Replace the tag actions (toolbar, menu, shortcuts) after the tag set changed."""
        for old in self.action_collection.tag_actions.values():
            self.toolbar.removeAction(old)
            self.annotation_menu.removeAction(old)
            self.removeAction(old)
        new = self.action_collection.make_tag_actions(tags)
        for action in new:
            action.triggered.connect(functools.partial(self._tag_action, str(action.data())))
            self.addAction(action)
        self.toolbar.insertActions(self._tag_anchor, new)
        self.annotation_menu.insertActions(self._menu_anchor, new)

    def _connect_actions(self) -> None:
        a = self.action_collection
        handlers: dict[str, Callable[[], object]] = {
            "file_open": self._choose_and_open,
            "file_save_copy": self.save_copy,
            "file_export": self.export_dialog,
            "file_import": self.import_dialog,
            "file_review": self.review_dialog,
            "file_add_tag": self.add_tag_dialog,
            "file_quit": self.close,
            "edit_find": self.find_bar.open,
            "edit_find_next": lambda: self.find_bar.find_next(False),
            "edit_find_previous": lambda: self.find_bar.find_next(True),
            "edit_search_pane": self._focus_search,
            "annotation_note": self.edit_note,
            "annotation_delete": self.delete_selected,
            "annotation_copy_markdown": self.copy_markdown,
            "annotation_export_selected": lambda: self.export_dialog(selected_only=True),
            "link_start": self.start_link,
            "link_remove": self.remove_link_dialog,
            "view_annotations": lambda: self.show_tab("annotations"),
            "view_outline": lambda: self.show_tab("outline"),
            "view_map": lambda: self.show_tab("map"),
            "view_review": lambda: self.show_tab("review"),
            "help_shortcuts": self.show_shortcuts,
            "help_about": self.show_about,
        }
        for name, handler in handlers.items():
            getattr(a, name).triggered.connect(lambda _checked=False, h=handler: h())
        for action in a.by_name.values():
            self.addAction(action)

    def _set_editing_enabled(self, enabled: bool) -> None:
        a = self.action_collection
        for name in (
            "file_save_copy",
            "file_export",
            "file_import",
            "file_review",
            "file_add_tag",
            "annotation_note",
            "annotation_delete",
            "annotation_copy_markdown",
            "annotation_export_selected",
            "link_start",
            "link_remove",
        ):
            getattr(a, name).setEnabled(enabled)
        for action in a.tag_actions.values():
            action.setEnabled(enabled)

    # -- opening ------------------------------------------------------------------------------

    def open_path(
        self, path: str | os.PathLike[str], *, annotation_file: str | None = None, annotator: str | None = None
    ) -> None:
        """Open an article (with its annotation file) or an annotation file.

        Raises:
            WarrantError: the path cannot be opened; nothing open in the window changed.
        """
        p = Path(path)
        if not p.exists():
            raise errors.DocumentError(f"{p} does not exist")
        if p.is_dir():
            raise errors.DocumentError(f"{p} is a folder, not an article or an annotation file")
        if is_annotation_file(p) and annotation_file is None:
            st = store.Store.open(p, annotator=annotator, create=False)
            try:
                titles = st.document_titles()
                first = st.document(titles[0][0]) if titles else None
            except errors.WarrantError:
                st.close()
                raise
            if first is None:
                st.close()
                raise errors.StoreError(f"{p} holds no document yet; open an article with --file {p}")
            self.show_store(st, first)
        else:
            loaded = opening.load_article(self, p)
            target = Path(annotation_file) if annotation_file else default_annotation_path(loaded)
            st, doc = _open_with_article(target, loaded, annotator)
            self.show_store(st, doc, loaded.spans)
        settings.remember_recent(str(p))

    def preview(self, loaded: documents.LoadedDocument, then: Callable[[], object] | None = None) -> None:
        """Paint an article at once, before its annotation file is open (start-up).

        Editing waits for :meth:`attach`, which ``then`` should call: it runs right after the
        reader's first paint, so the article is on screen before the store is imported and opened.
        """
        self.reader.show_text(loaded.text, (), loaded.spans)
        self.setWindowTitle(f"{loaded.title} — Warrant")
        self.file_label.setText(self.tr("Opening the annotation file..."))
        if then is not None:
            self._after_paint = _AfterFirstPaint(self.reader.viewport(), then)

    def attach(self, loaded: documents.LoadedDocument, annotation_file: Path, annotator: str | None) -> bool:
        """Open the annotation file of a previewed article and enable editing; a failure is shown in a dialog."""
        try:
            st, doc = _open_with_article(annotation_file, loaded, annotator)
        except errors.WarrantError as exc:
            self.file_label.setText(self.tr("Not saving: the annotation file could not be opened"))
            self.error(str(exc))
            return False
        self.show_store(st, doc, loaded.spans)
        settings.remember_recent(loaded.path)
        return True

    def show_store(self, st: store.Store, document: model.Document, spans: tuple[documents.Span, ...] = ()) -> None:
        """Make ``st`` the open annotation file and show ``document``."""
        old = self.session
        if old is not None:
            self.watcher.removePaths(self.watcher.files())
            old.store.close()
            old.deleteLater()
        self.undo_stack.clear()
        self._link_source = []
        self._spans = spans
        sess = session.Session(st, document, self)
        self.session = sess
        sess.annotations_added.connect(self._on_added)
        sess.annotations_removed.connect(self._on_removed)
        sess.annotation_changed.connect(self._on_changed)
        sess.document_changed.connect(self._show_document)
        sess.tags_changed.connect(self._on_tags)
        sess.links_changed.connect(self._on_links)
        self._on_tags()
        self._show_document()
        self._fill_documents()
        if st.path != ":memory:":
            self.watcher.addPath(st.path)
        self._set_editing_enabled(True)

    def _show_document(self) -> None:
        sess = self.session
        assert sess is not None
        doc = sess.document
        items = ((a.id, a, sess.tag(a.tag)) for a in sess.annotations.values())
        if self.reader.text == doc.text and self.reader.document().characterCount() > 1:
            self.reader.replace_marks(items)  # the preview already shows this text
        else:
            self.reader.show_text(doc.text, items, self._spans)
        self.pane.reset(sess.sorted_annotations(), sess.tags)
        self.setWindowTitle(f"{doc.title} — {Path(sess.store.path).name} — Warrant")
        self.file_label.setText(self.tr("Saved as you go in %s") % sess.store.path)
        # The document's text and annotations live as long as it is shown: move them out of the
        # collector's way, so a full collection during a tag does not scan tens of thousands of
        # dataclasses (the tail of the tag latency).
        gc.freeze()
        self._on_links()
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
        self.document_action.setVisible(len(docs) > 1)

    def _document_chosen(self, index: int) -> None:
        sess = self.session
        fingerprint = self.document_box.itemData(index)
        if sess is None or not fingerprint or fingerprint == sess.document.fingerprint:
            return
        doc = sess.store.document(str(fingerprint))
        assert doc is not None
        self._spans = ()
        self.undo_stack.clear()
        sess.switch_document(doc)

    def _choose_and_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open"), "", self.tr(FILE_FILTER))
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
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _c=False, p=path: self.open_guarded(p))

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

    # -- reacting to the session --------------------------------------------------------------

    def _on_tags(self) -> None:
        sess = self.session
        if sess is None:
            return
        self._install_tag_actions(sess.tags)
        self.pane.set_tags(sess.tags)
        self._set_editing_enabled(True)

    def _tag_action(self, name: str, _checked: bool = False) -> None:
        self.tag_selection(name)

    def _on_added(self, added: list[model.Annotation]) -> None:
        sess = self.session
        assert sess is not None
        self.reader.set_marks((a.id, self.reader.mark_for(a, sess.tag(a.tag))) for a in added)
        self.pane.added(added)
        self._argument_changed()
        if log.isEnabledFor(logging.INFO):  # WARRANT_DEBUG=1: the end-to-end tests read this line
            log.info("tagged %s", " ".join(f"{a.id}:{a.tag}:{a.start}-{a.end}" for a in added))

    def _on_removed(self, removed: list[model.Annotation]) -> None:
        self.reader.drop_marks(a.id for a in removed)
        self.pane.removed(removed)
        self._argument_changed()

    def _on_changed(self, old: model.Annotation, new: model.Annotation) -> None:
        sess = self.session
        assert sess is not None
        if old.tag != new.tag:
            self.reader.set_marks([(new.id, self.reader.mark_for(new, sess.tag(new.tag)))])
        self.pane.changed(old, new)
        self._argument_changed()

    def _on_links(self) -> None:
        """Links changed: the outline and map are out of date."""
        self.outline_tab.dirty = self.map_tab.dirty = True
        self.refresh_argument_views()

    def _argument_changed(self) -> None:
        if self.reviewer is not None:
            self.reviewer.schedule()
        self.outline_tab.dirty = self.map_tab.dirty = True
        if self.tabs.currentWidget() is not self.pane:
            self.refresh_argument_views()

    def refresh_argument_views(self) -> None:
        """Rebuild the outline or the map if it is the tab in view and out of date (never while hidden)."""
        sess = self.session
        current = self.tabs.currentWidget()
        if sess is not None and current in (self.outline_tab, self.map_tab):
            tab = self.outline_tab if current is self.outline_tab else self.map_tab
            if tab.dirty:
                argument_tabs.refresh(tab, sess)

    def _tab_changed(self, _index: int) -> None:
        self.refresh_argument_views()
        if self.reviewer is not None and self.tabs.currentWidget() is self.reviewer.pane:
            self.reviewer.refresh_if_stale()

    def _argument_item_activated(self, annotation_id: str) -> None:
        """A box of the map or an item of the outline was clicked: go to its passage (or end a link)."""
        if self._link_source:
            self._finish_link(annotation_id)
            return
        self.go_to(annotation_id)

    # -- editing ------------------------------------------------------------------------------

    def error(self, message: str) -> None:
        """Tell the user something went wrong, in a dialog with plain text."""
        log.warning("%s", message)
        box = QMessageBox(QMessageBox.Icon.Warning, "Warrant", message, QMessageBox.StandardButton.Ok, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()

    def run_command(self, command: commands._Command) -> bool:
        """Perform an edit and put it on the undo stack; False (after a dialog) if it failed."""
        return commands.execute(self.undo_stack, command, self.error)

    def tag_selection(self, tag: str) -> None:
        """Tag the reader's selection with ``tag``; with no selection, retag the selected rows."""
        sess = self.session
        if sess is None:
            return
        start, end = self.reader.selection_cp()
        rows = self.pane.selected_ids()
        if end > start and rows and (start, end) == self._shown_by_row:
            # The selection is the passage a row click showed: the key retags that row, as in
            # any list, rather than tagging the same characters a second time.
            end = start
        if end > start:
            annotation = anchoring.new_annotation(sess.document, start, end, tag, author=sess.store.annotator)
            if annotation is None:
                self.statusBar().showMessage(self.tr("Only white space is selected: nothing to tag"), 4000)
                return
            if self.run_command(commands.AddAnnotations(sess, [annotation])):
                cursor = self.reader.textCursor()
                cursor.clearSelection()
                self.reader.setTextCursor(cursor)
            return
        ids = [i for i in self.pane.selected_ids() if sess.annotations[i].tag != tag]
        if ids:
            self.run_command(commands.UpdateAnnotations(sess, ids, tag=tag))
        elif not self.pane.selected_ids():
            self.statusBar().showMessage(self.tr("Select a passage in the article first, then press its key"), 4000)

    def delete_selected(self) -> None:
        """Delete the annotations selected in the pane (or under the reader's cursor)."""
        sess = self.session
        if sess is None:
            return
        ids = self.pane.selected_ids()
        if ids:
            self.run_command(commands.DeleteAnnotations(sess, ids))

    def edit_note(self) -> None:
        """Write or change the note of the selected annotation."""
        sess = self.session
        ids = self.pane.selected_ids() if sess else []
        if sess is None or not ids:
            self.statusBar().showMessage(self.tr("Select an annotation in the list first"), 4000)
            return
        current = sess.annotations[ids[0]].note if len(ids) == 1 else ""
        text, ok = QInputDialog.getMultiLineText(self, self.tr("Note"), self.tr("Note:"), current)
        if ok and (len(ids) > 1 or text != current):
            self.run_command(commands.UpdateAnnotations(sess, ids, note=text))

    def add_tag_dialog(self) -> None:
        """Add a tag of the user's own to the file's tag set."""
        sess = self.session
        if sess is None:
            return
        name, ok = QInputDialog.getText(self, self.tr("Add Tag"), self.tr("Name of the new tag:"))
        if not ok or not name.strip():
            return
        used = {t.shortcut for t in sess.tags}
        key = next((str(n) for n in range(4, 10) if str(n) not in used), "")
        try:
            sess.store.add_tag(name.strip().lower(), label=name.strip(), shortcut=key)
        except errors.WarrantError as exc:
            self.error(str(exc))
            return
        sess.reload_tags()

    # -- links --------------------------------------------------------------------------------

    def start_link(self) -> None:
        """Begin a link from the selected annotation: the next clicked passage or row is the target."""
        ids = self.pane.selected_ids()
        if self.session is None or len(ids) != 1:
            self.statusBar().showMessage(self.tr("Select one annotation to link from"), 4000)
            return
        self._link_source = ids
        self.statusBar().showMessage(self.tr("Link: click the passage or row it relates to (Esc cancels)"), 15000)

    def keyPressEvent(self, event: object) -> None:
        from PySide6.QtGui import QKeyEvent

        if isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape and self._link_source:
            self._link_source = []
            self.statusBar().showMessage(self.tr("Link cancelled"), 3000)
            return
        super().keyPressEvent(event)  # type: ignore[arg-type]

    def _finish_link(self, target_id: str, where: QPoint | None = None) -> None:
        from desktop.core import argument

        sess = self.session
        source_id = self._link_source[0]
        self._link_source = []
        if sess is None or source_id not in sess.annotations or target_id not in sess.annotations:
            return
        source, target = sess.annotations[source_id], sess.annotations[target_id]
        if source_id == target_id:
            self.statusBar().showMessage(self.tr("A passage cannot be linked to itself"), 6000)
            return
        relation = self.choose_relation(source, target, where)
        if relation is None:
            return
        existing = list(sess.links.values())
        refusal = argument.validate_link(
            source, target, relation, existing=existing, relations=[r.name for r in sess.store.relations()]
        )
        if refusal is not None:
            self.statusBar().showMessage(self.tr("Not linked: %s") % refusal, 8000)
            return
        caution = argument.link_warning(source, target, relation, existing=existing)
        link = model.Link(model.new_id(), source_id, target_id, relation, sess.store.annotator, model.now_utc())
        if self.run_command(commands.AddLink(sess, link)):
            done = self.tr("Linked: %s %s %s") % (sess.tag(source.tag).label, relation, sess.tag(target.tag).label)
            self.statusBar().showMessage(f"{done}. {caution}" if caution else done, 8000)

    def default_relation(self, source: model.Annotation, target: model.Annotation) -> str:
        """The relation a link between these tags most likely has."""
        if source.tag == "recommendation":
            return "based-on"
        return "supports"

    def choose_relation(
        self, source: model.Annotation, target: model.Annotation, where: QPoint | None = None
    ) -> str | None:
        """Ask which relation the link has (a menu at the click, default first)."""
        sess = self.session
        assert sess is not None
        relations = sess.store.relations()
        default = self.default_relation(source, target)
        relations.sort(key=lambda r: r.name != default)
        menu = QMenu(self)
        for rel in relations:
            act = menu.addAction(rel.label)
            act.setData(rel.name)
        chosen = menu.exec(where or self.cursor().pos()) if not self._test_relation else None
        if self._test_relation is not None:
            return self._test_relation
        return str(chosen.data()) if chosen is not None else None

    _test_relation: str | None = None
    """Tests set this to answer the relation menu without showing it."""

    def remove_link_dialog(self) -> None:
        """Remove one of the selected annotation's links."""
        sess = self.session
        ids = self.pane.selected_ids()
        if sess is None or len(ids) != 1:
            self.statusBar().showMessage(self.tr("Select one annotation whose link to remove"), 4000)
            return
        links = [k for k in sess.links.values() if ids[0] in (k.source, k.target)]
        if not links:
            self.statusBar().showMessage(self.tr("The selected annotation has no links"), 4000)
            return
        labels = []
        for k in links:
            other = sess.annotations.get(k.target if k.source == ids[0] else k.source)
            quote = other.quote[:60] if other else "?"
            labels.append(f"{k.relation}: {quote}")
        choice, ok = QInputDialog.getItem(self, self.tr("Remove Link"), self.tr("Link:"), labels, 0, False)
        if ok:
            self.run_command(commands.RemoveLink(sess, links[labels.index(choice)]))

    # -- selection sync -----------------------------------------------------------------------

    def _passage_clicked(self, ids: list[str]) -> None:
        if self._link_source:
            self._finish_link(ids[0])
            return
        self._syncing = True
        try:
            self.show_tab("annotations")
            self.pane.select_ids(ids)
        finally:
            self._syncing = False

    def _row_activated(self, annotation_id: str) -> None:
        if self._link_source:
            self._finish_link(annotation_id)
            return
        self.go_to(annotation_id)

    def go_to(self, annotation_id: str) -> None:
        """Scroll to an annotation's passage and select it."""
        sess = self.session
        if sess is None or annotation_id not in sess.annotations:
            return
        a = sess.annotations[annotation_id]
        self.reader.select_cp(a.start, a.end)
        self._shown_by_row = (a.start, a.end)
        argument_tabs.follow(self.outline_tab, self.map_tab, annotation_id)

    def _rows_selected(self) -> None:
        if self._syncing:
            return
        ids = self.pane.selected_ids()
        if len(ids) == 1 and self.pane.view.hasFocus():
            self.go_to(ids[0])

    def _reader_menu(self, pos: QPoint) -> None:
        menu = self.reader.createStandardContextMenu(pos)
        menu.addSeparator()
        for action in self.action_collection.tag_actions.values():
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.action_collection.link_start)
        menu.addAction(self.action_collection.edit_find)
        menu.exec(self.reader.mapToGlobal(pos))

    def _pane_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        for action in self.action_collection.tag_actions.values():
            menu.addAction(action)
        menu.addSeparator()
        a = self.action_collection
        for action in (a.annotation_note, a.annotation_delete, a.link_start, a.link_remove):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(a.annotation_copy_markdown)
        menu.addAction(a.annotation_export_selected)
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

    # -- file operations ----------------------------------------------------------------------

    def save_copy(self) -> None:
        """Write the annotation file as one consolidated file somewhere else."""
        sess = self.session
        if sess is None:
            return
        suggestion = str(Path.home() / Path(sess.store.path).name)
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save a Copy As"), suggestion, self.tr("Warrant annotation files (*.warrant)")
        )
        if not path:
            return
        if not path.endswith(store.SUFFIX):
            path += store.SUFFIX
        try:
            sess.store.save_copy(path)
        except errors.WarrantError as exc:
            self.error(str(exc))
            return
        self.statusBar().showMessage(self.tr("Copy written to %s") % path, 6000)

    def export_dialog(self, selected_only: bool = False) -> None:
        """File > Export: format, scope and destination; the write is atomic."""
        from desktop.ui.dialogs import export as export_dialog

        sess = self.session
        if sess is None:
            return
        selected = self.pane.selected_ids()
        dialog = export_dialog.ExportDialog(sess.tags, bool(selected), self)
        if selected_only and selected:
            dialog.scope_buttons[export_dialog.SCOPE_SELECTED].setChecked(True)
        if self._test_export is not None:
            request, destination = self._test_export
        else:
            if dialog.exec() != dialog.DialogCode.Accepted:
                return
            request = dialog.request()
            asked = export_dialog.ask_destination(self, sess.store, request[0], request[1])
            if asked is None:
                return
            destination = asked
        fmt, jsonl, chosen, tags = request
        try:
            count = export_dialog.export(
                self,
                sess.store,
                fmt,
                destination,
                jsonl=jsonl,
                tags=tags,
                document=None if chosen == export_dialog.SCOPE_ALL else sess.document.fingerprint,
                annotation_ids=selected if chosen == export_dialog.SCOPE_SELECTED else None,
            )
        except errors.WarrantError as exc:
            self.error(str(exc))
            return
        self.statusBar().showMessage(self.tr("Exported %d annotations to %s") % (count, destination), 8000)

    _test_export: tuple[tuple[str, bool, str, list[str] | None], str] | None = None
    """Tests set ((format, jsonl, scope, tags), destination) to answer the export dialogs."""

    def import_dialog(self, path: str | None = None) -> None:
        """File > Import: W3C annotations into this file; one undoable step."""
        from desktop.core.exchange import w3c

        sess = self.session
        if sess is None:
            return
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self,
                self.tr("Import W3C Annotations"),
                "",
                self.tr("W3C annotations (*.json *.jsonld *.jsonl);;All files (*)"),
            )
            if not path:
                return
        before = {a.id for a in sess.store.annotations()}
        before_links = {k.id for k in sess.store.links()}
        try:
            report = w3c.import_file(sess.store, path)
        except errors.WarrantError as exc:
            self.error(str(exc))
            return
        added = [a for a in sess.store.annotations() if a.id not in before]
        links = [k for k in sess.store.links() if k.id not in before_links]
        if report.tags_added:
            sess.reload_tags()
        sess.adopt(added, links)
        if added or links:
            command = commands.AddAnnotations(sess, added, links, text=self.tr("Import %d annotations") % len(added))
            commands.record(self.undo_stack, command, self.error)
            self._fill_documents()
        lines = [
            self.tr("Imported %d annotations (%d were already here).") % (report.imported, report.skipped_duplicates)
        ]
        if report.orphans:
            lines.append(self.tr("%d could not be placed in the text:") % len(report.orphans))
            lines.extend(f"  {oid}: {quote[:80]}" for oid, quote, _reason in report.orphans[:20])
        self.statusBar().showMessage(lines[0], 8000)
        if report.orphans:
            self.error("\n".join(lines))

    def copy_markdown(self) -> None:
        """Copy the selected rows as Markdown."""
        from PySide6.QtWidgets import QApplication

        from desktop.core.exchange import report, scope

        sess = self.session
        ids = self.pane.selected_ids()
        if sess is None or not ids:
            self.statusBar().showMessage(self.tr("Select rows to copy"), 4000)
            return
        text = report.annotations_markdown(scope.select(sess.store, annotation_ids=ids))
        QApplication.clipboard().setText(text)
        self.statusBar().showMessage(self.tr("Copied %d passages as Markdown") % len(ids), 4000)

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
        if not reviewer.files:
            return
        self.show_tab("review")
        reviewer.refresh()

    def _ensure_reviewer(self) -> reviewing.Reviewer:
        if self.reviewer is None:
            from desktop.ui import review_pane, reviewing

            self.reviewer = reviewing.Reviewer(self)
            pane_widget = review_pane.ReviewPane(self)
            self.reviewer.pane = pane_widget
            pane_widget.row_activated.connect(self._review_row)
            pane_widget.colleague_toggled.connect(self.reviewer.toggle)
            pane_widget.accept_selected.connect(
                lambda: self.reviewer and self.reviewer.accept_rows(pane_widget.selected_rows())
            )
            pane_widget.accept_agreed.connect(lambda: self.reviewer and self.reviewer.accept_agreed())
            pane_widget.accept_tag.connect(lambda name: self.reviewer and self.reviewer.accept_tag(name))
            pane_widget.close_requested.connect(self.close_review)
            self.add_extra_tab("review", pane_widget, self.tr("Review"))
        return self.reviewer

    def close_review(self) -> None:
        """Stop reviewing: the colleagues' passages leave the reader and the Review tab closes."""
        if self.reviewer is None:
            return
        self.reviewer.close()
        page = self.extra_tabs.pop("review", None)
        if page is not None:
            self.tabs.removeTab(self.tabs.indexOf(page))
            page.deleteLater()
        self.reviewer.deleteLater()
        self.reviewer = None

    def _review_row(self, row: object) -> None:
        """Show both passages of an alignment row: the reader selects the stretch covering them."""
        spans = [a for a in (getattr(row, "mine", None), getattr(row, "theirs", None)) if a is not None]
        if getattr(row, "kind", "") == "orphan":
            spans = [a for a in spans if a is not getattr(row, "theirs", None)]
        if spans:
            self.reader.select_cp(min(a.start for a in spans), max(a.end for a in spans))

    def show_shortcuts(self) -> None:
        """List every keyboard shortcut."""
        rows = "\n".join(f"{text:<32} {keys}" for text, keys in self.action_collection.shortcut_table())
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Keyboard Shortcuts"), rows, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()

    def show_about(self) -> None:
        """Say what Warrant is."""
        from desktop import __version__

        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("About Warrant"),
            f"Warrant {__version__}\nAn offline reader and annotator for analysts.",
            parent=self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()

    # -- state --------------------------------------------------------------------------------

    def _restore_state(self) -> None:
        geometry = settings.window_state("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = settings.window_state("splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        else:
            self.splitter.setSizes([760, 520])

    def closeEvent(self, event: QCloseEvent) -> None:
        settings.save_window_state("geometry", bytes(self.saveGeometry().data()))
        settings.save_window_state("splitter", bytes(self.splitter.saveState().data()))
        if self.session is not None:
            self.session.store.close()
        super().closeEvent(event)

    def add_extra_tab(self, name: str, widget: QWidget, title: str) -> None:
        """Add a right-hand tab (outline, map, review)."""
        self.extra_tabs[name] = widget
        self.tabs.addTab(widget, title)
