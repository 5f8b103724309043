"""The SQLite annotation file. ALL of Warrant's SQL lives here; callers get dataclasses, never rows.

One file per analyst holds the documents (with their full text), the tag set, the relations, the
annotations and the links. Every edit is its own transaction, committed with ``synchronous=FULL`` in
WAL mode before the method returns, so nothing the window has shown can be lost.
"""

from __future__ import annotations

import contextlib
import getpass
import logging
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from desktop.core import errors, migrations, model
from desktop.core.documents import LoadedDocument

if TYPE_CHECKING:
    from sqlite_utils import Database

log = logging.getLogger(__name__)

_T = TypeVar("_T")

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
SUFFIX = ".warrant"

_ANNOTATION_COLUMNS = (
    "id",
    "document",
    "tag",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "note",
    "author",
    "created",
    "modified",
    "origin_author",
    "origin_id",
    "origin_file",
)
_ANNOTATION_SELECT = "SELECT " + ", ".join(f'"{c}"' for c in _ANNOTATION_COLUMNS) + " FROM annotations"
_LINK_SELECT = "SELECT id, source, target, relation, author, created FROM links"


class _DamagedRow(ValueError):
    """A row holding values Warrant never writes: the file was damaged or edited by other means."""


_ANNOTATION_TYPES: list[type] = [str, str, str, int, int] + [str] * 10
_LINK_TYPES: list[type] = [str] * 6
_DOCUMENT_TYPES: list[type] = [str] * 6
_TAG_TYPES: list[type] = [str, str, str, str, int]
_RELATION_TYPES: list[type] = [str, str, int]


def _checked(row: Sequence[Any], types: list[type], what: str) -> Sequence[Any]:
    if [type(value) for value in row] != types:
        raise _DamagedRow(f"{what} {str(row[0])[:40]!r} holds a value of the wrong type")
    return row


def _annotation(row: Sequence[Any]) -> model.Annotation:
    _checked(row, _ANNOTATION_TYPES, "annotation")
    if not 0 <= row[3] < row[4]:
        raise _DamagedRow(f"annotation {row[0][:40]!r} has the impossible range {row[3]}-{row[4]}")
    return model.Annotation(*row)


def _link(row: Sequence[Any]) -> model.Link:
    return model.Link(*_checked(row, _LINK_TYPES, "link"))


def _document(row: Sequence[Any]) -> model.Document:
    return model.Document(*_checked(row, _DOCUMENT_TYPES, "document"))


def _tag(row: Sequence[Any]) -> model.Tag:
    return model.Tag(*_checked(row, _TAG_TYPES, "tag"))


def _relation(row: Sequence[Any]) -> model.Relation:
    return model.Relation(*_checked(row, _RELATION_TYPES, "relation"))


def _annotation_params(a: model.Annotation) -> tuple[Any, ...]:
    return (
        a.id,
        a.document,
        a.tag,
        a.start,
        a.end,
        a.quote,
        a.prefix,
        a.suffix,
        a.note,
        a.author,
        a.created,
        a.modified,
        a.origin_author,
        a.origin_id,
        a.origin_file,
    )


def _translate(exc: sqlite3.Error, path: str, *, opening: bool = False, reading: bool = False) -> errors.StoreError:
    """Turn a sqlite3 error into a message a user can act on (by SQLite's error code, then its text)."""
    text = str(exc).lower()
    code = str(getattr(exc, "sqlite_errorname", "") or "")
    if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return errors.StoreBusyError(
            f"{path} is being written by another Warrant window or program; the change was not saved. "
            "Close the other one, or use File > Save a copy as..."
        )
    if code == "SQLITE_READONLY_DBMOVED":
        return errors.StoreError(
            f"{path} was moved or deleted while open; the change was not saved. Use File > Save a copy as..."
        )
    if code.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        if opening:
            return errors.StoreError(
                f"{path} is read-only (the file or its folder cannot be written). Warrant saves every change "
                "as it is made: copy the file to a folder you can write to and open the copy"
            )
        return errors.StoreError(f"{path} cannot be written (it is read-only); use File > Save a copy as...")
    if code == "SQLITE_FULL" or "disk is full" in text or "disk full" in text:
        return errors.StoreError(f"the disk holding {path} is full; the change was not saved")
    if code in ("SQLITE_IOERR_WRITE", "SQLITE_IOERR_FSYNC", "SQLITE_IOERR_TRUNCATE", "SQLITE_IOERR_SHMSIZE"):
        return errors.StoreError(
            f"writing to the disk holding {path} failed (is the disk full, or was it removed?); "
            "the change was not saved"
        )
    if (
        code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
        or "malformed" in text
        or "not a database" in text
        or "could not decode" in text
    ):
        outcome = "it was not opened" if opening else "it could not be read" if reading else "the change was not saved"
        if "could not decode" in text:
            return errors.StoreError(f"{path} is damaged: it holds text that is not UTF-8 ({exc}); {outcome}")
        return errors.StoreError(f"{path} is damaged ({exc}); {outcome}")
    if code.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) or "disk i/o" in text or "unable to open" in text:
        return errors.StoreError(
            f"{path} cannot be written any more (was it moved, deleted or its disk removed?); "
            "use File > Save a copy as..."
        )
    return errors.StoreError(f"{path}: {exc}")


def check_header(path: Path) -> None:
    """Refuse a file that is not an SQLite database, before SQLite touches it.

    Raises:
        StoreError: missing magic number, a folder, unreadable, or a truncated header.
    """
    if path.is_dir():
        raise errors.StoreError(f"{path} is a folder, not an annotation file")
    try:
        with path.open("rb") as f:
            head = f.read(100)
    except OSError as exc:
        raise errors.StoreError(f"{path} cannot be read: {exc.strerror or exc}") from None
    if not head:
        raise errors.StoreError(f"{path} is empty, not an annotation file")
    if not head.startswith(SQLITE_MAGIC):
        raise errors.StoreError(f"{path} is not a Warrant annotation file (it is not an SQLite database)")
    if len(head) < 100:
        raise errors.StoreError(f"{path} is damaged: it is shorter than an SQLite header")


def inspect(path: Path) -> None:
    """Check an existing annotation file without writing to it: integrity, application id, version.

    Raises:
        StoreError: damaged, written by another program, or empty of Warrant's tables.
        NewerFormatError: written by a newer Warrant.
    """
    check_header(path)
    try:
        conn = sqlite3.connect(_readonly_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise errors.StoreError(f"{path} cannot be opened: {exc}") from None
    conn.text_factory = lambda b: b.decode("utf-8", "replace")  # quick_check quotes damaged text
    try:
        conn.execute("PRAGMA trusted_schema=OFF")
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if app_id != migrations.APPLICATION_ID:
            raise errors.StoreError(f"{path} is an SQLite database, but not a Warrant annotation file")
        if version > migrations.FORMAT_VERSION:
            raise errors.NewerFormatError(
                f"{path} was written by a newer Warrant (format {version}; this one reads up to "
                f"{migrations.FORMAT_VERSION}); it was not opened or changed"
            )
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise errors.StoreError(f"{path} is damaged ({result}); it was not changed")
        # Warrant writes no triggers or views; one found here would run on every read or edit.
        foreign = conn.execute(
            "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view') ORDER BY type, name LIMIT 1"
        ).fetchone()
        if foreign is not None:
            raise errors.StoreError(
                f"{path} holds a {foreign[0]} ({str(foreign[1])[:60]!r}), which Warrant never writes: the file was "
                "changed by another program; it was not opened"
            )
    except sqlite3.DatabaseError as exc:
        raise errors.StoreError(f"{path} is damaged or not an annotation file ({exc}); it was not changed") from None
    except UnicodeDecodeError:
        # SQLite names the damaged schema object in its message, and the name itself is not UTF-8.
        raise errors.StoreError(f"{path} is damaged (its schema is not readable); it was not changed") from None
    finally:
        conn.close()


def _readonly_uri(path: Path) -> str:
    """A read-only SQLite URI of ``path`` that creates nothing beside the file.

    A read-only connection to a WAL file still creates ``-wal`` and ``-shm`` files, which a refused
    file must not get. When there is no ``-wal`` (no other connection and no crash left one), the whole
    database is in the main file, and ``immutable=1`` reads it without them. Should another program
    open the file in the moment between, the read might see a half-checkpointed file and call it
    damaged: a refusal, never a change.
    """
    uri = path.resolve().as_uri() + "?mode=ro"
    if not Path(f"{path}-wal").exists():
        uri += "&immutable=1"
    return uri


def _database(conn: sqlite3.Connection) -> Database:
    """Wrap a connection in sqlite-utils, imported here so that start-up can paint before paying for it."""
    from sqlite_utils import Database

    return Database(conn, execute_plugins=False, recursive_triggers=False)


def _fsync(path: str | os.PathLike[str]) -> None:
    """Flush a file (or a folder's entries) to the disk before it is given its final name."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def default_annotator() -> str:
    """Return the name of the user running Warrant, for new annotation files."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "analyst"


class Store:
    """An open annotation file."""

    def __init__(self, db: Database, path: str) -> None:
        """Wrap an open, migrated database; use :meth:`open` or :meth:`memory` instead."""
        self.db = db
        self.path = path
        self._file = ""
        self._identity: tuple[int, int] | None = None
        for _, name, file in db.conn.execute("PRAGMA database_list").fetchall():
            if name == "main" and file:
                st = os.stat(file)
                self._file, self._identity = file, (st.st_dev, st.st_ino)
        self._annotator = self._meta("annotator") or default_annotator()

    # -- opening and closing -------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, annotator: str | None = None, create: bool = True) -> Store:
        """Open (or create) an annotation file.

        Args:
            path: the file.
            annotator: the analyst's name; stored in a new file, or replaces the stored one.
            create: make the file when it does not exist.

        Returns:
            The open store, migrated to the current format.

        Raises:
            StoreError: the file is missing (and ``create`` is false), damaged, not Warrant's,
                or cannot be written.
            NewerFormatError: the file was written by a newer Warrant.
        """
        p = Path(path)
        if create and not p.exists() and p.parent.is_dir() and os.access(p.parent, os.W_OK):
            cls._create(p, annotator)
        exists = p.exists()
        if exists and p.is_file() and p.stat().st_size == 0:
            raise errors.StoreError(f"{p} is empty, not an annotation file")
        if exists:
            inspect(p)
            # SQLite would quietly open a read-only file read-only, and fail only at the first edit.
            # The folder must take the -wal and -shm files, unless another connection made them.
            if not os.access(p, os.W_OK) or not (os.access(p.parent, os.W_OK) or Path(f"{p}-wal").exists()):
                raise errors.StoreError(
                    f"{p} is read-only (the file or its folder cannot be written). Warrant saves every change "
                    "as it is made: copy the file to a folder you can write to and open the copy"
                )
        elif not create:
            raise errors.StoreError(f"{p} does not exist")
        elif not p.parent.is_dir():
            raise errors.StoreError(f"cannot create {p}: the folder {p.parent} does not exist")
        elif not os.access(p.parent, os.W_OK):
            raise errors.StoreError(f"cannot create {p}: the folder {p.parent} cannot be written")
        try:
            conn = sqlite3.connect(str(p), timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            raise errors.StoreError(f"{p} cannot be opened: {exc}") from None
        db = _database(conn)
        try:
            cls._configure(db, new=not exists)
            try:
                migrations.apply(db)
            except sqlite3.Error:
                raise
            except Exception as exc:  # sqlite-utils reading a damaged record of the schema steps
                raise _DamagedRow(f"its record of schema steps is unreadable: {type(exc).__name__} {exc}") from None
            store = cls(db, str(p))
            store._initialise(annotator)
        except sqlite3.Error as exc:
            failure = _translate(exc, str(p), opening=True)
        except (UnicodeError, _DamagedRow) as exc:
            failure = errors.StoreError(f"{p} is damaged ({exc}); it was not opened")
        except BaseException:
            conn.close()
            raise
        else:
            return store
        # Raised here, once the failed statement's traceback (which holds it open) is gone, so that
        # closing really closes and leaves no -wal or -shm beside a refused file.
        conn.close()
        raise failure

    @classmethod
    def _create(cls, p: Path, annotator: str | None) -> None:
        """Make a new annotation file whole under a temporary name, then give it its name.

        A crash (or a second process making the same file) can then never leave an empty or
        half-made file at ``p``: it is either absent or complete. If another process got there
        first, its file is kept and ours is discarded.
        """
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".new", dir=str(p.parent))
        os.close(fd)
        os.unlink(tmp)
        try:
            conn = sqlite3.connect(tmp, timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                db = _database(conn)
                cls._configure(db, new=True)
                migrations.apply(db)
                cls(db, tmp)._initialise(annotator)
            finally:
                conn.close()  # the last connection checkpoints the WAL: tmp is one self-contained file
            _fsync(tmp)
            try:
                os.link(tmp, p)  # atomic, and never replaces a file another process just made
            except FileExistsError:
                pass
            except OSError:  # a file system without hard links: a rename, unless the file appeared
                if not p.exists():
                    os.replace(tmp, p)
            _fsync(p.parent)  # the new name itself reaches the disk
        except sqlite3.Error as exc:
            raise _translate(exc, str(p), opening=True) from None
        except OSError as exc:
            raise errors.StoreError(f"cannot create {p}: {exc.strerror or exc}") from None
        finally:
            for leftover in (tmp, f"{tmp}-wal", f"{tmp}-shm", f"{tmp}-journal"):
                with contextlib.suppress(OSError):
                    os.unlink(leftover)

    @classmethod
    def memory(cls, *, annotator: str = "analyst") -> Store:
        """Open a fresh in-memory store (for tests and scratch work)."""
        db = _database(sqlite3.connect(":memory:"))
        cls._configure(db, new=True)
        migrations.apply(db)
        store = cls(db, ":memory:")
        store._initialise(annotator)
        return store

    @staticmethod
    def _configure(db: Database, *, new: bool) -> None:
        conn = db.conn
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA trusted_schema=OFF")
        if new:
            # Set in the main file's header before WAL, so a header read can recognise the file.
            conn.execute(f"PRAGMA application_id={migrations.APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version={migrations.FORMAT_VERSION}")
            conn.commit()
        with db.ensure_autocommit_on():
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")

    def _initialise(self, annotator: str | None) -> None:
        # Writes only what must change, so that opening a file never modifies it needlessly and a
        # file on a full disk still opens.
        fresh = self.db.execute("SELECT count(*) FROM tags").fetchone()[0] == 0 and not self._meta("initialised")
        stored = self._meta("annotator")
        name = annotator or stored or self._annotator
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if not fresh and name == stored and version == migrations.FORMAT_VERSION:
            self._annotator = name
            return
        with self._write():
            if fresh:
                for tag in model.DEFAULT_TAGS:
                    self._insert_tag(tag)
                for relation in model.DEFAULT_RELATIONS:
                    self.db.execute(
                        "INSERT INTO relations (name, label, position) VALUES (?, ?, ?)",
                        (relation.name, relation.label, relation.position),
                    )
                self._set_meta("initialised", model.now_utc())
                self._set_meta("application", "Warrant")
            if name != stored:
                self._set_meta("annotator", name)
            if version != migrations.FORMAT_VERSION:
                self.db.execute(f"PRAGMA user_version={migrations.FORMAT_VERSION}")
        self._annotator = name

    def close(self) -> None:
        """Close the file; the WAL is checkpointed into it."""
        with contextlib.suppress(sqlite3.Error):
            self.db.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_still_there(self) -> None:
        """Refuse to write once the file was deleted, moved or replaced: SQLite would write into the
        unlinked file, and everything would vanish when Warrant closes. The open connection can still
        read it all, so File > Save a copy as... keeps the work."""
        if self._identity is None:
            return
        try:
            st = os.stat(self._file)
            same = (st.st_dev, st.st_ino) == self._identity
        except OSError:
            same = False
        if not same:
            raise errors.StoreError(
                f"{self.path} was deleted, moved or replaced while open; the change was not saved. "
                "Use File > Save a copy as... to keep your work"
            )

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        """One transaction, committed (and fsynced) on exit; sqlite3 errors become StoreErrors."""
        self._check_still_there()
        try:
            with self._transaction():
                yield
        except sqlite3.IntegrityError as exc:
            raise errors.StoreError(f"{self.path}: the change was refused ({exc})") from None
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from None
        except UnicodeEncodeError as exc:
            raise errors.StoreError(
                f"{self.path}: the change was refused: its text holds an unpaired surrogate "
                f"(U+{ord(exc.object[exc.start]):04X}), which is not Unicode text and cannot be saved"
            ) from None
        except (UnicodeDecodeError, _DamagedRow) as exc:
            raise errors.StoreError(f"{self.path} is damaged ({exc}); the change was not saved") from None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``: the write lock is taken first, so a transaction that reads
        before it writes waits (busy timeout) for another writer instead of failing on a stale snapshot.
        Nested use becomes a savepoint of the outer transaction."""
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _translate(exc, self.path, reading=True) from None
        except UnicodeDecodeError as exc:
            raise errors.StoreError(f"{self.path} is damaged: it holds text that is not UTF-8 ({exc.reason})") from None

    def _rows(self, sql: str, params: Sequence[Any], factory: Callable[[Sequence[Any]], _T]) -> list[_T]:
        """Read rows as dataclasses; a row Warrant could never have written is a StoreError."""
        rows = self._read(sql, params)
        try:
            return [factory(row) for row in rows]
        except _DamagedRow as exc:
            raise errors.StoreError(f"{self.path} is damaged: {exc}") from None

    # -- meta ------------------------------------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    @property
    def annotator(self) -> str:
        """The analyst whose file this is; the author of new annotations."""
        return self._annotator

    def set_annotator(self, name: str) -> None:
        """Change the analyst's name stored in the file."""
        with self._write():
            self._set_meta("annotator", name)
        self._annotator = name

    def format_version(self) -> int:
        """Return the file's format version (``PRAGMA user_version``)."""
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    # -- documents -------------------------------------------------------------------------------

    def add_document(self, doc: LoadedDocument | model.Document) -> model.Document:
        """Add a document unless a document with its fingerprint is already there.

        Returns:
            The stored document (the existing one, if it was there).
        """
        existing = self.document(doc.fingerprint, missing_ok=True)
        if existing is not None:
            return existing
        stored = model.Document(
            fingerprint=doc.fingerprint,
            title=doc.title,
            path=doc.path,
            text=doc.text,
            kind=doc.kind,
            added=model.now_utc(),
        )
        with self._write():
            self.db.execute(
                "INSERT INTO documents (fingerprint, title, path, kind, text, added) VALUES (?, ?, ?, ?, ?, ?)",
                (stored.fingerprint, stored.title, stored.path, stored.kind, stored.text, stored.added),
            )
        return stored

    def documents(self) -> list[model.Document]:
        """Return every document, in the order they were added."""
        return self._rows(
            "SELECT fingerprint, title, path, text, kind, added FROM documents ORDER BY added, rowid", (), _document
        )

    def document_titles(self) -> list[tuple[str, str]]:
        """Return ``(fingerprint, title)`` of every document in the order they were added, without their texts."""
        rows = self._read("SELECT fingerprint, title FROM documents ORDER BY added, rowid")
        if any(not isinstance(f, str) or not isinstance(t, str) for f, t in rows):
            raise errors.StoreError(f"{self.path} is damaged: a document's fingerprint or title is not text")
        return [(str(f), str(t)) for f, t in rows]

    def document_count(self) -> int:
        """Return how many documents the file holds."""
        return int(self._read("SELECT count(*) FROM documents")[0][0])

    def document(self, fingerprint: str, *, missing_ok: bool = False) -> model.Document | None:
        """Return the document with this fingerprint.

        Raises:
            NotFoundError: there is none and ``missing_ok`` is false.
        """
        rows = self._rows(
            "SELECT fingerprint, title, path, text, kind, added FROM documents WHERE fingerprint = ?",
            (fingerprint,),
            _document,
        )
        if rows:
            return rows[0]
        if missing_ok:
            return None
        raise errors.NotFoundError(f"{self.path} has no document with fingerprint {fingerprint}")

    def find_document(self, key: str) -> model.Document:
        """Return the document whose fingerprint (or its start, 8+ characters) or title is ``key``.

        Raises:
            NotFoundError: nothing matches, or more than one document does.
        """
        rows = self._rows(
            "SELECT fingerprint, title, path, text, kind, added FROM documents "
            "WHERE fingerprint = ? OR (length(?) >= 8 AND substr(fingerprint, 1, length(?)) = ?) OR title = ?",
            (key, key, key, key, key),
            _document,
        )
        if len(rows) == 1:
            return rows[0]
        if not rows:
            raise errors.NotFoundError(f"{self.path} has no document {key!r}")
        raise errors.NotFoundError(f"{key!r} names {len(rows)} documents in {self.path}; use a fingerprint")

    # -- tags and relations ----------------------------------------------------------------------

    def tags(self) -> list[model.Tag]:
        """Return the tag set in display order."""
        return self._rows("SELECT name, label, colour, shortcut, position FROM tags ORDER BY position, name", (), _tag)

    def _insert_tag(self, tag: model.Tag) -> None:
        self.db.execute(
            "INSERT INTO tags (name, label, colour, shortcut, position) VALUES (?, ?, ?, ?, ?)",
            (tag.name, tag.label, tag.colour, tag.shortcut, tag.position),
        )

    def add_tag(
        self, name: str, *, label: str | None = None, colour: str | None = None, shortcut: str = ""
    ) -> model.Tag:
        """Add a tag to the file's tag set, or return it if a tag of that name exists.

        Raises:
            StoreError: the name is empty or longer than 64 characters.
        """
        name = name.strip()
        if not name or len(name) > 64:
            raise errors.StoreError("a tag name must have 1 to 64 characters")
        existing = {t.name: t for t in self.tags()}
        if name in existing:
            return existing[name]
        used = {t.colour for t in existing.values()}
        free = [c for c in model.EXTRA_TAG_COLOURS if c not in used] or list(model.EXTRA_TAG_COLOURS)
        tag = model.Tag(
            name=name,
            label=label or name[:1].upper() + name[1:],
            colour=colour or free[0],
            shortcut=shortcut,
            position=max((t.position for t in existing.values()), default=-1) + 1,
        )
        with self._write():
            self._insert_tag(tag)
        return tag

    def relations(self) -> list[model.Relation]:
        """Return the relations links may have, in display order."""
        return self._rows("SELECT name, label, position FROM relations ORDER BY position, name", (), _relation)

    def add_relation(self, name: str, *, label: str | None = None) -> model.Relation:
        """Add a relation, or return it if one of that name exists."""
        name = name.strip()
        if not name or len(name) > 64:
            raise errors.StoreError("a relation name must have 1 to 64 characters")
        existing = {r.name: r for r in self.relations()}
        if name in existing:
            return existing[name]
        relation = model.Relation(name, label or name, max((r.position for r in existing.values()), default=-1) + 1)
        with self._write():
            self.db.execute(
                "INSERT INTO relations (name, label, position) VALUES (?, ?, ?)",
                (relation.name, relation.label, relation.position),
            )
        return relation

    # -- annotations -----------------------------------------------------------------------------

    def annotations(
        self,
        document: str | None = None,
        *,
        tags: Iterable[str] | None = None,
        authors: Iterable[str] | None = None,
    ) -> list[model.Annotation]:
        """Return annotations in document order, optionally only of one document, some tags or authors."""
        where: list[str] = []
        params: list[Any] = []
        if document is not None:
            where.append("document = ?")
            params.append(document)
        for column, values in (("tag", tags), ("author", authors)):
            if values is not None:
                vals = list(values)
                where.append(f"{column} IN ({', '.join('?' for _ in vals)})" if vals else "0")
                params.extend(vals)
        sql = _ANNOTATION_SELECT
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += ' ORDER BY document, start, "end", created, id'
        return self._rows(sql, params, _annotation)

    def annotation(self, annotation_id: str) -> model.Annotation:
        """Return one annotation.

        Raises:
            NotFoundError: there is no annotation with that id.
        """
        rows = self._rows(_ANNOTATION_SELECT + " WHERE id = ?", (annotation_id,), _annotation)
        if not rows:
            raise errors.NotFoundError(f"no annotation {annotation_id}")
        return rows[0]

    def annotation_count(self, document: str | None = None) -> int:
        """Return how many annotations there are (in one document, if given)."""
        if document is None:
            return int(self._read("SELECT count(*) FROM annotations")[0][0])
        return int(self._read("SELECT count(*) FROM annotations WHERE document = ?", (document,))[0][0])

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        """Return which of ``ids`` are annotations already in the file."""
        found: set[str] = set()
        chunk: list[str] = []
        for annotation_id in ids:
            chunk.append(annotation_id)
            if len(chunk) == 500:
                found.update(self._ids_in(chunk))
                chunk = []
        if chunk:
            found.update(self._ids_in(chunk))
        return found

    def _ids_in(self, chunk: list[str]) -> list[str]:
        placeholders = ", ".join("?" for _ in chunk)
        return [row[0] for row in self._read(f"SELECT id FROM annotations WHERE id IN ({placeholders})", chunk)]

    def insert_annotation(self, annotation: model.Annotation) -> model.Annotation:
        """Insert one annotation in its own transaction.

        Raises:
            StoreError: the write failed (its message says why); nothing was written.
        """
        self.insert_annotations([annotation])
        return annotation

    def insert_annotations(self, annotations: Sequence[model.Annotation], links: Sequence[model.Link] = ()) -> None:
        """Insert annotations (and links among them) in one transaction: all or none."""
        placeholders = ", ".join("?" for _ in _ANNOTATION_COLUMNS)
        columns = ", ".join(f'"{c}"' for c in _ANNOTATION_COLUMNS)
        with self._write():
            self.db.conn.executemany(
                f"INSERT INTO annotations ({columns}) VALUES ({placeholders})",
                [_annotation_params(a) for a in annotations],
            )
            if links:
                self._insert_links(links)

    def update_annotation(
        self, annotation_id: str, *, tag: str | None = None, note: str | None = None, modified: str | None = None
    ) -> model.Annotation:
        """Change an annotation's tag and/or note; ``modified`` defaults to now.

        Returns:
            The annotation as stored after the change.

        Raises:
            NotFoundError: no such annotation.
        """
        current = self.annotation(annotation_id)
        changed = current.replace(
            tag=current.tag if tag is None else tag,
            note=current.note if note is None else note,
            modified=modified or model.now_utc(),
        )
        with self._write():
            self.db.execute(
                "UPDATE annotations SET tag = ?, note = ?, modified = ? WHERE id = ?",
                (changed.tag, changed.note, changed.modified, annotation_id),
            )
        return changed

    def update_annotations(self, changes: Sequence[tuple[str, str | None, str | None]]) -> list[model.Annotation]:
        """Retag and/or re-note several annotations in ONE transaction: all or none.

        Args:
            changes: ``(annotation id, new tag or None to keep, new note or None to keep)``.

        Returns:
            The annotations as stored after the change, in the order given.

        Raises:
            NotFoundError: one of the annotations does not exist; nothing was changed.
        """
        stamp = model.now_utc()
        changed: list[model.Annotation] = []
        for annotation_id, tag, note in changes:
            current = self.annotation(annotation_id)
            changed.append(
                current.replace(
                    tag=current.tag if tag is None else tag,
                    note=current.note if note is None else note,
                    modified=stamp,
                )
            )
        with self._write():
            self.db.conn.executemany(
                "UPDATE annotations SET tag = ?, note = ?, modified = ? WHERE id = ?",
                [(a.tag, a.note, a.modified, a.id) for a in changed],
            )
        return changed

    def delete_annotations(self, annotation_ids: Sequence[str]) -> tuple[list[model.Annotation], list[model.Link]]:
        """Delete annotations and every link that touches them, in one transaction.

        Returns:
            What was deleted, so that an undo can :meth:`restore` it exactly.
        """
        if not annotation_ids:
            return [], []
        placeholders = ", ".join("?" for _ in annotation_ids)
        ids = list(annotation_ids)
        with self._write():
            gone = [_annotation(r) for r in self.db.execute(_ANNOTATION_SELECT + f" WHERE id IN ({placeholders})", ids)]
            links = [
                _link(r)
                for r in self.db.execute(
                    _LINK_SELECT + f" WHERE source IN ({placeholders}) OR target IN ({placeholders})", ids + ids
                )
            ]
            self.db.execute(
                f"DELETE FROM links WHERE source IN ({placeholders}) OR target IN ({placeholders})", ids + ids
            )
            self.db.execute(f"DELETE FROM annotations WHERE id IN ({placeholders})", ids)
        return gone, links

    def restore(self, annotations: Sequence[model.Annotation], links: Sequence[model.Link] = ()) -> None:
        """Put back annotations and links exactly as they were (the undo of a delete)."""
        self.insert_annotations(annotations, links)

    # -- links -----------------------------------------------------------------------------------

    def links(self, document: str | None = None) -> list[model.Link]:
        """Return links (of one document's annotations, if given), oldest first."""
        if document is None:
            return self._rows(_LINK_SELECT + " ORDER BY created, id", (), _link)
        return self._rows(
            "SELECT l.id, l.source, l.target, l.relation, l.author, l.created FROM links l "
            "JOIN annotations a ON a.id = l.source WHERE a.document = ? ORDER BY l.created, l.id",
            (document,),
            _link,
        )

    def _insert_links(self, links: Sequence[model.Link]) -> None:
        self.db.conn.executemany(
            "INSERT INTO links (id, source, target, relation, author, created) VALUES (?, ?, ?, ?, ?, ?)",
            [(k.id, k.source, k.target, k.relation, k.author, k.created) for k in links],
        )

    def insert_link(self, link: model.Link) -> model.Link:
        """Insert one link in its own transaction.

        Raises:
            StoreError: either end is missing, or the relation is unknown.
        """
        with self._write():
            self._insert_links([link])
        return link

    def delete_link(self, link_id: str) -> model.Link:
        """Delete one link and return it.

        Raises:
            NotFoundError: no such link.
        """
        rows = self._rows(_LINK_SELECT + " WHERE id = ?", (link_id,), _link)
        if not rows:
            raise errors.NotFoundError(f"no link {link_id}")
        with self._write():
            self.db.execute("DELETE FROM links WHERE id = ?", (link_id,))
        return rows[0]

    # -- whole-file operations -------------------------------------------------------------------

    def save_copy(self, destination: str | os.PathLike[str]) -> None:
        """Write a consolidated single-file copy (no ``-wal`` beside it), atomically.

        The copy is written to a temporary file in the destination's folder and then renamed, so
        the destination is either its old self or the complete copy.

        Raises:
            StoreError: the copy could not be written; the destination is unchanged.
        """
        dest = Path(destination)
        if dest.resolve() == Path(self.path).resolve():
            raise errors.StoreError("a copy cannot replace the file it is a copy of")
        if not dest.parent.is_dir():
            raise errors.StoreError(f"could not write a copy to {dest}: the folder {dest.parent} does not exist")
        tmp = ""
        try:
            fd, tmp = tempfile.mkstemp(prefix=".warrant-copy-", suffix=".tmp", dir=str(dest.parent))
            os.close(fd)
            os.unlink(tmp)
            self.db.conn.execute("VACUUM INTO ?", (tmp,))
            check = sqlite3.connect(tmp)
            try:
                check.execute("PRAGMA journal_mode=DELETE")
                _fsync(tmp)
            finally:
                check.close()
            os.replace(tmp, dest)
        except sqlite3.Error as exc:
            with contextlib.suppress(OSError):
                if tmp:
                    os.unlink(tmp)
            raise errors.StoreError(f"could not write a copy to {dest}: {exc}") from None
        except OSError as exc:
            with contextlib.suppress(OSError):
                if tmp:
                    os.unlink(tmp)
            raise errors.StoreError(f"could not write a copy to {dest}: {exc.strerror or exc}") from None

    def integrity(self) -> str:
        """Return ``PRAGMA integrity_check``'s verdict (``ok`` when the file is sound)."""
        return str(self._read("PRAGMA integrity_check")[0][0])

    # -- streamed reads (exports: linear time, bounded memory) -------------------------------------

    def _stream(
        self, sql: str, params: Sequence[Any], factory: Callable[[Sequence[Any]], _T], chunk: int
    ) -> Iterator[_T]:
        """Yield rows as dataclasses, ``chunk`` rows at a time from one cursor, never all at once."""
        try:
            cursor = self.db.conn.execute(sql, params)
            while rows := cursor.fetchmany(chunk):
                yield from (factory(row) for row in rows)
        except sqlite3.Error as exc:
            raise _translate(exc, self.path, reading=True) from None
        except UnicodeDecodeError as exc:
            raise errors.StoreError(f"{self.path} is damaged: it holds text that is not UTF-8 ({exc.reason})") from None
        except _DamagedRow as exc:
            raise errors.StoreError(f"{self.path} is damaged: {exc}") from None

    @staticmethod
    def _annotation_filter(
        document: str | None, tags: Iterable[str] | None, authors: Iterable[str] | None
    ) -> tuple[str, list[Any]]:
        """The ``WHERE`` clause (or "") and parameters choosing annotations by document, tags and authors."""
        where, params = [], []
        if document is not None:
            where.append("document = ?")
            params.append(document)
        for column, values in (("tag", tags), ("author", authors)):
            if values is not None:
                vals = list(values)
                where.append(f"{column} IN ({', '.join('?' for _ in vals)})" if vals else "0")
                params.extend(vals)
        return (" WHERE " + " AND ".join(where) if where else ""), params

    def iter_annotations(
        self,
        document: str | None = None,
        *,
        tags: Iterable[str] | None = None,
        authors: Iterable[str] | None = None,
        chunk: int = 2000,
    ) -> Iterator[model.Annotation]:
        """Yield what :meth:`annotations` returns, in the same order, reading ``chunk`` rows at a time."""
        where, params = self._annotation_filter(document, tags, authors)
        sql = _ANNOTATION_SELECT + where + ' ORDER BY document, start, "end", created, id'
        yield from self._stream(sql, params, _annotation, chunk)

    def iter_annotation_keys(
        self, document: str | None = None, *, tags: Iterable[str] | None = None, authors: Iterable[str] | None = None
    ) -> Iterator[tuple[str, str, str]]:
        """Yield ``(id, document, tag)`` of the annotations :meth:`iter_annotations` yields, in no set order."""
        where, params = self._annotation_filter(document, tags, authors)
        yield from self._stream(
            "SELECT id, document, tag FROM annotations" + where,
            params,
            lambda row: (str(row[0]), str(row[1]), str(row[2])),
            5000,
        )

    def iter_links(self, *, chunk: int = 2000) -> Iterator[model.Link]:
        """Yield every link, oldest first (as :meth:`links`), reading ``chunk`` rows at a time."""
        yield from self._stream(_LINK_SELECT + " ORDER BY created, id", (), _link, chunk)


def open_readonly_snapshot(path: str | os.PathLike[str]) -> Store:
    """Open a private in-memory copy of an annotation file; the file itself is not touched.

    Used for one's own files when only reading (the CLI's export). A colleague's file goes
    through the untrusted checks in :func:`open_untrusted` instead.
    """
    p = Path(path)
    inspect(p)
    try:
        src = sqlite3.connect(_readonly_uri(p), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise errors.StoreError(f"{p} cannot be read: {exc}") from None
    mem = sqlite3.connect(":memory:")
    try:
        src.backup(mem)
    except sqlite3.Error as exc:
        mem.close()
        raise errors.StoreError(f"{p} cannot be read: {exc}") from None
    finally:
        src.close()
    db = _database(mem)
    db.conn.execute("PRAGMA foreign_keys=ON")
    return Store(db, str(p))


# -- untrusted review reading (issue 4) ----------------------------------------------------------
#
# A colleague's file is evidence to read, never a database to open: its bytes (and the committed
# frames of a ``-wal`` beside it) are read once and deserialized into a private in-memory database,
# so SQLite never opens the file itself and no ``-wal``, ``-shm`` or ``-journal`` can appear beside
# it. Everything SQLite's guide to untrusted databases recommends is applied before a row is read
# (https://www.sqlite.org/security.html): a size cap, the header checked by hand, lowered limits,
# ``trusted_schema=OFF``, ``cell_size_check=ON``, ``mmap_size=0``, ``quick_check``, and a schema
# compared object by object with the one this Warrant creates. Every row is then validated in
# Python. The imports below sit here, not at the top, so that this section stays self-contained.

import dataclasses  # noqa: E402
import functools  # noqa: E402
import re  # noqa: E402
import struct  # noqa: E402

from desktop.core import documents as _documents  # noqa: E402

MAX_UNTRUSTED_BYTES = 200 * 1024 * 1024
"""Largest colleague's file (with its ``-wal``) accepted for review."""

MAX_VALUE_BYTES = 64 * 1024 * 1024
"""``SQLITE_LIMIT_LENGTH`` while reading a colleague's file: the largest text (a document) it may hold."""

MAX_NOTE_CHARS = 1024 * 1024
MAX_NAME_CHARS = 64
MAX_LABEL_CHARS = 256
MAX_ID_CHARS = 256
MAX_PATH_CHARS = 4096
MAX_CONTEXT_CHARS = 1024
MAX_STAMP_CHARS = 64
MAX_META_CHARS = 64 * 1024
MAX_DOCUMENTS = 10_000
MAX_TAGS = 10_000
MAX_ANNOTATIONS = 2_000_000

_UNTRUSTED_LIMITS: tuple[tuple[int, int], ...] = (
    (sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES),
    (sqlite3.SQLITE_LIMIT_SQL_LENGTH, 100_000),
    (sqlite3.SQLITE_LIMIT_COLUMN, 100),
    (sqlite3.SQLITE_LIMIT_EXPR_DEPTH, 100),
    (sqlite3.SQLITE_LIMIT_COMPOUND_SELECT, 3),
    (sqlite3.SQLITE_LIMIT_VDBE_OP, 100_000),
    (sqlite3.SQLITE_LIMIT_FUNCTION_ARG, 8),
    (sqlite3.SQLITE_LIMIT_ATTACHED, 0),
    (sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 100),
    (sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 1000),
    (sqlite3.SQLITE_LIMIT_TRIGGER_DEPTH, 1),
    (sqlite3.SQLITE_LIMIT_WORKER_THREADS, 0),
)

_HEX64 = re.compile(r"[0-9a-f]{64}")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}(?:[0-9A-Fa-f]{2})?")
_WAL_MAGIC = (0x377F0682, 0x377F0683)
_WAL_VERSION = 3007000


@dataclasses.dataclass(frozen=True)
class ColleagueFile:
    """A whole annotation file read into memory for review: nothing in it refers back to the file.

    Notes are plain text, kept exactly as written: nothing here interprets them as markup.
    """

    path: str
    annotator: str
    documents: tuple[model.Document, ...]
    tags: tuple[model.Tag, ...]
    relations: tuple[model.Relation, ...]
    annotations: tuple[model.Annotation, ...]
    links: tuple[model.Link, ...]

    def document(self, fingerprint: str) -> model.Document | None:
        """Return the document with this fingerprint, or None."""
        for doc in self.documents:
            if doc.fingerprint == fingerprint:
                return doc
        return None

    def annotations_of(self, fingerprint: str) -> tuple[model.Annotation, ...]:
        """Return the annotations of one document, in document order."""
        return tuple(a for a in self.annotations if a.document == fingerprint)

    def links_of(self, fingerprint: str) -> tuple[model.Link, ...]:
        """Return the links whose source is an annotation of one document."""
        ids = {a.id for a in self.annotations if a.document == fingerprint}
        return tuple(k for k in self.links if k.source in ids)


class _Refusal(Exception):
    """A reason to refuse a colleague's file; :func:`open_untrusted` adds the file's name."""


def open_untrusted(path: str | os.PathLike[str]) -> ColleagueFile:
    """Read a colleague's annotation file for review, checking everything; the file is never written.

    Args:
        path: the colleague's ``.warrant`` file.

    Returns:
        Its documents, tags, relations, annotations and links, validated and held in memory.

    Raises:
        UntrustedFileError: the file is missing, too large, damaged, not Warrant's, of another
            format version, has a schema Warrant does not write, or holds a row that does not
            make sense; the message names the file and the reason.
    """
    p = Path(path)
    try:
        data = _untrusted_bytes(p)
        conn = _untrusted_connection(data)
        try:
            _check_untrusted_database(conn)
            return _load_untrusted(conn, str(p))
        finally:
            conn.close()
    except _Refusal as exc:
        raise errors.UntrustedFileError(f"{p} was refused for review: {exc}; it was not changed") from None
    except sqlite3.DataError as exc:
        if "too big" not in str(exc):
            raise errors.UntrustedFileError(
                f"{p} was refused for review: it is damaged or not a Warrant file ({exc}); it was not changed"
            ) from None
        raise errors.UntrustedFileError(
            f"{p} was refused for review: it holds a value larger than {MAX_VALUE_BYTES // (1024 * 1024)} MB, "
            "which Warrant never writes; it was not changed"
        ) from None
    except sqlite3.Error as exc:
        raise errors.UntrustedFileError(
            f"{p} was refused for review: it is damaged or not a Warrant file ({exc}); it was not changed"
        ) from None
    except UnicodeDecodeError:
        raise errors.UntrustedFileError(
            f"{p} was refused for review: it holds text that is not UTF-8, which Warrant never writes; "
            "it was not changed"
        ) from None
    except MemoryError:
        raise errors.UntrustedFileError(f"{p} was refused for review: it is too large to read") from None


def _read_capped(path: Path, limit: int, what: str) -> bytes:
    try:
        if path.is_dir():
            raise _Refusal(f"{what} is a folder")
        size = path.stat().st_size
        if size > limit:
            raise _Refusal(
                f"{what} is {size // (1024 * 1024)} MB; files up to {limit // (1024 * 1024)} MB are reviewed"
            )
        with path.open("rb") as f:
            data = f.read(limit + 1)
    except FileNotFoundError:
        raise _Refusal(f"{what} does not exist") from None
    except OSError as exc:
        raise _Refusal(f"{what} cannot be read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise _Refusal(f"{what} is larger than {limit // (1024 * 1024)} MB")
    return data


def _untrusted_bytes(p: Path) -> bytes:
    """The database image: the file's bytes with the committed frames of its ``-wal`` applied."""
    data = _read_capped(p, MAX_UNTRUSTED_BYTES, "the file")
    if not data:
        raise _Refusal("it is empty")
    if not data.startswith(SQLITE_MAGIC):
        raise _Refusal("it is not a Warrant annotation file (it is not an SQLite database)")
    if len(data) < 100:
        raise _Refusal("it is truncated (shorter than an SQLite header)")
    page_size = _page_size(data)
    _check_size(data, page_size, "the file")
    journal = Path(str(p) + "-journal")
    if journal.is_file() and journal.stat().st_size > 0:
        raise _Refusal(
            f"an unfinished transaction ({journal.name}) is beside it; ask its author to open and close it in Warrant"
        )
    wal_path = Path(str(p) + "-wal")
    if wal_path.is_file():
        wal = _read_capped(wal_path, MAX_UNTRUSTED_BYTES - len(data), f"its {wal_path.name}")
        data = _apply_wal(data, wal, page_size)
        _check_size(data, page_size, "the file with its -wal")
    _check_header(data)
    return _as_rollback_journal(data)


def _page_size(data: bytes) -> int:
    raw = struct.unpack_from(">H", data, 16)[0]
    page_size = 65536 if raw == 1 else raw
    if page_size < 512 or page_size & (page_size - 1):
        raise _Refusal(f"its header is damaged (page size {raw})")
    if data[21:24] != b"\x40\x20\x20":
        raise _Refusal("its header is damaged (payload fractions)")
    return page_size


def _check_size(data: bytes, page_size: int, what: str) -> None:
    if len(data) % page_size:
        raise _Refusal(f"{what} is truncated or damaged ({len(data)} bytes is not a whole number of pages)")
    header_pages, change, valid_for = struct.unpack_from(">I", data, 28)[0], data[24:28], data[92:96]
    if header_pages and change == valid_for and header_pages != len(data) // page_size:
        raise _Refusal(
            f"{what} is truncated or damaged (its header counts {header_pages} pages, it has {len(data) // page_size})"
        )


def _check_header(data: bytes) -> None:
    user_version, _, application_id = struct.unpack_from(">III", data, 60)
    if application_id != migrations.APPLICATION_ID:
        raise _Refusal("it is an SQLite database, but not a Warrant annotation file (wrong application id)")
    if struct.unpack_from(">I", data, 56)[0] != 1:
        raise _Refusal("it is not encoded in UTF-8, as Warrant writes")
    if user_version > migrations.FORMAT_VERSION:
        raise _Refusal(
            f"it was written by a newer Warrant (format {user_version}; this one reads format "
            f"{migrations.FORMAT_VERSION}); update Warrant to review it"
        )
    if user_version != migrations.FORMAT_VERSION:
        raise _Refusal(
            f"it is in format {user_version}, not {migrations.FORMAT_VERSION}; ask its author to open it once "
            "in this Warrant, which updates it"
        )


def _as_rollback_journal(data: bytes) -> bytes:
    """An in-memory database cannot be in WAL mode: mark the image as a rollback-journal database."""
    if data[18] == 2 or data[19] == 2:
        image = bytearray(data)
        image[18] = image[19] = 1
        return bytes(image)
    return data


def _wal_checksum(chunk: bytes, big_endian: bool, s0: int, s1: int) -> tuple[int, int]:
    """SQLite's WAL checksum (https://www.sqlite.org/fileformat2.html#walformat), continued from s0, s1."""
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(chunk) // 4}I", chunk)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def _apply_wal(data: bytes, wal: bytes, page_size: int) -> bytes:
    """Apply the committed frames of a write-ahead log to a database image, as SQLite would read it.

    Frames are taken while their salts and cumulative checksums hold, up to the last commit frame;
    anything after (an unfinished transaction, stale frames of an earlier log) is ignored.
    """
    if len(wal) < 32:
        return data
    magic, version, wal_page_size, _, salt1, salt2, c1, c2 = struct.unpack_from(">8I", wal, 0)
    if magic not in _WAL_MAGIC or version != _WAL_VERSION or wal_page_size != page_size:
        return data
    big_endian = bool(magic & 1)
    checksum = _wal_checksum(wal[:24], big_endian, 0, 0)
    if checksum != (c1, c2):
        return data
    frame = 24 + page_size
    pending: dict[int, int] = {}
    committed: dict[int, int] = {}
    pages = 0
    offset = 32
    while offset + frame <= len(wal):
        pgno, commit, f_salt1, f_salt2, f_c1, f_c2 = struct.unpack_from(">6I", wal, offset)
        if (f_salt1, f_salt2) != (salt1, salt2) or pgno == 0:
            break
        checksum = _wal_checksum(wal[offset : offset + 8], big_endian, *checksum)
        checksum = _wal_checksum(wal[offset + 24 : offset + frame], big_endian, *checksum)
        if checksum != (f_c1, f_c2):
            break
        pending[pgno] = offset + 24
        if commit:
            committed.update(pending)
            pending = {}
            pages = commit
        offset += frame
    if not pages:
        return data
    if pages * page_size > MAX_UNTRUSTED_BYTES:
        raise _Refusal("its -wal makes it larger than the size reviewed")
    image = bytearray(data[: pages * page_size])
    image.extend(bytes(pages * page_size - len(image)))
    for pgno, start in committed.items():
        if pgno <= pages:
            image[(pgno - 1) * page_size : pgno * page_size] = wal[start : start + page_size]
    return bytes(image)


def _untrusted_connection(data: bytes) -> sqlite3.Connection:
    """A private in-memory database holding ``data``, set up for hostile content."""
    conn = sqlite3.connect(":memory:")
    try:
        for limit, value in _UNTRUSTED_LIMITS:
            conn.setlimit(limit, value)
        conn.execute("PRAGMA trusted_schema=OFF")
        conn.execute("PRAGMA cell_size_check=ON")
        if hasattr(conn, "setconfig") and hasattr(sqlite3, "SQLITE_DBCONFIG_DEFENSIVE"):  # Python 3.12+
            conn.setconfig(sqlite3.SQLITE_DBCONFIG_DEFENSIVE, True)
        conn.deserialize(data)
        conn.execute("PRAGMA mmap_size=0")
        conn.execute("PRAGMA query_only=ON")
    except BaseException:
        conn.close()
        raise
    return conn


def _shown(name: object) -> str:
    text = str(name)
    return repr(text if len(text) <= 60 else text[:60] + "...")


_Shape = tuple[
    dict[tuple[str, str], str], dict[str, tuple[tuple[Any, ...], ...]], dict[str, tuple[Any, ...]], dict[str, int]
]


def _schema_shape(conn: sqlite3.Connection) -> _Shape:
    """The schema's objects, every table's columns, every index's definition, which tables are STRICT."""
    objects: dict[tuple[str, str], str] = {}
    virtual: list[str] = []
    for kind, name, table, sql in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"):
        objects[(str(kind), str(name))] = str(table)
        if kind == "table" and isinstance(sql, str) and sql.lstrip().upper().startswith("CREATE VIRTUAL"):
            virtual.append(str(name))
    if virtual:
        raise _Refusal(f"it contains a virtual table ({_shown(virtual[0])}), which Warrant never writes")
    columns: dict[str, tuple[tuple[Any, ...], ...]] = {}
    indexes: dict[str, tuple[Any, ...]] = {}
    for (kind, name), _table in sorted(objects.items()):
        if kind != "table":
            continue
        quoted = name.replace('"', '""')
        columns[name] = tuple(
            (col_name, str(col_type).upper(), notnull, pk, hidden)
            for _, col_name, col_type, notnull, _, pk, hidden in conn.execute(f'PRAGMA table_xinfo("{quoted}")')
        )
        for _, index, unique, origin, partial in conn.execute(f'PRAGMA index_list("{quoted}")'):
            keys = tuple(
                (cid, col, desc, coll, key)
                for _, cid, col, desc, coll, key in conn.execute(
                    'PRAGMA index_xinfo("{}")'.format(str(index).replace('"', '""'))
                )
            )
            indexes[str(index)] = (name, unique, origin, partial, keys)
    strict = {str(row[1]): int(row[5]) for row in conn.execute("PRAGMA main.table_list") if row[2] == "table"}
    return objects, columns, indexes, strict


@functools.cache
def _expected_shape() -> _Shape:
    """The shape of the schema this Warrant creates, taken from a fresh in-memory store."""
    fresh = Store.memory()
    try:
        return _schema_shape(fresh.db.conn)
    finally:
        fresh.close()


def _check_untrusted_database(conn: sqlite3.Connection) -> None:
    application_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if application_id != migrations.APPLICATION_ID or version != migrations.FORMAT_VERSION:
        raise _Refusal("its application id or format version is not this Warrant's")
    # The verdict can quote damaged bytes (names, values) that are not UTF-8: read it as bytes.
    conn.text_factory = bytes
    try:
        raw = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
    finally:
        conn.text_factory = str
    verdict = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    if verdict != "ok":
        if "CHECK constraint" in verdict or "NULL value" in verdict:
            raise _Refusal(f"a row breaks a rule of Warrant's schema ({_shown(verdict)})")
        raise _Refusal(f"it is damaged ({_shown(verdict)})")
    objects, columns, indexes, strict = _schema_shape(conn)
    want_objects, want_columns, want_indexes, want_strict = _expected_shape()
    kinds = {"trigger": "a trigger", "view": "a view", "table": "a table", "index": "an index"}
    for kind, name in sorted(set(objects) - set(want_objects)):
        what = kinds.get(kind, f"a schema object of type {_shown(kind)}")
        raise _Refusal(f"it contains {what} ({_shown(name)}) that Warrant never writes")
    for kind, name in sorted(set(want_objects) - set(objects)):
        raise _Refusal(f"its {kind} {_shown(name)} is missing")
    for name, flag in want_strict.items():
        if strict.get(name) != flag:
            raise _Refusal(f"its table {_shown(name)} is {'not ' if flag else ''}STRICT, unlike the one Warrant writes")
    for name, want in want_columns.items():
        if columns.get(name) != want:
            got = ", ".join(str(c[0]) for c in columns.get(name, ()))
            raise _Refusal(f"its table {_shown(name)} does not have the columns Warrant writes (it has: {_shown(got)})")
    for name, definition in want_indexes.items():
        if indexes.get(name) != definition or objects.get(("index", name)) != definition[0]:
            raise _Refusal(f"its index {_shown(name)} is not the one Warrant writes")


def _text_check(column: str, limit: int, least: int = 0) -> str:
    return f'(typeof("{column}") = \'text\' AND length("{column}") BETWEEN {least} AND {limit})'


_ANNOTATION_CHECK = (
    "SELECT rowid FROM annotations WHERE NOT ("
    + " AND ".join(
        [
            _text_check("id", MAX_ID_CHARS, 1),
            _text_check("document", 64, 64),
            _text_check("tag", MAX_NAME_CHARS, 1),
            "typeof(start) = 'integer'",
            "typeof(\"end\") = 'integer'",
            "typeof(quote) = 'text'",
            _text_check("prefix", MAX_CONTEXT_CHARS),
            _text_check("suffix", MAX_CONTEXT_CHARS),
            _text_check("note", MAX_NOTE_CHARS),
            _text_check("author", MAX_LABEL_CHARS),
            _text_check("created", MAX_STAMP_CHARS),
            _text_check("modified", MAX_STAMP_CHARS),
            _text_check("origin_author", MAX_LABEL_CHARS),
            _text_check("origin_id", MAX_ID_CHARS),
            _text_check("origin_file", MAX_PATH_CHARS),
        ]
    )
    + ") LIMIT 1"
)


def _text_value(value: object, what: str, limit: int, *, empty: bool = True) -> str:
    if not isinstance(value, str):
        raise _Refusal(f"{what} is not text")
    if len(value) > limit:
        raise _Refusal(f"{what} is longer than {limit} characters")
    if not empty and not value:
        raise _Refusal(f"{what} is empty")
    return value


def _int_value(value: object, what: str) -> int:
    if type(value) is not int:
        raise _Refusal(f"{what} is not a whole number")
    return value


def _count(conn: sqlite3.Connection, table: str, limit: int) -> None:
    n = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    if n > limit:
        raise _Refusal(f"it holds {n} rows in {table}; up to {limit} are reviewed")


def _load_untrusted(conn: sqlite3.Connection, path: str) -> ColleagueFile:
    """Read and validate every row; any row that does not make sense refuses the whole file."""
    _count(conn, "meta", 1000)
    meta: dict[str, str] = {}
    for key, value in conn.execute("SELECT key, value FROM meta"):
        k = _text_value(key, "a meta key", MAX_LABEL_CHARS)
        meta[k] = _text_value(value, f"meta value {_shown(k)}", MAX_META_CHARS)
    annotator = meta.get("annotator", "")[:MAX_LABEL_CHARS]

    _count(conn, "documents", MAX_DOCUMENTS)
    docs: dict[str, model.Document] = {}
    for fp, title, doc_path, kind, text, added in conn.execute(
        "SELECT fingerprint, title, path, kind, text, added FROM documents ORDER BY added, rowid"
    ):
        fp = _text_value(fp, "a document fingerprint", 64)
        if not _HEX64.fullmatch(fp):
            raise _Refusal(f"document fingerprint {_shown(fp)} is not a SHA-256")
        where = f"document {fp[:12]}"
        text = _text_value(text, f"the text of {where}", MAX_VALUE_BYTES)
        if _documents.fingerprint(text) != fp:
            raise _Refusal(f"the text of {where} does not match its fingerprint")
        if fp in docs:
            raise _Refusal(f"{where} appears twice")
        docs[fp] = model.Document(
            fingerprint=fp,
            title=_text_value(title, f"the title of {where}", MAX_PATH_CHARS),
            path=_text_value(doc_path, f"the path of {where}", MAX_PATH_CHARS),
            text=text,
            kind=_text_value(kind, f"the kind of {where}", MAX_NAME_CHARS),
            added=_text_value(added, f"the date of {where}", MAX_STAMP_CHARS),
        )

    _count(conn, "tags", MAX_TAGS)
    tags: dict[str, model.Tag] = {}
    for name, label, colour, shortcut, position in conn.execute(
        "SELECT name, label, colour, shortcut, position FROM tags ORDER BY position, name"
    ):
        name = _text_value(name, "a tag name", MAX_NAME_CHARS, empty=False)
        colour = _text_value(colour, f"the colour of tag {_shown(name)}", 16)
        if not _COLOUR.fullmatch(colour):
            raise _Refusal(f"the colour of tag {_shown(name)} is not a #rrggbb colour")
        if name in tags:
            raise _Refusal(f"tag {_shown(name)} appears twice")
        tags[name] = model.Tag(
            name=name,
            label=_text_value(label, f"the label of tag {_shown(name)}", MAX_LABEL_CHARS),
            colour=colour,
            shortcut=_text_value(shortcut, f"the shortcut of tag {_shown(name)}", 32),
            position=_int_value(position, f"the position of tag {_shown(name)}"),
        )

    _count(conn, "relations", MAX_TAGS)
    relations: dict[str, model.Relation] = {}
    for name, label, position in conn.execute("SELECT name, label, position FROM relations ORDER BY position, name"):
        name = _text_value(name, "a relation name", MAX_NAME_CHARS, empty=False)
        if name in relations:
            raise _Refusal(f"relation {_shown(name)} appears twice")
        relations[name] = model.Relation(
            name=name,
            label=_text_value(label, f"the label of relation {_shown(name)}", MAX_LABEL_CHARS),
            position=_int_value(position, f"the position of relation {_shown(name)}"),
        )

    _count(conn, "annotations", MAX_ANNOTATIONS)
    # Types and sizes are checked by SQLite in one pass; Python then checks what SQL cannot see
    # (ids seen twice, offsets against the text, the quote). A row that fails either check goes
    # through the full Python validation, which names the problem.
    bad = conn.execute(_ANNOTATION_CHECK).fetchone()
    if bad is not None:
        row = conn.execute(_ANNOTATION_SELECT + " WHERE rowid = ?", (bad[0],)).fetchone()
        _untrusted_annotation(row, docs, tags, set())
        raise _Refusal("an annotation holds a value Warrant never writes")
    texts = {fp: doc.text for fp, doc in docs.items()}
    annotations: list[model.Annotation] = []
    ids: set[str] = set()
    for row in conn.execute(_ANNOTATION_SELECT + ' ORDER BY document, start, "end", id'):
        annotation_id, fp, tag, start, end, quote = row[:6]
        text = texts.get(fp)
        if (
            annotation_id in ids
            or text is None
            or tag not in tags
            or not 0 <= start < end <= len(text)
            or text[start:end] != quote
        ):
            _untrusted_annotation(row, docs, tags, ids)
            raise _Refusal(f"annotation {_shown(annotation_id)} does not make sense")
        ids.add(annotation_id)
        annotations.append(model.Annotation(*row))

    _count(conn, "links", MAX_ANNOTATIONS)
    links: list[model.Link] = []
    link_ids: set[str] = set()
    for link_id, source, target, relation, author, created in conn.execute(_LINK_SELECT + " ORDER BY created, id"):
        if (
            type(link_id) is str
            and 0 < len(link_id) <= MAX_ID_CHARS
            and link_id not in link_ids
            and source in ids
            and target in ids
            and source != target
            and relation in relations
            and type(author) is str
            and len(author) <= MAX_LABEL_CHARS
            and type(created) is str
            and len(created) <= MAX_STAMP_CHARS
        ):
            link_ids.add(link_id)
            links.append(model.Link(link_id, source, target, relation, author, created))
            continue
        # Something is wrong with this link: the checks below say what.
        link_id = _text_value(link_id, "a link id", MAX_ID_CHARS, empty=False)
        where = f"link {_shown(link_id)}"
        if link_id in link_ids:
            raise _Refusal(f"{where} appears twice (duplicate id)")
        link_ids.add(link_id)
        source = _text_value(source, f"the source of {where}", MAX_ID_CHARS)
        target = _text_value(target, f"the target of {where}", MAX_ID_CHARS)
        if source not in ids or target not in ids:
            raise _Refusal(f"{where} joins an annotation that does not exist")
        if source == target:
            raise _Refusal(f"{where} joins an annotation to itself")
        relation = _text_value(relation, f"the relation of {where}", MAX_NAME_CHARS)
        if relation not in relations:
            raise _Refusal(f"{where} has relation {_shown(relation)}, which the file does not define")
        _text_value(author, f"the author of {where}", MAX_LABEL_CHARS)
        _text_value(created, f"the date of {where}", MAX_STAMP_CHARS)
        raise _Refusal(f"{where} does not make sense")
    return ColleagueFile(
        path=path,
        annotator=annotator,
        documents=tuple(docs.values()),
        tags=tuple(tags.values()),
        relations=tuple(relations.values()),
        annotations=tuple(annotations),
        links=tuple(links),
    )


def _untrusted_annotation(
    row: Sequence[Any], docs: dict[str, model.Document], tags: dict[str, model.Tag], ids: set[str]
) -> model.Annotation:
    annotation_id = _text_value(row[0], "an annotation id", MAX_ID_CHARS, empty=False)
    where = f"annotation {_shown(annotation_id)}"
    if annotation_id in ids:
        raise _Refusal(f"{where} appears twice (duplicate id)")
    ids.add(annotation_id)
    fp = _text_value(row[1], f"the document of {where}", 64)
    doc = docs.get(fp)
    if doc is None:
        raise _Refusal(f"{where} belongs to a document the file does not hold")
    tag = _text_value(row[2], f"the tag of {where}", MAX_NAME_CHARS)
    if tag not in tags:
        raise _Refusal(f"{where} has tag {_shown(tag)}, which the file does not define")
    start = _int_value(row[3], f"the start of {where}")
    end = _int_value(row[4], f"the end of {where}")
    if not 0 <= start < end <= len(doc.text):
        raise _Refusal(f"{where} has offsets {start}-{end}, outside its document of {len(doc.text)} characters")
    quote = _text_value(row[5], f"the quote of {where}", end - start)
    if doc.text[start:end] != quote:
        raise _Refusal(f"the quote of {where} is not the text at its offsets {start}-{end}")
    return model.Annotation(
        id=annotation_id,
        document=fp,
        tag=tag,
        start=start,
        end=end,
        quote=quote,
        prefix=_text_value(row[6], f"the prefix of {where}", MAX_CONTEXT_CHARS),
        suffix=_text_value(row[7], f"the suffix of {where}", MAX_CONTEXT_CHARS),
        note=_text_value(row[8], f"the note of {where}", MAX_NOTE_CHARS),
        author=_text_value(row[9], f"the author of {where}", MAX_LABEL_CHARS),
        created=_text_value(row[10], f"the date of {where}", MAX_STAMP_CHARS),
        modified=_text_value(row[11], f"the date of {where}", MAX_STAMP_CHARS),
        origin_author=_text_value(row[12], f"the origin author of {where}", MAX_LABEL_CHARS),
        origin_id=_text_value(row[13], f"the origin id of {where}", MAX_ID_CHARS),
        origin_file=_text_value(row[14], f"the origin file of {where}", MAX_PATH_CHARS),
    )
