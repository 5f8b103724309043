"""Reading annotation files without ever writing them: a colleague's file for review, one's own for export.

A colleague's file is evidence to read, never a database to open: its bytes are read once (within a
size cap) and deserialized into a private in-memory database, so SQLite never opens the file itself
and no ``-wal``, ``-shm`` or ``-journal`` can appear beside it. When a ``-wal`` is beside it, the file
and its log are copied into a private temporary folder and SQLite's own recovery applies the log
there (:func:`_recover`). Everything SQLite's guide to untrusted databases recommends is applied
before a row is read (https://www.sqlite.org/security.html): a size cap, the header checked by hand,
lowered limits, ``trusted_schema=OFF``, ``cell_size_check=ON``, ``mmap_size=0``, triggers and views
refused from ``sqlite_master`` before anything else runs, ``quick_check``, the whole schema compared
with the one this Warrant creates, and every index rebuilt from its table (``REINDEX``) so that an
index that disagrees with its table cannot feed the reader. Every row is then validated in Python.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shutil
import sqlite3
import struct
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from desktop.core import documents, errors, migrations, model, safeio, store


def open_readonly_snapshot(path: str | os.PathLike[str]) -> store.Store:
    """Open one's own annotation file for reading only: nothing is written to it or beside it.

    The file is read in place (no copy in memory), in one read transaction, so every query sees the
    same committed state even while the window writes. Its schema, integrity and references are
    checked first (:func:`store.inspect`'s checks, on the same connection). Used by ``export`` and
    ``outline``; a colleague's file goes through :func:`open_untrusted` instead. Close the store.

    Raises:
        StoreError: not an annotation file, damaged, or holding a trigger, view or foreign object.
    """
    p = Path(path)
    store.check_header(p)
    stack = contextlib.ExitStack()
    try:
        conn = stack.enter_context(store.open_reader(p))
        try:
            store.inspect_connection(conn, errors.shown(p))
            conn.text_factory = str
            store.hold_snapshot(conn)
        except sqlite3.Error as exc:
            found = store.environment_error(exc, str(p), reading=True)
            if found is None:
                raise
            raise found from None
        source = store.Store(store._database(conn), str(p))
    except BaseException:
        stack.close()
        raise
    source.on_close(stack.close)
    return source


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
    assessments: Assessed = ((), (), (), ())
    """Grades, hypotheses and ACH ratings, as :func:`_load_assessments` read them."""

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
        raise errors.UntrustedFileError(
            f"{errors.shown(p)} was refused for review: {exc}; it was not changed"
        ) from None
    except sqlite3.DataError as exc:
        if "too big" not in str(exc):
            raise errors.UntrustedFileError(
                f"{errors.shown(p)} was refused for review: it is damaged or not a Warrant file ({store.one_line_reason(exc)}); it was not changed"
            ) from None
        raise errors.UntrustedFileError(
            f"{errors.shown(p)} was refused for review: it holds a value larger than {MAX_VALUE_BYTES // (1024 * 1024)} MB, "
            "which Warrant never writes; it was not changed"
        ) from None
    except sqlite3.Error as exc:
        raise errors.UntrustedFileError(
            f"{errors.shown(p)} was refused for review: it is damaged or not a Warrant file ({store.one_line_reason(exc)}); it was not changed"
        ) from None
    except UnicodeDecodeError:
        raise errors.UntrustedFileError(
            f"{errors.shown(p)} was refused for review: it holds text that is not UTF-8, which Warrant never writes; "
            "it was not changed"
        ) from None
    except MemoryError:
        raise errors.UntrustedFileError(f"{errors.shown(p)} was refused for review: it is too large to read") from None


def _read_capped(path: Path, limit: int, what: str) -> bytes:
    try:
        return safeio.read_bounded(path, limit, what=what)
    except errors.UnsafePathError as exc:
        raise _Refusal(str(exc)) from None


def _untrusted_bytes(p: Path) -> bytes:
    """The database image: the file's bytes with the committed frames of its ``-wal`` applied."""
    data = _read_capped(p, MAX_UNTRUSTED_BYTES, "the file")
    if not data:
        raise _Refusal("it is empty")
    if not data.startswith(store.SQLITE_MAGIC):
        raise _Refusal("it is not a Warrant annotation file (it is not an SQLite database)")
    if len(data) < 100:
        raise _Refusal("it is truncated (shorter than an SQLite header)")
    page_size = _page_size(data)
    _check_size(data, page_size, "the file")
    journal = Path(str(p) + "-journal")
    if os.path.lexists(journal) and (not journal.is_file() or journal.stat().st_size > 0):
        raise _Refusal(
            f"an unfinished transaction ({errors.shown(journal.name)}) is beside it; ask its author to open and close it in Warrant"
        )
    wal_path = Path(str(p) + "-wal")
    if os.path.lexists(wal_path):
        wal = _read_capped(wal_path, MAX_UNTRUSTED_BYTES - len(data), f"its {errors.shown(wal_path.name)}")
        data = _recover(data, wal)
        _check_size(data, _page_size(data), "the file with its -wal")
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
    if user_version < 1:
        raise _Refusal("it has no Warrant format version; it was not written by Warrant")


def _as_rollback_journal(data: bytes) -> bytes:
    """An in-memory database cannot be in WAL mode: mark the image as a rollback-journal database."""
    if data[18] == 2 or data[19] == 2:
        image = bytearray(data)
        image[18] = image[19] = 1
        return bytes(image)
    return data


def _recover(data: bytes, wal: bytes) -> bytes:
    """The database image as SQLite reads it with its ``-wal``: SQLite's own recovery, on a private copy.

    The file's bytes and the log's are written into a new private temporary folder (mode 0700),
    where SQLite opens the copy with the untrusted limits, recovers the log (committed frames whose
    salts and checksums hold, up to the last commit) and checkpoints it into the copy; the copy is
    then read back within the size cap. The colleague's file and folder are never opened by SQLite.
    """
    if len(wal) < 32:  # shorter than a log header: SQLite ignores it too
        return data
    folder = tempfile.mkdtemp(prefix="warrant-review-")
    try:
        copy = Path(folder) / "copy.warrant"
        copy.write_bytes(data)
        Path(f"{copy}-wal").write_bytes(wal)
        conn = sqlite3.connect(str(copy), isolation_level=None)
        try:
            for limit, value in _UNTRUSTED_LIMITS:
                conn.setlimit(limit, value)
            conn.execute("PRAGMA trusted_schema=OFF")
            conn.execute("PRAGMA cell_size_check=ON")
            conn.execute("PRAGMA mmap_size=0")
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                raise _Refusal("its -wal could not be read")
        finally:
            conn.close()
        return _read_capped(copy, MAX_UNTRUSTED_BYTES, "the file with its -wal")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


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
    except BaseException:
        conn.close()
        raise
    return conn


def _upgrade_private_copy(conn: sqlite3.Connection) -> None:
    """Bring a file written by an earlier Warrant to this format, in the private in-memory copy only.

    Runs after the triggers-and-views check and the integrity check, and before the whole-schema
    comparison, which the upgraded copy must then pass like any current file. The colleague's file
    is not touched: this is the deserialized copy.
    """
    try:
        migrations.apply(store._database(conn))
        conn.execute(f"PRAGMA user_version={migrations.FORMAT_VERSION}")
    except sqlite3.Error as exc:
        raise _Refusal(
            f"it is in an earlier format that could not be read ({store.one_line_reason(exc, 60)})"
        ) from None


def _check_untrusted_database(conn: sqlite3.Connection) -> None:
    application_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if application_id != migrations.APPLICATION_ID or not 1 <= version <= migrations.FORMAT_VERSION:
        raise _Refusal("its application id or format version is not this Warrant's")
    # Triggers and views (of any spelling) are refused from sqlite_master before anything else runs.
    problem = store.schema_objects_problem(conn)
    if problem is not None:
        raise _Refusal(problem)
    # The verdict can quote damaged bytes (names, values) that are not UTF-8: read it as bytes.
    conn.text_factory = bytes
    try:
        raw = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
    finally:
        conn.text_factory = str
    verdict = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    if verdict != "ok":
        if "CHECK constraint" in verdict or "NULL value" in verdict:
            raise _Refusal(f"a row breaks a rule of Warrant's schema ({store.shown_name(verdict)})")
        raise _Refusal(f"it is damaged ({store.one_line_reason(verdict, 60)})")
    if version < migrations.FORMAT_VERSION:
        _upgrade_private_copy(conn)
    problem = store.schema_problem(conn)
    if problem is not None:
        raise _Refusal(problem)
    # quick_check does not compare an index with its table, and a query can read values from an
    # index alone: every index of this private copy is rebuilt from its table before a row is read.
    try:
        conn.execute("REINDEX")
    except sqlite3.IntegrityError as exc:
        raise _Refusal(_duplicate(conn, str(exc))) from None
    conn.execute("PRAGMA query_only=ON")


_UNIQUE_KEYS = {"annotations.id": "annotation", "links.id": "link", "documents.fingerprint": "document"}
_UNIQUE_KEYS.update({"tags.name": "tag", "relations.name": "relation", "meta.key": "meta key"})


def _duplicate(conn: sqlite3.Connection, message: str) -> str:
    """Name the value a UNIQUE index could not be rebuilt for, read from the table alone."""
    for key, what in _UNIQUE_KEYS.items():
        if message.endswith(key):
            table, column = key.split(".")
            row = conn.execute(
                f'SELECT "{column}" FROM {table} NOT INDEXED GROUP BY "{column}" HAVING count(*) > 1 LIMIT 1'
            ).fetchone()
            if row is not None:
                return f"{what} {store.shown_name(row[0])} appears twice (duplicate id)"
    return "a key that must be unique appears twice"


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
        meta[k] = _text_value(value, f"meta value {store.shown_name(k)}", MAX_META_CHARS)
    annotator = meta.get("annotator", "")[:MAX_LABEL_CHARS]

    _count(conn, "documents", MAX_DOCUMENTS)
    docs: dict[str, model.Document] = {}
    for fp, title, doc_path, kind, text, added in conn.execute(
        "SELECT fingerprint, title, path, kind, text, added FROM documents ORDER BY added, rowid"
    ):
        fp = _text_value(fp, "a document fingerprint", 64)
        if not _HEX64.fullmatch(fp):
            raise _Refusal(f"document fingerprint {store.shown_name(fp)} is not a SHA-256")
        where = f"document {fp[:12]}"
        text = _text_value(text, f"the text of {where}", MAX_VALUE_BYTES)
        if documents.fingerprint(text) != fp:
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
    for name, label, colour, shortcut, position, description in conn.execute(
        "SELECT name, label, colour, shortcut, position, description FROM tags ORDER BY position, name"
    ):
        name = _text_value(name, "a tag name", MAX_NAME_CHARS, empty=False)
        colour = _text_value(colour, f"the colour of tag {store.shown_name(name)}", 16)
        if not _COLOUR.fullmatch(colour):
            raise _Refusal(f"the colour of tag {store.shown_name(name)} is not a #rrggbb colour")
        if name in tags:
            raise _Refusal(f"tag {store.shown_name(name)} appears twice")
        tags[name] = model.Tag(
            name=name,
            label=_text_value(label, f"the label of tag {store.shown_name(name)}", MAX_LABEL_CHARS),
            colour=colour,
            shortcut=_text_value(shortcut, f"the shortcut of tag {store.shown_name(name)}", 32),
            position=_int_value(position, f"the position of tag {store.shown_name(name)}"),
            description=_text_value(description, f"the description of tag {store.shown_name(name)}", MAX_NOTE_CHARS),
        )

    _count(conn, "relations", MAX_TAGS)
    relations: dict[str, model.Relation] = {}
    for name, label, position in conn.execute("SELECT name, label, position FROM relations ORDER BY position, name"):
        name = _text_value(name, "a relation name", MAX_NAME_CHARS, empty=False)
        if name in relations:
            raise _Refusal(f"relation {store.shown_name(name)} appears twice")
        relations[name] = model.Relation(
            name=name,
            label=_text_value(label, f"the label of relation {store.shown_name(name)}", MAX_LABEL_CHARS),
            position=_int_value(position, f"the position of relation {store.shown_name(name)}"),
        )

    _count(conn, "annotations", MAX_ANNOTATIONS)
    # Types and sizes are checked by SQLite in one pass; Python then checks what SQL cannot see
    # (ids seen twice, offsets against the text, the quote). A row that fails either check goes
    # through the full Python validation, which names the problem.
    bad = conn.execute(_ANNOTATION_CHECK).fetchone()
    if bad is not None:
        row = conn.execute(store._ANNOTATION_SELECT + " WHERE rowid = ?", (bad[0],)).fetchone()
        _untrusted_annotation(row, docs, tags, set())
        raise _Refusal("an annotation holds a value Warrant never writes")
    texts = {fp: doc.text for fp, doc in docs.items()}
    annotations: list[model.Annotation] = []
    ids: set[str] = set()
    for row in conn.execute(store._ANNOTATION_SELECT + ' ORDER BY document, start, "end", id'):
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
            raise _Refusal(f"annotation {store.shown_name(annotation_id)} does not make sense")
        ids.add(annotation_id)
        annotations.append(model.Annotation(*row))

    _count(conn, "links", MAX_ANNOTATIONS)
    links: list[model.Link] = []
    link_ids: set[str] = set()
    for link_id, source, target, relation, author, created in conn.execute(
        store._LINK_SELECT + " ORDER BY created, id"
    ):
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
        where = f"link {store.shown_name(link_id)}"
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
            raise _Refusal(f"{where} has relation {store.shown_name(relation)}, which the file does not define")
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
        assessments=_load_assessments(conn),
    )


def _untrusted_annotation(
    row: Sequence[Any], docs: dict[str, model.Document], tags: dict[str, model.Tag], ids: set[str]
) -> model.Annotation:
    annotation_id = _text_value(row[0], "an annotation id", MAX_ID_CHARS, empty=False)
    where = f"annotation {store.shown_name(annotation_id)}"
    if annotation_id in ids:
        raise _Refusal(f"{where} appears twice (duplicate id)")
    ids.add(annotation_id)
    fp = _text_value(row[1], f"the document of {where}", 64)
    doc = docs.get(fp)
    if doc is None:
        raise _Refusal(f"{where} belongs to a document the file does not hold")
    tag = _text_value(row[2], f"the tag of {where}", MAX_NAME_CHARS)
    if tag not in tags:
        raise _Refusal(f"{where} has tag {store.shown_name(tag)}, which the file does not define")
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


Assessed = tuple[
    tuple[model.DocumentGrade, ...],
    tuple[model.PassageGrade, ...],
    tuple[model.Hypothesis, ...],
    tuple[model.AchRating, ...],
]
"""A colleague's grades, hypotheses and ACH ratings (issue 17)."""


def _load_assessments(conn: sqlite3.Connection) -> Assessed:
    """Read a colleague's grades, hypotheses and ratings; a value Warrant never writes refuses the file.

    The caller keeps only rows whose annotations and documents the validated file holds.
    """
    text = (str, MAX_ID_CHARS)

    def rows(sql: str, shape: list[tuple[type, int]]) -> list[tuple[Any, ...]]:
        _count(conn, sql.split(" FROM ")[1].split()[0], MAX_ANNOTATIONS)
        found = []
        for row in conn.execute(sql):
            for value, (kind, limit) in zip(row, shape, strict=True):
                if type(value) is not kind or (isinstance(value, str) and len(value) > limit):
                    raise _Refusal(
                        f"an assessment holds a value Warrant never writes ({errors.shown(str(value)[:80])})"
                    )
            found.append(tuple(row))
        return found

    tail = [(str, MAX_NOTE_CHARS), (str, MAX_LABEL_CHARS), (str, MAX_STAMP_CHARS)]
    grades = rows("SELECT * FROM document_grades", [(str, 64), (str, 1), *tail])
    passages = rows("SELECT * FROM passage_grades", [text, (int, 1), *tail])
    flags = rows("SELECT * FROM hypotheses", [text, (str, MAX_LABEL_CHARS), (str, MAX_STAMP_CHARS)])
    ratings = rows("SELECT * FROM ach_ratings", [text, text, (str, 2), *tail[1:]])
    if (
        any(g[1] not in model.RELIABILITY_GRADES for g in grades)
        or any(g[1] not in model.CREDIBILITY_GRADES for g in passages)
        or any(r[2] not in model.ACH_RATINGS for r in ratings)
    ):
        raise _Refusal("a grade or rating is not one Warrant writes")
    return (
        tuple(model.DocumentGrade(*g) for g in grades),
        tuple(model.PassageGrade(*g) for g in passages),
        tuple(model.Hypothesis(*h) for h in flags),
        tuple(model.AchRating(*r) for r in ratings),
    )
