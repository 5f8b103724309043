"""Opening files in the window: article or annotation file, the default annotation file, start-up preview."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from desktop.core import documents, errors, model, store
from desktop.ui import settings

FILE_FILTER = documents.FILE_FILTER  # every format desktop.core.documents opens, and annotation files


def is_annotation_file(path: Path) -> bool:
    """True when ``path`` is (or claims to be) an annotation file rather than an article."""
    if path.suffix.lower() == store.SUFFIX:
        return True
    try:
        with path.open("rb") as f:
            return f.read(16) == store.SQLITE_MAGIC
    except OSError:
        return False


def default_annotation_path(doc: documents.LoadedDocument) -> Path:
    """The annotation file an article gets when none is named: one per article, in the data folder."""
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in Path(doc.path).stem)[:60] or "article"
    return settings.data_dir() / f"{stem}-{doc.fingerprint[:10]}{store.SUFFIX}"


def open_with_article(
    path: Path, loaded: documents.LoadedDocument, annotator: str | None
) -> tuple[store.Store, model.Document]:
    """Open (or create) an annotation file and add the article to it unless it is there already."""
    st = store.Store.open(path, annotator=annotator or settings.get("annotator") or None)
    try:
        return st, st.add_document(loaded)
    except errors.WarrantError:
        st.close()
        raise


class AfterFirstPaint(QObject):
    """Runs a callback once, in the event-loop turn after a widget's first paint."""

    def __init__(self, widget: QWidget, callback: Callable[[], object]) -> None:
        super().__init__(widget)
        self.callback: Callable[[], object] | None = callback
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.callback is not None:
            watched.removeEventFilter(self)
            callback, self.callback = self.callback, None
            QTimer.singleShot(0, callback)
        return False


def open_any(
    path: str | Path,
    *,
    annotation_file: str | None = None,
    annotator: str | None = None,
    load: Callable[[Path], documents.LoadedDocument] = documents.load,
) -> tuple[store.Store, model.Document, tuple[documents.Span, ...]]:
    """Open an article (with its annotation file) or an annotation file (its first document).

    ``load`` reads an article (the window's asks for a password, offers OCR and shows progress).

    Raises:
        WarrantError: the path cannot be opened; nothing is left open.
    """
    p = Path(path)
    if not p.exists():
        raise errors.DocumentError(f"{p} does not exist")
    if p.is_dir():
        raise errors.DocumentError(f"{p} is a folder, not an article or an annotation file")
    if is_annotation_file(p) and annotation_file is None:
        st = store.Store.open(p, annotator=annotator, create=False)
        try:
            titles = st.document_titles()
            first = st.document(titles[0][0]) if titles else None
        except errors.WarrantError:
            st.close()
            raise
        if first is None:
            st.close()
            raise errors.StoreError(f"{p} holds no document yet; open an article with --file {p}")
        return st, first, ()
    loaded = load(p)
    target = Path(annotation_file) if annotation_file else default_annotation_path(loaded)
    st, doc = open_with_article(target, loaded, annotator)
    return st, doc, loaded.spans
