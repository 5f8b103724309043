"""The argument map widget: boxes and arrows from the layout, clicks, zoom, SVG and PNG export."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import argument_seed
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QGraphicsSimpleTextItem, QGraphicsTextItem
from pytestqt.qtbot import QtBot

from desktop.core import argument, errors, model
from desktop.ui import argument_map

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def seed(seed_path: Path) -> argument_seed.SeedArgument:
    return argument_seed.build(seed_path)


@pytest.fixture
def view(qtbot: QtBot, seed: argument_seed.SeedArgument) -> argument_map.ArgumentMapView:
    v = argument_map.ArgumentMapView()
    qtbot.addWidget(v)
    v.resize(900, 600)
    v.show()
    qtbot.waitExposed(v)
    fp = seed.document.fingerprint
    v.set_data(seed.store.annotations(fp), seed.store.links(fp), seed.store.tags(), seed.store.relations())
    return v


def scene_texts(v: argument_map.ArgumentMapView) -> list[str]:
    out = []
    for item in v.scene().items():
        if isinstance(item, QGraphicsTextItem):
            out.append(item.toPlainText())
        elif isinstance(item, QGraphicsSimpleTextItem):
            out.append(item.text())
    return out


def test_boxes_follow_the_layout_and_do_not_overlap(view: argument_map.ArgumentMapView, seed) -> None:  # type: ignore[no-untyped-def]
    assert set(view.boxes) == {a.id for a in seed.store.annotations()}
    rects = {aid: box.sceneBoundingRect() for aid, box in view.boxes.items()}
    items = list(rects.items())
    for i, (a, ra) in enumerate(items):
        for b, rb in items[i + 1 :]:
            assert not ra.adjusted(1, 1, -1, -1).intersects(rb.adjusted(1, 1, -1, -1)), (a, b)
    assert rects[seed.recommendation.id].top() < rects[seed.central.id].top() < rects[seed.limited_ties.id].top()
    texts = scene_texts(view)
    assert texts.count("supports") == 2 and "contradicts" in texts and "based on" in texts
    assert "CLAIM" in texts and "RECOMMENDATION" in texts
    assert argument_seed.EVIDENCE_VISAS in texts  # a short quote is shown whole
    # Every quote's text stays inside its box.
    for aid, box in view.boxes.items():
        assert box.body.sceneBoundingRect().bottom() <= rects[aid].bottom() + 0.5, aid


def test_clicking_a_box_emits_its_id_and_dragging_does_not(
    qtbot: QtBot, view: argument_map.ArgumentMapView, seed
) -> None:  # type: ignore[no-untyped-def]
    box = view.boxes[seed.central.id]
    view.centerOn(box)
    pos = view.mapFromScene(box.sceneBoundingRect().center())
    with qtbot.waitSignal(view.annotation_activated, timeout=2000) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert blocker.args == [seed.central.id]

    emitted: list[str] = []
    view.annotation_activated.connect(emitted.append)
    # Empty background: nothing.
    corner = view.mapFromScene(QPointF(2, 2))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=corner)
    # A drag that starts on a box pans; it is not a click.
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseMove(view.viewport(), pos + QPoint(60, 40))
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=pos + QPoint(60, 40))
    assert emitted == []


def test_zoom_with_keys_and_ctrl_wheel(qtbot: QtBot, view: argument_map.ArgumentMapView) -> None:
    view.reset_zoom()
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert view.zoom() == pytest.approx(argument_map.ZOOM_STEP)
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    assert view.zoom() == pytest.approx(1 / argument_map.ZOOM_STEP)
    for _ in range(40):
        view.zoom_out()
    assert view.zoom() == pytest.approx(argument_map.MIN_ZOOM)
    view.reset_zoom()
    from PySide6.QtCore import QPoint as P
    from PySide6.QtGui import QWheelEvent

    centre = QPointF(view.viewport().rect().center())
    event = QWheelEvent(
        centre,
        QPointF(view.viewport().mapToGlobal(centre.toPoint())),
        P(0, 0),
        P(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    view.wheelEvent(event)
    assert view.zoom() == pytest.approx(argument_map.ZOOM_STEP**2)
    view.fit()
    assert view.zoom() <= 1.0


def test_export_svg(view: argument_map.ArgumentMapView, tmp_path: Path) -> None:
    path = tmp_path / "map.svg"
    view.export_svg(path)
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == f"0 0 {math.ceil(view.map_layout.width)} {math.ceil(view.map_layout.height)}"
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert "based on" in texts and "contradicts" in texts and texts.count("supports") == 2
    assert "CLAIM" in texts and "EVIDENCE" in texts
    assert any(t.startswith("the Russian-Iranian relationship") for t in texts)
    assert [p.name for p in tmp_path.iterdir()] == ["map.svg"]  # no temporary file left behind


def test_export_png(view: argument_map.ArgumentMapView, tmp_path: Path) -> None:
    path = tmp_path / "map.png"
    view.export_png(path, scale=1.5)
    image = QImage(str(path))
    assert not image.isNull()
    assert image.width() == math.ceil(view.map_layout.width * 1.5)
    assert image.height() == math.ceil(view.map_layout.height * 1.5)
    # Not blank: the claim box's fill colour is in the picture where the layout put it.
    box = view.map_layout.box(next(iter(view.boxes)))
    inside = image.pixelColor(int((box.x + 3) * 1.5), int((box.y + box.h - 3) * 1.5))
    assert inside != argument_map.BACKGROUND
    assert [p.name for p in tmp_path.iterdir()] == ["map.png"]


def test_export_to_a_missing_folder_fails_cleanly(view: argument_map.ArgumentMapView, tmp_path: Path) -> None:
    with pytest.raises(errors.ExchangeError, match="does not exist"):
        view.export_svg(tmp_path / "nowhere" / "map.svg")
    target = tmp_path / "map.png"
    target.write_bytes(b"old")
    view.export_png(target)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_user_text_stays_plain_text_in_the_scene_and_the_svg(qtbot: QtBot, tmp_path: Path) -> None:
    fp = "e" * 64
    nasty = '<b>bold</b> & <img src="x"> ]]> <!-- end'
    a = model.Annotation("c", fp, "claim", 0, 5, nasty)
    tags = [model.Tag("claim", "Cl<i>aim</i>", "#e6a23c")]
    v = argument_map.ArgumentMapView()
    qtbot.addWidget(v)
    v.set_data([a], [], tags)
    assert nasty in scene_texts(v)
    assert v.boxes["c"].body.toHtml().count("<img") == 0
    tip = v.boxes["c"].toolTip()
    assert "<b>" not in tip and "&lt;b&gt;" in tip
    v.export_svg(tmp_path / "m.svg")
    root = ET.parse(tmp_path / "m.svg").getroot()  # still well-formed XML
    assert any(nasty[:10] in (t.text or "") for t in root.iter(f"{SVG}text"))
    assert not list(root.iter(f"{SVG}image"))


def test_empty_map_and_highlight(qtbot: QtBot, view: argument_map.ArgumentMapView, seed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert view.highlight(seed.central.id)
    assert view.boxes[seed.central.id].pen().widthF() > 3
    assert not view.highlight("missing")
    assert view.boxes[seed.central.id].pen().widthF() < 2
    view.set_data([], [], list(model.DEFAULT_TAGS))
    assert view.boxes == {} and view.map_layout == argument.MapLayout()
    view.export_png(tmp_path / "empty.png", scale=1.0)
    assert not QImage(str(tmp_path / "empty.png")).isNull()


def test_screenshot_of_the_seed(view: argument_map.ArgumentMapView, tmp_path: Path) -> None:
    view.fit()
    image = view.grab()
    assert image.width() == 900
    image.save(str(tmp_path / "map.png"))
