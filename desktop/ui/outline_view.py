"""The argument's outline as a tree: claims with what supports, contradicts or rests on them, and weak points.

:class:`OutlineModel` is a read-only tree model over :func:`desktop.core.argument.build_outline`,
rebuilt with a model reset whenever the data changes (an outline is small). Three top-level
sections: "Argument" (the outline), "Not linked" and "Weak points" (one child per checklist
entry, with its count, holding the annotations concerned). :class:`OutlineView` shows it in a
:class:`QTreeView` and emits :attr:`OutlineView.annotation_activated` with an annotation's id when
an item is clicked or activated with the keyboard.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QElapsedTimer,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QAbstractItemView, QTreeView, QVBoxLayout, QWidget

from desktop.core import argument, model
from desktop.core import textutil as core_text
from desktop.ui import plain

ANNOTATION_ID_ROLE = Qt.ItemDataRole.UserRole + 1
"""The annotation's id (str) on annotation items; None on section and checklist items."""
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
"""What an item is: ``"annotation"``, ``"section"`` or ``"weak"`` (a checklist entry)."""
COUNT_ROLE = Qt.ItemDataRole.UserRole + 3
"""How many entries a section or checklist entry holds (int); None on annotation items."""
SECTION_ROLE = Qt.ItemDataRole.UserRole + 4
"""The top-level section an item is in: ``"argument"``, ``"unlinked"`` or ``"weak"``."""
WEAK_KIND_ROLE = Qt.ItemDataRole.UserRole + 5
"""On checklist entries and their annotations: the weak point's name (``"orphan_evidence"`` ...)."""

QUOTE_CHARS = 160
"""How much of a quote an item shows (the view elides further to its width)."""

Index = QModelIndex | QPersistentModelIndex


@dataclass(eq=False)
class _Item:
    """One row of the tree; ``uid`` is the number the model's indexes carry."""

    uid: int
    kind: str
    section: str
    text: str
    parent: _Item | None
    row: int
    annotation: model.Annotation | None = None
    repeated: bool = False
    count: int | None = None
    weak_kind: str | None = None
    children: list[_Item] = field(default_factory=list)


class OutlineModel(QAbstractItemModel):
    """A read-only tree of the outline, its unlinked annotations and its weak points."""

    def __init__(self, parent: QObject | None = None) -> None:
        """Make an empty model (three empty sections)."""
        super().__init__(parent)
        self._items: list[_Item] = []
        self._top: list[_Item] = []
        self._tags = model.TagSet()
        self._documents: dict[str, str] | None = None
        self._outline = argument.Outline()
        self._build(argument.Outline(), model.DEFAULT_TAGS, model.DEFAULT_RELATIONS)

    # -- filling ------------------------------------------------------------------------------

    @property
    def outline(self) -> argument.Outline:
        """The outline shown."""
        return self._outline

    def set_data(
        self,
        annotations: Iterable[model.Annotation],
        links: Iterable[model.Link],
        tags: Sequence[model.Tag],
        relations: Sequence[model.Relation] = model.DEFAULT_RELATIONS,
        documents: Mapping[str, str] | None = None,
    ) -> None:
        """Rebuild the tree from the annotations and links (a model reset).

        ``documents`` (fingerprint -> title, in the file's order) groups the argument and the unlinked
        passages by article: the outline of a whole case file.
        """
        outline = argument.build_outline(annotations, links, tags)
        self.beginResetModel()
        self._documents = dict(documents) if documents else None
        self._build(outline, tags, relations)
        self.endResetModel()

    def _grouped(self, section: str, parent: _Item, document: str, groups: dict[str, _Item]) -> _Item:
        """The item annotations of ``document`` go under: ``parent``, or its article's item when grouping."""
        if self._documents is None:
            return parent
        group = groups.get(document)
        if group is None:
            title = core_text.one_line(self._documents.get(document, "Another article"))
            group = groups[document] = self._new("document", section, title, parent)
        return group

    def _new(self, kind: str, section: str, text: str, parent: _Item | None, **extra: Any) -> _Item:
        siblings = parent.children if parent is not None else self._top
        item = _Item(len(self._items) + 1, kind, section, text, parent, len(siblings), **extra)
        self._items.append(item)
        siblings.append(item)
        return item

    def _build(self, outline: argument.Outline, tags: Sequence[model.Tag], relations: Sequence[model.Relation]) -> None:
        self._outline = outline
        self._items = []
        self._top = []
        self._tags = model.TagSet(tags)
        rel_label = {r.name: r.label for r in relations}

        def annotation_text(a: model.Annotation, relation: str | None = None, repeated: bool = False) -> str:
            tag = self._tags.get(a.tag)
            text = f"{core_text.one_line(tag.label)}: {core_text.shorten(a.quote, QUOTE_CHARS)}"
            if relation is not None:
                text = f"{core_text.one_line(rel_label.get(relation, relation))} \u00b7 {text}"
            if repeated:
                text += "  (see above)"
            return text

        claims = sum(
            1 for _, n in argument.walk(outline.roots) if n.annotation.tag == argument.CLAIM and not n.repeated
        )
        top = self._new("section", "argument", f"Argument ({claims} claim{'s' if claims != 1 else ''})", None)
        top.count = claims
        # Depth-first without recursion: a long chain of claims must not exhaust Python's stack.
        order = {fp: i for i, fp in enumerate(self._documents or {})}
        roots = sorted(outline.roots, key=lambda n: order.get(n.annotation.document, len(order)))
        argument_groups: dict[str, _Item] = {}
        parents = [self._grouped("argument", top, n.annotation.document, argument_groups) for n in roots]
        stack: list[tuple[argument.OutlineNode, _Item]] = list(zip(reversed(roots), reversed(parents), strict=True))
        while stack:
            node, parent = stack.pop()
            item = self._new(
                "annotation",
                "argument",
                annotation_text(node.annotation, node.relation, node.repeated),
                parent,
                annotation=node.annotation,
                repeated=node.repeated,
            )
            stack.extend((child, item) for child in reversed(node.children))

        unlinked = self._new("section", "unlinked", f"Not linked ({len(outline.unlinked)})", None)
        unlinked.count = len(outline.unlinked)
        unlinked_groups: dict[str, _Item] = {}
        for a in sorted(outline.unlinked, key=lambda a: order.get(a.document, len(order))):
            under = self._grouped("unlinked", unlinked, a.document, unlinked_groups)
            self._new("annotation", "unlinked", annotation_text(a), under, annotation=a)

        weak = self._new("section", "weak", f"Weak points ({outline.weak.total})", None)
        weak.count = outline.weak.total
        for name, label, items in outline.weak.items():
            entry = self._new("weak", "weak", f"{label} ({len(items)})", weak, count=len(items), weak_kind=name)
            for a in items:
                self._new("annotation", "weak", annotation_text(a), entry, annotation=a, weak_kind=name)

    def _item(self, index: Index) -> _Item | None:
        if not index.isValid():
            return None
        uid = index.internalId()
        if not 1 <= uid <= len(self._items):
            return None
        return self._items[uid - 1]

    def section_index(self, section: str) -> QModelIndex:
        """Return the index of a top-level section: ``"argument"``, ``"unlinked"`` or ``"weak"``."""
        for item in self._top:
            if item.section == section:
                return self.createIndex(item.row, 0, item.uid)
        return QModelIndex()

    def indexes_of(self, annotation_id: str) -> list[QModelIndex]:
        """Return every index showing this annotation (outline first, then the checklist)."""
        return [
            self.createIndex(item.row, 0, item.uid)
            for item in self._items
            if item.annotation is not None and item.annotation.id == annotation_id
        ]

    # -- Qt's model interface -----------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008 - Qt override
        if column != 0 or row < 0:
            return QModelIndex()
        parent_item = self._item(parent)
        siblings = parent_item.children if parent_item is not None else self._top
        if parent.isValid() and parent_item is None:
            return QModelIndex()
        if row >= len(siblings):
            return QModelIndex()
        return self.createIndex(row, 0, siblings[row].uid)

    def parent(self, index: Index | None = None) -> Any:
        if index is None:  # QObject.parent()
            return super().parent()
        item = self._item(index)
        if item is None or item.parent is None:
            return QModelIndex()
        return self.createIndex(item.parent.row, 0, item.parent.uid)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt override
        if parent.column() > 0:
            return 0
        if not parent.isValid():
            return len(self._top)
        item = self._item(parent)
        return len(item.children) if item is not None else 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt override
        return 1

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt override
        return self.rowCount(parent) > 0

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self._item(index)
        if item is None:
            return None
        a = item.annotation
        if role == Qt.ItemDataRole.DisplayRole:
            return item.text
        if role == Qt.ItemDataRole.ToolTipRole:
            if a is None:
                return None
            # Plain text only: a quote is never rendered as markup.
            return plain.tooltip(f"{self._tags.get(a.tag).label}\n\n{a.quote}")
        if role == Qt.ItemDataRole.DecorationRole:
            if a is None:
                return None
            return QColor(self._tags.get(a.tag).colour)
        if role == Qt.ItemDataRole.FontRole:
            if item.kind in ("section", "document"):
                font = QFont()
                font.setBold(True)
                return font
            if item.repeated:
                font = QFont()
                font.setItalic(True)
                return font
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if (item.kind == "weak" and item.count == 0) or item.repeated:
                return QGuiApplication.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return item.text
        if role == ANNOTATION_ID_ROLE:
            return a.id if a is not None else None
        if role == KIND_ROLE:
            return item.kind
        if role == COUNT_ROLE:
            return item.count
        if role == SECTION_ROLE:
            return item.section
        if role == WEAK_KIND_ROLE:
            return item.weak_kind
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if section == 0 and orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return "Outline"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if self._item(index) is None:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class OutlineView(QWidget):
    """The outline tree; click an annotation to go to its passage."""

    annotation_activated = Signal(str)
    """An annotation item was clicked or activated (Enter, double-click): its id."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Make an empty outline."""
        super().__init__(parent)
        self.outline_model = OutlineModel(self)
        self.tree = QTreeView(self)
        self.tree.setObjectName("outline_tree")
        self.tree.setModel(self.outline_model)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.setAccessibleName(self.tr("Argument outline"))
        self.tree.clicked.connect(self._on_clicked)
        self.tree.activated.connect(self._on_activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        self._last_click = QElapsedTimer()
        self._last_click_id: str | None = None
        self.tree.expandAll()

    def set_data(
        self,
        annotations: Iterable[model.Annotation],
        links: Iterable[model.Link],
        tags: Sequence[model.Tag],
        relations: Sequence[model.Relation] = model.DEFAULT_RELATIONS,
        documents: Mapping[str, str] | None = None,
    ) -> None:
        """Show the outline of the annotations and links (grouped by article when ``documents`` names titles);
        the tree is fully expanded."""
        self.outline_model.set_data(annotations, links, tags, relations, documents)
        self.tree.expandAll()

    def select_annotation(self, annotation_id: str) -> bool:
        """Select and scroll to the annotation's first item, without emitting :attr:`annotation_activated`.

        Returns:
            Whether the annotation is in the outline.
        """
        indexes = self.outline_model.indexes_of(annotation_id)
        if not indexes:
            self.tree.clearSelection()
            return False
        self.tree.setCurrentIndex(indexes[0])
        self.tree.scrollTo(indexes[0])
        return True

    def _emit(self, index: QModelIndex) -> None:
        annotation_id = index.data(ANNOTATION_ID_ROLE)
        if annotation_id:
            self.annotation_activated.emit(annotation_id)

    def _on_clicked(self, index: QModelIndex) -> None:
        self._last_click_id = index.data(ANNOTATION_ID_ROLE)
        self._last_click.start()
        self._emit(index)

    def _on_activated(self, index: QModelIndex) -> None:
        # A double-click is a click then an activation: the click already went to the passage.
        if (
            self._last_click.isValid()
            and self._last_click_id == index.data(ANNOTATION_ID_ROLE)
            and self._last_click.elapsed() <= QGuiApplication.styleHints().mouseDoubleClickInterval()
        ):
            return
        self._emit(index)
