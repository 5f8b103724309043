"""Reading colleagues' files for review: never written, and every hostile file refused with a reason."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import struct
from pathlib import Path

import pytest

from desktop.core import anchoring, documents, errors, migrations, model, store, untrusted

HTML_NOTE = '<script>alert("x")</script><img src="http://example.invalid/x.png" onerror="steal()"><b>bold</b>'


def make_file(
    folder: Path, seed_path: Path, name: str = "colleague.warrant", annotator: str = "colleague", count: int = 6
) -> tuple[Path, model.Document, list[model.Annotation]]:
    """A real annotation file made by Warrant's own store: the seed article, passages, one link."""
    path = folder / name
    s = store.Store.open(path, annotator=annotator)
    doc = s.add_document(documents.load(seed_path))
    made: list[model.Annotation] = []
    for i in range(count):
        start = 200 + 300 * i if i < 15 else 100 + (131 * i) % (len(doc.text) - 200)
        a = anchoring.new_annotation(doc, start, start + 80, model.DEFAULT_TAGS[i % 3].name, author=annotator)
        assert a is not None
        made.append(a)
    made[0] = made[0].replace(note=HTML_NOTE)
    link = model.Link(model.new_id(), made[1].id, made[0].id, "supports", annotator, model.now_utc())
    s.insert_annotations(made, [link])
    s.close()
    return path, doc, made


def tamper(path: Path, *statements: str, params: tuple[object, ...] = ()) -> None:
    """Edit a file with plain sqlite3, as an attacker would (no Warrant checks)."""
    conn = sqlite3.connect(path)
    try:
        for sql in statements:
            conn.execute(sql, params if "?" in sql else ())
        conn.commit()
    finally:
        conn.close()


def refused(path: Path, *needles: str) -> str:
    with pytest.raises(errors.UntrustedFileError) as caught:
        untrusted.open_untrusted(path)
    message = str(caught.value)
    assert str(path) in message
    for needle in needles:
        assert needle in message, message
    return message


@pytest.fixture
def colleague(tmp_path: Path, seed_path: Path) -> Path:
    return make_file(tmp_path, seed_path)[0]


def snapshot_folder(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}


# -- the file is only read ---------------------------------------------------------------------------


def test_a_sound_file_is_read_whole_and_left_byte_for_byte_as_it_was(tmp_path: Path, seed_path: Path) -> None:
    path, doc, made = make_file(tmp_path, seed_path)
    before = snapshot_folder(tmp_path)
    read = untrusted.open_untrusted(path)
    assert snapshot_folder(tmp_path) == before  # same bytes, same mtime, no -wal/-shm/-journal
    assert read.annotator == "colleague"
    assert [d.fingerprint for d in read.documents] == [doc.fingerprint]
    assert {a.id for a in read.annotations} == {a.id for a in made}
    assert read.annotations_of(doc.fingerprint)[0].quote == doc.text[200:280].strip()
    assert [k.relation for k in read.links] == ["supports"]
    assert [t.name for t in read.tags] == [t.name for t in model.DEFAULT_TAGS]


def test_a_note_with_html_is_kept_as_plain_text(colleague: Path) -> None:
    read = untrusted.open_untrusted(colleague)
    notes = [a.note for a in read.annotations if a.note]
    assert notes == [HTML_NOTE]


def _keep_frames_in_the_log(monkeypatch: pytest.MonkeyPatch) -> None:
    """The colleague's Warrant stopped between a commit and its checkpoint (or is an older Warrant,
    which left committed frames in the ``-wal`` while open)."""
    monkeypatch.setattr(store.Store, "_truncate_log", lambda self: None)


def test_a_file_open_in_the_colleagues_warrant_is_read_with_its_wal_and_nothing_beside_it_changes(
    tmp_path: Path, seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, doc, _ = make_file(tmp_path, seed_path)
    _keep_frames_in_the_log(monkeypatch)
    live = store.Store.open(path)  # the colleague's window: the next edit sits in the -wal only
    try:
        late = anchoring.new_annotation(doc, 10, 40, "claim", author="colleague")
        assert late is not None
        live.insert_annotation(late)
        assert Path(str(path) + "-wal").stat().st_size > 0
        before = snapshot_folder(tmp_path)
        read = untrusted.open_untrusted(path)
        assert snapshot_folder(tmp_path) == before
        assert late.id in {a.id for a in read.annotations}
    finally:
        live.close()


def test_wal_replay_reads_what_sqlite_itself_reads_and_ignores_a_torn_last_commit(
    tmp_path: Path, seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, doc, _ = make_file(tmp_path, seed_path)
    _keep_frames_in_the_log(monkeypatch)
    live = store.Store.open(path)
    try:
        first = anchoring.new_annotation(doc, 10, 40, "claim", author="c")
        second = anchoring.new_annotation(doc, 50, 90, "evidence", author="c")
        assert first is not None and second is not None
        live.insert_annotation(first)
        wal_after_first = Path(str(path) + "-wal").stat().st_size
        live.insert_annotation(second)
        main_bytes, wal_bytes = path.read_bytes(), Path(str(path) + "-wal").read_bytes()
    finally:
        live.close()

    def sqlite_reads(folder: Path, wal: bytes) -> set[str]:
        folder.mkdir()
        (folder / "f.warrant").write_bytes(main_bytes)
        (folder / "f.warrant-wal").write_bytes(wal)
        conn = sqlite3.connect(folder / "f.warrant")
        try:
            return {row[0] for row in conn.execute("SELECT id FROM annotations")}
        finally:
            conn.close()

    def ours(folder: Path, wal: bytes) -> set[str]:
        folder.mkdir()
        (folder / "f.warrant").write_bytes(main_bytes)
        (folder / "f.warrant-wal").write_bytes(wal)
        return {a.id for a in untrusted.open_untrusted(folder / "f.warrant").annotations}

    assert ours(tmp_path / "a", wal_bytes) == sqlite_reads(tmp_path / "b", wal_bytes)
    assert second.id in ours(tmp_path / "c", wal_bytes)
    torn = bytearray(wal_bytes)
    torn[wal_after_first + 100] ^= 0xFF  # a byte of the second commit's first frame
    seen = ours(tmp_path / "d", bytes(torn))
    assert seen == sqlite_reads(tmp_path / "e", bytes(torn))
    assert first.id in seen and second.id not in seen


def test_a_hot_journal_beside_the_file_is_refused(colleague: Path) -> None:
    Path(str(colleague) + "-journal").write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + bytes(504))
    refused(colleague, "unfinished transaction")


# -- not a Warrant file ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty"),
        (b"plain text, not a database\n" * 10, "not an SQLite database"),
        (b"SQLite format 3\x00" + b"\x10\x00", "truncated"),
    ],
)
def test_files_that_are_not_databases_are_refused(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "x.warrant"
    path.write_bytes(content)
    refused(path, needle)


def test_a_missing_file_and_a_folder_are_refused(tmp_path: Path) -> None:
    refused(tmp_path / "missing.warrant", "does not exist")
    (tmp_path / "folder.warrant").mkdir()
    refused(tmp_path / "folder.warrant", "folder")


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.warrant"
    with path.open("wb") as f:
        f.write(store.SQLITE_MAGIC)
        f.truncate(untrusted.MAX_UNTRUSTED_BYTES + 4096)  # sparse: nothing is really written
    refused(path, "MB")


def test_a_plain_sqlite_database_has_the_wrong_application_id(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    tamper(path, "CREATE TABLE t (x)")
    refused(path, "not a Warrant annotation file")


def test_wrong_application_id(colleague: Path) -> None:
    tamper(colleague, "PRAGMA application_id=1234")
    refused(colleague, "wrong application id")


def test_newer_format_is_refused_with_a_hint(colleague: Path) -> None:
    tamper(colleague, f"PRAGMA user_version={migrations.FORMAT_VERSION + 1}")
    refused(colleague, "newer Warrant")


def test_a_file_with_no_format_version_is_refused(colleague: Path) -> None:
    tamper(colleague, "PRAGMA user_version=0")
    refused(colleague, "no Warrant format version")


# -- damaged files -----------------------------------------------------------------------------------


def test_truncation_is_refused(colleague: Path) -> None:
    data = colleague.read_bytes()
    assert len(data) > 8192
    colleague.write_bytes(data[: len(data) // 2])
    refused(colleague, "truncated")
    colleague.write_bytes(data[: len(data) - 100])  # not even a whole number of pages
    refused(colleague, "truncated")


def test_a_corrupted_btree_page_is_refused(colleague: Path) -> None:
    conn = sqlite3.connect(colleague)
    root, page_size = (
        conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'annotations'").fetchone()[0],
        conn.execute("PRAGMA page_size").fetchone()[0],
    )
    conn.close()
    data = bytearray(colleague.read_bytes())
    start = (root - 1) * page_size
    data[start : start + 12] = b"\xff" * 12  # page type, free block, cell count, content start: nonsense
    colleague.write_bytes(bytes(data))
    refused(colleague, "damaged")


def test_random_byte_flips_give_a_file_or_a_clear_refusal_never_another_error(tmp_path: Path, seed_path: Path) -> None:
    original, _, _ = make_file(tmp_path, seed_path, count=40)
    data = original.read_bytes()
    rng = random.Random(4)
    outcomes = {"read": 0, "refused": 0}
    # 300 trials: some damage makes quick_check quote bytes that are not UTF-8, which once escaped
    # as a UnicodeDecodeError instead of a refusal.
    for trial in range(300):
        damaged = bytearray(data)
        at = rng.randrange(100, len(damaged) - 16)  # past the header, which has its own tests
        for k in range(rng.randint(1, 16)):
            damaged[at + k] = rng.randrange(256)
        path = tmp_path / f"flip{trial}.warrant"
        path.write_bytes(bytes(damaged))
        try:
            read = untrusted.open_untrusted(path)
        except errors.UntrustedFileError as exc:
            assert str(path) in str(exc)
            outcomes["refused"] += 1
        else:
            # Whatever was read passed every check: quotes are the text at their offsets.
            texts = {d.fingerprint: d.text for d in read.documents}
            assert all(texts[a.document][a.start : a.end] == a.quote for a in read.annotations)
            outcomes["read"] += 1
    assert outcomes["refused"] > 0


# -- schemas Warrant does not write ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statements", "needle"),
    [
        (
            ["CREATE TRIGGER t AFTER INSERT ON annotations BEGIN DELETE FROM annotations; END"],
            "a trigger ('t')",
        ),
        (["CREATE VIEW v AS SELECT * FROM annotations"], "a view ('v')"),
        (["CREATE TABLE extra (x TEXT)"], "a table ('extra')"),
        (["CREATE INDEX extra_index ON annotations (note)"], "an index ('extra_index')"),
        (["ALTER TABLE tags ADD COLUMN script TEXT NOT NULL DEFAULT ''"], "table 'tags' does not have the columns"),
        (["ALTER TABLE tags RENAME COLUMN label TO caption"], "table 'tags' does not have the columns"),
        (
            ["ALTER TABLE tags ADD COLUMN shout TEXT GENERATED ALWAYS AS (upper(name)) VIRTUAL"],
            "table 'tags' does not have the columns",
        ),
        (["DROP INDEX links_by_target"], "index 'links_by_target' is missing"),
        (
            ["DROP INDEX links_by_target", "CREATE INDEX links_by_target ON links (relation)"],
            "index 'links_by_target' is not the one",
        ),
    ],
)
def test_schema_objects_warrant_does_not_write_are_refused(colleague: Path, statements: list[str], needle: str) -> None:
    tamper(colleague, *statements)
    refused(colleague, needle)


def test_a_table_replaced_by_one_with_other_columns_is_refused(colleague: Path) -> None:
    tamper(
        colleague,
        "DROP TABLE links",
        "CREATE TABLE links (id TEXT PRIMARY KEY, payload BLOB)",
        "CREATE INDEX links_by_source ON links (id)",
        "CREATE INDEX links_by_target ON links (id)",
    )
    refused(colleague, "links")


def test_a_virtual_table_is_refused(colleague: Path) -> None:
    try:
        tamper(colleague, "CREATE VIRTUAL TABLE evil USING fts5(x)")
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no FTS5")
    message = refused(colleague)
    assert "virtual table" in message or "a table" in message


# -- rows that do not make sense ---------------------------------------------------------------------


def _first_annotation(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("SELECT id FROM annotations ORDER BY start LIMIT 1").fetchone()[0])
    finally:
        conn.close()


def test_a_quote_that_is_not_the_text_is_refused(colleague: Path) -> None:
    tamper(
        colleague,
        "UPDATE annotations SET quote = 'something else entirely' WHERE id = ?",
        params=(_first_annotation(colleague),),
    )
    refused(colleague, "quote", "is not the text at its offsets")


@pytest.mark.parametrize(
    ("start", "end"),
    [(0, 10_000_000), (-5, 10), (50, 20), (30, 30)],
    ids=["past-the-end", "negative", "reversed", "empty"],
)
def test_offsets_out_of_range_or_reversed_are_refused(colleague: Path, start: int, end: int) -> None:
    tamper(
        colleague,
        "PRAGMA ignore_check_constraints=ON",
        'UPDATE annotations SET start = ?, "end" = ? WHERE id = ?',
        params=(start, end, _first_annotation(colleague)),
    )
    message = refused(colleague)
    # SQLite's quick_check evaluates the schema's CHECK constraints (start >= 0, end > start); the
    # row check catches what they do not say (the end past the text).
    assert f"offsets {start}-{end}" in message or "breaks a rule of Warrant's schema" in message


def test_an_unknown_tag_and_a_dangling_link_are_refused(tmp_path: Path, seed_path: Path) -> None:
    one, _, made = make_file(tmp_path, seed_path, name="one.warrant")
    tamper(one, "UPDATE annotations SET tag = 'ghost' WHERE id = ?", params=(made[2].id,))
    refused(one, "tag 'ghost'", "does not define")
    two, _, made = make_file(tmp_path, seed_path, name="two.warrant")
    tamper(two, "DELETE FROM annotations WHERE id = ?", params=(made[0].id,))  # the link's target
    refused(two, "joins an annotation that does not exist")


def test_a_document_whose_text_does_not_match_its_fingerprint_is_refused(colleague: Path) -> None:
    tamper(colleague, "UPDATE documents SET text = text || ' (altered)'")
    refused(colleague, "does not match its fingerprint")


def test_a_tag_colour_that_is_not_a_colour_is_refused(colleague: Path) -> None:
    tamper(colleague, "UPDATE tags SET colour = 'url(http://example.invalid/)' WHERE name = 'claim'")
    refused(colleague, "colour")


def test_a_table_that_lost_strict_is_refused(colleague: Path) -> None:
    # Without STRICT, SQLite would store any type in any column.
    tamper(
        colleague,
        "PRAGMA writable_schema=ON",
        "UPDATE sqlite_master SET sql = replace(sql, ') STRICT', ')') WHERE name = 'tags'",
    )
    refused(colleague, "table 'tags' is not STRICT")


@pytest.mark.parametrize(
    ("update", "needle"),
    [
        ("UPDATE tags SET position = 'first' WHERE name = 'claim'", "position of tag 'claim' is not a whole number"),
        ("UPDATE annotations SET note = x'00ff10'", "is not text"),
        ("UPDATE annotations SET start = 1.5", "is not a whole number"),
        ("UPDATE links SET author = x'2a'", "the author of link"),
        ("UPDATE tags SET label = x'00' WHERE name = 'evidence'", "the label of tag 'evidence' is not text"),
        ("UPDATE meta SET value = x'07' WHERE key = 'annotator'", "meta value 'annotator' is not text"),
    ],
)
def test_the_row_checks_catch_wrong_types_even_in_tables_that_are_not_strict(
    seed_path: Path, update: str, needle: str
) -> None:
    # STRICT tables cannot hold these values (and a file without STRICT is refused above), so the
    # row checks, the last line of defence, are exercised on a copy of the schema without STRICT.
    fresh = store.Store.memory(annotator="c")
    doc = fresh.add_document(documents.load(seed_path))
    a = anchoring.new_annotation(doc, 10, 40, "claim", author="c")
    b = anchoring.new_annotation(doc, 50, 90, "evidence", author="c")
    assert a is not None and b is not None
    fresh.insert_annotations([a, b], [model.Link(model.new_id(), b.id, a.id, "supports", "c", "")])
    conn = sqlite3.connect(":memory:")
    for name, sql in fresh.db.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"):
        conn.execute(sql.replace(") STRICT", ")"))
        rows = fresh.db.conn.execute(f'SELECT * FROM "{name}"').fetchall()
        if rows:
            conn.executemany(f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(rows[0]))})', rows)
    fresh.close()
    assert untrusted._load_untrusted(conn, "x.warrant").annotations  # sound before the update
    conn.execute(update)
    with pytest.raises(untrusted._Refusal, match=needle):
        untrusted._load_untrusted(conn, "x.warrant")


def test_a_note_over_one_megabyte_is_refused(colleague: Path) -> None:
    tamper(
        colleague,
        "UPDATE annotations SET note = printf('%.*c', 1048577, 'x') WHERE id = ?",
        params=(_first_annotation(colleague),),
    )
    refused(colleague, "note", "longer than")


def test_a_100_mb_value_is_refused_by_the_length_limit(colleague: Path) -> None:
    tamper(
        colleague,
        "PRAGMA journal_mode=DELETE",
        "UPDATE annotations SET note = printf('%.*c', 100000000, 'x') WHERE id = ?",
        params=(_first_annotation(colleague),),
    )
    assert colleague.stat().st_size > 100_000_000
    refused(colleague, "larger than 64 MB")


def _replace_everywhere(path: Path, old: str, new: str) -> None:
    data = path.read_bytes()
    assert old.encode() in data
    path.write_bytes(data.replace(old.encode(), new.encode()))


def test_duplicate_annotation_ids_are_refused(tmp_path: Path, seed_path: Path) -> None:
    # Two ids that differ in their last character, made equal in the table and its index alike (a
    # consistent file, as quick_check sees it: it does not check UNIQUE constraints).
    path = tmp_path / "dup.warrant"
    s = store.Store.open(path, annotator="c")
    doc = s.add_document(documents.load(seed_path))
    a = anchoring.new_annotation(doc, 10, 40, "claim", author="c")
    b = anchoring.new_annotation(doc, 50, 90, "claim", author="c")
    assert a is not None and b is not None
    s.insert_annotations([a.replace(id="dup-annotation-1"), b.replace(id="dup-annotation-2")])
    s.close()
    _replace_everywhere(path, "dup-annotation-2", "dup-annotation-1")
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    conn.close()
    refused(path, "'dup-annotation-1' appears twice")


def test_duplicate_link_ids_are_refused(tmp_path: Path, seed_path: Path) -> None:
    path = tmp_path / "dup.warrant"
    s = store.Store.open(path, annotator="c")
    doc = s.add_document(documents.load(seed_path))
    a = anchoring.new_annotation(doc, 10, 40, "claim", author="c")
    b = anchoring.new_annotation(doc, 50, 90, "evidence", author="c")
    assert a is not None and b is not None
    s.insert_annotations(
        [a, b],
        [
            model.Link("dup-link-1", b.id, a.id, "supports", "c", "2024-01-01T00:00:00.000Z"),
            model.Link("dup-link-2", a.id, b.id, "contradicts", "c", "2024-01-01T00:00:00.000Z"),
        ],
    )
    s.close()
    _replace_everywhere(path, "dup-link-2", "dup-link-1")
    refused(path, "'dup-link-1' appears twice")


def test_every_refusal_leaves_the_file_unchanged(tmp_path: Path, seed_path: Path) -> None:
    path, _, _ = make_file(tmp_path, seed_path)
    tamper(path, "CREATE TRIGGER t AFTER INSERT ON tags BEGIN SELECT 1; END")
    before = snapshot_folder(tmp_path)
    refused(path, "trigger")
    assert snapshot_folder(tmp_path) == before


def test_the_header_checks_read_the_fields_sqlite_documents(colleague: Path) -> None:
    # Independent of the code under test: the header's fields at the offsets the file format gives.
    data = colleague.read_bytes()
    user_version, _, application_id = struct.unpack_from(">III", data, 60)
    assert (user_version, application_id) == (migrations.FORMAT_VERSION, migrations.APPLICATION_ID)
    copy = colleague.with_name("copy.warrant")
    shutil.copyfile(colleague, copy)
    patched = bytearray(copy.read_bytes())
    struct.pack_into(">I", patched, 68, 0x12345678)
    copy.write_bytes(bytes(patched))
    refused(copy, "wrong application id")


def test_an_unreadable_file_is_refused(colleague: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    os.chmod(colleague, 0o000)
    try:
        refused(colleague, "cannot be read")
    finally:
        os.chmod(colleague, 0o644)


def test_a_file_of_the_first_format_is_reviewed_through_an_upgraded_private_copy(tmp_path: Path) -> None:
    """A colleague still on the first Warrant (format 1) can be reviewed; the file is never changed."""
    import sqlite3

    from desktop.core import anchoring, documents, migrations, model, store, untrusted

    path = tmp_path / "old.warrant"
    seed = Path(__file__).resolve().parents[2] / "seeds" / "russian-iranian-alliance.txt"
    with store.Store.open(path, annotator="colleague") as st:
        doc = st.add_document(documents.load(seed))
        made = anchoring.new_annotation(doc, 100, 160, "claim", author="colleague")
        assert made is not None
        st.insert_annotation(made)
    conn = sqlite3.connect(path)  # strip it back to what the first Warrant wrote
    for table in ("document_grades", "passage_grades", "hypotheses", "ach_ratings"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("ALTER TABLE tags DROP COLUMN description")
    conn.execute("ALTER TABLE documents DROP COLUMN page_starts")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name <> 'm001_initial'")
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    before = sorted(p.name for p in tmp_path.iterdir()), path.read_bytes()
    colleague = untrusted.open_untrusted(path)
    assert [a.id for a in colleague.annotations] == [made.id]
    assert colleague.documents[0].page_starts == () and colleague.assessments == ((), (), (), ())
    assert (sorted(p.name for p in tmp_path.iterdir()), path.read_bytes()) == before
    assert migrations.FORMAT_VERSION > 1 and isinstance(made, model.Annotation)
