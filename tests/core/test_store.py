"""The annotation file: opening, defaults, edits and their undo, copies, refusals and SQLite's settings."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop.core import anchoring, documents, errors, migrations, model, store, untrusted


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file in a folder with its SHA-256 and mtime: to prove a refusal changed nothing."""
    return {
        f.name: (hashlib.sha256(f.read_bytes()).hexdigest(), f.stat().st_mtime_ns)
        for f in folder.iterdir()
        if f.is_file()
    }


def _annotate(s: store.Store, doc: model.Document, start: int, end: int, tag: str = "claim") -> model.Annotation:
    ann = anchoring.new_annotation(doc, start, end, tag, author=s.annotator)
    assert ann is not None
    return s.insert_annotation(ann)


def _link(s: store.Store, source: model.Annotation, target: model.Annotation, relation: str = "supports") -> model.Link:
    return s.insert_link(model.Link(model.new_id(), source.id, target.id, relation, s.annotator, model.now_utc()))


def _state(s: store.Store) -> tuple[object, ...]:
    return (s.documents(), s.annotations(), s.links(), s.tags(), s.relations(), s.annotator)


@pytest.fixture
def seed(seed_path: Path) -> documents.LoadedDocument:
    return documents.load(seed_path)


@pytest.fixture
def filled(tmp_path: Path, seed: documents.LoadedDocument) -> Iterator[tuple[Path, store.Store]]:
    """A real annotation file with a document, three annotations and two links, open."""
    path = tmp_path / "mine.warrant"
    s = store.Store.open(path, annotator="Ana")
    doc = s.add_document(seed)
    a = _annotate(s, doc, 60, 110, "claim")
    b = _annotate(s, doc, 200, 260, "evidence")
    c = _annotate(s, doc, 300, 340, "recommendation")
    _link(s, b, a, "supports")
    _link(s, c, a, "based-on")
    yield path, s
    s.close()


# -- opening, defaults, annotator ----------------------------------------------------------------


def test_new_file_has_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "new.warrant"
    with store.Store.open(path, annotator="Ana") as s:
        assert s.tags() == list(model.DEFAULT_TAGS)
        assert [t.name for t in s.tags()] == ["claim", "evidence", "recommendation"]
        assert s.relations() == list(model.DEFAULT_RELATIONS)
        assert [r.name for r in s.relations()] == ["supports", "contradicts", "based-on"]
        assert s.annotator == "Ana"
        assert s.format_version() == migrations.FORMAT_VERSION
        assert s.documents() == [] and s.annotations() == [] and s.links() == []
        assert s.integrity() == "ok"
    assert path.is_file()


def test_reopen_shows_everything(filled: tuple[Path, store.Store]) -> None:
    path, s = filled
    before = _state(s)
    assert len(before[1]) == 3 and len(before[2]) == 2  # type: ignore[arg-type]
    s.close()
    with store.Store.open(path, create=False) as again:
        assert _state(again) == before
        doc = again.documents()[0]
        for ann in again.annotations():
            assert doc.text[ann.start : ann.end] == ann.quote


def test_annotator_kept_replaced_or_defaulted(tmp_path: Path) -> None:
    path = tmp_path / "who.warrant"
    store.Store.open(path, annotator="Ana").close()
    with store.Store.open(path) as s:
        assert s.annotator == "Ana"
    with store.Store.open(path, annotator="Bo") as s:
        assert s.annotator == "Bo"
        s.set_annotator("Cy")
    with store.Store.open(path) as s:
        assert s.annotator == "Cy"
    with store.Store.open(tmp_path / "anon.warrant") as s:
        assert s.annotator == store.default_annotator() != ""


def test_opening_without_changes_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "quiet.warrant"
    store.Store.open(path, annotator="Ana").close()
    first = _snapshot(tmp_path)
    for annotator in (None, "Ana"):
        s = store.Store.open(path, annotator=annotator)
        s.tags()
        s.close()
        assert _snapshot(tmp_path) == first, annotator
    store.Store.open(path, annotator="Bo").close()
    assert _snapshot(tmp_path) != first


def test_pragmas(filled: tuple[Path, store.Store]) -> None:
    _, s = filled
    conn = s.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == store.BUSY_TIMEOUT_MS > 0
    assert conn.execute("PRAGMA trusted_schema").fetchone()[0] == 0
    assert conn.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID


def test_memory_store_works() -> None:
    s = store.Store.memory(annotator="Ana")
    doc = s.add_document(documents.from_text("An article to read in memory only."))
    _annotate(s, doc, 3, 10)
    assert s.annotation_count() == 1 and s.annotator == "Ana"


# -- tags and relations --------------------------------------------------------------------------


def test_add_tag_custom_colour_choice_and_duplicates(tmp_path: Path) -> None:
    with store.Store.open(tmp_path / "t.warrant") as s:
        first = s.add_tag("  assumption ")
        assert first == model.Tag("assumption", "Assumption", model.EXTRA_TAG_COLOURS[0], "", 3)
        second = s.add_tag("risk", label="Risk!", shortcut="5")
        assert second == model.Tag("risk", "Risk!", model.EXTRA_TAG_COLOURS[1], "5", 4)
        chosen = s.add_tag("gap", colour="#123456")
        assert chosen.colour == "#123456" and chosen.position == 5
        assert s.add_tag("assumption", colour="#000000") == first  # a duplicate returns the existing tag
        assert s.add_tag("claim") == model.DEFAULT_TAGS[0]
        colours = [t.colour for t in s.tags()]
        assert len(colours) == len(set(colours))
        for bad in ("", "   ", "x" * 65):
            with pytest.raises(errors.StoreError, match="1 to 64"):
                s.add_tag(bad)
        assert [t.name for t in s.tags()] == ["claim", "evidence", "recommendation", "assumption", "risk", "gap"]


def test_extra_colours_run_out_gracefully(tmp_path: Path) -> None:
    with store.Store.open(tmp_path / "t.warrant") as s:
        for i in range(len(model.EXTRA_TAG_COLOURS) + 2):
            tag = s.add_tag(f"tag{i}")
            assert tag.colour in model.EXTRA_TAG_COLOURS


def test_add_relation(tmp_path: Path) -> None:
    with store.Store.open(tmp_path / "r.warrant") as s:
        rel = s.add_relation("illustrates")
        assert rel == model.Relation("illustrates", "illustrates", 3)
        assert s.add_relation("illustrates", label="other") == rel
        assert s.add_relation("refutes", label="refutes (strongly)").label == "refutes (strongly)"
        with pytest.raises(errors.StoreError):
            s.add_relation(" ")
        assert [r.name for r in s.relations()][-2:] == ["illustrates", "refutes"]


# -- annotations and links -----------------------------------------------------------------------


def test_insert_update_filter(filled: tuple[Path, store.Store]) -> None:
    _, s = filled
    anns = s.annotations()
    assert [a.tag for a in anns] == ["claim", "evidence", "recommendation"]
    assert [a.start for a in anns] == sorted(a.start for a in anns)
    assert s.annotations(tags=["evidence"]) == [anns[1]]
    assert s.annotations(tags=[]) == []
    assert s.annotations(authors=["Ana"]) == anns and s.annotations(authors=["Bo"]) == []
    assert s.annotations(anns[0].document) == anns and s.annotations("0" * 64) == []
    changed = s.update_annotation(anns[0].id, tag="evidence", note="see p. 3", modified="2030-01-01T00:00:00.000Z")
    assert (
        s.annotation(anns[0].id)
        == changed
        == anns[0].replace(tag="evidence", note="see p. 3", modified="2030-01-01T00:00:00.000Z")
    )
    with pytest.raises(errors.StoreError, match="refused"):
        s.update_annotation(anns[0].id, tag="no-such-tag")
    assert s.annotation(anns[0].id) == changed
    with pytest.raises(errors.NotFoundError):
        s.update_annotation("missing", note="x")
    with pytest.raises(errors.NotFoundError):
        s.annotation("missing")
    with pytest.raises(errors.StoreError):
        s.insert_annotation(anns[1])  # the same id twice
    assert s.annotation_count() == 3 and s.annotation_count(anns[0].document) == 3


def test_insert_many_is_all_or_nothing(filled: tuple[Path, store.Store]) -> None:
    _, s = filled
    doc = s.documents()[0]
    fresh = anchoring.new_annotation(doc, 400, 420, "claim", author="Ana")
    orphan = anchoring.new_annotation(doc, 430, 440, "claim", author="Ana")
    assert fresh is not None and orphan is not None
    orphan = orphan.replace(document="f" * 64)
    with pytest.raises(errors.StoreError, match="refused"):
        s.insert_annotations([fresh, orphan])
    assert s.annotation_count() == 3


def test_delete_cascades_links_and_restore_puts_everything_back(filled: tuple[Path, store.Store]) -> None:
    path, s = filled
    a, b, c = s.annotations()
    extra = _link(s, a, c, "contradicts")
    before = _state(s)
    gone, links = s.delete_annotations([a.id])
    assert gone == [a]
    assert sorted(k.id for k in links) == sorted(k.id for k in before[2] if a.id in (k.source, k.target))  # type: ignore[attr-defined]
    assert extra in links
    assert s.links() == [] and s.annotations() == [b, c]
    s.restore(gone, links)
    assert _state(s) == before
    gone, links = s.delete_annotations([b.id, c.id, "not-there"])
    assert {g.id for g in gone} == {b.id, c.id} and len(links) == 3 == len({k.id for k in links})
    s.restore(gone, links)
    assert _state(s) == before
    assert s.delete_annotations([]) == ([], [])
    s.close()
    with store.Store.open(path) as again:
        assert _state(again) == before


def test_links_rules(filled: tuple[Path, store.Store], seed: documents.LoadedDocument) -> None:
    _, s = filled
    a, b, _ = s.annotations()
    for bad in (
        model.Link(model.new_id(), a.id, a.id, "supports"),
        model.Link(model.new_id(), a.id, "missing", "supports"),
        model.Link(model.new_id(), a.id, b.id, "no-such-relation"),
    ):
        with pytest.raises(errors.StoreError, match="refused"):
            s.insert_link(bad)
    first = s.links()[0]
    assert s.delete_link(first.id) == first
    with pytest.raises(errors.NotFoundError):
        s.delete_link(first.id)
    # links(document) lists the links whose source lies in that document.
    other = s.add_document(documents.from_text("A second article, with another claim in it.", "other.txt"))
    x = _annotate(s, other, 2, 16)
    _link(s, x, a)
    assert [k.source for k in s.links(other.fingerprint)] == [x.id]
    assert x.id not in {k.source for k in s.links(seed.fingerprint)}


def test_existing_ids_in_chunks(filled: tuple[Path, store.Store]) -> None:
    _, s = filled
    real = [a.id for a in s.annotations()]
    asked = [model.new_id() for _ in range(1200)]
    asked[10:10] = real[:1]
    asked[777:777] = real[1:]
    assert s.existing_ids(asked) == set(real)
    assert s.existing_ids([]) == set()


def test_lone_surrogates_are_refused_and_nul_survives(filled: tuple[Path, store.Store]) -> None:
    _, s = filled
    a = s.annotations()[0]
    with pytest.raises(errors.StoreError, match="surrogate"):
        s.update_annotation(a.id, note="broken \ud800 note")
    assert s.annotation(a.id) == a
    noted = s.update_annotation(a.id, note="nul \x00 inside")
    assert s.annotation(a.id).note == "nul \x00 inside" == noted.note
    doc = s.add_document(documents.from_text("text with a \x00 NUL and \U0001f600 emoji"))
    assert s.document(doc.fingerprint) == doc
    with pytest.raises(errors.StoreError, match="surrogate"):
        s.add_document(documents.from_text("half a pair \udc00 here"))


# -- documents -----------------------------------------------------------------------------------


def test_add_and_find_documents(filled: tuple[Path, store.Store], seed: documents.LoadedDocument) -> None:
    _, s = filled
    stored = s.documents()[0]
    assert (stored.fingerprint, stored.text, stored.title, stored.kind) == (
        seed.fingerprint,
        seed.text,
        seed.title,
        seed.kind,
    )
    assert s.add_document(seed) == stored  # the same text again: the existing document
    assert s.find_document(seed.fingerprint) == stored
    assert s.find_document(seed.fingerprint[:8]) == stored
    assert s.find_document(seed.title) == stored
    assert s.document_count() == 1
    for miss in (seed.fingerprint[:7], "%%%%%%%%", "________", seed.fingerprint[:8] + "%", "nothing"):
        with pytest.raises(errors.NotFoundError):
            s.find_document(miss)
    twin = s.add_document(documents.from_text(seed.text + "\nA postscript.", "twin.txt"))
    assert twin.title == stored.title
    with pytest.raises(errors.NotFoundError, match="2 documents"):
        s.find_document(stored.title)
    with pytest.raises(errors.NotFoundError):
        s.document("0" * 64)
    assert s.document("0" * 64, missing_ok=True) is None


# -- save a copy ---------------------------------------------------------------------------------


def test_save_copy_is_one_complete_file(filled: tuple[Path, store.Store], tmp_path: Path) -> None:
    _, s = filled
    out = tmp_path / "copies"
    out.mkdir()
    dest = out / "copy.warrant"
    s.save_copy(dest)
    assert sorted(p.name for p in out.iterdir()) == ["copy.warrant"]
    header = dest.read_bytes()[:100]
    assert header[18:20] == b"\x01\x01"  # rollback journal, not WAL: the file stands alone
    assert int.from_bytes(header[68:72], "big") == migrations.APPLICATION_ID
    with store.Store.open(dest) as copy:
        assert _state(copy)[:5] == _state(s)[:5]
        assert copy.integrity() == "ok"


def test_save_copy_is_atomic(filled: tuple[Path, store.Store], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, s = filled
    out = tmp_path / "copies"
    out.mkdir()
    dest = out / "copy.warrant"
    dest.write_bytes(b"the previous copy")

    def fail(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(errors.StoreError, match="No space left"):
        s.save_copy(dest)
    assert dest.read_bytes() == b"the previous copy"
    assert sorted(p.name for p in out.iterdir()) == ["copy.warrant"]  # no temporary file left behind
    monkeypatch.undo()
    s.save_copy(dest)
    assert dest.read_bytes().startswith(store.SQLITE_MAGIC)


def test_save_copy_refusals(filled: tuple[Path, store.Store], tmp_path: Path) -> None:
    path, s = filled
    with pytest.raises(errors.StoreError, match="does not exist"):
        s.save_copy(tmp_path / "no" / "such" / "folder" / "copy.warrant")
    with pytest.raises(errors.StoreError, match="cannot replace"):
        s.save_copy(path)
    assert not (tmp_path / "no").exists()


# -- refusing files ------------------------------------------------------------------------------


def _newer(path: Path) -> None:
    store.Store.open(path, annotator="Ana").close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={migrations.FORMAT_VERSION + 1}")
    conn.commit()
    conn.close()


def test_newer_format_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.warrant"
    _newer(path)
    before = _snapshot(tmp_path)
    assert list(before) == ["future.warrant"]
    for opener in (
        lambda: store.Store.open(path),
        lambda: store.Store.open(path, annotator="Bo", create=False),
        lambda: untrusted.open_readonly_snapshot(path),
    ):
        with pytest.raises(errors.NewerFormatError, match="newer Warrant") as info:
            opener()
        assert str(path) in str(info.value)
        assert _snapshot(tmp_path) == before  # same bytes, same mtime, no -wal or -shm


def _not_sqlite(path: Path) -> None:
    path.write_bytes(b"Dear colleague, here are my notes.\n" * 40)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _folder(path: Path) -> None:
    path.mkdir()


def _short_header(path: Path) -> None:
    path.write_bytes(store.SQLITE_MAGIC + b"\x10\x00")


def _truncated(path: Path) -> None:
    store.Store.open(path, annotator="Ana").close()
    with store.Store.open(path) as s:
        s.add_document(documents.from_text("Some article text. " * 2000))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _corrupted(path: Path) -> None:
    with store.Store.open(path) as s:
        s.add_document(documents.from_text("Some article text. " * 2000))
    data = bytearray(path.read_bytes())
    data[4096 * 2 : 4096 * 3] = bytes(range(256)) * 16
    path.write_bytes(bytes(data))


def _other_app(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('Ana', '123')")
    conn.commit()
    conn.close()


def _wrong_application_id(path: Path) -> None:
    store.Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id=1234")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (_not_sqlite, "not an SQLite database"),
        (_empty, "empty"),
        (_folder, "folder"),
        (_short_header, "shorter than an SQLite header"),
        (_truncated, "damaged"),
        (_corrupted, "damaged"),
        (_other_app, "not a Warrant annotation file"),
        (_wrong_application_id, "not a Warrant annotation file"),
    ],
)
def test_bad_files_are_refused_untouched(tmp_path: Path, make: Callable[[Path], None], expected: str) -> None:
    path = tmp_path / "bad.warrant"
    make(path)
    before = _snapshot(tmp_path)
    for opener in (
        lambda: store.Store.open(path),
        lambda: store.Store.open(path, create=False),
        lambda: untrusted.open_readonly_snapshot(path),
    ):
        with pytest.raises(errors.StoreError) as info:
            opener()
        message = str(info.value)
        assert str(path) in message and expected in message
        assert not isinstance(info.value, errors.NewerFormatError)
        assert _snapshot(tmp_path) == before


def test_missing_file_without_create(tmp_path: Path) -> None:
    path = tmp_path / "absent.warrant"
    with pytest.raises(errors.StoreError, match="does not exist"):
        store.Store.open(path, create=False)
    assert not path.exists()
    with pytest.raises(errors.StoreError, match="folder .* does not exist"):
        store.Store.open(tmp_path / "no-folder" / "x.warrant")


def test_busy_file_refuses_writes_quickly_and_clearly(
    filled: tuple[Path, store.Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, s = filled
    s.close()
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 50)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        # Reading is never blocked (WAL); opening writes nothing, so it opens too.
        mine = store.Store.open(path)
        assert len(mine.annotations()) == 3
        doc = mine.documents()[0]
        with pytest.raises(errors.StoreBusyError, match="another Warrant window or program"):
            _annotate(mine, doc, 500, 520)
        with pytest.raises(errors.StoreBusyError):
            store.Store.open(path, annotator="Somebody else")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    _annotate(mine, doc, 500, 520)
    assert mine.annotation_count() == 4
    mine.close()


def _as_nobody(action: Callable[[], str]) -> str:
    """Run ``action`` in a forked child that has dropped root, and return what it reports."""
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork in a threaded process (3.12+)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(read_end)
            os.setgid(65534)
            os.setuid(65534)
            report = action()
        except BaseException as exc:
            report = f"CRASH {type(exc).__name__}: {exc}"
        os.write(write_end, report.encode("utf-8", "replace"))
        os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode()


@pytest.mark.parametrize("folder_writable", [True, False])
def test_read_only_file_is_refused_clearly(folder_writable: bool, seed: documents.LoadedDocument) -> None:
    root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="warrant-ro-"))
    try:
        folder = base / "files"
        folder.mkdir()
        path = folder / "mine.warrant"
        with store.Store.open(path, annotator="Ana") as s:
            doc = s.add_document(seed)
            _annotate(s, doc, 60, 110)
        path.chmod(0o444)
        base.chmod(0o755)
        # As nobody, a root-owned 0o755 folder is not writable; as its owner, 0o555 is not.
        if folder_writable:
            folder.chmod(0o777 if root else 0o755)
        else:
            folder.chmod(0o755 if root else 0o555)
        before = hashlib.sha256(path.read_bytes()).hexdigest()

        def attempt() -> str:
            try:
                store.Store.open(path).close()
                opened = "opened"
            except errors.WarrantError as exc:
                opened = f"refused {type(exc).__name__}: {exc}"
            try:
                snap = untrusted.open_readonly_snapshot(path)
                read = f"snapshot {snap.annotation_count()}"
            except errors.WarrantError as exc:
                read = f"snapshot refused: {exc}"
            if folder_writable:
                return opened + "\n" + read + "\n-"
            try:
                store.Store.open(folder / "new.warrant").close()
                created = "created"
            except errors.WarrantError as exc:
                created = f"refused: {exc}"
            return opened + "\n" + read + "\n" + created

        # Root ignores file permissions, so the attempt runs as nobody in a forked child.
        report = _as_nobody(attempt) if root else attempt()
        opened, read, created = report.split("\n")
        assert opened.startswith("refused StoreReadOnlyError"), report
        assert "read-only" in opened and "damaged" not in opened and str(path) in opened
        assert read == "snapshot 1", report  # exporting from a read-only file still works
        assert folder_writable or created.startswith("refused") and "cannot be written" in created, report
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    finally:
        for folder_or_file in (base, base / "files", base / "files" / "mine.warrant"):
            if folder_or_file.exists():
                folder_or_file.chmod(0o755)
        shutil.rmtree(base)


def test_own_file_with_triggers_or_views_is_refused(filled: tuple[Path, store.Store], tmp_path: Path) -> None:
    path, s = filled
    s.close()
    for ddl in (
        "CREATE TRIGGER wipe AFTER INSERT ON annotations BEGIN DELETE FROM annotations; END",
        "CREATE VIEW everything AS SELECT * FROM annotations",
    ):
        victim = tmp_path / "victim.warrant"
        victim.write_bytes(path.read_bytes())
        conn = sqlite3.connect(victim)
        conn.execute(ddl)
        conn.commit()
        conn.close()
        before = _snapshot(tmp_path)
        with pytest.raises(errors.StoreError, match="never writes") as info:
            store.Store.open(victim)
        assert str(victim) in str(info.value)
        assert _snapshot(tmp_path) == before
        victim.unlink()


def test_own_file_with_an_extra_table_opens_and_keeps_it(filled: tuple[Path, store.Store]) -> None:
    path, s = filled
    before = _state(s)
    s.close()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE scratch (x TEXT)")
    conn.execute("INSERT INTO scratch VALUES ('kept')")
    conn.commit()
    conn.close()
    with store.Store.open(path) as again:
        assert _state(again) == before
        _annotate(again, again.documents()[0], 500, 520)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT x FROM scratch").fetchall() == [("kept",)]
    conn.close()
