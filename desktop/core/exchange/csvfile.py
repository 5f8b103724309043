"""CSV export: one row per tagged passage, UTF-8 with a byte-order mark, RFC 4180 quoting.

Columns (see :data:`COLUMNS`): the document's title and SHA-256 fingerprint, the tag, the quote, the
note, ``start`` and ``end`` (code-point offsets into the document's canonical text, end exclusive),
``paragraph`` (1-based, blank-line-separated paragraphs: see :mod:`desktop.core.exchange.scope`), the
author, the creation and modification times, the annotation id, ``links_to`` (this passage's
outgoing links as ``relation:id`` joined by ``"; "``, e.g. ``supports:<id>; based-on:<id>``) and
``linked_from`` (incoming links the same way: ``supports:<id>`` means annotation ``<id>`` supports
this one).

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

from desktop.core import model
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
    "author",
    "created",
    "modified",
    "id",
    "links_to",
    "linked_from",
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


def _link_cells(selection: scope.Selection) -> tuple[dict[str, str], dict[str, str]]:
    outgoing: dict[str, list[str]] = defaultdict(list)
    incoming: dict[str, list[str]] = defaultdict(list)
    for link in selection.all_links:
        outgoing[link.source].append(f"{link.relation}:{link.target}")
        incoming[link.target].append(f"{link.relation}:{link.source}")
    return (
        {k: "; ".join(v) for k, v in outgoing.items()},
        {k: "; ".join(v) for k, v in incoming.items()},
    )


def row(
    selection: scope.Selection, annotation: model.Annotation, links_to: str = "", linked_from: str = ""
) -> list[object]:
    """Return one annotation's CSV cells, in :data:`COLUMNS` order, text cells already guarded."""
    doc = selection.document(annotation.document)
    return [
        escape_cell(doc.title),
        annotation.document,
        escape_cell(annotation.tag),
        escape_cell(annotation.quote),
        escape_cell(annotation.note),
        annotation.start,
        annotation.end,
        selection.paragraph(annotation),
        escape_cell(annotation.author),
        escape_cell(annotation.created),
        escape_cell(annotation.modified),
        escape_cell(annotation.id),
        escape_cell(links_to),
        escape_cell(linked_from),
    ]


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
    outgoing, incoming = _link_cells(selection)
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
