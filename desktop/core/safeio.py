"""The one place where input and output paths are checked and untrusted bytes are read within bounds.

Every path Warrant reads (an article, an import file, an annotation file, a colleague's file) goes
through :func:`check_input` or :func:`read_bounded`, and every path it writes (an export) through
:func:`check_output`. A FIFO would block forever, a device (``/dev/zero``) never ends, a socket
cannot be read, and an export written over the annotation file or its ``-wal``/``-shm`` would
destroy it: all are refused with one clear message. JSON is parsed by :func:`load_json`, with
limits on nesting depth and on the digits of an integer.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from desktop.core import errors

SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
"""The files SQLite keeps beside an annotation file; writing over one destroys the file's recent edits."""

MAX_JSON_DEPTH = 64
"""Deepest nesting of arrays and objects accepted in a JSON file (a W3C annotation needs about 8)."""

MAX_JSON_INT_DIGITS = 64
"""Most digits an integer in a JSON file may have (Python refuses over 4,300; offsets need about 10)."""

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def check_input(path: str | os.PathLike[str], *, what: str = "", limit: int | None = None) -> os.stat_result:
    """Refuse an input that is not an existing regular file (or is larger than ``limit`` bytes).

    Args:
        path: the file to read.
        what: how messages name it (default: its path).
        limit: the largest size accepted, in bytes.

    Returns:
        The file's status (following symbolic links).

    Raises:
        UnsafePathError: missing, a folder, a FIFO, a device or a socket, or too large.
    """
    name = what or errors.shown(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise errors.UnsafePathError(f"{name} cannot be read: it does not exist") from None
    except OSError as exc:
        raise errors.UnsafePathError(f"{name} cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        raise errors.UnsafePathError(f"{name} is {_kind(st.st_mode)}, not a file; it was not read")
    if limit is not None and st.st_size > limit:
        raise errors.UnsafePathError(f"{name} is {_size(st.st_size)}; files up to {_size(limit)} are read")
    return st


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def read_bounded(path: str | os.PathLike[str], limit: int, *, what: str = "") -> bytes:
    """Read a whole regular file of at most ``limit`` bytes, never blocking on a FIFO or reading a device.

    The file is opened without blocking and checked on the open descriptor, so a file swapped for a
    FIFO between a check and the open cannot hang the read; at most ``limit + 1`` bytes are read,
    so a file that grows meanwhile cannot exhaust memory.

    Raises:
        UnsafePathError: not a regular file, too large, or unreadable.
    """
    name = what or errors.shown(path)
    check_input(path, what=name, limit=limit)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise errors.UnsafePathError(f"{name} cannot be read ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise errors.UnsafePathError(f"{name} is {_kind(st.st_mode)}, not a file; it was not read")
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise errors.UnsafePathError(f"{name} cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if total > limit:
        raise errors.UnsafePathError(f"{name} is larger than {_size(limit)}; it was not read")
    return b"".join(chunks)


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _resolved(p: Path) -> Path:
    try:
        return p.resolve()
    except (OSError, RuntimeError):
        return p.absolute()


def check_output(path: str | os.PathLike[str], *, protected: Iterable[str | os.PathLike[str]] = ()) -> None:
    """Refuse an output path that is not a regular file or that would overwrite a protected file.

    Call it before every export, from the command line and from the window's export dialog alike.

    Args:
        path: where the output would be written.
        protected: annotation files (open in the window, or being exported) that must not be
            overwritten, nor their ``-wal``, ``-shm`` or ``-journal``.

    Raises:
        UnsafePathError: the path is a folder, FIFO, device or socket; its folder does not exist; or
            it is a protected file or one of its side files (by name or by being the same file).
    """
    p = Path(path)
    name = errors.shown(p)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise errors.UnsafePathError(f"{name} cannot be written ({exc.strerror or exc})") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise errors.UnsafePathError(f"{name} is {_kind(st.st_mode)}; an export is written only to a regular file")
    if not p.parent.is_dir():
        raise errors.UnsafePathError(f"cannot write {name}: the folder {errors.shown(p.parent)} does not exist")
    target = _resolved(p)
    for item in protected:
        base = Path(item)
        for suffix in ("", *SIDE_SUFFIXES):
            side = Path(f"{base}{suffix}")
            if target == _resolved(side) or (st is not None and _same(p, side)):
                what = "the annotation file itself" if not suffix else f"the annotation file's {suffix} file"
                raise errors.UnsafePathError(
                    f"{name} is {what} ({errors.shown(base)}); writing there would destroy it: choose another name"
                )


def _check_depth(value: Any, name: str) -> None:
    """Refuse parsed JSON nested deeper than :data:`MAX_JSON_DEPTH` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise errors.ExchangeError(
                f"{name}: its JSON is nested too deeply (more than {MAX_JSON_DEPTH} levels, which no annotation "
                "needs); nothing was imported"
            )
        for child in item.values() if type(item) is dict else item:
            kind = type(child)
            if kind is dict or kind is list:
                stack.append((child, depth + 1))


def _integer(name: str) -> Any:
    def parse(digits: str) -> int:
        if len(digits.lstrip("-")) > MAX_JSON_INT_DIGITS:
            raise errors.ExchangeError(
                f"{name}: its JSON holds an integer of {len(digits):,} digits; at most {MAX_JSON_INT_DIGITS} "
                "are accepted; nothing was imported"
            )
        return int(digits)

    return parse


def load_json(text: str, name: str) -> Any:
    """Parse untrusted JSON with bounded nesting depth and integer size.

    Args:
        text: the JSON text.
        name: how messages name its file (already escaped with ``errors.shown``).

    Returns:
        The parsed value.

    Raises:
        ExchangeError: nested deeper than :data:`MAX_JSON_DEPTH`, or an integer longer than
            :data:`MAX_JSON_INT_DIGITS` digits.
        json.JSONDecodeError: the text is not JSON.
    """
    try:
        value = json.loads(text, parse_int=_integer(name))
    except RecursionError:  # deeper than the interpreter's recursion limit (about 1,000)
        raise errors.ExchangeError(f"{name}: its JSON is nested too deeply; nothing was imported") from None
    if type(value) is dict or type(value) is list:
        _check_depth(value, name)
    return value
