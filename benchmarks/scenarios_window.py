"""Scenarios that drive the real window in this (child) process: open, tag, filter and search.

Each function returns a result dict (``warrant`` and ``floor`` sample lists in seconds, plus extras)
that :mod:`benchmarks.child` prints for the parent. Times run from the user's action to the moment
the changed view has painted, by pumping the event loop with ``processEvents``.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QWidget

from benchmarks import data, measure

TIMEOUT_S = 60.0
IDLE_S = 0.002


class PaintCounter(QObject):
    """Counts the paint events a widget receives."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def app() -> QApplication:
    """The QApplication of this process."""
    instance = QApplication.instance() or QApplication(["warrant-bench"])
    assert isinstance(instance, QApplication)
    return instance


def pump_until(done: Callable[[], bool]) -> float:
    """Process events until ``done()``; return the time it became true."""
    qapp = app()
    deadline = time.perf_counter() + TIMEOUT_S
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError("the window did not get there within a minute")
        qapp.processEvents()
    return time.perf_counter()


def settle() -> float:
    """Process events until the loop is idle (three quick turns in a row); return when idleness began."""
    qapp = app()
    quiet = 0
    began = time.perf_counter()
    deadline = began + TIMEOUT_S
    while quiet < 3 and time.perf_counter() < deadline:
        t = time.perf_counter()
        qapp.processEvents()
        if time.perf_counter() - t < IDLE_S:
            if quiet == 0:
                began = t
            quiet += 1
        else:
            quiet = 0
    return began


def _window() -> Any:
    app()
    from desktop.ui import main_window

    window = main_window.MainWindow()
    window.resize(1280, 820)
    window.show()
    window.activateWindow()
    settle()
    return window


def _open(window: Any, fix: data.Fixture, work: Path) -> None:
    window.open_path(str(fix.article), annotation_file=str(work))


def scenario_open(folder: Path, article: str, count: int, repeat: int) -> dict[str, Any]:
    """Open an article with its annotation file in a running window: to first paint, and to idle."""
    fix = data.fixture(folder, article, count)
    seed = data.fixture(folder, "seed", 0)
    scratch = folder / "work" / f"open-{os.getpid()}"
    work = data.working_copy(fix, scratch)
    seed_work = data.working_copy(seed, scratch)
    window = _window()
    painted = PaintCounter(window.reader.viewport())
    first: list[float] = []
    usable: list[float] = []
    for i in range(repeat + 1):
        _open(window, seed, seed_work)
        settle()
        before = painted.count
        t0 = time.perf_counter()
        _open(window, fix, work)
        t1 = pump_until(lambda b=before: painted.count > b)
        t2 = settle()
        if i:  # the first round is the warm-up
            first.append(t1 - t0)
            usable.append(max(t2, t1) - t0)
    peak = measure.peak_rss_mb()
    window.close()

    app()
    floor = QPlainTextEdit()
    floor.resize(window.reader.size())
    floor.show()
    floor_painted = PaintCounter(floor.viewport())
    floor_first: list[float] = []
    floor_usable: list[float] = []
    for i in range(repeat + 1):
        floor.setPlainText("")
        settle()
        before = floor_painted.count
        t0 = time.perf_counter()
        floor.setPlainText(fix.article.read_text(encoding="utf-8"))
        t1 = pump_until(lambda b=before: floor_painted.count > b)
        t2 = settle()
        if i:
            floor_first.append(t1 - t0)
            floor_usable.append(max(t2, t1) - t0)
    return {
        "first": {"warrant": first, "floor": floor_first},
        "usable": {"warrant": usable, "floor": floor_usable},
        "peak_rss_mb": peak,
        "blocks": window.reader.document().blockCount(),
    }


def _passage(text: str, rng: random.Random) -> tuple[int, int]:
    while True:
        start = rng.randrange(0, len(text) - 300)
        space = text.find(" ", start)
        start = space + 1 if space >= 0 else start
        end = start + rng.randint(30, 200)
        if text[start:end].strip():
            return start, end


def _floor_inserts(folder: Path, fix: data.Fixture, rows: int, repeat: int) -> list[float]:
    """The least a tag can do: INSERT + commit (WAL, synchronous=FULL), one highlight painted, one row shown.

    The article is shown in a QPlainTextEdit and the ``rows`` annotations' quotes in a QListView over a
    QStringListModel; per sample: one INSERT and its commit, the passage's background set with one
    ``mergeCharFormat``, one row inserted in the model at its place, then the event loop runs until
    both views have painted.
    """
    from PySide6.QtCore import QStringListModel
    from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
    from PySide6.QtWidgets import QListView, QSplitter

    _, annotations, _ = data.load_rows(fix)
    path = folder / f"floor-{os.getpid()}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    columns = list(annotations[0].__dataclass_fields__)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(f"CREATE TABLE annotations ({', '.join(repr(c) for c in columns)}, PRIMARY KEY (id))")
    conn.execute('CREATE INDEX by_position ON annotations (document, start, "end")')
    placeholders = ", ".join("?" for _ in columns)
    conn.executemany(
        f"INSERT INTO annotations VALUES ({placeholders})",
        [tuple(getattr(a, c) for c in columns) for a in annotations[:rows]],
    )
    conn.commit()
    splitter = QSplitter()
    text_view = QPlainTextEdit()
    text_view.setPlainText(fix.article.read_text(encoding="utf-8"))
    listing = QListView()
    listing.setUniformItemSizes(True)
    model = QStringListModel([a.quote for a in annotations[:rows]], listing)
    listing.setModel(model)
    splitter.addWidget(text_view)
    splitter.addWidget(listing)
    splitter.resize(1280, 820)
    splitter.show()
    settle()
    text_painted = PaintCounter(text_view.viewport())
    list_painted = PaintCounter(listing.viewport())
    highlight = QTextCharFormat()
    highlight.setBackground(QColor("#e6a23c"))
    text = text_view.toPlainText()
    rng = random.Random(11)
    template = annotations[0]
    samples = []
    for i in range(repeat + 5):
        start, end = _passage(text, rng)
        values = (f"floor-{i}", *(getattr(template, c) for c in columns[1:]))
        cursor = text_view.textCursor()
        cursor.setPosition(start)
        text_view.setTextCursor(cursor)  # the passage on screen, as the selection is in Warrant's run
        settle()
        painted = (text_painted.count, list_painted.count)
        t0 = time.perf_counter()
        conn.execute(f"INSERT INTO annotations VALUES ({placeholders})", values)
        conn.commit()
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(highlight)
        row = min(i, model.rowCount())
        model.insertRows(row, 1)
        model.setData(model.index(row), text[start:end])
        t1 = pump_until(lambda p=painted: text_painted.count > p[0] and list_painted.count > p[1])
        if i >= 5:
            samples.append(t1 - t0)
    splitter.close()
    conn.close()
    return samples


def scenario_tag(folder: Path, article: str, count: int, repeat: int) -> dict[str, Any]:
    """Key press (1, 2 or 3) on a selected passage to its row inserted and the passage repainted."""
    fix = data.fixture(folder, article, count)
    scratch = folder / "work" / f"tag-{os.getpid()}"
    work = data.working_copy(fix, scratch)
    window = _window()
    _open(window, fix, work)
    settle()
    reader = window.reader
    reader.setFocus()
    painted = PaintCounter(reader.viewport())
    inserted = [0]
    window.pane.model.rowsInserted.connect(lambda *_: inserted.__setitem__(0, inserted[0] + 1))
    text = window.session.document.text
    rng = random.Random(11)
    keys = (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3)
    samples: list[float] = []
    for i in range(repeat + 5):
        start, end = _passage(text, rng)
        reader.select_cp(start, end)
        settle()
        rows, paints = inserted[0], painted.count
        t0 = time.perf_counter()
        QTest.keyClick(reader, keys[i % 3])
        t1 = pump_until(lambda r=rows, p=paints: inserted[0] > r and painted.count > p)
        if i >= 5:
            samples.append(t1 - t0)
    added = len(window.session.annotations) - count
    peak = measure.peak_rss_mb()
    window.close()
    floor = _floor_inserts(scratch, fix, count, repeat)
    return {"warrant": samples, "floor": floor, "peak_rss_mb": peak, "tagged": added}


def scenario_filter(folder: Path, article: str, count: int, repeat: int) -> dict[str, Any]:
    """Filter the pane to one tag, and search its quotes and notes, until the list has repainted."""
    fix = data.fixture(folder, article, count)
    scratch = folder / "work" / f"filter-{os.getpid()}"
    work = data.working_copy(fix, scratch)
    window = _window()
    _open(window, fix, work)
    settle()
    pane = window.pane
    painted = PaintCounter(pane.view.viewport())

    def change(action: Callable[[], None]) -> float:
        before = painted.count
        t0 = time.perf_counter()
        action()
        return pump_until(lambda: painted.count > before) - t0

    tag_samples: list[float] = []
    search_samples: list[float] = []
    words = ("moscow", "tehran", "sanctions", "syria", "lavrov")
    shown: dict[str, int] = {}
    for i in range(repeat + 1):
        t = change(lambda: pane.proxy.set_tags(["claim"]))
        shown["tag"] = pane.proxy.rowCount()
        pane.proxy.set_tags(None)
        settle()
        word = words[i % len(words)]
        s = change(lambda w=word: pane.search.setText(w))
        shown["search"] = pane.proxy.rowCount()
        pane.search.clear()
        settle()
        if i:
            tag_samples.append(t)
            search_samples.append(s)
    rows = window.pane.model.annotations()
    peak = measure.peak_rss_mb()
    window.close()

    floor_tag = measure.timed(lambda: [a for a in rows if a.tag in {"claim"}], repeat=repeat)
    floor_search: list[float] = []
    folded = [(a.quote.casefold(), a.note.casefold()) for a in rows]  # folded once, as Warrant caches them
    for i in range(repeat + 1):
        needle = words[i % len(words)]
        t0 = time.perf_counter()
        [i for i, (q, n) in enumerate(folded) if needle in q or needle in n]
        if i:
            floor_search.append(time.perf_counter() - t0)
    return {
        "tag": {"warrant": tag_samples, "floor": floor_tag},
        "search": {"warrant": search_samples, "floor": floor_search},
        "peak_rss_mb": peak,
        "rows": len(rows),
        "shown": shown,
    }
