"""Item models over the session's annotations: the pane's table and its filter proxy.

Rows are kept in document order. A new tag inserts one row (``beginInsertRows``) at its place,
found by bisect; nothing reloads the whole list except switching documents.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from desktop.core import model, textutil
from desktop.ui import links_view, plain, rowproxy

ID_ROLE = Qt.ItemDataRole.UserRole + 1
TAG_ROLE = Qt.ItemDataRole.UserRole + 2
START_ROLE = Qt.ItemDataRole.UserRole + 3
COLOUR_ROLE = Qt.ItemDataRole.UserRole + 4

COLUMNS = ("Tag", "Passage", "Links", "Note", "Author")
TAG, PASSAGE, LINKS, NOTE, AUTHOR = range(5)
PREVIEW_CHARS = 240

Index = QModelIndex | QPersistentModelIndex


def _key(a: model.Annotation) -> tuple[int, int, str, str]:
    return (a.start, a.end, a.created, a.id)


def one_line(text: str, limit: int = PREVIEW_CHARS) -> str:
    """Collapse white space, drop control and bidi-override characters, and cut long text, for a one-line cell."""
    flat = textutil.one_line(text[: limit * 2])
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class AnnotationModel(QAbstractTableModel):
    """The shown document's annotations, one row each, in document order."""

    def __init__(self, parent: QObject | None = None) -> None:
        """Make an empty model."""
        super().__init__(parent)
        self._rows: list[model.Annotation] = []
        self._keys: list[tuple[int, int, str, str]] = []
        self._tags = model.TagSet()
        self._tints: dict[str, QBrush] = {}
        self._lines: dict[tuple[str, int], str] = {}
        self.links = links_view.LinkIndex()
        """The shown document's links, for the Links column (kept up to date by the pane)."""
        self._answers: dict[int, Callable[[model.Annotation, int], Any]] = {
            Qt.ItemDataRole.DisplayRole: self._display,
            Qt.ItemDataRole.ToolTipRole: self._tooltip,
            Qt.ItemDataRole.DecorationRole: self._decoration,
            Qt.ItemDataRole.BackgroundRole: self._background,
            ID_ROLE: lambda a, _col: a.id,
            TAG_ROLE: lambda a, _col: a.tag,
            START_ROLE: lambda a, _col: a.start,
            COLOUR_ROLE: lambda a, _col: self._colour(a.tag),
        }

    # -- filling ------------------------------------------------------------------------------

    def reset(self, annotations: Iterable[model.Annotation], tags: Sequence[model.Tag]) -> None:
        """Replace all rows (used when a document is opened)."""
        self.beginResetModel()
        self._rows = sorted(annotations, key=_key)
        self._keys = [_key(a) for a in self._rows]
        self._tags = model.TagSet(tags)
        self._tints = {}
        self.endResetModel()

    def set_tags(self, tags: Sequence[model.Tag]) -> None:
        """Update tag labels and colours."""
        self._tags = model.TagSet(tags)
        self._tints = {}
        if self._rows:
            self.dataChanged.emit(self.index(0, TAG), self.index(len(self._rows) - 1, TAG))

    def insert(self, annotation: model.Annotation) -> int:
        """Insert one row at its place in document order; return the row."""
        key = _key(annotation)
        row = bisect.bisect_left(self._keys, key)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, annotation)
        self._keys.insert(row, key)
        self.endInsertRows()
        return row

    def row_of(self, annotation_id: str, hint: model.Annotation | None = None) -> int:
        """Return the row of an annotation, or -1."""
        if hint is not None:
            row = bisect.bisect_left(self._keys, _key(hint))
            if row < len(self._rows) and self._rows[row].id == annotation_id:
                return row
        for row, a in enumerate(self._rows):
            if a.id == annotation_id:
                return row
        return -1

    def remove(self, annotation: model.Annotation) -> None:
        """Remove one row."""
        row = self.row_of(annotation.id, annotation)
        if row < 0:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        del self._keys[row]
        self.endRemoveRows()

    def replace(self, annotation: model.Annotation) -> None:
        """Update one row in place (retag, note); its position does not change."""
        row = self.row_of(annotation.id, annotation)
        if row < 0:
            return
        self._rows[row] = annotation
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def links_changed(self, ids: Iterable[str], hints: Mapping[str, model.Annotation]) -> None:
        """The Links cells of these annotations changed (``hints``: the annotations, to find their rows fast)."""
        for annotation_id in ids:
            row = self.row_of(annotation_id, hints.get(annotation_id))
            if row >= 0:
                cell = self.index(row, LINKS)
                self.dataChanged.emit(cell, cell, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole])

    def annotation(self, row: int) -> model.Annotation:
        """Return the annotation shown in ``row``."""
        return self._rows[row]

    def annotations(self) -> list[model.Annotation]:
        """All rows' annotations, in order."""
        return list(self._rows)

    def rows(self) -> Sequence[model.Annotation]:
        """All rows' annotations, in order (the model's own list: read, never change)."""
        return self._rows

    # -- Qt's model interface -----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt override
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every painted cell (hundreds of times per repaint): the roles
        # this model does not serve are turned away by one dict lookup.
        answer = self._answers.get(role)
        if answer is None:
            return None
        row = index.row()
        if not 0 <= row < len(self._rows):
            return None
        return answer(self._rows[row], index.column())

    def _display(self, a: model.Annotation, col: int) -> Any:
        if col == TAG:
            return self._tags.get(a.tag).label
        if col == PASSAGE:
            return self._line(a.quote, PREVIEW_CHARS)
        if col == LINKS:
            return self.links.cell(a.id)
        if col == NOTE:
            return self._line(a.note, 120) if a.note else ""
        if col == AUTHOR:
            return a.author
        return None

    def _line(self, text: str, limit: int) -> str:
        """``one_line(text)``, remembered: the same rows are painted again on every change nearby."""
        key = (text, limit)
        line = self._lines.get(key)
        if line is None:
            if len(self._lines) > 4096:
                self._lines.clear()
            line = self._lines[key] = one_line(text, limit)
        return line

    def _tooltip(self, a: model.Annotation, col: int) -> Any:
        # Plain text only: a colleague's quote or note is never rendered as markup.
        if col == PASSAGE:
            return plain.tooltip(a.quote)
        if col == NOTE and a.note:
            return plain.tooltip(a.note)
        if col == LINKS:
            sentences = self.links.sentences(a.id)
            return plain.tooltip("\n".join(sentences)) if sentences else None
        return None

    def _decoration(self, a: model.Annotation, col: int) -> Any:
        return self._colour(a.tag) if col == TAG else None

    def _background(self, a: model.Annotation, col: int) -> Any:
        return self._tint(a.tag) if col == TAG else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def _colour(self, tag_name: str) -> QColor:
        return QColor(self._tags.get(tag_name).colour)

    def _tint(self, tag_name: str) -> QBrush:
        """The tag cell's background: the tag's colour, light enough for dark and light text alike."""
        brush = self._tints.get(tag_name)
        if brush is None:
            colour = self._colour(tag_name)
            colour.setAlpha(64)
            brush = self._tints[tag_name] = QBrush(colour)
        return brush


class AnnotationFilter(rowproxy.AcceptedRows):
    """Filters the pane by tag and by text in the quote or the note (issue 15: it maps only the rows it shows).

    A filter change judges every annotation in ONE Python pass (over pre-folded text) and maps the accepted
    rows; Qt never asks ``filterAcceptsRow`` row by row. Rows inserted, removed or retagged in the source are
    mapped one by one (never a reset). The source's order (document order) is kept: the pane does not sort.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        """Make a filter that accepts everything."""
        super().__init__(parent)
        self._tags: frozenset[str] | None = None
        self._needle = ""
        self._folded: dict[str, tuple[model.Annotation, str]] = {}

    def set_tags(self, tags: Iterable[str] | None) -> None:
        """Show only these tags (None: all)."""
        self._tags = None if tags is None else frozenset(tags)
        self.refilter()

    def set_search(self, text: str) -> None:
        """Show only annotations whose quote or note contains ``text`` (case-insensitive)."""
        self._needle = text.casefold().strip()
        self.refilter()

    def filtering(self) -> bool:
        """True when some rows may be hidden."""
        return self._tags is not None or bool(self._needle)

    def refilter(self) -> None:
        """Re-apply the filter to every row (after a filter change): one pass, one reset of the mapping."""
        self.set_filter(self._accepts_row if self.filtering() else None)

    def _all_rows(self) -> Sequence[int]:
        source = self.sourceModel()
        if not self.filtering() or not isinstance(source, AnnotationModel):
            return super()._all_rows()
        # accepts() inlined: one pass over 50,000 rows is most of a keystroke's time.
        tags, needle, folded, fold = self._tags, self._needle, self._folded, self._haystack
        rows = source.rows()
        if tags is not None:
            candidates: Iterable[tuple[int, model.Annotation]] = [(i, a) for i, a in enumerate(rows) if a.tag in tags]
        else:
            candidates = enumerate(rows)
        if not needle:
            return [i for i, _a in candidates]
        out = []
        for i, a in candidates:
            hit = folded.get(a.id)
            if needle in (hit[1] if hit is not None and hit[0] is a else fold(a)):
                out.append(i)
        return out

    def _accepts_row(self, source_row: int) -> bool:
        source = self.sourceModel()
        assert isinstance(source, AnnotationModel)
        return self.accepts(source.annotation(source_row))

    def accepts(self, a: model.Annotation) -> bool:
        """True when the filter shows ``a``."""
        if self._tags is not None and a.tag not in self._tags:
            return False
        return not self._needle or self._needle in self._haystack(a)

    def prepare(self, annotations: Sequence[model.Annotation]) -> None:
        """Case-fold these annotations' quotes and notes now (idle time), so a first search need not."""
        for a in annotations:
            self._haystack(a)

    def _haystack(self, a: model.Annotation) -> str:
        """The quote and note of ``a`` case-folded, kept from one keystroke to the next."""
        hit = self._folded.get(a.id)
        if hit is None or hit[0] is not a:
            hit = (a, f"{a.quote}\x00{a.note}".casefold())
            self._folded[a.id] = hit
        return hit[1]
