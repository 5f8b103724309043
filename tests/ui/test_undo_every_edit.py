"""Every edit the window can make is one undoable command: do, undo, redo and reopen, each checked in the file.

The file is read with plain sqlite3 (an independent reader, not the store), every column of every table
Warrant writes, so an undo that leaves anything behind, or a redo that puts back something different
(other ids, other times), fails.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog

from desktop.core import anchoring, documents, errors, exchange, model, store
from desktop.ui import main_window

CLAIM = "one key question is whether it is possible to speak of an “alliance” being formed by Iran and Russia"
VISAS = "Russia plans to lift visa requirements for Iranian citizens"
SCO = "back Iran’s full membership in the Shanghai Cooperation Organization"
EURASIAN = "increase cooperation between Iran and the Eurasian Economic Union"

Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot(path: Path) -> Snapshot:
    """Every row Warrant writes, read with plain sqlite3."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("documents", "tags", "relations", "annotations", "links")
        }
    finally:
        conn.close()


def select_phrase(w: main_window.MainWindow, phrase: str) -> None:
    start = w.reader.text.index(phrase)
    w.reader.select_cp(start, start + len(phrase))


def by_quote(w: main_window.MainWindow, phrase: str) -> str:
    assert w.session is not None
    return next(a.id for a in w.session.annotations.values() if a.quote == phrase)


@pytest.fixture
def window(qtbot, tmp_path, seed_path):  # type: ignore[no-untyped-def]
    """A window on a file holding three passages and one link, with an empty undo history."""
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    w.open_path(seed_path, annotation_file=str(tmp_path / "ana.warrant"), annotator="Ana")
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=2000)
    w.reader.setFocus()
    for phrase, tag in ((CLAIM, "claim"), (VISAS, "evidence"), (SCO, "evidence")):
        select_phrase(w, phrase)
        w.tag_selection(tag)
    w.pane.select_ids([by_quote(w, VISAS)])
    w.editor.ask_relation = lambda *_args: "supports"
    w.start_link()
    w.editor.finish_link(by_quote(w, CLAIM))
    assert w.session is not None and len(w.session.links) == 1
    w.undo_stack.clear()
    return w


def _colleague_file(tmp_path: Path, seed_path: Path) -> Path:
    """Bob's file: a passage with a tag my file lacks, and one I have not tagged, linked with a new relation."""
    path = tmp_path / "bob.warrant"
    with store.Store.open(path, annotator="Bob") as st:
        doc = st.add_document(documents.load(seed_path))
        st.add_tag("assumption", label="Assumption", colour="#123456")
        st.add_relation("questions")
        made = []
        for phrase, tag in ((EURASIAN, "assumption"), (CLAIM, "assumption")):
            start = doc.text.index(phrase)
            a = anchoring.new_annotation(doc, start, start + len(phrase), tag, author="Bob")
            assert a is not None
            made.append(a)
        link = model.Link(model.new_id(), made[0].id, made[1].id, "questions", "Bob", model.now_utc())
        st.insert_annotations(made, [link])
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    return path


def _import_file(tmp_path: Path, seed_path: Path) -> Path:
    """A W3C file of two passages, one with a tag my file lacks, linked by a relation my file lacks."""
    source = _colleague_file(tmp_path, seed_path)
    out = tmp_path / "theirs.jsonld"
    with store.Store.open(source) as st:
        exchange.export(st, "w3c", out)
    assert out.read_text(encoding="utf-8").count('"questions"') == 1  # the link is in the file
    return out


# -- the edits: each makes one command through the window's own path -------------------------------------------


def tag(w: main_window.MainWindow, tmp_path: Path, seed: Path, mp: pytest.MonkeyPatch) -> None:
    select_phrase(w, EURASIAN)
    QTest.keyClick(w.reader, Qt.Key.Key_3)


def retag_many(w: main_window.MainWindow, tmp_path: Path, seed: Path, mp: pytest.MonkeyPatch) -> None:
    w.pane.select_ids([by_quote(w, VISAS), by_quote(w, SCO)])
    w.tag_selection("recommendation")


def note(w: main_window.MainWindow, tmp_path: Path, seed: Path, mp: pytest.MonkeyPatch) -> None:
    asked: list[tuple[str, str]] = []

    def answer(_parent: object, quote: str, old: str, *, count: int = 1) -> str:
        asked.append((quote, old))
        return "a note of mine"

    w.editor.ask_note = answer
    w.pane.select_ids([by_quote(w, CLAIM)])
    w.edit_note()
    assert asked == [(CLAIM, "")], "the note dialog shows the passage"


def extent_keys(w: main_window.MainWindow, tmp_path: Path, seed: Path, mp: pytest.MonkeyPatch) -> None:
    w.pane.select_ids([by_quote(w, VISAS)])
    w.editor.go_to(by_quote(w, VISAS))
    w.reader.setFocus()
    QTest.keyClick(w.reader, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)  # the end: one word back


def extent_click(w: main_window.MainWindow, tmp_path: Path, seed: Path, mp: pytest.MonkeyPatch) -> None:
    w.pane.select_ids([by_quote(w, VISAS)])
    w.editor.go_to(by_quote(w, VISAS))
    start = w.reader.text.index(VISAS) + len(VISAS) + len(". Further")  # inside "Furthermore", after the end
    cursor = w.reader.textCursor()
    cursor.setPosition(w.reader.u16_range(start, start)[0])
    point = w.reader.cursorRect(cursor).center()
    QTest.mouseClick(w.reader.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, point)


def _codebook(edit: Callable[[Any], None]) -> Callable[..., None]:
    def run(w: main_window.MainWindow, tmp_path: Path, seed: Path, mp: pytest.MonkeyPatch) -> None:
        from desktop.ui import workbench

        workbench.open_codebook(w, answer=lambda dialog: edit(dialog.codebook) or 0)

    return run


def import_codebook(w: main_window.MainWindow, tmp_path: Path, seed: Path, mp: pytest.MonkeyPatch) -> None:
    from desktop.ui import workbench

    with store.Store.open(_colleague_file(tmp_path, seed)) as theirs:
        exchange.export(theirs, "qdc", tmp_path / "theirs.qdc")
    assert workbench.import_codebook(w, str(tmp_path / "theirs.qdc"))


def extent(w: main_window.MainWindow, tmp_path: Path, seed: Path, mp: pytest.MonkeyPatch) -> None:
    w.pane.select_ids([by_quote(w, VISAS)])
    start = w.reader.text.index(VISAS)
    w.reader.select_cp(start, start + len("Russia plans to lift visa requirements"))
    w.action_collection.annotation_extent.trigger()


def merge(w: main_window.MainWindow, tmp_path: Path, seed: Path, mp: pytest.MonkeyPatch) -> None:
    w.pane.select_ids([by_quote(w, VISAS), by_quote(w, SCO)])
    w.action_collection.annotation_merge.trigger()


def delete(w: main_window.MainWindow, tmp_path: Path, seed: Path, mp: pytest.MonkeyPatch) -> None:
    w.pane.select_ids([by_quote(w, CLAIM)])  # with its link
    w.delete_selected()


def link(w: main_window.MainWindow, tmp_path: Path, seed: Path, mp: pytest.MonkeyPatch) -> None:
    w.pane.select_ids([by_quote(w, SCO)])
    w.start_link()
    w.editor.finish_link(by_quote(w, CLAIM))


def unlink(w: main_window.MainWindow, tmp_path: Path, seed: Path, mp: pytest.MonkeyPatch) -> None:
    mp.setattr(QInputDialog, "getItem", lambda _p, _t, _l, items, *_a: (items[0], True))
    w.pane.select_ids([by_quote(w, CLAIM)])
    w.action_collection.link_remove.trigger()


def add_tag(w: main_window.MainWindow, tmp_path: Path, seed: Path, mp: pytest.MonkeyPatch) -> None:
    mp.setattr(QInputDialog, "getText", lambda *_a, **_k: ("Assumption", True))
    w.action_collection.file_add_tag.trigger()


def import_w3c(w: main_window.MainWindow, tmp_path: Path, seed: Path, mp: pytest.MonkeyPatch) -> None:
    w.import_dialog(str(_import_file(tmp_path, seed)))


def accept(w: main_window.MainWindow, tmp_path: Path, seed: Path, mp: pytest.MonkeyPatch) -> None:
    w.review_dialog([str(_colleague_file(tmp_path, seed))])
    assert w.reviewer is not None
    assert w.reviewer.accept_tag("assumption") == 2


EDITS: dict[str, tuple[Callable[..., None], Callable[[Snapshot, Snapshot], bool]]] = {
    "tag": (tag, lambda a, b: len(b["annotations"]) == len(a["annotations"]) + 1),
    "retag many": (retag_many, lambda a, b: sum(r[2] == "recommendation" for r in b["annotations"]) == 2),
    "note": (note, lambda a, b: any("a note of mine" in r for r in b["annotations"])),
    "extent": (extent, lambda a, b: any(r[5] == "Russia plans to lift visa requirements" for r in b["annotations"])),
    "merge": (merge, lambda a, b: len(b["annotations"]) == 2 and len(b["links"]) == 1),
    "delete": (delete, lambda a, b: len(b["annotations"]) == 2 and b["links"] == []),
    "link": (link, lambda a, b: len(b["links"]) == 2),
    "unlink": (unlink, lambda a, b: b["links"] == []),
    "add tag": (add_tag, lambda a, b: len(b["tags"]) == 4),
    "import": (
        import_w3c,
        lambda a, b: len(b["annotations"]) == 5 and len(b["tags"]) == 4 and len(b["relations"]) == 4,
    ),
    "accept": (accept, lambda a, b: len(b["annotations"]) == 5 and len(b["tags"]) == 4 and len(b["relations"]) == 4),
    "extent by Shift+Left": (
        extent_keys,
        lambda a, b: any(r[5] == "Russia plans to lift visa requirements for Iranian" for r in b["annotations"]),
    ),
    "extent by Shift+click": (
        extent_click,
        lambda a, b: any(r[5] == VISAS + ". Furthermore" for r in b["annotations"]),
    ),
    "codebook rename": (
        _codebook(lambda c: c.rename("claim", "Key judgement")),
        lambda a, b: any(r[1] == "Key judgement" for r in b["tags"]),
    ),
    "codebook recolour": (
        _codebook(lambda c: c.recolour("claim", "#102030")),
        lambda a, b: any(r[2] == "#102030" for r in b["tags"]),
    ),
    "codebook describe": (
        _codebook(lambda c: c.describe("claim", "What the author asserts")),
        lambda a, b: any(r[5] == "What the author asserts" for r in b["tags"]),
    ),
    "codebook key": (
        _codebook(lambda c: c.set_shortcut("recommendation", "1")),
        lambda a, b: {r[0]: r[3] for r in b["tags"]} == {"claim": "", "evidence": "2", "recommendation": "1"},
    ),
    "codebook reorder": (
        _codebook(lambda c: c.reorder(["evidence", "claim", "recommendation"])),
        lambda a, b: {r[0]: r[4] for r in b["tags"]}["evidence"] == 0,
    ),
    "codebook delete, reassigning": (
        _codebook(lambda c: c.delete("evidence", "claim")),
        lambda a, b: len(b["tags"]) == 2 and {r[2] for r in b["annotations"]} == {"claim"} and len(b["links"]) == 1,
    ),
    "codebook delete with passages": (
        _codebook(lambda c: c.delete("evidence", None)),
        lambda a, b: len(b["tags"]) == 2 and len(b["annotations"]) == 1 and b["links"] == [],
    ),
    "codebook merge": (
        _codebook(lambda c: c.merge("claim", "evidence")),
        lambda a, b: len(b["tags"]) == 2 and {r[2] for r in b["annotations"]} == {"evidence"},
    ),
    "import codebook": (import_codebook, lambda a, b: len(b["tags"]) == 4 and b["annotations"] == a["annotations"]),
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_every_edit_is_undone_redone_and_survives_a_reopen(kind, window, qtbot, tmp_path, seed_path, monkeypatch):  # type: ignore[no-untyped-def]
    path = tmp_path / "ana.warrant"
    edit, expected = EDITS[kind]
    before = snapshot(path)
    edit(window, tmp_path, seed_path, monkeypatch)
    after = snapshot(path)
    assert after != before and expected(before, after), after
    texts = [window.undo_stack.text(i) for i in range(window.undo_stack.count())]
    assert len(texts) == 1, f"the edit is not ONE command: {texts}"
    shown = sorted(a.id for a in window.pane.model.annotations())

    window.undo_stack.undo()
    assert snapshot(path) == before
    assert sorted(a.id for a in window.pane.model.annotations()) == sorted(r[0] for r in before["annotations"])
    window.undo_stack.redo()
    assert snapshot(path) == after, "the redo did not put back the same rows (ids, times, tags)"
    assert sorted(a.id for a in window.pane.model.annotations()) == shown
    assert window.session is not None
    assert sorted(window.session.annotations) == shown
    assert {k.id for k in window.session.links.values()} == {r[0] for r in after["links"]}
    assert {t.name for t in window.session.tags} == {r[0] for r in after["tags"]}
    window.close()

    again = main_window.MainWindow()
    qtbot.addWidget(again)
    again.open_path(path)
    assert snapshot(path) == after
    assert sorted(a.id for a in again.pane.model.annotations()) == shown
    assert set(again.action_collection.tag_actions) == {r[0] for r in after["tags"]}


# -- one transaction per edit, however many rows ----------------------------------------------------------------


def test_a_retag_of_many_rows_is_one_transaction(window) -> None:  # type: ignore[no-untyped-def]
    """Guards the bug "one commit per row on a multi-row retag": a kill between the rows left it half done."""
    assert window.session is not None
    for phrase in (EURASIAN, "Shanghai Cooperation Organization"):
        select_phrase(window, phrase)
        window.tag_selection("claim")
    ids = [a.id for a in window.session.annotations.values() if a.tag != "recommendation"]
    assert len(ids) == 5
    pushed = window.undo_stack.count()
    statements: list[str] = []
    conn = window.session.store.db.conn
    conn.set_trace_callback(statements.append)
    try:
        window.pane.select_ids(ids)
        window.tag_selection("recommendation")
    finally:
        conn.set_trace_callback(None)
    commits = [s for s in statements if s.strip().upper().startswith(("COMMIT", "RELEASE"))]
    begins = [s for s in statements if s.strip().upper().startswith(("BEGIN", "SAVEPOINT"))]
    assert len(commits) == 1 and len(begins) == 1, statements
    assert {a.tag for a in window.session.store.annotations()} == {"recommendation"}
    assert window.undo_stack.count() == pushed + 1


# -- a row click then a key ---------------------------------------------------------------------------------------


def test_a_row_click_then_a_key_retags_that_row(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Guards the bug "a row click then a key press tagged the passage twice": the click selects the row's
    passage in the reader, and the key must retag the row, not tag those characters a second time."""
    assert window.session is not None
    claim = by_quote(window, CLAIM)
    count = len(window.session.store.annotations())
    row = window.pane.model.row_of(claim)
    index = window.pane.proxy.mapFromSource(window.pane.model.index(row, 0))
    view = window.pane.view
    view.scrollTo(index)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
    assert window.pane.selected_ids() == [claim]
    start, end = window.reader.selection_cp()
    assert window.reader.text[start:end] == CLAIM, "the click did not show the row's passage"
    QTest.keyClick(view, Qt.Key.Key_2)
    stored = window.session.store.annotations()
    assert len(stored) == count, "the key tagged the clicked row's passage a second time"
    assert next(a for a in stored if a.id == claim).tag == "evidence"


# -- failures: the stack always matches the file ------------------------------------------------------------------


def _failing(monkeypatch: pytest.MonkeyPatch, st: store.Store) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise errors.StoreError("the disk is full")

    monkeypatch.setattr(st, "apply_edit", fail)


def test_an_edit_that_fails_never_enters_the_stack(window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    errors_shown: list[str] = []
    window.session.on_error = errors_shown.append
    before = snapshot(Path(window.session.store.path))
    _failing(monkeypatch, window.session.store)
    select_phrase(window, EURASIAN)
    window.tag_selection("claim")
    assert errors_shown == ["the disk is full"]
    assert window.undo_stack.count() == 0
    monkeypatch.undo()
    assert snapshot(Path(window.session.store.path)) == before
    assert window.pane.model.rowCount() == 3


def test_a_failed_undo_keeps_the_stack_matching_the_file(window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The edit stays done in the file, so it leaves the stack (it can no longer be undone); the user is told."""
    sess = window.session
    shown: list[str] = []
    sess.on_error = shown.append
    select_phrase(window, EURASIAN)
    window.tag_selection("claim")
    select_phrase(window, "Shanghai Cooperation Organization")
    window.tag_selection("claim")
    assert window.undo_stack.count() == 2
    done = snapshot(Path(sess.store.path))
    _failing(monkeypatch, sess.store)
    window.undo_stack.undo()
    monkeypatch.undo()
    assert len(shown) == 1 and "the disk is full" in shown[0]
    assert snapshot(Path(sess.store.path)) == done
    assert (window.undo_stack.count(), window.undo_stack.index()) == (1, 1), "the failed command is still there"
    assert window.pane.model.rowCount() == 5
    window.undo_stack.undo()  # the first tag can still be undone
    assert len(sess.store.annotations()) == 4 and window.pane.model.rowCount() == 4


def test_a_failed_redo_keeps_the_stack_matching_the_file(window, monkeypatch, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The edit stays undone; it and the redo history built on it leave the stack; the user is told."""
    sess = window.session
    shown: list[str] = []
    sess.on_error = shown.append
    select_phrase(window, EURASIAN)
    window.tag_selection("claim")
    window.pane.select_ids([by_quote(window, EURASIAN)])
    window.tag_selection("evidence")
    window.undo_stack.undo()
    window.undo_stack.undo()
    undone = snapshot(Path(sess.store.path))
    _failing(monkeypatch, sess.store)
    window.undo_stack.redo()
    monkeypatch.undo()
    assert len(shown) == 1 and "the disk is full" in shown[0]
    assert snapshot(Path(sess.store.path)) == undone
    qtbot.waitUntil(lambda: window.undo_stack.count() == 0)
    assert not window.undo_stack.canRedo() and window.pane.model.rowCount() == 3


def test_views_never_reread_every_row(window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The session updates its rows from the edit: no edit, undo or redo reads all annotations back."""
    st = window.session.store
    calls: list[object] = []
    original = st.annotations
    monkeypatch.setattr(st, "annotations", lambda *a, **k: calls.append(a) or original(*a, **k))
    select_phrase(window, EURASIAN)
    window.tag_selection("claim")
    window.pane.select_ids([by_quote(window, VISAS), by_quote(window, SCO)])
    window.tag_selection("claim")
    window.delete_selected()
    for _ in range(3):
        window.undo_stack.undo()
    for _ in range(3):
        window.undo_stack.redo()
    QApplication.processEvents()
    assert calls == []
