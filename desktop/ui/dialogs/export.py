"""File > Export: choose the format, the scope and the destination; a progress dialog past half a second."""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, QTimer
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

from desktop.core import exchange, model, store
from desktop.core.exchange import scope

log = logging.getLogger(__name__)

CHOICES: tuple[tuple[str, str, bool], ...] = (
    ("CSV spreadsheet (.csv)", "csv", False),
    ("W3C Web Annotation collection (.jsonld)", "w3c", False),
    ("W3C Web Annotation, one per line (.jsonl)", "w3c", True),
    ("Markdown report (.md)", "markdown", False),
    ("HTML report (.html)", "html", False),
    ("Argdown argument map (.argdown)", "argdown", False),
)

SCOPE_ALL, SCOPE_DOCUMENT, SCOPE_SELECTED = "all", "document", "selected"


class ExportDialog(QDialog):
    """Asks what to export; :meth:`request` gives the answer."""

    def __init__(self, tags: Sequence[model.Tag], has_selection: bool, parent: QWidget | None = None) -> None:
        """Offer the formats, the scopes and a tag filter."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export"))
        self.format = QComboBox(self)
        for label, _, _ in CHOICES:
            self.format.addItem(self.tr(label))
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

    def request(self) -> tuple[str, bool, str, list[str] | None]:
        """(format, jsonl, scope, tags or None for all)."""
        _, fmt, jsonl = CHOICES[self.format.currentIndex()]
        chosen = next(k for k, b in self.scope_buttons.items() if b.isChecked())
        tags = [name for name, c in self.tag_checks.items() if c.isChecked()]
        return fmt, jsonl, chosen, None if len(tags) == len(self.tag_checks) else tags


def run_with_progress(parent: QWidget, label: str, work: concurrent.futures.Future[int]) -> int:
    """Wait for ``work`` with the event loop running; show a progress dialog if it takes over 0.5 s."""
    progress = QProgressDialog(label, "", 0, 0, parent)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setCancelButton(None)
    progress.setMinimumDuration(500)
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(30)
    timer.timeout.connect(lambda: loop.quit() if work.done() else progress.setValue(0))
    timer.start()
    if not work.done():
        loop.exec()
    timer.stop()
    progress.reset()
    return work.result()


def export(
    parent: QWidget,
    source: store.Store,
    fmt: str,
    destination: str,
    *,
    jsonl: bool = False,
    tags: Sequence[str] | None = None,
    document: str | None = None,
    annotation_ids: Sequence[str] | None = None,
) -> int:
    """Export in a worker thread (the selection is read here, on the store's thread); return the count.

    Raises:
        WarrantError: the export could not be made or written; the destination is unchanged.
    """
    selection = scope.select(source, tags=tags, document=document, annotation_ids=annotation_ids)

    def work() -> int:
        data = exchange.render_selection(selection, fmt, jsonl=jsonl)
        exchange.write_atomic(destination, data)
        return len(selection.annotations)

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return run_with_progress(parent, parent.tr("Exporting..."), pool.submit(work))


def ask_destination(parent: QWidget, source: store.Store, fmt: str, jsonl: bool) -> str | None:
    """Ask where to write; suggest a name beside the annotation file."""
    ext = exchange.extension(fmt, jsonl=jsonl)
    base = Path(source.path)
    suggestion = str(base.with_suffix(ext)) if source.path != ":memory:" else str(Path.home() / f"annotations{ext}")
    path, _ = QFileDialog.getSaveFileName(parent, parent.tr("Export To"), suggestion, f"*{ext}")
    if not path:
        return None
    return path if path.endswith(ext) else path + ext
