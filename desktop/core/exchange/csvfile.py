"""CSV export: one row per tagged passage, UTF-8 with a byte-order mark, RFC 4180 quoting.

Columns (see :data:`COLUMNS`): the document's title and SHA-256 fingerprint, the tag, the quote, the
note, ``start`` and ``end`` (code-point offsets into the document's canonical text, end exclusive),
``paragraph`` (1-based, blank-line-separated paragraphs: see :mod:`desktop.core.exchange.scope`), ``page``
(1-based page of the passage's start in a paged document such as a PDF; empty for others), the
author, the creation and modification times, the annotation id, ``links_to`` (this passage's
outgoing links joined by ``"; "``, each ``relation:id`` followed by the other passage's tag and first
words, e.g. ``supports:<id> (claim: "Iran and Russia signed a…")``) and ``linked_from`` (incoming links
the same way: ``supports:<id> (evidence: "…")`` means that passage supports this one). A linked
passage outside the export (left out by a filter) is named by its id alone.

The file opens correctly in Excel and LibreOffice Calc: UTF-8 with a byte-order mark (both then read it
as UTF-8 without asking), commas, and no ``sep=`` line (Excel would honour it but LibreOffice shows it
as a first row, and it makes Excel ignore the byte-order mark).
 Then the Admiralty grade: ``reliability`` (the document's, A-F) and ``credibility``
(the passage's, 1-6), empty when not graded.

Spreadsheet formula injection (OWASP "CSV Injection"): a text cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so spreadsheets show it as text
instead of running it. So that the guard can be undone exactly, a cell that already starts with
apostrophes followed by one of those characters gets one more; :func:`unescape_cell` removes one.
Numbers (offsets, paragraph) are never changed.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Mapping

from desktop.core import model, textutil
from desktop.core.exchange import rows as rows_lib
from desktop.core.exchange import scope

COLUMNS: tuple[str, ...] = (
    "document",
    "fingerprint",
    "tag",
    "quote",
    "note",
    "start",
    "end",
    "paragraph",
    "page",
    "author",
    "created",
    "modified",
    "id",
    "links_to",
    "linked_from",
    "reliability",
    "credibility",
)

_NEEDS_GUARD = re.compile(r"'*[=+\-@\t\r]")
_GUARDED = re.compile(r"'+[=+\-@\t\r]")
_FIRST = frozenset("'=+-@\t\r")


def escape_cell(value: str) -> str:
    """Return ``value`` made safe from spreadsheet formula injection (see the module docstring)."""
    if value[:1] in _FIRST and _NEEDS_GUARD.match(value):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """Undo :func:`escape_cell`: the text a cell held before it was guarded."""
    if _GUARDED.match(value):
        return value[1:]
    return value


FIRST_WORDS = 6
"""How many words of a linked passage the link columns show."""


def first_words(text: str, count: int = FIRST_WORDS) -> str:
    """Return the first ``count`` words of ``text`` on one line, with an ellipsis when there are more."""
    words = textutil.one_line(text).split(" ")
    return " ".join(words[:count]) + ("\u2026" if len(words) > count else "")


def _named(relation: str, other: model.Annotation | None, other_id: str) -> str:
    if other is None:
        return f"{relation}:{other_id}"
    return f'{relation}:{other_id} ({other.tag}: "{first_words(other.quote)}")'


def link_cells(
    selection: scope.Selection, by_id: Mapping[str, model.Annotation] | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """Return the ``links_to`` and ``linked_from`` cells of each annotation id (see the module docstring).

    ``by_id`` holds the passages at the links' ends (default: the selection's passages).
    """
    if by_id is None:
        by_id = {a.id: a for a in selection.annotations}
    outgoing: dict[str, list[str]] = defaultdict(list)
    incoming: dict[str, list[str]] = defaultdict(list)
    for link in selection.all_links:
        outgoing[link.source].append(_named(link.relation, by_id.get(link.target), link.target))
        incoming[link.target].append(_named(link.relation, by_id.get(link.source), link.source))
    return (
        {k: "; ".join(v) for k, v in outgoing.items()},
        {k: "; ".join(v) for k, v in incoming.items()},
    )


def cells(
    selection: scope.Selection, annotation: model.Annotation, links_to: str = "", linked_from: str = ""
) -> list[str | int]:
    """Return one annotation's cells, in :data:`COLUMNS` order, as they are (the CSV guards them; the
    xlsx export writes them typed, so no guard is needed there)."""
    doc = selection.document(annotation.document)
    return [
        doc.title,
        annotation.document,
        annotation.tag,
        annotation.quote,
        annotation.note,
        annotation.start,
        annotation.end,
        selection.paragraph(annotation),
        doc.page_at(annotation.start) or "",
        annotation.author,
        annotation.created,
        annotation.modified,
        annotation.id,
        links_to,
        linked_from,
        *_grade_cells(selection, annotation),
    ]


_UNGUARDED = frozenset(("fingerprint", "start", "end", "paragraph", "page"))
_GUARD = tuple(name not in _UNGUARDED for name in COLUMNS)


def row(
    selection: scope.Selection, annotation: model.Annotation, links_to: str = "", linked_from: str = ""
) -> list[object]:
    """Return one annotation's CSV cells, in :data:`COLUMNS` order, text cells already guarded."""
    values = cells(selection, annotation, links_to, linked_from)
    return [escape_cell(v) if guard and isinstance(v, str) else v for v, guard in zip(values, _GUARD, strict=True)]


def _grade_cells(selection: scope.Selection, annotation: model.Annotation) -> list[str | int]:
    """The passage's Admiralty grade: its document's reliability (A-F) and its credibility (1-6), or empty."""
    document = selection.assessments.reliability.get(annotation.document)
    passage = selection.assessments.credibility.get(annotation.id)
    return [document.reliability if document else "", passage.credibility if passage else ""]


def render(selection: scope.Selection) -> bytes:
    """Return the CSV file for ``selection``: a header row, then one row per annotation.

    Args:
        selection: what to export (:func:`desktop.core.exchange.scope.select`).

    Returns:
        UTF-8 bytes starting with a byte-order mark (so spreadsheets detect the encoding), rows ending
        in ``\\r\\n``, fields quoted when they hold a comma, a quote or a line break.
    """
    out = io.StringIO()
    write(rows_lib.held(selection), out)
    return out.getvalue().encode("utf-8", "replace")


def write(rows: rows_lib.Rows, out: rows_lib.Sink) -> None:
    """Write the CSV file of ``rows`` (see :func:`render`) to a text stream, one row at a time."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    selection = rows.selection
    ends = rows.lookup(e for k in selection.all_links for e in (k.source, k.target))
    outgoing, incoming = link_cells(selection, ends)
    writer.writerows(row(selection, a, outgoing.get(a.id, ""), incoming.get(a.id, "")) for a in rows.all())


def read(data: bytes) -> list[dict[str, str]]:
    """Read back a CSV written by :func:`render`: one dict per row, guards removed.

    Args:
        data: the file's bytes.

    Returns:
        The rows keyed by column name; numbers stay strings.
    """
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return [{k: unescape_cell(v) for k, v in r.items()} for r in reader]
