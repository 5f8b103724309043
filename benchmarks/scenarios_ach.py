"""The ACH view (issue 17): a rating typed on a cell until the view has repainted, against a floor.

Warrant: 20 hypotheses x ``count`` evidence passages (500 in the plan), about half the cells rated, in
the real :class:`desktop.ui.ach_view.AchView` (sorted by diagnosticity, so a rating may also move its row
and, when the ranking changes, the columns). A sample is ``C``/``I``/``N`` pressed on a random cell, through
the edit (the rating saved with its own commit, ``synchronous=FULL``), the view's refresh (one row
re-read, the column's scores, the ranking), until the table's viewport has painted.

Floor: the same matrix in a plain table model over a list of lists, shown in a QTableView of the same size;
a sample is one ``UPDATE`` of the same rating table with its commit (WAL, ``synchronous=FULL``), the cell
set in the list, one ``dataChanged`` of that cell, until the viewport has painted.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableView

from benchmarks import measure
from benchmarks.scenarios_window import PaintCounter, app, pump_until, settle
from desktop.core import anchoring, assessment, documents, store
from desktop.ui import ach_view

HYPOTHESES = 20
RATED = 0.5
KEYS = {"C": Qt.Key.Key_C, "I": Qt.Key.Key_I, "N": Qt.Key.Key_N}


def _build(path: Path, evidence: int, rng: random.Random) -> tuple[store.Store, list[str], list[str]]:
    paragraphs = [f"Hypothesis {i}: the event was caused by factor {i}." for i in range(HYPOTHESES)]
    paragraphs += [
        f"Report {i} says the convoy {rng.choice(['left', 'stayed', 'turned'])} at dawn." for i in range(evidence)
    ]
    text = "\n\n".join(paragraphs) + "\n"
    s = store.Store.open(path, annotator="bench")
    doc = s.add_document(documents.from_text(text, "ach-bench.txt"))
    anns = []
    offset = 0
    for i, paragraph in enumerate(paragraphs):
        made = anchoring.new_annotation(
            doc, offset, offset + len(paragraph), "claim" if i < HYPOTHESES else "evidence", author="bench"
        )
        assert made is not None
        anns.append(made)
        offset += len(paragraph) + 2
    s.insert_annotations(anns)
    h_ids = [a.id for a in anns[:HYPOTHESES]]
    e_ids = [a.id for a in anns[HYPOTHESES:]]
    s.insert_assessments(
        hypotheses=[
            assessment.model.Hypothesis(h, "bench", f"2026-01-01T00:00:{i:02d}.000Z") for i, h in enumerate(h_ids)
        ],
        ratings=[
            assessment.model.AchRating(
                e, h, rng.choice(assessment.model.ACH_RATINGS), "bench", "2026-01-01T00:00:00.000Z"
            )
            for e in e_ids
            for h in h_ids
            if rng.random() < RATED
        ],
    )
    return s, e_ids, h_ids


class _Plain(QAbstractTableModel):
    """The floor's model: a list of lists of text."""

    def __init__(self, rows: list[list[str]]) -> None:
        super().__init__()
        self.rows = rows

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows[0])

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return self.rows[index.row()][index.column()] if role == Qt.ItemDataRole.DisplayRole else None


def scenario_ach(folder: Path, article: str, count: int, repeat: int) -> dict[str, Any]:
    """A rating key on a cell of a 20 x ``count`` matrix until the view has repainted; and the floor."""
    del article
    app()
    rng = random.Random(17)
    scratch = folder / "work" / f"ach-{os.getpid()}"
    scratch.mkdir(parents=True, exist_ok=True)
    path = scratch / "ach.warrant"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    s, e_ids, h_ids = _build(path, count, rng)

    def apply(edit: assessment.Edit) -> None:
        view.refresh(edit.do(s))

    view = ach_view.AchView(s, apply)
    view.resize(1200, 800)
    view.sort_by_diagnosticity()
    view.show()
    settle()
    painted = PaintCounter(view.table.viewport())
    changed = [0]
    view.model.dataChanged.connect(lambda *_: changed.__setitem__(0, changed[0] + 1))
    m = view.model
    samples: list[float] = []
    for i in range(repeat + 5):
        row = rng.randrange(m.rowCount())
        column = ach_view.FIRST_HYPOTHESIS + rng.randrange(HYPOTHESES)
        view.table.setCurrentIndex(view.proxy.mapFromSource(m.index(row, column)))
        view.table.scrollTo(view.table.currentIndex())
        held = m.rating(m.evidence_id(row), m.hypothesis_id(column) or "")
        letter = rng.choice([k for k in KEYS if k != held])
        settle()
        before, paints = changed[0], painted.count
        t0 = time.perf_counter()
        QTest.keyClick(view.table, KEYS[letter])
        t1 = pump_until(lambda b=before, p=paints: changed[0] > b and painted.count > p)
        if i >= 5:
            samples.append(t1 - t0)
    peak = measure.peak_rss_mb()
    matrix = assessment.matrix(s)
    view.close()
    s.close()
    floor = _floor(scratch, matrix, repeat, rng)
    return {"warrant": samples, "floor": floor, "peak_rss_mb": peak, "cells": len(matrix.cells)}


def _floor(scratch: Path, matrix: assessment.Matrix, repeat: int, rng: random.Random) -> list[float]:
    path = scratch / "floor.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(
        "CREATE TABLE ach_ratings (evidence TEXT, hypothesis TEXT, rating TEXT, PRIMARY KEY (evidence, hypothesis))"
    )
    conn.executemany("INSERT INTO ach_ratings VALUES (?, ?, ?)", [(e, h, r) for (e, h), r in matrix.cells.items()])
    conn.commit()
    hyps = [h.id for h in matrix.hypotheses]
    rows = [
        [e.quote, f"{matrix.diagnosticity[e.id]:.2f}"] + [matrix.rating(e.id, h) or "" for h in hyps]
        for e in matrix.evidence
    ]
    plain = _Plain(rows)
    table = QTableView()
    table.setModel(plain)
    table.resize(1200, 800)
    table.show()
    settle()
    painted = PaintCounter(table.viewport())
    samples: list[float] = []
    for i in range(repeat + 5):
        r = rng.randrange(len(rows))
        c = 2 + rng.randrange(len(hyps))
        value = rng.choice([k for k in KEYS if k != rows[r][c]])
        index = plain.index(r, c)
        table.scrollTo(index)
        settle()
        paints = painted.count
        t0 = time.perf_counter()
        conn.execute(
            "INSERT INTO ach_ratings VALUES (?, ?, ?) ON CONFLICT (evidence, hypothesis) DO UPDATE SET rating = excluded.rating",
            (matrix.evidence[r].id, hyps[c - 2], value),
        )
        conn.commit()
        rows[r][c] = value
        plain.dataChanged.emit(index, index)
        t1 = pump_until(lambda p=paints: painted.count > p)
        if i >= 5:
            samples.append(t1 - t0)
    table.close()
    conn.close()
    return samples
