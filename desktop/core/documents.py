"""Loading .txt, .md and .html articles into one canonical text: exactly what the reader shows.

The canonical text is a ``str`` of code points. Line breaks are unified to ``\\n`` and a byte-order
mark is dropped; nothing else is changed (no Unicode normalisation). Markdown is rendered with the
``markdown`` package and HTML is reduced to its visible text: scripts, styles, frames, images and
links are never executed, fetched or made clickable, because the reader shows text only.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import html.parser
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from desktop.core import errors, safeio

MAX_BYTES = 256 * 1024 * 1024
"""Largest article accepted, so that a mistaken pick of a disk image fails fast and clearly."""

TEXT_SUFFIXES = (".txt", ".text")
MARKDOWN_SUFFIXES = (".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
SUFFIXES = TEXT_SUFFIXES + MARKDOWN_SUFFIXES + HTML_SUFFIXES


@dataclass(frozen=True)
class Span:
    """A stretch of the canonical text with a presentational style (heading, emphasis ...)."""

    start: int
    end: int
    style: str


@dataclass(frozen=True)
class LoadedDocument:
    """An article read from disk: canonical text, fingerprint, title and display hints."""

    path: str
    title: str
    text: str
    fingerprint: str
    kind: str
    spans: tuple[Span, ...] = field(default=())


def fingerprint(text: str) -> str:
    """Return the SHA-256 of a canonical text encoded as UTF-8, in hex."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def normalise_newlines(text: str) -> str:
    """Turn ``\\r\\n`` and lone ``\\r`` into ``\\n``; change nothing else."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(data: bytes, name: str) -> str:
    """Decode UTF-8, or UTF-16/32 when a byte-order mark says so; drop the mark.

    Args:
        data: the file's bytes.
        name: the file's name, for messages.

    Returns:
        The decoded text.

    Raises:
        DocumentError: the bytes are not text in one of those encodings.
    """
    encoding = ""
    for bom, candidate in _BOMS:
        if data.startswith(bom):
            encoding = candidate
            data = data[len(bom) :]
            break
    if not encoding:
        encoding = "utf-8"
        if b"\x00" in data:  # UTF-8 text never holds NUL: say what the file most likely is
            raise errors.DocumentError(_nul_message(data, name))
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise errors.DocumentError(
            f"{name} is not {encoding.upper()} text (undecodable byte at offset {exc.start}); "
            "save it as UTF-8 and open it again"
        ) from None
    if "\x00" in text:
        raise errors.DocumentError(f"{name} looks like a binary file, not an article (it contains NUL bytes)")
    return text


def _nul_message(data: bytes, name: str) -> str:
    sample = data[:65536]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if min(even, odd) == 0 and max(even, odd) >= len(sample) // 40:
        return (
            f"{name} looks like UTF-16 text without a byte-order mark, which cannot be told apart from "
            "binary data; save it as UTF-8 and open it again"
        )
    return f"{name} looks like a binary file, not an article (it contains NUL bytes)"


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """Read a file for opening, with a clear message for each way it can fail.

    Raises:
        DocumentError: missing, a directory, unreadable, empty or too large.
    """
    p = Path(path)
    try:
        if p.is_dir():
            raise errors.DocumentError(f"{p} is a folder, not an article")
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise errors.DocumentError(f"{p} is {size // (1024 * 1024)} MB; articles up to 256 MB can be opened")
        data = safeio.read_bounded(p, MAX_BYTES)  # never blocks on a FIFO, never reads a device
    except errors.UnsafePathError as exc:
        raise errors.DocumentError(str(exc)) from None
    except FileNotFoundError:
        raise errors.DocumentError(f"{p} does not exist") from None
    except PermissionError:
        raise errors.DocumentError(f"{p} cannot be read: permission denied") from None
    except OSError as exc:
        raise errors.DocumentError(f"{p} cannot be read: {exc.strerror or exc}") from None
    if not data:
        raise errors.DocumentError(f"{p} is empty")
    return data


_DATE_LIKE = re.compile(r"\b\d{4}\b|^\W*$")


def guess_title(text: str, fallback: str) -> str:
    """Pick a plain-text article's title: the first short line that reads like a headline."""
    seen = 0
    for line in text.split("\n", 40)[:40]:
        line = line.strip()
        if not line:
            continue
        seen += 1
        if seen > 5:
            break
        if len(line) <= 120 and len(line.split()) >= 3 and not _DATE_LIKE.search(line):
            return line
    return fallback


def load(path: str | os.PathLike[str]) -> LoadedDocument:
    """Load an article from disk.

    Args:
        path: a .txt, .md or .html file (other suffixes are read as plain text).

    Returns:
        The loaded document with its canonical text.

    Raises:
        DocumentError: the file cannot be read or decoded, or is empty once read.
    """
    p = Path(path)
    data = read_bytes(p)
    text = normalise_newlines(decode(data, str(p)))
    suffix = p.suffix.lower()
    fallback = p.stem.replace("_", " ").replace("-", " ").strip() or p.name
    if suffix in MARKDOWN_SUFFIXES:
        return from_markdown(text, str(p), fallback)
    if suffix in HTML_SUFFIXES:
        return from_html(text, str(p), fallback)
    return from_text(text, str(p), fallback)


def _finish(path: str, title: str, text: str, kind: str, spans: tuple[Span, ...] = ()) -> LoadedDocument:
    if not text.strip():
        raise errors.DocumentError(f"{path} has no text to read")
    return LoadedDocument(path=path, title=title, text=text, fingerprint=fingerprint(text), kind=kind, spans=spans)


def from_text(text: str, path: str = "", fallback: str = "Untitled") -> LoadedDocument:
    """Make a document of plain text (already decoded)."""
    text = normalise_newlines(text)
    return _finish(path, guess_title(text, fallback), text, "txt")


MARKDOWN_MAX_BRACKETS = 1000
"""More "[" than this in a Markdown article, and its brackets are shown as text (see from_markdown)."""


def from_markdown(source: str, path: str = "", fallback: str = "Untitled") -> LoadedDocument:
    """Render Markdown with the ``markdown`` package and keep its visible text."""
    import markdown  # imported here: only Markdown articles pay for it

    if source.count("[") > MARKDOWN_MAX_BRACKETS:
        # The markdown package's link parser is quadratic in unclosed "[" (8,000 took 15 s): a
        # document with this many is shown with its brackets as text rather than left to hang.
        source = source.replace("\\", "\\\\").replace("[", "\\[")
    try:
        rendered = markdown.markdown(source, output_format="html")
    except RecursionError:
        raise errors.DocumentError(
            f"{path or 'the Markdown'} is nested too deeply to render (lists or quotes hundreds of levels deep); "
            "open it as a .txt file instead"
        ) from None
    title, text, spans = html_to_text(rendered)
    return _finish(path, title or fallback, text, "md", spans)


def from_html(source: str, path: str = "", fallback: str = "Untitled") -> LoadedDocument:
    """Keep an HTML article's visible text; nothing in it is executed or fetched."""
    title, text, spans = html_to_text(source)
    return _finish(path, title or fallback, text, "html", spans)


_BLOCK = frozenset(
    "address article aside blockquote body dd details dialog div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody thead tfoot tr ul "
    "caption center".split()
)
_SKIP = frozenset("script style template iframe noscript object embed svg math canvas video audio select".split())
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_HEAD_CONTENT = frozenset("base link meta title style script noscript template".split())
"""What may stand in ``<head>``; anything else ends it, as in a browser (``</head>`` is optional)."""
_PARAGRAPH_BREAK = frozenset("p h1 h2 h3 h4 h5 h6 pre blockquote table ul ol".split())
_STYLE = {
    "h1": "h1",
    "h2": "h2",
    "h3": "h3",
    "h4": "h4",
    "h5": "h4",
    "h6": "h4",
    "strong": "bold",
    "b": "bold",
    "em": "italic",
    "i": "italic",
    "code": "code",
    "pre": "code",
    "blockquote": "quote",
}
_SPACES = re.compile(r"[ \t\n\f\r]+")


class _TextExtractor(html.parser.HTMLParser):
    """Collects the visible text of an HTML page with its block structure, iteratively (no recursion).

    Every handler does O(1) work (amortised), so hostile nesting or mismatched tags cannot make
    extraction quadratic.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.skip_depth = 0
        self.pre_depth = 0
        self.in_head = False
        self.in_title = False
        self.title_parts: list[str] = []
        self.first_h1: list[str] | None = None
        self.h1_depth = 0
        # Per styled tag, a stack of [start] cells; a start of -1 waits for the element's first text.
        self.open_styles: dict[str, list[list[int]]] = {}
        self.unstarted: list[list[int]] = []
        self.spans: list[Span] = []
        self.pending_break = 0
        self.at_line_start = True
        self.after_bullet = False

    def _emit(self, s: str) -> None:
        if not s:
            return
        if self.pending_break and not self.pre_depth and not s.strip(" "):
            return
        if self.pending_break and self.length:
            if not self.pre_depth:
                self._trim_trailing_spaces()
            brk = "\n" * self.pending_break
            self.parts.append(brk)
            self.length += len(brk)
            self.at_line_start = True
        self.pending_break = 0
        if not self.pre_depth and (self.at_line_start or (self.parts and self.parts[-1].endswith(" "))):
            s = s.lstrip(" ")  # white space collapses across elements too: never two spaces in a row
            if not s:
                return
        start = self.length
        self.parts.append(s)
        self.length += len(s)
        self.at_line_start = s.endswith("\n")
        self.after_bullet = False
        if self.unstarted:
            text = s if self.pre_depth else s.lstrip(" ")
            if text:  # a styled element starts at its first visible character
                for cell in self.unstarted:
                    cell[0] = start + len(s) - len(text)
                self.unstarted.clear()

    def _trim_trailing_spaces(self) -> None:
        last = self.parts[-1]
        trimmed = last.rstrip(" ")
        if trimmed == last:
            return
        self.parts[-1] = trimmed
        self.length -= len(last) - len(trimmed)
        # Spans are appended in order of their end, so only the last few can reach past the cut.
        i = len(self.spans) - 1
        while i >= 0 and self.spans[i].end > self.length:
            span = self.spans[i]
            if span.start >= self.length:
                del self.spans[i]
            else:
                self.spans[i] = Span(span.start, self.length, span.style)
            i -= 1

    def _block(self, lines: int) -> None:
        if self.length and not self.after_bullet:
            self.pending_break = max(self.pending_break, lines)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self.in_head = True
            return
        if self.in_head and (tag == "body" or tag not in _HEAD_CONTENT):
            self.in_head = False
        if tag in _SKIP:
            if tag not in _VOID:
                self.skip_depth += 1
            return
        if self.skip_depth:
            return
        if tag == "title":
            self.in_title = True
            return
        if tag == "br":
            self._emit_break()
            return
        if tag == "li":
            self.after_bullet = False
        if tag in _BLOCK:
            self._block(2 if tag in _PARAGRAPH_BREAK else 1)
        if tag == "pre":
            self.pre_depth += 1
        if tag == "li":
            self._emit("• ")
            self.after_bullet = True
        if tag == "h1" and self.first_h1 is None:
            self.first_h1 = []
            self.h1_depth = 1
        if tag in _STYLE:
            cell = [-1]
            self.open_styles.setdefault(tag, []).append(cell)
            self.unstarted.append(cell)
        if tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self._emit(_SPACES.sub(" ", alt))

    def _emit_break(self) -> None:
        self.parts.append("\n")
        self.length += 1
        self.at_line_start = True
        self.pending_break = 0
        self.after_bullet = False

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            return
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return  # void elements have no content; a stray end tag closes nothing
        if tag == "head":
            self.in_head = False
            return
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag == "title":
            self.in_title = False
            return
        if self.skip_depth:
            return
        stack = self.open_styles.get(tag)
        if stack:
            start = stack.pop()[0]
            end = self.length
            if end and not self.pre_depth and self.parts[-1].endswith(" "):
                end -= 1
            if 0 <= start < end:
                self.spans.append(Span(start, end, _STYLE[tag]))
        if tag == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)
        if tag == "h1" and self.h1_depth:
            self.h1_depth = 0
        if tag == "li":
            self.after_bullet = False
        if tag in _BLOCK:
            self._block(2 if tag in _PARAGRAPH_BREAK else 1)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
            return
        if self.skip_depth:
            return
        if self.in_head:
            if not data.strip():
                return
            self.in_head = False  # text in <head> starts the body, as in a browser
        if self.h1_depth and self.first_h1 is not None:
            self.first_h1.append(data)
        if self.pre_depth:
            self._emit(data)
        else:
            collapsed = _SPACES.sub(" ", data)
            if collapsed.strip() or not self.at_line_start:
                self._emit(collapsed)

    def text(self) -> str:
        return "".join(self.parts)


def html_to_text(source: str) -> tuple[str, str, tuple[Span, ...]]:
    """Reduce HTML to (title, visible text, style spans). Nothing is fetched or run.

    Args:
        source: the HTML.

    Returns:
        The page title (``<title>`` or first ``<h1>``), the visible text, and style spans.
    """
    parser = _TextExtractor()
    parser.feed(source)
    parser.close()
    raw = parser.text()
    # Trailing spaces before line breaks are an artefact of collapsing; strip them while keeping spans right.
    text = raw.rstrip()
    spans = tuple(Span(s.start, min(s.end, len(text)), s.style) for s in parser.spans if s.start < len(text))
    title = _SPACES.sub(" ", html.unescape("".join(parser.title_parts))).strip()
    if not title and parser.first_h1:
        title = _SPACES.sub(" ", "".join(parser.first_h1)).strip()
    return title[:200], text, spans
