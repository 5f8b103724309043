"""Issue 10, the store's half: atomic(), BEGIN IMMEDIATE, errors sorted by SQLite code, dangling references, one sanitiser."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from desktop.core import anchoring, documents, errors, model, review, store, textutil

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def opened(tmp_path: Path, seed_path: Path) -> tuple[Path, store.Store, model.Document]:
    path = tmp_path / "mine.warrant"
    s = store.Store.open(path, annotator="me")
    doc = s.add_document(documents.load(seed_path))
    yield path, s, doc
    s.close()


def _annotation(doc: model.Document, start: int) -> model.Annotation:
    a = anchoring.new_annotation(doc, start, start + 20, "claim", author="me")
    assert a is not None
    return a


def _write_lock_is_free(path: Path) -> bool:
    """Whether another connection can take the write lock right now (no waiting: timeout 0)."""
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert exc.sqlite_errorname == "SQLITE_BUSY"
        return False
    finally:
        if probe.in_transaction:
            probe.execute("ROLLBACK")
        probe.close()
    return True


# -- BEGIN IMMEDIATE -----------------------------------------------------------------------------------


def test_a_transaction_holds_the_write_lock_from_its_first_statement(
    opened: tuple[Path, store.Store, model.Document],
) -> None:
    """Guards ``BEGIN IMMEDIATE``: with a deferred ``BEGIN`` the lock is taken only at the first write.

    A transaction that reads first (delete reads what it deletes) then lets another writer commit
    in between, and fails with SQLITE_BUSY at once. Deterministic: no timing, a probe with timeout 0.
    """
    path, s, doc = opened
    assert _write_lock_is_free(path)
    with s.atomic():
        assert not _write_lock_is_free(path)  # nothing read or written yet, and the lock is already held
        s.annotation_count()
        assert not _write_lock_is_free(path)
    assert _write_lock_is_free(path)


def test_a_store_method_that_reads_then_writes_holds_the_lock_while_reading(
    opened: tuple[Path, store.Store, model.Document],
) -> None:
    path, s, doc = opened
    a = _annotation(doc, 10)
    s.insert_annotation(a)
    seen: list[bool] = []

    def probe(sql: str) -> None:
        if sql.startswith("SELECT") and s.db.conn.in_transaction and not seen:
            seen.append(_write_lock_is_free(path))

    s.db.conn.set_trace_callback(probe)
    try:
        s.delete_annotations([a.id])
    finally:
        s.db.conn.set_trace_callback(None)
    assert seen == [False]
    assert s.annotation_count() == 0


# -- atomic(): nesting allowed, all or nothing -------------------------------------------------------------


def test_atomic_commits_everything_at_the_end_of_the_outermost_block(
    opened: tuple[Path, store.Store, model.Document],
) -> None:
    path, s, doc = opened
    with s.atomic():
        s.insert_annotation(_annotation(doc, 10))
        with s.atomic():
            s.insert_annotation(_annotation(doc, 40))
        other = sqlite3.connect(path)
        try:  # another reader sees nothing before the outermost block ends
            assert other.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0
        finally:
            other.close()
    assert s.annotation_count() == 2


def test_atomic_rolls_back_everything_when_the_block_fails(opened: tuple[Path, store.Store, model.Document]) -> None:
    path, s, doc = opened
    with pytest.raises(RuntimeError), s.atomic():
        s.insert_annotation(_annotation(doc, 10))
        with s.atomic():
            s.insert_annotation(_annotation(doc, 40))
        raise RuntimeError("the import failed half-way")
    assert s.annotation_count() == 0
    with s.atomic():
        s.insert_annotation(_annotation(doc, 10))
        with pytest.raises(errors.StoreError), s.atomic():  # an inner failure: only the inner block goes
            s.insert_annotation(_annotation(doc, 40).replace(tag="no such tag"))
    assert s.annotation_count() == 1


def test_no_module_but_the_store_opens_a_transaction() -> None:
    pattern = re.compile(r"""BEGIN|\.commit\(|\.rollback\(|db\.atomic\(|ROLLBACK|SAVEPOINT""")
    offenders = []
    for path in sorted((REPO / "desktop").rglob("*.py")):
        if path.name == "store.py" and path.parent.name == "core":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and not line.lstrip().startswith("#"):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == []


# -- errors sorted by SQLite's code ----------------------------------------------------------------------


def _error(code: int, name: str) -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError("a message whose words must not matter: locked full readonly malformed")
    exc.sqlite_errorcode = code  # type: ignore[attr-defined]
    exc.sqlite_errorname = name  # type: ignore[attr-defined]
    return exc


@pytest.mark.parametrize(
    ("code", "name", "kind", "words"),
    [
        (13, "SQLITE_FULL", errors.StoreFullError, "full"),
        (8, "SQLITE_READONLY", errors.StoreReadOnlyError, "read-only"),
        (8 | (1 << 8), "SQLITE_READONLY_RECOVERY", errors.StoreReadOnlyError, "read-only"),
        (8 | (4 << 8), "SQLITE_READONLY_DBMOVED", errors.FileChangedError, "moved"),
        (3, "SQLITE_PERM", errors.StoreReadOnlyError, "read-only"),
        (5, "SQLITE_BUSY", errors.StoreBusyError, "another"),
        (6, "SQLITE_LOCKED", errors.StoreBusyError, "another"),
        (11, "SQLITE_CORRUPT", errors.DamagedFileError, "damaged"),
        (26, "SQLITE_NOTADB", errors.DamagedFileError, "damaged"),
        (14, "SQLITE_CANTOPEN", errors.StoreIOError, "cannot be opened"),
        (10 | (3 << 8), "SQLITE_IOERR_WRITE", errors.StoreIOError, "disk"),
    ],
)
def test_environment_errors_become_clear_messages_by_code(
    code: int, name: str, kind: type[errors.StoreError], words: str
) -> None:
    failure = store.environment_error(_error(code, name), "/x/mine.warrant")
    assert type(failure) is kind
    assert words in str(failure) and "/x/mine.warrant" in str(failure)


@pytest.mark.parametrize(("code", "name"), [(1, "SQLITE_ERROR"), (21, "SQLITE_MISUSE"), (25, "SQLITE_RANGE")])
def test_programming_errors_stay_exceptions_whatever_their_words(code: int, name: str) -> None:
    assert store.environment_error(_error(code, name), "/x/mine.warrant") is None
    with pytest.raises(sqlite3.OperationalError):
        store._translate(_error(code, name), "/x/mine.warrant")


def test_a_bug_in_a_query_reaches_the_caller_as_itself(opened: tuple[Path, store.Store, model.Document]) -> None:
    _, s, _ = opened
    with pytest.raises(sqlite3.OperationalError, match="no such column"):
        s._read("SELECT no_such_column FROM annotations")
    with pytest.raises(sqlite3.OperationalError, match="no such table"), s.atomic():
        s.db.execute("DELETE FROM no_such_table")


# -- dangling references: one line, never a traceback ------------------------------------------------------


def _cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


@pytest.mark.parametrize(
    "damage",
    [
        "DELETE FROM documents",  # annotations whose document row is missing
        "DELETE FROM annotations WHERE id = (SELECT target FROM links LIMIT 1)",  # a link to nothing
        "UPDATE documents SET fingerprint = substr(fingerprint, 2) || '0'",  # a damaged fingerprint
    ],
)
def test_dangling_references_give_one_line_and_exit_2(tmp_path: Path, seed_path: Path, damage: str) -> None:
    path = tmp_path / "mine.warrant"
    with store.Store.open(path, annotator="me") as s:
        doc = s.add_document(documents.load(seed_path))
        a, b = _annotation(doc, 10), _annotation(doc, 60)
        s.insert_annotations([a, b], [model.Link(model.new_id(), a.id, b.id, "supports", "me", model.now_utc())])
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute(damage)
    conn.close()
    for command in (("export", path, "--format", "csv", "-o", tmp_path / "out.csv"), ("outline", path)):
        result = _cli(*command)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("warrant: ") and "damaged" in lines[0], result.stderr
    with pytest.raises(errors.DamagedFileError, match="refers to a missing row"):
        store.Store.open(path)


# -- one sanitiser ----------------------------------------------------------------------------------------


def test_the_one_sanitiser_covers_every_control_and_format_character() -> None:
    wanted = {
        chr(c)
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) in ("Cc", "Cf", "Zl", "Zp") and chr(c) not in "\u200c\u200d"
    }
    found = {chr(c) for c in range(sys.maxunicode + 1) if textutil.CONTROL.fullmatch(chr(c))}
    assert found == wanted


@pytest.mark.parametrize(
    "text",
    ["a\u202eb", "x\u200ey", "z\u200bw", "soft\xadhyphen", "bom\ufeff", "c1\x9bx", "line\u2028sep", "zw\u200dj"],
)
def test_the_review_report_and_every_other_display_clean_text_alike(text: str) -> None:
    assert review.plain(text, 100) == textutil.one_line(text)
    assert textutil.CONTROL.search(textutil.one_line(text)) is None
    assert "\u200d" not in text or "\u200d" in textutil.one_line(text)


def test_names_in_messages_are_escaped_and_cannot_fake_an_escape() -> None:
    assert errors.shown("a\x1b[31m\u202eb\\x1b") == "a\\x1b[31m\\u202eb\\\\x1b"
    assert errors.shown("caf\u00e9 \u0645\u200c\u0646") == "caf\u00e9 \u0645\u200c\u0646"


# -- the log is emptied after each commit, without waiting for readers ---------------------------------


def test_each_commit_empties_the_log_so_no_stale_wal_can_merge_into_another_file(
    opened: tuple[Path, store.Store, model.Document],
) -> None:
    path, s, doc = opened
    s.insert_annotation(_annotation(doc, 10))
    assert Path(f"{path}-wal").stat().st_size == 0
    fresh = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)  # the main file alone, no log
    try:
        assert fresh.execute("SELECT count(*) FROM annotations").fetchone()[0] == 1
    finally:
        fresh.close()


def test_a_reader_on_an_old_snapshot_does_not_hold_up_an_edit(
    opened: tuple[Path, store.Store, model.Document],
) -> None:
    """An export holding a read transaction: the edit commits; the log is emptied at a later commit.

    The checkpoint runs on a second connection whose busy timeout is 0, so it gives up at once
    instead of waiting (up to the 5 s busy timeout) for the reader: checked on that connection,
    since a test may not time the edit.
    """
    path, s, doc = opened
    reader = sqlite3.connect(path, isolation_level=None)
    statements: list[str] = []
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM annotations").fetchone()
        s.db.conn.set_trace_callback(statements.append)
        s.insert_annotation(_annotation(doc, 10))  # the reader now sits on an older snapshot
        s.db.conn.set_trace_callback(None)
        assert not any("checkpoint" in sql for sql in statements)  # not on the editing connection
        assert s._checkpointer is not None
        assert s._checkpointer.execute("PRAGMA busy_timeout").fetchone()[0] == 0
        assert Path(f"{path}-wal").stat().st_size > 0  # the checkpoint gave up; nothing lost
    finally:
        if reader.in_transaction:
            reader.execute("ROLLBACK")
        reader.close()
    s.insert_annotation(_annotation(doc, 40))
    assert Path(f"{path}-wal").stat().st_size == 0
    assert s.annotation_count() == 2
