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

import contextlib
import importlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import BinaryIO

from desktop.core import errors, store
from desktop.core.exchange import rows, scope

FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("csvfile", ".csv"),
    "w3c": ("w3c", ".jsonld"),
    "markdown": ("report", ".md"),
    "html": ("report", ".html"),
    "argdown": ("argdown", ".argdown"),
}
"""Each export format: the module under ``desktop.core.exchange`` that writes it, and its file extension."""

JSONL_EXTENSION = ".jsonl"

select = scope.select
Selection = scope.Selection

_umask_lock = threading.Lock()


def extension(fmt: str, *, jsonl: bool = False) -> str:
    """Return the file extension an export in ``fmt`` is written with (``.jsonl`` for W3C JSON lines)."""
    if fmt == "w3c" and jsonl:
        return JSONL_EXTENSION
    return _format(fmt)[1]


def _format(fmt: str) -> tuple[str, str]:
    try:
        return FORMATS[fmt]
    except KeyError:
        raise errors.ExchangeError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}") from None


def _module(fmt: str) -> ModuleType:
    name = _format(fmt)[0]
    try:
        return importlib.import_module(f"desktop.core.exchange.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"desktop.core.exchange.{name}":
            raise
        raise errors.ExchangeError(f"the {fmt} export is not available in this version of Warrant") from None


def render_selection(selection: scope.Selection, fmt: str, *, jsonl: bool = False) -> bytes:
    """Write ``selection`` in ``fmt`` and return the file's bytes.

    Raises:
        ExchangeError: the format is unknown or not available.
    """
    module = _module(fmt)
    if fmt == "csv":
        result: bytes = module.render(selection)
    elif fmt == "w3c":
        result = module.render(selection, jsonl=jsonl)
    elif fmt == "markdown":
        result = module.markdown(selection).encode("utf-8")
    elif fmt == "html":
        result = module.html(selection).encode("utf-8")
    else:
        result = _render_argdown(module, selection)
    return result


def _render_argdown(module: ModuleType, selection: scope.Selection) -> bytes:
    """Call ``desktop.core.exchange.argdown.render(selection)``, which returns text or bytes."""
    function = getattr(module, "render", None)
    if not callable(function):
        raise errors.ExchangeError("the argdown export is not available in this version of Warrant")
    out = function(selection)
    return out if isinstance(out, bytes) else str(out).encode("utf-8")


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
    _format(fmt)
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
    _format(fmt)
    passages = rows.streamed(source, tags=tags, authors=authors, document=document, annotation_ids=annotation_ids)
    if isinstance(destination, str | os.PathLike):
        dest = Path(destination)
        if Path(source.path).exists() and dest.resolve() == Path(source.path).resolve():
            raise errors.ExchangeError(f"{dest} is the annotation file itself; choose another name for the export")
        write_atomic(dest, lambda f: write_rows(passages, fmt, f, jsonl=jsonl))
    else:
        write_rows(passages, fmt, destination, jsonl=jsonl)
        destination.flush()
    return passages.count


def write_rows(passages: rows.Rows, fmt: str, out: BinaryIO, *, jsonl: bool = False) -> None:
    """Write ``passages`` in ``fmt`` to a binary stream, piece by piece (linear time, bounded memory).

    Raises:
        ExchangeError: the format is unknown or not available.
    """
    module = _module(fmt)
    text = rows.Encoder(out)
    if fmt == "w3c":
        module.write(passages, text, jsonl=jsonl)
    elif fmt == "markdown":
        module.write_markdown(passages, text)
    elif fmt == "html":
        module.write_html(passages, text)
    else:
        module.write(passages, text)
    text.flush()


def _creation_mode() -> int:
    """Return the permissions a new file gets under the current umask (0o666 minus the umask)."""
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def write_atomic(destination: str | os.PathLike[str], content: bytes | Callable[[BinaryIO], None]) -> Path:
    """Write a file so that it is either its old self or the complete new content, never half-written.

    The content goes to a temporary file in the destination's folder, is flushed to disk, and then
    replaces the destination with :func:`os.replace`. If anything fails (including ``content``
    raising midway), the temporary file is removed and the destination is untouched.

    Args:
        destination: the file to write.
        content: the bytes, or a function that writes them to the binary file it is given.

    Returns:
        The destination path.

    Raises:
        ExchangeError: the folder is missing, the destination is a folder, or the write failed.
    """
    dest = Path(destination)
    folder = dest.parent
    if not folder.is_dir():
        raise errors.ExchangeError(f"cannot write {dest}: the folder {folder} does not exist")
    if dest.is_dir():
        raise errors.ExchangeError(f"cannot write {dest}: it is a folder")
    try:
        mode = dest.stat().st_mode & 0o777 if dest.exists() else _creation_mode()
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise errors.ExchangeError(f"cannot write {dest}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            if callable(content):
                content(f)
            else:
                f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, dest)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise errors.ExchangeError(f"could not write {dest}: {exc.strerror or exc}; it was left as it was") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return dest
