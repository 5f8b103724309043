"""A case file: several articles in one annotation file. Search across them, with exact offsets."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from desktop.core import model

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
