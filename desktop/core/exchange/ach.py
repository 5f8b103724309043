"""ACH matrix export: the selected evidence rows against the selected hypotheses, with their scores, as CSV.

One row per evidence passage (quote, Admiralty grade, diagnosticity, diagnostic yes/no, then one cell per
hypothesis, least inconsistent first), then two rows of scores: Heuer's inconsistency count and the
credibility-weighted count. See :mod:`desktop.core.assessment` for the definitions.
"""

from __future__ import annotations

from desktop.core import assessment
from desktop.core.exchange import scope


def render(selection: scope.Selection) -> bytes:
    """Return the ACH matrix of ``selection`` as CSV bytes (UTF-8 with a byte-order mark, formula-guarded)."""
    return assessment.matrix_csv(assessment.for_selection(selection))
