"""Argdown export: the argument as Argdown statements and relations, for the Argdown tools and maps.

Mapping (Argdown has support ``<+``/``+>``, attack ``<-``/``->`` and a few more; no "based on"):

* every annotation becomes a statement ``[Claim 1]: quote #(claim)``; titles are the tag's label
  and a number, unique over the whole export; the ``#(tag)`` lets Argdown colour by tag;
* under a claim, evidence or a claim that **supports** it: ``<+ [Evidence 1]: ...``;
* evidence or a claim that **contradicts** it: ``<- [Evidence 2]: ...`` (Argdown's attack);
* a recommendation **based on** it: ``+> [Recommendation 1]: ...``: the claim supports the
  recommendation, the closest Argdown has to "the recommendation rests on the claim";
* relations the analyst added have no Argdown symbol: each such link is written as a comment
  ``// [Evidence 3] undermines [Claim 2]`` after the document's statements;
* an annotation is written with its text once; later mentions use its title alone;
* a chain deeper than :data:`MAX_DEPTH` is not indented further: the statement at that depth is
  written there, and its own supporters follow as a tree of their own under a reference ``[Title]``
  to it (Argdown joins the two), so the file grows linearly with the claims, never with their depth.

User text can never break the syntax: quotes and headings are put on one line and every
character Argdown gives a meaning to (``\\ [ ] < > { } @ # * _ / =``) is backslash-escaped,
which Argdown reads as the character itself; titles and tags keep only characters that cannot
close them.
"""

from __future__ import annotations

import collections
import functools
import io
import re
import sys
from collections.abc import Iterable, Iterator

from desktop.core import argument, model, store, textutil
from desktop.core.exchange import rows as rows_lib
from desktop.core.exchange import scope

_SPECIAL = re.compile(r"([\\\[\]<>{}@#*_/=`])")
_TITLE_UNSAFE = re.compile(r"[^\w \-.,'’]+")
_TAG_UNSAFE = re.compile(r"[^\w \-.,'’]+")
INDENT = "    "
MAX_DEPTH = 8
"""The deepest indentation written; deeper statements continue in a tree of their own (see above)."""
HEADER = "// Exported from Warrant. <+ supports, <- contradicts, +> the claim supports a recommendation based on it."

SYMBOLS = {argument.SUPPORTS: "<+", argument.CONTRADICTS: "<-", argument.BASED_ON: "+>"}
"""The Argdown relation written under a target for each built-in relation of its source."""


def escape_argdown(text: str) -> str:
    """Return ``text`` on one line with every Argdown control character backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", textutil.one_line(text))


@functools.lru_cache(maxsize=4096)
def _safe(text: str, pattern: re.Pattern[str]) -> str:
    return " ".join(pattern.sub(" ", textutil.one_line(text)).split())


class _Writer:
    """Turns outlines into Argdown lines, numbering statements across documents."""

    def __init__(self, tags: Iterable[model.Tag], relations: Iterable[model.Relation]) -> None:
        self.labels = {t.name: t.label for t in tags}
        self.relation_labels = {r.name: r.label for r in relations}
        self.titles: dict[str, str] = {}
        self.counters: dict[str, int] = {}
        self.defined: set[str] = set()
        self.used: set[str] = set()

    def title(self, a: model.Annotation) -> str:
        if a.id not in self.titles:
            base = _safe(self.labels.get(a.tag, a.tag), _TITLE_UNSAFE) or "Passage"
            while True:
                self.counters[base] = self.counters.get(base, 0) + 1
                title = f"{base} {self.counters[base]}"
                if title not in self.used:
                    break
            self.used.add(title)
            self.titles[a.id] = title
        return self.titles[a.id]

    def statement(self, a: model.Annotation) -> str:
        """``[Title]: text #(tag)`` the first time, ``[Title]`` afterwards."""
        title = f"[{self.title(a)}]"
        if a.id in self.defined:
            return title
        self.defined.add(a.id)
        text = escape_argdown(a.quote) or "\u2026"
        tag = _safe(a.tag, _TAG_UNSAFE)
        return f"{title}: {text}" + (f" #({tag})" if tag else "")

    def document(self, doc: model.Document, outline: argument.Outline) -> list[str]:
        """Return the document's blocks (heading, one per tree, unlinked statements, comments)."""
        return list(self.blocks(doc, outline))

    def blocks(self, doc: model.Document, outline: argument.Outline) -> Iterator[str]:
        """Yield the document's blocks one at a time; time and size grow linearly with the statements."""
        heading = escape_argdown(doc.title) or "Untitled"
        yield f"# {heading}"
        comments: list[str] = []
        pending = collections.deque(outline.roots)
        while pending:
            root = pending.popleft()
            lines = [self.statement(root.annotation)]
            deeper: list[argument.OutlineNode] = []
            # (node, depth) in display order; custom relations are left for comments and their
            # subtrees become trees of their own, as do the supporters of a statement at MAX_DEPTH.
            stack = [(child, 1, root) for child in reversed(root.children)]
            while stack:
                node, depth, parent = stack.pop()
                symbol = SYMBOLS.get(node.relation or "")
                if symbol is None:
                    relation = node.relation or ""
                    label = _safe(self.relation_labels.get(relation, relation), _TITLE_UNSAFE) or "linked to"
                    comments.append(f"// [{self.title(node.annotation)}] {label} [{self.title(parent.annotation)}]")
                    if not node.repeated:
                        pending.append(argument.OutlineNode(node.annotation, None, node.children))
                    continue
                lines.append(INDENT * depth + f"{symbol} {self.statement(node.annotation)}")
                if depth >= MAX_DEPTH and node.children:
                    deeper.append(argument.OutlineNode(node.annotation, None, node.children))
                    continue
                stack.extend((child, depth + 1, node) for child in reversed(node.children))
            pending.extendleft(reversed(deeper))
            yield "\n".join(lines)
        for a in outline.unlinked:
            yield self.statement(a)
        if comments:
            yield "\n".join(["// Links whose relation Argdown has no symbol for:", *comments])


def write(rows: rows_lib.Rows, out: rows_lib.Sink, *, document: str | None = None) -> None:
    """Write the Argdown export of ``rows`` to ``out``, one document's outline in memory at a time.

    Args:
        rows: the passages (held or streamed, :mod:`desktop.core.exchange.rows`).
        out: a text stream.
        document: only this document (its fingerprint).
    """
    selection = rows.selection
    writer = _Writer(selection.tags, selection.relations)
    out.write(HEADER)
    for doc in selection.documents:
        if document is not None and doc.fingerprint != document:
            continue
        # Only what the statements show (id, tag, quote, offsets for the order), to keep a large outline small.
        fingerprint = sys.intern(doc.fingerprint)
        annotations = [
            model.Annotation(a.id, fingerprint, sys.intern(a.tag), a.start, a.end, a.quote)
            for a in rows.of(doc.fingerprint)
        ]
        ids = {a.id for a in annotations}
        links = [k for k in selection.links if k.source in ids and k.target in ids]
        for block in writer.blocks(doc, argument.build_outline(annotations, links, selection.tags)):
            out.write("\n\n" + block)
    out.write("\n")


def argdown(source: store.Store | scope.Selection, *, document: str | None = None) -> str:
    """Write the argument(s) of an annotation file, or of an export selection, as Argdown.

    Args:
        source: an open annotation file (everything in it is exported), or a
            :class:`~desktop.core.exchange.scope.Selection` (its annotations and the links among them).
        document: only this document (its fingerprint).

    Returns:
        The Argdown text: one ``# heading`` per document, then its statements and relations.

    Raises:
        NotFoundError: ``document`` is not in the file.
    """
    selection = source if isinstance(source, scope.Selection) else scope.select(source, document=document)
    buffer = io.StringIO()
    write(rows_lib.held(selection), buffer, document=document)
    return buffer.getvalue()


def render(selection: scope.Selection) -> bytes:
    """Return the Argdown export of ``selection`` as UTF-8 bytes (the entry point of :mod:`desktop.core.exchange`)."""
    return argdown(selection).encode("utf-8")
