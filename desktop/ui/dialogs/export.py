"""File > Export: choose the format, the scope and the destination; the file is written in a worker thread and the
export finishes through a signal (a progress dialog shows past half a second), never a nested event loop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QProgressDialog,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import errors, exchange, model, store
from desktop.core.exchange import scope

log = logging.getLogger(__name__)

SCOPE_ALL, SCOPE_DOCUMENT, SCOPE_SELECTED = "all", "document", "selected"


@dataclass(frozen=True)
class Request:
    """What to export: a format of the registry, a scope, and the tags (None for all)."""

    format: str
    scope: str = SCOPE_DOCUMENT
    tags: list[str] | None = None


class ExportDialog(QDialog):
    """Asks what to export; :meth:`request` gives the answer."""

    def __init__(self, tags: Sequence[model.Tag], has_selection: bool, parent: QWidget | None = None) -> None:
        """Offer the formats, the scopes and a tag filter."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export"))
        self.format = QComboBox(self)
        for fmt in exchange.REGISTRY:
            self.format.addItem(self.tr(fmt.label), fmt.name)
        self.scope_group = QButtonGroup(self)
        scope_box = QGroupBox(self.tr("Which annotations"), self)
        scope_layout = QVBoxLayout(scope_box)
        self.scope_buttons: dict[str, QRadioButton] = {}
        for key, text in (
            (SCOPE_DOCUMENT, self.tr("This document")),
            (SCOPE_ALL, self.tr("Every document in the file")),
            (SCOPE_SELECTED, self.tr("The selected rows")),
        ):
            button = QRadioButton(text, scope_box)
            self.scope_group.addButton(button)
            scope_layout.addWidget(button)
            self.scope_buttons[key] = button
        self.scope_buttons[SCOPE_SELECTED if has_selection else SCOPE_DOCUMENT].setChecked(True)
        self.scope_buttons[SCOPE_SELECTED].setEnabled(has_selection)
        tag_box = QGroupBox(self.tr("Tags"), self)
        tag_layout = QHBoxLayout(tag_box)
        self.tag_checks: dict[str, QCheckBox] = {}
        for tag in tags:
            check = QCheckBox(tag.label, tag_box)
            check.setChecked(True)
            tag_layout.addWidget(check)
            self.tag_checks[tag.name] = check
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Export..."))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Format:"), self.format)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(scope_box)
        layout.addWidget(tag_box)
        layout.addWidget(buttons)

    def request(self) -> Request:
        """What the user chose."""
        chosen = next(k for k, b in self.scope_buttons.items() if b.isChecked())
        tags = [name for name, c in self.tag_checks.items() if c.isChecked()]
        return Request(str(self.format.currentData()), chosen, None if len(tags) == len(self.tag_checks) else tags)


class ExportJob(QObject):
    """One export written in a worker thread; :attr:`finished` says how it ended, in the window's thread."""

    finished = Signal(object)
    """int (annotations written) or errors.WarrantError (nothing written; the destination unchanged)."""

    def __init__(
        self, parent: QWidget, selection: scope.Selection, fmt: str, destination: str, annotation_file: str
    ) -> None:
        """Prepare the export of ``selection`` (read on the store's thread) to ``destination``."""
        super().__init__(parent)
        self.selection, self.fmt, self.destination, self.annotation_file = selection, fmt, destination, annotation_file
        self.progress = QProgressDialog(parent.tr("Exporting..."), "", 0, 0, parent)
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setCancelButton(None)
        self.progress.reset()
        self._shower = QTimer(self)
        self._shower.setSingleShot(True)
        self._shower.setInterval(500)
        self._shower.timeout.connect(self.progress.show)
        self._done.connect(self._finish, Qt.ConnectionType.QueuedConnection)

    _done = Signal(object)

    def start(self) -> None:
        """Write in a worker thread; :attr:`finished` is emitted when it is done."""
        self._shower.start()
        threading.Thread(target=self._work, name="warrant-export", daemon=True).start()

    def _work(self) -> None:
        try:
            result: int | errors.WarrantError = exchange.write(
                self.selection, self.fmt, self.destination, annotation_file=self.annotation_file
            )
        except errors.WarrantError as exc:
            result = exc
        self._done.emit(result)

    def _finish(self, result: object) -> None:
        self._shower.stop()
        self.progress.reset()
        self.progress.deleteLater()
        self.finished.emit(result)
        self.deleteLater()


def start_export(
    parent: QWidget,
    source: store.Store,
    request: Request,
    destination: str,
    *,
    document: str | None = None,
    annotation_ids: Sequence[str] | None = None,
) -> ExportJob:
    """Read the selection now and write it in a worker thread; connect to the job's ``finished`` signal.

    Raises:
        WarrantError: the selection could not be read; nothing was written.
    """
    selection = scope.select(
        source,
        tags=request.tags,
        document=None if request.scope == SCOPE_ALL else document,
        annotation_ids=annotation_ids if request.scope == SCOPE_SELECTED else None,
    )
    job = ExportJob(parent, selection, request.format, destination, source.path)
    return job


def ask_request(parent: QWidget, tags: Sequence[model.Tag], has_selection: bool, selected_only: bool) -> Request | None:
    """Show the export dialog; None when cancelled. Tests replace this function."""
    dialog = ExportDialog(tags, has_selection, parent)
    if selected_only and has_selection:
        dialog.scope_buttons[SCOPE_SELECTED].setChecked(True)
    return dialog.request() if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_destination(parent: QWidget, source: store.Store, fmt: str) -> str | None:
    """Ask where to write; suggest a name beside the annotation file. Tests replace this function."""
    ext = exchange.extension(fmt)
    base = Path(source.path)
    suggestion = str(base.with_suffix(ext)) if source.path != ":memory:" else str(Path.home() / f"annotations{ext}")
    path, _ = QFileDialog.getSaveFileName(parent, parent.tr("Export To"), suggestion, f"*{ext}")
    if not path:
        return None
    return path if path.endswith(ext) else path + ext
