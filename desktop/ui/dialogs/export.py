"""File > Export: choose the format, the scope and the destination; the file is written in a worker thread and the
export finishes through a signal (a progress dialog shows past half a second), never a nested event loop.

The dialog lists every format of :data:`desktop.core.exchange.REGISTRY` and starts on every annotation of the
file (a selected row does not narrow it: "Export Selected Rows" does), in the format used last. The file dialog
opens in the folder used last (setting ``export_folder``), else the user's Documents folder, never Warrant's
hidden data folder, with a name that is never the annotation file's; the annotation file, its ``-wal`` and
``-shm`` are refused with a dialog before anything is written (:func:`desktop.core.safeio.check_output`, and
again by :func:`desktop.core.exchange.write`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Qt, QTimer, Signal
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
    QLabel,
    QProgressDialog,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import errors, exchange, model, safeio, store
from desktop.core.exchange import scope
from desktop.ui import settings

log = logging.getLogger(__name__)

SCOPE_ALL, SCOPE_DOCUMENT, SCOPE_SELECTED = "all", "document", "selected"

ONE_DOCUMENT_FORMATS = frozenset(f.name for f in exchange.REGISTRY if f.write_files is not None)
"""Formats that hold one document (brat: its ``.ann`` and the ``.txt`` its offsets count into)."""


@dataclass(frozen=True)
class Request:
    """What to export: a format of the registry, a scope, and the tags (None for all)."""

    format: str
    scope: str = SCOPE_ALL
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
        last = self.format.findData(str(settings.get("export_format")))
        self.format.setCurrentIndex(max(0, last))
        self.format_note = QLabel(self)
        self.format_note.setWordWrap(True)
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
        self.scope_buttons[SCOPE_ALL].setChecked(True)  # everything: a selected row does not narrow it
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
        form.addRow("", self.format_note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(scope_box)
        layout.addWidget(tag_box)
        layout.addWidget(buttons)
        self.format.currentIndexChanged.connect(lambda _i: self._format_changed())
        self._format_changed()

    def _format_changed(self) -> None:
        """A one-document format (brat) offers no "every document" scope and says what it writes."""
        one = str(self.format.currentData()) in ONE_DOCUMENT_FORMATS
        every = self.scope_buttons[SCOPE_ALL]
        if one and every.isChecked():
            self.scope_buttons[SCOPE_DOCUMENT].setChecked(True)
        every.setEnabled(not one)
        self.format_note.setText(
            self.tr("Writes two files, NAME.ann and NAME.txt (the text its offsets count in), for this document only.")
            if one
            else ""
        )
        self.format_note.setVisible(one)

    def request(self) -> Request:
        """What the user chose."""
        chosen = next(k for k, b in self.scope_buttons.items() if b.isChecked())
        tags = [name for name, c in self.tag_checks.items() if c.isChecked()]
        fmt = str(self.format.currentData())
        if fmt in ONE_DOCUMENT_FORMATS and chosen == SCOPE_ALL:
            chosen = SCOPE_DOCUMENT
        return Request(fmt, chosen, None if len(tags) == len(self.tag_checks) else tags)


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
        WarrantError: the destination is the annotation file, its -wal or -shm, or not a regular file (for
            brat, its .txt too), or the selection could not be read; nothing was written.
    """
    check_destination(source, request.format, destination)
    selection = scope.select(
        source,
        tags=request.tags,
        document=None if request.scope == SCOPE_ALL else document,
        annotation_ids=annotation_ids if request.scope == SCOPE_SELECTED else None,
    )
    job = ExportJob(parent, selection, request.format, destination, source.path)
    return job


def check_destination(source: store.Store, fmt: str, destination: str) -> None:
    """Refuse a destination that is the annotation file, its -wal or -shm, or not a regular file.

    Raises:
        UnsafePathError: the message says why; nothing was written.
    """
    protected = [source.path] if source.path and source.path != ":memory:" else []
    dest = Path(destination)
    safeio.check_output(dest, protected=protected)
    if fmt in ONE_DOCUMENT_FORMATS:
        safeio.check_output(dest.with_suffix(".txt"), protected=protected)


def dialog_for(parent: QWidget, tags: Sequence[model.Tag], has_selection: bool, selected_only: bool) -> ExportDialog:
    """Make the export dialog as :func:`ask_request` shows it."""
    dialog = ExportDialog(tags, has_selection, parent)
    if selected_only and has_selection:
        dialog.scope_buttons[SCOPE_SELECTED].setChecked(True)
    return dialog


def ask_request(parent: QWidget, tags: Sequence[model.Tag], has_selection: bool, selected_only: bool) -> Request | None:
    """Show the export dialog; None when cancelled; the format is remembered. Tests replace this function."""
    dialog = dialog_for(parent, tags, has_selection, selected_only)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    request = dialog.request()
    settings.put("export_format", request.format)
    return request


def default_folder() -> Path:
    """Where the file dialog opens: the folder used last, else the user's Documents folder (else home);
    never Warrant's hidden data folder, nor a folder that no longer exists."""
    hidden = settings.data_dir().parent
    for candidate in (
        str(settings.get("export_folder") or ""),
        QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation),
    ):
        if not candidate:
            continue
        folder = Path(candidate)
        if folder.is_dir() and not _inside(folder, hidden):
            return folder
    return Path.home()


def _inside(folder: Path, parent: Path) -> bool:
    try:
        return folder.resolve().is_relative_to(parent.resolve())
    except OSError:
        return False


def suggest_destination(source: store.Store, fmt: str, folder: Path) -> Path:
    """The proposed export name in ``folder``: the annotation file's name with the format's extension, never
    the annotation file itself or one of its side files (``notes.md`` exported as Markdown is ``notes-export.md``)."""
    ext = exchange.extension(fmt)
    stem = Path(source.path).name if source.path and source.path != ":memory:" else "annotations"
    stem = stem[: -len(store.SUFFIX)] if stem.endswith(store.SUFFIX) else Path(stem).stem
    for name in (f"{stem}{ext}", f"{stem}-export{ext}", f"{stem}-export-2{ext}"):
        candidate = folder / name
        try:
            check_destination(source, fmt, str(candidate))
        except errors.UnsafePathError:
            continue
        return candidate
    return folder / f"annotations-export{ext}"


def ask_destination(parent: QWidget, source: store.Store, fmt: str) -> str | None:
    """Ask where to write, in :func:`default_folder` with :func:`suggest_destination`'s name; the folder is
    remembered. Tests replace this function."""
    ext = exchange.extension(fmt)
    suggestion = suggest_destination(source, fmt, default_folder())
    path, _ = QFileDialog.getSaveFileName(parent, parent.tr("Export To"), str(suggestion), f"*{ext}")
    if not path:
        return None
    path = path if path.endswith(ext) else path + ext
    settings.put("export_folder", str(Path(path).parent))
    return path
