"""Sample documents written by independent libraries (reportlab, python-docx) for the loader tests and benchmarks."""

from __future__ import annotations

import zipfile
from pathlib import Path

LOREM = (
    "Analysts read source documents and tag passages as claims, evidence and recommendations. "
    "The committee found that the programme reduced waiting times considerably in every region it covered, "
    "although the effect was smaller in rural districts where staffing remained a persistent difficulty. "
)


SOURCES = (
    "Household survey of the regional office, spring wave, table four.",
    "Interviews with ward managers held in the autumn; names withheld.",
    "Audit commission figures as published, not adjusted for inflation.",
    "Ministry statistics, series B; the rural series starts a year later.",
    "The committee's own count of waiting lists, checked against returns.",
)


def make_pdf(
    path: Path,
    pages: int = 3,
    *,
    header: str = "Annual Report 2025",
    footnote: bool = True,
    two_columns_on: tuple[int, ...] = (),
    paragraphs_per_page: int = 3,
    encrypt: str | None = None,
) -> list[str]:
    """Write a PDF with reportlab: running header, page numbers, footnotes, wrapped paragraphs.

    Returns:
        The body paragraphs written, in reading order (page by page, left column before right).
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    width, height = A4
    kwargs = {}
    if encrypt is not None:
        from reportlab.lib import pdfencrypt

        kwargs["encrypt"] = pdfencrypt.StandardEncryption(encrypt, canPrint=1)
    c = canvas.Canvas(str(path), pagesize=A4, **kwargs)
    written: list[str] = []

    def wrap(text: str, size: float, max_width: float) -> list[str]:
        words, lines, line = text.split(), [], ""
        for word in words:
            trial = f"{line} {word}".strip()
            if c.stringWidth(trial, "Helvetica", size) > max_width and line:
                lines.append(line)
                line = word
            else:
                line = trial
        if line:
            lines.append(line)
        return lines

    for page in range(1, pages + 1):
        c.setFont("Helvetica", 9)
        c.drawString(72, height - 40, header)
        c.drawCentredString(width / 2, 30, str(page))
        columns = [(72.0, width - 144)] if page not in two_columns_on else [(72.0, 210.0), (width / 2 + 10, 210.0)]
        per_column = paragraphs_per_page if len(columns) == 1 else 2
        for x, col_width in columns:
            y = height - 90
            for _ in range(per_column):
                text = f"Paragraph {page}.{len(written) + 1} on page {page}. " + LOREM
                written.append(text.strip())
                c.setFont("Helvetica", 11)
                for line in wrap(text, 11, col_width):
                    c.drawString(x, y, line)
                    y -= 14
                y -= 12
        if footnote:
            c.setFont("Helvetica", 7)
            source = SOURCES[page % len(SOURCES)]
            c.drawString(72, 60, f"{page} {source}")
        c.showPage()
    c.save()
    return written


def make_docx(path: Path, paragraphs: int = 20, *, image_url: str | None = None) -> list[str]:
    """Write a .docx with python-docx: a heading, paragraphs with bold and italic, a list."""
    import docx

    document = docx.Document()
    document.add_heading("Findings of the review", level=1)
    written = []
    for n in range(paragraphs):
        text = f"Finding {n + 1}. " + LOREM
        p = document.add_paragraph()
        p.add_run(f"Finding {n + 1}. ").bold = True
        p.add_run(LOREM).italic = n % 2 == 0
        written.append(text.strip())
    document.add_paragraph("First recommendation", style="List Bullet")
    document.add_paragraph("Second recommendation", style="List Bullet")
    document.save(str(path))
    if image_url is not None:
        _add_external_image(path, image_url)
    return written


def _add_external_image(path: Path, url: str) -> None:
    """Add a picture linked (not embedded) to ``url``, as Word writes for "Link to file"."""
    with zipfile.ZipFile(path) as z:
        items = {name: z.read(name) for name in z.namelist()}
    rels = items["word/_rels/document.xml.rels"].decode()
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdExt1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
        f'Target="{url}" TargetMode="External"/>'
        '<Relationship Id="rIdExt2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" '
        f'Target="{url}" TargetMode="External"/></Relationships>',
    )
    items["word/_rels/document.xml.rels"] = rels.encode()
    body = items["word/document.xml"].decode()
    drawing = (
        '<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
        '<wp:extent cx="100" cy="100"/><wp:docPr id="9" name="ext"/>'
        '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:nvPicPr><pic:cNvPr id="9" name="ext"/><pic:cNvPicPr/></pic:nvPicPr>'
        '<pic:blipFill><a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:link="rIdExt1"/></pic:blipFill>'
        "<pic:spPr/></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
        '<w:p><w:hyperlink xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rIdExt2">'
        "<w:r><w:t>a linked source</w:t></w:r></w:hyperlink></w:p>"
    )
    items["word/document.xml"] = body.replace("<w:sectPr", drawing + "<w:sectPr", 1).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items.items():
            z.writestr(name, data)
