"""The outline widget: its tree model, the weak-points section, plain-text tooltips, click to go to a passage."""

from __future__ import annotations

from pathlib import Path

import argument_seed
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from desktop.core import model
from desktop.ui import outline_view


@pytest.fixture
def seed(seed_path: Path) -> argument_seed.SeedArgument:
    return argument_seed.build(seed_path)


def fill(view: outline_view.OutlineView, seed: argument_seed.SeedArgument) -> None:
    fp = seed.document.fingerprint
    view.set_data(seed.store.annotations(fp), seed.store.links(fp), seed.store.tags(), seed.store.relations())


def children(m: outline_view.OutlineModel, parent: QModelIndex) -> list[QModelIndex]:
    return [m.index(r, 0, parent) for r in range(m.rowCount(parent))]


def test_model_passes_the_model_tester(qtmodeltester, seed: argument_seed.SeedArgument) -> None:  # type: ignore[no-untyped-def]
    m = outline_view.OutlineModel()
    qtmodeltester.check(m)
    fp = seed.document.fingerprint
    m.set_data(seed.store.annotations(fp), seed.store.links(fp), seed.store.tags(), seed.store.relations())
    qtmodeltester.check(m)


def test_sections_nesting_and_counts(qtbot: QtBot, seed: argument_seed.SeedArgument) -> None:
    view = outline_view.OutlineView()
    qtbot.addWidget(view)
    fill(view, seed)
    m = view.outline_model
    sections = children(m, QModelIndex())
    assert [s.data(outline_view.SECTION_ROLE) for s in sections] == ["argument", "unlinked", "weak"]
    assert [s.data() for s in sections] == ["Argument (2 claims)", "Not linked (1)", "Weak points (3)"]
    claims = children(m, sections[0])
    central = next(c for c in claims if c.data(outline_view.ANNOTATION_ID_ROLE) == seed.central.id)
    nested = children(m, central)
    assert [c.data(outline_view.ANNOTATION_ID_ROLE) for c in nested] == [
        seed.limited_ties.id,
        seed.not_strategic.id,
        seed.recommendation.id,
    ]
    assert nested[0].data().startswith("supports \u00b7 Evidence: ties have so far been limited")
    assert nested[2].data().startswith("based on \u00b7 Recommendation: if Iran really wants")
    assert central.data().startswith("Claim: the Russian-Iranian relationship lacks")
    # The decoration is the tag's colour.
    assert central.data(Qt.ItemDataRole.DecorationRole) == QColor(model.DEFAULT_TAGS[0].colour)
    assert nested[0].data(Qt.ItemDataRole.DecorationRole) == QColor(model.DEFAULT_TAGS[1].colour)
    # The checklist: four entries with counts, each holding its annotations.
    entries = children(m, sections[2])
    assert [e.data(outline_view.COUNT_ROLE) for e in entries] == [1, 0, 1, 1]
    assert entries[2].data() == "Evidence linked to nothing (1)"
    assert children(m, entries[2])[0].data(outline_view.ANNOTATION_ID_ROLE) == seed.visas.id
    assert [u.data(outline_view.ANNOTATION_ID_ROLE) for u in children(m, sections[1])] == [seed.visas.id]
    # Everything starts expanded.
    assert view.tree.isExpanded(sections[2]) and view.tree.isExpanded(central)


def test_tooltips_are_plain_text(qtbot: QtBot, seed: argument_seed.SeedArgument) -> None:
    nasty = model.Annotation(
        "x", seed.document.fingerprint, "claim", 0, 5, "<b>bold</b> <img src=x> & <a href='http://e'>link</a>"
    )
    m = outline_view.OutlineModel()
    m.set_data([nasty], [], seed.store.tags())
    item = m.indexes_of("x")[0]
    tip = item.data(Qt.ItemDataRole.ToolTipRole)
    assert "<b>" not in tip and "<img" not in tip and "<a " not in tip
    assert "&lt;b&gt;bold&lt;/b&gt;" in tip and "&amp;" in tip
    assert "<b>" in item.data(Qt.ItemDataRole.DisplayRole)  # shown as typed: display text is never rich text


def test_click_and_enter_emit_the_annotation_id(qtbot: QtBot, seed: argument_seed.SeedArgument) -> None:
    view = outline_view.OutlineView()
    qtbot.addWidget(view)
    view.resize(600, 500)
    view.show()
    qtbot.waitExposed(view)
    fill(view, seed)
    index = view.outline_model.indexes_of(seed.recommendation.id)[0]
    view.tree.scrollTo(index)
    rect = view.tree.visualRect(index)
    with qtbot.waitSignal(view.annotation_activated, timeout=2000) as blocker:
        qtbot.mouseClick(view.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [seed.recommendation.id]

    emitted: list[str] = []
    view.annotation_activated.connect(emitted.append)
    # A click on a section header goes nowhere.
    header = view.outline_model.section_index("weak")
    qtbot.mouseClick(view.tree.viewport(), Qt.MouseButton.LeftButton, pos=view.tree.visualRect(header).center())
    assert emitted == []
    # Keyboard: make the central claim current and press Enter.
    assert view.select_annotation(seed.central.id)
    assert emitted == []  # selecting programmatically does not emit
    view.tree.setFocus()
    qtbot.keyClick(view.tree, Qt.Key.Key_Return)
    assert emitted == [seed.central.id]
    # A double-click goes to the passage once, not twice.
    emitted.clear()
    visas = view.outline_model.indexes_of(seed.visas.id)[0]
    view.tree.scrollTo(visas)
    rect = view.tree.visualRect(visas)
    qtbot.mouseClick(view.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert emitted == [seed.visas.id]


def test_a_rebuild_after_deleting_the_claim(qtbot: QtBot, seed: argument_seed.SeedArgument) -> None:
    view = outline_view.OutlineView()
    qtbot.addWidget(view)
    fill(view, seed)
    seed.store.delete_annotations([seed.central.id])
    with qtbot.waitSignal(view.outline_model.modelReset, timeout=1000):
        fill(view, seed)
    m = view.outline_model
    weak = m.section_index("weak")
    entries = children(m, weak)
    assert entries[1].data() == "Recommendations based on no claim (1)"
    assert m.indexes_of(seed.central.id) == []
    assert not view.select_annotation(seed.central.id)


def test_a_circle_of_claims_shows_the_repeat(qtbot: QtBot) -> None:
    fp = "f" * 64
    a = model.Annotation("a", fp, "claim", 0, 5, "first claim")
    b = model.Annotation("b", fp, "claim", 10, 15, "second claim")
    links = [model.Link("1", "a", "b", "supports"), model.Link("2", "b", "a", "supports")]
    m = outline_view.OutlineModel()
    m.set_data([a, b], links, list(model.DEFAULT_TAGS))
    texts = [i.data() for i in m.indexes_of("a")]
    assert any(t.endswith("(see above)") for t in texts)
    # The weak section still counts both claims as unsupported.
    assert m.index(0, 0, m.section_index("weak")).data() == "Claims with no supporting evidence (2)"


def test_screenshot_of_the_seed(qtbot: QtBot, seed: argument_seed.SeedArgument, tmp_path: Path) -> None:
    view = outline_view.OutlineView()
    qtbot.addWidget(view)
    view.resize(640, 420)
    view.show()
    qtbot.waitExposed(view)
    fill(view, seed)
    image = view.grab()
    assert not image.isNull() and image.width() == 640
    image.save(str(tmp_path / "outline.png"))
