"""Two writers on one annotation file: two processes with their own Store, and two windows in one process.

SQLite in WAL mode lets one writer at a time; the store waits up to its busy timeout and then raises
StoreBusyError. Whatever the interleaving, the file stays sound and holds every edit its writer
was told had succeeded, and none it was told had failed.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.core import anchoring, documents, errors, store
from desktop.ui import main_window

# The harness lives beside the end-to-end tests, which import it as ``harness``; the same module here.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "e2e"))
import harness

WRITES = 40
WRITER = """
import sys, time
from pathlib import Path
from desktop.core import anchoring, documents, errors, store

path, who, count, go, article, when = sys.argv[1:7]

def wait_for_go():
    print("READY", flush=True)
    while not Path(go).exists():
        time.sleep(0.001)

if when == "open-after-go":
    wait_for_go()
try:
    st = store.Store.open(path, annotator=who)
    doc = st.add_document(documents.load(article))
except errors.WarrantError as exc:
    print("OPEN-FAILED", type(exc).__name__, exc, flush=True)
    raise SystemExit(0)
if when == "open-first":
    wait_for_go()
offset = 0 if who == "one" else 2500
for i in range(int(count)):
    a = anchoring.new_annotation(doc, offset + 20 * i, offset + 20 * i + 15, "claim", author=who)
    try:
        st.insert_annotation(a)
        print("OK", a.id, flush=True)
    except errors.StoreBusyError as exc:
        print("BUSY", a.id, exc, flush=True)
st.close()
"""


def run_two_writers(path: Path, tmp_path: Path, when: str) -> dict[str, list[list[str]]]:
    """Start two processes that each insert WRITES tags as fast as they can, released at the same moment.

    ``when`` is ``open-first`` (each opens the file, one after the other, then both write at once)
    or ``open-after-go`` (both open the file at the same moment too).
    """
    go = tmp_path / "go"
    env = harness.env(tmp_path / "home")
    procs = {}
    for who in ("one", "two"):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), who, str(WRITES), str(go), str(harness.SEED), when],
            cwd=harness.REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline() == "READY\n", proc.communicate()[1]
        procs[who] = proc
    go.touch()
    out = {}
    for who, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 0, stderr
        assert "Traceback" not in stderr, stderr
        out[who] = [line.split(" ", 2) for line in stdout.splitlines()]
    return out


def check_writes(path: Path, results: dict[str, list[list[str]]]) -> dict[str, int]:
    fs = harness.read_file(path)
    assert fs.integrity == "ok"
    assert fs.foreign_key_problems == []
    assert fs.bad_quotes == []
    assert fs.documents == 1
    counts = {"ok": 0, "busy": 0}
    for who, lines in results.items():
        for kind, annotation_id, *rest in lines:
            if kind == "OK":
                assert annotation_id in fs.state["a"], f"{who}'s {annotation_id} was reported saved but is missing"
                counts["ok"] += 1
            elif kind == "BUSY":
                assert annotation_id not in fs.state["a"], f"{who}'s {annotation_id} was reported unsaved but is there"
                assert str(path) in rest[0]
                counts["busy"] += 1
    assert len(fs.state["a"]) == counts["ok"]
    return counts


def test_two_processes_write_tags_at_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.warrant"
    with store.Store.open(path, annotator="setup") as st:
        st.add_document(documents.load(harness.SEED))
    results = run_two_writers(path, tmp_path, "open-first")
    counts = check_writes(path, results)
    # With a 5 s busy timeout and millisecond transactions, neither writer should have to give up.
    assert counts == {"ok": 2 * WRITES, "busy": 0}
    assert {r[0] for lines in results.values() for r in lines} == {"OK"}


def test_two_processes_create_the_same_new_file(tmp_path: Path) -> None:
    """Two windows opening the same new article at once both create its annotation file."""
    path = tmp_path / "new.warrant"
    results = run_two_writers(path, tmp_path, "open-after-go")
    failed = [" ".join(r[1:]) for lines in results.values() for r in lines if r[0] == "OPEN-FAILED"]
    assert failed == [], f"opening one new file from two processes at once failed: {failed}"
    counts = check_writes(path, results)
    assert counts["ok"] + counts["busy"] == 2 * WRITES


def test_a_writer_held_off_gets_store_busy_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another program holds the write lock past the busy timeout: a clear StoreBusyError, nothing written."""
    path = tmp_path / "locked.warrant"
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 200)
    st = store.Store.open(path, annotator="me")
    try:
        doc = st.add_document(documents.load(harness.SEED))
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sqlite3, sys\n"
                "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                "conn.execute('BEGIN IMMEDIATE')\n"
                "conn.execute(\"INSERT INTO meta (key, value) VALUES ('held', 'yes')\")\n"
                "print('LOCKED', flush=True)\n"
                "sys.stdin.readline()\n"
                "conn.execute('ROLLBACK')\n",
                str(path),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline() == "LOCKED\n"
        first = anchoring.new_annotation(doc, 10, 30, "claim", author="me")
        assert first is not None
        with pytest.raises(errors.StoreBusyError) as caught:
            st.insert_annotation(first)
        assert str(path) in str(caught.value)
        assert "another" in str(caught.value)
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.communicate(timeout=30)
        assert st.annotations(doc.fingerprint) == []
        st.insert_annotation(first)  # the lock is gone: the same edit now succeeds
        assert [a.id for a in st.annotations(doc.fingerprint)] == [first.id]
    finally:
        st.close()
    fs = harness.read_file(path)
    assert fs.integrity == "ok"
    assert list(fs.state["a"]) == [first.id]


def test_a_write_right_after_another_process_wrote_waits_instead_of_failing(tmp_path: Path) -> None:
    """Another process commits between the read and the write of a delete: the delete should still succeed.

    ``delete_annotations`` reads what it deletes and then deletes it in one deferred transaction
    (``BEGIN``). When another writer commits in between, SQLite cannot upgrade the stale read
    snapshot and returns SQLITE_BUSY at once, without the busy timeout, although nobody holds the
    lock any more. ``BEGIN IMMEDIATE`` takes the write lock first and waits for it.
    """
    path = tmp_path / "snapshot.warrant"
    st = store.Store.open(path, annotator="me")
    other = sqlite3.connect(path, isolation_level=None)
    try:
        doc = st.add_document(documents.load(harness.SEED))
        annotation = anchoring.new_annotation(doc, 10, 30, "claim", author="me")
        assert annotation is not None
        st.insert_annotation(annotation)
        interleaved: list[str] = []

        def other_process_writes(sql: str) -> None:
            # Fires as the delete moves from its SELECTs to its first DELETE.
            if sql.startswith("DELETE") and not interleaved:
                interleaved.append(sql)
                other.execute("INSERT INTO meta (key, value) VALUES ('other', 'a colleague wrote')")

        st.db.conn.set_trace_callback(other_process_writes)
        try:
            st.delete_annotations([annotation.id])  # a StoreBusyError here is the bug (BEGIN, not IMMEDIATE)
        finally:
            st.db.conn.set_trace_callback(None)
        assert interleaved, "the other write did not happen between the read and the write"
        assert st.annotations(doc.fingerprint) == []
    finally:
        other.close()
        st.close()


def _window(qtbot: Any, path: Path, seed: Path, who: str) -> main_window.MainWindow:
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    w.open_path(seed, annotation_file=str(path), annotator=who)
    w.show()
    qtbot.waitExposed(w)
    return w


def _tag_by_key(qtbot: Any, w: main_window.MainWindow, phrase: str, key: Qt.Key) -> str:
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=3000)
    start = w.reader.text.index(phrase)
    w.reader.setFocus()
    w.reader.select_cp(start, start + len(phrase))
    before = set(w.session.annotations) if w.session else set()
    QTest.keyClick(w.reader, key)
    assert w.session is not None
    new = set(w.session.annotations) - before
    assert len(new) == 1, "the key did not tag the selection"
    return new.pop()


def test_two_windows_on_one_file(qtbot: Any, tmp_path: Path, seed_path: Path) -> None:
    """One file, one window (issue 16): a second window is refused and says where the file is open; a write by
    another program (a second connection) is seen by the window, which reads the file again."""
    path = tmp_path / "two-windows.warrant"
    first = _window(qtbot, path, seed_path, "Ana")
    mine = _tag_by_key(qtbot, first, "Russia plans to lift visa requirements", Qt.Key.Key_1)
    second = main_window.MainWindow()
    qtbot.addWidget(second)
    said: list[str] = []
    second.error = said.append  # type: ignore[method-assign]
    second.open_path(seed_path, annotation_file=str(path), annotator="Ana")
    assert second.session is None
    assert said and "already open in another Warrant window" in said[0]
    other = store.Store.open(path, annotator="Bea")  # another program writes to the file
    try:
        doc = other.documents()[0]
        s = doc.text.index("Shanghai Cooperation Organization")
        made = anchoring.new_annotation(doc, s, s + 33, "evidence", author="Bea")
        assert made is not None
        other.insert_annotations([made])
        theirs = made.id
    finally:
        other.close()
    assert first.casefiles.watch is not None and first.casefiles.watch.check()
    assert theirs in first.session.annotations and first.pane.model.rowCount() == 2
    again = _tag_by_key(qtbot, first, "Eurasian Economic Union", Qt.Key.Key_3)
    fs = harness.read_file(path)
    assert fs.integrity == "ok"
    assert {k: v[0] for k, v in fs.state["a"].items()} == {mine: "claim", theirs: "evidence", again: "recommendation"}
    first.close()
    second.close()

    reopened = _window(qtbot, path, seed_path, "Ana")
    assert reopened.session is not None
    assert set(reopened.session.annotations) == {mine, theirs, again}
    assert reopened.pane.model.rowCount() == 3
    reopened.close()
    assert harness.read_file(path).integrity == "ok"
