"""What leaves the window as a file or on the clipboard: Save a Copy, Export (through the registry), Copy as Markdown."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from desktop.core import errors, store
from desktop.ui import session as session_mod

StatusSink = Callable[[str, int], None]
ErrorSink = Callable[[str], None]


def save_copy(parent: QWidget, st: store.Store, status: StatusSink, error: ErrorSink) -> None:
    """Write the annotation file as one consolidated file somewhere else."""
    suggestion = str(Path.home() / Path(st.path).name)
    path, _ = QFileDialog.getSaveFileName(
        parent, parent.tr("Save a Copy As"), suggestion, parent.tr("Warrant annotation files (*.warrant)")
    )
    if not path:
        return
    path += "" if path.endswith(store.SUFFIX) else store.SUFFIX
    try:
        st.save_copy(path)
    except errors.WarrantError as exc:
        error(str(exc))
        return
    status(parent.tr("Copy written to %s") % path, 6000)


def export(
    parent: QWidget,
    sess: session_mod.Session,
    selected: Sequence[str],
    status: StatusSink,
    error: ErrorSink,
    *,
    selected_only: bool = False,
) -> None:
    """File > Export: format, scope and destination; the file is written in a worker thread and the export
    finishes through the job's ``finished`` signal (no nested event loop)."""
    from desktop.ui.dialogs import export as export_dialog

    request = export_dialog.ask_request(parent, list(sess.tags), bool(selected), selected_only)
    destination = export_dialog.ask_destination(parent, sess.store, request.format) if request else None
    if request is None or destination is None:
        return
    try:
        job = export_dialog.start_export(
            parent, sess.store, request, destination, document=sess.document.fingerprint, annotation_ids=selected
        )
    except errors.WarrantError as exc:
        error(str(exc))
        return

    def finished(result: object) -> None:
        if isinstance(result, errors.WarrantError):
            error(str(result))
        else:
            status(parent.tr("Exported %d annotations to %s") % (result, destination), 8000)

    job.finished.connect(finished)
    job.start()


def copy_markdown(parent: QWidget, sess: session_mod.Session | None, ids: Sequence[str], status: StatusSink) -> None:
    """Copy the selected rows as Markdown."""
    from desktop.core.exchange import report, scope

    if sess is None or not ids:
        status(parent.tr("Select rows to copy"), 4000)
        return
    QApplication.clipboard().setText(report.annotations_markdown(scope.select(sess.store, annotation_ids=ids)))
    status(parent.tr("Copied %d passages as Markdown") % len(ids), 4000)
