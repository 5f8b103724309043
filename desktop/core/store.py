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
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from desktop.core import errors, migrations, model
from desktop.core.documents import LoadedDocument

log = logging.getLogger(__name__)

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


def _annotation(row: Sequence[Any]) -> model.Annotation:
    return model.Annotation(*row)


def _link(row: Sequence[Any]) -> model.Link:
    return model.Link(*row)


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


def _translate(exc: sqlite3.Error, path: str) -> errors.StoreError:
    """Turn a sqlite3 error during a write into a message a user can act on."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return errors.StoreBusyError(
            f"{path} is being written by another Warrant window or program; the change was not saved. "
            "Close the other one, or use File > Save a copy as..."
        )
    if "readonly" in text or "read-only" in text:
        return errors.StoreError(f"{path} cannot be written (it is read-only); use File > Save a copy as...")
    if "disk is full" in text or "disk full" in text or "full" in text:
        return errors.StoreError(f"the disk holding {path} is full; the change was not saved")
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return errors.StoreError(f"{path} is damaged ({exc}); the change was not saved")
    if "disk i/o" in text or "unable to open" in text:
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
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise errors.StoreError(f"{path} cannot be opened: {exc}") from None
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
    except sqlite3.DatabaseError as exc:
        raise errors.StoreError(f"{path} is damaged or not an annotation file ({exc}); it was not changed") from None
    finally:
        conn.close()


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
        exists = p.exists()
        if exists and p.is_file() and p.stat().st_size == 0:
            raise errors.StoreError(f"{p} is empty, not an annotation file")
        if exists:
            inspect(p)
        elif not create:
            raise errors.StoreError(f"{p} does not exist")
        elif not p.parent.is_dir():
            raise errors.StoreError(f"cannot create {p}: the folder {p.parent} does not exist")
        try:
            conn = sqlite3.connect(str(p), timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            raise errors.StoreError(f"{p} cannot be opened: {exc}") from None
        db = Database(conn, execute_plugins=False, recursive_triggers=False)
        try:
            cls._configure(db, new=not exists)
            migrations.migrations.apply(db)
            store = cls(db, str(p))
            store._initialise(annotator)
        except sqlite3.Error as exc:
            conn.close()
            raise _translate(exc, str(p)) from None
        except BaseException:
            conn.close()
            raise
        return store

    @classmethod
    def memory(cls, *, annotator: str = "analyst") -> Store:
        """Open a fresh in-memory store (for tests and scratch work)."""
        db = Database(memory=True, execute_plugins=False, recursive_triggers=False)
        cls._configure(db, new=True)
        migrations.migrations.apply(db)
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
        with self._write():
            if self.db.execute("SELECT count(*) FROM tags").fetchone()[0] == 0 and not self._meta("initialised"):
                for tag in model.DEFAULT_TAGS:
                    self._insert_tag(tag)
                for relation in model.DEFAULT_RELATIONS:
                    self.db.execute(
                        "INSERT INTO relations (name, label, position) VALUES (?, ?, ?)",
                        (relation.name, relation.label, relation.position),
                    )
                self._set_meta("initialised", model.now_utc())
                self._set_meta("application", "Warrant")
            if annotator or not self._meta("annotator"):
                self._set_meta("annotator", annotator or self._annotator)
            self.db.execute(f"PRAGMA user_version={migrations.FORMAT_VERSION}")
        self._annotator = self._meta("annotator") or self._annotator

    def close(self) -> None:
        """Close the file; the WAL is checkpointed into it."""
        with contextlib.suppress(sqlite3.Error):
            self.db.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        """One transaction, committed (and fsynced) on exit; sqlite3 errors become StoreErrors."""
        try:
            with self.db.atomic():
                yield
        except sqlite3.IntegrityError as exc:
            raise errors.StoreError(f"{self.path}: the change was refused ({exc})") from None
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from None

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from None

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
        rows = self._read("SELECT fingerprint, title, path, text, kind, added FROM documents ORDER BY added, rowid")
        return [model.Document(*row) for row in rows]

    def document_count(self) -> int:
        """Return how many documents the file holds."""
        return int(self._read("SELECT count(*) FROM documents")[0][0])

    def document(self, fingerprint: str, *, missing_ok: bool = False) -> model.Document | None:
        """Return the document with this fingerprint.

        Raises:
            NotFoundError: there is none and ``missing_ok`` is false.
        """
        rows = self._read(
            "SELECT fingerprint, title, path, text, kind, added FROM documents WHERE fingerprint = ?", (fingerprint,)
        )
        if rows:
            return model.Document(*rows[0])
        if missing_ok:
            return None
        raise errors.NotFoundError(f"{self.path} has no document with fingerprint {fingerprint}")

    def find_document(self, key: str) -> model.Document:
        """Return the document whose fingerprint (or its start, 8+ characters) or title is ``key``.

        Raises:
            NotFoundError: nothing matches, or more than one document does.
        """
        rows = self._read(
            "SELECT fingerprint, title, path, text, kind, added FROM documents "
            "WHERE fingerprint = ? OR (length(?) >= 8 AND fingerprint LIKE ? || '%') OR title = ?",
            (key, key, key, key),
        )
        if len(rows) == 1:
            return model.Document(*rows[0])
        if not rows:
            raise errors.NotFoundError(f"{self.path} has no document {key!r}")
        raise errors.NotFoundError(f"{key!r} names {len(rows)} documents in {self.path}; use a fingerprint")

    # -- tags and relations ----------------------------------------------------------------------

    def tags(self) -> list[model.Tag]:
        """Return the tag set in display order."""
        rows = self._read("SELECT name, label, colour, shortcut, position FROM tags ORDER BY position, name")
        return [model.Tag(*row) for row in rows]

    def _insert_tag(self, tag: model.Tag) -> None:
        self.db.execute(
            "INSERT INTO tags (name, label, colour, shortcut, position) VALUES (?, ?, ?, ?, ?)",
            (tag.name, tag.label, tag.colour, tag.shortcut, tag.position),
        )

    def add_tag(self, name: str, *, label: str | None = None, colour: str | None = None, shortcut: str = "") -> model.Tag:
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
        rows = self._read("SELECT name, label, position FROM relations ORDER BY position, name")
        return [model.Relation(*row) for row in rows]

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
        return [_annotation(row) for row in self._read(sql, params)]

    def annotation(self, annotation_id: str) -> model.Annotation:
        """Return one annotation.

        Raises:
            NotFoundError: there is no annotation with that id.
        """
        rows = self._read(_ANNOTATION_SELECT + " WHERE id = ?", (annotation_id,))
        if not rows:
            raise errors.NotFoundError(f"no annotation {annotation_id}")
        return _annotation(rows[0])

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

    def insert_annotations(
        self, annotations: Sequence[model.Annotation], links: Sequence[model.Link] = ()
    ) -> None:
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
            return [_link(r) for r in self._read(_LINK_SELECT + " ORDER BY created, id")]
        rows = self._read(
            "SELECT l.id, l.source, l.target, l.relation, l.author, l.created FROM links l "
            "JOIN annotations a ON a.id = l.source WHERE a.document = ? ORDER BY l.created, l.id",
            (document,),
        )
        return [_link(r) for r in rows]

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
        rows = self._read(_LINK_SELECT + " WHERE id = ?", (link_id,))
        if not rows:
            raise errors.NotFoundError(f"no link {link_id}")
        with self._write():
            self.db.execute("DELETE FROM links WHERE id = ?", (link_id,))
        return _link(rows[0])

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
        fd, tmp = tempfile.mkstemp(prefix=".warrant-copy-", suffix=".tmp", dir=str(dest.parent) or ".")
        os.close(fd)
        os.unlink(tmp)
        try:
            self.db.conn.execute("VACUUM INTO ?", (tmp,))
            check = sqlite3.connect(tmp)
            try:
                check.execute("PRAGMA journal_mode=DELETE")
                fd2 = os.open(tmp, os.O_RDONLY)
                try:
                    os.fsync(fd2)
                finally:
                    os.close(fd2)
            finally:
                check.close()
            os.replace(tmp, dest)
        except sqlite3.Error as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise errors.StoreError(f"could not write a copy to {dest}: {exc}") from None
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise errors.StoreError(f"could not write a copy to {dest}: {exc.strerror or exc}") from None

    def integrity(self) -> str:
        """Return ``PRAGMA integrity_check``'s verdict (``ok`` when the file is sound)."""
        return str(self.db.execute("PRAGMA integrity_check").fetchone()[0])


def open_readonly_snapshot(path: str | os.PathLike[str]) -> Store:
    """Open a private in-memory copy of an annotation file; the file itself is not touched.

    Used for one's own files when only reading (the CLI's export). A colleague's file goes
    through the untrusted checks in :func:`open_untrusted` instead.
    """
    p = Path(path)
    inspect(p)
    src = sqlite3.connect(p.resolve().as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    mem = sqlite3.connect(":memory:")
    try:
        src.backup(mem)
    except sqlite3.Error as exc:
        mem.close()
        raise errors.StoreError(f"{p} cannot be read: {exc}") from None
    finally:
        src.close()
    db = Database(mem, execute_plugins=False, recursive_triggers=False)
    db.conn.execute("PRAGMA foreign_keys=ON")
    return Store(db, str(p))


# -- untrusted review reading (issue 4) ----------------------------------------------------------
