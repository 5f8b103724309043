"""One file, one window: a lock naming who has an annotation file open, and a watch for other writers."""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer, Signal

POLL_MS = 1000
"""How often the window asks SQLite whether another connection committed (``PRAGMA data_version``)."""


def _lock_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.RuntimeLocation)
    if not base:
        base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.TempLocation)
    path = Path(base) / "warrant-locks"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def lock_path(annotation_file: str | os.PathLike[str]) -> Path:
    """Where the lock for ``annotation_file`` lives: a private folder, never beside the file itself."""
    real = os.path.realpath(annotation_file)
    try:
        st = os.stat(real)
        key = f"{st.st_dev}:{st.st_ino}"
    except OSError:
        key = real
    return _lock_dir() / (hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32] + ".lock")


class OpenLock:
    """Held while a window has an annotation file open; a second window learns who holds it."""

    def __init__(self, annotation_file: str | os.PathLike[str]) -> None:
        """Prepare the lock for ``annotation_file`` (nothing is taken yet)."""
        self.path = lock_path(annotation_file)
        self._lock = QLockFile(str(self.path))
        self._lock.setStaleLockTime(0)  # a lock is stale only when its process is gone

    def acquire(self) -> str | None:
        """Take the lock; return None, or a sentence saying which Warrant has the file open."""
        if self._lock.tryLock(0):
            return None
        if self._lock.error() != QLockFile.LockError.LockFailedError:
            return None  # the lock folder is unusable: do not stop the analyst over a courtesy check
        pid, host, _app = self._lock.getLockInfo()  # PySide6 returns (pid, hostname, appname)
        if not pid:
            return "This annotation file is already open in another Warrant window."
        here = socket.gethostname()
        where = f"process {pid}" if host in ("", here) else f"process {pid} on {host}"
        return f"This annotation file is already open in another Warrant window ({where})."

    def release(self) -> None:
        """Give the lock back (when the window closes or opens another file)."""
        if self._lock.isLocked():
            self._lock.unlock()


class ChangeWatch(QObject):
    """Tells when another connection committed to the open file, by polling SQLite's ``data_version``."""

    changed_elsewhere = Signal()

    def __init__(self, data_version: Callable[[], int], parent: QObject | None = None) -> None:
        """Poll ``data_version`` (the store's ``PRAGMA data_version``) every :data:`POLL_MS`."""
        super().__init__(parent)
        self._read = data_version
        self._seen = data_version()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> bool:
        """Compare now; emit and return True when someone else wrote since the last check."""
        try:
            version = self._read()
        except Exception:  # the file went away or is locked: the next write reports it properly
            return False
        if version == self._seen:
            return False
        self._seen = version
        self.changed_elsewhere.emit()
        return True

    def resync(self) -> None:
        """Take the current version as seen: call after this window's own write. (The store checkpoints its
        log on a second connection after each commit, which moves ``data_version`` for its own edits too.)"""
        try:
            self._seen = self._read()
        except Exception:  # as in check(): the next write reports a missing or locked file properly
            return

    def stop(self) -> None:
        """Stop watching."""
        self._timer.stop()
