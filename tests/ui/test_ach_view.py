"""The ACH view: its table model, ranking and diagnosticity kept current, rating by key, undo, click to a passage."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from desktop.core import anchoring, assessment, documents, model, store
from desktop.ui import ach_view

TEXT = (
    "The army moved north in spring.\n\n"
    "The army stayed in its barracks.\n\n"
    "Satellite images show tanks on the northern road.\n\n"
    "A farmer saw soldiers cooking in the barracks.\n\n"
    "Fuel deliveries rose in March.\n"
)


class Matrix:
    """A file with two hypotheses and three evidence passages, and an undo stack of plain edits."""

    def __init__(self, path: Path) -> None:
        self.store = store.Store.open(path, annotator="ana")
        self.doc = self.store.add_document(documents.from_text(TEXT, "report.txt"))
        anns = {}
        for key, phrase, tag in [
            ("h1", "The army moved north in spring.", "claim"),
            ("h2", "The army stayed in its barracks.", "claim"),
            ("e1", "Satellite images show tanks on the northern road.", "evidence"),
            ("e2", "A farmer saw soldiers cooking in the barracks.", "evidence"),
            ("e3", "Fuel deliveries rose in March.", "evidence"),
        ]:
            start = TEXT.index(phrase)
            made = anchoring.new_annotation(self.doc, start, start + len(phrase), tag, author="ana")
            assert made is not None
            anns[key] = made
        self.store.insert_annotations(list(anns.values()))
        self.ids = {k: a.id for k, a in anns.items()}
        assessment.set_hypothesis(self.store, self.ids["h1"])
        assessment.set_hypothesis(self.store, self.ids["h2"])
        self.done: list[assessment.Edit] = []
        self.view: ach_view.AchView | None = None

    def apply(self, edit: assessment.Edit) -> None:
        """What the window's undo stack does: run the edit, then tell every view what changed."""
        self.done.append(edit)
        changes = edit.do(self.store)
        assert self.view is not None
        self.view.refresh(changes)

    def undo(self) -> None:
        changes = self.done.pop().undo(self.store)
        assert self.view is not None
        self.view.refresh(changes)


@pytest.fixture
def mx(tmp_path: Path) -> Matrix:
    return Matrix(tmp_path / "ach.warrant")


def _view(qtbot: QtBot, mx: Matrix) -> ach_view.AchView:
    view = ach_view.AchView(mx.store, mx.apply)
    mx.view = view
    qtbot.addWidget(view)
    return view


def _cell(view: ach_view.AchView, evidence: str, hypothesis: str) -> QModelIndex:
    m = view.model
    row = next(r for r in range(m.rowCount()) if m.evidence_id(r) == evidence)
    column = next(c for c in range(m.columnCount()) if m.hypothesis_id(c) == hypothesis)
    return view.proxy.mapFromSource(m.index(row, column))


def _key(qtbot: QtBot, view: ach_view.AchView, index: QModelIndex, key: Qt.Key) -> None:
    view.table.setCurrentIndex(index)
    qtbot.keyClick(view.table, key)


def test_model_passes_the_model_tester(qtmodeltester, qtbot: QtBot, mx: Matrix) -> None:  # type: ignore[no-untyped-def]
    empty = ach_view.AchModel(store.Store.memory())
    qtmodeltester.check(empty)
    view = _view(qtbot, mx)
    qtmodeltester.check(view.model)  # stays connected: every refresh below is checked too
    qtmodeltester.check(view.model.ranking_model)
    ids = mx.ids
    mx.apply(assessment.rating_edit(mx.store, ids["e1"], ids["h1"], "II"))  # re-ranks: columns move
    mx.apply(assessment.rating_edit(mx.store, ids["e2"], ids["h2"], "C"))
    mx.apply(assessment.credibility_edit(mx.store, ids["e1"], 2))
    mx.apply(assessment.hypothesis_edit(mx.store, ids["h2"], False))  # a column goes: reset
    mx.undo()
    qtmodeltester.check(view.model)
    qtmodeltester.check(view.proxy)
    qtmodeltester.check(view.model.ranking_model)


def test_keys_rate_save_at_once_rerank_and_undo(qtbot: QtBot, mx: Matrix, tmp_path: Path) -> None:
    view = _view(qtbot, mx)
    ids = mx.ids
    m = view.model
    assert [h for h, _, _ in m.ranking()] == [ids["h1"], ids["h2"]]
    _key(qtbot, view, _cell(view, ids["e1"], ids["h1"]), Qt.Key.Key_I)
    assert m.rating(ids["e1"], ids["h1"]) == "I"
    # Saved at once: another connection sees it.
    other = sqlite3.connect(tmp_path / "ach.warrant")
    assert other.execute("SELECT rating FROM ach_ratings").fetchall() == [("I",)]
    other.close()
    # H1 is now the more inconsistent: it moves to the second column, ranked H2, the cursor with it.
    assert m.ranking() == [(ids["h2"], 0, 0.0), (ids["h1"], 1, 1.0)]
    assert m.column_of(ids["h1"]) == ach_view.FIRST_HYPOTHESIS + 1
    r = m.ranking_model
    assert [(r.index(i, 0).data(), r.index(i, 1).data(), r.index(i, 2).data()) for i in range(2)] == [
        ("H1", "0", "0.00"),
        ("H2", "1", "1.00"),
    ]
    assert r.index(1, 3).data() == "The army moved north in spring."
    assert m.headerData(ach_view.FIRST_HYPOTHESIS + 1, Qt.Orientation.Horizontal) == "H2"
    assert m.hypothesis_id(view.proxy.mapToSource(view.table.currentIndex()).column()) == ids["h1"]
    qtbot.keyClick(view.table, Qt.Key.Key_I)  # I again: II
    assert m.rating(ids["e1"], ids["h1"]) == "II" and m.ranking()[1][1] == 2
    _key(qtbot, view, _cell(view, ids["e1"], ids["h2"]), Qt.Key.Key_C)
    qtbot.keyClick(view.table, Qt.Key.Key_C)  # C again: CC
    assert m.rating(ids["e1"], ids["h2"]) == "CC"
    _key(qtbot, view, _cell(view, ids["e2"], ids["h2"]), Qt.Key.Key_N)
    assert m.rating(ids["e2"], ids["h2"]) == "N"
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert m.rating(ids["e2"], ids["h2"]) is None
    assert [type(e).__name__ for e in mx.done] == ["Rate"] * 6
    # Every rating undoes, one by one, back to the empty matrix and the first ranking.
    while mx.done:
        mx.undo()
    assert mx.store.ach_ratings() == []
    assert m.ranking() == [(ids["h1"], 0, 0.0), (ids["h2"], 0, 0.0)]
    assert m.column_of(ids["h1"]) == ach_view.FIRST_HYPOTHESIS
    # The model's own figures match a fresh build from the file after every step above.
    fresh = assessment.matrix(mx.store)
    assert [(h.id, fresh.inconsistency[h.id]) for h in fresh.hypotheses] == [(h, n) for h, n, _ in m.ranking()]


def test_non_diagnostic_rows_are_marked_and_sort_last(qtbot: QtBot, mx: Matrix) -> None:
    view = _view(qtbot, mx)
    ids = mx.ids
    for e, h, r in [("e1", "h1", "CC"), ("e1", "h2", "II"), ("e2", "h1", "C"), ("e2", "h2", "I"), ("e3", "h1", "C")]:
        mx.apply(assessment.rating_edit(mx.store, ids[e], ids[h], r))
    mx.apply(assessment.rating_edit(mx.store, ids["e3"], ids["h2"], "C"))  # e3 now rates both alike
    m = view.model
    diag = {m.evidence_id(r): m.index(r, ach_view.DIAGNOSTICITY_COLUMN) for r in range(m.rowCount())}
    assert diag[ids["e3"]].data() == "non-diagnostic"
    assert diag[ids["e3"]].data(ach_view.DIAGNOSTIC_ROLE) is False
    assert diag[ids["e3"]].data(Qt.ItemDataRole.FontRole).italic()
    assert diag[ids["e1"]].data() == "4.00" and diag[ids["e2"]].data() == "2.00"
    view.sort_by_diagnosticity()
    order = [view.proxy.index(r, 0).data(ach_view.ANNOTATION_ID_ROLE) for r in range(view.proxy.rowCount())]
    assert order == [ids["e1"], ids["e2"], ids["e3"]]
    # A rating that makes e3 diagnostic marks it at once; the rows stay put until sorted again.
    mx.apply(assessment.rating_edit(mx.store, ids["e3"], ids["h2"], "II"))
    assert diag[ids["e3"]].data() == "3.00"
    order = [view.proxy.index(r, 0).data(ach_view.ANNOTATION_ID_ROLE) for r in range(view.proxy.rowCount())]
    assert order == [ids["e1"], ids["e2"], ids["e3"]]
    view.sort_by_diagnosticity()
    order = [view.proxy.index(r, 0).data(ach_view.ANNOTATION_ID_ROLE) for r in range(view.proxy.rowCount())]
    assert order == [ids["e1"], ids["e3"], ids["e2"]]


def test_grades_show_beside_the_quote(qtbot: QtBot, mx: Matrix) -> None:
    view = _view(qtbot, mx)
    ids = mx.ids
    mx.apply(assessment.credibility_edit(mx.store, ids["e1"], 2))
    mx.apply(assessment.reliability_edit(mx.store, mx.doc.fingerprint, "B"))
    m = view.model
    row = next(r for r in range(m.rowCount()) if m.evidence_id(r) == ids["e1"])
    assert m.index(row, 0).data().startswith("B2  Satellite")
    other = next(r for r in range(m.rowCount()) if m.evidence_id(r) == ids["e2"])
    assert m.index(other, 0).data().startswith("B?  A farmer")


def test_clicking_a_row_emits_its_passage(qtbot: QtBot, mx: Matrix) -> None:
    view = _view(qtbot, mx)
    view.resize(900, 400)
    view.show()
    index = view.proxy.index(1, 0)
    rect = view.table.visualRect(index)
    with qtbot.waitSignal(view.passage_activated) as signal:
        qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == [view.model.evidence_id(1)]


def test_an_edit_that_cannot_be_made_is_a_message_not_an_edit(qtbot: QtBot, mx: Matrix) -> None:
    view = _view(qtbot, mx)
    index = _cell(view, mx.ids["e1"], mx.ids["h1"])
    mx.store.set_hypothesis(mx.ids["h1"], None)  # unflagged behind the view's back
    with qtbot.waitSignal(view.failed) as signal:
        _key(qtbot, view, index, Qt.Key.Key_C)
    assert "hypothesis" in signal.args[0] and mx.done == [] and mx.store.ach_ratings() == []


def test_refresh_ignores_what_is_not_its_own(qtbot: QtBot, mx: Matrix) -> None:
    view = _view(qtbot, mx)
    with qtbot.assertNotEmitted(view.model.modelReset), qtbot.assertNotEmitted(view.model.dataChanged):
        view.refresh(model.Changes(links_added=("x",)))
        view.refresh(model.Changes(assessments=("not-a-row",)))


def test_rating_keys_win_over_the_windows_single_key_shortcuts(qtbot: QtBot, mx: Matrix) -> None:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QApplication, QMainWindow

    window = QMainWindow()
    qtbot.addWidget(window)
    view = ach_view.AchView(mx.store, mx.apply)
    mx.view = view
    window.setCentralWidget(view)
    note, delete = QAction("Note", window), QAction("Delete", window)
    note.setShortcut("N")
    delete.setShortcut("Del")
    window.addAction(note)
    window.addAction(delete)
    fired: list[str] = []
    note.triggered.connect(lambda: fired.append("note"))
    delete.triggered.connect(lambda: fired.append("delete"))
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    view.table.setFocus()
    _key(qtbot, view, _cell(view, mx.ids["e1"], mx.ids["h1"]), Qt.Key.Key_N)
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert fired == [] and [e.new.rating if e.new else None for e in mx.done] == ["N", None]  # type: ignore[attr-defined]
    # On the evidence column the keys are the window's again.
    view.table.setCurrentIndex(view.proxy.index(0, ach_view.EVIDENCE_COLUMN))
    qtbot.keyClick(view.table, Qt.Key.Key_N)
    assert fired == ["note"]
