"""The review pane's figures: undefined ones show "–" with the reason, every figure has a tooltip and a
legend line, and Accept All Agreed asks first, naming how many passages it will add."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop.core import anchoring, documents, model, review, untrusted
from desktop.ui import review_pane

TEXT = "".join(f"Sentence number {i} says something about topic {i % 7}. " for i in range(40))
DOC = model.Document(documents.fingerprint(TEXT), "A test article", "a.txt", TEXT)


def _ann(start: int, end: int, tag: str, ident: str) -> model.Annotation:
    a = anchoring.new_annotation(DOC, start, end, tag, author="x", trim_whitespace=False)
    assert a is not None
    return a.replace(id=ident)


def _file(path: str, who: str, annotations: list[model.Annotation]) -> untrusted.ColleagueFile:
    return untrusted.ColleagueFile(
        path=path,
        annotator=who,
        documents=(DOC,),
        tags=model.DEFAULT_TAGS,
        relations=model.DEFAULT_RELATIONS,
        annotations=tuple(annotations),
        links=(),
    )


def _show(qtbot: Any, mine: list[model.Annotation], theirs: list[model.Annotation]) -> review_pane.ReviewPane:
    result = review.review(_file("mine.warrant", "me", mine), [_file("bob.warrant", "Bob", theirs)])
    (doc,) = result.documents
    data = review.report_data(result)["documents"][0]
    pane = review_pane.ReviewPane()
    qtbot.addWidget(pane)
    pane.show_review(doc, data, model.TagSet(model.DEFAULT_TAGS), [])
    return pane


def _cells(pane: review_pane.ReviewPane, row: int) -> dict[str, Any]:
    figures = pane.figures
    return {
        figures.horizontalHeaderItem(c).text(): figures.item(row, c)
        for c in range(figures.columnCount())
        if figures.item(row, c) is not None
    }


def test_an_undefined_figure_shows_a_dash_and_why(qtbot: Any) -> None:
    pane = _show(qtbot, [], [_ann(0, 30, "claim", "t1")])
    cells = _cells(pane, 0)
    assert cells["Recall"].text() == review_pane.UNDEFINED
    assert "Undefined" in cells["Recall"].toolTip() and "0/0" in cells["Recall"].toolTip()
    assert cells["Precision"].text() == "0.000"  # defined: none of their passages is one of mine
    assert "one-to-one" in cells["Precision"].toolTip()


def test_every_figure_has_a_tooltip_and_a_legend_line(qtbot: Any) -> None:
    pane = _show(qtbot, [_ann(0, 30, "claim", "m1")], [_ann(0, 30, "claim", "t1")])
    figures = pane.figures
    for column in range(1, figures.columnCount()):
        assert figures.horizontalHeaderItem(column).toolTip()
        assert figures.item(0, column).toolTip()
    legend = pane.legend.text().splitlines()
    for name, _ in review_pane.FIGURE_HELP.values():
        assert any(line.startswith(f"{name}:") for line in legend)
    assert "0.5" in pane.figures_title.text()
    assert any(row.startswith("αU") for row in (figures.item(r, 0).text() for r in range(figures.rowCount())))


@pytest.mark.parametrize("answer", [QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Cancel])
def test_accept_all_agreed_asks_first_naming_the_count(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, answer: QMessageBox.StandardButton
) -> None:
    pane = _show(qtbot, [_ann(0, 30, "claim", "m1")], [_ann(0, 30, "claim", "t1")])
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or answer)
    assert pane.confirm_accept_agreed(3) is (answer == QMessageBox.StandardButton.Yes)
    assert asked and "3" in asked[0]
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))
    assert pane.confirm_accept_agreed(0) is False and told
