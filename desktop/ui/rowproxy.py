"""A filter proxy that maps only the rows it accepts (issue 15: search and filter over 50,000 rows).

:class:`QSortFilterProxyModel` asks ``filterAcceptsRow`` of every source row, from C++ into Python, each
time the filter changes: 50,000 calls for one keystroke. :class:`AcceptedRows` instead keeps the
accepted source rows in one ascending list, filled by a single Python pass when the filter changes;
``mapToSource`` is a list lookup and ``mapFromSource`` a binary search, so a view asks only about the rows
it paints. Rows inserted, removed or changed in the source are mapped incrementally (one inserted
annotation is one inserted proxy row, never a reset). With no filter the mapping is the identity (a
``range``), so an unfiltered list costs nothing per row at all.

It does not sort: the source's order (document order) is kept.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QAbstractProxyModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    SignalInstance,
)

Index = QModelIndex | QPersistentModelIndex
Accepts = Callable[[int], bool]
"""Whether the source row with this number is shown."""


class AcceptedRows(QAbstractProxyModel):
    """A flat (list or table) proxy showing the source rows that ``accepts`` says yes to, in source order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._accepts: Accepts | None = None
        self._rows: Sequence[int] = range(0)

    # -- the filter --------------------------------------------------------------------------------

    def set_filter(self, accepts: Accepts | None) -> None:
        """Show only the source rows ``accepts`` returns true for (None: every row); one pass, one reset."""
        self.beginResetModel()
        self._accepts = accepts
        self._rows = self._all_rows()
        self.endResetModel()

    def source_rows(self) -> Sequence[int]:
        """The accepted source rows, ascending."""
        return self._rows

    def _all_rows(self) -> Sequence[int]:
        source = self.sourceModel()
        count = source.rowCount(QModelIndex()) if source is not None else 0
        if self._accepts is None:
            return range(count)
        accepts = self._accepts
        return [row for row in range(count) if accepts(row)]

    def _editable_rows(self) -> list[int]:
        if not isinstance(self._rows, list):
            self._rows = list(self._rows)
        return self._rows

    # -- following the source ----------------------------------------------------------------------

    def setSourceModel(self, source: QAbstractItemModel) -> None:
        old = self.sourceModel()
        if old is not None:
            for signal, slot in self._connections(old):
                signal.disconnect(slot)
        self.beginResetModel()
        super().setSourceModel(source)
        self._rows = self._all_rows()
        self.endResetModel()
        for signal, slot in self._connections(source):
            signal.connect(slot)

    def _connections(self, source: QAbstractItemModel) -> list[tuple[SignalInstance, Callable[..., None]]]:
        return [
            (source.rowsAboutToBeInserted, self._inserting),
            (source.rowsInserted, self._inserted),
            (source.rowsAboutToBeRemoved, self._removing),
            (source.rowsRemoved, self._removed),
            (source.dataChanged, self._changed),
            (source.modelReset, self._reset),
            (source.layoutChanged, self._reset),
        ]

    def _reset(self, *args: object) -> None:
        self.beginResetModel()
        self._rows = self._all_rows()
        self.endResetModel()

    # With no filter the proxy is the identity: it announces a change when the source announces it, so that
    # every row reads the same data before and after (what views and Qt's model tester rely on).

    def _inserting(self, parent: QModelIndex, first: int, last: int) -> None:
        if not parent.isValid() and self._accepts is None:
            self.beginInsertRows(QModelIndex(), first, last)

    def _removing(self, parent: QModelIndex, first: int, last: int) -> None:
        if not parent.isValid() and self._accepts is None:
            self.beginRemoveRows(QModelIndex(), first, last)

    def _inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        if parent.isValid():
            return
        n = last - first + 1
        if self._accepts is None:
            self._rows = range(len(self._rows) + n)
            self.endInsertRows()
            return
        rows = self._editable_rows()
        pos = bisect.bisect_left(rows, first)
        # Shift the rows after the insertion first, so each shown row still reads its own data; then insert.
        rows[pos:] = [row + n for row in rows[pos:]]
        new = [row for row in range(first, last + 1) if self._accepts(row)]
        if new:
            self.beginInsertRows(QModelIndex(), pos, pos + len(new) - 1)
            rows[pos:pos] = new
            self.endInsertRows()

    def _removed(self, parent: QModelIndex, first: int, last: int) -> None:
        if parent.isValid():
            return
        n = last - first + 1
        if self._accepts is None:
            self._rows = range(len(self._rows) - n)
            self.endRemoveRows()
            return
        rows = self._editable_rows()
        lo, hi = bisect.bisect_left(rows, first), bisect.bisect_right(rows, last)
        rows[hi:] = [row - n for row in rows[hi:]]  # the rows after keep reading their own data
        if hi > lo:
            self.beginRemoveRows(QModelIndex(), lo, hi - 1)
            del rows[lo:hi]
            self.endRemoveRows()

    def _changed(self, top_left: QModelIndex, bottom_right: QModelIndex, roles: Sequence[int] = ()) -> None:
        if top_left.parent().isValid():
            return
        last_column = max(0, self.columnCount() - 1)
        for source_row in range(top_left.row(), bottom_right.row() + 1):
            shown = self._proxy_row(source_row)
            wanted = self._accepts is None or self._accepts(source_row)
            if shown is not None and wanted:
                self.dataChanged.emit(self.index(shown, 0), self.index(shown, last_column), roles)
            elif shown is not None:
                self.beginRemoveRows(QModelIndex(), shown, shown)
                del self._editable_rows()[shown]
                self.endRemoveRows()
            elif wanted:
                rows = self._editable_rows()
                pos = bisect.bisect_left(rows, source_row)
                self.beginInsertRows(QModelIndex(), pos, pos)
                rows.insert(pos, source_row)
                self.endInsertRows()

    def _proxy_row(self, source_row: int) -> int | None:
        pos = bisect.bisect_left(self._rows, source_row)
        return pos if pos < len(self._rows) and self._rows[pos] == source_row else None

    # -- QAbstractProxyModel -----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        source = self.sourceModel()
        if parent.isValid() or source is None:
            return 0
        if isinstance(source, QAbstractListModel):
            return 1  # a list model's columnCount is private in PySide6
        return source.columnCount(QModelIndex())

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid() or not 0 <= row < len(self._rows) or not 0 <= column < self.columnCount():
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        return QModelIndex()

    def sibling(self, row: int, column: int, index: Index) -> QModelIndex:
        return self.index(row, column)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._rows) > 0

    def mapToSource(self, proxy_index: Index) -> QModelIndex:
        source = self.sourceModel()
        if source is None or not proxy_index.isValid() or proxy_index.row() >= len(self._rows):
            return QModelIndex()
        return source.index(self._rows[proxy_index.row()], proxy_index.column())

    def mapFromSource(self, source_index: Index) -> QModelIndex:
        if not source_index.isValid():
            return QModelIndex()
        row = self._proxy_row(source_index.row())
        return QModelIndex() if row is None else self.index(row, source_index.column())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        source = self.sourceModel()
        if source is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return source.headerData(section, orientation, role)
        return section + 1 if role == Qt.ItemDataRole.DisplayRole else None
