"""Opening PDF and Word files in the real window: to first paint and to usable, against a floor.

The documents are written on the spot by independent libraries (reportlab for PDFs, python-docx for
Word), deterministic, into the data folder. The floor does the same job with the least machinery:
the library's own text extraction of the same file (pypdfium2's ``get_text_range`` of every page;
for docx, zipfile + lxml joining every ``w:t`` of every paragraph) and a bare ``QPlainTextEdit``
showing that text, timed to its first paint and to idle.
"""

from __future__ import annotations

import os
import random
import time
import zipfile
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QPlainTextEdit

from benchmarks import measure
from benchmarks.scenarios_window import PaintCounter, _window, app, pump_until, settle

_WORDS = (
    "analysts committee report region waiting times evidence claim programme district survey staff funding "
    "hospital nurses ministry audit figures increase council budget schools roads spring statement rural "
    "northern patients managers returns published inflation series table household interviews office"
).split()


def _paragraph(rng: random.Random, n: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(60, 110))]
    return f"Paragraph {n}. " + " ".join(words).capitalize() + "."


def make_pdf(path: Path, pages: int) -> None:
    """A report of ``pages`` A4 pages: running header, page numbers, wrapped paragraphs, a footnote a page."""
    if path.exists():
        return
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    rng = random.Random(pages)
    width, height = A4
    c = canvas.Canvas(str(path), pagesize=A4)
    n = 0
    for page in range(1, pages + 1):
        c.setFont("Helvetica", 9)
        c.drawString(72, height - 40, "Regional Health Review 2025")
        c.drawCentredString(width / 2, 30, str(page))
        c.setFont("Helvetica", 10.5)
        y = height - 80
        while y > 120:
            n += 1
            line = ""
            for word in _paragraph(rng, n).split():
                trial = f"{line} {word}".strip()
                if c.stringWidth(trial, "Helvetica", 10.5) > width - 144:
                    c.drawString(72, y, line)
                    y -= 13
                    line = word
                else:
                    line = trial
            c.drawString(72, y, line)
            y -= 24
        c.setFont("Helvetica", 7)
        c.drawString(72, 60, f"{page} Source: {' '.join(rng.choice(_WORDS) for _ in range(8))}.")
        c.showPage()
    c.save()


def make_docx(path: Path, size: int = 1024 * 1024) -> None:
    """A Word report of about ``size`` bytes on disk: 300 KB of text in headed sections, and three pictures."""
    if path.exists():
        return
    import docx
    from docx.shared import Inches
    from PIL import Image

    rng = random.Random(size)
    document = docx.Document()
    document.add_heading("Regional Health Review", level=1)
    text = 0
    n = 0
    pictures = 3
    picture_bytes = max(0, size - 400_000) // pictures
    side = int((picture_bytes / 3) ** 0.5) + 1
    while text < 300_000:
        if n % 40 == 0:
            document.add_heading(f"Section {n // 40 + 1}", level=2)
            if n // 40 < pictures:
                image = path.with_name(f"picture-{n}.png")
                Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3)).save(image)
                document.add_picture(str(image), width=Inches(3))
                image.unlink()
        n += 1
        p = document.add_paragraph()
        sentence = _paragraph(rng, n)
        p.add_run(sentence[:20]).bold = True
        p.add_run(sentence[20:]).italic = n % 3 == 0
        text += len(sentence)
    document.save(str(path))


def _floor_pdf_text(path: Path) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        parts = []
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            parts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n".join(parts)
    finally:
        pdf.close()


def _floor_docx_text(path: Path) -> str:
    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    return "\n\n".join("".join(t.text or "" for t in p.iter(w + "t")) for p in root.iter(w + "p"))


def _measure(path: Path, folder: Path, repeat: int, floor_text: Any) -> dict[str, Any]:
    from desktop.ui import article_loading

    scratch = folder / "work" / f"documents-{os.getpid()}"
    scratch.mkdir(parents=True, exist_ok=True)
    window = _window()
    painted = PaintCounter(window.reader.viewport())
    reports: list[int] = []
    original = article_loading._progress

    def counting(parent: Any, title: str) -> Any:
        dialog, report = original(parent, title)

        def counted(done: int, total: int) -> None:
            reports.append(done)
            report(done, total)

        return dialog, counted

    article_loading._progress = counting  # type: ignore[assignment]
    first: list[float] = []
    usable: list[float] = []
    progress_calls: list[int] = []
    blank = folder / "blank.txt"
    blank.write_text("A short article to clear the window between rounds.\n", encoding="utf-8")
    for i in range(repeat + 1):
        window.open_path(str(blank), annotation_file=str(scratch / f"blank-{i}.warrant"))
        settle()
        before = painted.count
        reports.clear()
        t0 = time.perf_counter()
        window.open_path(str(path), annotation_file=str(scratch / f"doc-{i}.warrant"))
        t1 = pump_until(lambda b=before: painted.count > b)
        t2 = settle()
        if i:
            first.append(t1 - t0)
            usable.append(max(t1, t2) - t0)
            progress_calls.append(len(reports))
    peak = measure.peak_rss_mb()
    window.close()

    app()
    floor = QPlainTextEdit()
    floor.resize(window.reader.size())
    floor.show()
    floor_painted = PaintCounter(floor.viewport())
    floor_first: list[float] = []
    floor_usable: list[float] = []
    for i in range(repeat + 1):
        floor.setPlainText("")
        settle()
        before = floor_painted.count
        t0 = time.perf_counter()
        floor.setPlainText(floor_text(path))
        t1 = pump_until(lambda b=before: floor_painted.count > b)
        t2 = settle()
        if i:
            floor_first.append(t1 - t0)
            floor_usable.append(max(t1, t2) - t0)
    return {
        "first": {"warrant": first, "floor": floor_first},
        "usable": {"warrant": usable, "floor": floor_usable},
        "progress_reports": progress_calls,
        "peak_rss_mb": peak,
    }


def scenario_pdf(folder: Path, article: str, count: int, repeat: int) -> dict[str, Any]:
    """Open a PDF of ``count`` pages in the window (``article`` is unused)."""
    path = folder / f"report-{count}-pages.pdf"
    make_pdf(path, count)
    return _measure(path, folder, repeat, _floor_pdf_text)


def scenario_docx(folder: Path, article: str, count: int, repeat: int) -> dict[str, Any]:
    """Open a Word file of about ``count`` bytes in the window (``article`` is unused)."""
    path = folder / f"report-{count}.docx"
    make_docx(path, count)
    result = _measure(path, folder, repeat, _floor_docx_text)
    result["file_bytes"] = path.stat().st_size
    return result
