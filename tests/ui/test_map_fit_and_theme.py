"""The map fits the pane readably, re-fits on resize, follows the dark theme and exports cleanly (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

import argument_seed
import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.core import model
from desktop.ui import argument_map, themes


def _big_map(n: int) -> tuple[list[model.Annotation], list[model.Link]]:
    text_len = 10 * n
    anns = [
        model.Annotation(f"c{i}", "d", "claim" if i % 4 == 0 else "evidence", i * 10, i * 10 + 8, f"quote {i}")
        for i in range(n)
    ]
    links = [model.Link(f"l{i}", f"c{i}", f"c{(i // 4) * 4}", "supports") for i in range(n) if i % 4 and text_len]
    return anns, links


@pytest.fixture
def narrow(qtbot: QtBot) -> argument_map.ArgumentMapView:
    view = argument_map.ArgumentMapView()
    qtbot.addWidget(view)
    view.resize(340, 600)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_a_big_map_opens_readable_in_a_narrow_pane(narrow: argument_map.ArgumentMapView) -> None:
    anns, links = _big_map(60)
    narrow.set_data(anns, links, model.DEFAULT_TAGS)
    # Not 100 % (boxes cut off at the pane's edge), not a fit of the whole map (unreadably small).
    assert argument_map.READABLE_ZOOM - 1e-9 <= narrow.zoom() < 1.0


def test_a_small_map_is_fitted_whole(qtbot: QtBot, seed_path: Path) -> None:
    seed = argument_seed.build(seed_path)
    view = argument_map.ArgumentMapView()
    qtbot.addWidget(view)
    view.resize(1400, 900)
    view.show()
    qtbot.waitExposed(view)
    fp = seed.document.fingerprint
    view.set_data(seed.store.annotations(fp), seed.store.links(fp), seed.store.tags(), seed.store.relations())
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(view.scene().sceneRect()) or view.zoom() == pytest.approx(1.0)


def test_the_map_refits_on_resize_until_zoomed_by_hand(qtbot: QtBot, narrow: argument_map.ArgumentMapView) -> None:
    anns, links = _big_map(12)
    narrow.set_data(anns, links, model.DEFAULT_TAGS)
    before = narrow.zoom()
    narrow.resize(1600, 1000)
    qtbot.waitUntil(lambda: narrow.zoom() != before)
    assert narrow.zoom() > before
    narrow.zoom_out()
    zoomed = narrow.zoom()
    narrow.resize(500, 500)
    qtbot.wait(20)
    assert narrow.zoom() == pytest.approx(zoomed)  # the analyst's own zoom is kept
    narrow.fit()
    narrow.resize(1500, 1000)
    qtbot.waitUntil(lambda: narrow.auto_fit and narrow.zoom() != zoomed)


def test_exports_leave_out_the_highlight_and_name_a_generic_font(
    narrow: argument_map.ArgumentMapView,
) -> None:
    anns, links = _big_map(8)
    narrow.set_data(anns, links, model.DEFAULT_TAGS)
    plain = narrow.png_image()
    assert narrow.highlight("c0")
    assert narrow.png_image() == plain
    assert narrow.boxes["c0"].pen().widthF() > 2  # still highlighted on screen
    svg = narrow.svg_bytes().decode()
    families = re.findall(r'font-family="([^"]*)"', svg)
    assert families and all(f.endswith("sans-serif") for f in families)
    assert 'font-family="Sans Serif"' not in svg


def test_the_dark_theme_darkens_the_canvas(qapp: QApplication, narrow: argument_map.ArgumentMapView) -> None:
    anns, links = _big_map(4)
    try:
        themes.apply(qapp, "dark")
        narrow.set_data(anns, links, model.DEFAULT_TAGS)
        assert narrow.scene().backgroundBrush().color().lightness() < 80
        assert narrow.png_image().pixelColor(1, 1).lightness() < 80
    finally:
        themes.apply(qapp, "system")
    narrow.set_data(anns, links, model.DEFAULT_TAGS)
    assert narrow.scene().backgroundBrush().color().lightness() > 200
