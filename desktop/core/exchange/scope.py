"""What an export covers: the annotations chosen by tag, author, document or id, with their documents and links.

Paragraph numbers are defined here, once, for every format: a paragraph is a run of lines that are not
blank, and paragraphs are separated by one or more blank lines (lines holding only spaces or tabs).
An offset's paragraph number is 1 plus the number of paragraphs that begin after the first one and at
or before it, so the text's first paragraph is number 1 and a passage starting in the blank lines
between two paragraphs counts as part of the earlier one.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from desktop.core import assessment, errors, model, store

_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


def paragraph_starts(text: str) -> list[int]:
    """Return the offsets where each paragraph of ``text`` begins (see the module docstring).

    Args:
        text: a canonical document text.

    Returns:
        Ascending code-point offsets; the first is where the text's first non-blank character is
        (0 for a text of white space only).
    """
    first = len(text) - len(text.lstrip())
    starts = [first if first < len(text) else 0]
    for match in _PARAGRAPH_BREAK.finditer(text):
        if match.end() < len(text) and match.end() > starts[-1]:
            starts.append(match.end())
    return starts


def paragraph_number(starts: list[int], offset: int) -> int:
    """Return the 1-based number of the paragraph holding ``offset``, given :func:`paragraph_starts`."""
    return max(1, bisect.bisect_right(starts, offset))


@dataclass(frozen=True)
class Selection:
    """The annotations an export covers, with everything a format needs to write them.

    Attributes:
        source: the annotation file's path, for headings.
        documents: the documents with at least one selected annotation (or the one asked for), in the
            order they were added.
        annotations: the selected annotations in document order.
        links: links whose both ends are selected (what the W3C file and the outline carry).
        all_links: every link touching a selected annotation (the CSV's link columns).
        tags: the file's tag set in display order.
        relations: the file's relations in display order.
        filters: a human-readable description of the filters, one entry per filter.
    """

    source: str
    documents: tuple[model.Document, ...]
    annotations: tuple[model.Annotation, ...]
    links: tuple[model.Link, ...]
    all_links: tuple[model.Link, ...]
    tags: tuple[model.Tag, ...]
    relations: tuple[model.Relation, ...]
    filters: tuple[str, ...] = ()
    assessments: assessment.Assessments = field(default_factory=assessment.Assessments, compare=False, repr=False)
    _paragraphs: dict[str, list[int]] = field(default_factory=dict, compare=False, repr=False)
    _by_fingerprint: dict[str, model.Document] = field(default_factory=dict, compare=False, repr=False)

    def document(self, fingerprint: str) -> model.Document:
        """Return the selected document with this fingerprint."""
        if not self._by_fingerprint:
            self._by_fingerprint.update((d.fingerprint, d) for d in self.documents)
        return self._by_fingerprint[fingerprint]

    def paragraph(self, annotation: model.Annotation) -> int:
        """Return the 1-based paragraph number where ``annotation`` starts (see the module docstring)."""
        starts = self._paragraphs.get(annotation.document)
        if starts is None:
            starts = paragraph_starts(self.document(annotation.document).text)
            self._paragraphs[annotation.document] = starts
        return paragraph_number(starts, annotation.start)

    def tag(self, name: str) -> model.Tag | None:
        """Return the tag called ``name``, if the file has it."""
        for tag in self.tags:
            if tag.name == name:
                return tag
        return None


def select(
    source: store.Store,
    *,
    tags: Iterable[str] | None = None,
    authors: Iterable[str] | None = None,
    document: str | None = None,
    annotation_ids: Iterable[str] | None = None,
) -> Selection:
    """Gather what an export covers.

    Args:
        source: the open annotation file.
        tags: only annotations with one of these tags (None: every tag).
        authors: only annotations by one of these authors (None: everyone).
        document: only this document's annotations (its fingerprint).
        annotation_ids: only these annotations, e.g. the rows selected in the window.

    Returns:
        The selection, annotations in document order.

    Raises:
        NotFoundError: ``document`` or one of ``annotation_ids`` is not in the file.
    """
    tag_list = None if tags is None else list(tags)
    author_list = None if authors is None else list(authors)
    filters: list[str] = []
    all_documents = source.documents()
    if document is not None:
        chosen = source.document(document)
        assert chosen is not None
        filters.append(f"document: {chosen.title}")
    if tag_list is not None:
        filters.append("tags: " + ", ".join(tag_list))
    if author_list is not None:
        filters.append("authors: " + ", ".join(author_list))
    annotations = source.annotations(document, tags=tag_list, authors=author_list)
    if annotation_ids is not None:
        wanted = set(annotation_ids)
        annotations = [a for a in annotations if a.id in wanted]
        missing = wanted - {a.id for a in annotations}
        if missing and len(source.existing_ids(missing)) < len(missing):
            unknown = sorted(missing - source.existing_ids(missing))
            raise errors.NotFoundError(
                f"{source.path} has no annotation {unknown[0]}"
                + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else "")
            )
        filters.append(f"{len(wanted)} selected passage{'s' if len(wanted) != 1 else ''}")
    ids = {a.id for a in annotations}
    used = {a.document for a in annotations}
    if document is not None:
        used.add(document)
    every_link = source.links()
    return Selection(
        source=source.path,
        documents=tuple(d for d in all_documents if d.fingerprint in used),
        annotations=tuple(annotations),
        links=tuple(k for k in every_link if k.source in ids and k.target in ids),
        all_links=tuple(k for k in every_link if k.source in ids or k.target in ids),
        tags=tuple(source.tags()),
        relations=tuple(source.relations()),
        filters=tuple(filters),
        assessments=assessment.load(source),
    )
