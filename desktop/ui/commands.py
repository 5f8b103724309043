"""One QUndoCommand per user edit; redo() and undo() go through the session, which commits to the store.

A command captures everything it needs in ``__init__``. The first ``redo()`` is run by
:func:`execute` before the command is pushed, so that a failed write (disk full, file locked) is
reported and never enters the undo history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtGui import QUndoCommand, QUndoStack

from desktop.core import errors, model
from desktop.ui import session as session_mod

log = logging.getLogger(__name__)

ErrorSink = Callable[[str], None]


class _Command(QUndoCommand):
    """Base: runs the first redo in :func:`execute`; later failures go to the error sink."""

    def __init__(self, session: session_mod.Session, text: str) -> None:
        super().__init__(text)
        self.session = session
        self._first = True
        self.on_error: ErrorSink | None = None

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._guard(self.do)

    def undo(self) -> None:
        self._guard(self.undo_it)

    def _guard(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except errors.WarrantError as exc:
            log.error("%s failed: %s", self.text(), exc)
            if self.on_error is not None:
                self.on_error(str(exc))

    def do(self) -> None:
        raise NotImplementedError

    def undo_it(self) -> None:
        raise NotImplementedError


def execute(stack: QUndoStack, command: _Command, on_error: ErrorSink) -> bool:
    """Perform ``command`` now and push it on ``stack``; return False (and report) if the write failed."""
    command.on_error = on_error
    try:
        command.do()
    except errors.WarrantError as exc:
        on_error(str(exc))
        return False
    stack.push(command)
    return True


def record(stack: QUndoStack, command: _Command, on_error: ErrorSink) -> None:
    """Push a command whose first ``do()`` already happened elsewhere (an import), so it can be undone."""
    command.on_error = on_error
    stack.push(command)


class AddAnnotations(_Command):
    """Tag a passage (or accept colleagues' annotations): insert annotations, and links among them."""

    def __init__(
        self,
        session: session_mod.Session,
        annotations: Sequence[model.Annotation],
        links: Sequence[model.Link] = (),
        text: str = "",
    ) -> None:
        super().__init__(session, text or _tag_text(session, annotations))
        self.annotations = list(annotations)
        self.links = list(links)

    def do(self) -> None:
        self.session.insert(self.annotations, self.links)

    def undo_it(self) -> None:
        self.session.remove([a.id for a in self.annotations])


def _tag_text(session: session_mod.Session, annotations: Sequence[model.Annotation]) -> str:
    if len(annotations) == 1:
        return f"Tag as {session.tag(annotations[0].tag).label}"
    return f"Add {len(annotations)} annotations"


class DeleteAnnotations(_Command):
    """Delete annotations; undo brings them and all their links back."""

    def __init__(self, session: session_mod.Session, ids: Sequence[str]) -> None:
        super().__init__(session, "Delete annotation" if len(ids) == 1 else f"Delete {len(ids)} annotations")
        self.ids = list(ids)
        self.deleted: list[model.Annotation] = []
        self.deleted_links: list[model.Link] = []

    def do(self) -> None:
        self.deleted, self.deleted_links = self.session.remove(self.ids)

    def undo_it(self) -> None:
        self.session.insert(self.deleted, self.deleted_links)


class UpdateAnnotations(_Command):
    """Retag annotations or change a note; undo restores each one's old tag and note."""

    def __init__(
        self, session: session_mod.Session, ids: Sequence[str], *, tag: str | None = None, note: str | None = None
    ) -> None:
        what = f"Retag as {session.tag(tag).label}" if tag is not None else "Edit note"
        super().__init__(session, what)
        self.before = [session.annotations[i] for i in ids]
        self.tag = tag
        self.note = note

    def do(self) -> None:
        self.session.update_many([(a.id, self.tag, self.note) for a in self.before])

    def undo_it(self) -> None:
        self.session.update_many([(a.id, a.tag, a.note) for a in self.before])


class AddLink(_Command):
    """Link two annotations."""

    def __init__(self, session: session_mod.Session, link: model.Link) -> None:
        super().__init__(session, f"Link ({link.relation})")
        self.link = link

    def do(self) -> None:
        self.session.add_link(self.link)

    def undo_it(self) -> None:
        self.session.remove_link(self.link.id)


class RemoveLink(_Command):
    """Remove a link; undo puts it back."""

    def __init__(self, session: session_mod.Session, link: model.Link) -> None:
        super().__init__(session, f"Remove link ({link.relation})")
        self.link = link

    def do(self) -> None:
        self.session.remove_link(self.link.id)

    def undo_it(self) -> None:
        self.session.add_link(self.link)
