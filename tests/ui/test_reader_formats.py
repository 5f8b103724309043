"""The reader and the window with the new formats: no formatting carried over, right-to-left paragraphs
right-aligned, PDF pages in the status bar, passwords, scans, encodings and the web-page views."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QTextCursor
from PySide6.QtWidgets import QInputDialog, QMessageBox

from desktop.core import documents, errors
from desktop.ui import article_loading, main_window, opening, reader

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
import document_samples


def char_format_at(r: reader.Reader, offset: int) -> tuple[int, float]:
    cursor = QTextCursor(r.document())
    cursor.setPosition(r.u16.to_utf16(offset) + 1)
    fmt = cursor.charFormat()
    return fmt.fontWeight(), fmt.fontPointSize()


@pytest.mark.parametrize("second", ["udhr/udhr_rus.html", "federalist/Federalist1.txt"])
def test_no_formatting_carries_over_to_the_next_document(qtbot, testdata: Path, second: str) -> None:
    # Issue 11: after udhr_pes_1.html (which starts with a heading), the next article was all heading.
    r = reader.Reader()
    qtbot.addWidget(r)
    first = documents.load(testdata / "texts" / "udhr" / "udhr_pes_1.html")
    r.show_text(first.text, (), first.spans)
    assert char_format_at(r, 0)[0] == QFont.Weight.Bold  # the heading is bold here
    nxt = documents.load(testdata / "texts" / second)
    r.show_text(nxt.text, (), nxt.spans)
    heading_ends = {s.end for s in nxt.spans if s.style in ("h1", "h2", "h3", "h4", "bold")}
    plain = next(i for i in range(len(nxt.text) // 2, len(nxt.text)) if nxt.text[i].isalpha() and i not in heading_ends)
    covered = any(s.start <= plain < s.end for s in nxt.spans)
    if not covered:
        weight, size = char_format_at(r, plain)
        assert weight in (0, QFont.Weight.Normal) and size in (0.0, r.font().pointSizeF())
    block = r.document().findBlock(r.u16.to_utf16(plain))
    assert not block.blockFormat().alignment() & Qt.AlignmentFlag.AlignRight


@pytest.mark.parametrize("name", ["udhr_pes_1.txt", "udhr_pes_1.html", "udhr_pes_2.html"])
def test_persian_paragraphs_are_right_aligned(qtbot, testdata: Path, name: str) -> None:
    r = reader.Reader()
    qtbot.addWidget(r)
    doc = documents.load(testdata / "texts" / "udhr" / name)
    r.show_text(doc.text, (), doc.spans)
    paragraphs = [b for b in _blocks(r) if b.text().strip()]
    rtl = [b for b in paragraphs if reader.paragraph_direction(b.text()) == Qt.LayoutDirection.RightToLeft]
    assert len(rtl) > len(paragraphs) // 2
    for block in rtl:
        assert block.blockFormat().alignment() & Qt.AlignmentFlag.AlignRight
        assert block.blockFormat().layoutDirection() == Qt.LayoutDirection.RightToLeft


def test_english_paragraphs_stay_left_aligned(qtbot, testdata: Path) -> None:
    r = reader.Reader()
    qtbot.addWidget(r)
    doc = documents.load(testdata / "texts" / "udhr" / "udhr_eng.html")
    r.show_text(doc.text, (), doc.spans)
    assert not any(b.blockFormat().alignment() & Qt.AlignmentFlag.AlignRight for b in _blocks(r))


def _blocks(r: reader.Reader) -> list:
    out = []
    block = r.document().begin()
    while block.isValid():
        out.append(block)
        block = block.next()
    return out


def test_paragraph_direction_follows_the_first_strong_character() -> None:
    assert reader.paragraph_direction("12 \u0633\u0644\u0627\u0645 abc") == Qt.LayoutDirection.RightToLeft
    assert reader.paragraph_direction("\u00ab abc \u0633\u0644\u0627\u0645") == Qt.LayoutDirection.LeftToRight
    assert reader.paragraph_direction("123 ...") == Qt.LayoutDirection.LeftToRight


@pytest.fixture
def window(qtbot):
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    return w


def test_file_dialog_filter_lists_every_format() -> None:
    for suffix in documents.SUFFIXES + (".warrant",):
        assert f"*{suffix}" in opening.FILE_FILTER.split(";;")[0]
    assert (
        article_loading.is_openable("x.PDF")
        and article_loading.is_openable("x.docx")
        and not article_loading.is_openable("x.exe")
    )


def test_pdf_opens_with_its_page_in_the_status_bar(window, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    paragraphs = document_samples.make_pdf(pdf, 3)
    window.open_path(pdf, annotation_file=str(tmp_path / "a.warrant"))
    doc = window.session.document
    assert len(doc.page_starts) == 3
    label = window.findChild(type(window.file_label), "page_label")
    start = doc.text.index(paragraphs[-1][:40])
    window.reader.select_cp(start, start + 10)
    assert label.text().startswith("p. 3")
    window.reader.select_cp(0, 5)
    assert label.text().startswith("p. 1")
    # the page map was saved with the document: reopening the annotation file keeps it
    window.open_path(tmp_path / "a.warrant")
    assert window.session.document.page_starts == doc.page_starts


def test_encrypted_pdf_asks_for_the_password(window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = tmp_path / "secret.pdf"
    document_samples.make_pdf(pdf, 1, encrypt="s3cret")
    answers = iter([("wrong", True), ("s3cret", True)])
    asked: list[str] = []

    def answer(parent, title, label, echo=None, *args, **kwargs):
        asked.append(label)
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getText", answer)
    window.open_path(pdf, annotation_file=str(tmp_path / "a.warrant"))
    assert "protected by a password" in asked[0] and "not right" in asked[1]
    assert "Paragraph 1.1" in window.session.document.text


def test_encrypted_pdf_cancelled_is_a_clear_refusal(window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = tmp_path / "secret.pdf"
    document_samples.make_pdf(pdf, 1, encrypt="s3cret")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", False))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    assert not window.open_guarded(str(pdf))
    assert "needs its password" in shown[0]


def test_scanned_pdf_says_it_needs_ocr(window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = tmp_path / "scan.pdf"
    _scanned_pdf(pdf)
    monkeypatch.setattr(article_loading, "ocr_tool", lambda: None)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    assert not window.open_guarded(str(pdf))
    assert "OCR" in shown[0] and "no text layer" in shown[0]


def test_scanned_pdf_offers_the_ocr_tool_found(window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = tmp_path / "scan.pdf"
    _scanned_pdf(pdf)
    made = tmp_path / "made.pdf"
    document_samples.make_pdf(made, 1)
    monkeypatch.setattr(article_loading, "ocr_tool", lambda: "/usr/bin/ocrmypdf")
    runs: list[tuple[str, Path]] = []

    def fake_ocr(tool: str, source: Path, target: Path) -> None:  # stands in for the program
        runs.append((tool, source))
        target.write_bytes(made.read_bytes())

    monkeypatch.setattr(article_loading, "run_ocr", fake_ocr)
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.Yes)
    window.open_path(pdf, annotation_file=str(tmp_path / "a.warrant"))
    assert runs == [("/usr/bin/ocrmypdf", pdf)]
    assert "Paragraph 1.1" in window.session.document.text
    assert window.session.document.path == str(pdf)


def _scanned_pdf(path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    c.rect(72, 72, 300, 500, fill=1)  # a "picture" of a page, no text
    c.showPage()
    c.save()


def test_reopen_with_encoding(window, tmp_path: Path) -> None:
    article = tmp_path / "notes.txt"
    text = "Caf\u00e9 au lait \u2013 \u201cquoted\u201d, na\u00efve r\u00e9sum\u00e9.\n" * 20
    article.write_bytes(text.encode("cp1252"))
    window.open_path(article, annotation_file=str(tmp_path / "a.warrant"))
    assert window.session.document.text == text
    label = window.findChild(type(window.file_label), "page_label")
    window.refresh_page_label()
    assert "cp1252" in label.text()
    assert article_loading.reopen_with_encoding(window, "latin-1")
    assert window.session.document.text == text.encode("cp1252").decode("latin-1")


PAGE = """<html><head><title>Budget story</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a> NAVIGATION-TEXT</nav>
<div class="sidebar">Advertisement SIDEBAR-TEXT buy now</div>
<article><h1>Budget story</h1>{paras}</article>
<div id="comments"><p>COMMENT-TEXT first!</p></div>
<footer>FOOTER-TEXT copyright</footer></body></html>"""


def web_page(tmp_path: Path) -> Path:
    paras = "".join(
        f"<p>Paragraph {n}: the council's budget rose by four per cent, the report says, and the auditors "
        "found the increase was spent on schools and roads as promised in the spring statement.</p>"
        for n in range(12)
    )
    page = tmp_path / "story.html"
    page.write_text(PAGE.format(paras=paras), encoding="utf-8")
    return page


def test_web_page_reader_view_and_full_page_toggle(window, tmp_path: Path) -> None:
    page = web_page(tmp_path)
    window.open_path(page, annotation_file=str(tmp_path / "a.warrant"))
    article = window.session.document
    assert article.kind == "html-article"
    assert "Paragraph 11" in article.text and "NAVIGATION-TEXT" not in article.text
    assert article_loading.toggle_web_view(window)
    full = window.session.document
    assert full.kind == "html" and "NAVIGATION-TEXT" in full.text and "COMMENT-TEXT" in full.text
    assert article_loading.toggle_web_view(window)
    assert window.session.document.fingerprint == article.fingerprint  # the same document, same offsets


def test_dropping_a_docx_opens_it(window, tmp_path: Path, qtbot) -> None:
    docx = tmp_path / "findings.docx"
    document_samples.make_docx(docx, 3)
    assert window.open_guarded(str(docx))
    assert window.session.document.kind == "docx" and "Finding 3." in window.session.document.text


def test_bad_documents_give_a_dialog_and_no_traceback(window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    for name, data in (("bad.pdf", b"%PDF-1.7\n garbage"), ("bad.docx", b"PK\x03\x04 broken"), ("bad.epub", b"junk")):
        path = tmp_path / name
        path.write_bytes(data)
        assert not window.open_guarded(str(path))
        assert str(path) in shown[-1]
    assert len(shown) == 3
    with pytest.raises(errors.DocumentError):
        window.open_path(tmp_path / "bad.pdf")
