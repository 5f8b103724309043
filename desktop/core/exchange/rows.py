"""Where an export's passages come from: a selection held in memory, or rows streamed from the store.

Every format writes from a :class:`Rows`. :func:`held` wraps a :class:`~desktop.core.exchange.scope.Selection`
whose annotations are already in memory (copy as Markdown, the tests). :func:`streamed` reads the same
passages from the annotation file a chunk at a time (:meth:`desktop.core.store.Store.iter_annotations`),
so an export of 200,000 passages holds the documents, the tag set and the links, but never every
passage at once. Both give the same passages in the same order, so the files are byte for byte the same.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from desktop.core import assessment, errors, model, store
from desktop.core.exchange import scope


class Sink(Protocol):
    """Where a format writes its text: a text stream, a :class:`io.StringIO`, or a :class:`Encoder`."""

    def write(self, text: str, /) -> object:
        """Write ``text``."""


class Encoder:
    """Collect text and write it to a binary stream as UTF-8 in chunks of about ``chunk`` characters.

    Cheaper per call than :class:`io.TextIOWrapper` for the many small writes of an export; characters
    that cannot be encoded (lone surrogates) become ``?``, as the exports always did.
    """

    def __init__(self, out: BinaryIO, chunk: int = 1 << 20) -> None:
        self.out = out
        self.chunk = chunk
        self.pieces: list[str] = []
        self.size = 0

    def write(self, text: str, /) -> int:
        """Add ``text``; write what was collected once it passes the chunk size."""
        self.pieces.append(text)
        self.size += len(text)
        if self.size >= self.chunk:
            self.flush()
        return len(text)

    def flush(self) -> None:
        """Write everything collected so far."""
        if self.pieces:
            self.out.write("".join(self.pieces).encode("utf-8", "replace"))
            self.pieces.clear()
            self.size = 0


@dataclass(frozen=True)
class Rows:
    """The passages of one export, with the selection that describes them.

    Attributes:
        selection: documents, links, tags, relations and filters; its ``annotations`` are empty when
            the passages are streamed.
        groups: how many passages each ``(document, tag)`` pair holds.
    """

    selection: scope.Selection
    groups: Mapping[tuple[str, str], int]
    _store: store.Store | None = field(default=None, repr=False)
    _tags: tuple[str, ...] | None = None
    _authors: tuple[str, ...] | None = None
    _document: str | None = None
    _wanted: frozenset[str] | None = field(default=None, repr=False)
    _held: dict[tuple[str, str | None], list[model.Annotation]] = field(default_factory=dict, repr=False)

    @property
    def count(self) -> int:
        """How many passages the export holds."""
        return sum(self.groups.values())

    @property
    def tags_used(self) -> set[str]:
        """The tags the passages carry."""
        return {tag for _, tag in self.groups}

    def lookup(self, ids: Iterable[str]) -> dict[str, model.Annotation]:
        """The passages with these ids (e.g. the two ends of each link), read one by one when streamed."""
        wanted = set(ids)
        if self._store is None:
            return {a.id: a for a in self.selection.annotations if a.id in wanted}
        return {a.id: a for a in self._store.annotations_with_ids(wanted) if self._chosen(a)}

    def _chosen(self, a: model.Annotation) -> bool:
        """Whether a passage read by id is one of this export's (its filters, as :meth:`all` applies them)."""
        return (
            (self._document is None or a.document == self._document)
            and (self._tags is None or a.tag in self._tags)
            and (self._authors is None or a.author in self._authors)
            and (self._wanted is None or a.id in self._wanted)
        )

    def all(self) -> Iterator[model.Annotation]:
        """Yield every passage in document order."""
        if self._store is None:
            yield from self.selection.annotations
            return
        for a in self._store.iter_annotations(self._document, tags=self._tags, authors=self._authors):
            if self._wanted is None or a.id in self._wanted:
                yield a

    def of(self, document: str, tag: str | None = None) -> Iterator[model.Annotation]:
        """Yield one document's passages (only those with ``tag``, if given) in document order."""
        if self._store is None:
            if not self._held:
                for a in self.selection.annotations:
                    self._held.setdefault((a.document, a.tag), []).append(a)
                    self._held.setdefault((a.document, None), []).append(a)
            yield from self._held.get((document, tag), ())
            return
        if self._document is not None and document != self._document:
            return
        tags: Iterable[str] | None = self._tags
        if tag is not None:
            if self._tags is not None and tag not in self._tags:
                return
            tags = (tag,)
        for a in self._store.iter_annotations(document, tags=tags, authors=self._authors):
            if self._wanted is None or a.id in self._wanted:
                yield a


def held(selection: scope.Selection) -> Rows:
    """Wrap a selection whose annotations are in memory."""
    return Rows(selection, collections.Counter((a.document, a.tag) for a in selection.annotations))


def streamed(
    source: store.Store,
    *,
    tags: Iterable[str] | None = None,
    authors: Iterable[str] | None = None,
    document: str | None = None,
    annotation_ids: Iterable[str] | None = None,
) -> Rows:
    """Describe the passages :func:`desktop.core.exchange.scope.select` would choose, without holding them.

    One streamed pass counts the passages and notes their documents and tags (and their ids, only when
    the links must be filtered by them); the format then reads them again, a chunk at a time.

    Raises:
        NotFoundError: ``document`` or one of ``annotation_ids`` is not in the file.
    """
    tag_list = None if tags is None else tuple(tags)
    author_list = None if authors is None else tuple(authors)
    wanted = None if annotation_ids is None else frozenset(annotation_ids)
    filters: list[str] = []
    if document is not None:
        chosen = source.document(document)
        assert chosen is not None
        filters.append(f"document: {chosen.title}")
    if tag_list is not None:
        filters.append("tags: " + ", ".join(tag_list))
    if author_list is not None:
        filters.append("authors: " + ", ".join(author_list))
    filtered = document is not None or tag_list is not None or author_list is not None or wanted is not None
    ids: set[str] = set()
    used: set[str] = set() if document is None else {document}
    groups: collections.Counter[tuple[str, str]] = collections.Counter()
    for annotation_id, fingerprint, tag in source.iter_annotation_keys(document, tags=tag_list, authors=author_list):
        if wanted is not None and annotation_id not in wanted:
            continue
        groups[fingerprint, tag] += 1
        used.add(fingerprint)
        if filtered:
            ids.add(annotation_id)
    if wanted is not None:
        missing = wanted - ids
        if missing and len(source.existing_ids(missing)) < len(missing):
            unknown = sorted(missing - source.existing_ids(missing))
            raise errors.NotFoundError(
                f"{source.path} has no annotation {unknown[0]}"
                + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else "")
            )
        filters.append(f"{len(wanted)} selected passage{'s' if len(wanted) != 1 else ''}")
    links: list[model.Link] = []
    all_links: list[model.Link] = []
    for k in source.iter_links():
        if not filtered or (k.source in ids and k.target in ids):
            links.append(k)
        if not filtered or k.source in ids or k.target in ids:
            all_links.append(k)
    selection = scope.Selection(
        source=source.path,
        documents=tuple(d for d in source.documents() if d.fingerprint in used),
        annotations=(),
        links=tuple(links),
        all_links=tuple(all_links),
        tags=tuple(source.tags()),
        relations=tuple(source.relations()),
        filters=tuple(filters),
        # Issue 17: the grades, flags and ratings travel with a streamed export too (W3C, CSV columns). Read
        # only when the file holds any: they need the evidence passages and hypotheses in memory.
        assessments=(
            assessment.load(source)
            if source.document_grades() or source.hypotheses() or source.passage_grades()
            else assessment.Assessments()
        ),
    )
    return Rows(selection, groups, source, tag_list, author_list, document, wanted)
