"""Issue 17 in the window: the ACH tab, the grade keys, the hypothesis flag and the rationale, each undoable."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.core import assessment, store
from desktop.ui import assessing, main_window

PHRASES = (
    ("one key question is whether it is possible to speak of an “alliance” being formed by Iran and Russia", "claim"),
    ("Russia plans to lift visa requirements for Iranian citizens", "evidence"),
    ("now is the best time to do so", "recommendation"),
)


def _window(qtbot: QtBot, tmp_path: Path, seed_path: Path) -> main_window.MainWindow:
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    w.open_path(seed_path, annotation_file=str(tmp_path / "mine.warrant"), annotator="Ana")
    for phrase, tag in PHRASES:
        start = w.reader.text.index(phrase)
        w.reader.select_cp(start, start + len(phrase))
        w.tag_selection(tag)
    return w


def _id(w: main_window.MainWindow, tag: str) -> str:
    return next(a.id for a in w.pane.model.annotations() if a.tag == tag)


def _reopened(w: main_window.MainWindow) -> assessment.Assessments:
    assert w.session is not None
    st = store.Store.open(w.session.store.path)
    try:
        return assessment.load(st)
    finally:
        st.close()


def _press(qtbot: QtBot, w: main_window.MainWindow, key: str) -> None:
    """Trigger the action bound to ``key`` (offscreen windows get no real key presses)."""
    for action in w.assessing.actions.values():
        if any(k.toString() == key for k in action.shortcuts()):
            action.trigger()
            return
    raise AssertionError(f"no action on {key}")


def test_grade_keys_undo_redo_and_reopen(qtbot: QtBot, tmp_path: Path, seed_path: Path) -> None:
    w = _window(qtbot, tmp_path, seed_path)
    assert w.session is not None
    fp = w.session.document.fingerprint
    evidence = _id(w, "evidence")
    _press(qtbot, w, "Shift+B")
    assert _reopened(w).reliability[fp].reliability == "B"  # saved at once
    w.pane.select_ids([evidence])
    _press(qtbot, w, "Alt+2")
    saved = _reopened(w)
    assert saved.credibility[evidence].credibility == 2
    assert saved.grade_label(saved.passages[evidence]) == "B2"
    assert assessing.grade_label_for(w.session)(w.session.annotations[evidence]) == "B2"
    assert w.assessing.last_grade == "B2"
    assert w.undo_stack.count() == 3 + 2  # three tags, then one command per grade
    w.undo_stack.undo()
    assert evidence not in _reopened(w).credibility
    w.undo_stack.redo()
    assert _reopened(w).credibility[evidence].credibility == 2
    _press(qtbot, w, "Alt+0")
    assert evidence not in _reopened(w).credibility
    w.undo_stack.undo()
    w.undo_stack.undo()
    w.undo_stack.undo()
    assert _reopened(w).reliability == {}


def test_grading_several_passages_is_one_command(qtbot: QtBot, tmp_path: Path, seed_path: Path) -> None:
    w = _window(qtbot, tmp_path, seed_path)
    ids = [a.id for a in w.pane.model.annotations()]
    w.pane.select_ids(ids)
    before = w.undo_stack.count()
    _press(qtbot, w, "Alt+4")
    assert w.undo_stack.count() == before + 1
    assert {i: g.credibility for i, g in _reopened_grades(w).items()} == dict.fromkeys(ids, 4)
    w.undo_stack.undo()
    assert _reopened_grades(w) == {}


def _reopened_grades(w: main_window.MainWindow) -> dict[str, object]:
    assert w.session is not None
    st = store.Store.open(w.session.store.path)
    try:
        return {g.annotation: g for g in st.passage_grades()}
    finally:
        st.close()


def test_hypothesis_toggle_and_refusal(qtbot: QtBot, tmp_path: Path, seed_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    w = _window(qtbot, tmp_path, seed_path)
    errors: list[str] = []
    monkeypatch.setattr(w, "error", errors.append)
    w.assessing.window.error = errors.append  # type: ignore[method-assign]
    claim, evidence = _id(w, "claim"), _id(w, "evidence")
    w.pane.select_ids([claim])
    _press(qtbot, w, "Ctrl+Shift+H")
    assert claim in _reopened(w).hypotheses
    _press(qtbot, w, "Ctrl+Shift+H")
    assert claim not in _reopened(w).hypotheses
    w.undo_stack.undo()
    assert claim in _reopened(w).hypotheses
    w.pane.select_ids([evidence])
    count = w.undo_stack.count()
    _press(qtbot, w, "Ctrl+Shift+H")
    assert errors and "claim" in errors[-1]
    assert w.undo_stack.count() == count  # nothing on the stack


def test_ach_tab_rates_refreshes_and_shows_the_passage(qtbot: QtBot, tmp_path: Path, seed_path: Path) -> None:
    w = _window(qtbot, tmp_path, seed_path)
    claim, evidence = _id(w, "claim"), _id(w, "evidence")
    w.pane.select_ids([claim])
    _press(qtbot, w, "Ctrl+Shift+H")
    _press(qtbot, w, "Ctrl+5")
    assert w.tabs.currentWidget() is w.assessing.tab
    view = w.assessing.tab.view
    assert view is not None
    m = view.model
    assert m.rowCount() == 1 and m.hypothesis_id(2) == claim
    view.rate(0, 2, "II")  # the view's edit goes through the session: one command, saved at once
    assert _reopened(w).ratings[(evidence, claim)].rating == "II"
    assert m.rating(evidence, claim) == "II" and m.ranking()[0][1] == 2
    w.undo_stack.undo()
    assert m.rating(evidence, claim) is None  # the tab follows the undo
    assert (evidence, claim) not in _reopened(w).ratings
    w.undo_stack.redo()
    assert m.rating(evidence, claim) == "II"
    # A grade set while the tab is in view shows beside the quote.
    w.pane.select_ids([evidence])
    _press(qtbot, w, "Shift+C")
    _press(qtbot, w, "Alt+3")
    assert "C3" in str(m.data(m.index(0, 0), Qt.ItemDataRole.DisplayRole))
    # Clicking a row shows its passage in the reader.
    w.reader.select_cp(0, 1)
    view.passage_activated.emit(evidence)
    a = w.session.annotations[evidence] if w.session else None
    assert a is not None and w.reader.selection_cp() == (a.start, a.end)


def test_ach_tab_rebuilds_when_hidden_edits_happen(qtbot: QtBot, tmp_path: Path, seed_path: Path) -> None:
    w = _window(qtbot, tmp_path, seed_path)
    claim = _id(w, "claim")
    _press(qtbot, w, "Ctrl+5")
    view = w.assessing.tab.view
    assert view is not None and view.model.columnCount() == 2  # no hypothesis yet
    w.show_tab("annotations")
    w.pane.select_ids([claim])
    _press(qtbot, w, "Ctrl+Shift+H")
    w.show_tab("ach")
    assert view.model.hypothesis_id(2) == claim


@pytest.mark.parametrize("kind", ["passage", "document"])
def test_rationale_dialog(qtbot: QtBot, tmp_path: Path, seed_path: Path, monkeypatch, kind: str) -> None:  # type: ignore[no-untyped-def]
    w = _window(qtbot, tmp_path, seed_path)
    assert w.session is not None
    fp, evidence = w.session.document.fingerprint, _id(w, "evidence")
    monkeypatch.setattr(assessing, "ask_rationale", lambda *_a: "seen <b>twice</b>")
    if kind == "passage":
        w.pane.select_ids([evidence])
        _press(qtbot, w, "Alt+2")
    else:
        _press(qtbot, w, "Shift+D")
    w.assessing.actions["assess_rationale"].trigger()
    saved = _reopened(w)
    grade = saved.credibility[evidence] if kind == "passage" else saved.reliability[fp]
    assert grade.rationale == "seen <b>twice</b>"
    w.undo_stack.undo()
    saved = _reopened(w)
    grade = saved.credibility[evidence] if kind == "passage" else saved.reliability[fp]
    assert grade.rationale == ""


def test_rationale_without_a_grade_says_why(qtbot: QtBot, tmp_path: Path, seed_path: Path) -> None:
    w = _window(qtbot, tmp_path, seed_path)
    errors: list[str] = []
    w.assessing.window.error = errors.append  # type: ignore[method-assign]
    assert not w.assessing.edit_rationale()
    assert errors and "Grade first" in errors[0]


def test_the_assess_menu_and_keys_are_there(qtbot: QtBot) -> None:
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    titles = [a.text().replace("&", "") for a in w.menuBar().actions()]
    assert "Assess" in titles and titles.index("Assess") == len(titles) - 2  # before Help
    keys = {k.toString() for a in w.assessing.actions.values() for k in a.shortcuts()}
    assert {"Shift+A", "Shift+F", "Alt+1", "Alt+6", "Alt+0", "Ctrl+Shift+H", "Ctrl+5"} <= keys
    assert not w.assessing.actions["grade_reliability_A"].isEnabled()  # nothing open
    clash = {k.toString() for a in w.action_collection.by_name.values() for k in a.shortcuts()} & keys
    assert clash == set()
    from desktop.ui import workbench

    table = dict(dict(workbench.shortcut_groups(w))["Assess"])  # the F1 dialog's Assess group
    assert table["Mark as Hypothesis"] == "Ctrl+Shift+H" and "Alt+0" in table.values()


class _Failing:
    """An edit whose write fails (a full disk, a replaced file)."""

    text = "fail"

    def do(self, source: store.Store) -> object:
        from desktop.core import errors

        raise errors.StoreError("disk full")

    undo = do


def test_a_batch_is_all_or_nothing(tmp_path: Path, seed_path: Path) -> None:
    from desktop.core import anchoring, documents
    from desktop.core import errors as core_errors

    st = store.Store.open(tmp_path / "batch.warrant", annotator="ana")
    doc = st.add_document(documents.load(seed_path))
    a = anchoring.new_annotation(doc, 0, 20, "evidence", author="ana")
    assert a is not None
    st.insert_annotations([a])
    batch = assessing.Batch("grade", (assessment.credibility_edit(st, a.id, 3), _Failing()))  # type: ignore[arg-type]
    with pytest.raises(core_errors.StoreError):
        batch.do(st)
    assert st.passage_grades() == []  # the first grade was taken back
    st.close()
