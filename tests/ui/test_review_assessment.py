"""Issue 17 in the review: the grades and ACH cells where colleagues disagree, shown in the Review tab."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.core import assessment, store
from desktop.ui import main_window, review_pane

PHRASES = (
    ("one key question is whether it is possible to speak of an “alliance” being formed by Iran and Russia", "claim"),
    ("Russia plans to lift visa requirements for Iranian citizens", "evidence"),
)


def _graded_window(qtbot: QtBot, tmp_path: Path, seed_path: Path) -> tuple[main_window.MainWindow, dict[str, str]]:
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    w.open_path(seed_path, annotation_file=str(tmp_path / "mine.warrant"), annotator="Ana")
    ids = {}
    for phrase, tag in PHRASES:
        start = w.reader.text.index(phrase)
        w.reader.select_cp(start, start + len(phrase))
        w.tag_selection(tag)
        ids[tag] = next(a.id for a in w.pane.model.annotations() if a.tag == tag)
    w.pane.select_ids([ids["claim"]])
    w.assessing.toggle_hypothesis()
    w.pane.select_ids([ids["evidence"]])
    w.assessing.grade_passages(2)
    assert w.session is not None
    w.session.run_edit(assessment.rating_edit(w.session.store, ids["evidence"], ids["claim"], "C"))
    return w, ids


def test_the_review_lists_where_colleagues_disagree(
    qtbot: QtBot, tmp_path: Path, seed_path: Path, qtmodeltester
) -> None:  # type: ignore[no-untyped-def]
    w, ids = _graded_window(qtbot, tmp_path, seed_path)
    assert w.session is not None
    colleague = tmp_path / "bo.warrant"
    w.session.store.save_copy(str(colleague))
    with store.Store.open(colleague) as theirs:
        assessment.set_rating(theirs, ids["evidence"], ids["claim"], "II")
        assessment.set_credibility(theirs, ids["evidence"], 5, "<b>hearsay</b>")
    w.review_dialog([str(colleague)])
    assert w.reviewer is not None and w.reviewer.pane is not None
    pane = w.reviewer.pane
    model = pane.disagreement_model
    qtmodeltester.check(model)
    kinds = sorted(r.kind for r in model.rows)
    assert kinds == ["credibility", "rating"]
    rating = next(r for r in model.rows if r.kind == "rating")
    assert sorted(v.split(": ")[1] for v in rating.values.split("; ")) == ["C", "II"]
    assert "Russia plans to lift visa requirements" in rating.what
    assert "2 disagreements" in pane.disagreement_title.text()
    # Clicking a row shows its passage in the reader.
    row = model.rows.index(rating)
    w.reader.select_cp(0, 1)
    pane.disagreement_view.clicked.emit(model.index(row, 0))
    evidence = w.session.annotations[ids["evidence"]]
    assert w.reader.selection_cp() == (evidence.start, evidence.end)
    # A rating of mine that now agrees refreshes the list (through the session's changed signal).
    w.session.run_edit(assessment.rating_edit(w.session.store, ids["evidence"], ids["claim"], "II"))
    w.reviewer.refresh()
    assert sorted(r.kind for r in model.rows) == ["credibility"]


def test_no_grades_no_section(qtbot: QtBot) -> None:
    pane = review_pane.ReviewPane()
    qtbot.addWidget(pane)
    pane.show_assessment({}, {})
    assert pane.disagreement_model.rowCount() == 0 and pane.disagreement_view.isHidden()
