"""The operation layer of the window: the open annotation file, its undo stack, and ONE signal saying what changed.

Every edit runs through :meth:`Session.run` as a :class:`~desktop.ui.commands.Operation` (a ``QUndoCommand``)
around a function of :mod:`desktop.core.operations`, which writes in one transaction and returns the
:class:`~desktop.core.model.Changes`. The session updates its copy of the shown document's annotations and
links from the edit itself (never by re-reading the file) and emits :attr:`Session.changed`; each view
refreshes only what the changes name (Anki's ``CollectionOp`` / ``OpChanges``).

Failures:
    * a command whose first redo fails is reported and never enters the stack;
    * an undo or redo that fails leaves the file as it was (one transaction) and is reported; the command is
      marked obsolete, so ``QUndoStack`` drops it and its index stays where the file is: after a failed undo
      the edit stays done (and can no longer be undone), after a failed redo it stays undone and the redo
      history above it, which was built on it, is dropped too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from desktop.core import assessment, errors, model, operations, store

log = logging.getLogger(__name__)

ErrorSink = Callable[[str], None]


class Session(QObject):
    """One annotation file with one document shown, and the undo stack of its edits."""

    changed = Signal(object)
    """model.Changes of one edit, its undo or its redo; :attr:`before` holds the old annotations meanwhile."""
    document_changed = Signal()
    """Another document is shown: views reload everything (the only full reload)."""

    def __init__(
        self,
        st: store.Store,
        document: model.Document,
        parent: QObject | None = None,
        *,
        on_error: ErrorSink | None = None,
    ) -> None:
        """Open ``document`` of ``st``; failures of undo and redo go to ``on_error`` (a dialog in the window)."""
        super().__init__(parent)
        self.store = st
        self.document = document
        self.undo_stack = QUndoStack(self)
        self.on_error: ErrorSink = on_error or (lambda message: log.error("%s", message))
        self.annotations: dict[str, model.Annotation] = {}
        self.links: dict[str, model.Link] = {}
        self.tags = model.TagSet()
        self.before: dict[str, model.Annotation] = {}
        """While :attr:`changed` is emitted: the annotations changed or removed, as they were."""
        self._load()

    def _load(self) -> None:
        self.tags = model.TagSet(self.store.tags())
        self.annotations = {a.id: a for a in self.store.annotations(self.document.fingerprint)}
        self.links = {k.id: k for k in self.store.links(self.document.fingerprint)}

    def tag(self, name: str) -> model.Tag:
        """Return the tag called ``name`` (one grey stand-in if the tag set lacks it)."""
        return self.tags.get(name)

    def switch_document(self, document: model.Document) -> None:
        """Show another document of the same file (the undo history starts again)."""
        self.undo_stack.clear()
        self.document = document
        self._load()
        self.document_changed.emit()

    def sorted_annotations(self) -> list[model.Annotation]:
        """The shown document's annotations in document order."""
        return sorted(self.annotations.values(), key=lambda a: (a.start, a.end, a.created, a.id))

    def current(self, ids: Sequence[str]) -> list[model.Annotation]:
        """The shown document's annotations with these ids, as stored now."""
        return [self.annotations[i] for i in ids if i in self.annotations]

    # -- running edits --------------------------------------------------------------------------

    def run(self, text: str, perform: Callable[[], operations.Outcome]) -> bool:
        """Perform an edit now and put it on the undo stack.

        Returns:
            False when the edit failed (reported to ``on_error``, nothing on the stack) or changed nothing.
        """
        from desktop.ui import commands

        command = commands.Operation(self, text, perform)
        try:
            done = command.first()
        except errors.WarrantError as exc:
            self.on_error(str(exc))
            return False
        if done:
            self.undo_stack.push(command)
        return done

    def run_edit(self, edit: assessment.Edit) -> bool:
        """Perform an assessment edit (issue 17: a grade, a hypothesis flag, an ACH rating) now, saved at
        once, and put it on the undo stack as ONE command; False when it failed (reported to ``on_error``)."""
        command = _EditCommand(self, edit)
        try:
            changes = edit.do(self.store)
        except errors.WarrantError as exc:
            self.on_error(str(exc))
            return False
        self.undo_stack.push(command)  # its first redo() does nothing: the edit is made
        self.announce_assessed(changes)
        return True

    def announce_assessed(self, changes: model.Changes) -> None:
        """Emit :attr:`changed` for an edit that changed grades, flags or ratings only."""
        if changes:
            self.changed.emit(changes)

    def failed(self, what: str, exc: errors.WarrantError, *, redo: bool) -> None:
        """An undo or redo failed (the file is unchanged): report it; after a redo, drop the redo history."""
        log.error("%s failed: %s", what, exc)
        if redo:
            QTimer.singleShot(0, self._drop_redo_history)
        self.on_error(f"{what} failed: {exc}")

    def _drop_redo_history(self) -> None:
        from desktop.ui import commands

        if self.undo_stack.index() < self.undo_stack.count():
            self.undo_stack.push(commands.Truncate())  # obsolete at once: only the commands above go

    def announce(self, edit: operations.Edit, changes: model.Changes) -> None:
        """Bring the shown document's annotations, links and tags up to date with an applied edit; emit it."""
        if not changes:
            return
        mine = self.document.fingerprint
        self.before = {i: self.annotations[i] for i in (*changes.removed, *changes.changed) if i in self.annotations}
        for annotation_id in changes.removed:
            self.annotations.pop(annotation_id, None)
        for link_id in changes.links_removed:
            self.links.pop(link_id, None)
        for a in (*edit.annotations, *edit.replace):
            if a.document == mine:
                self.annotations[a.id] = a
        for k in edit.links:
            if k.source in self.annotations:
                self.links[k.id] = k
        if changes.tags:
            self.tags = model.TagSet(self.store.tags())
        try:
            self.changed.emit(changes)
        finally:
            self.before = {}


class _EditCommand(QUndoCommand):
    """An :class:`~desktop.core.assessment.Edit` on the undo stack: ``do`` was run by :meth:`Session.run_edit`."""

    def __init__(self, session: Session, edit: assessment.Edit) -> None:
        super().__init__(edit.text)
        self.session, self.edit, self._pushed = session, edit, False

    def redo(self) -> None:
        if not self._pushed:  # QUndoStack.push calls redo(): the edit was already made
            self._pushed = True
            return
        self._replay(self.edit.do, redo=True)

    def undo(self) -> None:
        self._replay(self.edit.undo, redo=False)

    def _replay(self, step: Callable[[store.Store], model.Changes], *, redo: bool) -> None:
        try:
            changes = step(self.session.store)
        except errors.WarrantError as exc:
            self.setObsolete(True)
            self.session.failed(("Redo %s" if redo else "Undo %s") % self.text(), exc, redo=redo)
            return
        self.session.announce_assessed(changes)
