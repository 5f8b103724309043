"""Excel workbook (.xlsx) export: a sheet of passages with the CSV's columns and a summary sheet per tag.

Written with XlsxWriter. Every cell is written explicitly as a string (``write_string``) or a number
(``write_number``): text that starts with ``=``, ``+``, ``-`` or ``@`` stays text and is never a formula,
a link or a number, so no apostrophe guard is needed (unlike the CSV). A cell holds at most 32,767
characters; longer text is cut and ends with an ellipsis.
"""

from __future__ import annotations

import collections
import io

import xlsxwriter

from desktop.core import assessment, model
from desktop.core.exchange import csvfile, scope

MAX_CELL = 32_767
"""Most characters Excel keeps in one cell."""
SUMMARY_COLUMNS: tuple[str, ...] = (
    "tag",
    "label",
    "passages",
    "documents",
    "authors",
    "with notes",
    "links out",
    "links in",
)


def _cell(value: str) -> str:
    return value if len(value) <= MAX_CELL else value[: MAX_CELL - 1] + "\u2026"


def passage_rows(selection: scope.Selection) -> list[list[str | int]]:
    """Return the passages sheet's rows (without the header): the CSV's cells, unguarded."""
    outgoing, incoming = csvfile.link_cells(selection)
    return [csvfile.cells(selection, a, outgoing.get(a.id, ""), incoming.get(a.id, "")) for a in selection.annotations]


def summary_rows(selection: scope.Selection) -> list[list[str | int]]:
    """Return one summary row per tag used or defined: counts of passages, documents, authors, notes, links."""
    by_tag: dict[str, list[model.Annotation]] = collections.defaultdict(list)
    for a in selection.annotations:
        by_tag[a.tag].append(a)
    tag_of = {a.id: a.tag for a in selection.annotations}
    out_links: collections.Counter[str] = collections.Counter()
    in_links: collections.Counter[str] = collections.Counter()
    for k in selection.all_links:
        if k.source in tag_of:
            out_links[tag_of[k.source]] += 1
        if k.target in tag_of:
            in_links[tag_of[k.target]] += 1
    labels = {t.name: t.label for t in selection.tags}
    names = [t.name for t in selection.tags] + sorted(set(by_tag) - set(labels))
    rows: list[list[str | int]] = []
    for name in names:
        passages = by_tag.get(name, [])
        rows.append(
            [
                name,
                labels.get(name, name),
                len(passages),
                len({a.document for a in passages}),
                len({a.author for a in passages}),
                sum(1 for a in passages if a.note.strip()),
                out_links[name],
                in_links[name],
            ]
        )
    return rows


def _write_sheet(sheet: object, header: tuple[str, ...], rows: list[list[str | int]], bold: object) -> None:
    write_string = sheet.write_string  # type: ignore[attr-defined]
    write_number = sheet.write_number  # type: ignore[attr-defined]
    for col, name in enumerate(header):
        write_string(0, col, name, bold)
    for r, cells in enumerate(rows, 1):
        for c, value in enumerate(cells):
            if isinstance(value, int):
                write_number(r, c, value)
            else:
                write_string(r, c, _cell(value))


def render(selection: scope.Selection) -> bytes:
    """Return the workbook for ``selection``: sheets "Passages" and "Tags", and "ACH" (the matrix with its scores,
    as :func:`desktop.core.assessment.matrix_rows` gives it, all text) when the passages hold hypotheses and evidence.

    Args:
        selection: what to export (:func:`desktop.core.exchange.scope.select`).

    Returns:
        The .xlsx file's bytes.
    """
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    passages = workbook.add_worksheet("Passages")
    passages.freeze_panes(1, 0)
    _write_sheet(passages, csvfile.COLUMNS, passage_rows(selection), bold)
    tags = workbook.add_worksheet("Tags")
    _write_sheet(tags, SUMMARY_COLUMNS, summary_rows(selection), bold)
    m = assessment.for_selection(selection)  # issue 17: the matrix and its scores
    if m.hypotheses and m.evidence:
        matrix = assessment.matrix_rows(m)
        ach = workbook.add_worksheet("ACH")
        ach.freeze_panes(1, 1)
        _write_sheet(ach, tuple(_cell(c) for c in matrix[0]), [list(r) for r in matrix[1:]], bold)
    workbook.close()
    return out.getvalue()
