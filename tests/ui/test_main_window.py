"""The real main window, offscreen: tag with a key, see it in the pane and in the file, undo, reopen."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.core import errors
from desktop.ui import main_window


def rows_in_file(path: Path) -> list[tuple[str, str, int, int, str, str]]:
    """Read the annotation file with plain sqlite3, as an independent check of what is on disk."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute('SELECT id, tag, start, "end", quote, note FROM annotations ORDER BY start').fetchall()
    finally:
        conn.close()


@pytest.fixture
def window(qtbot, tmp_path, seed_path):
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    w.open_path(seed_path, annotation_file=str(tmp_path / "mine.warrant"), annotator="Ana")
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=2000)
    w.reader.setFocus()
    return w


def select_phrase(w: main_window.MainWindow, phrase: str) -> tuple[int, int]:
    start = w.reader.text.index(phrase)
    w.reader.select_cp(start, start + len(phrase))
    return start, start + len(phrase)


def test_key_1_tags_the_selection_and_commits_it(window, qtbot, tmp_path):
    start, end = select_phrase(window, "Russia plans to lift visa requirements for Iranian citizens")
    QTest.keyClick(window.reader, Qt.Key.Key_1)
    assert window.pane.model.rowCount() == 1
    row = window.pane.model.annotation(0)
    assert (row.tag, row.start, row.end, row.author) == ("claim", start, end, "Ana")
    on_disk = rows_in_file(tmp_path / "mine.warrant")
    assert [(r[1], r[2], r[3], r[4]) for r in on_disk] == [("claim", start, end, window.reader.text[start:end])]
    # the passage is painted: its block carries the highlighter's tint
    block = window.reader.document().findBlock(window.reader.u16.to_utf16(start))
    formats = block.layout().formats()
    assert any(f.format.background().color().alpha() > 0 for f in formats)


def test_keys_2_and_3_and_whitespace_trim(window, tmp_path):
    phrase = "Shanghai Cooperation Organization"
    start = window.reader.text.index(phrase)
    window.reader.select_cp(start - 1, start + len(phrase) + 1)  # " Shanghai Cooperation Organization "
    QTest.keyClick(window.reader, Qt.Key.Key_2)
    select_phrase(window, "Eurasian Economic Union")
    QTest.keyClick(window.reader, Qt.Key.Key_3)
    tags = {(r[1], r[4]) for r in rows_in_file(tmp_path / "mine.warrant")}
    assert tags == {("evidence", phrase), ("recommendation", "Eurasian Economic Union")}


def test_undo_and_redo_are_persisted(window, tmp_path):
    select_phrase(window, "Russia plans to lift visa requirements")
    QTest.keyClick(window.reader, Qt.Key.Key_1)
    assert len(rows_in_file(tmp_path / "mine.warrant")) == 1
    QTest.keyClick(window.reader, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.pane.model.rowCount() == 0
    assert rows_in_file(tmp_path / "mine.warrant") == []
    assert window.reader.highlighter.marks == {}
    QTest.keyClick(window.reader, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.pane.model.rowCount() == 1
    assert len(rows_in_file(tmp_path / "mine.warrant")) == 1


def test_reopening_the_file_shows_the_tags_again(qtbot, window, tmp_path):
    select_phrase(window, "Russia plans to lift visa requirements")
    QTest.keyClick(window.reader, Qt.Key.Key_1)
    select_phrase(window, "Eurasian Economic Union")
    QTest.keyClick(window.reader, Qt.Key.Key_2)
    window.close()
    again = main_window.MainWindow()
    qtbot.addWidget(again)
    again.open_path(tmp_path / "mine.warrant")
    assert [a.tag for a in again.pane.model.annotations()] == ["claim", "evidence"]
    assert len(again.reader.highlighter.marks) == 2
    again.close()


def test_retag_note_and_delete_through_the_pane(window, tmp_path, monkeypatch):
    select_phrase(window, "Russia plans to lift visa requirements")
    QTest.keyClick(window.reader, Qt.Key.Key_1)
    window.pane.select_ids([window.pane.model.annotation(0).id])
    window.reader.setFocus()
    QTest.keyClick(window.reader, Qt.Key.Key_2)  # no text selected: retag the selected row
    assert rows_in_file(tmp_path / "mine.warrant")[0][1] == "evidence"
    window.editor.ask_note = lambda *a, **k: "<b>check</b> the date"
    window.edit_note()
    assert rows_in_file(tmp_path / "mine.warrant")[0][5] == "<b>check</b> the date"
    window.pane.view.setFocus()
    QTest.keyClick(window.pane.view, Qt.Key.Key_Delete)
    assert rows_in_file(tmp_path / "mine.warrant") == []
    window.undo_stack.undo()
    assert rows_in_file(tmp_path / "mine.warrant")[0][1] == "evidence"
    window.undo_stack.undo()  # the note
    window.undo_stack.undo()  # the retag
    assert rows_in_file(tmp_path / "mine.warrant")[0][1] == "claim"
    assert rows_in_file(tmp_path / "mine.warrant")[0][5] == ""


def test_clicking_a_highlight_selects_its_row(window, qtbot):
    start, end = select_phrase(window, "Russia plans to lift visa requirements")
    QTest.keyClick(window.reader, Qt.Key.Key_1)
    window.reader.select_cp(start + 3, start + 3)
    rect = window.reader.cursorRect()
    QTest.mouseClick(window.reader.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.pane.selected_ids() == [window.pane.model.annotation(0).id]


def test_clicking_a_row_selects_the_passage(window):
    start, end = select_phrase(window, "Eurasian Economic Union")
    QTest.keyClick(window.reader, Qt.Key.Key_3)
    window.reader.select_cp(0, 0)
    window.go_to(window.pane.model.annotation(0).id)
    assert window.reader.selection_cp() == (start, end)


def test_delete_brings_links_back_on_undo(window):
    select_phrase(window, "Russia plans to lift visa requirements")
    QTest.keyClick(window.reader, Qt.Key.Key_2)
    select_phrase(window, "one key question is whether it is possible to speak of an")
    QTest.keyClick(window.reader, Qt.Key.Key_1)
    by_tag = {a.tag: a.id for a in window.pane.model.annotations()}
    window.pane.select_ids([by_tag["evidence"]])
    window.editor.ask_relation = lambda *_args: "supports"
    window.start_link()
    window._row_activated(by_tag["claim"])
    store = window.session.store
    assert [(k.source, k.target, k.relation) for k in store.links()] == [
        (by_tag["evidence"], by_tag["claim"], "supports")
    ]
    window.pane.select_ids([by_tag["claim"]])
    window.delete_selected()
    assert store.links() == [] and store.annotation_count() == 1
    window.undo_stack.undo()
    assert store.annotation_count() == 2
    assert [(k.source, k.target) for k in store.links()] == [(by_tag["evidence"], by_tag["claim"])]


def test_offsets_are_code_points_after_emoji_and_persian(qtbot, tmp_path):
    article = tmp_path / "mixed.txt"
    text = "Intro 😀😀 family 👨‍👩‍👧 then\r\nفارسی\u200cها کلیهٔ حقوق — Россия 🇮🇷 claim here.\n"
    article.write_text(text, encoding="utf-8")
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    w.open_path(article, annotation_file=str(tmp_path / "m.warrant"))
    canonical = text.replace("\r\n", "\n")
    assert w.reader.text == canonical
    for phrase, tag in (
        ("family 👨‍👩‍👧 then", "claim"),
        ("کلیهٔ حقوق", "evidence"),
        ("Россия 🇮🇷 claim", "recommendation"),
    ):
        start = canonical.index(phrase)
        w.reader.select_cp(start, start + len(phrase))
        assert w.reader.textCursor().selectedText() == phrase  # Qt selected exactly these characters
        w.tag_selection(tag)
    for r in rows_in_file(tmp_path / "m.warrant"):
        assert canonical[r[2] : r[3]] == r[4]
    assert sorted(r[4] for r in rows_in_file(tmp_path / "m.warrant")) == sorted(
        ["family 👨‍👩‍👧 then", "کلیهٔ حقوق", "Россия 🇮🇷 claim"]
    )
    w.close()


def test_bad_files_give_a_dialog_and_leave_the_window_usable(window, tmp_path, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    bad = tmp_path / "bad.warrant"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x07" * 200)
    before = bad.read_bytes()
    assert not window.open_guarded(str(bad))
    assert shown and str(bad) in shown[0]
    assert bad.read_bytes() == before
    assert not window.open_guarded(str(tmp_path / "missing.txt"))
    assert "does not exist" in shown[-1]
    # still usable: tagging works on the article that was open
    select_phrase(window, "Eurasian Economic Union")
    QTest.keyClick(window.reader, Qt.Key.Key_1)
    assert window.pane.model.rowCount() == 1


def test_newer_format_is_refused_untouched(qtbot, tmp_path, seed_path):
    path = tmp_path / "newer.warrant"
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    w.open_path(seed_path, annotation_file=str(path))
    w.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=99")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    w2 = main_window.MainWindow()
    qtbot.addWidget(w2)
    with pytest.raises(errors.NewerFormatError):
        w2.open_path(path)
    assert path.read_bytes() == before


def test_find_bar_finds_text(window):
    window.find_bar.open()
    window.find_bar.edit.setText("Shanghai")
    assert window.find_bar.find_next()
    assert window.reader.textCursor().selectedText() == "Shanghai"


def test_models_pass_qtmodeltester(window, qtmodeltester):
    # The testers are attached BEFORE any row is inserted, so they watch every insert, change and removal
    # (Qt's tester reports a broken signal sequence with a warning, which fails the test).
    from PySide6.QtTest import QAbstractItemModelTester

    qtmodeltester.check(window.pane.model)
    proxy_tester = QAbstractItemModelTester(  # noqa: F841 - lives as long as the test
        window.pane.proxy, QAbstractItemModelTester.FailureReportingMode.Warning
    )
    select_phrase(window, "Russia plans to lift visa requirements")
    QTest.keyClick(window.reader, Qt.Key.Key_1)
    select_phrase(window, "Eurasian Economic Union")
    QTest.keyClick(window.reader, Qt.Key.Key_2)
    window.pane.select_ids([a.id for a in window.pane.model.annotations()])
    window.tag_selection("recommendation")
    window.undo_stack.undo()
    window.delete_selected()
    window.undo_stack.undo()
    assert window.pane.model.rowCount() == 2
    window.pane.proxy.set_search("eurasian")
    assert window.pane.proxy.rowCount() == 1
    window.pane.proxy.set_search("")
    window.pane.proxy.set_tags(["claim"])
    assert window.pane.proxy.rowCount() == 1


def test_qt_void_calls_do_not_crash(qtbot):
    """PySide6 6.12.0 on Python 3.11 aborted after ~5,000 calls of Qt methods returning None."""
    from PySide6.QtGui import QTextCursor, QTextDocument

    doc = QTextDocument("x" * 100)
    cursor = QTextCursor(doc)
    for i in range(20_000):
        cursor.setPosition(i % 100)
    assert cursor.position() == 19_999 % 100


def test_start_up_paints_first_then_opens_the_annotation_file(qtbot, tmp_path, seed_path):
    from desktop.core import documents

    w = main_window.MainWindow()
    qtbot.addWidget(w)
    loaded = documents.load(seed_path)
    target = tmp_path / "later.warrant"
    w.preview(loaded, then=lambda: w.attach(loaded, target, "Ana"))
    assert w.session is None and not w.action_collection.tag_actions  # nothing to tag with before the file is open
    assert w.reader.text == loaded.text
    w.show()
    qtbot.waitUntil(lambda: w.session is not None, timeout=5000)
    assert target.exists() and w.session.store.annotator == "Ana"
    select_phrase(w, "Eurasian Economic Union")
    w.tag_selection("claim")
    assert len(rows_in_file(target)) == 1


def test_clicking_a_row_then_a_key_retags_instead_of_duplicating(window, tmp_path):
    select_phrase(window, "Russia plans to lift visa requirements")
    QTest.keyClick(window.reader, Qt.Key.Key_1)
    first = window.pane.model.annotation(0).id
    window.pane.select_ids([first])
    window.go_to(first)  # what a click on the row does: the passage is shown selected
    QTest.keyClick(window.reader, Qt.Key.Key_2)
    assert [(r[0], r[1]) for r in rows_in_file(tmp_path / "mine.warrant")] == [(first, "evidence")]
    # a passage the user selects by hand is tagged anew, even with a row selected
    select_phrase(window, "Russia plans to lift visa")
    QTest.keyClick(window.reader, Qt.Key.Key_3)
    assert len(rows_in_file(tmp_path / "mine.warrant")) == 2


def test_retagging_several_rows_is_one_transaction(window, tmp_path):
    select_phrase(window, "Russia plans to lift visa requirements")
    QTest.keyClick(window.reader, Qt.Key.Key_1)
    select_phrase(window, "Eurasian Economic Union")
    QTest.keyClick(window.reader, Qt.Key.Key_1)
    statements: list[str] = []
    window.session.store.db.conn.set_trace_callback(statements.append)
    window.pane.select_ids([a.id for a in window.pane.model.annotations()])
    window.reader.select_cp(0, 0)
    QTest.keyClick(window.reader, Qt.Key.Key_3)
    window.session.store.db.conn.set_trace_callback(None)
    assert [r[1] for r in rows_in_file(tmp_path / "mine.warrant")] == ["recommendation", "recommendation"]
    assert sum(1 for s in statements if s.startswith("BEGIN")) == 1
    window.undo_stack.undo()
    assert [r[1] for r in rows_in_file(tmp_path / "mine.warrant")] == ["claim", "claim"]
