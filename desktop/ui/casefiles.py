"""Case files in the window: the Documents sidebar, one file in one window, reloading after another writer.

The window creates one :class:`CaseFiles` and calls :meth:`CaseFiles.claim` before it shows an annotation file,
:meth:`CaseFiles.attach` once the file's session exists and :meth:`CaseFiles.close` when it closes. Every edit
(add, remove, rename an article) runs on the session's undo stack:

* add and remove are :mod:`desktop.core.casefile` operations run by :meth:`Session.run`;
* rename is one ``QUndoCommand`` (:class:`Rename`) around :func:`desktop.core.casefile.set_title`, because the
  operation layer's :class:`~desktop.core.operations.Edit` cannot say "update a document" (a document removed and
  added again would take its passages with it).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QUndoCommand
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMenuBar,
    QMessageBox,
    QWidget,
)

from desktop.core import casefile, errors, model, operations
from desktop.ui import (
    article_loading,
    documents_panel,
    file_guard,
    links_view,
    opening,
    pane,
    reader,
    session,
)

log = logging.getLogger(__name__)


class Window(Protocol):
    """What :class:`CaseFiles` needs of the main window."""

    session: session.Session | None
    reader: reader.Reader
    pane: pane.AnnotationPane

    def show_document(self, fingerprint: str) -> None: ...
    def error(self, message: str) -> None: ...
    def status(self, message: str, timeout: int = 4000) -> None: ...
    def refresh_argument_views(self) -> None: ...
    def setWindowTitle(self, title: str) -> None: ...


class Rename(QUndoCommand):
    """Rename an article: ``redo`` writes the new title, ``undo`` the old one, each in one transaction."""

    def __init__(self, sess: session.Session, fingerprint: str, old: str, new: str) -> None:
        """Capture both titles (the first redo has already been written by :func:`rename`)."""
        super().__init__("Rename Article")
        self.session, self.fingerprint, self.old, self.new = sess, fingerprint, old, new
        self._pushed = False

    def _write(self, title: str, what: str, *, redo: bool) -> None:
        try:
            changes, _old = casefile.set_title(self.session.store, self.fingerprint, title)
        except errors.WarrantError as exc:
            self.setObsolete(True)
            self.session.failed(what, exc, redo=redo)
            return
        _follow_title(self.session, self.fingerprint, title)
        self.session.announce(operations.Edit(), changes)

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True  # QUndoStack.push calls redo(): rename() already wrote it
            return
        self._write(self.new, f"Redo {self.text()}", redo=True)

    def undo(self) -> None:
        self._write(self.old, f"Undo {self.text()}", redo=False)


def _follow_title(sess: session.Session, fingerprint: str, title: str) -> None:
    if sess.document.fingerprint == fingerprint:
        sess.document = dataclasses.replace(sess.document, title=title)


def rename(sess: session.Session, fingerprint: str, title: str) -> bool:
    """Rename an article as an undoable edit; False (reported to the session's error sink) when refused."""
    try:
        changes, old = casefile.set_title(sess.store, fingerprint, title)
    except errors.WarrantError as exc:
        sess.on_error(str(exc))
        return False
    new = casefile.check_title(title)
    if new == old.title:
        return False
    _follow_title(sess, fingerprint, new)
    sess.announce(operations.Edit(), changes)
    sess.undo_stack.push(Rename(sess, fingerprint, old.title, new))
    return True


def passages_sentence(count: int) -> str:
    """“1 passage” / “12 passages”."""
    return f"{count} passage" + ("" if count == 1 else "s")


class CaseFiles(QObject):
    """The Documents sidebar and the file guards of one window."""

    def __init__(self, window: Window, parent: QWidget) -> None:
        """Build the sidebar (a dock on the left, hidden until a file has two articles) and its actions."""
        super().__init__(parent)
        self.window = window
        self.panel = documents_panel.DocumentsPanel(parent)
        self.dock = QDockWidget(self.tr("Documents"), parent)
        self.dock.setObjectName("documents_dock")
        self.dock.setWidget(self.panel)
        self.dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        if isinstance(parent, QMainWindow):
            parent.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        self.dock.hide()
        self.view_action = self.dock.toggleViewAction()
        self.view_action.setObjectName("view_documents")
        self.view_action.setText(self.tr("&Documents"))
        self.add_action = QAction(self.tr("Add Article to This File…"), parent)
        self.add_action.setObjectName("file_add_article")
        self.add_action.setEnabled(False)
        self.add_action.triggered.connect(lambda _checked=False: self.add_dialog())
        self.panel.add_requested.connect(self.add_dialog)
        self.panel.switch_requested.connect(self.switch)
        self.panel.rename_requested.connect(self.rename_dialog)
        self.panel.remove_requested.connect(self.remove_dialog)
        self.panel.hit_activated.connect(self.go_to_text)
        self.hover = links_view.HoverCards(window.reader, window.pane.model.links, self)
        self.lock: file_guard.OpenLock | None = None
        self.locked_path = ""
        self.watch: file_guard.ChangeWatch | None = None
        self.session: session.Session | None = None
        self.ask_title: Callable[[str], str | None] = self._ask_title
        """Asks for an article's new title (tests answer it without a dialog)."""
        self.confirm: Callable[[str], bool] = self._confirm
        """Asks whether to go ahead with a removal (tests answer it without a dialog)."""
        self.choose_article: Callable[[], str | None] = self._choose_article
        """Asks which article file to add (tests answer it without a dialog)."""

    def install_menus(self, bar: QMenuBar) -> None:
        """Put Add Article in the File menu (after Open) and the sidebar's toggle in the View menu."""
        for action in bar.actions():
            menu = action.menu()
            name = action.text().replace("&", "")
            if isinstance(menu, QMenu) and name == "File":
                actions = menu.actions()
                menu.insertAction(actions[1] if len(actions) > 1 else None, self.add_action)  # type: ignore[arg-type]
            elif isinstance(menu, QMenu) and name == "View":
                menu.addSeparator()
                menu.addAction(self.view_action)

    # -- one file, one window ---------------------------------------------------------------------

    def claim(self, path: str) -> bool:
        """Take the lock on ``path`` before it is shown; False (after a dialog) when another window has it."""
        if path == ":memory:":
            self.release()
            return True
        real = str(Path(path).resolve())
        if self.lock is not None and real == self.locked_path:
            return True
        lock = file_guard.OpenLock(real)
        refusal = lock.acquire()
        if refusal is not None:
            self.window.error(f"{refusal}\n\n{real}\n\nSwitch to that window to work on it; this one leaves it closed.")
            return False
        self.release()
        self.lock, self.locked_path = lock, real
        return True

    def release(self) -> None:
        """Give the lock back (the window closes or shows another file)."""
        if self.lock is not None:
            self.lock.release()
        self.lock, self.locked_path = None, ""

    def close(self) -> None:
        """The window closes: stop watching and release the lock."""
        if self.watch is not None:
            self.watch.stop()
            self.watch = None
        self.release()

    # -- following the session --------------------------------------------------------------------

    def attach(self, sess: session.Session) -> None:
        """Follow a newly shown file: the sidebar, the hover cards and the watch for other writers."""
        if self.watch is not None:
            self.watch.stop()
            self.watch.deleteLater()
        self.session = sess
        self.hover.session = sess
        self.add_action.setEnabled(True)
        sess.changed.connect(self._changed)
        sess.document_changed.connect(self.refresh)
        self.watch = None
        if sess.store.path != ":memory:":
            self.watch = file_guard.ChangeWatch(sess.store.data_version, self)
            self.watch.changed_elsewhere.connect(self.reload)
            sess.changed.connect(lambda _changes, watch=self.watch: watch.resync())  # our own edit, not theirs
            sess.document_changed.connect(self.watch.resync)
        self.refresh()
        if self.panel.model.rowCount() > 1:
            self.show_dock()

    def show_dock(self) -> None:
        """Show the sidebar, narrow (the reader and the list keep their room at 1024 pixels)."""
        if self.dock.isVisible():
            return
        self.dock.show()
        window = self.dock.parentWidget()
        if isinstance(window, QMainWindow):
            width = 24 * max(1, self.panel.fontMetrics().averageCharWidth())
            window.resizeDocks([self.dock], [width], Qt.Orientation.Horizontal)

    def _changed(self, changes: model.Changes) -> None:
        sess = self.session
        if sess is None:
            return
        if changes.documents:
            self.refresh()
            if sess.document.fingerprint in changes.documents:  # renamed: the title bar follows
                name = Path(sess.store.path).name
                self.window.setWindowTitle(
                    self.tr("%1 — %2 — Warrant").replace("%1", sess.document.title).replace("%2", name)
                )
            return
        # A tag or a delete in the shown article: its count moves, from the edit itself (no SQL).
        shown = sess.document.fingerprint
        delta = sum(1 for i in changes.added if i in sess.annotations)
        delta -= sum(1 for i in changes.removed if i in sess.before and sess.before[i].document == shown)
        self.panel.model.add_to_count(shown, delta)

    def refresh(self) -> None:
        """List the file's articles with their passage counts."""
        sess = self.session
        if sess is None:
            return
        counts = sess.store.annotation_counts()
        entries = [documents_panel.Entry(fp, title, counts.get(fp, 0)) for fp, title in sess.store.document_titles()]
        self.panel.set_documents(entries, sess.document.fingerprint, sess.store.documents)

    def reload(self) -> None:
        """Another program wrote to the file: read it again, keeping the article shown and the selection.

        The undo history starts again (its edits were made on the file as it was before).
        """
        sess = self.session
        if sess is None:
            return
        selected = self.window.pane.selected_ids()
        doc = sess.store.document(sess.document.fingerprint, missing_ok=True)
        if doc is None:
            docs = sess.store.documents()
            if not docs:
                self.window.error("Another program removed every article from this annotation file.")
                return
            doc = docs[0]
        sess.switch_document(doc)
        sess.announce(
            operations.Edit(),
            model.Changes(tags=tuple(t.name for t in sess.store.tags()), documents=(doc.fingerprint,)),
        )
        self.window.pane.select_ids([i for i in selected if i in sess.annotations])
        self.window.status("Another program changed this annotation file: it was read again.", 8000)

    # -- the sidebar's requests ---------------------------------------------------------------------

    def switch(self, fingerprint: str) -> None:
        """Show another article of the file."""
        if self.session is not None and fingerprint != self.session.document.fingerprint:
            self.window.show_document(fingerprint)

    def choose(self, annotation_id: str, then: Callable[[str], None]) -> None:
        """Go to a passage of any article (the outline and map of the whole file): switch first if need be."""
        sess = self.session
        if sess is not None and annotation_id not in sess.annotations:
            try:
                a = sess.store.annotation(annotation_id)
            except errors.WarrantError:
                return
            self.switch(a.document)
        then(annotation_id)

    def go_to_text(self, fingerprint: str, start: int, end: int) -> None:
        """Show a search hit: its article, with the found text selected."""
        self.switch(fingerprint)
        sess = self.session
        if sess is not None and sess.document.fingerprint == fingerprint:
            self.window.reader.select_cp(start, end)
            self.window.reader.setFocus()

    def _choose_article(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(
            self.window.reader, self.tr("Add Article to This File"), "", self.tr(opening.FILE_FILTER)
        )
        return path or None

    def add_dialog(self) -> bool:
        """File > Add Article to This File…: load an article of any supported format and add it (undoable)."""
        sess = self.session
        if sess is None:
            return False
        path = self.choose_article()
        if not path:
            return False
        try:
            loaded = article_loading.load_article(self.window.reader, path)
        except errors.WarrantError as exc:
            self.window.error(str(exc))
            return False
        doc = model.Document(
            fingerprint=loaded.fingerprint,
            title=loaded.title,
            path=loaded.path,
            text=loaded.text,
            kind=loaded.kind,
            page_starts=tuple(loaded.page_starts),
        )
        if sess.store.document(doc.fingerprint, missing_ok=True) is not None:
            self.window.status(f"“{doc.title}” is already in this file.")
            return False
        done = sess.run("Add Article", lambda: casefile.add_document(sess.store, doc))
        if done:
            self.show_dock()
            self.window.status(f"Added “{doc.title}”: click it in Documents to read it.", 8000)
        return done

    def _ask_title(self, current: str) -> str | None:
        text, ok = QInputDialog.getText(
            self.window.reader, self.tr("Rename Article"), self.tr("Title:"), QLineEdit.EchoMode.Normal, current
        )
        return text if ok else None

    def rename_dialog(self, fingerprint: str) -> bool:
        """Ask for a new title and rename the article (undoable)."""
        sess = self.session
        if sess is None:
            return False
        doc = sess.store.document(fingerprint, missing_ok=True)
        if doc is None:
            return False
        title = self.ask_title(doc.title)
        return title is not None and rename(sess, fingerprint, title)

    def _confirm(self, message: str) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Remove Article"),
            message,
            QMessageBox.StandardButton.Cancel,
            self.window.reader,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        remove = box.addButton(self.tr("Remove"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is remove

    def remove_dialog(self, fingerprint: str) -> bool:
        """Remove an article with its passages, after a confirmation naming how many go (undoable)."""
        sess = self.session
        if sess is None:
            return False
        doc = sess.store.document(fingerprint, missing_ok=True)
        if doc is None:
            return False
        count = sess.store.annotation_counts().get(fingerprint, 0)
        if count:
            links = "its links" if count == 1 else "their links"
            what = f"with its {passages_sentence(count)} and {links}"
        else:
            what = "(it has no passages)"
        message = f"Remove “{doc.title}” from this annotation file, {what}?\n\nEdit > Undo puts it back."
        if not self.confirm(message):
            return False
        if fingerprint == sess.document.fingerprint:
            others = [fp for fp, _t in sess.store.document_titles() if fp != fingerprint]
            if not others:
                self.window.error(
                    "An annotation file keeps at least one article: add another before removing this one."
                )
                return False
            self.window.show_document(others[0])  # the history of the removed article's edits ends here
        done = sess.run("Remove Article", lambda: casefile.remove_document(sess.store, fingerprint))
        if done:
            self.window.status(f"Removed “{doc.title}” and {passages_sentence(count)}.", 8000)
        return done
