"""Loading articles into one canonical text: exactly what the reader shows and what offsets count into.

One loader per format: plain text in any common encoding (:mod:`.text`), Markdown and HTML
(:mod:`.markup`), saved web pages with a reader view (:mod:`.web`), PDF with a page map (:mod:`.pdf`),
Word and OpenDocument (:mod:`.office`) and EPUB (:mod:`.epub`). Each gives a :class:`LoadedDocument`:
the canonical text (a ``str`` of code points, line breaks unified to ``\\n``, never Unicode-normalised),
style spans for the reader (headings, lists, emphasis) and, for paged formats, the offset at which each
page starts. Nothing in a document is executed, fetched or made clickable.

The format is told by the file's suffix, or by its first bytes when the suffix says nothing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from desktop.core import errors
from desktop.core.documents import _base, markup, text, web
from desktop.core.documents._base import (
    LoadedDocument,
    Span,
    fingerprint,
    guess_title,
    normalise_newlines,
)
from desktop.core.documents.markup import MARKDOWN_MAX_BRACKETS, from_html, from_markdown, html_to_text
from desktop.core.documents.pdf import Progress
from desktop.core.documents.text import ENCODINGS

__all__ = [
    "ENCODINGS",
    "FILE_FILTER",
    "FORMATS",
    "MARKDOWN_MAX_BRACKETS",
    "MAX_BYTES",
    "SUFFIXES",
    "LoadedDocument",
    "Progress",
    "Span",
    "decode",
    "fingerprint",
    "from_html",
    "from_markdown",
    "from_text",
    "guess_title",
    "html_to_text",
    "load",
    "normalise_newlines",
    "page_label",
]

MAX_BYTES = 256 * 1024 * 1024
"""Largest file accepted, so that a mistaken pick of a disk image fails fast and clearly."""

FORMATS: dict[str, tuple[str, ...]] = {
    "txt": (".txt", ".text"),
    "md": (".md", ".markdown"),
    "html": (".html", ".htm", ".xhtml"),
    "mhtml": (".mhtml", ".mht"),
    "pdf": (".pdf",),
    "docx": (".docx",),
    "odt": (".odt",),
    "epub": (".epub",),
}
"""Every format Warrant opens, with its file suffixes."""

TEXT_SUFFIXES = FORMATS["txt"]
MARKDOWN_SUFFIXES = FORMATS["md"]
HTML_SUFFIXES = FORMATS["html"]
SUFFIXES: tuple[str, ...] = tuple(s for suffixes in FORMATS.values() for s in suffixes)
"""Every suffix of a supported article (lower case, with the dot)."""

_FILTER_NAMES = {
    "pdf": "PDF",
    "docx": "Word",
    "odt": "OpenDocument text",
    "epub": "EPUB",
    "html": "Web pages",
    "mhtml": "Saved web pages (MHTML)",
    "md": "Markdown",
    "txt": "Plain text",
}


def _pattern(suffixes: tuple[str, ...]) -> str:
    return " ".join(f"*{s}" for s in suffixes)


FILE_FILTER = ";;".join(
    [f"Articles and annotation files ({_pattern(SUFFIXES)} *.warrant)"]
    + [f"{_FILTER_NAMES[kind]} ({_pattern(suffixes)})" for kind, suffixes in FORMATS.items()]
    + ["Annotation files (*.warrant)", "All files (*)"]
)
"""A Qt file-dialog filter listing every format (``QFileDialog.getOpenFileName(..., filter=FILE_FILTER)``)."""


def decode(data: bytes, name: str) -> str:
    """Decode text bytes (byte-order mark, UTF-8, else the most likely encoding); see :func:`text.decode`."""
    return text.decode(data, name)[0]


def sniff(data: bytes, suffix: str) -> str:
    """The format of a file: by its suffix, else by its first bytes (``txt`` when nothing says otherwise)."""
    for kind, suffixes in FORMATS.items():
        if suffix in suffixes:
            return kind
    head = data[:2048]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if b"mimetypeapplication/epub+zip" in head:
            return "epub"
        if b"mimetypeapplication/vnd.oasis.opendocument.text" in head:
            return "odt"
        if b"word/" in data[:200_000] or b"[Content_Types].xml" in head:
            return "docx"
        return "zip"
    lowered = head.lower()
    if b"mime-version:" in lowered and b"multipart/related" in lowered:
        return "mhtml"
    return "txt"


def load(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    password: str | None = None,
    view: str = web.AUTO,
    progress: Progress | None = None,
) -> LoadedDocument:
    """Load an article from disk.

    Args:
        path: a file in any of :data:`FORMATS` (an unknown suffix is sniffed, else read as plain text).
        encoding: for text formats, decode with this encoding instead of detecting one.
        password: for an encrypted PDF.
        view: for web pages, ``article`` (reader view), ``full`` (the whole page's text) or ``auto``.
        progress: called as ``progress(done, total)`` while a long PDF loads.

    Returns:
        The loaded document with its canonical text.

    Raises:
        PasswordRequiredError: an encrypted PDF and no (or a wrong) password.
        NoTextLayerError: a scanned PDF without text.
        DocumentError: the file cannot be read, is not a regular file, is damaged, or has no text.
    """
    p = Path(path)
    name = str(p)
    data = _base.read_bytes(p, MAX_BYTES)
    suffix = p.suffix.lower()
    fallback = p.stem.replace("_", " ").replace("-", " ").strip() or p.name
    kind = sniff(data, suffix)
    if kind == "pdf":
        from desktop.core.documents import pdf

        return pdf.load(data, name, fallback, password=password, progress=progress)
    if kind == "docx":
        from desktop.core.documents import office

        return office.load_docx(data, name, fallback)
    if kind == "odt":
        from desktop.core.documents import office

        return office.load_odt(data, name, fallback)
    if kind == "epub":
        from desktop.core.documents import epub

        return epub.load(data, name, fallback)
    if kind == "zip":
        raise errors.DocumentError(
            f"{name} looks like a binary file, not an article (a zip archive that is not a Word, OpenDocument "
            "or EPUB file)"
        )
    if kind == "mhtml":
        return web.from_page(web.mhtml_html(data, name), name, fallback, "mhtml", view)
    if kind == "html" and encoding is None:
        encoding = _declared_charset(data)
    decoded, used = text.decode(data, name, encoding)
    decoded = normalise_newlines(decoded)
    if kind == "md":
        loaded = markup.from_markdown(decoded, name, fallback)
    elif kind == "html":
        loaded = web.from_page(decoded, name, fallback, "html", view)
    else:
        loaded = from_text(decoded, name, fallback)
    return _with_encoding(loaded, used)


_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)


def _declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a ``<meta>`` tag, when its bytes are not UTF-8 and Python knows it."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return None  # a byte-order mark decides
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    found = _META_CHARSET.search(data[:8192])
    if found is None:
        return None
    import codecs

    try:
        return codecs.lookup(found.group(1).decode("ascii")).name
    except LookupError:
        return None


def _with_encoding(loaded: LoadedDocument, used: str) -> LoadedDocument:
    import dataclasses

    return dataclasses.replace(loaded, encoding=used)


def from_text(source: str, path: str = "", fallback: str = "Untitled") -> LoadedDocument:
    """Make a document of plain text (already decoded)."""
    source = normalise_newlines(source)
    return _base.finish(path, guess_title(source, fallback), source, "txt")


def page_label(document: LoadedDocument | object, offset: int) -> str:
    """Return "p. N" for the page holding code-point ``offset``, or "" when the document has no pages.

    Args:
        document: a :class:`LoadedDocument` or a ``model.Document`` (anything with ``page_starts``).
        offset: a code-point offset into its canonical text.
    """
    import bisect

    starts: tuple[int, ...] = getattr(document, "page_starts", ())
    if not starts:
        return ""
    return f"p. {max(1, bisect.bisect_right(starts, offset))}"


def page_map_lines(page_starts: tuple[int, ...], length: int) -> list[str]:
    """The page map as lines ``page<TAB>start<TAB>end`` (code points, end exclusive), for ``warrant text --pages``."""
    out = []
    for n, start in enumerate(page_starts):
        end = page_starts[n + 1] if n + 1 < len(page_starts) else length
        out.append(f"{n + 1}\t{start}\t{end}")
    return out
