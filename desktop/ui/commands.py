"""The undo commands: each edit of :mod:`desktop.core.operations` as a ``QUndoCommand``.

A command is made by :meth:`desktop.ui.session.Session.run`, which performs its first redo (:meth:`Operation.first`)
before pushing it, so that a failed write is reported and never enters the history. ``undo()`` and later
``redo()`` apply the edits the operation recorded (the same ids and times), each in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from desktop.core import errors, operations

if TYPE_CHECKING:
    from desktop.ui import session as session_mod

log = logging.getLogger(__name__)


class Operation(QUndoCommand):
    """One edit: ``perform`` makes it the first time; undo and redo replay what it recorded."""

    def __init__(self, session: session_mod.Session, text: str, perform: Callable[[], operations.Outcome]) -> None:
        """Capture the edit; nothing is written until :meth:`first`."""
        super().__init__(text)
        self.session = session
        self.perform = perform
        self.outcome: operations.Outcome | None = None
        self._pushed = False

    def first(self) -> bool:
        """Perform the edit (raises WarrantError, nothing written); False when it changed nothing.

        Raises:
            WarrantError: the edit could not be made; the file is unchanged.
        """
        self.outcome = self.perform()
        self.session.announce(self.outcome.redo, self.outcome.changes)
        return bool(self.outcome)

    def redo(self) -> None:
        if not self._pushed:  # QUndoStack.push calls redo(): the edit was made by first()
            self._pushed = True
            return
        assert self.outcome is not None
        try:
            changes = operations.redo(self.session.store, self.outcome)
        except errors.WarrantError as exc:
            self.setObsolete(True)
            self.session.failed(self.tr("Redo %s") % self.text(), exc, redo=True)
            return
        self.session.announce(self.outcome.redo, changes)

    def undo(self) -> None:
        assert self.outcome is not None
        try:
            changes = operations.undo(self.session.store, self.outcome)
        except errors.WarrantError as exc:
            self.setObsolete(True)
            self.session.failed(self.tr("Undo %s") % self.text(), exc, redo=False)
            return
        self.session.announce(self.outcome.undo, changes)

    def tr(self, text: str) -> str:
        from PySide6.QtCore import QCoreApplication

        return QCoreApplication.translate("Operation", text)


class Truncate(QUndoCommand):
    """Pushed to drop the redo history above the stack's index: obsolete at once, so it never stays."""

    def __init__(self) -> None:
        """An empty command."""
        super().__init__("")
        self.setObsolete(True)
