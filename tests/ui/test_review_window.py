"""Reviewing a colleague's file in the window: overlay, alignment, the same figures as the CLI, accepting."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.core import anchoring, documents, store
from desktop.ui import main_window, review_pane

REPO = Path(__file__).resolve().parents[2]
CLAIM = "one key question is whether it is possible to speak of an “alliance” being formed by Iran and Russia"
VISAS = "Russia plans to lift visa requirements for Iranian citizens"
SCO = "back Iran’s full membership in the Shanghai Cooperation Organization"
EURASIAN = "increase cooperation between Iran and the Eurasian Economic Union"


def colleague_file(tmp_path: Path, seed_path: Path) -> Path:
    """Their file: an edited copy of the article (CRLF, one word changed), partly agreeing with mine."""
    edited = seed_path.read_text(encoding="utf-8").replace("hosted his Iranian", "received his Iranian")
    article = tmp_path / "their-copy.txt"
    article.write_bytes(edited.replace("\n", "\r\n").encode("utf-8"))
    path = tmp_path / "bob.warrant"
    with store.Store.open(path, annotator="Bob") as st:
        doc = st.add_document(documents.load(article))
        made = []
        for phrase, tag, note in (
            (CLAIM, "claim", ""),
            (VISAS, "claim", "<script>alert(1)</script> is it a claim?"),
            (EURASIAN, "evidence", ""),
        ):
            start = doc.text.index(phrase)
            a = anchoring.new_annotation(doc, start, start + len(phrase), tag, author="Bob", note=note)
            made.append(a)
        st.insert_annotations(made)
    # consolidate so the file is one self-contained file, as a colleague would mail it
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    return path


@pytest.fixture
def window(qtbot, tmp_path, seed_path):
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    w.open_path(seed_path, annotation_file=str(tmp_path / "ana.warrant"), annotator="Ana")
    for phrase, tag in ((CLAIM, "claim"), (VISAS, "evidence"), (SCO, "evidence")):
        start = w.reader.text.index(phrase)
        w.reader.select_cp(start, start + len(phrase))
        w.tag_selection(tag)
    return w


def test_review_shows_alignment_and_leaves_their_file_alone(window, tmp_path, seed_path):
    theirs = colleague_file(tmp_path, seed_path)
    before = (theirs.read_bytes(), os.stat(theirs).st_mtime_ns, sorted(os.listdir(tmp_path)))
    window.review_dialog([str(theirs)])
    pane = window.reviewer.pane
    kinds = sorted(r.kind for r in pane.model.rows)
    assert kinds == ["agreed", "only-mine", "only-theirs", "tag-differs"]
    marks = [k for k in window.reader.highlighter.marks if k.startswith("review:")]
    assert len(marks) == 3
    assert all(window.reader.highlighter.marks[k].theirs == "Bob" for k in marks)
    assert (theirs.read_bytes(), os.stat(theirs).st_mtime_ns, sorted(os.listdir(tmp_path))) == before
    # their HTML note is plain text in the tooltip
    row = next(i for i, r in enumerate(pane.model.rows) if r.kind == "tag-differs")
    tip = pane.model.data(pane.model.index(row, 4), 3)
    assert "&lt;script&gt;" in tip and "<script>" not in tip
    # hiding the colleague takes their marks out of the reader
    pane.colleague_checks["Bob"].setChecked(False)
    assert not [k for k in window.reader.highlighter.marks if k.startswith("review:")]


def test_pane_figures_equal_the_command_line(window, tmp_path, seed_path):
    theirs = colleague_file(tmp_path, seed_path)
    window.review_dialog([str(theirs)])
    shown = {
        window.reviewer.pane.figures.horizontalHeaderItem(c).text(): window.reviewer.pane.figures.item(0, c).text()
        for c in range(window.reviewer.pane.figures.columnCount())
    }
    out = subprocess.run(
        [sys.executable, "main.py", "compare", str(tmp_path / "ana.warrant"), str(theirs), "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    colleague = json.loads(out.stdout)["documents"][0]["colleagues"][0]
    assert shown["Claim"] == f"{colleague['kappa']['claim']:.3f}"
    assert shown["Evidence"] == f"{colleague['kappa']['evidence']:.3f}"
    assert shown["F1"] == f"{colleague['f1']['f1']:.3f}"
    assert shown["κ overall"] == f"{colleague['kappa_overall']:.3f}"


def test_accept_theirs_with_provenance_is_one_undoable_step(window, tmp_path, seed_path):
    theirs = colleague_file(tmp_path, seed_path)
    window.review_dialog([str(theirs)])
    rows = [r for r in window.reviewer.pane.model.rows if r.kind == "only-theirs"]
    assert window.reviewer.accept_rows(rows) == 1
    st = window.session.store
    copied = [a for a in st.annotations() if a.origin_id]
    assert len(copied) == 1
    assert (copied[0].origin_author, copied[0].origin_id, copied[0].origin_file) == (
        "Bob",
        rows[0].theirs.id,
        str(theirs),
    )
    assert copied[0].quote == EURASIAN and window.reader.text[copied[0].start : copied[0].end] == EURASIAN
    window.reviewer.refresh()
    assert not [r for r in window.reviewer.pane.model.rows if r.kind == "only-theirs"]
    window.undo_stack.undo()
    assert not [a for a in st.annotations() if a.origin_id]


def test_accept_all_of_a_tag(window, tmp_path, seed_path):
    theirs = colleague_file(tmp_path, seed_path)
    window.review_dialog([str(theirs)])
    assert window.reviewer.accept_tag("claim") == 1  # the visas passage they call a claim
    assert sorted(a.tag for a in window.session.store.annotations()) == ["claim", "claim", "evidence", "evidence"]


def test_hostile_colleague_file_is_refused_with_a_message(window, tmp_path, seed_path, monkeypatch):
    theirs = colleague_file(tmp_path, seed_path)
    conn = sqlite3.connect(theirs)
    conn.execute("CREATE TRIGGER t AFTER INSERT ON tags BEGIN DELETE FROM annotations; END")
    conn.commit()
    conn.close()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    window.review_dialog([str(theirs)])
    assert shown and str(theirs) in shown[0] and "trigger" in shown[0].lower()
    assert window.reviewer is None or not window.reviewer.files


def test_rows_model_passes_the_model_tester(window, tmp_path, seed_path, qtmodeltester):
    from PySide6.QtTest import QAbstractItemModelTester

    reviewer = window._ensure_reviewer()  # the testers watch the models before any row arrives
    qtmodeltester.check(reviewer.pane.model)
    proxy_tester = QAbstractItemModelTester(  # noqa: F841 - lives as long as the test
        reviewer.pane.proxy, QAbstractItemModelTester.FailureReportingMode.Warning
    )
    window.review_dialog([str(colleague_file(tmp_path, seed_path))])
    assert isinstance(window.reviewer.pane.model.rows[0], review_pane.Row)


def test_review_is_not_recomputed_on_each_tag_while_hidden(window, tmp_path, seed_path, monkeypatch):
    window.review_dialog([str(colleague_file(tmp_path, seed_path))])
    calls: list[int] = []
    real = window.reviewer.refresh
    monkeypatch.setattr(window.reviewer, "refresh", lambda: calls.append(1) or real())
    window.show_tab("annotations")
    for phrase in ("Shanghai Cooperation", "Eurasian Economic"):
        start = window.reader.text.index(phrase)
        window.reader.select_cp(start, start + len(phrase))
        window.tag_selection("claim")
    QApplication.processEvents()
    assert calls == []
    window.show_tab("review")
    assert calls == [1]
    assert sum(1 for r in window.reviewer.pane.model.rows if r.mine is not None) == 5  # 3 before, 2 new


def test_links_are_compared_too(window, tmp_path, seed_path):
    from desktop.core import model

    theirs = colleague_file(tmp_path, seed_path)
    with store.Store.open(theirs) as st:
        by_quote = {a.quote: a.id for a in st.annotations()}
        st.insert_link(
            model.Link(model.new_id(), by_quote[EURASIAN], by_quote[CLAIM], "supports", "Bob", model.now_utc())
        )
    conn = sqlite3.connect(theirs)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    window.review_dialog([str(theirs)])
    assert "Links with Bob: 0 agreed, 0 only mine, 1 only theirs." in window.reviewer.pane.summary.text()
