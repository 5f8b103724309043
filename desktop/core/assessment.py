"""Weighing the evidence: Admiralty grades, hypotheses and Heuer's ACH matrix built from the passages (issue 17).

Grades. A document (a source) has a reliability grade A-F; a passage has an information-credibility grade
1-6 (the Admiralty/NATO code), each with an optional rationale. A passage shows both as e.g. ``B2`` (``?``
for a part not graded yet).

Hypotheses are claims the analyst flags. The ACH matrix has one row per evidence passage and one column
per hypothesis; a cell holds Heuer's consistency rating: ``CC`` very consistent, ``C`` consistent, ``N``
neutral or not applicable, ``I`` inconsistent, ``II`` very inconsistent. An empty cell counts as ``N``.

Scores, defined once here for the CLI, the window, the exports and the reports:

* **Inconsistency** of a hypothesis (Heuer): the number of ``I`` ratings plus twice the number of ``II``
  ratings in its column. Hypotheses are ranked by it, least inconsistent (most likely) first; ties keep
  the order the analyst flagged them in.
* **Weighted inconsistency**: the same sum with each rating multiplied by its evidence's credibility
  weight, :data:`CREDIBILITY_WEIGHTS` (as PARC ACH weighs credibility high/medium/low by sqrt 2, 1 and
  1/sqrt 2): grades 1-2 weigh sqrt 2, 3 and 6 (cannot be judged) and ungraded weigh 1, 4-5 weigh 1/sqrt 2.
  It is shown beside the unweighted count, which stays the ranking key.
* **Diagnosticity** of an evidence row: the mean absolute difference between its cells over all pairs of
  hypotheses, each rating scored ``II`` -2, ``I`` -1, ``N`` 0, ``C`` 1, ``CC`` 2 (0 to 4). A row that rates
  every hypothesis alike scores 0 and is **non-diagnostic**; higher rows discriminate more.

Low credibility (for the weak points) is a credibility grade of 4-6, :data:`LOW_CREDIBILITY`: doubtful,
improbable, or truth cannot be judged.

Every edit is an :class:`Edit` (``do`` and ``undo`` each return a :class:`~desktop.core.model.Changes`
whose ``assessments`` name the annotation or document concerned): the window's undo stack runs them; the
module-level functions :func:`set_reliability`, :func:`set_credibility`, :func:`set_hypothesis` and
:func:`set_rating` run one at once.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from desktop.core import errors, model, textutil

if TYPE_CHECKING:
    from desktop.core import store as store_module
    from desktop.core import untrusted
    from desktop.core.exchange import scope

EVIDENCE = "evidence"
CLAIM = "claim"

RATING_SCORES: dict[str, int] = {"II": -2, "I": -1, "N": 0, "C": 1, "CC": 2}
"""Each rating's place on the consistency scale (diagnosticity, the ordinal order of agreement)."""

INCONSISTENCY: dict[str, int] = {"I": 1, "II": 2}
"""Heuer's inconsistency count: what each rating adds to its hypothesis's score."""

CREDIBILITY_WEIGHTS: dict[int | None, float] = {
    1: math.sqrt(2),
    2: math.sqrt(2),
    3: 1.0,
    4: 1 / math.sqrt(2),
    5: 1 / math.sqrt(2),
    6: 1.0,
    None: 1.0,
}
"""What one rating of a row weighs in the weighted inconsistency, by the row's credibility grade."""

LOW_CREDIBILITY = frozenset({4, 5, 6})
"""Credibility grades that count as low for the weak points: doubtful, improbable, cannot be judged."""

RELIABILITY_LABELS: dict[str, str] = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY_LABELS: dict[int, str] = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}
RATING_LABELS: dict[str, str] = {
    "CC": "very consistent",
    "C": "consistent",
    "N": "neutral",
    "I": "inconsistent",
    "II": "very inconsistent",
}


class AssessmentError(errors.WarrantError):
    """A grade, flag or rating that cannot be given (a claim that is not one, a grade out of range ...)."""


# -- what the file holds ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Assessments:
    """Every grade, hypothesis flag and rating of a file, with the passages they concern.

    Attributes:
        reliability: document fingerprint -> its grade.
        credibility: annotation id -> its grade.
        hypotheses: annotation id -> its flag, in the order flagged.
        ratings: ``(evidence id, hypothesis id)`` -> the rating.
        passages: the file's evidence passages and hypotheses, by id.
    """

    reliability: Mapping[str, model.DocumentGrade] = field(default_factory=dict)
    credibility: Mapping[str, model.PassageGrade] = field(default_factory=dict)
    hypotheses: Mapping[str, model.Hypothesis] = field(default_factory=dict)
    ratings: Mapping[tuple[str, str], model.AchRating] = field(default_factory=dict)
    passages: Mapping[str, model.Annotation] = field(default_factory=dict)

    def grade_label(self, annotation: model.Annotation) -> str:
        """Return the passage's Admiralty grade, e.g. ``B2``; ``?`` for a part not graded; empty if neither is."""
        document = self.reliability.get(annotation.document)
        passage = self.credibility.get(annotation.id)
        if document is None and passage is None:
            return ""
        return (document.reliability if document else "?") + (str(passage.credibility) if passage else "?")

    def credibility_of(self, annotation_id: str) -> int | None:
        """Return a passage's credibility grade, or None."""
        grade = self.credibility.get(annotation_id)
        return None if grade is None else grade.credibility


def load(source: store_module.Store) -> Assessments:
    """Read every grade, flag and rating of an open file, with its evidence passages and hypotheses.

    Rows about passages that were deleted stay in the file (an undo brings them back) and are left out here.
    """
    passages = {a.id: a for a in source.annotations(tags=[EVIDENCE])}
    flags = source.hypotheses()
    others = source.existing_ids(h.annotation for h in flags if h.annotation not in passages)
    for annotation_id in others:
        passages[annotation_id] = source.annotation(annotation_id)
    flags = [h for h in flags if h.annotation in passages]
    grades = source.passage_grades()
    live = set(passages) | source.existing_ids(g.annotation for g in grades if g.annotation not in passages)
    return Assessments(
        reliability={g.document: g for g in source.document_grades()},
        credibility={g.annotation: g for g in grades if g.annotation in live},
        hypotheses={h.annotation: h for h in flags},
        ratings={
            (r.evidence, r.hypothesis): r
            for r in source.ach_ratings()
            if r.evidence in passages and r.hypothesis in passages
        },
        passages=passages,
    )


def from_rows(
    annotations: Iterable[model.Annotation],
    grades: Iterable[model.DocumentGrade] = (),
    passages: Iterable[model.PassageGrade] = (),
    hypotheses: Iterable[model.Hypothesis] = (),
    ratings: Iterable[model.AchRating] = (),
) -> Assessments:
    """Build :class:`Assessments` from rows (a colleague's file), keeping only rows about ``annotations``."""
    anns = {a.id: a for a in annotations}
    flags = {h.annotation: h for h in hypotheses if h.annotation in anns}
    return Assessments(
        reliability={g.document: g for g in grades},
        credibility={g.annotation: g for g in passages if g.annotation in anns},
        hypotheses=flags,
        ratings={(r.evidence, r.hypothesis): r for r in ratings if r.evidence in anns and r.hypothesis in anns},
        passages={i: a for i, a in anns.items() if a.tag == EVIDENCE or i in flags},
    )


# -- edits -------------------------------------------------------------------------------------------


class Edit(Protocol):
    """One undoable assessment edit: what the window's undo stack runs (``do`` also on the first run)."""

    @property
    def text(self) -> str:
        """What the edit does, for the Undo menu."""
        ...

    def do(self, source: store_module.Store) -> model.Changes:
        """Perform the edit; return what changed."""
        ...

    def undo(self, source: store_module.Store) -> model.Changes:
        """Reverse the edit; return what changed."""
        ...


@dataclass(frozen=True)
class GradeDocument:
    """Set or clear a document's reliability grade."""

    document: str
    new: model.DocumentGrade | None
    old: model.DocumentGrade | None

    @property
    def text(self) -> str:
        return f"Grade source {self.new.reliability}" if self.new else "Clear source grade"

    def do(self, source: store_module.Store) -> model.Changes:
        source.set_document_grade(self.document, self.new)
        return model.Changes(assessments=(self.document,))

    def undo(self, source: store_module.Store) -> model.Changes:
        source.set_document_grade(self.document, self.old)
        return model.Changes(assessments=(self.document,))


@dataclass(frozen=True)
class GradePassage:
    """Set or clear a passage's credibility grade."""

    annotation: str
    new: model.PassageGrade | None
    old: model.PassageGrade | None

    @property
    def text(self) -> str:
        return f"Grade credibility {self.new.credibility}" if self.new else "Clear credibility grade"

    def do(self, source: store_module.Store) -> model.Changes:
        source.set_passage_grade(self.annotation, self.new)
        return model.Changes(assessments=(self.annotation,))

    def undo(self, source: store_module.Store) -> model.Changes:
        source.set_passage_grade(self.annotation, self.old)
        return model.Changes(assessments=(self.annotation,))


@dataclass(frozen=True)
class FlagHypothesis:
    """Flag a claim as a hypothesis, or unflag it (its ratings are kept, and come back if flagged again)."""

    annotation: str
    new: model.Hypothesis | None
    old: model.Hypothesis | None

    @property
    def text(self) -> str:
        return "Mark as hypothesis" if self.new else "Unmark hypothesis"

    def do(self, source: store_module.Store) -> model.Changes:
        source.set_hypothesis(self.annotation, self.new)
        return model.Changes(assessments=(self.annotation,))

    def undo(self, source: store_module.Store) -> model.Changes:
        source.set_hypothesis(self.annotation, self.old)
        return model.Changes(assessments=(self.annotation,))


@dataclass(frozen=True)
class Rate:
    """Set or clear one cell of the ACH matrix."""

    evidence: str
    hypothesis: str
    new: model.AchRating | None
    old: model.AchRating | None

    @property
    def text(self) -> str:
        return f"Rate {self.new.rating}" if self.new else "Clear rating"

    def do(self, source: store_module.Store) -> model.Changes:
        source.set_ach_rating(self.evidence, self.hypothesis, self.new)
        return model.Changes(assessments=(self.evidence, self.hypothesis))

    def undo(self, source: store_module.Store) -> model.Changes:
        source.set_ach_rating(self.evidence, self.hypothesis, self.old)
        return model.Changes(assessments=(self.evidence, self.hypothesis))


def _one(found: Sequence[Any]) -> Any:
    return found[0] if found else None


def reliability_edit(
    source: store_module.Store, document: str, grade: str | None, rationale: str = ""
) -> GradeDocument:
    """Return the edit that sets (``grade`` A-F) or clears (None) a document's reliability.

    Raises:
        AssessmentError: the grade is not A-F.
        NotFoundError: no such document.
    """
    if grade is not None and grade not in model.RELIABILITY_GRADES:
        raise AssessmentError(f"a source's reliability is one of A-F, not {grade!r}")
    source.document(document)  # NotFoundError
    old = next((g for g in source.document_grades() if g.document == document), None)
    new = None if grade is None else model.DocumentGrade(document, grade, rationale, source.annotator, model.now_utc())
    return GradeDocument(document, new, old)


def credibility_edit(
    source: store_module.Store, annotation_id: str, grade: int | None, rationale: str = ""
) -> GradePassage:
    """Return the edit that sets (``grade`` 1-6) or clears (None) a passage's credibility.

    Raises:
        AssessmentError: the grade is not 1-6.
        NotFoundError: no such annotation.
    """
    if grade is not None and (type(grade) is not int or grade not in model.CREDIBILITY_GRADES):
        raise AssessmentError(f"a passage's credibility is one of 1-6, not {grade!r}")
    source.annotation(annotation_id)  # NotFoundError
    old = _one(source.passage_grades([annotation_id]))
    new = (
        None
        if grade is None
        else model.PassageGrade(annotation_id, grade, rationale, source.annotator, model.now_utc())
    )
    return GradePassage(annotation_id, new, old)


def hypothesis_edit(source: store_module.Store, annotation_id: str, flagged: bool) -> FlagHypothesis:
    """Return the edit that flags (or unflags) a claim as a hypothesis.

    Raises:
        AssessmentError: the passage is not a claim.
        NotFoundError: no such annotation.
    """
    annotation = source.annotation(annotation_id)
    if flagged and annotation.tag != CLAIM:
        raise AssessmentError(f"only a claim can be a hypothesis; this passage is tagged {annotation.tag!r}")
    old = next((h for h in source.hypotheses() if h.annotation == annotation_id), None)
    new = (old or model.Hypothesis(annotation_id, source.annotator, model.now_utc())) if flagged else None
    return FlagHypothesis(annotation_id, new, old)


def rating_edit(source: store_module.Store, evidence: str, hypothesis: str, rating: str | None) -> Rate:
    """Return the edit that rates (``CC``, ``C``, ``N``, ``I``, ``II``) or clears (None) one cell.

    Raises:
        AssessmentError: the rating is not one of Heuer's, the row is not evidence, or the column is
            not a hypothesis.
        NotFoundError: no such annotation.
    """
    if rating is not None and rating not in model.ACH_RATINGS:
        raise AssessmentError(f"a rating is one of CC, C, N, I, II, not {rating!r}")
    if source.annotation(evidence).tag != EVIDENCE:
        raise AssessmentError("only an evidence passage can be rated against a hypothesis")
    source.annotation(hypothesis)
    if not any(h.annotation == hypothesis for h in source.hypotheses()):
        raise AssessmentError("evidence is rated against a hypothesis: mark the claim as a hypothesis first")
    old = next((r for r in source.ach_ratings([evidence]) if r.hypothesis == hypothesis), None)
    new = None if rating is None else model.AchRating(evidence, hypothesis, rating, source.annotator, model.now_utc())
    return Rate(evidence, hypothesis, new, old)


def set_reliability(source: store_module.Store, document: str, grade: str | None, rationale: str = "") -> model.Changes:
    """Set or clear a document's reliability grade now (see :func:`reliability_edit`)."""
    return reliability_edit(source, document, grade, rationale).do(source)


def set_credibility(
    source: store_module.Store, annotation_id: str, grade: int | None, rationale: str = ""
) -> model.Changes:
    """Set or clear a passage's credibility grade now (see :func:`credibility_edit`)."""
    return credibility_edit(source, annotation_id, grade, rationale).do(source)


def set_hypothesis(source: store_module.Store, annotation_id: str, flagged: bool = True) -> model.Changes:
    """Flag or unflag a claim as a hypothesis now (see :func:`hypothesis_edit`)."""
    return hypothesis_edit(source, annotation_id, flagged).do(source)


def set_rating(source: store_module.Store, evidence: str, hypothesis: str, rating: str | None) -> model.Changes:
    """Rate or clear one cell now (see :func:`rating_edit`)."""
    return rating_edit(source, evidence, hypothesis, rating).do(source)


# -- the matrix and its scores ---------------------------------------------------------------------------


def inconsistency(ratings: Iterable[str | None]) -> int:
    """Heuer's inconsistency count of a hypothesis's column: I = 1, II = 2, anything else 0."""
    return sum(INCONSISTENCY.get(r or "", 0) for r in ratings)


def weighted_inconsistency(cells: Iterable[tuple[str | None, int | None]]) -> float:
    """The inconsistency count with each rating weighed by its row's credibility (:data:`CREDIBILITY_WEIGHTS`).

    Args:
        cells: ``(rating, credibility grade or None)`` for each cell of the column.
    """
    return sum(INCONSISTENCY.get(r or "", 0) * CREDIBILITY_WEIGHTS.get(c, 1.0) for r, c in cells)


def diagnosticity(ratings: Sequence[str | None]) -> float:
    """The row's mean absolute difference over all pairs of hypotheses (0 to 4; 0 is non-diagnostic).

    Args:
        ratings: the row's cells, one per hypothesis; None (unrated) counts as ``N``.
    """
    n = len(ratings)
    if n < 2:
        return 0.0
    scores = sorted(RATING_SCORES.get(r or "N", 0) for r in ratings)
    # sum over pairs of |a - b| for sorted values: each value minus the ones before it.
    total = sum(score * (2 * i - n + 1) for i, score in enumerate(scores))
    return total / (n * (n - 1) / 2)


@dataclass(frozen=True)
class Matrix:
    """An ACH matrix: evidence rows, hypothesis columns ranked by inconsistency, and their scores.

    Attributes:
        hypotheses: the columns, least inconsistent first (ties in the order flagged).
        evidence: the rows, in document order.
        cells: ``(evidence id, hypothesis id)`` -> rating; empty cells are absent.
        inconsistency: hypothesis id -> Heuer's count.
        weighted: hypothesis id -> the credibility-weighted count.
        diagnosticity: evidence id -> :func:`diagnosticity`.
        grades: annotation id -> its Admiralty grade label (``B2``, ``?3`` ...; empty when ungraded).
        credibility: evidence id -> credibility grade, when graded.
    """

    hypotheses: tuple[model.Annotation, ...]
    evidence: tuple[model.Annotation, ...]
    cells: Mapping[tuple[str, str], str]
    inconsistency: Mapping[str, int]
    weighted: Mapping[str, float]
    diagnosticity: Mapping[str, float]
    grades: Mapping[str, str]
    credibility: Mapping[str, int]

    def rating(self, evidence: str, hypothesis: str) -> str | None:
        """Return one cell's rating, or None when empty."""
        return self.cells.get((evidence, hypothesis))

    def diagnostic(self, evidence: str) -> bool:
        """Whether the row rates some hypotheses differently from others."""
        return self.diagnosticity.get(evidence, 0.0) > 0


def _order(a: model.Annotation) -> tuple[str, int, int, str]:
    return (a.document, a.start, a.end, a.id)


def build(assessments: Assessments, *, document: str | None = None, ids: Iterable[str] | None = None) -> Matrix:
    """Build the ACH matrix of a file (or of one document, or of some passages).

    Args:
        assessments: the file's grades, flags and ratings (:func:`load`).
        document: only this document's evidence and hypotheses.
        ids: only these passages (an export's selection).
    """
    wanted = None if ids is None else set(ids)

    def keep(a: model.Annotation) -> bool:
        return (document is None or a.document == document) and (wanted is None or a.id in wanted)

    flagged = [assessments.passages[i] for i in assessments.hypotheses if i in assessments.passages]
    hypotheses = [a for a in flagged if keep(a)]
    evidence = sorted((a for a in assessments.passages.values() if a.tag == EVIDENCE and keep(a)), key=_order)
    h_ids = {h.id for h in hypotheses}
    e_ids = {e.id for e in evidence}
    cells = {key: r.rating for key, r in assessments.ratings.items() if key[0] in e_ids and key[1] in h_ids}
    credibility = {e.id: g for e in evidence if (g := assessments.credibility_of(e.id)) is not None}
    columns: dict[str, list[tuple[str, int | None]]] = {h.id: [] for h in hypotheses}
    rows: dict[str, dict[str, str]] = {e.id: {} for e in evidence}
    for (e, h), rating in cells.items():
        columns[h].append((rating, credibility.get(e)))
        rows[e][h] = rating
    counts = {h: inconsistency(r for r, _ in column) for h, column in columns.items()}
    weighted = {h: weighted_inconsistency(column) for h, column in columns.items()}
    position = {h.id: i for i, h in enumerate(hypotheses)}
    ranked = sorted(hypotheses, key=lambda h: (counts[h.id], position[h.id]))
    diag = {e.id: diagnosticity([rows[e.id].get(h.id) for h in hypotheses]) for e in evidence}
    grades = {a.id: assessments.grade_label(a) for a in (*evidence, *hypotheses)}
    return Matrix(tuple(ranked), tuple(evidence), cells, counts, weighted, diag, grades, credibility)


def matrix(source: store_module.Store, document: str | None = None) -> Matrix:
    """Read and build the ACH matrix of an open file (of one document, if given)."""
    return build(load(source), document=document)


def matrix_json(m: Matrix) -> dict[str, Any]:
    """Return the matrix as JSON-ready data (what ``warrant ach --json`` prints).

    Hypotheses come ranked, each with ``quote``, ``inconsistency`` (Heuer's count) and
    ``weighted_inconsistency``; evidence rows each with ``quote``, ``grade``, ``diagnosticity``,
    ``diagnostic`` (true/false) and ``ratings`` (hypothesis id -> rating, rated cells only).
    """
    return {
        "hypotheses": [
            {
                "id": h.id,
                "document": h.document,
                "quote": h.quote,
                "rank": rank,
                "inconsistency": m.inconsistency[h.id],
                "weighted_inconsistency": round(m.weighted[h.id], 6),
            }
            for rank, h in enumerate(m.hypotheses, start=1)
        ],
        "evidence": [
            {
                "id": e.id,
                "document": e.document,
                "quote": e.quote,
                "grade": m.grades.get(e.id, ""),
                "credibility": m.credibility.get(e.id),
                "diagnosticity": round(m.diagnosticity[e.id], 6),
                "diagnostic": m.diagnostic(e.id),
                "ratings": {h.id: r for h in m.hypotheses if (r := m.rating(e.id, h.id)) is not None},
            }
            for e in m.evidence
        ],
    }


def matrix_rows(m: Matrix) -> list[list[str]]:
    """Return the matrix as a table of text: a header, one row per evidence passage, then the scores."""
    header = ["evidence", "grade", "diagnosticity", "diagnostic"] + [
        f"H{i}: {h.quote}" for i, h in enumerate(m.hypotheses, 1)
    ]
    rows = [header]
    for e in m.evidence:
        rows.append(
            [e.quote, m.grades.get(e.id, ""), f"{m.diagnosticity[e.id]:.2f}", "yes" if m.diagnostic(e.id) else "no"]
            + [m.rating(e.id, h.id) or "" for h in m.hypotheses]
        )
    rows.append(["inconsistency", "", "", ""] + [str(m.inconsistency[h.id]) for h in m.hypotheses])
    rows.append(["weighted inconsistency", "", "", ""] + [f"{m.weighted[h.id]:.2f}" for h in m.hypotheses])
    return rows


def matrix_text(m: Matrix) -> str:
    """Return the matrix for a terminal: the ranked hypotheses, then one line per evidence passage."""
    if not m.hypotheses and not m.evidence:
        return "No hypotheses and no evidence yet.\n"
    out = ["Hypotheses (least inconsistent first)"]
    for i, h in enumerate(m.hypotheses, 1):
        out.append(
            f"  H{i}  inconsistency {m.inconsistency[h.id]} (weighted {m.weighted[h.id]:.2f})  "
            f"\u201c{textutil.shorten(h.quote, 60)}\u201d"
        )
    out += ["", "Evidence" + "".join(f"{'H' + str(i):>4}" for i in range(1, len(m.hypotheses) + 1)) + "  diag grade"]
    for e in m.evidence:
        cells = "".join(f"{m.rating(e.id, h.id) or '.':>4}" for h in m.hypotheses)
        mark = f"{m.diagnosticity[e.id]:.2f}" if m.diagnostic(e.id) else "non-diagnostic"
        grade = m.grades.get(e.id) or "--"
        out.append(f"  \u201c{textutil.shorten(e.quote, 50)}\u201d\n        {cells}  {mark} {grade}")
    return "\n".join(out) + "\n"


def for_selection(selection: scope.Selection) -> Matrix:
    """Return the matrix of an export's selected passages."""
    return build(selection.assessments, ids=[a.id for a in selection.annotations])


# -- reports and QDPX: plain data for the writers of those formats --------------------------------------


def report_sections(m: Matrix, assessments: Assessments, documents: Iterable[model.Document]) -> list[dict[str, Any]]:
    """Return the report's assessment sections as plain data, for any report writer to render.

    Returns:
        A list of sections ``{"title": str, "columns": [str, ...], "rows": [[str, ...], ...], "notes": [str]}``:
        "Source reliability" (one row per document: title, grade, meaning, rationale), "Information
        credibility" (one row per graded passage: quote, grade, meaning, rationale) and "Analysis of
        competing hypotheses" (:func:`matrix_rows`, its last two rows the scores; ``notes`` names the
        non-diagnostic rows). Every cell is plain text, never markup: the writer escapes it.
    """
    sources = []
    for doc in documents:
        g = assessments.reliability.get(doc.fingerprint)
        sources.append(
            [
                doc.title,
                g.reliability if g else "",
                RELIABILITY_LABELS[g.reliability] if g else "not graded",
                g.rationale if g else "",
            ]
        )
    credibility = [
        [a.quote, assessments.grade_label(a), CREDIBILITY_LABELS[p.credibility], p.rationale]
        for a in sorted(assessments.passages.values(), key=_order)
        if (p := assessments.credibility.get(a.id)) is not None
    ]
    table = matrix_rows(m)
    non_diagnostic = [
        f"Non-diagnostic: \u201c{textutil.shorten(e.quote, 80)}\u201d" for e in m.evidence if not m.diagnostic(e.id)
    ]
    return [
        {
            "title": "Source reliability",
            "columns": ["document", "grade", "meaning", "rationale"],
            "rows": sources,
            "notes": [],
        },
        {
            "title": "Information credibility",
            "columns": ["passage", "grade", "meaning", "rationale"],
            "rows": credibility,
            "notes": [],
        },
        {"title": "Analysis of competing hypotheses", "columns": table[0], "rows": table[1:], "notes": non_diagnostic},
    ]


def qdpx_codes(assessments: Assessments) -> dict[str, list[str]]:
    """Return the assessments as QDPX codes: code name -> the annotation ids it codes.

    Codes ``Credibility/1`` ... ``Credibility/6`` code graded passages, ``Reliability/A`` ... code the evidence
    passages and hypotheses of a graded document, ``Hypothesis`` the flagged claims, and ``ACH/<rating>/H<n>`` each
    rated evidence passage (``n`` its hypothesis's rank, as in :func:`matrix_json`).
    """
    codes: dict[str, list[str]] = defaultdict(list)
    for a in sorted(assessments.passages.values(), key=_order):
        g = assessments.credibility.get(a.id)
        if g is not None:
            codes[f"Credibility/{g.credibility}"].append(a.id)
        d = assessments.reliability.get(a.document)
        if d is not None:
            codes[f"Reliability/{d.reliability}"].append(a.id)
        if a.id in assessments.hypotheses:
            codes["Hypothesis"].append(a.id)
    m = build(assessments)
    for rank, h in enumerate(m.hypotheses, 1):
        for e in m.evidence:
            r = m.rating(e.id, h.id)
            if r is not None:
                codes[f"ACH/{r}/H{rank}"].append(e.id)
    return dict(codes)


def qdpx_notes(assessments: Assessments) -> list[tuple[str, str]]:
    """Return the rationales as QDPX notes: ``(annotation id or document fingerprint, plain text)``.

    A passage's note reads ``Credibility 2 (probably true): <rationale>``; a document's ``Reliability B
    (usually reliable): <rationale>``. Grades without a rationale give no note (their code says it all).
    """
    notes = [
        (fp, f"Reliability {g.reliability} ({RELIABILITY_LABELS[g.reliability]}): {g.rationale}")
        for fp, g in sorted(assessments.reliability.items())
        if g.rationale
    ]
    for a in sorted(assessments.passages.values(), key=_order):
        p = assessments.credibility.get(a.id)
        if p is not None and p.rationale:
            notes.append((a.id, f"Credibility {p.credibility} ({CREDIBILITY_LABELS[p.credibility]}): {p.rationale}"))
    return notes


# -- weak points ---------------------------------------------------------------------------------------


def ungraded_evidence(
    annotations: Iterable[model.Annotation], assessments: Assessments
) -> tuple[model.Annotation, ...]:
    """Evidence passages without a full Admiralty grade (their document's reliability and their credibility)."""
    return tuple(
        a
        for a in annotations
        if a.tag == EVIDENCE and (a.id not in assessments.credibility or a.document not in assessments.reliability)
    )


def leading_on_low_credibility(
    annotations: Iterable[model.Annotation], assessments: Assessments
) -> tuple[model.Annotation, ...]:
    """Leading hypotheses (least inconsistent in the file's matrix, once anything is rated) whose consistent
    evidence (rated C or CC) is all of low or no credibility: none of it is graded 1-3."""
    m = build(assessments)
    if not m.cells or not m.hypotheses:
        return ()
    best = min(m.inconsistency.values())
    weak = set()
    for h in m.hypotheses:
        if m.inconsistency[h.id] != best:
            continue
        support = [e.id for e in m.evidence if m.rating(e.id, h.id) in ("C", "CC")]
        if support and all(m.credibility.get(e) in LOW_CREDIBILITY or e not in m.credibility for e in support):
            weak.add(h.id)
    return tuple(a for a in annotations if a.id in weak)


def single_source_claims(
    annotations: Iterable[model.Annotation], links: Iterable[model.Link], assessments: Assessments
) -> tuple[model.Annotation, ...]:
    """Claims whose support (evidence linked with ``supports``, and evidence rated C or CC against them as
    hypotheses) all comes from one document: a single source."""
    anns = list(annotations)
    by_id = {a.id: a for a in anns}
    sources: dict[str, set[str]] = defaultdict(set)
    for link in links:
        src = by_id.get(link.source) or assessments.passages.get(link.source)
        if link.relation == "supports" and src is not None and src.tag == EVIDENCE:
            sources[link.target].add(src.document)
    for (e, h), r in assessments.ratings.items():
        if r.rating in ("C", "CC") and h in assessments.hypotheses and e in assessments.passages:
            sources[h].add(assessments.passages[e].document)
    return tuple(a for a in anns if a.tag == CLAIM and len(sources.get(a.id, ())) == 1)


# -- agreement between colleagues: ordinal Krippendorff's alpha --------------------------------------------


def ordinal_alpha(units: Iterable[Sequence[object | None]], order: Sequence[object]) -> float | None:
    """Krippendorff's alpha with the ordinal metric (Krippendorff 2011, "Computing Krippendorff's alpha").

    Args:
        units: each unit's values, one per coder, None where a coder gave none.
        order: the values from lowest to highest.

    Returns:
        Alpha; None when no unit has two values, or every value is the same (no expected disagreement).
    """
    rank = {v: i for i, v in enumerate(order)}
    k = len(order)
    coincidence = [[0.0] * k for _ in range(k)]
    for unit in units:
        values = [rank[v] for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        for a, b in itertools.permutations(values, 2):
            coincidence[a][b] += 1 / (m - 1)
    totals = [sum(row) for row in coincidence]
    n = sum(totals)
    if n == 0:
        return None

    def delta(c: int, d: int) -> float:
        low, high = min(c, d), max(c, d)
        return (sum(totals[low : high + 1]) - (totals[c] + totals[d]) / 2) ** 2

    observed = sum(coincidence[c][d] * delta(c, d) for c in range(k) for d in range(k))
    expected = sum(totals[c] * totals[d] * delta(c, d) for c in range(k) for d in range(k))
    if expected == 0:
        return None
    return 1 - (n - 1) * observed / expected


Span = tuple[str, int, int]
"""A passage's place, the same in every colleague's file: (document fingerprint, start, end)."""


def _span(a: model.Annotation) -> Span:
    return (a.document, a.start, a.end)


@dataclass(frozen=True)
class Coded:
    """One analyst's assessments keyed by passage place, so that colleagues' files can be compared."""

    label: str
    reliability: dict[str, str]
    credibility: dict[Span, int]
    ratings: dict[tuple[Span, Span], str]
    quotes: dict[Span, str]


def coded(label: str, assessments: Assessments, document: str | None = None) -> Coded:
    """Key an analyst's grades and ratings by the place of their passages (a document's fingerprint)."""
    p = assessments.passages

    def keep(fp: str) -> bool:
        return document is None or fp == document

    return Coded(
        label=label,
        reliability={fp: g.reliability for fp, g in assessments.reliability.items() if keep(fp)},
        credibility={
            _span(p[i]): g.credibility for i, g in assessments.credibility.items() if i in p and keep(p[i].document)
        },
        ratings={
            (_span(p[e]), _span(p[h])): r.rating
            for (e, h), r in assessments.ratings.items()
            if e in p and h in p and h in assessments.hypotheses and keep(p[e].document) and keep(p[h].document)
        },
        quotes={_span(a): a.quote for a in p.values()},
    )


def _agreement(
    coders: Sequence[Coded], values: Sequence[Mapping[Any, object]], order: Sequence[object]
) -> dict[str, Any]:
    units = sorted({u for v in values for u in v}, key=str)
    table = [[v.get(u) for v in values] for u in units]
    alpha = ordinal_alpha(table, order)
    return {
        "alpha": None if alpha is None else round(alpha, 6),
        "units": len(units),
        "units_coded_by_two_or_more": sum(1 for row in table if sum(x is not None for x in row) >= 2),
        "disagreements": [
            (unit, {c.label: v for c, v in zip(coders, row, strict=True) if v is not None})
            for unit, row in zip(units, table, strict=True)
            if len({v for v in row if v is not None}) > 1
        ],
    }


def agreement(coders: Sequence[Coded]) -> dict[str, Any]:
    """Compare analysts' ratings and grades with ordinal Krippendorff's alpha; list the cells they disagree on.

    Cells and passages are matched across files by the place of their passages (document, start, end):
    a passage placed differently in two files is a different unit.

    Returns:
        ``{"ratings": ..., "credibility": ..., "reliability": ...}``, each with ``alpha`` (None when
        undefined), ``units``, ``units_coded_by_two_or_more`` and ``disagreements`` (each with the
        passages' quotes and every analyst's value).
    """
    quotes: dict[Span, str] = {}
    for c in coders:
        quotes.update(c.quotes)

    def where(span: Span) -> dict[str, Any]:
        return {"document": span[0], "start": span[1], "end": span[2], "quote": quotes.get(span, "")}

    ratings = _agreement(coders, [c.ratings for c in coders], model.ACH_RATINGS)
    ratings["disagreements"] = [
        {"evidence": where(e), "hypothesis": where(h), "values": v} for (e, h), v in ratings["disagreements"]
    ]
    credibility = _agreement(coders, [c.credibility for c in coders], model.CREDIBILITY_GRADES)
    credibility["disagreements"] = [{"passage": where(s), "values": v} for s, v in credibility["disagreements"]]
    reliability = _agreement(coders, [c.reliability for c in coders], model.RELIABILITY_GRADES)
    reliability["disagreements"] = [{"document": fp, "values": v} for fp, v in reliability["disagreements"]]
    return {"ratings": ratings, "credibility": credibility, "reliability": reliability}


def compare_files(
    mine: untrusted.ColleagueFile, theirs: Sequence[untrusted.ColleagueFile], document: str | None = None
) -> dict[str, Any]:
    """Read every file's assessments (with the untrusted checks) and compare them (:func:`agreement`).

    Raises:
        UntrustedFileError: a file's assessments hold values Warrant never writes.
    """
    fingerprint = None
    if document is not None:
        match = [d for d in mine.documents if document in (d.fingerprint, d.title)]
        fingerprint = match[0].fingerprint if match else document
    coders = []
    labels: Counter[str] = Counter()
    for f in (mine, *theirs):
        grades, passages, flags, ratings = f.assessments
        label = f.annotator or f.path
        labels[label] += 1
        if labels[label] > 1:
            label = f"{label} ({labels[label]})"
        coders.append(coded(label, from_rows(f.annotations, grades, passages, flags, ratings), fingerprint))
    return agreement(coders)


def agreement_text(data: Mapping[str, Any]) -> str:
    """Return :func:`agreement`'s result for a terminal (nothing when no file holds a grade or rating)."""
    if not any(data[key]["units"] for key in ("ratings", "credibility", "reliability")):
        return ""
    out = ["Assessment agreement (ordinal Krippendorff's alpha)"]
    for key, title in (("ratings", "ACH ratings"), ("credibility", "Credibility"), ("reliability", "Reliability")):
        part = data[key]
        alpha = "n/a" if part["alpha"] is None else f"{part['alpha']:.3f}"
        out.append(f"  {title}: alpha {alpha} over {part['units_coded_by_two_or_more']} shared of {part['units']}")
    for d in data["ratings"]["disagreements"]:
        values = ", ".join(f"{textutil.one_line(k)} {v}" for k, v in d["values"].items())
        out.append(
            f"    \u201c{textutil.shorten(d['evidence']['quote'], 40)}\u201d vs "
            f"\u201c{textutil.shorten(d['hypothesis']['quote'], 40)}\u201d: {values}"
        )
    return "\n".join(out) + "\n"
