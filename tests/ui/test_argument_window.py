"""Links made in the window with L and a click, the outline and map tabs, and the map's SVG export."""

from __future__ import annotations

from xml.etree import ElementTree

import argument_seed
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.ui import main_window, outline_view


def open_window(qtbot, tmp_path, seed_path) -> main_window.MainWindow:
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    w.open_path(seed_path, annotation_file=str(tmp_path / "arg.warrant"))
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=2000)
    w.reader.setFocus()
    return w


def tag(w: main_window.MainWindow, phrase: str, key: Qt.Key) -> str:
    start = w.reader.text.index(phrase)
    w.reader.select_cp(start, start + len(phrase))
    QTest.keyClick(w.reader, key)
    return next(a.id for a in w.session.annotations.values() if a.quote == phrase.strip())


def link_with_keyboard_and_click(w: main_window.MainWindow, source: str, target: str, relation: str) -> None:
    w.pane.select_ids([source])
    w.pane.view.setFocus()
    QTest.keyClick(w.pane.view, Qt.Key.Key_L)
    assert w.editor.link_source == [source]
    w.editor.ask_relation = lambda *_args: relation  # answers the relation menu without showing it
    a = w.session.annotations[target]
    w.reader.select_cp(a.start + 2, a.start + 2)
    QTest.mouseClick(w.reader.viewport(), Qt.MouseButton.LeftButton, pos=w.reader.cursorRect().center())


def test_link_outline_and_map(qtbot, tmp_path, seed_path):
    w = open_window(qtbot, tmp_path, seed_path)
    claim = tag(w, argument_seed.CENTRAL_CLAIM, Qt.Key.Key_1)
    ev1 = tag(w, argument_seed.EVIDENCE_LIMITED_TIES, Qt.Key.Key_2)
    ev2 = tag(w, argument_seed.EVIDENCE_NOT_STRATEGIC, Qt.Key.Key_2)
    rec = tag(w, argument_seed.RECOMMENDATION, Qt.Key.Key_3)
    link_with_keyboard_and_click(w, ev1, claim, "supports")
    link_with_keyboard_and_click(w, ev2, claim, "supports")
    link_with_keyboard_and_click(w, rec, claim, "based-on")
    stored = {(k.source, k.target, k.relation) for k in w.session.store.links()}
    assert stored == {(ev1, claim, "supports"), (ev2, claim, "supports"), (rec, claim, "based-on")}

    w.action_collection.view_outline.trigger()
    outline = w.outline_tab.widget().outline_model.outline
    assert [n.annotation.id for n in outline.roots] == [claim]
    assert {c.annotation.id for c in outline.roots[0].children} == {ev1, ev2, rec}
    assert outline.weak.total == 0

    # deleting the claim takes its links; undo brings them back, and the outline follows
    w.show_tab("annotations")
    w.pane.select_ids([claim])
    w.delete_selected()
    assert w.session.store.links() == []
    w.undo_stack.undo()
    assert len(w.session.store.links()) == 3
    w.action_collection.view_outline.trigger()
    assert [n.annotation.id for n in w.outline_tab.widget().outline_model.outline.roots] == [claim]

    w.action_collection.view_map.trigger()
    page = w.map_tab.widget()
    svg = tmp_path / "map.svg"
    assert page.export("svg", str(svg))
    root = ElementTree.parse(svg).getroot()
    text = " ".join(t for t in root.itertext())
    assert "based" in text and "supports" in text
    png = tmp_path / "map.png"
    assert page.export("png", str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_outline_click_goes_to_the_passage(qtbot, tmp_path, seed_path):
    w = open_window(qtbot, tmp_path, seed_path)
    claim = tag(w, argument_seed.CENTRAL_CLAIM, Qt.Key.Key_1)
    w.action_collection.view_outline.trigger()
    view = w.outline_tab.widget()
    view.annotation_activated.emit(claim)
    a = w.session.annotations[claim]
    assert w.reader.selection_cp() == (a.start, a.end)


def test_hidden_outline_is_not_rebuilt_on_each_tag(qtbot, tmp_path, seed_path):
    w = open_window(qtbot, tmp_path, seed_path)
    tag(w, argument_seed.CENTRAL_CLAIM, Qt.Key.Key_1)
    assert not w.outline_tab.built() and not w.map_tab.built()


def test_a_link_the_wrong_way_round_is_refused_with_a_reason(qtbot, tmp_path, seed_path):
    w = open_window(qtbot, tmp_path, seed_path)
    claim = tag(w, argument_seed.CENTRAL_CLAIM, Qt.Key.Key_1)
    evidence = tag(w, argument_seed.EVIDENCE_LIMITED_TIES, Qt.Key.Key_2)
    link_with_keyboard_and_click(w, claim, evidence, "supports")  # a claim does not support evidence
    assert w.session.store.links() == []
    assert "not the other way round" in w.statusBar().currentMessage()
    link_with_keyboard_and_click(w, evidence, claim, "supports")
    assert len(w.session.store.links()) == 1
    link_with_keyboard_and_click(w, evidence, claim, "supports")  # the same again
    assert len(w.session.store.links()) == 1 and "already" in w.statusBar().currentMessage()


def test_going_to_a_passage_marks_it_in_the_built_outline(qtbot, tmp_path, seed_path):
    w = open_window(qtbot, tmp_path, seed_path)
    claim = tag(w, argument_seed.CENTRAL_CLAIM, Qt.Key.Key_1)
    evidence = tag(w, argument_seed.EVIDENCE_LIMITED_TIES, Qt.Key.Key_2)
    w.action_collection.view_outline.trigger()
    w.show_tab("annotations")
    w.go_to(evidence)
    tree = w.outline_tab.widget().tree
    assert tree.currentIndex().data(outline_view.ANNOTATION_ID_ROLE) == evidence
    w.go_to(claim)
    assert tree.currentIndex().data(outline_view.ANNOTATION_ID_ROLE) == claim
