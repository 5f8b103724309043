"""The open annotation file and current document, and the signals that tell views what changed.

Undo commands call the methods here; each method writes through the store first (one committed
transaction) and only then emits a signal naming exactly what changed, so the reader repaints one
passage and the pane inserts or removes rows, never reloading everything.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QObject, Signal

from desktop.core import model, store

log = logging.getLogger(__name__)


class Session(QObject):
    """One annotation file with one document shown."""

    document_changed = Signal()
    """The shown document changed: views reload everything (the only full reload)."""
    annotations_added = Signal(list)
    """list[model.Annotation] of the shown document, just committed."""
    annotations_removed = Signal(list)
    """list[model.Annotation] just deleted."""
    annotation_changed = Signal(object, object)
    """(old, new) model.Annotation after a retag or a note edit."""
    links_changed = Signal()
    tags_changed = Signal()

    def __init__(self, st: store.Store, document: model.Document, parent: QObject | None = None) -> None:
        """Open ``document`` of ``st``."""
        super().__init__(parent)
        self.store = st
        self.document = document
        self.annotations: dict[str, model.Annotation] = {}
        self.links: dict[str, model.Link] = {}
        self.tags: list[model.Tag] = []
        self._load()

    def _load(self) -> None:
        self.tags = self.store.tags()
        self.annotations = {a.id: a for a in self.store.annotations(self.document.fingerprint)}
        self.links = {k.id: k for k in self.store.links(self.document.fingerprint)}

    def tag(self, name: str) -> model.Tag:
        """Return the tag called ``name`` (a grey stand-in if the tag set lacks it)."""
        for t in self.tags:
            if t.name == name:
                return t
        return model.Tag(name, name, "#8c8c8c")

    def switch_document(self, document: model.Document) -> None:
        """Show another document of the same file."""
        self.document = document
        self._load()
        self.document_changed.emit()

    def reload_tags(self) -> None:
        """Re-read the tag set after a tag was added."""
        self.tags = self.store.tags()
        self.tags_changed.emit()

    # -- edits (called by undo commands) -----------------------------------------------------

    def insert(self, annotations: Sequence[model.Annotation], links: Sequence[model.Link] = ()) -> None:
        """Store annotations (and links) in one transaction, then announce them."""
        self.store.insert_annotations(annotations, links)
        self.adopt(annotations, links)

    def adopt(self, annotations: Sequence[model.Annotation], links: Sequence[model.Link] = ()) -> None:
        """Announce annotations and links that another path (an import) already stored."""
        mine = [a for a in annotations if a.document == self.document.fingerprint]
        for a in mine:
            self.annotations[a.id] = a
        for k in links:
            if k.source in self.annotations:
                self.links[k.id] = k
        if mine:
            self.annotations_added.emit(mine)
        if links:
            self.links_changed.emit()

    def remove(self, ids: Iterable[str]) -> tuple[list[model.Annotation], list[model.Link]]:
        """Delete annotations and their links; return what was deleted."""
        gone, links = self.store.delete_annotations(list(ids))
        for a in gone:
            self.annotations.pop(a.id, None)
        for k in links:
            self.links.pop(k.id, None)
        if gone:
            self.annotations_removed.emit(gone)
        if links:
            self.links_changed.emit()
        return gone, links

    def update(self, annotation_id: str, *, tag: str | None = None, note: str | None = None) -> model.Annotation:
        """Retag and/or re-note one annotation."""
        old = self.annotations.get(annotation_id) or self.store.annotation(annotation_id)
        new = self.store.update_annotation(annotation_id, tag=tag, note=note)
        if new.document == self.document.fingerprint:
            self.annotations[new.id] = new
            self.annotation_changed.emit(old, new)
        return new

    def update_many(self, changes: Sequence[tuple[str, str | None, str | None]]) -> list[model.Annotation]:
        """Retag and/or re-note several annotations in one transaction; announce each."""
        olds = {i: self.annotations.get(i) for i, _, _ in changes}
        news = self.store.update_annotations(changes)
        for new in news:
            old = olds.get(new.id)
            if new.document == self.document.fingerprint:
                self.annotations[new.id] = new
                if old is not None:
                    self.annotation_changed.emit(old, new)
        return news

    def add_link(self, link: model.Link) -> None:
        """Store a link and announce it."""
        self.store.insert_link(link)
        self.links[link.id] = link
        self.links_changed.emit()

    def remove_link(self, link_id: str) -> model.Link:
        """Delete a link and announce it."""
        link = self.store.delete_link(link_id)
        self.links.pop(link_id, None)
        self.links_changed.emit()
        return link

    def sorted_annotations(self) -> list[model.Annotation]:
        """The shown document's annotations in document order."""
        return sorted(self.annotations.values(), key=lambda a: (a.start, a.end, a.created, a.id))
