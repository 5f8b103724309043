"""The annotation pane: counts per tag, tag filters, text search, and the list of annotations."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import model
from desktop.ui import links_view, models, wording
from desktop.ui import session as session_mod

PREPARE_SLICE = 2000
"""Annotations whose search text is prepared per idle turn (about 2 ms each)."""

NARROW_VIEW = 600
"""Below this width (pixels) the list hides its Author column, so the Passage column keeps its room."""


class AnnotationPane(QWidget):
    """Everything right of the reader's splitter handle on the Annotations tab."""

    activated = Signal(str)
    """An annotation id the user clicked or activated."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the pane with an empty model."""
        super().__init__(parent)
        self.model = models.AnnotationModel(self)
        self.proxy = models.AnnotationFilter(self)
        self.proxy.setSourceModel(self.model)

        self.counts = QLabel(self)
        self.counts.setTextFormat(Qt.TextFormat.PlainText)
        self.counts.setObjectName("counts")
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search quotes and notes"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda text: self._keeping_selection(lambda: self.proxy.set_search(text)))
        self.filters = QHBoxLayout()
        self.filters.setSpacing(4)
        self._filter_buttons: dict[str, QToolButton] = {}

        # A table, not a QTreeView: a tree lays out every row (calling the Python model for each)
        # whenever one is inserted or the filter changes, 0.3 s with 10,000 rows and 1.3 s with
        # 50,000; a table with fixed row heights touches only the rows it paints.
        self.view = QTableView(self)
        self.view.setModel(self.proxy)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setTabKeyNavigation(False)
        self.view.setCornerButtonEnabled(False)
        rows = self.view.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        # The tag column is painted by Qt's own delegate from the model's colour roles: a Python
        # delegate here cost ~3 ms of every tag's repaint with a full list.
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(False)
        # The Passage column takes the room (Stretch); the others are narrow and elide. Below
        # NARROW_VIEW pixels the Author column hides (in one's own file it is one name throughout).
        for column in (models.TAG, models.LINKS, models.NOTE, models.AUTHOR):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(models.PASSAGE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        chars = max(1, self.fontMetrics().averageCharWidth())
        header.resizeSection(models.TAG, 13 * chars)
        header.resizeSection(models.LINKS, 12 * chars)
        header.resizeSection(models.NOTE, 10 * chars)
        header.resizeSection(models.AUTHOR, 10 * chars)
        self.view.clicked.connect(self._emit_activated)
        self.view.activated.connect(self._emit_activated)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.counts)
        layout.addLayout(self.filters)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)
        self._tags: list[model.Tag] = []
        self._unprepared: list[model.Annotation] = []
        self._prepare_timer = QTimer(self)
        self._prepare_timer.setInterval(0)
        self._prepare_timer.timeout.connect(self._prepare_slice)
        self._tally: Counter[str] = Counter()

    # -- content ------------------------------------------------------------------------------

    def reset(self, annotations: Sequence[model.Annotation], tags: Sequence[model.Tag]) -> None:
        """Show a document's annotations."""
        self.set_tags(tags)
        self.model.reset(annotations, tags)
        self._tally = Counter(a.tag for a in annotations)
        self._show_counts()
        # Prepare the search in idle time, a slice per turn of the event loop, so that the first
        # keystroke in the search field does not pay for case-folding every quote.
        self._unprepared = list(annotations)
        self._prepare_timer.start()

    def _prepare_slice(self) -> None:
        chunk, self._unprepared = self._unprepared[:PREPARE_SLICE], self._unprepared[PREPARE_SLICE:]
        self.proxy.prepare(chunk)
        if not self._unprepared:
            self._prepare_timer.stop()

    def set_tags(self, tags: Sequence[model.Tag]) -> None:
        """Rebuild the tag filter buttons."""
        self._tags = list(tags)
        self.model.set_tags(tags)
        while self.filters.count():
            item = self.filters.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        self._filter_buttons = {}
        for tag in tags:
            button = QToolButton(self)
            button.setText(tag.label)
            button.setCheckable(True)
            button.setChecked(True)
            button.setToolTip(self.tr("Show or hide %s") % tag.label)
            button.setStyleSheet(f"QToolButton:checked {{ border-bottom: 3px solid {tag.colour}; }}")
            button.toggled.connect(self._apply_tag_filter)
            self._filter_buttons[tag.name] = button
            self.filters.addWidget(button)
        self.filters.addStretch(0)

    def _apply_tag_filter(self) -> None:
        chosen = [name for name, b in self._filter_buttons.items() if b.isChecked()]
        self._keeping_selection(
            lambda: self.proxy.set_tags(None if len(chosen) == len(self._filter_buttons) else chosen)
        )

    def _keeping_selection(self, change: Callable[[], None]) -> None:
        """Apply a filter change (a reset of the proxy) and select again the rows still shown."""
        ids = self.selected_ids()
        change()
        if ids:
            self.select_ids(ids)

    def added(self, annotations: Sequence[model.Annotation]) -> None:
        """Insert new rows; select and show the last one."""
        row = -1
        for a in annotations:
            row = self.model.insert(a)
            self._tally[a.tag] += 1
        self._show_counts()
        if row >= 0 and len(annotations) == 1:
            proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
            if proxy_index.isValid():
                self.view.scrollTo(proxy_index)

    def removed(self, annotations: Sequence[model.Annotation]) -> None:
        """Remove rows."""
        for a in annotations:
            self.model.remove(a)
            self._tally[a.tag] -= 1
        self._show_counts()

    def changed(self, old: model.Annotation, new: model.Annotation) -> None:
        """Update one row."""
        self.model.replace(new)
        if old.tag != new.tag:
            self._tally[old.tag] -= 1
            self._tally[new.tag] += 1
            self._show_counts()
            # The proxy follows the row's dataChanged: a retag out of the filter removes that one row.

    def follow(self, sess: session_mod.Session) -> None:
        """Show ``sess``'s document and refresh from its ``changed`` signal from now on."""
        sess.changed.connect(lambda changes: self.apply(changes, sess.tags, sess.annotations, sess.before))
        links_view.follow(sess, self.model.links, lambda ids: self.model.links_changed(ids, sess.annotations))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.view.setColumnHidden(models.AUTHOR, self.view.width() < NARROW_VIEW)

    def apply(
        self,
        changes: model.Changes,
        tags: Iterable[model.Tag],
        now: Mapping[str, model.Annotation],
        before: Mapping[str, model.Annotation],
    ) -> None:
        """Refresh the rows an edit names: ``now`` is the shown document's annotations after it, ``before`` the
        changed and removed ones as they were; the tag filters are rebuilt only when the tag set changed."""
        if changes.tags:
            self.set_tags(list(tags))
        gone = [before[i] for i in changes.removed if i in before]
        if gone:
            self.removed(gone)
        for annotation_id in changes.changed:
            if annotation_id in before and annotation_id in now:
                self.changed(before[annotation_id], now[annotation_id])
        added = [now[i] for i in changes.added if i in now]
        if added:
            self.added(added)

    def _show_counts(self) -> None:
        parts = [f"{t.label} {self._tally.get(t.name, 0)}" for t in self._tags]
        extra = sum(n for name, n in self._tally.items() if name not in {t.name for t in self._tags})
        if extra:
            parts.append(self.tr("Other %1").replace("%1", str(extra)))
        total = sum(self._tally.values())
        self.counts.setText(wording.counted(self.tr("%n passage(s)", "", total), total) + "  ·  " + "  ·  ".join(parts))

    # -- selection ----------------------------------------------------------------------------

    def _emit_activated(self, index: QModelIndex) -> None:
        annotation_id = index.data(models.ID_ROLE)
        if annotation_id:
            self.activated.emit(str(annotation_id))

    def selected_ids(self) -> list[str]:
        """Ids of the selected rows, in document order."""
        rows = sorted({self.proxy.mapToSource(i).row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.annotation(r).id for r in rows]

    def select_ids(self, ids: Sequence[str]) -> None:
        """Select the rows of these annotations and scroll to the first."""
        selection = self.view.selectionModel()
        selection.clearSelection()
        first = None
        for annotation_id in ids:
            row = self.model.row_of(annotation_id)
            if row < 0:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if not index.isValid():
                continue
            selection.select(
                index,
                selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
            )
            first = first or index
        if first is not None:
            selection.setCurrentIndex(first, selection.SelectionFlag.NoUpdate)
            self.view.scrollTo(first)
