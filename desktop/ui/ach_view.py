"""The ACH view (issue 17): evidence rows against hypothesis columns, rated by key, scores kept up to date.

:class:`AchModel` is a table model over :mod:`desktop.core.assessment`'s matrix: column 0 is the evidence
passage (its quote and Admiralty grade, e.g. ``B2``), column 1 its diagnosticity (``non-diagnostic`` when
the row rates every hypothesis alike), then one column per hypothesis, least inconsistent first, headed
``H1``, ``H2`` ... :class:`RankingModel`, shown above the matrix, lists the hypotheses in the same order with
Heuer's inconsistency count beside the credibility-weighted one. The model never edits: an
edit is an :class:`~desktop.core.assessment.Edit` handed to the ``apply`` callable (the window's undo
stack runs it), and the model follows what changed through :meth:`AchModel.refresh` (a rating re-reads
one row and moves columns only when the ranking changes).

:class:`AchView` shows it in a sortable :class:`QTableView` (sort rows by diagnosticity by clicking its
header; rows stay put while the analyst rates, as in a spreadsheet, until sorted again) and emits
:attr:`AchView.passage_activated` with the evidence passage's id when a row is
clicked or activated. Keys on a hypothesis cell: ``C`` rates C (CC when the cell already holds C),
``I`` rates I (II when it holds I), ``N`` rates N, Delete or Backspace clears it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from desktop.core import assessment, errors, model, store
from desktop.core import textutil as core_text

log = logging.getLogger(__name__)

ANNOTATION_ID_ROLE = Qt.ItemDataRole.UserRole + 1
"""On every cell: the row's evidence id. On a row of the ranking: the hypothesis's id."""
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
"""What rows sort by: the quote's document order, the diagnosticity (float), a cell's consistency score."""
DIAGNOSTIC_ROLE = Qt.ItemDataRole.UserRole + 3
"""On every cell: whether the row is diagnostic (bool)."""
INCONSISTENCY_ROLE = Qt.ItemDataRole.UserRole + 4
"""On a row of the ranking: the hypothesis's inconsistency count (int)."""
RATING_ROLE = Qt.ItemDataRole.UserRole + 5
"""On a hypothesis cell: the rating (``CC`` ... ``II``) or None."""

EVIDENCE_COLUMN = 0
DIAGNOSTICITY_COLUMN = 1
FIRST_HYPOTHESIS = 2
QUOTE_CHARS = 120

Index = QModelIndex | QPersistentModelIndex
Apply = Callable[[assessment.Edit], None]

_RATING_COLOURS = {"CC": "#2e7d32", "C": "#81c784", "N": "#9e9e9e", "I": "#e57373", "II": "#c62828", "grey": "#808080"}
_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.TextAlignmentRole,
        ANNOTATION_ID_ROLE,
        SORT_ROLE,
        DIAGNOSTIC_ROLE,
        RATING_ROLE,
    }
)
_cache: dict[str, Any] = {}


def _colour(name: str) -> QColor:
    found = _cache.get(name)
    if found is None:
        found = _cache[name] = QColor(_RATING_COLOURS[name])
    return found


def _italic() -> QFont:
    found = _cache.get("italic")
    if found is None:
        found = _cache["italic"] = QFont()
        found.setItalic(True)
    return found


_KEYS = frozenset({Qt.Key.Key_C, Qt.Key.Key_I, Qt.Key.Key_N, Qt.Key.Key_Delete, Qt.Key.Key_Backspace})
_NEXT = {"C": {"C": "CC"}, "I": {"I": "II"}, "N": {}}
"""Typing a letter on a cell: the rating it gives, by what the cell holds (else the letter itself)."""


class AchModel(QAbstractTableModel):
    """The matrix of one file (or of one document), kept current by :meth:`refresh`.

    Hypothesis columns are in rank order, least inconsistent first (ties in the order flagged). When a
    rating changes the ranking, the columns between the hypothesis's old and new places show other
    hypotheses: that is a ``dataChanged`` of those columns only (a swap of neighbours repaints two columns,
    not the table), and :attr:`columns_moved` tells the view, which keeps its cursor on the same hypothesis.
    """

    columns_moved = Signal()
    """The ranking changed: some columns now show other hypotheses (their cells were reported changed)."""

    def __init__(self, source: store.Store, document: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = source
        self._document = document
        self._assessed = assessment.Assessments()
        self._evidence: list[model.Annotation] = []
        self._row_of: dict[str, int] = {}
        self._hypotheses: list[model.Annotation] = []  # the columns, ranked
        self._flag_order: dict[str, int] = {}  # the ranking's tie-break
        self._flag_rows: list[str] = []  # every hypothesis row of the file (of deleted passages too)
        self._cells: dict[tuple[str, str], str] = {}
        self._counts: dict[str, int] = {}
        self._weighted: dict[str, float] = {}
        self._diag: dict[str, float] = {}
        self._credibility: dict[str, int] = {}
        self._reliability: dict[str, str] = {}
        self.ranking_model = RankingModel(self)
        self._load()

    # -- loading -------------------------------------------------------------------------------------

    def _load(self) -> None:
        self._assessed = assessment.load(self._store)
        self._flag_rows = [h.annotation for h in self._store.hypotheses()]
        m = assessment.build(self._assessed, document=self._document)
        self._evidence = list(m.evidence)
        self._row_of = {e.id: i for i, e in enumerate(self._evidence)}
        self._hypotheses = list(m.hypotheses)
        self._flag_order = {h: i for i, h in enumerate(self._assessed.hypotheses)}
        self._cells = dict(m.cells)
        self._counts = dict(m.inconsistency)
        self._weighted = dict(m.weighted)
        self._diag = dict(m.diagnosticity)
        self._credibility = dict(m.credibility)
        self._reliability = {fp: g.reliability for fp, g in self._assessed.reliability.items()}

    def reload(self) -> None:
        """Re-read everything (after edits that add or remove passages or hypotheses)."""
        self.beginResetModel()
        self.ranking_model.beginResetModel()
        self._load()
        self.ranking_model.endResetModel()
        self.endResetModel()

    def set_document(self, document: str | None) -> None:
        """Show one document's matrix (None: the whole file's)."""
        self._document = document
        self.reload()

    # -- what changed ---------------------------------------------------------------------------------

    def refresh(self, changes: model.Changes) -> None:
        """Follow an edit: re-read only the rows, grades and columns ``changes`` names.

        Passages added, removed or retagged, documents and tags changed, or a hypothesis flagged or
        unflagged reset the model; a rating or grade repaints its cells, the row's diagnosticity and the
        column's header, and, when the ranking changed, the columns whose hypothesis changed.
        """
        if changes.added or changes.removed or changes.changed or changes.tags or changes.documents:
            self.reload()
            return
        if not changes.assessments:
            return
        if [h.annotation for h in self._store.hypotheses()] != self._flag_rows:
            self.reload()
            return
        ids = set(changes.assessments)
        rows = [e for e in self._evidence if e.id in ids or e.document in ids]
        if not rows:
            return
        row_ids = [e.id for e in rows]
        grades = {g.annotation: g.credibility for g in self._store.passage_grades(row_ids)}
        if ids & {e.document for e in rows}:
            self._reliability = {g.document: g.reliability for g in self._store.document_grades()}
        fresh = {(r.evidence, r.hypothesis): r.rating for r in self._store.ach_ratings(row_ids)}
        columns = {h.id for h in self._hypotheses}
        touched: set[str] = set()
        cells: list[tuple[str, str]] = []
        for e in row_ids:
            for h in columns:
                old, new = self._cells.get((e, h)), fresh.get((e, h))
                if old != new:
                    touched.add(h)
                    cells.append((e, h))
                    if new is None:
                        del self._cells[(e, h)]
                    else:
                        self._cells[(e, h)] = new
            if grades.get(e) != self._credibility.get(e):
                touched.update(h for h in columns if (e, h) in self._cells)
                cells.append((e, ""))  # the grade beside the quote
                if e in grades:
                    self._credibility[e] = grades[e]
                else:
                    self._credibility.pop(e, None)
        for h in touched:
            column = [(self._cells.get((e.id, h)), self._credibility.get(e.id)) for e in self._evidence]
            self._counts[h] = assessment.inconsistency(r for r, _ in column)
            self._weighted[h] = assessment.weighted_inconsistency(column)
        for e in row_ids:
            self._diag[e] = assessment.diagnosticity([self._cells.get((e, h.id)) for h in self._hypotheses])
        moved = self._rerank()
        column_of = {h.id: FIRST_HYPOTHESIS + i for i, h in enumerate(self._hypotheses)}
        for e in row_ids:  # every row's diagnosticity, and any grade, beside the quote
            row = self._row_of[e]
            first = EVIDENCE_COLUMN if any(c == (e, "") for c in cells) else DIAGNOSTICITY_COLUMN
            self.dataChanged.emit(self.index(row, first), self.index(row, DIAGNOSTICITY_COLUMN))
        for e, h in cells:
            if h and (moved is None or not moved[0] <= column_of[h] <= moved[1]):
                index = self.index(self._row_of[e], column_of[h])
                self.dataChanged.emit(index, index)
        if moved is not None:
            self.dataChanged.emit(self.index(0, moved[0]), self.index(self.rowCount() - 1, moved[1]))
            self.ranking_model.changed(moved[0] - FIRST_HYPOTHESIS, moved[1] - FIRST_HYPOTHESIS)
            self.columns_moved.emit()
        for h in touched:
            if moved is None or not moved[0] <= column_of[h] <= moved[1]:
                self.ranking_model.changed(column_of[h] - FIRST_HYPOTHESIS, column_of[h] - FIRST_HYPOTHESIS)

    def _rerank(self) -> tuple[int, int] | None:
        """Rank the hypotheses again; return the first and last columns whose hypothesis changed, if any."""
        ranked = sorted(self._hypotheses, key=lambda h: (self._counts[h.id], self._flag_order.get(h.id, 0)))
        changed = [i for i, (a, b) in enumerate(zip(ranked, self._hypotheses, strict=True)) if a.id != b.id]
        self._hypotheses = ranked
        if not changed:
            return None
        return FIRST_HYPOTHESIS + changed[0], FIRST_HYPOTHESIS + changed[-1]

    # -- reading ------------------------------------------------------------------------------------------

    def evidence_id(self, row: int) -> str:
        """Return the evidence passage's id on ``row``."""
        return self._evidence[row].id

    def hypothesis_id(self, column: int) -> str | None:
        """Return the hypothesis's id in ``column``, or None for the first two columns."""
        i = column - FIRST_HYPOTHESIS
        return self._hypotheses[i].id if 0 <= i < len(self._hypotheses) else None

    def rating(self, evidence: str, hypothesis: str) -> str | None:
        """Return one cell's rating, or None."""
        return self._cells.get((evidence, hypothesis))

    def ranking(self) -> list[tuple[str, int, float]]:
        """Return ``(hypothesis id, inconsistency, weighted)`` in column order, least inconsistent first."""
        return [(h.id, self._counts[h.id], self._weighted[h.id]) for h in self._hypotheses]

    def ranked(self, rank: int) -> tuple[str, int, float]:
        """Return ``(hypothesis id, inconsistency, weighted)`` of the hypothesis ranked ``rank`` (0-based)."""
        h = self._hypotheses[rank].id
        return h, self._counts[h], self._weighted[h]

    def quote(self, hypothesis: str) -> str:
        """Return a hypothesis's quote."""
        return next((h.quote for h in self._hypotheses if h.id == hypothesis), "")

    def column_of(self, hypothesis: str) -> int | None:
        """Return the column showing ``hypothesis``, or None."""
        for i, h in enumerate(self._hypotheses):
            if h.id == hypothesis:
                return FIRST_HYPOTHESIS + i
        return None

    def grade_label(self, annotation: model.Annotation) -> str:
        """The passage's Admiralty grade as the pane should show it, e.g. ``B2``."""
        reliability = self._reliability.get(annotation.document)
        credibility = self._credibility.get(annotation.id)
        if reliability is None and credibility is None:
            return ""
        return (reliability or "?") + (str(credibility) if credibility is not None else "?")

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._evidence)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else FIRST_HYPOTHESIS + len(self._hypotheses)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES or not index.isValid():
            return None  # the delegate asks for many roles at every paint: answer the others at once
        row, column = index.row(), index.column()
        if row >= len(self._evidence) or column >= FIRST_HYPOTHESIS + len(self._hypotheses):
            return None
        e = self._evidence[row]
        if role == ANNOTATION_ID_ROLE:
            return e.id
        diagnostic = self._diag.get(e.id, 0.0) > 0
        if role == DIAGNOSTIC_ROLE:
            return diagnostic
        if role == Qt.ItemDataRole.FontRole:
            return None if diagnostic else _italic()
        if column >= FIRST_HYPOTHESIS:
            rating = self._cells.get((e.id, self._hypotheses[column - FIRST_HYPOTHESIS].id))
            if role == Qt.ItemDataRole.DisplayRole:
                return rating or ""
            if role == RATING_ROLE:
                return rating
            if role == SORT_ROLE:
                return assessment.RATING_SCORES.get(rating or "N", 0)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return Qt.AlignmentFlag.AlignCenter
            if role == Qt.ItemDataRole.ForegroundRole:
                return _colour(rating) if rating is not None else None
            if role == Qt.ItemDataRole.ToolTipRole:
                return assessment.RATING_LABELS[rating] if rating else "not rated (counts as neutral)"
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return None if diagnostic else _colour("grey")
        if column == EVIDENCE_COLUMN:
            if role == Qt.ItemDataRole.DisplayRole:
                grade = self.grade_label(e)
                quote = core_text.shorten(e.quote, QUOTE_CHARS)
                return f"{grade}  {quote}" if grade else quote
            if role == Qt.ItemDataRole.ToolTipRole:
                return core_text.one_line(e.quote)
            if role == SORT_ROLE:
                return self._row_of[e.id]
            return None
        value = self._diag.get(e.id, 0.0)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{value:.2f}" if diagnostic else "non-diagnostic"
        if role == SORT_ROLE:
            return value
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                "Rates the hypotheses differently: it helps decide between them"
                if diagnostic
                else "Rates every hypothesis alike: it does not help decide between them"
            )
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._evidence):
                return str(section + 1)
            return None
        if section == EVIDENCE_COLUMN:
            return "Evidence" if role == Qt.ItemDataRole.DisplayRole else None
        if section == DIAGNOSTICITY_COLUMN:
            if role == Qt.ItemDataRole.DisplayRole:
                return "Diagnosticity"
            if role == Qt.ItemDataRole.ToolTipRole:
                return "How differently the row rates the hypotheses (0: not at all, 4: most)"
            return None
        i = section - FIRST_HYPOTHESIS
        if not 0 <= i < len(self._hypotheses):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"H{i + 1}"  # the rank: the same label whichever hypothesis holds the column
        if role == Qt.ItemDataRole.ToolTipRole:
            h = self._hypotheses[i]
            return (
                f"{core_text.one_line(h.quote)}\nInconsistency {self._counts[h.id]} "
                f"(weighted by credibility {self._weighted[h.id]:.2f}); least inconsistent first"
            )
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class RankingModel(QAbstractTableModel):
    """The hypotheses, least inconsistent first: rank, Heuer's count, the weighted count and the quote.

    The matrix's own header shows only ``H1``, ``H2`` ... (so a score never makes the table relayout);
    this small table beside it carries the scores, each changed cell reported on its own.
    """

    COLUMNS = ("Rank", "Inconsistency", "Weighted", "Hypothesis")

    def __init__(self, matrix: AchModel) -> None:
        super().__init__(matrix)
        self._matrix = matrix

    def changed(self, first: int, last: int) -> None:
        """Report that the hypotheses ranked ``first`` to ``last`` (0-based) changed."""
        if first == last:
            self.dataChanged.emit(self.index(first, 1), self.index(first, 2))
        else:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.COLUMNS) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._matrix.columnCount() - FIRST_HYPOTHESIS

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self.rowCount():
            return None
        hypothesis, count, weighted = self._matrix.ranked(index.row())
        if role == ANNOTATION_ID_ROLE:
            return hypothesis
        if role == INCONSISTENCY_ROLE:
            return count
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if column == 0:
                return f"H{index.row() + 1}"
            if column == 1:
                return str(count)
            if column == 2:
                return f"{weighted:.2f}"
            return core_text.shorten(self._matrix.quote(hypothesis), QUOTE_CHARS)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 3:
            return core_text.one_line(self._matrix.quote(hypothesis))
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 4:
            return self.COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class _Table(QTableView):
    """The table; rating keys go to :meth:`AchView.key_rating`."""

    def __init__(self, owner: AchView) -> None:
        super().__init__(owner)
        self._owner = owner

    def dataChanged(
        self,
        topLeft: QModelIndex | QPersistentModelIndex,
        bottomRight: QModelIndex | QPersistentModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        """Repaint only the strip of columns a change over many rows covers (the columns a re-ranking filled
        with other hypotheses); Qt repaints the whole table for a range that is not all in view."""
        if topLeft.isValid() and bottomRight.isValid() and topLeft.row() != bottomRight.row():
            first, last = sorted((topLeft.column(), bottomRight.column()))
            left = min(self.columnViewportPosition(c) for c in range(first, last + 1))
            right = max(self.columnViewportPosition(c) + self.columnWidth(c) for c in range(first, last + 1))
            self.viewport().update(QRect(left, 0, right - left, self.viewport().height()))
            return
        super().dataChanged(topLeft, bottomRight, roles)

    def event(self, event: QEvent) -> bool:
        # The window's single-key shortcuts (N writes a note, Del deletes) must not take a rating key
        # pressed on a hypothesis cell: claiming the shortcut override delivers it here as a key press.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self._owner.is_rating_key(event)
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._owner.key_rating(event):
            event.accept()
            return
        super().keyPressEvent(event)


class AchView(QWidget):
    """The ACH tab: the matrix, rows sortable by diagnosticity, rated by key.

    Args:
        source: the open annotation file (read only here).
        apply: runs an edit (the window pushes it on its undo stack, which saves it at once and then
            calls :meth:`refresh` with its changes, as for every view).
        document: only this document's matrix (None: the whole file's).
    """

    passage_activated = Signal(str)
    """The evidence passage's id, when its row is clicked or activated: show it in the reader."""
    failed = Signal(str)
    """A message for the user when an edit cannot be made (the window shows it in a dialog)."""

    def __init__(
        self, source: store.Store, apply: Apply, document: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._store = source
        self._apply = apply
        self.model = AchModel(source, document, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        # Rows stay where they are while the analyst rates (as in a spreadsheet); sorting again (a click
        # on a header, or sort_by_diagnosticity) puts them in order with their new scores.
        self.proxy.setDynamicSortFilter(False)
        self.table = _Table(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(EVIDENCE_COLUMN, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        # Rows are fixed-height and unnumbered: a header over 500 rows would be asked for every row's size
        # whenever a column's score changes.
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setSectionResizeMode(EVIDENCE_COLUMN, QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setDefaultSectionSize(90)
        self.table.setColumnWidth(EVIDENCE_COLUMN, 360)
        self._cursor: tuple[str, str] | None = None  # (evidence, hypothesis) under the cursor, while an edit runs
        self.model.columns_moved.connect(self._follow_cursor)
        self.table.clicked.connect(self._activated)
        self.table.activated.connect(self._activated)
        self.ranking = QTableView(self)
        self.ranking.setModel(self.model.ranking_model)
        self.ranking.verticalHeader().setVisible(False)
        self.ranking.horizontalHeader().setStretchLastSection(True)
        self.ranking.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.ranking.setMaximumHeight(160)
        self.ranking.clicked.connect(self._hypothesis_activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.ranking)
        layout.addWidget(self.table, 1)

    def _follow_cursor(self) -> None:
        """Keep the cursor on the same hypothesis when the ranking moved it to another column."""
        if self._cursor is None:
            return
        current = self.proxy.mapToSource(self.table.currentIndex())
        column = self.model.column_of(self._cursor[1])
        if current.isValid() and column is not None and column != current.column():
            # Without scrolling: a column that moved out of sight should not scroll (and repaint) the table.
            self.table.setAutoScroll(False)
            try:
                self.table.setCurrentIndex(self.proxy.mapFromSource(self.model.index(current.row(), column)))
            finally:
                self.table.setAutoScroll(True)

    def refresh(self, changes: model.Changes) -> None:
        """Follow what an edit changed (called by the window for every edit, as for the other views)."""
        current = self.proxy.mapToSource(self.table.currentIndex())
        hypothesis = self.model.hypothesis_id(current.column()) if current.isValid() else None
        self._cursor = None if hypothesis is None else (self.model.evidence_id(current.row()), hypothesis)
        try:
            self.model.refresh(changes)
        finally:
            self._cursor = None

    def sort_by_diagnosticity(self, descending: bool = True) -> None:
        """Sort the rows, most diagnostic first (or last)."""
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        self.table.sortByColumn(DIAGNOSTICITY_COLUMN, order)

    def _hypothesis_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.passage_activated.emit(index.data(ANNOTATION_ID_ROLE))

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.passage_activated.emit(self.proxy.data(index, ANNOTATION_ID_ROLE))

    def rate(self, row: int, column: int, rating: str | None) -> None:
        """Rate (or clear) the cell at ``row``, ``column`` of the source model through ``apply``."""
        hypothesis = self.model.hypothesis_id(column)
        if hypothesis is None:
            return
        evidence = self.model.evidence_id(row)
        try:
            edit = assessment.rating_edit(self._store, evidence, hypothesis, rating)
        except errors.WarrantError as exc:
            self.failed.emit(str(exc))
            return
        self._apply(edit)

    def is_rating_key(self, event: QKeyEvent) -> bool:
        """Whether ``event`` is a rating key (C, I, N, Delete, Backspace) pressed on a hypothesis cell."""
        if event.modifiers() & ~(Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier):
            return False
        if event.key() not in _KEYS:
            return False
        current = self.proxy.mapToSource(self.table.currentIndex())
        return current.isValid() and self.model.hypothesis_id(current.column()) is not None

    def key_rating(self, event: QKeyEvent) -> bool:
        """Rate the current cell from a key (see the module docstring); False when the key is not a rating key."""
        if event.modifiers() & ~(Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier):
            return False
        key = event.key()
        letters = {Qt.Key.Key_C: "C", Qt.Key.Key_I: "I", Qt.Key.Key_N: "N"}
        clear = key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
        if key not in letters and not clear:
            return False
        current = self.proxy.mapToSource(self.table.currentIndex())
        if not current.isValid() or self.model.hypothesis_id(current.column()) is None:
            return False
        hypothesis = self.model.hypothesis_id(current.column())
        assert hypothesis is not None
        if clear:
            self.rate(current.row(), current.column(), None)
            return True
        letter = letters[Qt.Key(key)]
        held = self.model.rating(self.model.evidence_id(current.row()), hypothesis)
        self.rate(current.row(), current.column(), _NEXT[letter].get(held or "", letter))
        return True
