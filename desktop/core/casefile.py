"""A case file: several articles in one annotation file. Adding, removing and renaming them (each an
operation the window undoes), and searching across them with exact offsets."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from desktop.core import errors, model, operations, store, textutil

TITLE_LIMIT = 300
"""Characters a document's title may have."""


def add_document(st: store.Store, doc: model.Document) -> operations.Outcome:
    """Add an article to the file (nothing when the file already holds it); the undo removes it again.

    Raises:
        StoreError: the write failed; nothing was changed.
    """
    if st.document(doc.fingerprint, missing_ok=True) is not None:
        return operations.Outcome(model.Changes(), operations.Edit(), operations.Edit())
    stored = dataclasses.replace(doc, added=doc.added or model.now_utc())
    return operations.run(st, operations.Edit(documents=(stored,)))


def remove_document(st: store.Store, fingerprint: str) -> operations.Outcome:
    """Remove an article with its passages and every link touching them, in one transaction.

    The undo puts back the article, its passages and their links (the same ids). Grades and ratings of
    the article's passages stay in the file, unseen, and apply again after an undo.

    Raises:
        NotFoundError: the file has no such document.
        StoreError: it is the file's only document (a file always shows one), or the write failed.
    """
    doc = st.document(fingerprint)
    assert doc is not None
    if st.document_count() <= 1:
        raise errors.StoreError("an annotation file keeps at least one article: add another before removing this one")
    ids = tuple(a for a, _doc, _tag in st.iter_annotation_keys(fingerprint))
    edit = operations.Edit(remove_annotations=ids, remove_documents=(fingerprint,))
    changes, inverse = operations.apply(st, edit)
    # The store's inverse re-inserts the passages and links it removed; the document goes first.
    return operations.Outcome(changes, edit, dataclasses.replace(inverse, documents=(doc,)))


def check_title(title: str) -> str:
    """A document title as it will be stored: one line, trimmed.

    Raises:
        StoreError: the title is empty or longer than :data:`TITLE_LIMIT` characters.
    """
    clean = textutil.one_line(title).strip()
    if not clean or len(clean) > TITLE_LIMIT:
        raise errors.StoreError(f"a title must have 1 to {TITLE_LIMIT} characters")
    return clean


def set_title(st: store.Store, fingerprint: str, title: str) -> tuple[model.Changes, model.Document]:
    """Give an article another title (checked by :func:`check_title`); returns what changed and the old one.

    Raises:
        NotFoundError: the file has no such document.
        StoreError: the title is refused, or the write failed; nothing was changed.
    """
    old = st.set_document_title(fingerprint, check_title(title))
    return model.Changes(documents=(fingerprint,)), old


CONTEXT = 40
"""Characters shown either side of a hit."""


@dataclass(frozen=True)
class Hit:
    """One occurrence of the searched text: its document and code-point offsets, with some context."""

    document: str
    title: str
    start: int
    end: int
    before: str
    match: str
    after: str


def search(
    documents: Iterable[model.Document], query: str, *, case_sensitive: bool = False, limit: int = 1000
) -> Iterator[Hit]:
    """Yield every occurrence of ``query`` in each document's canonical text, in document order.

    Matching ignores case unless ``case_sensitive`` (Unicode simple case folding through ``re``, which keeps
    offsets exact, unlike ``str.casefold``, which can change a string's length). White space in the query
    matches any run of white space, so a phrase found across a line break is still found.

    Args:
        documents: the articles to search.
        query: the text to find; empty or blank finds nothing.
        case_sensitive: match case exactly.
        limit: stop after this many hits in all.

    Yields:
        :class:`Hit` values with code-point offsets into the document's text.
    """
    words = query.split()
    if not words or limit <= 0:
        return
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words), 0 if case_sensitive else re.IGNORECASE)
    found = 0
    for doc in documents:
        for m in pattern.finditer(doc.text):
            yield Hit(
                document=doc.fingerprint,
                title=doc.title,
                start=m.start(),
                end=m.end(),
                before=doc.text[max(0, m.start() - CONTEXT) : m.start()],
                match=m.group(0),
                after=doc.text[m.end() : m.end() + CONTEXT],
            )
            found += 1
            if found >= limit:
                return
