"""The Outline and Map tabs: built the first time they are shown, refreshed only while visible."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QFileDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from desktop.core import errors
from desktop.ui import session as session_mod

log = logging.getLogger(__name__)


class LazyTab(QWidget):
    """A tab page whose real widget is imported and made on first need (the views cost start-up time).

    Its scope box chooses between the article shown and every article of the file (shown only when the
    file holds more than one).
    """

    scope_changed = Signal()
    """The analyst switched between this article and all articles: the page must be rebuilt."""

    def __init__(self, factory: Callable[[QWidget], QWidget], parent: QWidget | None = None) -> None:
        """Hold ``factory`` until :meth:`widget` is first called."""
        super().__init__(parent)
        self._factory = factory
        self._widget: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.scope = QCheckBox(self.tr("All articles in this file"), self)
        self.scope.setObjectName("argument_scope")
        self.scope.setToolTip(self.tr("Show the argument of every article of the file, not only the one shown"))
        self.scope.setVisible(False)
        self.scope.toggled.connect(self._scope_toggled)
        self._layout.addWidget(self.scope)
        self.dirty = True

    @property
    def all_documents(self) -> bool:
        """True when the page shows every article of the file."""
        return self.scope.isChecked()

    def _scope_toggled(self) -> None:
        self.dirty = True
        self.scope_changed.emit()

    def built(self) -> bool:
        """True once the real widget exists."""
        return self._widget is not None

    def widget(self) -> QWidget:
        """The real widget, made now if need be."""
        if self._widget is None:
            self._widget = self._factory(self)
            self._layout.addWidget(self._widget)
        return self._widget


def make_outline(parent: QWidget, on_activate: Callable[[str], None]) -> QWidget:
    """The outline view."""
    from desktop.ui import outline_view

    view = outline_view.OutlineView(parent)
    view.annotation_activated.connect(on_activate)
    return view


class MapPage(QWidget):
    """The argument map with its buttons: fit, export SVG, export PNG."""

    def __init__(self, parent: QWidget, on_activate: Callable[[str], None], on_error: Callable[[str], None]) -> None:
        """Build the map view and its buttons."""
        super().__init__(parent)
        from desktop.ui import argument_map

        self.view = argument_map.ArgumentMapView(self)
        self.view.annotation_activated.connect(on_activate)
        self._on_error = on_error
        buttons = QHBoxLayout()
        for text, slot in (
            (self.tr("Fit"), self.view.fit),
            (self.tr("Export SVG..."), lambda: self.export("svg")),
            (self.tr("Export PNG..."), lambda: self.export("png")),
        ):
            button = QPushButton(text, self)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        self.title = "Argument map"

    def export(self, kind: str, path: str | None = None) -> bool:
        """Export the map as SVG or PNG (asks where unless ``path`` is given)."""
        if path is None:
            suggestion = str(Path.home() / f"argument-map.{kind}")
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export Map"), suggestion, f"*.{kind}")
            if not path:
                return False
            if not path.endswith(f".{kind}"):
                path += f".{kind}"
        try:
            if kind == "svg":
                self.view.export_svg(path, self.title)
            else:
                self.view.export_png(path)
        except errors.WarrantError as exc:
            self._on_error(str(exc))
            return False
        return True


def refresh(tab: LazyTab, sess: session_mod.Session) -> None:
    """Give a built outline or map the session's current annotations and links."""
    widget = tab.widget()
    target = widget.view if isinstance(widget, MapPage) else widget
    titles = sess.store.document_titles()
    tab.scope.setVisible(len(titles) > 1 or tab.all_documents)
    if tab.all_documents:
        annotations, links = sess.store.annotations(), sess.store.links()
        where = "all articles"
    else:
        annotations, links = sess.sorted_annotations(), list(sess.links.values())
        where = sess.document.title
    if isinstance(widget, MapPage):
        widget.title = f"Argument map: {where}"
        widget.view.set_data(annotations, links, list(sess.tags), sess.store.relations())
    else:
        documents = dict(titles) if tab.all_documents else None
        target.set_data(annotations, links, list(sess.tags), sess.store.relations(), documents)  # type: ignore[attr-defined]
    tab.dirty = False


def follow(outline: LazyTab, map_tab: LazyTab, annotation_id: str) -> None:
    """Mark the annotation shown in the reader in the outline and the map, if they are built (no signals)."""
    if outline.built():
        outline.widget().select_annotation(annotation_id)  # type: ignore[attr-defined]
    if map_tab.built():
        page = map_tab.widget()
        if isinstance(page, MapPage):
            page.view.highlight(annotation_id, centre=False)
