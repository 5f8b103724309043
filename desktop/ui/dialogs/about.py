"""Help > About Warrant: the version, the licences of the bundled libraries, and where the data lives.

The libraries are Warrant's runtime requirements, followed through their own requirements, as the
installed distributions' metadata describes them (``importlib.metadata``: the licence expression, else
the licence classifiers, else the licence field), so the list follows ``pyproject.toml`` without being
kept by hand; the desktop build ships that metadata (``packaging/warrant.spec``). Components that are
no Python distribution (Qt, SQLite, Python, PDFium) are named with their version from the running
program and their licence as published.
"""

from __future__ import annotations

import importlib.metadata
import platform
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    QStandardPaths,
    Qt,
    qVersion,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop import arguments
from desktop.ui import settings

DISTRIBUTION = "warrant"
INSTALLERS = frozenset({"pip", "setuptools", "wheel"})
"""Required by some library's own installer commands (sqlite-utils' ``install``), never used by Warrant."""

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class Component:
    """One bundled library: its name, version and licence."""

    name: str
    version: str
    licence: str


def licence_of(meta: Any) -> str:
    """The licence a distribution declares: its SPDX expression, else its classifiers, else its licence field.

    A licence field that holds the whole licence text is cut to its first line.
    """
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return str(expression)
    classifiers = [
        c.split("::")[-1].strip()
        for c in meta.get_all("Classifier") or []
        if c.startswith("License ::") and c.split("::")[-1].strip() != "OSI Approved"
    ]
    if classifiers:
        return " OR ".join(dict.fromkeys(classifiers))
    field = (meta.get("License") or "").strip()
    if field and field.upper() != "UNKNOWN":
        first = field.splitlines()[0].strip()
        return first if len(first) <= 80 else first[:77] + "..."
    return "not stated"


def _requirement_names(requirements: Iterable[str]) -> list[str]:
    """The distribution names of runtime requirements (those of extras, such as ``test``, left out)."""
    names = []
    for requirement in requirements:
        name, _, marker = requirement.partition(";")
        if "extra" in marker:
            continue
        match = _NAME.match(name)
        if match:
            names.append(match.group(1))
    return names


def python_components(root: str = DISTRIBUTION) -> list[Component]:
    """``root``'s installed runtime requirements, and theirs, sorted by name; ``root`` itself left out.

    A requirement that is not installed (a marker for another Python version) is skipped.
    """
    try:
        pending = _requirement_names(importlib.metadata.requires(root) or [])
    except importlib.metadata.PackageNotFoundError:
        return []
    seen: dict[str, Component] = {}
    while pending:
        name = pending.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen or key in INSTALLERS:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        meta = dist.metadata
        seen[key] = Component(meta["Name"] or name, dist.version, licence_of(meta))
        pending.extend(_requirement_names(dist.requires or []))
    return sorted(seen.values(), key=lambda c: c.name.lower())


def native_components() -> list[Component]:
    """What is not a Python distribution: Qt, SQLite, Python, and PDFium when pypdfium2 is there."""
    components = [
        Component("Qt", qVersion(), "LGPL-3.0-only"),
        Component("SQLite", sqlite3.sqlite_version, "Public domain"),
        Component("Python", platform.python_version(), "PSF-2.0"),
    ]
    try:
        pdfium = importlib.metadata.version("pypdfium2")
    except importlib.metadata.PackageNotFoundError:
        pass
    else:
        components.append(Component("PDFium (via pypdfium2)", pdfium, "BSD-3-Clause AND Apache-2.0"))
    return components


def components() -> list[Component]:
    """Every bundled component: the native ones first, then the Python libraries."""
    return native_components() + python_components()


def data_locations(annotation_file: str | None = None) -> list[tuple[str, str]]:
    """Where Warrant keeps things: (what, path) pairs; the open annotation file first when there is one."""
    places = []
    if annotation_file:
        places.append(("annotation file", annotation_file))
    places.append(("annotation folder", str(settings.data_dir())))
    # The same QSettings as desktop.ui.settings (INI, user scope, organisation and application).
    ini = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings.ORGANISATION, settings.APPLICATION)
    places.append(("settings file", ini.fileName()))
    cache = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericCacheLocation)
    places.append(("window state", str(Path(cache or Path.home() / ".cache") / settings.APPLICATION)))
    return places


class ComponentModel(QAbstractTableModel):
    """The bundled components as a table: name, version, licence."""

    def __init__(self, rows: list[Component], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows = rows
        self._headers = (self.tr("Component"), self.tr("Version"), self.tr("Licence"))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self._rows[index.row()]
        return (row.name, row.version, row.licence)[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section] if 0 <= section < len(self._headers) else None
        return None


class AboutDialog(QDialog):
    """The version, the bundled libraries with their licences, and the paths of the user's data."""

    def __init__(self, annotation_file: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.annotation_file = annotation_file
        self.setWindowTitle(self.tr("About Warrant"))
        self.resize(640, 560)
        layout = QVBoxLayout(self)

        self.title = QLabel(self.tr("Warrant %s") % arguments.version(), self)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        layout.addWidget(self.title)
        blurb = QLabel(
            self.tr(
                "An offline reader and annotator for analysts: claims, evidence and recommendations. "
                "Warrant is free software under the MIT licence; nothing is ever fetched from the network."
            ),
            self,
        )
        blurb.setWordWrap(True)
        layout.addWidget(blurb)

        layout.addWidget(self._heading(self.tr("Your data")))
        places = QFormLayout()
        names = {
            "annotation file": self.tr("Open annotation file"),
            "annotation folder": self.tr("Annotation folder"),
            "settings file": self.tr("Settings file"),
            "window state": self.tr("Window state"),
        }
        self.paths: dict[str, QLabel] = {}
        for what, path in data_locations(annotation_file):
            label = QLabel(path, self)
            label.setTextFormat(Qt.TextFormat.PlainText)  # a path is text, never markup
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            places.addRow(names[what], label)
            self.paths[what] = label
        layout.addLayout(places)

        layout.addWidget(self._heading(self.tr("Bundled libraries and their licences")))
        self.model = ComponentModel(components(), self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        lgpl = QLabel(
            self.tr(
                "Qt and PySide6 are used under the GNU LGPL version 3: they are shared libraries in the "
                "program's folder, which you may replace with your own builds of the same version. "
                "Each library's licence text is in its .dist-info folder."
            ),
            self,
        )
        lgpl.setWordWrap(True)
        layout.addWidget(lgpl)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _heading(self, text: str) -> QLabel:
        label = QLabel(text, self)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        return label
