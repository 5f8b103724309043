"""ACH matrix export: the selected evidence rows against the selected hypotheses, with their scores, as CSV.

One row per evidence passage (quote, Admiralty grade, diagnosticity, diagnostic yes/no, then one cell per
hypothesis, least inconsistent first), then two rows of scores: Heuer's inconsistency count and the
credibility-weighted count. See :mod:`desktop.core.assessment` for the definitions.
"""

from __future__ import annotations

import csv
import io

from desktop.core import assessment
from desktop.core.exchange import csvfile, scope


def matrix_csv(m: assessment.Matrix) -> bytes:
    """Return the matrix with its scores as CSV (UTF-8 with a byte-order mark, formula-guarded cells)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in assessment.matrix_rows(m):
        writer.writerow([csvfile.escape_cell(cell) for cell in row])
    return out.getvalue().encode("utf-8", "replace")


def render(selection: scope.Selection) -> bytes:
    """Return the ACH matrix of ``selection`` as CSV bytes (UTF-8 with a byte-order mark, formula-guarded)."""
    return matrix_csv(assessment.for_selection(selection))
