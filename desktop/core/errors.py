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
