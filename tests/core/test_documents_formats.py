"""Every format's loader, on files written by independent tools: reportlab and LibreOffice (PDF),
python-docx, pandoc and LibreOffice (docx, odt, epub), the standard library's ``email`` (MHTML).

LibreOffice and pandoc are used when installed (Debian ``libreoffice-writer-nogui``, ``pandoc``);
the tests that need them skip with the reason otherwise.
"""

from __future__ import annotations

import email.message
import email.policy
import re
import shutil
import socket
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

from desktop.core import documents, errors, model
from desktop.core.documents import archive, pdf

sys.path.insert(0, str(Path(__file__).resolve().parent))
import document_samples

# -- PDF (reportlab) ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    return path, document_samples.make_pdf(path, 5, two_columns_on=(3,))


def test_pdf_lines_unwrapped_into_whole_paragraphs(report_pdf: tuple[Path, list[str]]) -> None:
    path, paragraphs = report_pdf
    doc = documents.load(path)
    assert doc.kind == "pdf"
    body = doc.text.split("\n\nNotes\n\n")[0].split("\n\n")
    assert body == paragraphs  # every paragraph whole, in reading order, nothing else in the body


def test_pdf_running_header_and_page_numbers_are_dropped(report_pdf: tuple[Path, list[str]]) -> None:
    doc = documents.load(report_pdf[0])
    assert "Annual Report 2025" not in doc.text
    assert not re.search(r"(?m)^\d+$", doc.text)


def test_pdf_two_columns_read_left_then_right(report_pdf: tuple[Path, list[str]]) -> None:
    path, paragraphs = report_pdf
    doc = documents.load(path)
    on_three = [p for p in paragraphs if "on page 3." in p]
    assert len(on_three) == 4
    positions = [doc.text.index(p) for p in on_three]
    assert positions == sorted(positions)


def test_pdf_footnotes_move_to_the_end_with_their_page(report_pdf: tuple[Path, list[str]]) -> None:
    doc = documents.load(report_pdf[0])
    notes = doc.text.split("\n\nNotes\n\n")[1].split("\n\n")
    assert len(notes) == 5
    for page, note in enumerate(notes, start=1):
        assert note == f"[p. {page}] {page} {document_samples.SOURCES[page % len(document_samples.SOURCES)]}"
    assert any(s.style == "h2" and doc.text[s.start : s.end] == "Notes" for s in doc.spans)


def test_pdf_page_map_puts_every_paragraph_on_its_page(report_pdf: tuple[Path, list[str]]) -> None:
    path, paragraphs = report_pdf
    doc = documents.load(path)
    assert len(doc.page_starts) == 5 and doc.page_starts[0] == 0
    stored = model.Document(doc.fingerprint, doc.title, doc.path, doc.text, doc.kind, page_starts=doc.page_starts)
    for paragraph in paragraphs:
        page = int(re.search(r"on page (\d+)", paragraph)[1])  # type: ignore[index]
        start = doc.text.index(paragraph)
        assert stored.page_at(start) == page
        assert stored.page_at(start + len(paragraph) - 1) == page
        assert documents.page_label(doc, start) == f"p. {page}"
    assert documents.page_label(documents.from_text("no pages here"), 3) == ""


def test_pdf_hyphen_at_line_end_rejoins_the_word(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "hyphen.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("Helvetica", 11)
    for n, line in enumerate(
        ("The programme was well estab-", "lished in the north, and the", "co-operation improved.")
    ):
        c.drawString(72, 700 - 14 * n, line)
    c.save()
    text = documents.load(path).text
    assert text == "The programme was well established in the north, and the co-operation improved."


def test_pdf_indexes_stay_right_after_glyphs_without_text(tmp_path: Path) -> None:
    # pdfium counts 30 characters for 30 glyphs it cannot map to Unicode, but get_text_range() holds
    # none of them: taking string offsets for character indexes put the heading's box 30 characters
    # late, and the heading was read as body text (no h1 span, no paragraph break).
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font.exists():
        pytest.skip("DejaVu Sans (Debian fonts-dejavu-core) is not installed")
    pdfmetrics.registerFont(TTFont("DejaVuTest", str(font)))
    path = tmp_path / "glyphs.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("DejaVuTest", 11)
    c.drawString(72, 700, "\U0001d400" * 30 + " bold maths letters")
    c.setFont("DejaVuTest", 22)
    c.drawString(72, 660, "Heading after them")
    c.setFont("DejaVuTest", 11)
    c.drawString(72, 630, "Body text follows the heading here.")
    c.save()
    doc = documents.load(path)
    assert doc.text.endswith("Heading after them\n\nBody text follows the heading here.")
    assert [doc.text[s.start : s.end] for s in doc.spans if s.style == "h1"] == ["Heading after them"]


def test_encrypted_pdf_needs_its_password(tmp_path: Path) -> None:
    path = tmp_path / "secret.pdf"
    document_samples.make_pdf(path, 1, encrypt="s3cret")
    with pytest.raises(errors.PasswordRequiredError, match="protected by a password") as info:
        documents.load(path)
    assert info.value.path == str(path)
    with pytest.raises(errors.PasswordRequiredError, match="not right"):
        documents.load(path, password="nope")
    assert "Paragraph 1.1" in documents.load(path, password="s3cret").text


def test_scanned_pdf_needs_ocr(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path))
    c.rect(72, 72, 300, 500, fill=1)
    c.showPage()
    c.rect(72, 72, 300, 500, fill=1)
    c.save()
    with pytest.raises(errors.NoTextLayerError, match="needs OCR"):
        documents.load(path)


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7\n1 0 obj garbage", b"%PDF-", b"%PDF-1.4\n" + bytes(range(256)) * 40, b"not a pdf at all"]
)
def test_corrupt_pdf_is_a_clear_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(data)
    with pytest.raises(errors.DocumentError, match="damaged|no text") as info:
        documents.load(path)
    assert str(path) in str(info.value)


def test_truncated_pdf_is_a_clear_error_or_its_readable_part(
    report_pdf: tuple[Path, list[str]], tmp_path: Path
) -> None:
    data = report_pdf[0].read_bytes()
    for cut in (len(data) // 3, len(data) // 2, len(data) - 200):
        path = tmp_path / f"cut{cut}.pdf"
        path.write_bytes(data[:cut])
        try:
            doc = documents.load(path)
        except errors.DocumentError as exc:
            assert str(path) in str(exc)
        else:
            assert doc.text


def test_progress_is_reported_for_long_pdfs(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    document_samples.make_pdf(path, 25, paragraphs_per_page=1, footnote=False)
    seen: list[tuple[int, int]] = []
    documents.load(path, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (25, 25) and len(seen) >= 3 and seen == sorted(seen)


# -- Word, OpenDocument, EPUB ---------------------------------------------------------------------


def test_docx_from_python_docx_keeps_headings_lists_and_emphasis(tmp_path: Path) -> None:
    path = tmp_path / "findings.docx"
    paragraphs = document_samples.make_docx(path, 4)
    doc = documents.load(path)
    assert doc.kind == "docx" and doc.title == "Findings of the review"
    for paragraph in paragraphs:
        assert paragraph in doc.text
    assert "\u2022 First recommendation\n\u2022 Second recommendation" in doc.text
    styles = {(doc.text[s.start : s.end], s.style) for s in doc.spans}
    assert ("Findings of the review", "h1") in styles and ("Finding 1.", "bold") in styles
    assert any(style == "italic" and text.startswith("Analysts read") for text, style in styles)


def test_docx_external_picture_and_link_are_never_fetched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "linked.docx"
    document_samples.make_docx(path, 2, image_url="http://example.invalid/tracker.png")
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: pytest.fail(f"fetched {a!r}"))
    monkeypatch.setattr(socket.socket, "connect", lambda *a, **k: pytest.fail("opened a connection"))
    doc = documents.load(path)
    assert "a linked source" in doc.text and "example.invalid" not in doc.text


def _zip(path: Path, members: dict[str, bytes], *, stored: tuple[str, ...] = ()) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data, compress_type=zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)


@pytest.mark.parametrize("suffix", [".docx", ".epub", ".odt"])
def test_zip_bomb_is_refused_before_inflating(tmp_path: Path, suffix: str) -> None:
    # 300 MB of zeros deflate to 300 KB: refused from the sizes in the zip's directory, never inflated.
    path = tmp_path / f"bomb{suffix}"
    bomb = zipfile.ZipInfo("word/document.xml" if suffix == ".docx" else "content.xml")
    bomb.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "mimetype",
            {".epub": "application/epub+zip", ".odt": "application/vnd.oasis.opendocument.text"}.get(suffix, "x"),
        )
        with z.open(bomb, "w", force_zip64=True) as out:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                out.write(chunk)
    assert path.stat().st_size < 2_000_000
    with pytest.raises(errors.DocumentError, match="zip bomb"):
        documents.load(path)


def test_zip_with_too_many_parts_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_ENTRIES", 50)
    path = tmp_path / "many.epub"
    _zip(path, {"mimetype": b"application/epub+zip", **{f"x{n}": b"" for n in range(60)}}, stored=("mimetype",))
    with pytest.raises(errors.DocumentError, match="61 parts"):
        documents.load(path)


@pytest.mark.parametrize("suffix", [".docx", ".odt", ".epub"])
def test_corrupt_containers_are_clear_errors(tmp_path: Path, suffix: str) -> None:
    for n, data in enumerate((b"PK\x03\x04junk", b"", b"plain words, not a zip")):
        path = tmp_path / f"bad{n}{suffix}"
        path.write_bytes(data)
        with pytest.raises(errors.DocumentError) as info:
            documents.load(path)
        assert str(path) in str(info.value)
    path = tmp_path / f"empty{suffix}"
    _zip(path, {"unrelated.txt": b"hello"})
    with pytest.raises(errors.DocumentError, match="not a|no "):
        documents.load(path)
    path = tmp_path / f"badxml{suffix}"
    _zip(
        path,
        {
            "mimetype": b"application/epub+zip",
            "word/document.xml": b"<w:document><unclosed",
            "content.xml": b"<office:document-content><unclosed",
            "META-INF/container.xml": b"<container><unclosed",
        },
    )
    with pytest.raises(errors.DocumentError, match="damaged"):
        documents.load(path)


def test_epub_in_spine_order_not_manifest_order(tmp_path: Path) -> None:
    path = tmp_path / "book.epub"
    container = (
        b'<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
        b'<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>'
    )
    opf = (
        b'<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">'
        b'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>The Book</dc:title></metadata>'
        b'<manifest><item id="a" href="one.xhtml" media-type="application/xhtml+xml"/>'
        b'<item id="b" href="text/two%20b.xhtml" media-type="application/xhtml+xml"/>'
        b'<item id="remote" href="http://example.invalid/x.xhtml" media-type="application/xhtml+xml"/></manifest>'
        b'<spine><itemref idref="b"/><itemref idref="remote"/><itemref idref="a"/></spine></package>'
    )

    def chapter(title: str, body: str) -> bytes:
        return (
            f'<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>{title}</title>'
            f'</head><body><h1>{title}</h1><p>{body} <img src="http://example.invalid/p.png" alt="a map"/></p></body></html>'
        ).encode()

    _zip(
        path,
        {
            "mimetype": b"application/epub+zip",
            "META-INF/container.xml": container,
            "OEBPS/content.opf": opf,
            "OEBPS/one.xhtml": chapter("Chapter One", "First <em>chapter</em> text."),
            "OEBPS/text/two b.xhtml": chapter("Preface", "The preface comes first in the spine."),
        },
        stored=("mimetype",),
    )
    doc = documents.load(path)
    assert doc.title == "The Book" and doc.kind == "epub"
    assert doc.text == (
        "Preface\n\nThe preface comes first in the spine. a map\n\nChapter One\n\nFirst chapter text. a map"
    )
    assert [(doc.text[s.start : s.end], s.style) for s in doc.spans] == [
        ("Preface", "h1"),
        ("Chapter One", "h1"),
        ("chapter", "italic"),
    ]


def test_epub_entities_are_not_expanded(tmp_path: Path) -> None:
    path = tmp_path / "laughs.epub"
    laughs = b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><container xmlns="urn:oasis:names:tc:opendocument:xmlns:container">&b;</container>'
    _zip(path, {"mimetype": b"application/epub+zip", "META-INF/container.xml": laughs}, stored=("mimetype",))
    with pytest.raises(errors.DocumentError, match="names no package file"):
        documents.load(path)


# -- MHTML and saved web pages --------------------------------------------------------------------


def _mhtml(path: Path, html: str, charset: str = "utf-8") -> None:
    message = email.message.EmailMessage(policy=email.policy.SMTP)
    message["Subject"] = "Saved page"
    message["MIME-Version"] = "1.0"
    message.make_related()
    message.add_related(
        html.encode(charset), maintype="text", subtype="html", cte="quoted-printable", params={"charset": charset}
    )
    message.add_related(
        b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
        maintype="image",
        subtype="png",
        headers=["Content-Location: http://example.invalid/a.png"],
    )
    path.write_bytes(bytes(message))


def test_mhtml_saved_page_is_read_without_fetching(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "page.mhtml"
    _mhtml(
        path,
        "<html><head><title>Caf\u00e9 report</title></head><body><h1>Caf\u00e9 report</h1>"
        "<p>The r\u00e9sum\u00e9 says \u201cyes\u201d. <img src='http://example.invalid/a.png' alt='chart'></p></body></html>",
        "windows-1252",
    )
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: pytest.fail(f"fetched {a!r}"))
    monkeypatch.setattr(socket.socket, "connect", lambda *a, **k: pytest.fail("opened a connection"))
    doc = documents.load(path)
    assert doc.title == "Caf\u00e9 report" and doc.kind == "mhtml"
    assert doc.text == "Caf\u00e9 report\n\nThe r\u00e9sum\u00e9 says \u201cyes\u201d. chart"


def test_mhtml_without_html_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "page.mht"
    path.write_bytes(
        b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=x\r\n\r\n--x\r\nContent-Type: image/png\r\n\r\nPNG\r\n--x--\r\n"
    )
    with pytest.raises(errors.DocumentError, match="no HTML part"):
        documents.load(path)


NEWS = """<html><head><title>Budget story</title></head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> NAVIGATION-TEXT</nav></header>
<aside class="sidebar">Advertisement SIDEBAR-TEXT <img src="http://example.invalid/ad.png"></aside>
<link rel="stylesheet" href="http://example.invalid/x.css"><script src="http://example.invalid/x.js"></script>
<article><h1>Budget story</h1>{paras}</article>
<section id="comments"><p>COMMENT-TEXT first!</p><p>COMMENT-TEXT second</p></section>
<footer>FOOTER-TEXT copyright</footer></body></html>"""


def test_web_page_reader_view_keeps_the_article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: pytest.fail(f"fetched {a!r}"))
    monkeypatch.setattr(socket.socket, "connect", lambda *a, **k: pytest.fail("opened a connection"))
    paras = "".join(
        f"<p>Paragraph {n}: the council's budget rose by four per cent, the report says, and the auditors found "
        "the increase was spent on schools and roads as promised.</p>"
        for n in range(10)
    )
    path = tmp_path / "story.html"
    path.write_text(NEWS.format(paras=paras), encoding="utf-8")
    article = documents.load(path)
    assert article.kind == "html-article" and article.title == "Budget story"
    for n in range(10):
        assert f"Paragraph {n}:" in article.text
    for dropped in ("NAVIGATION-TEXT", "SIDEBAR-TEXT", "COMMENT-TEXT", "FOOTER-TEXT"):
        assert dropped not in article.text
    full = documents.load(path, view="full")
    assert full.kind == "html" and "NAVIGATION-TEXT" in full.text and full.fingerprint != article.fingerprint
    assert documents.load(path, view="article").fingerprint == article.fingerprint


def test_plain_html_articles_are_shown_whole(testdata: Path) -> None:
    # No navigation or comments: the full text, exactly as before the reader view existed.
    for name in ("udhr_eng.html", "udhr_pes_1.html", "udhr_rus.html"):
        source = (testdata / "texts" / "udhr" / name).read_text(encoding="utf-8")
        doc = documents.load(testdata / "texts" / "udhr" / name)
        assert doc.kind == "html" and doc.text == documents.from_html(source).text


# -- the shared texts -------------------------------------------------------------------------------


def test_shared_texts_load_in_every_encoding_they_come_in(testdata: Path, tmp_path: Path) -> None:
    federalist = documents.load(testdata / "texts" / "federalist" / "Federalist1.txt")
    assert federalist.encoding == "utf-8" and "FEDERALIST" in federalist.text.upper()
    for name, encoding in (
        ("udhr_rus.txt", "koi8-r"),
        ("udhr_rus.txt", "cp1251"),
        ("udhr_pes_1.txt", "utf-16"),
        ("udhr_eng.txt", "utf-16-be"),
    ):
        text = documents.load(testdata / "texts" / "udhr" / name).text
        again = tmp_path / f"{encoding}-{name}"
        again.write_bytes(text.encode(encoding))
        assert documents.load(again, encoding=encoding).text == text


# -- files written by LibreOffice and pandoc ------------------------------------------------------

SOURCE_HTML = """<html><head><meta charset="utf-8"><title>Regional Health Review</title></head><body>
<h1>Regional Health Review</h1>
<p>The programme <b>reduced</b> waiting times in <i>every</i> region, according to the committee's survey of
patients and staff across the northern districts over three years.</p>
<h2>Findings</h2>
<ul><li>First recommendation: hire more nurses</li><li>Second recommendation: publish the waiting lists</li></ul>
<p>The auditors agreed with the figures.</p>
</body></html>"""

SOURCE_MD = """# Findings of the review

The programme **reduced** waiting times in *every* region.[^1]

- First recommendation
- Second recommendation

## Method

We read the [reports](http://example.invalid/x) and counted.

[^1]: Source: the household survey.
"""


@pytest.fixture(scope="module")
def libreoffice_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: Debian libreoffice-writer-nogui")
    folder = tmp_path_factory.mktemp("lo")
    source = folder / "review.html"
    source.write_text(SOURCE_HTML, encoding="utf-8")
    profile = folder / "profile"
    out = {}
    for target, suffix in (
        ("pdf:writer_pdf_Export", ".pdf"),
        ('docx:"MS Word 2007 XML"', ".docx"),
        ("odt", ".odt"),
        ("epub:EPUB", ".epub"),
    ):
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                target.replace('"', ""),
                "--outdir",
                str(folder),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        out[suffix] = folder / f"review{suffix}"
    return out


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".odt", ".epub"])
def test_libreoffice_files(libreoffice_files: dict[str, Path], suffix: str) -> None:
    path = libreoffice_files[suffix]
    if not path.exists():
        pytest.skip(f"this LibreOffice wrote no {suffix}")
    doc = documents.load(path)
    flat = " ".join(doc.text.split())
    assert (
        "The programme reduced waiting times in every region, according to the committee's survey of patients and "
        "staff across the northern districts over three years." in flat
    )
    assert "The auditors agreed with the figures." in doc.text
    assert "First recommendation: hire more nurses" in doc.text
    lines = [line.strip() for line in doc.text.split("\n")]
    assert any(line.endswith("Second recommendation: publish the waiting lists") for line in lines)
    assert "Findings" in lines
    if suffix in (".docx", ".odt"):  # LibreOffice's EPUB sets bold and headings by CSS classes only
        styles = {(doc.text[s.start : s.end], s.style) for s in doc.spans}
        assert ("reduced", "bold") in styles and ("every", "italic") in styles
    if suffix == ".pdf":
        assert len(doc.page_starts) >= 1


@pytest.fixture(scope="module")
def pandoc_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        pytest.skip("pandoc is not installed: Debian pandoc")
    folder = tmp_path_factory.mktemp("pandoc")
    source = folder / "review.md"
    source.write_text(SOURCE_MD, encoding="utf-8")
    out = {}
    for suffix in (".docx", ".odt", ".epub"):
        target = folder / f"review{suffix}"
        subprocess.run(
            [pandoc, str(source), "-o", str(target), "--metadata", "title=Review"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        out[suffix] = target
    return out


@pytest.mark.parametrize("suffix", [".docx", ".odt", ".epub"])
def test_pandoc_files_keep_the_footnote(pandoc_files: dict[str, Path], suffix: str) -> None:
    doc = documents.load(pandoc_files[suffix])
    assert "The programme reduced waiting times in every region." in doc.text.replace("[1]", "").replace("1\n", "\n")
    assert "Source: the household survey." in doc.text
    assert doc.text.index("Source: the household survey.") > doc.text.index("We read the reports and counted.")
    assert "example.invalid" not in doc.text
    styles = {(doc.text[s.start : s.end], s.style) for s in doc.spans}
    assert ("Findings of the review", "h1") in styles and ("Method", "h2") in styles
    assert ("reduced", "bold") in styles and ("every", "italic") in styles


# -- sniffing ---------------------------------------------------------------------------------------


def test_formats_are_sniffed_when_the_suffix_says_nothing(report_pdf: tuple[Path, list[str]], tmp_path: Path) -> None:
    renamed = tmp_path / "download"
    renamed.write_bytes(report_pdf[0].read_bytes())
    assert documents.load(renamed).kind == "pdf"
    docx = tmp_path / "findings.docx"
    document_samples.make_docx(docx, 1)
    other = tmp_path / "findings.bin"
    other.write_bytes(docx.read_bytes())
    assert documents.load(other).kind == "docx"


def test_pdf_page_starts_never_decrease() -> None:
    assert pdf._page_starts([0, None, 10, None]) == (0, 10, 10, 10)
    assert pdf._page_starts([None, 5, 3]) == (0, 5, 5)


def test_html_in_a_declared_legacy_charset(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    body = "\u0412\u0441\u0435 \u043b\u044e\u0434\u0438 \u0440\u043e\u0436\u0434\u0430\u044e\u0442\u0441\u044f."
    path.write_bytes(
        (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
            f"<title>T</title></head><body><p>{body}</p></body></html>"
        ).encode("cp1251")
    )
    doc = documents.load(path)
    assert doc.text == body and doc.encoding == "cp1251"


def test_persian_pdf_by_libreoffice_reads_in_logical_order(testdata: Path, tmp_path: Path) -> None:
    # pdfium gives the lam-alef ligature as alef + lam in right-to-left lines, and a line's final
    # comma first; both are put back. Zero-width non-joiners are not drawn, so no PDF holds them.
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: Debian libreoffice-writer-nogui")
    source = (testdata / "texts" / "udhr" / "udhr_pes_1.txt").read_text(encoding="utf-8")
    paragraphs = [" ".join(p.split()) for p in source.split("\n\n") if p.strip()][:4]
    article = tmp_path / "pes.txt"
    article.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(article)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    text = documents.load(tmp_path / "pes.pdf").text
    expected = "\n\n".join(paragraphs).replace("\u200c", "")
    assert "\u0627\u0639\u0644\u0627\u0645\u06cc\u0647" in text  # "declaration", with its lam-alef
    import difflib

    assert difflib.SequenceMatcher(None, text, expected, autojunk=False).ratio() > 0.995
    assert [p[-1] for p in text.split("\n\n")] == [p[-1] for p in expected.split("\n\n")]


def test_rtl_line_punctuation_goes_back_to_the_end() -> None:
    assert (
        pdf._rtl_trailing_punctuation("\u060c\u0646\u0627 \u0622\u0646\u0627\u0646")
        == "\u0646\u0627 \u0622\u0646\u0627\u0646\u060c"
    )
    assert pdf._rtl_trailing_punctuation(". English line") == ". English line"
