"""Writing an export file atomically: a temporary file beside the destination, fsynced, then renamed."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from desktop.core import errors

_umask_lock = threading.Lock()


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
