"""AcceptedRows: a filter proxy mapping only the accepted rows, checked against a list comprehension."""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import QModelIndex, QStringListModel, Qt
from PySide6.QtWidgets import QListView

from desktop.ui.rowproxy import AcceptedRows

WORDS = ["moscow", "tehran", "sanctions", "syria", "lavrov", "oil", "grain", "drones"]


def _shown(proxy: AcceptedRows) -> list[str]:
    return [proxy.index(r, 0).data() for r in range(proxy.rowCount())]


def _expected(source: QStringListModel, needle: str | None) -> list[str]:
    return [s for s in source.stringList() if needle is None or needle in s]


def _filter(source: QStringListModel, needle: str | None):  # type: ignore[no-untyped-def]
    if needle is None:
        return None
    return lambda row: needle in source.index(row, 0).data()


@pytest.fixture
def models(qapp):  # type: ignore[no-untyped-def]
    rng = random.Random(3)
    source = QStringListModel([" ".join(rng.sample(WORDS, 3)) for _ in range(300)])
    proxy = AcceptedRows()
    proxy.setSourceModel(source)
    return source, proxy


def test_the_model_tester_accepts_it_filtered_and_not(models, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    source, proxy = models
    qtmodeltester.check(proxy)
    proxy.set_filter(_filter(source, "oil"))
    qtmodeltester.check(proxy)


@pytest.mark.parametrize("needle", [None, "oil", "syria", "nothing"])
def test_it_shows_exactly_the_accepted_rows_through_edits(models, needle: str | None) -> None:  # type: ignore[no-untyped-def]
    source, proxy = models
    proxy.set_filter(_filter(source, needle))
    assert _shown(proxy) == _expected(source, needle)
    rng = random.Random(9)
    for step in range(120):
        roll = rng.random()
        row = rng.randrange(source.rowCount() + 1)
        if roll < 0.4:
            count = rng.randint(1, 3)
            source.insertRows(row, count)
            for i in range(count):
                source.setData(source.index(row + i), " ".join(rng.sample(WORDS, 2)))
        elif roll < 0.7 and source.rowCount():
            row = min(row, source.rowCount() - 1)
            source.removeRows(row, rng.randint(1, min(3, source.rowCount() - row)))
        elif source.rowCount():
            row = min(row, source.rowCount() - 1)
            source.setData(source.index(row), " ".join(rng.sample(WORDS, 2)))  # may enter or leave the filter
        assert _shown(proxy) == _expected(source, needle), f"step {step}"
        for r in range(proxy.rowCount()):
            assert proxy.mapFromSource(proxy.mapToSource(proxy.index(r, 0))).row() == r


def test_one_inserted_row_is_one_inserted_proxy_row_not_a_reset(models) -> None:  # type: ignore[no-untyped-def]
    source, proxy = models
    proxy.set_filter(_filter(source, "oil"))
    events: list[str] = []
    proxy.modelReset.connect(lambda: events.append("reset"))
    proxy.rowsInserted.connect(lambda parent, first, last: events.append(f"insert {first}-{last}"))
    source.insertRows(0, 1)
    assert events == []  # an empty row is not "oil": nothing shown changes
    source.setData(source.index(0), "oil first")
    assert events == ["insert 0-0"]
    assert _shown(proxy)[0] == "oil first"


def test_a_view_over_it_follows_a_filter_change(models, qtbot) -> None:  # type: ignore[no-untyped-def]
    source, proxy = models
    view = QListView()
    view.setUniformItemSizes(True)
    view.setModel(proxy)
    qtbot.addWidget(view)
    view.show()
    proxy.set_filter(_filter(source, "grain"))
    assert view.model().rowCount() == len(_expected(source, "grain"))
    first = proxy.index(0, 0)
    assert "grain" in first.data(Qt.ItemDataRole.DisplayRole)
    assert not proxy.index(proxy.rowCount(), 0).isValid() and not proxy.parent(first).isValid()
    assert proxy.rowCount(first) == 0 and proxy.mapFromSource(QModelIndex()) == QModelIndex()


@pytest.mark.parametrize("needle", [None, "a"])
def test_rows_read_their_own_data_while_rows_come_and_go(qapp, needle: str | None) -> None:  # type: ignore[no-untyped-def]
    """Qt's C++ tester, attached before the changes, checks the rows either side of each insert and removal
    read the same data before and after it (a proxy that announced a change after the source had shifted
    its rows showed the next row's data meanwhile)."""
    from PySide6.QtTest import QAbstractItemModelTester

    source = QStringListModel(["a1", "b2", "a3", "a4"])
    proxy = AcceptedRows()
    proxy.setSourceModel(source)
    proxy.set_filter(_filter(source, needle))
    tester = QAbstractItemModelTester(proxy, QAbstractItemModelTester.FailureReportingMode.Warning)  # noqa: F841
    for row in (0, 2, 4, 1):
        source.insertRows(row, 1)
        source.setData(source.index(row), f"a-new{row}")
    source.removeRows(1, 2)
    source.removeRows(0, 1)
    assert _shown(proxy) == _expected(source, needle)
