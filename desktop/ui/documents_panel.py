"""The Documents sidebar of a case file: its articles, the one shown, and search across all of them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal, SignalInstance
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import casefile, model, textutil

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Entry:
    """One article of the file as the sidebar lists it."""

    fingerprint: str
    title: str
    passages: int
    kind: str = "txt"


class DocumentsModel(QAbstractListModel):
    """The file's articles, the shown one in bold."""

    def __init__(self) -> None:
        """Start empty."""
        super().__init__()
        self._entries: list[Entry] = []
        self.current = ""

    def set_entries(self, entries: Sequence[Entry], current: str) -> None:
        """Show ``entries`` with ``current`` (a fingerprint) marked as the one shown."""
        self.beginResetModel()
        self._entries = list(entries)
        self.current = current
        self.endResetModel()

    def add_to_count(self, fingerprint: str, delta: int) -> None:
        """Change one article's passage count (a tag or a delete): one row's dataChanged, no reset."""
        row = self.row_of(fingerprint)
        if row >= 0 and delta:
            entry = self._entries[row]
            self._entries[row] = Entry(entry.fingerprint, entry.title, max(0, entry.passages + delta), entry.kind)
            index = self.index(row)
            self.dataChanged.emit(index, index)

    def entry(self, row: int) -> Entry:
        """The entry at ``row``."""
        return self._entries[row]

    def row_of(self, fingerprint: str) -> int:
        """The row of ``fingerprint``, or -1."""
        return next((i for i, e in enumerate(self._entries) if e.fingerprint == fingerprint), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{textutil.one_line(entry.title)}  ({entry.passages})"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{textutil.one_line(entry.title)}\n{entry.kind.upper()} · {entry.passages} passage(s)"
        if role == Qt.ItemDataRole.FontRole and entry.fingerprint == self.current:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.UserRole:
            return entry.fingerprint
        return None


class DocumentsPanel(QWidget):
    """List, switch, add, rename and remove the file's articles; search the text of all of them.

    The panel edits nothing itself: it emits what the analyst asked for and the window runs the command.
    """

    switch_requested = Signal(str)
    """fingerprint of the article to show."""
    add_requested = Signal()
    rename_requested = Signal(str)
    remove_requested = Signal(str)
    hit_activated = Signal(str, int, int)
    """(fingerprint, start, end) of a search hit, in code points."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the list, its buttons and the search box."""
        super().__init__(parent)
        self.model = DocumentsModel()
        self.view = QListView(self)
        self.view.setObjectName("documents_list")
        self.view.setModel(self.model)
        self.view.setUniformItemSizes(True)
        self.view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.view.activated.connect(self._activated)
        self.view.clicked.connect(self._activated)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Add…"), self)
        self.rename_button = QPushButton(self.tr("Rename…"), self)
        self.remove_button = QPushButton(self.tr("Remove…"), self)
        self.add_button.clicked.connect(self.add_requested)
        self.rename_button.clicked.connect(lambda: self._ask(self.rename_requested))
        self.remove_button.clicked.connect(lambda: self._ask(self.remove_requested))
        for b in (self.add_button, self.rename_button, self.remove_button):
            buttons.addWidget(b)
        self.search = QLineEdit(self)
        self.search.setObjectName("documents_search")
        self.search.setPlaceholderText(self.tr("Search all articles"))
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.run_search)
        self.hits = QListWidget(self)
        self.hits.setObjectName("documents_hits")
        self.hits.setUniformItemSizes(True)
        self.hits.itemActivated.connect(self._hit_chosen)
        self.hits.itemClicked.connect(self._hit_chosen)
        self.summary = QLabel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view, 2)
        layout.addLayout(buttons)
        layout.addWidget(self.search)
        layout.addWidget(self.summary)
        layout.addWidget(self.hits, 3)
        self._documents: Callable[[], Iterable[model.Document]] = list

    def set_documents(
        self, entries: Sequence[Entry], current: str, documents: Callable[[], Iterable[model.Document]]
    ) -> None:
        """Show ``entries``; ``documents`` yields the full articles when a search runs."""
        self.model.set_entries(entries, current)
        self._documents = documents
        row = self.model.row_of(current)
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row))
        self.remove_button.setEnabled(len(entries) > 1)
        self.rename_button.setEnabled(bool(entries))

    def selected(self) -> str | None:
        """The fingerprint of the selected article."""
        index = self.view.currentIndex()
        return None if not index.isValid() else str(self.model.data(index, Qt.ItemDataRole.UserRole))

    def _ask(self, signal: SignalInstance) -> None:
        fingerprint = self.selected()
        if fingerprint:
            signal.emit(fingerprint)

    def _activated(self, index: QModelIndex) -> None:
        fingerprint = self.model.data(index, Qt.ItemDataRole.UserRole)
        if fingerprint and fingerprint != self.model.current:
            self.switch_requested.emit(str(fingerprint))

    def run_search(self) -> int:
        """Search every article for the box's text; list the hits and return how many there are."""
        self.hits.clear()
        query = self.search.text()
        hits = list(casefile.search(self._documents(), query, limit=casefile_limit()))
        for hit in hits:
            shown = textutil.one_line(f"…{hit.before}[{hit.match}]{hit.after}…")
            item = QListWidgetItem(f"{textutil.one_line(hit.title)}: {shown}")
            item.setData(Qt.ItemDataRole.UserRole, (hit.document, hit.start, hit.end))
            self.hits.addItem(item)
        if not query.split():
            self.summary.setText("")
        elif len(hits) >= casefile_limit():
            self.summary.setText(self.tr("The first %1 matches").replace("%1", str(len(hits))))
        else:
            self.summary.setText(
                self.tr("1 match") if len(hits) == 1 else self.tr("%1 matches").replace("%1", str(len(hits)))
            )
        return len(hits)

    def _hit_chosen(self, item: QListWidgetItem) -> None:
        document, start, end = item.data(Qt.ItemDataRole.UserRole)
        self.hit_activated.emit(str(document), int(start), int(end))


def casefile_limit() -> int:
    """How many search hits the sidebar lists at most."""
    return 500
