"""PDF with pypdfium2: lines unwrapped into paragraphs, running heads dropped, footnotes moved, a page map.

pdfium gives each page's text in content order with ``\\r\\n`` between lines and marks a line-end
hyphen it has joined as U+FFFE. Positions in pdfium count UTF-16 units; this module converts them to
code points before anything leaves it. Per line we ask pdfium for the box and font size of its first
and last characters (a few calls a line, not one a character), and from those:

* lines repeated at the top or bottom of most pages, and page numbers there, are dropped;
* on a page whose lines fall in two columns, the left column is read before the right;
* lines set smaller than the body at the foot of a page are footnotes, moved to a "Notes" section at
  the end, each prefixed with its page ("[p. 3]");
* lines are joined into paragraphs: a paragraph ends at a wider gap, a change of size, or a short
  line ending a sentence; U+FFFE hyphens are removed and the word rejoined.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from desktop.core import errors
from desktop.core.documents import _base
from desktop.core.documents._base import Span

Progress = Callable[[int, int], None]
"""Called as ``progress(pages_done, pages_total)`` while a long document loads."""

_PAGE_NUMBER = re.compile(
    r"^\s*(?:page\s+|p\.\s*|-\s*|–\s*)?(?:\d{1,5}|[ivxlcdm]{1,8})(?:\s*(?:of|/)\s*\d{1,5})?(?:\s*-|\s*–)?\s*$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_LIST_ITEM = re.compile(
    r"^(?:[\u2022\u25e6\u25aa\u2023\u25cf\u25cb\u25a0\u25a1\u2013\u2014*-]|\d{1,3}[.)]|[a-z][.)])\s"
)
_SENTENCE_END = tuple(".!?:;\"'”’)»")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class _Line:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    column_right: float = 0.0


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF) if not text.isascii() else len(text)


def _page_lines(textpage: object, pdfium_c: object, page_no: int) -> list[_Line]:
    """Split a page's text into lines with the boxes and sizes of their first and last visible characters.

    pdfium counts positions in UTF-16 units. When the page's text is exactly one UTF-16 unit per
    character index (nearly always), one ``get_text_range()`` call gives it and the indexes follow
    from UTF-16 lengths; otherwise the page is read character by character (:func:`_page_lines_by_char`).
    """
    raw = textpage.raw  # type: ignore[attr-defined]
    count = int(pdfium_c.FPDFText_CountChars(raw))  # type: ignore[attr-defined]
    text: str = textpage.get_text_range()  # type: ignore[attr-defined]
    if _utf16_len(text) != count:
        return _page_lines_by_char(textpage, pdfium_c, page_no)
    lines: list[_Line] = []
    index = 0  # pdfium char index (UTF-16 units) of the line's first character
    for line in text.split("\r\n"):
        length = _utf16_len(line)
        if "\u0627\u0644" in line:
            line = _lam_alef(textpage, line, index)
        stripped = line.strip()
        if stripped:
            first = index + _utf16_len(line[: len(line) - len(line.lstrip())])
            last = index + length - _utf16_len(line[len(line.rstrip()) :]) - 1
            if 0xDC00 <= ord(line.rstrip()[-1]) < 0xE000 or ord(line.rstrip()[-1]) > 0xFFFF:
                last -= 1  # the box of a character outside the BMP is at its first unit
            lines.append(_line(textpage, pdfium_c, page_no, stripped, first, last))
        index += length + 2
    return lines


_RECT: dict[int, Any] = {}
"""One reusable box for pdfium to write into (making a ctypes struct per line cost a third of the time)."""


def _lam_alef(textpage: object, line: str, index: int) -> str:
    """Undo pdfium's reversal of the lam-alef ligature in right-to-left text.

    One glyph (U+FEFB and its forms) maps to lam + alef; in a right-to-left line pdfium gives the two
    in visual order, alef first ("\u0627\u0644" for "\u0644\u0627": "\u0627\u0639\u0627\u0644\u0645\u06cc\u0647"
    for "\u0627\u0639\u0644\u0627\u0645\u06cc\u0647"). Both then have the one glyph's box, which a real
    alef followed by lam never has.
    """
    chars = list(line)
    position = line.find("\u0627\u0644")
    while position >= 0:
        at = index + _utf16_len(line[:position])
        if textpage.get_charbox(at) == textpage.get_charbox(at + 1):  # type: ignore[attr-defined]
            chars[position], chars[position + 1] = "\u0644", "\u0627"
        position = line.find("\u0627\u0644", position + 2)
    return "".join(chars)


def _line(textpage: object, pdfium_c: object, page_no: int, text: str, first: int, last: int) -> _Line:
    """A line with the loose boxes of its first and last characters and the first one's font size."""
    raw = textpage.raw  # type: ignore[attr-defined]
    rect = _RECT.get(id(pdfium_c))
    if rect is None:
        rect = _RECT[id(pdfium_c)] = pdfium_c.FS_RECTF()  # type: ignore[attr-defined]
    pdfium_c.FPDFText_GetLooseCharBox(raw, first, rect)  # type: ignore[attr-defined]
    left, bottom, right, top = rect.left, rect.bottom, rect.right, rect.top
    pdfium_c.FPDFText_GetLooseCharBox(raw, last, rect)  # type: ignore[attr-defined]
    l2, b2, r2, t2 = rect.left, rect.bottom, rect.right, rect.top
    size = float(pdfium_c.FPDFText_GetFontSize(raw, first))  # type: ignore[attr-defined]
    x0, x1 = min(left, l2), max(right, r2)  # a right-to-left line starts at the right
    text = _rtl_trailing_punctuation(text)
    return _Line(page_no, text, float(x0), float(x1), max(top, t2), min(bottom, b2), size or 10.0)


_RTL_LEADING_PUNCTUATION = re.compile(
    r"^([\u060c\u061b\u061f.,:;!?\u2026]+)(?=[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc])"
)


def _rtl_trailing_punctuation(text: str) -> str:
    """Put back at its end the punctuation pdfium reads at the start of a right-to-left line.

    A comma or full stop ending a Persian or Arabic line is drawn at the line's left edge and pdfium
    gives it first, so without this it would stick to the line's first word instead of its last.
    """
    found = _RTL_LEADING_PUNCTUATION.match(text)
    if found is None:
        return text
    return text[found.end() :] + found.group(1)


def _page_lines_by_char(textpage: object, pdfium_c: object, page_no: int) -> list[_Line]:
    """Split a page's characters into lines with their boxes, one character index at a time.

    pdfium's character indexes are not offsets into ``get_text_range()``'s string: a glyph with no
    Unicode mapping is a character there but no text, and a character outside the BMP is two UTF-16
    units. So the page is read one character index at a time (``FPDFText_GetUnicode``), surrogate
    pairs are combined into one code point, and each line keeps the indexes of its first and last
    visible characters for their boxes.
    """
    raw = textpage.raw  # type: ignore[attr-defined]
    get_unicode = pdfium_c.FPDFText_GetUnicode  # type: ignore[attr-defined]
    count = int(pdfium_c.FPDFText_CountChars(raw))  # type: ignore[attr-defined]
    lines: list[_Line] = []
    chars: list[str] = []
    first = last = -1
    high = 0

    def end_line() -> None:
        text = "".join(chars).strip()
        if text and first >= 0:
            lines.append(_line(textpage, pdfium_c, page_no, text, first, last))

    for index in range(count):
        code = int(get_unicode(raw, index))
        if code in (13, 10):
            if code == 10 or chars:
                end_line()
                chars, first, last = [], -1, -1
            continue
        if code == 0:
            continue  # a glyph without a Unicode mapping: nothing to show
        if 0xD800 <= code < 0xDC00:
            high = code
            continue
        if 0xDC00 <= code < 0xE000 and high:
            code = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00)
        high = 0
        chars.append(chr(code))
        if not chr(code).isspace():
            if first < 0:
                first = index
            last = index
    end_line()
    return lines


def _key(text: str) -> str:
    return _DIGITS.sub("#", text.strip().lower())


def _drop_running_lines(pages: list[list[_Line]], heights: list[float]) -> None:
    """Remove page numbers and lines repeated at the top or bottom of most pages."""
    edge_keys: collections.Counter[str] = collections.Counter()
    for lines in pages:
        ordered = sorted(lines, key=lambda ln: -ln.top)
        seen = {_key(ln.text) for ln in ordered[:2] + ordered[-2:]}
        edge_keys.update(seen)
    need = max(2, int(len(pages) * 0.5 + 0.5))
    for n, lines in enumerate(pages):
        if not lines:
            continue
        ordered = sorted(lines, key=lambda ln: -ln.top)
        height = heights[n]
        edges = ordered[:2] + ordered[-2:]
        drop = set()
        for line in edges:
            near_edge = line.top > height * 0.92 or line.bottom < height * 0.08
            if not near_edge:
                continue
            if _PAGE_NUMBER.match(line.text) or (len(pages) >= 2 and edge_keys[_key(line.text)] >= need):
                drop.add(id(line))
        if drop:
            lines[:] = [ln for ln in lines if id(ln) not in drop]


def _reading_order(lines: list[_Line], width: float) -> list[_Line]:
    """Left column before right on a two-column page; other pages keep pdfium's order."""
    left = [ln for ln in lines if ln.x1 < width * 0.53]
    right = [ln for ln in lines if ln.x0 > width * 0.47]
    if len(left) < 3 or len(right) < 3 or len(left) + len(right) < len(lines) * 0.6:
        return lines
    ordered: list[_Line] = []
    band_left: list[_Line] = []
    band_right: list[_Line] = []
    for line in sorted(lines, key=lambda ln: -ln.top):
        if line.x1 < width * 0.53:
            band_left.append(line)
        elif line.x0 > width * 0.47:
            band_right.append(line)
        else:  # a full-width line (title, figure caption) ends a band of columns
            ordered += band_left + band_right + [line]
            band_left, band_right = [], []
    return ordered + band_left + band_right


def _split_footnotes(lines: list[_Line], body_size: float, height: float) -> tuple[list[_Line], list[_Line]]:
    """Lines set smaller than the body, below every body line, in the lower half of the page, are footnotes."""
    body_lines = [ln for ln in lines if ln.size >= body_size * 0.9]
    if not body_lines:
        return lines, []
    floor = min(ln.bottom for ln in body_lines)
    foot = [ln for ln in lines if ln.size < body_size * 0.9 and ln.top <= floor and ln.top < height * 0.5]
    if not foot:
        return lines, []
    kept = [ln for ln in lines if ln.size >= body_size * 0.9 or ln.top > floor or ln.top >= height * 0.5]
    return kept, sorted(foot, key=lambda ln: -ln.top)


def _join(paragraph: str, line: str) -> str:
    if not paragraph:
        return line
    if paragraph.endswith("\ufffe"):
        return paragraph[:-1] + line
    if paragraph.endswith("-") and len(paragraph) > 1 and paragraph[-2].isalpha() and line[:1].islower():
        return paragraph + line  # a compound split at its hyphen: "co-" + "operation"
    return paragraph + " " + line


class _Builder:
    """Accumulates paragraphs into the canonical text, recording where each page starts."""

    def __init__(self, pages: int) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.paragraph = ""
        self.paragraph_style = ""
        self.page_offsets: list[int | None] = [None] * pages
        self.pending_pages: list[int] = []
        self.spans: list[Span] = []

    def flush(self) -> None:
        if not self.paragraph:
            return
        text = _CONTROL.sub("", self.paragraph).strip()
        self.paragraph = ""
        if not text:
            return
        if self.parts:
            self.parts.append("\n\n")
            self.length += 2
        for page in self.pending_pages:
            if self.page_offsets[page] is None:
                self.page_offsets[page] = self.length
        self.pending_pages = []
        if self.paragraph_style:
            self.spans.append(Span(self.length, self.length + len(text), self.paragraph_style))
        self.parts.append(text)
        self.length += len(text)

    def add(self, line: str, page: int, style: str) -> None:
        joined = _join(self.paragraph, line)
        if self.page_offsets[page] is None and page not in self.pending_pages:
            if self.paragraph:  # the page starts inside a paragraph: at the start of this line
                before = _CONTROL.sub("", joined[: len(joined) - len(line)]).lstrip()
                self.page_offsets[page] = self.length + (2 if self.parts else 0) + len(before)
            else:
                self.pending_pages.append(page)
        if not self.paragraph:
            self.paragraph_style = style
        self.paragraph = joined


def load(
    data: bytes, path: str, fallback: str, *, password: str | None = None, progress: Progress | None = None
) -> _base.LoadedDocument:
    """Load a PDF's text.

    Raises:
        PasswordRequiredError: the PDF is encrypted and ``password`` is missing or wrong.
        NoTextLayerError: no page has a text layer (a scan): it needs OCR first.
        DocumentError: the PDF is damaged or not a PDF.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(data, password=password)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise errors.PasswordRequiredError(
                f"{path} is protected by a password" if not password else f"the password for {path} is not right",
                path=path,
            ) from None
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise errors.DocumentError(f"{path} uses an encryption Warrant cannot read") from None
        raise errors.DocumentError(f"{path} is damaged or not a PDF (pdfium: {exc})") from None
    try:
        return _extract(pdf, pdfium_c, path, fallback, progress)
    finally:
        pdf.close()


def _extract(
    pdf: object, pdfium_c: object, path: str, fallback: str, progress: Progress | None
) -> _base.LoadedDocument:
    count = len(pdf)  # type: ignore[arg-type]
    pages: list[list[_Line]] = []
    widths: list[float] = []
    heights: list[float] = []
    for n in range(count):
        page = pdf[n]  # type: ignore[index]
        try:
            width, height = page.get_size()
            textpage = page.get_textpage()
            try:
                lines = _page_lines(textpage, pdfium_c, n)
            finally:
                textpage.close()
        finally:
            page.close()
        pages.append(lines)
        widths.append(float(width))
        heights.append(float(height))
        if progress is not None and (n % 10 == 9 or n == count - 1):
            progress(n + 1, count)
    if not any(pages):
        raise errors.NoTextLayerError(
            f"{path} has no text layer: its {count} page{'s are' if count != 1 else ' is'} only pictures "
            "(a scan). It needs OCR (text recognition) before it can be read and tagged.",
            path=path,
        )
    _drop_running_lines(pages, heights)
    weights: collections.Counter[float] = collections.Counter()
    for lines in pages:
        for ln in lines:
            weights[round(ln.size, 1)] += len(ln.text)
    body_size = _weighted_median(weights)
    builder = _Builder(count)
    notes: list[tuple[int, list[_Line]]] = []
    previous: _Line | None = None
    for n, lines in enumerate(pages):
        rest, foot = _split_footnotes(lines, body_size, heights[n])
        body = _reading_order(rest, widths[n])
        if foot:
            notes.append((n, foot))
        rights = _column_rights(body, widths[n])
        for line in body:
            line.column_right = rights[id(line)]
            style = _heading_style(line.size, body_size)
            if previous is not None and _starts_paragraph(previous, line, body_size, previous.column_right, style):
                builder.flush()
            builder.add(line.text, n, style)
            previous = line
    builder.flush()
    if notes:
        builder.parts.append("\n\nNotes")
        builder.spans.append(Span(builder.length + 2, builder.length + 7, "h2"))
        builder.length += 7
        for page_no, lines in notes:
            entry = ""
            for line in lines:
                if entry and re.match(r"^(\d{1,3}|[*†‡§])\s", line.text):
                    builder.paragraph = f"[p. {page_no + 1}] {entry}"
                    builder.flush()
                    entry = ""
                entry = _join(entry, line.text)
            if entry:
                builder.paragraph = f"[p. {page_no + 1}] {entry}"
                builder.flush()
    text = "".join(builder.parts)
    starts = _page_starts(builder.page_offsets)
    title = _metadata_title(pdf) or next((ln.text for lines in pages for ln in lines), "") or fallback
    notice = f"{count} pages" + (f"; footnotes of {len(notes)} pages moved to the end" if notes else "")
    return _base.finish(path, title[:200], text, "pdf", tuple(builder.spans), page_starts=starts, notice=notice)


def _weighted_median(weights: collections.Counter[float]) -> float:
    """The font size of the median character (the body text's size)."""
    half = sum(weights.values()) / 2
    seen = 0
    for size in sorted(weights):
        seen += weights[size]
        if seen >= half:
            return size
    return 10.0


def _column_rights(lines: list[_Line], width: float) -> dict[int, float]:
    """The right edge of the column of each line (by ``id``), so a full line is not taken for a short one."""
    groups: dict[str, list[_Line]] = {"left": [], "right": [], "full": []}
    for line in lines:
        groups["left" if line.x1 < width * 0.53 else "right" if line.x0 > width * 0.47 else "full"].append(line)
    if len(groups["left"]) < 3 or len(groups["right"]) < 3:
        edge = max((ln.x1 for ln in lines), default=0.0)
        return {id(ln): edge for ln in lines}
    out: dict[int, float] = {}
    for group in groups.values():
        edge = max((ln.x1 for ln in group), default=0.0)
        out.update((id(ln), edge) for ln in group)
    return out


def _heading_style(size: float, body: float) -> str:
    if size >= body * 1.6:
        return "h1"
    if size >= body * 1.3:
        return "h2"
    if size >= body * 1.12:
        return "h3"
    return ""


def _starts_paragraph(prev: _Line, line: _Line, body: float, column_right: float, style: str) -> bool:
    if _LIST_ITEM.match(line.text):
        return True
    if style != _heading_style(prev.size, body) or abs(line.size - prev.size) > body * 0.15:
        return True
    if line.page != prev.page:  # a paragraph runs on over the page only mid-sentence
        return prev.text.endswith(_SENTENCE_END) or not line.text[:1].islower()
    pitch = max(prev.size, line.size) * 1.25
    gap = prev.bottom - line.bottom
    if gap < -pitch:  # moved up: the next column
        return prev.text.endswith(_SENTENCE_END) or not line.text[:1].islower()
    if gap > pitch * 1.45:
        return True
    short = prev.x1 < column_right - max(body * 4, 30)
    return short and prev.text.endswith(_SENTENCE_END)


def _page_starts(offsets: list[int | None]) -> tuple[int, ...]:
    """Each page's first offset; a page without text starts where the next one does (or at the end)."""
    out: list[int] = []
    following = None
    for value in reversed(offsets):
        following = value if value is not None else following
        out.append(following if following is not None else -1)
    out.reverse()
    last = max((v for v in out if v >= 0), default=0)
    fixed = [v if v >= 0 else last for v in out]
    if fixed:
        fixed[0] = 0
    for i in range(1, len(fixed)):  # never decreasing, so that bisect finds the page
        fixed[i] = max(fixed[i], fixed[i - 1])
    return tuple(fixed)


def _metadata_title(pdf: object) -> str:
    try:
        meta = pdf.get_metadata_dict(skip_empty=True)  # type: ignore[attr-defined]
    except Exception:
        return ""
    title = str(meta.get("Title", "")).strip()
    return title if len(title) >= 3 and not title.lower().startswith(("microsoft word", "untitled")) else ""
