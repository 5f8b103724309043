"""Zip containers (docx, odt, epub) opened with their decompression bounded before anything is inflated."""

from __future__ import annotations

import io
import zipfile

from desktop.core import errors

MAX_ENTRIES = 20_000
MAX_ENTRY_BYTES = 128 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
"""What a container may hold once inflated. :mod:`zipfile` never inflates an entry past the size its
header declares, so checking the declared sizes bounds the work even for a lying zip bomb."""


def open_zip(data: bytes, name: str, what: str) -> zipfile.ZipFile:
    """Open a container, refusing one that is damaged or would inflate past the limits.

    Raises:
        DocumentError: not a zip, damaged, too many entries, or too large once inflated.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, IndexError) as exc:
        raise errors.DocumentError(f"{name} is damaged: it is not a readable {what} ({exc})") from None
    if len(infos) > MAX_ENTRIES:
        raise errors.DocumentError(f"{name} holds {len(infos)} parts; a {what} with over {MAX_ENTRIES} is refused")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_ENTRY_BYTES or total > MAX_TOTAL_BYTES:
            raise errors.DocumentError(
                f"{name} would inflate to over {max(info.file_size, total) // (1024 * 1024)} MB "
                f"(a zip bomb?); a {what} up to {MAX_TOTAL_BYTES // (1024 * 1024)} MB unpacked is opened"
            )
    return archive


def read_member(archive: zipfile.ZipFile, member: str, name: str, what: str) -> bytes:
    """Read one entry (its inflated size is already bounded by :func:`open_zip`).

    Raises:
        DocumentError: the entry is missing or damaged.
    """
    try:
        return archive.read(member)
    except KeyError:
        raise errors.DocumentError(f"{name} is not a {what}: it has no {member}") from None
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise errors.DocumentError(f"{name} is damaged: {member} cannot be unpacked ({exc})") from None
