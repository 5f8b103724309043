"""Opening articles in the window: progress, PDF passwords, OCR of scans, encodings, web-page views, pages.

The main window calls three things here, each with a one-line hunk: :func:`load_article` where it
loaded an article, :func:`install` once at the end of its constructor, and :data:`FILE_FILTER` /
:func:`is_openable` for File > Open and drag and drop. Everything else stays in this module.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QMenu, QMessageBox, QProgressDialog, QWidget

from desktop.core import documents, errors

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

FILE_FILTER = documents.FILE_FILTER
ANNOTATION_SUFFIX = ".warrant"


def is_openable(path: str) -> bool:
    """True for a file the window opens: an article in a supported format or an annotation file."""
    suffix = Path(path).suffix.lower()
    return suffix in documents.SUFFIXES or suffix == ANNOTATION_SUFFIX


def ocr_tool() -> str | None:
    """The OCR program on PATH (ocrmypdf preferred, else tesseract), or None. Never downloaded."""
    for name in ("ocrmypdf", "tesseract"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _progress(parent: QWidget, title: str) -> tuple[QProgressDialog, Any]:
    dialog = QProgressDialog(title, "", 0, 100, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setCancelButton(None)
    dialog.setMinimumDuration(400)  # a short load shows nothing

    def report(done: int, total: int) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(done)
        dialog.setLabelText(
            QCoreApplication.translate("opening", "Reading page %1 of %2...")
            .replace("%1", str(done))
            .replace("%2", str(total))
        )
        QCoreApplication.processEvents()

    return dialog, report


def load_article(
    window: QWidget,
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    view: str = "auto",
) -> documents.LoadedDocument:
    """Load an article for the window: a progress dialog for long PDFs, a password dialog, an OCR offer.

    Raises:
        WarrantError: the article cannot be opened (the user cancelled a password, the file is bad ...).
    """
    password: str | None = None
    source = Path(path)
    while True:
        dialog, report = _progress(
            window, QCoreApplication.translate("opening", "Opening %1...").replace("%1", source.name)
        )
        try:
            loaded = documents.load(source, encoding=encoding, password=password, view=view, progress=report)
            break
        except errors.PasswordRequiredError as exc:
            dialog.close()
            password, ok = QInputDialog.getText(
                window,
                QCoreApplication.translate("opening", "Password"),
                str(exc) + "\n" + QCoreApplication.translate("opening", "Password:"),
                QLineEdit.EchoMode.Password,
            )
            if not ok:
                raise errors.DocumentError(f"{source} was not opened: it needs its password") from None
        except errors.NoTextLayerError as exc:
            dialog.close()
            ocr_output = offer_ocr(window, source, str(exc))
            if ocr_output is None:
                raise
            source = ocr_output
        finally:
            dialog.close()
    setattr(window, "loaded_article", loaded)  # noqa: B010 - read by the status label and the reopen actions
    return dataclasses.replace(loaded, path=str(path)) if source != Path(path) else loaded


def offer_ocr(window: QWidget, pdf: Path, message: str) -> Path | None:
    """Say the PDF needs OCR; if an OCR program is on PATH, offer to run it. Returns the new PDF or None."""
    tool = ocr_tool()
    if tool is None:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            QCoreApplication.translate("opening", "Warrant"),
            message,
            QMessageBox.StandardButton.Ok,
            window,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(
            QCoreApplication.translate(
                "opening", "Install ocrmypdf or tesseract, or run OCR in another program, then open the result."
            )
        )
        box.exec()
        return None
    box = QMessageBox(
        QMessageBox.Icon.Question,
        QCoreApplication.translate("opening", "Warrant"),
        message,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        window,
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText(
        QCoreApplication.translate("opening", "Run %1 on it now? The original file is not changed.").replace(
            "%1", Path(tool).name
        )
    )
    if box.exec() != QMessageBox.StandardButton.Yes:
        return None
    out_dir = Path(tempfile.mkdtemp(prefix="warrant-ocr-"))
    target = out_dir / f"{pdf.stem}-ocr.pdf"
    try:
        run_ocr(tool, pdf, target)
    except (OSError, subprocess.SubprocessError) as exc:
        raise errors.DocumentError(f"OCR of {pdf} failed: {exc}") from None
    return target


def run_ocr(tool: str, pdf: Path, target: Path) -> None:
    """Make a PDF with a text layer from a scanned one, with ocrmypdf or (page images through) tesseract."""
    if Path(tool).name.startswith("ocrmypdf"):
        subprocess.run([tool, "--quiet", str(pdf), str(target)], check=True, timeout=3600, capture_output=True)
        return
    import pypdfium2 as pdfium

    work = target.parent
    images = []
    document = pdfium.PdfDocument(str(pdf))
    try:
        for n in range(len(document)):
            image = work / f"page-{n:05d}.png"
            document[n].render(scale=300 / 72).to_pil().save(image)
            images.append(str(image))
            QCoreApplication.processEvents()
    finally:
        document.close()
    listing = work / "pages.txt"
    listing.write_text("\n".join(images) + "\n", encoding="utf-8")
    subprocess.run(
        [tool, str(listing), str(target.with_suffix("")), "pdf"], check=True, timeout=3600, capture_output=True
    )


# -- the window's additions ---------------------------------------------------------------------------


def page_text(window: MainWindow) -> str:
    """What the status label shows: the page of the cursor (or the selected annotation) and the encoding."""
    sess = window.session
    if sess is None:
        return ""
    parts = []
    ids = window.pane.selected_ids() if window.pane.view.hasFocus() else []
    if ids and ids[0] in sess.annotations:
        offset = sess.annotations[ids[0]].start
    else:
        offset = window.reader.selection_cp()[0] if window.reader.text else 0
        if not window.reader.textCursor().hasSelection():
            offset = window.reader.u16.to_code_points(window.reader.textCursor().position())
    label = documents.page_label(sess.document, offset)
    if label:
        parts.append(label)
    loaded = getattr(window, "loaded_article", None)
    if loaded is not None and loaded.fingerprint == sess.document.fingerprint:
        if loaded.encoding:
            parts.append(loaded.encoding)  # the encoding a text was decoded with, detected or chosen
        if loaded.notice:
            parts.append(loaded.notice)
    return " \u00b7 ".join(parts)


def install(window: MainWindow) -> None:
    """Add the page/encoding label to the status bar and the document actions to the File menu."""
    label = QLabel(window)
    label.setObjectName("page_label")
    label.setTextFormat(Qt.TextFormat.PlainText)
    window.statusBar().insertPermanentWidget(0, label)

    def refresh() -> None:
        label.setText(page_text(window))
        loaded = getattr(window, "loaded_article", None)
        reopen.setEnabled(loaded is not None and loaded.kind in ("txt", "md", "html", "html-article"))
        web = loaded is not None and loaded.kind.startswith(("html", "mhtml"))
        toggle.setEnabled(web)
        toggle.setText(
            QCoreApplication.translate("opening", "Show &Reader View")
            if loaded is not None and not loaded.kind.endswith("-article")
            else QCoreApplication.translate("opening", "Show &Full Web Page")
        )

    window.reader.cursorPositionChanged.connect(refresh)
    window.reader.selectionChanged.connect(refresh)
    window.pane.view.selectionModel().selectionChanged.connect(lambda *_: refresh())
    window.document_box.currentIndexChanged.connect(lambda *_: refresh())

    reopen = QAction(QCoreApplication.translate("opening", "Reopen with &Encoding..."), window)
    reopen.setObjectName("file_reopen_encoding")
    reopen.triggered.connect(lambda: reopen_with_encoding(window))
    toggle = QAction(QCoreApplication.translate("opening", "Show &Full Web Page"), window)
    toggle.setObjectName("file_toggle_web_view")
    toggle.triggered.connect(lambda: toggle_web_view(window))
    file_menu = window.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu)
    anchor = window.recent_menu.menuAction()
    actions = file_menu.actions()
    after = (
        actions[actions.index(anchor) + 1] if anchor in actions and actions.index(anchor) + 1 < len(actions) else None
    )
    for action in (reopen, toggle):
        file_menu.insertAction(after, action)  # type: ignore[arg-type]
    window.opening_actions = (reopen, toggle)  # type: ignore[attr-defined]
    window.refresh_page_label = refresh  # type: ignore[attr-defined]
    refresh()


def _reopen(window: MainWindow, loaded: documents.LoadedDocument) -> None:
    from desktop.ui import opening

    window.preview(loaded)
    target = opening.default_annotation_path(loaded)
    window.attach(loaded, target, None)
    setattr(window, "loaded_article", loaded)  # noqa: B010
    window.refresh_page_label()  # type: ignore[attr-defined]


def reopen_with_encoding(window: MainWindow, encoding: str | None = None) -> bool:
    """Ask for an encoding (unless given) and open the article again decoded with it, as its own document."""
    loaded = getattr(window, "loaded_article", None)
    if loaded is None:
        return False
    if encoding is None:
        current = loaded.encoding or "utf-8"
        choices = list(documents.ENCODINGS)
        chosen, ok = QInputDialog.getItem(
            window,
            QCoreApplication.translate("opening", "Reopen with Encoding"),
            QCoreApplication.translate("opening", "Detected: %1. Decode the file as:").replace("%1", current),
            choices,
            choices.index(current) if current in choices else 0,
            True,
        )
        if not ok or not chosen:
            return False
        encoding = chosen
    try:
        again = load_article(window, loaded.path, encoding=encoding)
    except errors.WarrantError as exc:
        window.error(str(exc))
        return False
    _reopen(window, again)
    return True


def toggle_web_view(window: MainWindow) -> bool:
    """Switch a web page between the reader view and the full page text (each its own document)."""
    loaded = getattr(window, "loaded_article", None)
    if loaded is None or not loaded.kind.startswith(("html", "mhtml")):
        return False
    view = "full" if loaded.kind.endswith("-article") else "article"
    try:
        again = load_article(window, loaded.path, view=view)
    except errors.WarrantError as exc:
        window.error(str(exc))
        return False
    _reopen(window, again)
    return True
