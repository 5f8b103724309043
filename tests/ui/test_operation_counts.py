"""CI guard for speed without timing: one tag, delete or undo does a bounded amount of work.

With 2,400 annotations in the window, one edit must run a handful of SQL statements (none reading
the annotations back), re-highlight only the blocks of its passage, insert or remove exactly one row
(never reset the model), and never set the text again or re-highlight the whole article. A change
that makes tagging reload the list or re-render the document fails here, on any machine.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.core import anchoring, documents, store
from desktop.ui import main_window

ANNOTATIONS = 2400
MAX_STATEMENTS = 8
"""SQL statements one edit may run: its transaction's BEGIN/COMMIT (or savepoints) and its writes."""


@dataclass
class Counts:
    """What one edit did."""

    statements: list[str] = field(default_factory=list)
    signals: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    blocks_highlighted: int = 0

    def annotation_reads(self) -> list[str]:
        """SELECTs over the annotations that are not of given ids (a delete reads back what it deletes)."""
        return [
            s
            for s in self.statements
            if s.lstrip().upper().startswith("SELECT") and "annotations" in s and "WHERE id " not in s
        ]


def _article(tmp_path: Path, seed_path: Path) -> Path:
    seed = seed_path.read_text(encoding="utf-8").strip()
    path = tmp_path / "long-article.txt"
    path.write_text("\n\n".join(f"Part {i + 1}\n\n{seed}" for i in range(12)) + "\n", encoding="utf-8")
    return path


def _fill(article: Path, annotations_file: Path) -> None:
    loaded = documents.load(article)
    st = store.Store.open(annotations_file, annotator="tester")
    try:
        doc = st.add_document(loaded)
        rng = random.Random(4)
        made = []
        while len(made) < ANNOTATIONS:
            start = rng.randrange(0, len(doc.text) - 300)
            a = anchoring.new_annotation(
                doc,
                start,
                start + rng.randint(20, 250),
                rng.choice(["claim", "evidence", "recommendation"]),
                author="tester",
            )
            if a is not None:
                made.append(a)
        st.insert_annotations(made)
    finally:
        st.close()


@pytest.fixture
def window(qtbot, tmp_path: Path, seed_path: Path) -> Iterator[main_window.MainWindow]:  # type: ignore[no-untyped-def]
    article = _article(tmp_path, seed_path)
    annotations_file = tmp_path / "busy.warrant"
    _fill(article, annotations_file)
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    w.open_path(article, annotation_file=str(annotations_file))
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=2000)
    w.reader.setFocus()
    assert w.pane.model.rowCount() == ANNOTATIONS
    yield w
    w.close()


def measure(w: main_window.MainWindow, edit: Callable[[], None]) -> Counts:
    """Run ``edit`` and count the SQL statements, model signals, text resets and highlighted blocks."""
    counts = Counts()
    sess = w.session
    assert sess is not None
    conn = sess.store.db.conn
    reader, hl = w.reader, w.reader.highlighter
    models = {"model": w.pane.model, "proxy": w.pane.proxy}
    connections = []
    for name, m in models.items():
        for signal in ("rowsInserted", "rowsRemoved", "modelReset", "layoutChanged"):

            def slot(*_args: object, key: str = f"{name}.{signal}") -> None:
                counts.signals.update([key])

            getattr(m, signal).connect(slot)
            connections.append((getattr(m, signal), slot))
    originals = {"setPlainText": reader.setPlainText, "rehighlight": hl.rehighlight, "reset": w.pane.model.reset}
    reader.setPlainText = lambda *a: (counts.calls.update(["setPlainText"]), originals["setPlainText"](*a))  # type: ignore[method-assign]
    hl.rehighlight = lambda: (counts.calls.update(["rehighlight"]), originals["rehighlight"]())  # type: ignore[method-assign]
    w.pane.model.reset = lambda *a: (counts.calls.update(["model.reset"]), originals["reset"](*a))  # type: ignore[method-assign]
    before = hl.blocks_highlighted
    conn.set_trace_callback(counts.statements.append)
    try:
        edit()
        QApplication.processEvents()
    finally:
        conn.set_trace_callback(None)
        reader.setPlainText = originals["setPlainText"]  # type: ignore[method-assign]
        hl.rehighlight = originals["rehighlight"]  # type: ignore[method-assign]
        w.pane.model.reset = originals["reset"]  # type: ignore[method-assign]
        for signal, slot in connections:
            signal.disconnect(slot)
    counts.blocks_highlighted = hl.blocks_highlighted - before
    return counts


def blocks_spanned(w: main_window.MainWindow, start: int, end: int) -> int:
    doc = w.reader.document()
    s, e = w.reader.u16_range(start, end)
    return doc.findBlock(max(s, e - 1)).blockNumber() - doc.findBlock(s).blockNumber() + 1


def passage(w: main_window.MainWindow) -> tuple[int, int]:
    """A passage in the middle of the article, across a paragraph break."""
    text = w.reader.text
    middle = text.index("\n\n", len(text) // 2)
    return middle - 80, middle + 60


def assert_bounded(c: Counts, *, spanned: int, inserted: int = 0, removed: int = 0) -> None:
    assert len(c.statements) <= MAX_STATEMENTS, c.statements
    assert c.annotation_reads() == [], "an edit read the annotations back from the file (a reload)"
    assert c.signals["model.rowsInserted"] == inserted
    assert c.signals["model.rowsRemoved"] == removed
    assert c.signals["model.modelReset"] == 0 and c.signals["proxy.modelReset"] == 0
    assert c.signals["model.layoutChanged"] == 0
    assert c.calls == Counter(), f"the whole document or list was redone: {dict(c.calls)}"
    assert 1 <= c.blocks_highlighted <= spanned + 1, (c.blocks_highlighted, spanned)


def test_one_tag_writes_one_row_and_repaints_one_passage(window) -> None:  # type: ignore[no-untyped-def]
    start, end = passage(window)
    window.reader.select_cp(start, end)
    QApplication.processEvents()
    c = measure(window, lambda: QTest.keyClick(window.reader, Qt.Key.Key_2))
    assert window.pane.model.rowCount() == ANNOTATIONS + 1
    assert any(s.lstrip().upper().startswith("INSERT INTO ANNOTATIONS") for s in c.statements), c.statements
    assert_bounded(c, spanned=blocks_spanned(window, start, end), inserted=1)


def test_delete_and_its_undo_touch_one_row(window) -> None:  # type: ignore[no-untyped-def]
    start, end = passage(window)
    window.reader.select_cp(start, end)
    QTest.keyClick(window.reader, Qt.Key.Key_1)
    new = max(window.session.annotations.values(), key=lambda a: a.created)  # type: ignore[union-attr]
    window.pane.select_ids([new.id])
    QApplication.processEvents()
    spanned = blocks_spanned(window, new.start, new.end)

    deleted = measure(window, window.delete_selected)
    assert window.pane.model.rowCount() == ANNOTATIONS
    assert any(s.lstrip().upper().startswith("DELETE FROM ANNOTATIONS") for s in deleted.statements)
    assert_bounded(deleted, spanned=spanned, removed=1)

    undone = measure(window, window.undo_stack.undo)
    assert window.pane.model.rowCount() == ANNOTATIONS + 1
    assert_bounded(undone, spanned=spanned, inserted=1)


def test_undo_of_a_tag_removes_one_row(window) -> None:  # type: ignore[no-untyped-def]
    start, end = passage(window)
    window.reader.select_cp(start, end)
    QTest.keyClick(window.reader, Qt.Key.Key_3)
    QApplication.processEvents()
    c = measure(window, window.undo_stack.undo)
    assert window.pane.model.rowCount() == ANNOTATIONS
    assert_bounded(c, spanned=blocks_spanned(window, start, end), removed=1)


def test_filtering_the_pane_keeps_the_selected_row(window) -> None:  # type: ignore[no-untyped-def]
    first = window.pane.model.annotation(0)
    window.pane.select_ids([first.id])
    others = [t for t in ("claim", "evidence", "recommendation") if t != first.tag]
    window.pane._filter_buttons[others[0]].setChecked(False)
    assert window.pane.selected_ids() == [first.id]
    shown = {
        window.pane.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 2) for r in range(window.pane.proxy.rowCount())
    }
    assert others[0] not in shown and first.tag in shown
    window.pane.search.setText(first.quote[:12])
    assert window.pane.selected_ids() == [first.id]
    assert all(
        first.quote[:12].casefold() in (a.quote + a.note).casefold()
        for a in (
            window.pane.model.annotation(window.pane.proxy.mapToSource(window.pane.proxy.index(r, 0)).row())
            for r in range(window.pane.proxy.rowCount())
        )
    )


def test_opening_highlights_only_the_blocks_in_view(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    reader = window.reader
    QApplication.processEvents()
    blocks = reader.document().blockCount()
    assert 0 < reader.highlighter.blocks_highlighted < blocks / 2, (reader.highlighter.blocks_highlighted, blocks)
    far = max(window.session.annotations.values(), key=lambda a: a.start)  # type: ignore[union-attr]
    block = reader.document().findBlock(reader.u16.to_utf16(far.start))
    assert not block.layout().formats()  # not shown yet, so not highlighted yet
    reader.select_cp(far.start, far.end)
    qtbot.waitUntil(lambda: bool(block.layout().formats()), timeout=2000)


def test_a_tag_asks_the_model_for_the_painted_rows_only(window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from desktop.ui import models

    calls = Counter()
    for name in ("flags", "rowCount", "data"):
        original = getattr(models.AnnotationModel, name)

        def counting(self, *args, _name=name, _original=original):  # type: ignore[no-untyped-def]
            calls[_name] += 1
            return _original(self, *args)

        monkeypatch.setattr(models.AnnotationModel, name, counting)
    start, end = passage(window)
    window.reader.select_cp(start, end)
    QApplication.processEvents()
    calls.clear()
    QTest.keyClick(window.reader, Qt.Key.Key_1)
    QApplication.processEvents()
    # A view that lays out every row (a QTreeView) asks for each of the 2,400 rows' flags.
    assert calls["flags"] < ANNOTATIONS / 4, calls


def test_utf16_map_matches_a_character_by_character_count() -> None:
    text = "plain ’quotes’ \U0001f600 and \U0001d11e music, then more " * 50 + "\U0001f680"
    u16 = anchoring.Utf16Map(text)
    expected = 0
    for cp, ch in enumerate(text):
        assert u16.to_utf16(cp) == expected
        assert u16.to_code_points(expected) == cp
        expected += 2 if ord(ch) > 0xFFFF else 1
    assert u16.to_utf16(len(text)) == expected == u16.length_u16
