"""File > Import in the window (issue 13): W3C / Hypothesis JSON, REFI-QDA projects and codebooks, brat standoff.

:func:`prepare` reads a file by its suffix and works out what importing it adds, writing nothing; the editor
then applies the plan as ONE undoable command (:func:`desktop.core.operations.import_plan` through the session)
and shows the report: what was placed, what was not, and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.core import errors, model, operations, store, textutil
from desktop.core.exchange import brat, qdc, qdpx, w3c

FILE_FILTER = (
    "Everything Warrant imports (*.json *.jsonld *.jsonl *.qdpx *.qde *.qdc *.ann);;"
    "W3C or Hypothesis annotations (*.json *.jsonld *.jsonl);;"
    "REFI-QDA projects: NVivo, MAXQDA, ATLAS.ti, QualCoder (*.qdpx *.qde);;"
    "REFI-QDA codebooks (*.qdc);;"
    "brat standoff (*.ann);;"
    "All files (*)"
)
QDPX_SUFFIXES = (".qdpx", ".qde")


@dataclass
class Prepared:
    """An import read and placed, not yet written: its plan and the report's lines."""

    plan: operations.ImportPlan
    placed: int
    """Passages the plan adds."""
    lines: list[str] = field(default_factory=list)
    """What will be placed, what not and why (the first line sums it up)."""
    unplaced: int = 0
    assessments: ImportAssessments | None = None
    """W3C only (issue 17): the grades, hypothesis flags and ACH ratings it carries, applied after the passages."""
    noted: bool = False
    """Whether the report says how something was read (offsets counted in UTF-16, codes flattened ...)."""

    @property
    def worth_a_dialog(self) -> bool:
        """Whether the report goes in a dialog: something was not placed, nothing was, or it says how it read
        the file; otherwise its first line in the status bar says it all."""
        return bool(self.unplaced or self.placed == 0 or self.noted)

    @property
    def empty(self) -> bool:
        """Whether the plan adds nothing at all."""
        p = self.plan
        return not (p.annotations or p.links or p.tags or p.documents or self.assessments)


def prepare(target: store.Store, path: str, shown: model.Document | None = None) -> Prepared:
    """Read ``path`` (by its suffix) and work out what importing it into ``target`` adds; nothing is written.

    Args:
        target: the open annotation file.
        path: a ``.json``/``.jsonld``/``.jsonl`` (W3C or Hypothesis), ``.qdpx``/``.qde``, ``.qdc`` or ``.ann``.
        shown: the document in view: a brat file without its ``.txt`` beside it counts its offsets in it.

    Raises:
        WarrantError: the file cannot be read or is not of its kind (the message says why); nothing written.
    """
    suffix = Path(path).suffix.lower()
    if suffix in QDPX_SUFFIXES:
        return _qda(target, qdpx.read_project(path, target))
    if suffix == ".qdc":
        return _qda(target, qdc.read_file(target, path))
    if suffix == ".ann":
        return _qda(target, brat.read_file(target, path, shown=shown))
    return _w3c(target, path)


def _qda(target: store.Store, found: qdpx.QdaImport) -> Prepared:
    plan, report = qdpx.plan(target, found)
    return Prepared(plan, len(plan.annotations), report.lines(), len(report.unplaced), noted=bool(report.notes))


def _w3c(target: store.Store, path: str) -> Prepared:
    parsed = w3c.read_file(path)
    plan, report = w3c.prepare(target, parsed)
    found = parsed.assessed
    carried = found.credibility or found.hypotheses or found.ratings or found.reliability
    lines = [
        f"imported {len(plan.annotations)}, already present {report.skipped_duplicates}, "
        f"not placed {len(report.orphans)}, links {len(plan.links)}"
        + (f" (skipped {len(report.links_skipped)})" if report.links_skipped else "")
    ]
    if report.tags_added:
        lines.append("tags added: " + ", ".join(textutil.shorten(t, 60) for t in report.tags_added))
    for ident, quote, why in report.orphans:
        lines.append(
            f"  not placed {textutil.shorten(ident, 40)}: \u201c{textutil.shorten(quote, 60)}\u201d "
            f"({textutil.one_line(why)})"
        )
    for ident, why in report.links_skipped:
        lines.append(f"  link {textutil.shorten(ident, 40)} skipped: {textutil.one_line(why)}")
    edit = ImportAssessments(parsed, frozenset(d.fingerprint for d in plan.documents)) if carried else None
    return Prepared(plan, len(plan.annotations), lines, len(report.orphans), assessments=edit)


class ImportAssessments:
    """The grades, flags and ratings of a W3C import as an :class:`~desktop.core.assessment.Edit` (issue 17):
    ``do`` adds those not there yet (:func:`desktop.core.exchange.w3c.import_assessments`), ``undo`` removes
    exactly what it added, a redo adds the same rows again."""

    text = "Import grades and ratings"

    def __init__(self, parsed: w3c.Parsed, added: frozenset[str]) -> None:
        self.parsed, self.added = parsed, added
        self.count = 0
        self.skipped: list[tuple[str, str]] = []
        self.rows: (
            tuple[list[model.DocumentGrade], list[model.PassageGrade], list[model.Hypothesis], list[model.AchRating]]
            | None
        ) = None

    @staticmethod
    def _present(source: store.Store) -> tuple[set[str], set[str], set[str], set[tuple[str, str]]]:
        return (
            {g.document for g in source.document_grades()},
            {g.annotation for g in source.passage_grades()},
            {h.annotation for h in source.hypotheses()},
            {(r.evidence, r.hypothesis) for r in source.ach_ratings()},
        )

    def _changes(self) -> model.Changes:
        assert self.rows is not None
        grades, passages, flags, ratings = self.rows
        ids = [g.document for g in grades] + [g.annotation for g in passages] + [h.annotation for h in flags]
        ids += [i for r in ratings for i in (r.evidence, r.hypothesis)]
        return model.Changes(assessments=tuple(dict.fromkeys(ids)))

    def do(self, source: store.Store) -> model.Changes:
        if self.rows is not None:  # a redo: the same rows again
            source.insert_assessments(*self.rows)
            return self._changes()
        before = self._present(source)
        with source.atomic():
            self.count, self.skipped = w3c.import_assessments(source, self.parsed, self.added)
        self.rows = (
            [g for g in source.document_grades() if g.document not in before[0]],
            [g for g in source.passage_grades() if g.annotation not in before[1]],
            [h for h in source.hypotheses() if h.annotation not in before[2]],
            [r for r in source.ach_ratings() if (r.evidence, r.hypothesis) not in before[3]],
        )
        return self._changes()

    def undo(self, source: store.Store) -> model.Changes:
        assert self.rows is not None
        grades, passages, flags, ratings = self.rows
        with source.atomic():
            for r in ratings:
                source.set_ach_rating(r.evidence, r.hypothesis, None)
            for h in flags:
                source.set_hypothesis(h.annotation, None)
            for p in passages:
                source.set_passage_grade(p.annotation, None)
            for g in grades:
                source.set_document_grade(g.document, None)
        return self._changes()


MAX_REPORT_LINES = 60


def show_report(parent: QWidget, path: str, lines: list[str]) -> None:
    """Show an import's report in a dialog of plain text. Tests replace this function."""
    shown = lines[:MAX_REPORT_LINES]
    if len(lines) > MAX_REPORT_LINES:
        shown.append(f"... and {len(lines) - MAX_REPORT_LINES} more lines")
    title = QCoreApplication.translate("Import", "Import of %s") % errors.shown(Path(path).name)
    box = QMessageBox(QMessageBox.Icon.Information, title, "\n".join(shown), QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()
