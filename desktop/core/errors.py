"""The exceptions Warrant raises on purpose: the only ones the UI and the CLI catch."""

from __future__ import annotations


class WarrantError(Exception):
    """Base of every error whose message is meant for the user."""


class DocumentError(WarrantError):
    """An article could not be read (missing, binary, undecodable ...)."""


class PasswordRequiredError(DocumentError):
    """An encrypted document needs a password (none was given, or the one given is wrong)."""

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message)
        self.path = path


class NoTextLayerError(DocumentError):
    """A PDF holds only pictures of pages (a scan): it needs OCR before it can be read."""

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message)
        self.path = path


class StoreError(WarrantError):
    """The annotation file cannot be opened or written."""


class NewerFormatError(StoreError):
    """The annotation file was written by a newer Warrant: refused, never modified."""


class StoreBusyError(StoreError):
    """Another process holds the write lock for longer than the busy timeout."""


class UntrustedFileError(StoreError):
    """A colleague's file failed the checks made before reading it."""


class ExchangeError(WarrantError):
    """An export could not be written or an import could not be read."""


class NotFoundError(WarrantError):
    """A document, tag, annotation or link named by the user does not exist."""


class StoreFullError(StoreError):
    """The disk holding the annotation file is full (SQLITE_FULL): nothing was written."""


class StoreReadOnlyError(StoreError):
    """The annotation file, its folder or its file system cannot be written (SQLITE_READONLY*, SQLITE_PERM)."""


class StoreIOError(StoreError):
    """The disk failed, or the file cannot be opened (SQLITE_IOERR*, SQLITE_CANTOPEN)."""


class DamagedFileError(StoreError):
    """The annotation file is damaged (SQLITE_CORRUPT, SQLITE_NOTADB, a row Warrant never writes)."""


class FileChangedError(StoreError):
    """The open annotation file was moved, replaced or deleted by another program: no more writes to it."""


class UnsafePathError(WarrantError):
    """An input or output path Warrant refuses: not a regular file, or the annotation file (or its side files)."""


def shown(path: object) -> str:
    """Return a path or name for a message, with control, format and bidi characters escaped.

    Every message that names a file or a user's name uses this, so that a name holding ESC, BEL,
    a C1 control or U+202E cannot drive the terminal or reverse the line that shows it.
    """
    from desktop.core import textutil

    return textutil.escape_controls(path)
