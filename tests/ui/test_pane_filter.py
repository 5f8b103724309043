"""The pane's filter (issue 15: it maps only the accepted rows): what it shows, checked against a plain list
comprehension, through tags, retags, deletes and searches, with Qt's model tester watching from the start."""

from __future__ import annotations

import dataclasses
import random

from PySide6.QtTest import QAbstractItemModelTester

from desktop.core import model
from desktop.ui import pane

WORDS = ["Moscow", "Tehran", "sanctions", "Syria", "Lavrov", "oil", "grain", "drones", "İstanbul"]
TAGS = ["claim", "evidence", "recommendation"]


def _shown(p: pane.AnnotationPane) -> list[str]:
    return [p.proxy.mapToSource(p.proxy.index(r, 0)).data(pane.models.ID_ROLE) for r in range(p.proxy.rowCount())]


def _expected(p: pane.AnnotationPane, tags: set[str] | None, needle: str) -> list[str]:
    folded = needle.casefold().strip()
    return [
        a.id
        for a in p.model.annotations()
        if (tags is None or a.tag in tags) and folded in f"{a.quote}\x00{a.note}".casefold()
    ]


def test_the_filter_shows_exactly_the_matching_rows_through_edits(qtbot) -> None:  # type: ignore[no-untyped-def]
    p = pane.AnnotationPane()
    qtbot.addWidget(p)
    tester = QAbstractItemModelTester(p.proxy, QAbstractItemModelTester.FailureReportingMode.Warning)  # noqa: F841
    rng = random.Random(5)

    def made(i: int) -> model.Annotation:
        start = rng.randrange(0, 5000)
        return model.Annotation(
            id=f"a{i:04d}",
            document="d" * 64,
            tag=rng.choice(TAGS),
            start=start,
            end=start + 10,
            quote=" ".join(rng.sample(WORDS, 3)),
            note=rng.choice(["", "see OIL"]),
            author="Ana",
            created=f"2026-01-01T00:00:{i % 60:02d}Z",
        )

    p.reset([], list(model.DEFAULT_TAGS))
    for tags, needle in (({"claim"}, ""), (None, "oil"), ({"evidence", "claim"}, "istanbul"), (None, "")):
        p.proxy.set_tags(tags)
        p.search.setText(needle)
        annotations = [made(i) for i in range(len(p.model.annotations()), len(p.model.annotations()) + 60)]
        p.added(annotations)
        assert _shown(p) == _expected(p, tags, needle)
        for a in rng.sample(p.model.annotations(), 15):  # retags move rows in and out of the filter
            new = dataclasses.replace(a, tag=rng.choice(TAGS))
            p.changed(a, new)
        assert _shown(p) == _expected(p, tags, needle)
        p.removed(rng.sample(p.model.annotations(), 10))
        assert _shown(p) == _expected(p, tags, needle)
