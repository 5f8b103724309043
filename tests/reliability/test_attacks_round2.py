"""Issue 14's attacks on one's own and colleagues' files, each run as the user runs Warrant (``python main.py``).

Every case is a one-line reproduction from the red team's report; each test failed before its fix.
A command that could hang (a FIFO, an endless view) runs with a timeout, so a hang fails the test.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.core import anchoring, documents, errors, model, store, textutil, untrusted

REPO = Path(__file__).resolve().parents[2]


def run(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def refused(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 2, exactly one ``warrant:`` line on stderr, no traceback, no control character."""
    assert result.returncode == 2, (result.returncode, result.stdout[-500:], result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("warrant: "), result.stderr[-2000:]
    assert not any(ch in result.stderr for ch in "\x1b\x07\x9b\u202e"), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def make_file(path: Path, seed_path: Path, count: int = 20, annotator: str = "me") -> list[model.Annotation]:
    with store.Store.open(path, annotator=annotator) as s:
        doc = s.add_document(documents.load(seed_path))
        made = []
        for i in range(count):
            start = 100 + (40 * i) % 5000
            a = anchoring.new_annotation(doc, start, start + 30, model.DEFAULT_TAGS[i % 3].name, author="me")
            assert a is not None
            made.append(a)
        link = model.Link(model.new_id(), made[1].id, made[0].id, "supports", annotator, model.now_utc())
        s.insert_annotations(made, [link])
    return made


def ids_in(path: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return {row[0] for row in conn.execute("SELECT id FROM annotations")}
    finally:
        conn.close()


def hack(path: Path, *statements: str) -> None:
    """Edit a file as an attacker would: plain sqlite3, with the schema writable."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA writable_schema=ON")
        for sql in statements:
            conn.execute(sql)
    finally:
        conn.close()


def import_source(tmp_path: Path, seed_path: Path) -> Path:
    other = tmp_path / "other" / "source.warrant"
    other.parent.mkdir()
    make_file(other, seed_path, count=3, annotator="colleague")
    out = tmp_path / "other" / "source.json"
    result = run("export", other, "--format", "w3c", "-o", out)
    assert result.returncode == 0, result.stderr
    return out


# -- 1 and 6: triggers and views, whatever the case of their type ------------------------------------


def test_1_a_mixed_case_trigger_is_refused_before_import_runs_it(tmp_path: Path, seed_path: Path) -> None:
    path = tmp_path / "mine.warrant"
    before = {a.id for a in make_file(path, seed_path)}
    source = import_source(tmp_path, seed_path)
    hack(
        path,
        "CREATE TRIGGER wipe AFTER INSERT ON annotations BEGIN DELETE FROM annotations; END",
        "UPDATE sqlite_master SET type = 'Trigger' WHERE name = 'wipe'",
    )
    refused(run("import", source, "--into", path), "trigger", "'wipe'")
    assert ids_in(path) == before
    for command in (["export", path, "--format", "csv", "-o", tmp_path / "x.csv"], ["outline", path]):
        refused(run(*command), "trigger")
    with pytest.raises(errors.StoreError, match="trigger"):
        store.Store.open(path)
    assert ids_in(path) == before


@pytest.mark.parametrize("spelling", ["VIEW", "View", "view"])
def test_6_an_endless_view_in_place_of_a_table_is_refused_at_once(
    tmp_path: Path, seed_path: Path, spelling: str
) -> None:
    path = tmp_path / "mine.warrant"
    make_file(path, seed_path, count=3)
    endless = (
        "CREATE VIEW annotations AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
        "SELECT 'x' || i AS id, '' AS document, 'claim' AS tag, 0 AS start, 1 AS \"end\", '' AS quote, "
        "'' AS prefix, '' AS suffix, '' AS note, '' AS author, '' AS created, '' AS modified, "
        "'' AS origin_author, '' AS origin_id, '' AS origin_file FROM n"
    )
    hack(path, "PRAGMA foreign_keys=OFF", "DROP TABLE links", "ALTER TABLE annotations RENAME TO kept", endless)
    hack(path, f"UPDATE sqlite_master SET type = '{spelling}' WHERE name = 'annotations'")
    for command in (
        ["export", path, "--format", "csv", "-o", tmp_path / "x.csv"],
        ["outline", path],
        ["compare", path, path],
    ):
        refused(run(*command, timeout=60), "view")
    assert not (tmp_path / "x.csv").exists()


# -- 7: an index that disagrees with its table --------------------------------------------------------


def test_7_an_index_that_disagrees_with_its_table_does_not_feed_the_reader(tmp_path: Path, seed_path: Path) -> None:
    path = tmp_path / "colleague.warrant"
    made = make_file(path, seed_path, annotator="colleague")
    # The index keeps its definition in the schema but holds no entry: quick_check does not see it.
    hack(
        path,
        "DROP INDEX annotations_by_position",
        'CREATE INDEX annotations_by_position ON annotations (document, start, "end") WHERE 0',
        "UPDATE sqlite_master SET sql = 'CREATE INDEX annotations_by_position ON annotations "
        "(document, start, \"end\")' WHERE name = 'annotations_by_position'",
    )
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    conn.close()
    read = untrusted.open_untrusted(path)
    assert {a.id for a in read.annotations} == {a.id for a in made}


# -- 8 and 9: FIFOs and devices as any input; 4 and 5: outputs over the annotation file ----------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.warrant"
    os.mkfifo(path)
    return path


def test_8_a_fifo_as_any_input_is_refused_without_blocking(tmp_path: Path, seed_path: Path, fifo: Path) -> None:
    mine = tmp_path / "mine.warrant"
    make_file(mine, seed_path, count=3)
    source = import_source(tmp_path, seed_path)
    for command in (
        ["export", fifo, "--format", "csv", "-o", tmp_path / "x.csv"],
        ["outline", fifo],
        ["compare", mine, fifo],
        ["compare", fifo, mine],
        ["import", fifo, "--into", mine],
        ["import", source, "--into", fifo],
        ["import", source, "--into", mine, "--document", fifo],
    ):
        refused(run(*command, timeout=60), "FIFO")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_9_a_device_as_the_article_is_refused(tmp_path: Path, seed_path: Path, device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"{device} is not on this system")
    mine = tmp_path / "mine.warrant"
    make_file(mine, seed_path, count=3)
    source = import_source(tmp_path, seed_path)
    refused(run("import", source, "--into", mine, "--document", device, timeout=60), "character device")
    with pytest.raises(errors.DocumentError, match="character device"):
        documents.load(device)


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_4_5_an_export_over_the_annotation_file_or_its_side_files_is_refused(
    tmp_path: Path, seed_path: Path, suffix: str
) -> None:
    path = tmp_path / "notes.md"  # an annotation file named like an export
    make_file(path, seed_path, count=3)
    before = path.read_bytes()
    target = Path(f"{path}{suffix}")
    refused(run("export", path, "--format", "markdown", "-o", target), "annotation file")
    assert path.read_bytes() == before
    if suffix == "":
        refused(run("export", path, "--format", "markdown"), "annotation file")  # the default name
    assert not Path(f"{path}-wal").exists() or suffix == "-wal"


def test_4_the_check_covers_a_hard_link_and_a_fifo_output(tmp_path: Path, seed_path: Path, fifo: Path) -> None:
    from desktop.core import safeio

    path = tmp_path / "mine.warrant"
    make_file(path, seed_path, count=3)
    os.link(path, tmp_path / "alias.md")
    with pytest.raises(errors.UnsafePathError, match="annotation file itself"):
        safeio.check_output(tmp_path / "alias.md", protected=[path])
    with pytest.raises(errors.UnsafePathError, match="FIFO"):
        safeio.check_output(fifo, protected=[path])
    refused(run("export", path, "--format", "csv", "-o", fifo, timeout=60), "FIFO")
    safeio.check_output(tmp_path / "fine.csv", protected=[path])


# -- 12: huge integers, deep nesting in an import ----------------------------------------------------


def test_12_an_integer_of_5000_digits_is_refused_in_one_line(tmp_path: Path, seed_path: Path) -> None:
    mine = tmp_path / "mine.warrant"
    make_file(mine, seed_path, count=3)
    bad = tmp_path / "big.json"
    bad.write_text('{"type": "Annotation", "x": ' + "9" * 5000 + "}")
    refused(run("import", bad, "--into", mine), "digits")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200 + "]" * 200)
    refused(run("import", deep, "--into", mine), "nested too deeply")


# -- 2 and 3: the open file replaced or moved by another program ---------------------------------------

_WINDOW = """
import sys
from desktop.core import anchoring, documents, errors, store
path, seed, how = sys.argv[1], sys.argv[2], sys.argv[3]
s = store.Store.open(path, annotator="me")
doc = s.documents()[0]
for i in range(3):
    a = anchoring.new_annotation(doc, 2000 + 40 * i, 2030 + 40 * i, "claim", author="me")
    s.insert_annotation(a)
print("SAVED", flush=True)
sys.stdin.readline()  # the other program replaces or moves the file now
a = anchoring.new_annotation(doc, 3000, 3030, "claim", author="me")
try:
    s.insert_annotation(a)
    print("WROTE", flush=True)
except errors.StoreError as exc:
    print("REFUSED", type(exc).__name__, str(exc).replace("\\n", " "), flush=True)
sys.stdin.readline()  # then the window is killed: no close, no checkpoint
"""


@pytest.mark.parametrize("how", ["replaced", "moved"])
def test_2_3_a_replaced_or_moved_file_gets_no_stale_log(tmp_path: Path, seed_path: Path, how: str) -> None:
    path = tmp_path / "mine.warrant"
    make_file(path, seed_path, count=2)
    replacement = tmp_path / "replacement.warrant"
    theirs = {a.id for a in make_file(replacement, seed_path, count=20)}
    window = subprocess.Popen(
        [sys.executable, "-c", _WINDOW, str(path), str(seed_path), how],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert window.stdin is not None and window.stdout is not None
    try:
        assert window.stdout.readline() == "SAVED\n"
        saved = ids_in(path) if not Path(f"{path}-wal").exists() else None
        moved = tmp_path / "moved.warrant"
        if how == "replaced":
            os.replace(replacement, path)
        else:
            os.rename(path, moved)
        window.stdin.write("\n")
        window.stdin.flush()
        reply = window.stdout.readline()
        assert reply.startswith("REFUSED FileChangedError"), reply
        assert "moved or replaced" in reply
    finally:
        window.send_signal(signal.SIGKILL)
        window.wait(timeout=30)
        window.stdin.close()
        window.stdout.close()
    if how == "replaced":
        # The replacement's 20 annotations, and nothing of the killed window's file, merged or not.
        assert ids_in(path) == theirs
        with store.Store.open(path) as s:
            assert {a.id for a in s.annotations()} == theirs
            assert s.integrity() == "ok"
    else:
        # The moved file holds every tag reported saved; nothing waits at the old path.
        with store.Store.open(moved) as s:
            assert len(s.annotations()) == 2 + 3
        assert saved is None or len(saved) == 5
        wal = Path(f"{path}-wal")
        assert not wal.exists() or wal.stat().st_size == 0
        fresh = make_file(path, seed_path, count=4)
        assert ids_in(path) == {a.id for a in fresh}


# -- 14: no -shm beside a file with a -wal; 17: a read-only folder with a leftover -wal -----------------


def _with_leftover_wal(path: Path, seed_path: Path) -> set[str]:
    """A file whose last commit sits in its -wal and no -shm (a crash between commit and checkpoint)."""
    made = {a.id for a in make_file(path, seed_path, count=3)}
    scratch = Path(tempfile.mkdtemp(prefix="warrant-wal-"))
    try:
        work = scratch / "f.warrant"
        shutil.copy(path, work)
        conn = sqlite3.connect(work, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA wal_autocheckpoint=0")
        doc = conn.execute("SELECT fingerprint FROM documents").fetchone()[0]
        row = conn.execute("SELECT * FROM annotations LIMIT 1").fetchone()
        conn.execute(
            "INSERT INTO annotations VALUES (" + ", ".join("?" for _ in row) + ")",
            ("late-one", doc, *row[2:]),
        )
        shutil.copy(work, path)
        shutil.copy(f"{work}-wal", f"{path}-wal")
        conn.close()
    finally:
        shutil.rmtree(scratch)
    assert Path(f"{path}-wal").stat().st_size > 0 and not Path(f"{path}-shm").exists()
    return made | {"late-one"}


def test_14_export_outline_and_compare_create_no_shm_beside_a_file_with_a_wal(tmp_path: Path, seed_path: Path) -> None:
    path = tmp_path / "files" / "mine.warrant"
    path.parent.mkdir()
    expected = _with_leftover_wal(path, seed_path)
    before = sorted((p.name, p.read_bytes()) for p in path.parent.iterdir())
    out = tmp_path / "out.json"
    assert run("export", path, "--format", "w3c", "-o", out).returncode == 0
    assert run("outline", path).returncode == 0
    assert run("compare", path, path).returncode == 0
    assert sorted((p.name, p.read_bytes()) for p in path.parent.iterdir()) == before
    exported = json.loads(out.read_text())
    items = exported["first"]["items"] if "first" in exported else exported["items"]
    assert {item["id"].removeprefix("urn:uuid:") for item in items if item["motivation"] != "linking"} == expected


def _as_nobody(action: Callable[[], str]) -> str:
    if os.geteuid() != 0:
        return action()
    read_end, write_end = os.pipe()
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


def test_17_a_read_only_folder_with_a_leftover_wal_reads_as_sound(seed_path: Path) -> None:
    base = Path(tempfile.mkdtemp(prefix="warrant-rofs-"))
    try:
        base.chmod(0o755)
        folder = base / "files"
        folder.mkdir()
        path = folder / "mine.warrant"
        expected = _with_leftover_wal(path, seed_path)
        for p in folder.iterdir():
            p.chmod(0o444)
        folder.chmod(0o555)

        def attempt() -> str:
            try:
                with untrusted.open_readonly_snapshot(path) as snap:
                    read = str(len(snap.annotations()))
            except errors.WarrantError as exc:
                read = f"refused {exc}"
            try:
                store.Store.open(path).close()
                opened = "opened"
            except errors.WarrantError as exc:
                opened = f"{type(exc).__name__} {exc}"
            return read + "\n" + opened

        read, opened = _as_nobody(attempt).split("\n")
        assert read == str(len(expected)), read
        assert opened.startswith("StoreReadOnlyError") and "damaged" not in opened, opened
        assert sorted(p.name for p in folder.iterdir()) == ["mine.warrant", "mine.warrant-wal"]
    finally:
        for p in (base, base / "files"):
            if p.exists():
                p.chmod(0o755)
        shutil.rmtree(base)


# -- 15 and 16: one line, names escaped ----------------------------------------------------------------


def test_15_a_badly_damaged_file_is_one_short_line(tmp_path: Path, seed_path: Path) -> None:
    path = tmp_path / "mine.warrant"
    make_file(path, seed_path, count=400)
    conn = sqlite3.connect(path)
    # The leaf pages of the annotations' table and indexes (dbstat: SQLite's own page map), not the schema's.
    leaves = [
        n for (n,) in conn.execute("SELECT pageno FROM dbstat WHERE name LIKE '%annotations%' AND pagetype = 'leaf'")
    ]
    conn.close()
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for number in leaves:  # every cell pointer array of those pages: zeroed
        start = (number - 1) * page
        data[start + 8 : start + 12] = bytes(4)
    path.write_bytes(bytes(data))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA quick_check").fetchone()[0].count("\n") >= 50  # SQLite's verdict: many lines
    conn.close()
    line = refused(run("outline", path), "damaged", "more problems")
    assert len(line) < 600, line


@pytest.mark.parametrize("name", ["evil\x1b[31mred\x07.warrant", "gnirts\u202eexe.warrant", "c1\x9b2J.warrant"])
def test_16_names_with_control_and_bidi_characters_are_escaped(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"not a database at all, just text" * 10)
    line = refused(run("export", path, "--format", "csv", "-o", tmp_path / "x.csv"))
    assert "\\x1b" in line or "\\u202e" in line or "\\x9b" in line, line
    for opener in (store.Store.open, untrusted.open_readonly_snapshot, untrusted.open_untrusted):
        with pytest.raises(errors.StoreError) as caught:  # the message itself, before the command line's net
            opener(path)
        assert textutil.CONTROL.search(str(caught.value)) is None, str(caught.value)
    refused(run("outline", tmp_path / ("missing" + name)))
    refused(run("compare", path, path))
