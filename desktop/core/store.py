"""The SQLite annotation file. ALL of Warrant's SQL lives here; callers get dataclasses, never rows.

One file per analyst holds the documents (with their full text), the tag set, the relations, the
annotations and the links. Every edit is its own transaction, committed with ``synchronous=FULL`` in
WAL mode before the method returns, so nothing the window has shown can be lost.
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import logging
import os
import re
import shutil
import sqlite3
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from desktop.core import errors, migrations, model, safeio
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
_DOCUMENT_TYPES: list[type] = [str] * 7
_TAG_TYPES: list[type] = [str, str, str, str, int, str]
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
    *fields, pages = _checked(row, _DOCUMENT_TYPES, "document")
    try:  # the page map: code-point offsets, space-separated, never decreasing
        starts = tuple(int(n) for n in pages.split()) if pages else ()
    except ValueError:
        starts = (-1,)
    if any(b < a for a, b in zip(starts, starts[1:], strict=False)) or (starts and starts[0] != 0):
        raise _DamagedRow(f"document {str(row[0])[:40]!r} has a damaged page map")
    fingerprint, title, path, text, kind, added = fields
    return model.Document(fingerprint, title, path, text, kind, added, page_starts=starts)


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


# SQLite's primary result codes (the low byte of an extended code) that mean the environment, not
# a bug: https://www.sqlite.org/rescode.html. Everything else (SQLITE_ERROR, SQLITE_MISUSE,
# SQLITE_RANGE, SQLITE_CONSTRAINT ...) is a programming error and stays an exception.
_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26
_SQLITE_READONLY_DBMOVED = _SQLITE_READONLY | (4 << 8)
_ENVIRONMENT_CODES = frozenset(
    (
        _SQLITE_PERM,
        _SQLITE_BUSY,
        _SQLITE_LOCKED,
        _SQLITE_READONLY,
        _SQLITE_IOERR,
        _SQLITE_CORRUPT,
        _SQLITE_FULL,
        _SQLITE_CANTOPEN,
        _SQLITE_NOTADB,
    )
)


_UNDECODABLE = "Could not decode to UTF-8"


def _outcome(opening: bool, reading: bool) -> str:
    return "it was not opened" if opening else "it could not be read" if reading else "the change was not saved"


def environment_error(
    exc: sqlite3.Error, path: str, *, opening: bool = False, reading: bool = False
) -> errors.StoreError | None:
    """Return the user's error for an SQLite error caused by the environment, or None for a bug.

    Sorted by SQLite's error code (``sqlite_errorcode``), never by the message's text, as
    qutebrowser's ``raise_sqlite_error`` does: a full disk, a read-only file, a lock held by another
    program, a damaged file, a failing disk. Any other code is a programming error: the caller
    re-raises the exception so that tests see it.
    """
    extended = getattr(exc, "sqlite_errorcode", None)
    if extended is None and isinstance(exc, sqlite3.OperationalError) and str(exc).startswith(_UNDECODABLE):
        # Raised by Python's sqlite3 module itself (no SQLite code): a text value that is not UTF-8.
        return errors.DamagedFileError(
            f"{errors.shown(path)} is damaged: it holds text that is not UTF-8; {_outcome(opening, reading)}"
        )
    if not isinstance(extended, int):
        return None
    code = extended & 0xFF
    if code not in _ENVIRONMENT_CODES:
        return None
    name = errors.shown(path)
    outcome = _outcome(opening, reading)
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return errors.StoreBusyError(
            f"{name} is being written by another Warrant window or program; {outcome}. "
            "Close the other one, or use File > Save a copy as..."
        )
    if extended == _SQLITE_READONLY_DBMOVED:
        return errors.FileChangedError(
            f"{name} was moved or deleted while open; the change was not saved. Use File > Save a copy as..."
        )
    if code in (_SQLITE_READONLY, _SQLITE_PERM):
        if opening:
            return errors.StoreReadOnlyError(
                f"{name} is read-only (the file or its folder cannot be written). Warrant saves every change "
                "as it is made: copy the file to a folder you can write to and open the copy"
            )
        return errors.StoreReadOnlyError(f"{name} cannot be written (it is read-only); {outcome}")
    if code == _SQLITE_FULL:
        return errors.StoreFullError(f"the disk holding {name} is full; {outcome}")
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return errors.DamagedFileError(f"{name} is damaged ({one_line_reason(exc)}); {outcome}")
    if code == _SQLITE_CANTOPEN:
        return errors.StoreIOError(
            f"{name} cannot be opened (was it moved or deleted, or is its folder unreadable?); {outcome}"
        )
    return errors.StoreIOError(
        f"reading or writing the disk holding {name} failed (is it full, or was it removed?); {outcome}"
    )


def _translate(exc: sqlite3.Error, path: str, *, opening: bool = False, reading: bool = False) -> errors.StoreError:
    """Turn an environment's sqlite3 error into the user's error; re-raise a programming error."""
    failure = environment_error(exc, path, opening=opening, reading=reading)
    if failure is None:
        raise exc
    return failure


def one_line_reason(value: object, limit: int = 200) -> str:
    """Return an SQLite message or check verdict as one short line: its first line, escaped, with a count of the rest.

    ``PRAGMA quick_check`` can return a hundred lines in one value; a message shows the first.
    """
    lines = [line for line in str(value).splitlines() if line.strip()] or [""]
    first = errors.shown(lines[0])
    if len(first) > limit:
        first = first[: limit - 1] + "\u2026"
    more = len(lines) - 1
    return first + (f" (and {more} more problem{'s' if more != 1 else ''})" if more else "")


def check_header(path: Path) -> None:
    """Refuse a file that is not an SQLite database, before SQLite touches it.

    Raises:
        StoreError: missing magic number, a folder, a FIFO or device, unreadable, or a truncated header.
    """
    name = errors.shown(path)
    try:
        safeio.check_input(path)
    except errors.UnsafePathError as exc:
        raise errors.StoreError(str(exc)) from None
    try:
        head = safeio.read_bounded(path, 100, what=name) if path.stat().st_size <= 100 else _head(path)
    except (OSError, errors.UnsafePathError) as exc:
        raise errors.StoreError(f"{name} cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    if not head:
        raise errors.StoreError(f"{name} is empty, not an annotation file")
    if not head.startswith(SQLITE_MAGIC):
        raise errors.StoreError(f"{name} is not a Warrant annotation file (it is not an SQLite database)")
    if len(head) < 100:
        raise errors.DamagedFileError(f"{name} is damaged: it is shorter than an SQLite header")


def _head(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        return os.read(fd, 100)
    finally:
        os.close(fd)


# -- the schema --------------------------------------------------------------------------------------

Shape = tuple[
    dict[tuple[str, str], str], dict[str, tuple[tuple[Any, ...], ...]], dict[str, tuple[Any, ...]], dict[str, int]
]
"""A schema as :func:`schema_shape` sees it: objects, every table's columns, every index, which tables are STRICT."""

_CREATE = re.compile(r"\s*CREATE\s+(?:(TABLE)|(?:UNIQUE\s+)?(INDEX))\s", re.IGNORECASE)


def shown_name(name: object) -> str:
    """A schema object's or a value's name for a message: escaped and at most 60 characters."""
    text = str(name)
    return repr(errors.shown(text if len(text) <= 60 else text[:60] + "..."))


def schema_objects_problem(conn: sqlite3.Connection) -> str | None:
    """Return why the file's schema holds something Warrant never writes, or None; runs nothing of the file.

    Reads only ``sqlite_master``: every object must be a table or an index, spelt as SQLite
    itself spells its types, and created by ``CREATE TABLE`` or ``CREATE INDEX``. A trigger or a
    view (whatever the case of its type) would run on every read or edit; a virtual table would
    run a module's code.
    """
    for kind, name, sql in conn.execute("SELECT type, name, sql FROM sqlite_master"):
        kind_text = str(kind)
        if kind_text.lower() in ("trigger", "view"):
            return f"it contains a {kind_text.lower()} ({shown_name(name)}) that Warrant never writes"
        if kind_text not in ("table", "index"):
            return (
                f"it contains a schema object of type {shown_name(kind)} ({shown_name(name)}) that Warrant never writes"
            )
        if sql is None:
            if kind_text == "index" and str(name).startswith("sqlite_autoindex_"):
                continue
            return f"its {kind_text} {shown_name(name)} has no definition"
        if re.match(r"\s*CREATE\s+VIRTUAL\s", str(sql), re.IGNORECASE):
            return f"it contains a virtual table ({shown_name(name)}) that Warrant never writes"
        match = _CREATE.match(str(sql))
        if match is None or (match.group(1) is not None) != (kind_text == "table"):
            return f"its {kind_text} {shown_name(name)} is defined as something else ({shown_name(str(sql)[:40])})"
    return None


def schema_shape(conn: sqlite3.Connection) -> Shape:
    """Return the schema's objects, every table's columns, every index's definition, which tables are STRICT.

    Call :func:`schema_objects_problem` first: this reads table and index lists with pragmas.
    """
    objects: dict[tuple[str, str], str] = {}
    for kind, name, table in conn.execute("SELECT type, name, tbl_name FROM sqlite_master"):
        objects[(str(kind), str(name))] = str(table)
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
def expected_shape() -> Shape:
    """The shape of the schema this Warrant creates, taken from a fresh in-memory store."""
    fresh = Store.memory()
    try:
        return schema_shape(fresh.db.conn)
    finally:
        fresh.close()


def schema_problem(conn: sqlite3.Connection, *, own: bool = False, complete: bool = True) -> str | None:
    """Return how a file's whole schema differs from the one this Warrant writes, or None.

    Names are compared exactly (SQLite's own names are case-insensitive, so an ``ANNOTATIONS``
    table would stand in for ``annotations``), column types without regard to case.

    Args:
        conn: the file, read-only.
        own: the analyst's own file: tables Warrant does not know (and their indexes) are kept, as
            long as they are plain tables; nothing may be added to Warrant's own tables.
        complete: the file should hold every table and index of this format (false for a file of an
            older format, or one whose creation was interrupted: the migrations complete it).
    """
    problem = schema_objects_problem(conn)
    if problem is not None:
        return problem
    objects, columns, indexes, strict = schema_shape(conn)
    want_objects, want_columns, want_indexes, want_strict = expected_shape()
    known = {name.lower() for kind, name in want_objects if kind == "table"}
    for kind, name in sorted(set(objects) - set(want_objects)):
        if own and objects[(kind, name)].lower() not in known:
            continue  # the analyst's own table, left alone
        return f"it contains {'an' if kind == 'index' else 'a'} {kind} ({shown_name(name)}) that Warrant never writes"
    if not complete:
        return None
    for kind, name in sorted(set(want_objects) - set(objects)):
        return f"its {kind} {shown_name(name)} is missing"
    for name, flag in want_strict.items():
        if strict.get(name) != flag:
            return f"its table {shown_name(name)} is {'not ' if flag else ''}STRICT, unlike the one Warrant writes"
    for name, want in want_columns.items():
        if columns.get(name) != want:
            got = ", ".join(str(c[0]) for c in columns.get(name, ()))
            return f"its table {shown_name(name)} does not have the columns Warrant writes (it has: {shown_name(got)})"
    for name, definition in want_indexes.items():
        if indexes.get(name) != definition or objects.get(("index", name)) != definition[0]:
            return f"its index {shown_name(name)} is not the one Warrant writes"
    return None


# -- reading a file without writing beside it -----------------------------------------------------------


@contextlib.contextmanager
def open_reader(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to ``path`` that creates nothing beside the file and reads its committed ``-wal``.

    - No ``-wal`` beside it: nobody has it open and no crash left a log, so the whole database is in
      the file; ``immutable=1`` reads it without creating ``-wal`` or ``-shm``.
    - A ``-wal`` and a ``-shm``: another connection has it open; a read-only connection shares its
      wal-index and creates nothing.
    - A ``-wal`` alone (a crash), or a folder or file system that cannot be written: SQLite would have
      to create a ``-shm`` to read the log. The file and its ``-wal`` are copied into a private
      temporary folder and read there, where SQLite's own recovery applies the log.

    The connection has ``trusted_schema=OFF`` and ``query_only=ON``; its schema is NOT checked here.
    Should another program open the file in the moment between, the read might see a
    half-checkpointed file and call it damaged: a refusal, never a change.
    """
    wal = Path(f"{path}-wal")
    shm = Path(f"{path}-shm")
    private: str | None = None
    conn: sqlite3.Connection | None = None
    try:
        if not wal.exists():
            conn = _connect_readonly(path.resolve().as_uri() + "?mode=ro&immutable=1")
        elif shm.exists():
            try:
                conn = _connect_readonly(path.resolve().as_uri() + "?mode=ro")
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError:
                if conn is not None:
                    conn.close()
                conn = None
        if conn is None:
            private = tempfile.mkdtemp(prefix="warrant-read-")
            copy = Path(private) / "copy.warrant"
            for source, target in ((path, copy), (wal, Path(f"{copy}-wal"))):
                with contextlib.suppress(FileNotFoundError):
                    _copy_regular(source, target)
            conn = sqlite3.connect(str(copy), timeout=BUSY_TIMEOUT_MS / 1000)
            conn.execute("PRAGMA trusted_schema=OFF")
            conn.execute("PRAGMA query_only=ON")
        yield conn
    finally:
        if conn is not None:
            conn.close()
        if private is not None:
            shutil.rmtree(private, ignore_errors=True)


def hold_snapshot(conn: sqlite3.Connection) -> None:
    """Start a read transaction on a reader: every later query sees the same committed state."""
    conn.execute("BEGIN")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()


def _connect_readonly(uri: str) -> sqlite3.Connection:
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute("PRAGMA trusted_schema=OFF")
    conn.execute("PRAGMA query_only=ON")
    return conn


def _copy_regular(source: Path, target: Path) -> None:
    """Copy a regular file (never a FIFO or device) into the private folder."""
    fd = os.open(source, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise errors.UnsafePathError(f"{errors.shown(source)} is not a regular file; it was not read")
        os.set_blocking(fd, True)
        with os.fdopen(os.dup(fd), "rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    finally:
        os.close(fd)


def inspect(path: Path) -> None:
    """Check an existing annotation file without writing to it (or beside it): schema, integrity, references.

    The schema is checked first, from ``sqlite_master`` alone, before any other statement runs on
    the file: a trigger or a view (of any spelling) is refused before it could run.

    Raises:
        StoreError: damaged, written by another program, holding a trigger, view or foreign
            object, or referring to rows that are not there.
        NewerFormatError: written by a newer Warrant.
    """
    check_header(path)
    name = errors.shown(path)
    try:
        try:
            with open_reader(path) as conn:
                inspect_connection(conn, name)
        except (sqlite3.DatabaseError, errors.DamagedFileError):
            # A reader with no -wal beside the file reads it as immutable; another window that opened
            # and wrote it in that very moment makes the read torn, not the file damaged. Read once
            # more: a damaged file is damaged twice, a file being written reads whole the second time.
            time.sleep(0.05)
            with open_reader(path) as conn:
                inspect_connection(conn, name)
    except sqlite3.Error as exc:
        failure = environment_error(exc, str(path), opening=True)
        if failure is not None and not isinstance(failure, errors.DamagedFileError):
            raise failure from None
        raise errors.DamagedFileError(
            f"{name} is damaged or not an annotation file ({one_line_reason(exc)}); it was not changed"
        ) from None
    except UnicodeDecodeError:
        # SQLite names the damaged schema object in its message, and the name itself is not UTF-8.
        raise errors.DamagedFileError(f"{name} is damaged (its schema is not readable); it was not changed") from None


def inspect_connection(conn: sqlite3.Connection, name: str) -> None:
    """Run :func:`inspect`'s checks on an open read-only connection (``name``: the file, escaped)."""
    conn.text_factory = lambda b: b.decode("utf-8", "replace")  # quick_check quotes damaged text
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if app_id != migrations.APPLICATION_ID:
        raise errors.StoreError(f"{name} is an SQLite database, but not a Warrant annotation file")
    if version > migrations.FORMAT_VERSION:
        raise errors.NewerFormatError(
            f"{name} was written by a newer Warrant (format {version}; this one reads up to "
            f"{migrations.FORMAT_VERSION}); it was not opened or changed"
        )
    migrated = conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_sqlite_migrations'").fetchone() is not None
    problem = schema_problem(conn, own=True, complete=version == migrations.FORMAT_VERSION and migrated)
    if problem is not None:
        raise errors.DamagedFileError(
            f"{name} is damaged or was changed by another program: {problem}; it was not opened or changed"
        )
    result = conn.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise errors.DamagedFileError(f"{name} is damaged ({one_line_reason(result)}); it was not changed")
    dangling = conn.execute("PRAGMA foreign_key_check").fetchone()
    if dangling is not None:
        table, rowid, parent, _ = dangling
        raise errors.DamagedFileError(
            f"{name} is damaged: a row of its {shown_name(table)} (row {rowid}) refers to a missing row of "
            f"{shown_name(parent)}; it was not changed"
        )


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
        self._closing: list[Callable[[], object]] = []
        self._checkpointer: sqlite3.Connection | None = None
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
            raise errors.StoreError(f"{errors.shown(p)} is empty, not an annotation file")
        if exists:
            inspect(p)
            # SQLite would quietly open a read-only file read-only, and fail only at the first edit.
            # The folder must take the -wal and -shm files, unless another connection made them.
            if not os.access(p, os.W_OK) or not (os.access(p.parent, os.W_OK) or Path(f"{p}-wal").exists()):
                raise errors.StoreReadOnlyError(
                    f"{errors.shown(p)} is read-only (the file or its folder cannot be written). "
                    "Warrant saves every change "
                    "as it is made: copy the file to a folder you can write to and open the copy"
                )
        elif not create:
            raise errors.StoreError(f"{errors.shown(p)} does not exist")
        elif not p.parent.is_dir():
            raise errors.StoreError(
                f"cannot create {errors.shown(p)}: the folder {errors.shown(p.parent)} does not exist"
            )
        elif not os.access(p.parent, os.W_OK):
            raise errors.StoreError(
                f"cannot create {errors.shown(p)}: the folder {errors.shown(p.parent)} cannot be written"
            )
        try:
            conn = sqlite3.connect(str(p), timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            raise errors.StoreError(f"{errors.shown(p)} cannot be opened: {one_line_reason(exc)}") from None
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
            found = environment_error(exc, str(p), opening=True)
            if found is None:  # a programming error: the tests must see it
                conn.close()
                raise
            failure = found
        except (UnicodeError, _DamagedRow) as exc:
            failure = errors.DamagedFileError(f"{errors.shown(p)} is damaged ({exc}); it was not opened")
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
                made = cls(db, tmp)
                made._initialise(annotator)
                made.close()
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
            raise errors.StoreError(f"cannot create {errors.shown(p)}: {exc.strerror or exc}") from None
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
        if self._checkpointer is not None:
            with contextlib.suppress(sqlite3.Error):
                self._checkpointer.close()
            self._checkpointer = None
        with contextlib.suppress(sqlite3.Error):
            self.db.conn.close()
        while self._closing:
            self._closing.pop()()

    def on_close(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` when the store is closed (e.g. to remove a private copy it reads)."""
        self._closing.append(callback)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_still_there(self) -> None:
        """Refuse to write once the file was deleted, moved or replaced (its device and inode changed).

        SQLite would write into the unlinked or moved file, and its ``-wal`` at the old path would be
        merged into whatever file is put there next. The open connection can still read it all, so
        File > Save a copy as... keeps the work.
        """
        if self._identity is None:
            return
        try:
            st = os.stat(self._file)
            same = (st.st_dev, st.st_ino) == self._identity
        except OSError:
            same = False
        if not same:
            raise errors.FileChangedError(
                f"{errors.shown(self.path)} was deleted, moved or replaced while open (by another program); "
                "the change was not saved, and nothing more will be written to it. "
                "Use File > Save a copy as... to keep your work"
            )

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction, the only way any module outside the store opens one: all of it is saved, or none.

        ``BEGIN IMMEDIATE`` takes the write lock first, so a transaction that reads before it writes
        waits (busy timeout) for another writer instead of failing on a stale snapshot. The file's
        identity (device and inode) is checked first; the commit is fsynced (``synchronous=FULL``),
        and the write-ahead log is then checkpointed and truncated, so that no committed frame waits
        in a ``-wal`` that could be merged into another file put at this path.

        Nested use is allowed: an inner ``atomic()`` (and every store method called inside) becomes a
        savepoint of the outer transaction, and nothing is committed before the outermost one ends.
        An exception leaving an inner block rolls back that block; leaving the outermost block, all.

        Raises:
            StoreError: (a subclass naming the cause) the file is full, read-only, locked by another
                program, damaged, moved or replaced; nothing was written.
        """
        self._check_still_there()
        try:
            with self._transaction():
                yield
        except sqlite3.IntegrityError as exc:
            raise errors.StoreError(f"{errors.shown(self.path)}: the change was refused ({exc})") from None
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from None
        except UnicodeEncodeError as exc:
            raise errors.StoreError(
                f"{errors.shown(self.path)}: the change was refused: its text holds an unpaired surrogate "
                f"(U+{ord(exc.object[exc.start]):04X}), which is not Unicode text and cannot be saved"
            ) from None
        except (UnicodeDecodeError, _DamagedRow) as exc:
            raise errors.DamagedFileError(
                f"{errors.shown(self.path)} is damaged ({exc}); the change was not saved"
            ) from None

    _write = atomic

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` (see :meth:`atomic`); nested use becomes a savepoint."""
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
        self._truncate_log()

    def _truncate_log(self) -> None:
        """Move the committed log into the file and empty the ``-wal``.

        Run on a second connection with no busy timeout: a reader still on an older snapshot (an
        export running from the command line) makes the checkpoint give up at once instead of
        holding up the edit; the next commit tries again. The commit itself is already durable.
        """
        if self._identity is None:
            return
        try:
            if self._checkpointer is None:
                self._checkpointer = sqlite3.connect(self._file, timeout=0, isolation_level=None)
            self._checkpointer.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except sqlite3.Error as exc:
            log.warning("checkpoint of %s failed: %s", self.path, exc)

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _translate(exc, self.path, reading=True) from None
        except UnicodeDecodeError as exc:
            raise errors.DamagedFileError(
                f"{errors.shown(self.path)} is damaged: it holds text that is not UTF-8 ({exc.reason})"
            ) from None

    def _rows(self, sql: str, params: Sequence[Any], factory: Callable[[Sequence[Any]], _T]) -> list[_T]:
        """Read rows as dataclasses; a row Warrant could never have written is a StoreError."""
        rows = self._read(sql, params)
        try:
            return [factory(row) for row in rows]
        except _DamagedRow as exc:
            raise errors.DamagedFileError(f"{errors.shown(self.path)} is damaged: {exc}") from None

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
        stored = model.Document(
            fingerprint=doc.fingerprint,
            title=doc.title,
            path=doc.path,
            text=doc.text,
            kind=doc.kind,
            added=model.now_utc(),
            page_starts=tuple(doc.page_starts),
        )
        with self._write():  # BEGIN IMMEDIATE: the check and the insert are one step, even across processes
            existing = self.document(doc.fingerprint, missing_ok=True)
            if existing is not None:
                return existing
            self._insert_documents([stored])
        return stored

    def _insert_documents(self, docs: Sequence[model.Document]) -> None:
        self.db.conn.executemany(
            "INSERT INTO documents (fingerprint, title, path, kind, text, added, page_starts) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (d.fingerprint, d.title, d.path, d.kind, d.text, d.added, " ".join(map(str, d.page_starts)))
                for d in docs
            ],
        )

    def documents(self) -> list[model.Document]:
        """Return every document, in the order they were added."""
        return self._rows(
            "SELECT fingerprint, title, path, text, kind, added, page_starts FROM documents ORDER BY added, rowid",
            (),
            _document,
        )

    def document_titles(self) -> list[tuple[str, str]]:
        """Return ``(fingerprint, title)`` of every document in the order they were added, without their texts."""
        rows = self._read("SELECT fingerprint, title FROM documents ORDER BY added, rowid")
        if any(not isinstance(f, str) or not isinstance(t, str) for f, t in rows):
            raise errors.StoreError(
                f"{errors.shown(self.path)} is damaged: a document's fingerprint or title is not text"
            )
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
            "SELECT fingerprint, title, path, text, kind, added, page_starts FROM documents WHERE fingerprint = ?",
            (fingerprint,),
            _document,
        )
        if rows:
            return rows[0]
        if missing_ok:
            return None
        raise errors.NotFoundError(
            f"{errors.shown(self.path)} has no document with fingerprint {shown_name(fingerprint)}"
        )

    def find_document(self, key: str) -> model.Document:
        """Return the document whose fingerprint (or its start, 8+ characters) or title is ``key``.

        Raises:
            NotFoundError: nothing matches, or more than one document does.
        """
        rows = self._rows(
            "SELECT fingerprint, title, path, text, kind, added, page_starts FROM documents "
            "WHERE fingerprint = ? OR (length(?) >= 8 AND substr(fingerprint, 1, length(?)) = ?) OR title = ?",
            (key, key, key, key, key),
            _document,
        )
        if len(rows) == 1:
            return rows[0]
        if not rows:
            raise errors.NotFoundError(f"{errors.shown(self.path)} has no document {shown_name(key)}")
        raise errors.NotFoundError(
            f"{shown_name(key)} names {len(rows)} documents in {errors.shown(self.path)}; use a fingerprint"
        )

    # -- tags and relations ----------------------------------------------------------------------

    def tags(self) -> list[model.Tag]:
        """Return the tag set in display order."""
        return self._rows(
            "SELECT name, label, colour, shortcut, position, description FROM tags ORDER BY position, name", (), _tag
        )

    def _insert_tag(self, tag: model.Tag) -> None:
        self.db.execute(
            "INSERT INTO tags (name, label, colour, shortcut, position, description) VALUES (?, ?, ?, ?, ?, ?)",
            (tag.name, tag.label, tag.colour, tag.shortcut, tag.position, tag.description),
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

    def _replace_tags(self, tags: Sequence[model.Tag]) -> None:
        """Write whole tags (label, colour, key, position, description) over the stored ones of the same names."""
        if tags:
            self.db.conn.executemany(
                "UPDATE tags SET label = ?, colour = ?, shortcut = ?, position = ?, description = ? WHERE name = ?",
                [(t.label, t.colour, t.shortcut, t.position, t.description, t.name) for t in tags],
            )

    def tag_counts(self) -> dict[str, int]:
        """How many passages (of every document) each tag has."""
        return {str(name): int(n) for name, n in self._read("SELECT tag, count(*) FROM annotations GROUP BY tag")}

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

    def annotations_with_ids(self, ids: Iterable[str]) -> list[model.Annotation]:
        """Return the annotations with these ids that exist (in no set order), a few queries for many ids."""
        return self._rows_in(_ANNOTATION_SELECT, "id", ids, _annotation)

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

    # -- one edit of the operation layer (desktop.core.operations) -------------------------------

    def apply_edit(
        self,
        *,
        remove_links: Sequence[str] = (),
        remove_annotations: Sequence[str] = (),
        remove_tags: Sequence[str] = (),
        remove_relations: Sequence[str] = (),
        remove_documents: Sequence[str] = (),
        documents: Sequence[model.Document] = (),
        tags: Sequence[model.Tag] = (),
        relations: Sequence[model.Relation] = (),
        annotations: Sequence[model.Annotation] = (),
        replace: Sequence[model.Annotation] = (),
        links: Sequence[model.Link] = (),
        replace_tags: Sequence[model.Tag] = (),
    ) -> tuple[list[model.Annotation], list[model.Link]]:
        """Make one edit in ONE transaction: all of it or none of it.

        Removals run first (links, annotations with every link touching them, then relations and
        documents), then insertions (documents, tags, relations, annotations), then ``replace`` writes
        whole annotations over the stored ones with the same ids and ``replace_tags`` whole tags over the
        stored ones with the same names; then tags are removed (after their passages were retagged), and
        last ``links`` are inserted.

        Returns:
            The annotations and links that were removed, as they were, so that the edit can be undone exactly.

        Raises:
            StoreError: the write failed or was refused; nothing was changed.
        """
        ann_ids = list(dict.fromkeys(remove_annotations))
        columns = ", ".join(f'"{c}"' for c in _ANNOTATION_COLUMNS)
        placeholders = ", ".join("?" for _ in _ANNOTATION_COLUMNS)
        gone: list[model.Annotation] = []
        gone_links: dict[str, model.Link] = {}
        with self._write():
            for i in range(0, len(remove_links), 400):
                chunk = list(remove_links[i : i + 400])
                marks = ", ".join("?" for _ in chunk)
                for row in self.db.execute(_LINK_SELECT + f" WHERE id IN ({marks})", chunk):
                    gone_links.setdefault(row[0], _link(row))
            for i in range(0, len(ann_ids), 400):
                chunk = ann_ids[i : i + 400]
                marks = ", ".join("?" for _ in chunk)
                for row in self.db.execute(
                    _LINK_SELECT + f" WHERE source IN ({marks}) OR target IN ({marks})", chunk * 2
                ):
                    gone_links.setdefault(row[0], _link(row))
                gone.extend(
                    _annotation(r) for r in self.db.execute(_ANNOTATION_SELECT + f" WHERE id IN ({marks})", chunk)
                )
            if gone_links:
                self.db.conn.executemany("DELETE FROM links WHERE id = ?", [(k,) for k in gone_links])
            if gone:
                self.db.conn.executemany("DELETE FROM annotations WHERE id = ?", [(a.id,) for a in gone])
            for table, key, names in (
                ("relations", "name", remove_relations),
                ("documents", "fingerprint", remove_documents),
            ):
                if names:
                    self.db.conn.executemany(f"DELETE FROM {table} WHERE {key} = ?", [(n,) for n in names])
            if documents:
                self._insert_documents(documents)
            for tag in tags:
                self._insert_tag(tag)
            if relations:
                self.db.conn.executemany(
                    "INSERT INTO relations (name, label, position) VALUES (?, ?, ?)",
                    [(r.name, r.label, r.position) for r in relations],
                )
            if annotations:
                self.db.conn.executemany(
                    f"INSERT INTO annotations ({columns}) VALUES ({placeholders})",
                    [_annotation_params(a) for a in annotations],
                )
            if replace:
                self.db.conn.executemany(
                    'UPDATE annotations SET tag = ?, start = ?, "end" = ?, quote = ?, prefix = ?, suffix = ?, '
                    "note = ?, modified = ? WHERE id = ?",
                    [(a.tag, a.start, a.end, a.quote, a.prefix, a.suffix, a.note, a.modified, a.id) for a in replace],
                )
            self._replace_tags(replace_tags)
            if remove_tags:
                self.db.conn.executemany("DELETE FROM tags WHERE name = ?", [(n,) for n in remove_tags])
            if links:
                self._insert_links(links)
        return gone, list(gone_links.values())

    # -- whole-file operations -------------------------------------------------------------------

    # -- assessment: grades, hypotheses, ACH ratings (issue 17) ----------------------------------

    def document_grades(self) -> list[model.DocumentGrade]:
        """Return every document's reliability grade."""
        return self._rows(
            "SELECT document, reliability, rationale, author, modified FROM document_grades ORDER BY document",
            (),
            lambda r: model.DocumentGrade(*_checked(r, [str] * 5, "document grade")),
        )

    def passage_grades(self, annotation_ids: Iterable[str] | None = None) -> list[model.PassageGrade]:
        """Return passages' credibility grades (of these annotations only, if given)."""
        sql = "SELECT annotation, credibility, rationale, author, modified FROM passage_grades"
        return self._rows_in(
            sql,
            "annotation",
            annotation_ids,
            lambda r: model.PassageGrade(*_checked(r, [str, int, str, str, str], "grade")),
        )

    def hypotheses(self) -> list[model.Hypothesis]:
        """Return the annotations flagged as hypotheses."""
        return self._rows(
            "SELECT annotation, author, created FROM hypotheses ORDER BY created, annotation",
            (),
            lambda r: model.Hypothesis(*_checked(r, [str] * 3, "hypothesis")),
        )

    def ach_ratings(self, evidence: Iterable[str] | None = None) -> list[model.AchRating]:
        """Return ACH ratings (of these evidence passages only, if given)."""
        sql = "SELECT evidence, hypothesis, rating, author, modified FROM ach_ratings"
        return self._rows_in(
            sql, "evidence", evidence, lambda r: model.AchRating(*_checked(r, [str] * 5, "ACH rating"))
        )

    def _rows_in(
        self, sql: str, column: str, ids: Iterable[str] | None, factory: Callable[[Sequence[Any]], _T]
    ) -> list[_T]:
        """Rows of ``sql`` whose ``column`` is one of ``ids`` (all rows for None), 500 ids a query."""
        if ids is None:
            return self._rows(sql + f" ORDER BY {column}", (), factory)
        wanted = list(dict.fromkeys(ids))
        found: list[_T] = []
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            found += self._rows(sql + f" WHERE {column} IN ({', '.join('?' for _ in chunk)})", chunk, factory)
        return found

    def _replace_one(self, table: str, key: str, value: str, row: tuple[object, ...] | None) -> None:
        """Delete the row of ``table`` whose ``key`` is ``value``, then insert ``row`` (if any): one transaction."""
        with self._write():
            self.db.execute(f"DELETE FROM {table} WHERE {key} = ?", (value,))
            if row is not None:
                self.db.execute(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in row)})", row)

    def set_document_grade(self, document: str, grade: model.DocumentGrade | None) -> None:
        """Set (or, with None, clear) a document's reliability grade, in its own transaction."""
        row = None if grade is None else (document, grade.reliability, grade.rationale, grade.author, grade.modified)
        self._replace_one("document_grades", "document", document, row)

    def set_passage_grade(self, annotation_id: str, grade: model.PassageGrade | None) -> None:
        """Set (or, with None, clear) a passage's credibility grade, in its own transaction."""
        row = (
            None if grade is None else (annotation_id, grade.credibility, grade.rationale, grade.author, grade.modified)
        )
        self._replace_one("passage_grades", "annotation", annotation_id, row)

    def set_hypothesis(self, annotation_id: str, flag: model.Hypothesis | None) -> None:
        """Flag (or, with None, unflag) a claim as a hypothesis; its ratings are kept either way."""
        row = None if flag is None else (annotation_id, flag.author, flag.created)
        self._replace_one("hypotheses", "annotation", annotation_id, row)

    def set_ach_rating(self, evidence: str, hypothesis: str, rating: model.AchRating | None) -> None:
        """Set (or, with None, clear) one cell of the ACH matrix: one statement, one commit."""
        with self._write():
            if rating is None:
                self.db.execute("DELETE FROM ach_ratings WHERE evidence = ? AND hypothesis = ?", (evidence, hypothesis))
            else:
                self.db.execute(
                    "INSERT INTO ach_ratings (evidence, hypothesis, rating, author, modified) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (evidence, hypothesis) DO UPDATE SET rating = excluded.rating, "
                    "author = excluded.author, modified = excluded.modified",
                    (evidence, hypothesis, rating.rating, rating.author, rating.modified),
                )

    def insert_assessments(
        self,
        grades: Sequence[model.DocumentGrade] = (),
        passages: Sequence[model.PassageGrade] = (),
        hypotheses: Sequence[model.Hypothesis] = (),
        ratings: Sequence[model.AchRating] = (),
    ) -> int:
        """Add grades, hypotheses and ratings that are not there yet (an import or an undo); all or none.

        Returns:
            How many rows were added (those already present are left as they are).
        """
        before = self.db.conn.total_changes
        with self._write():
            conn = self.db.conn
            conn.executemany(
                "INSERT OR IGNORE INTO document_grades VALUES (?, ?, ?, ?, ?)",
                [(g.document, g.reliability, g.rationale, g.author, g.modified) for g in grades],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO passage_grades VALUES (?, ?, ?, ?, ?)",
                [(g.annotation, g.credibility, g.rationale, g.author, g.modified) for g in passages],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO hypotheses VALUES (?, ?, ?)",
                [(h.annotation, h.author, h.created) for h in hypotheses],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO ach_ratings VALUES (?, ?, ?, ?, ?)",
                [(r.evidence, r.hypothesis, r.rating, r.author, r.modified) for r in ratings],
            )
        return self.db.conn.total_changes - before

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
            raise errors.StoreError(
                f"could not write a copy to {errors.shown(dest)}: the folder {errors.shown(dest.parent)} does not exist"
            )
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
            raise errors.StoreError(f"could not write a copy to {errors.shown(dest)}: {one_line_reason(exc)}") from None
        except OSError as exc:
            with contextlib.suppress(OSError):
                if tmp:
                    os.unlink(tmp)
            raise errors.StoreError(f"could not write a copy to {errors.shown(dest)}: {exc.strerror or exc}") from None

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

    # -- case files: several articles in one file (issue 16) ------------------------------------

    def set_document_title(self, fingerprint: str, title: str) -> model.Document:
        """Give a document another title (its text, offsets and passages are untouched).

        Returns:
            The document as it was before.

        Raises:
            NotFoundError: there is no document with that fingerprint.
            StoreError: the write failed; nothing was changed.
        """
        old = self.document(fingerprint)
        assert old is not None
        with self._write():
            self.db.execute("UPDATE documents SET title = ? WHERE fingerprint = ?", [title, fingerprint])
        return old

    def annotation_counts(self) -> dict[str, int]:
        """How many annotations each document holds, by fingerprint (documents with none are absent)."""
        rows = self._read("SELECT document, count(*) FROM annotations GROUP BY document")
        return {str(d): int(n) for d, n in rows}

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: it changes when ANOTHER connection commits to the file."""
        return int(self._read("PRAGMA data_version")[0][0])
