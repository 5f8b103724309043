"""Exports (CSV, W3C Web Annotation, Markdown, HTML, Argdown) and the W3C import, one module per format.

The window and the CLI use this small API::

    from desktop.core import exchange
    from desktop.core.exchange import report, w3c

    exchange.export(store, "csv", "/tmp/passages.csv", tags=["claim"])   # atomic file write
    exchange.export(store, "w3c", sys.stdout.buffer, jsonl=True)         # or any binary stream
    data = exchange.render(store, "html", annotation_ids=selected)        # bytes, nothing written
    text = report.markdown(exchange.select(store, annotation_ids=selected))  # "copy as Markdown"
    result = w3c.import_file(store, "their.jsonld", document="article.txt")

Each format module offers ``render(selection)`` (``report`` offers ``markdown`` and ``html``), taking the
:class:`~desktop.core.exchange.scope.Selection` that :func:`select` gathers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from desktop.core import errors, safeio, store
from desktop.core.exchange import files, rows, scope


@dataclass(frozen=True)
class Format:
    """One export format: the registry's row."""

    name: str
    """What ``warrant export --format`` and the code call it."""
    label: str
    """What the export dialog offers."""
    extension: str
    render: Callable[[scope.Selection], bytes]
    """Writes a selection as the file's bytes."""
    write_files: Callable[[scope.Selection, Path], object] | None = None
    """For a format that is more than one file (brat: NAME.ann and NAME.txt): writes them all, atomically."""
    stream: Callable[[rows.Rows, rows.Encoder], None] | None = None
    """Writes the passages as they are read from the file, a chunk at a time (linear time, bounded memory);
    :func:`export` uses it. A format without one is gathered whole, then rendered."""


def _csv(selection: scope.Selection) -> bytes:
    from desktop.core.exchange import csvfile

    return csvfile.render(selection)


def _w3c(selection: scope.Selection) -> bytes:
    from desktop.core.exchange import w3c

    return w3c.render(selection)


def _w3c_lines(selection: scope.Selection) -> bytes:
    from desktop.core.exchange import w3c

    return w3c.render(selection, jsonl=True)


def _markdown(selection: scope.Selection) -> bytes:
    from desktop.core.exchange import report

    return report.markdown(selection).encode("utf-8")


def _html(selection: scope.Selection) -> bytes:
    from desktop.core.exchange import report

    return report.html(selection).encode("utf-8")


def _argdown(selection: scope.Selection) -> bytes:
    from desktop.core.exchange import argdown

    out = argdown.render(selection)
    return out if isinstance(out, bytes) else str(out).encode("utf-8")


def _qdpx(selection: scope.Selection) -> bytes:
    from desktop.core.exchange import qdpx

    return qdpx.render(selection)


def _qdc(selection: scope.Selection) -> bytes:
    from desktop.core.exchange import qdc

    return qdc.render(selection)


def _xlsx(selection: scope.Selection) -> bytes:
    from desktop.core.exchange import xlsx

    return xlsx.render(selection)


def _brat(selection: scope.Selection) -> bytes:
    from desktop.core.exchange import brat

    return brat.render(selection)


def _brat_files(selection: scope.Selection, path: Path) -> object:
    from desktop.core.exchange import brat

    return brat.write(selection, path)


def _ach(selection: scope.Selection) -> bytes:
    from desktop.core.exchange import ach

    return ach.render(selection)


def _csv_stream(passages: rows.Rows, out: rows.Encoder) -> None:
    from desktop.core.exchange import csvfile

    csvfile.write(passages, out)


def _w3c_stream(passages: rows.Rows, out: rows.Encoder) -> None:
    from desktop.core.exchange import w3c

    w3c.write(passages, out)


def _w3c_lines_stream(passages: rows.Rows, out: rows.Encoder) -> None:
    from desktop.core.exchange import w3c

    w3c.write(passages, out, jsonl=True)


def _markdown_stream(passages: rows.Rows, out: rows.Encoder) -> None:
    from desktop.core.exchange import report

    report.write_markdown(passages, out)


def _html_stream(passages: rows.Rows, out: rows.Encoder) -> None:
    from desktop.core.exchange import report

    report.write_html(passages, out)


def _argdown_stream(passages: rows.Rows, out: rows.Encoder) -> None:
    from desktop.core.exchange import argdown

    argdown.write(passages, out)


REGISTRY: tuple[Format, ...] = (
    Format("csv", "CSV spreadsheet (.csv)", ".csv", _csv, stream=_csv_stream),
    Format("w3c", "W3C Web Annotation collection (.jsonld)", ".jsonld", _w3c, stream=_w3c_stream),
    Format("w3c-jsonl", "W3C Web Annotation, one per line (.jsonl)", ".jsonl", _w3c_lines, stream=_w3c_lines_stream),
    Format("markdown", "Markdown report (.md)", ".md", _markdown, stream=_markdown_stream),
    Format("html", "HTML report (.html)", ".html", _html, stream=_html_stream),
    Format("argdown", "Argdown argument map (.argdown)", ".argdown", _argdown, stream=_argdown_stream),
    Format("qdpx", "REFI-QDA project for NVivo, MAXQDA, ATLAS.ti (.qdpx)", ".qdpx", _qdpx),
    Format("qdc", "REFI-QDA codebook: the tag set (.qdc)", ".qdc", _qdc),
    Format("xlsx", "Excel workbook (.xlsx)", ".xlsx", _xlsx),
    Format("brat", "brat standoff (.ann + .txt, one document)", ".ann", _brat, _brat_files),
    Format("ach", "ACH matrix with its scores, CSV (.ach.csv)", ".ach.csv", _ach),
)
"""Every export format, in the order the export dialog offers them; the command line, the dialog, the
benchmarks and the tests all export through it. A new format is one more row."""

FORMATS: dict[str, Format] = {f.name: f for f in REGISTRY}

JSONL_EXTENSION = ".jsonl"

select = scope.select
Selection = scope.Selection


def get(fmt: str, *, jsonl: bool = False) -> Format:
    """Return the registry's row for ``fmt`` (``w3c`` with ``jsonl`` is ``w3c-jsonl``).

    Raises:
        ExchangeError: no such format.
    """
    name = "w3c-jsonl" if fmt == "w3c" and jsonl else fmt
    try:
        return FORMATS[name]
    except KeyError:
        raise errors.ExchangeError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}") from None


def extension(fmt: str, *, jsonl: bool = False) -> str:
    """Return the file extension an export in ``fmt`` is written with (``.jsonl`` for W3C JSON lines)."""
    return get(fmt, jsonl=jsonl).extension


def render_selection(selection: scope.Selection, fmt: str, *, jsonl: bool = False, with_text: bool = False) -> bytes:
    """Write ``selection`` in ``fmt`` and return the file's bytes (``with_text``: W3C carries each article's text).

    Raises:
        ExchangeError: the format is unknown or not available.
    """
    return _renderer(fmt, jsonl=jsonl, with_text=with_text)(selection)


def _renderer(fmt: str, *, jsonl: bool, with_text: bool) -> Callable[[scope.Selection], bytes]:
    """The registry row's render; a W3C export that carries each article's text with ``with_text``."""
    row = get(fmt, jsonl=jsonl)
    if not with_text:
        return row.render
    if row.name not in ("w3c", "w3c-jsonl"):
        raise errors.ExchangeError("only the W3C export can carry the articles' text")
    from desktop.core.exchange import w3c

    return lambda selection: w3c.render(selection, jsonl=jsonl, with_text=True)


def write(
    selection: scope.Selection,
    fmt: str,
    destination: str | os.PathLike[str] | BinaryIO,
    *,
    jsonl: bool = False,
    annotation_file: str = "",
    with_text: bool = False,
) -> int:
    """Write ``selection`` in ``fmt`` to a file (atomically) or a binary stream; return how many annotations.

    This is the one export path: :func:`export`, the command line and the window's export dialog end here.

    Raises:
        ExchangeError: the format is unknown, the destination is the annotation file itself, or the file
            cannot be written (the previous file, if any, is left as it was).
    """
    row = get(fmt, jsonl=jsonl)
    render = _renderer(fmt, jsonl=jsonl, with_text=with_text)
    if isinstance(destination, str | os.PathLike):
        dest = Path(destination)
        protected = [annotation_file] if annotation_file else []
        safeio.check_output(dest, protected=protected)  # never a FIFO or device, never the file or its -wal
        if row.write_files is not None:
            safeio.check_output(dest.with_suffix(".txt"), protected=protected)
            row.write_files(selection, dest)
            return len(selection.annotations)
        write_atomic(dest, render(selection))
    else:
        destination.write(render(selection))
        destination.flush()
    return len(selection.annotations)


def render(
    source: store.Store,
    fmt: str,
    *,
    tags: Iterable[str] | None = None,
    authors: Iterable[str] | None = None,
    document: str | None = None,
    annotation_ids: Iterable[str] | None = None,
    jsonl: bool = False,
) -> bytes:
    """Export annotations from ``source`` in ``fmt`` and return the bytes; nothing is written.

    Args:
        source: the open annotation file.
        fmt: one of :data:`FORMATS`.
        tags: only these tags.
        authors: only these authors.
        document: only this document (fingerprint).
        annotation_ids: only these annotations.
        jsonl: W3C only: one annotation per line instead of an AnnotationCollection.

    Raises:
        ExchangeError: the format is unknown or unavailable.
        NotFoundError: the document or an annotation id is not in the file.
    """
    get(fmt, jsonl=jsonl)
    selection = scope.select(source, tags=tags, authors=authors, document=document, annotation_ids=annotation_ids)
    return render_selection(selection, fmt, jsonl=jsonl)


def export(
    source: store.Store,
    fmt: str,
    destination: str | os.PathLike[str] | BinaryIO,
    *,
    tags: Iterable[str] | None = None,
    authors: Iterable[str] | None = None,
    document: str | None = None,
    annotation_ids: Iterable[str] | None = None,
    jsonl: bool = False,
) -> int:
    """Export annotations to a file (written atomically) or to a binary stream.

    Args:
        source: the open annotation file.
        fmt: one of :data:`FORMATS`.
        destination: a path, or a binary stream such as ``sys.stdout.buffer``.
        tags: only these tags.
        authors: only these authors.
        document: only this document (fingerprint).
        annotation_ids: only these annotations (e.g. the selected rows).
        jsonl: W3C only: one annotation per line.

    Returns:
        How many annotations were exported.

    Raises:
        ExchangeError: the format is unknown, or the file cannot be written (the previous file, if
            any, is left as it was).
        NotFoundError: the document or an annotation id is not in the file.
    """
    row = get(fmt, jsonl=jsonl)
    if row.stream is None:  # a format written whole (a zip, a workbook): gathered, then written
        selection = scope.select(source, tags=tags, authors=authors, document=document, annotation_ids=annotation_ids)
        return write(selection, fmt, destination, jsonl=jsonl, annotation_file=source.path)
    stream = row.stream
    passages = rows.streamed(source, tags=tags, authors=authors, document=document, annotation_ids=annotation_ids)

    def put(out: BinaryIO) -> None:
        text = rows.Encoder(out)
        stream(passages, text)
        text.flush()

    if isinstance(destination, str | os.PathLike):
        safeio.check_output(destination, protected=[source.path] if source.path else [])
        write_atomic(destination, put)
    else:
        put(destination)
        destination.flush()
    return passages.count


write_atomic = files.write_atomic
