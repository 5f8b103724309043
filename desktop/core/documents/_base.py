"""What every loader shares: the loaded document, its fingerprint, bounded reading of the file."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field

from desktop.core import errors, safeio


@dataclass(frozen=True)
class Span:
    """A stretch of the canonical text with a presentational style (heading, emphasis ...)."""

    start: int
    end: int
    style: str


@dataclass(frozen=True)
class LoadedDocument:
    """An article read from disk: canonical text, fingerprint, title and display hints.

    ``text`` is the one thing offsets count into; ``spans`` say how the reader shows it; ``page_starts``
    is the page map of paged formats (code-point offset of each page's first character).
    """

    path: str
    title: str
    text: str
    fingerprint: str
    kind: str
    spans: tuple[Span, ...] = field(default=())
    page_starts: tuple[int, ...] = field(default=())
    encoding: str = ""
    """The encoding a text file was decoded with (``utf-8``, ``cp1252`` ...); empty for other formats."""
    notice: str = ""
    """One line for the status bar about how the text was made (reader view, footnotes moved ...)."""


def fingerprint(text: str) -> str:
    """Return the SHA-256 of a canonical text encoded as UTF-8, in hex."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def normalise_newlines(text: str) -> str:
    """Turn ``\\r\\n`` and lone ``\\r`` into ``\\n``; change nothing else."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_bytes(path: str | os.PathLike[str], limit: int) -> bytes:
    """Read a regular file of at most ``limit`` bytes, with a clear message for each way it can fail.

    :func:`desktop.core.safeio.read_bounded` opens it without blocking and checks it is a regular file
    before a byte is read, so a FIFO, a device (``/dev/zero``) or a socket is refused at once instead of
    hanging or filling memory.

    Raises:
        DocumentError: missing, a folder, not a regular file, unreadable, empty or too large.
    """
    p = os.fspath(path)
    if os.path.isdir(p):
        raise errors.DocumentError(f"{errors.shown(p)} is a folder, not an article")
    try:
        data = safeio.read_bounded(p, limit)
    except errors.UnsafePathError as exc:
        raise errors.DocumentError(str(exc)) from None
    if not data:
        raise errors.DocumentError(f"{errors.shown(p)} is empty")
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


def finish(
    path: str,
    title: str,
    text: str,
    kind: str,
    spans: tuple[Span, ...] = (),
    *,
    page_starts: tuple[int, ...] = (),
    encoding: str = "",
    notice: str = "",
) -> LoadedDocument:
    """Make the loaded document; refuse one with no visible text."""
    if not text.strip():
        raise errors.DocumentError(f"{path or 'the document'} has no text to read")
    return LoadedDocument(
        path=path,
        title=title,
        text=text,
        fingerprint=fingerprint(text),
        kind=kind,
        spans=spans,
        page_starts=page_starts,
        encoding=encoding,
        notice=notice,
    )


def join_parts(parts: list[tuple[str, tuple[Span, ...]]], separator: str = "\n\n") -> tuple[str, tuple[Span, ...]]:
    """Join texts with their spans into one text, shifting each part's spans."""
    out: list[str] = []
    spans: list[Span] = []
    offset = 0
    for text, part_spans in parts:
        if not text:
            continue
        if out:
            out.append(separator)
            offset += len(separator)
        out.append(text)
        spans.extend(Span(s.start + offset, s.end + offset, s.style) for s in part_spans)
        offset += len(text)
    return "".join(out), tuple(spans)
