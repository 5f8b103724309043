"""File > Import in the window (issue 13): every kind by its suffix, each ONE undoable command, with its report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.core import anchoring, documents, exchange, store
from desktop.ui import importing, main_window

PHRASES = (
    ("one key question is whether it is possible to speak of an “alliance” being formed by Iran and Russia", "claim"),
    ("Russia plans to lift visa requirements for Iranian citizens", "evidence"),
    ("now is the best time to do so", "recommendation"),
)


def _source_file(tmp_path: Path, seed_path: Path) -> store.Store:
    """A colleague's annotation file on the seed article: three passages, a link and a tag of their own."""
    st = store.Store.open(tmp_path / "theirs.warrant", annotator="Bo")
    doc = st.add_document(documents.load(seed_path))
    made = []
    for phrase, tag in PHRASES:
        start = doc.text.index(phrase)
        a = anchoring.new_annotation(doc, start, start + len(phrase), tag, author="Bo")
        assert a is not None
        made.append(a)
    st.insert_annotations(made)
    return st


def _window(qtbot: QtBot, tmp_path: Path, seed_path: Path, monkeypatch) -> tuple[main_window.MainWindow, list]:  # type: ignore[no-untyped-def,type-arg]
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    w.open_path(seed_path, annotation_file=str(tmp_path / "mine.warrant"), annotator="Ana")
    shown: list[tuple[str, list[str]]] = []
    errors: list[str] = []
    monkeypatch.setattr(importing, "show_report", lambda _p, path, lines: shown.append((path, lines)))
    monkeypatch.setattr(w, "error", errors.append)
    w.editor.error = errors.append
    return w, [shown, errors]


def _saved(w: main_window.MainWindow) -> list[tuple[str, int, int]]:
    assert w.session is not None
    st = store.Store.open(w.session.store.path)
    try:
        return sorted((a.tag, a.start, a.end) for a in st.annotations())
    finally:
        st.close()


@pytest.mark.parametrize("fmt", ["w3c", "qdpx", "brat"])
def test_import_by_suffix_is_one_undoable_command(
    qtbot: QtBot, tmp_path: Path, seed_path: Path, monkeypatch, fmt: str
) -> None:  # type: ignore[no-untyped-def]
    theirs = _source_file(tmp_path, seed_path)
    want = sorted((a.tag, a.start, a.end) for a in theirs.annotations())
    dest = tmp_path / f"export{exchange.extension(fmt)}"
    exchange.export(theirs, fmt, dest)
    theirs.close()
    w, (shown, errors) = _window(qtbot, tmp_path, seed_path, monkeypatch)
    before = w.undo_stack.count()
    w.import_dialog(str(dest))
    assert errors == []
    assert w.undo_stack.count() == before + 1  # one command for the whole import
    assert sorted((a.tag, a.start, a.end) for a in w.pane.model.annotations()) == want
    assert _saved(w) == want  # saved at once
    assert len(w.reader.highlighter.marks) == 3
    w.undo_stack.undo()
    assert w.pane.model.annotations() == [] and _saved(w) == []
    w.undo_stack.redo()
    assert _saved(w) == want and len(w.pane.model.annotations()) == 3


def test_qdc_adds_the_tag_set_undoably(qtbot: QtBot, tmp_path: Path, seed_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    theirs = _source_file(tmp_path, seed_path)
    theirs.add_tag("rumour")
    dest = tmp_path / "codes.qdc"
    exchange.export(theirs, "qdc", dest)
    theirs.close()
    w, (shown, errors) = _window(qtbot, tmp_path, seed_path, monkeypatch)
    assert w.session is not None
    w.import_dialog(str(dest))
    assert errors == []
    assert "rumour" in {t.name for t in w.session.tags}
    assert "tag_rumour" in {a.objectName() for a in w.action_collection.tag_actions.values()}
    w.undo_stack.undo()
    assert "rumour" not in {t.name for t in w.session.tags}


def test_an_import_that_places_nothing_says_why_and_adds_no_command(
    qtbot: QtBot, tmp_path: Path, seed_path: Path, monkeypatch, testdata: Path
) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "TestProject.qdpx"
    shutil.copy(testdata / "refi-qda" / "sky-loom" / "TestProject.qdpx", project)
    w, (shown, errors) = _window(qtbot, tmp_path, seed_path, monkeypatch)
    before = w.undo_stack.count()
    w.import_dialog(str(project))
    assert errors == []
    assert len(shown) == 1
    lines = shown[0][1]
    assert lines[0].startswith("imported 0")
    assert any("not placed" in line for line in lines[1:])  # each passage, with its reason
    assert _saved(w) == []
    assert w.undo_stack.count() <= before + 1  # at most the project's codes, as one command


def test_a_bad_file_is_a_dialog_and_changes_nothing(qtbot: QtBot, tmp_path: Path, seed_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    w, (shown, errors) = _window(qtbot, tmp_path, seed_path, monkeypatch)
    for name, content in (("bad.qdpx", b"not a zip"), ("bad.qdc", b"<nope"), ("bad.json", b"{"), ("bad.ann", b"T1\tx")):
        path = tmp_path / name
        path.write_bytes(content)
        w.import_dialog(str(path))
    assert len(errors) == 4 and all(e for e in errors)
    assert w.undo_stack.count() == 0 and _saved(w) == []


def test_brat_without_its_text_counts_in_the_shown_document(
    qtbot: QtBot, tmp_path: Path, seed_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    theirs = _source_file(tmp_path, seed_path)
    ann = tmp_path / "lonely.ann"
    exchange.export(theirs, "brat", ann)
    theirs.close()
    ann.with_suffix(".txt").unlink()
    w, (shown, errors) = _window(qtbot, tmp_path, seed_path, monkeypatch)
    w.import_dialog(str(ann))
    assert errors == [] and len(_saved(w)) == 3
    assert any("shown document" in line for line in shown[0][1])


def test_w3c_grades_and_ratings_come_with_their_passages_as_one_step(
    qtbot: QtBot, tmp_path: Path, seed_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from desktop.core import assessment

    theirs = _source_file(tmp_path, seed_path)
    ids = {a.tag: a.id for a in theirs.annotations()}
    doc = theirs.documents()[0].fingerprint
    assessment.set_reliability(theirs, doc, "C", "a blog")
    assessment.set_credibility(theirs, ids["evidence"], 2)
    assessment.set_hypothesis(theirs, ids["claim"])
    assessment.set_rating(theirs, ids["evidence"], ids["claim"], "II")
    dest = tmp_path / "graded.jsonld"
    exchange.export(theirs, "w3c", dest)
    theirs.close()
    w, (shown, errors) = _window(qtbot, tmp_path, seed_path, monkeypatch)
    assert w.session is not None
    before = w.undo_stack.count()
    w.import_dialog(str(dest))
    assert errors == []
    assert w.undo_stack.count() == before + 1  # passages, grades and ratings: one step

    def saved() -> assessment.Assessments:
        st = store.Store.open(w.session.store.path)  # type: ignore[union-attr]
        try:
            return assessment.load(st)
        finally:
            st.close()

    got = saved()
    assert got.reliability[doc].reliability == "C" and got.credibility[ids["evidence"]].credibility == 2
    assert got.ratings[(ids["evidence"], ids["claim"])].rating == "II" and ids["claim"] in got.hypotheses
    w.undo_stack.undo()
    got = saved()
    assert (got.reliability, got.credibility, got.hypotheses, got.ratings) == ({}, {}, {}, {})
    assert _saved(w) == []
    w.undo_stack.redo()
    got = saved()
    assert got.ratings[(ids["evidence"], ids["claim"])].rating == "II" and len(_saved(w)) == 3
