"""Case-file operations: add, remove and rename an article; undo, redo and a reopen each time."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.core import anchoring, casefile, errors, model, operations, store


def _doc(fp: str, title: str, text: str) -> model.Document:
    return model.Document(fingerprint=fp, title=title, path=f"/tmp/{fp}.txt", text=text, added=model.now_utc())


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    """Read the file with plain sqlite3: an independent look at what is on disk."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture
def case(tmp_path: Path) -> tuple[store.Store, Path, list[model.Annotation]]:
    path = tmp_path / "case.warrant"
    st = store.Store.open(path, annotator="Ana")
    first = st.add_document(_doc("a" * 64, "First", "Iran and Russia agreed. Sanctions bite hard."))
    second = st.add_document(_doc("b" * 64, "Second", "Grain flows through the Caspian corridor."))
    assert first is not None and second is not None
    made = [
        anchoring.new_annotation(first, 0, 22, "claim", author="Ana"),
        anchoring.new_annotation(second, 0, 11, "evidence", author="Ana"),
        anchoring.new_annotation(second, 12, 17, "evidence", author="Ana"),
    ]
    anns = [a for a in made if a is not None]
    st.insert_annotations(anns, [model.Link(model.new_id(), anns[1].id, anns[0].id, "supports", "Ana")])
    return st, path, anns


def test_remove_takes_passages_and_links_and_undo_puts_them_back(case) -> None:  # type: ignore[no-untyped-def]
    st, path, anns = case
    before_links = _rows(path, "SELECT id, source, target, relation FROM links")
    outcome = casefile.remove_document(st, "b" * 64)
    assert set(outcome.changes.removed) == {anns[1].id, anns[2].id}
    assert outcome.changes.documents == ("b" * 64,)
    assert _rows(path, "SELECT fingerprint FROM documents") == [("a" * 64,)]
    assert _rows(path, "SELECT count(*) FROM links") == [(0,)]
    operations.undo(st, outcome)
    st.close()
    st = store.Store.open(path)  # reopen: the undo was written
    assert [d.title for d in st.documents()] == ["First", "Second"]
    assert {a.id for a in st.annotations("b" * 64)} == {anns[1].id, anns[2].id}
    assert _rows(path, "SELECT id, source, target, relation FROM links") == before_links
    operations.redo(st, outcome)
    st.close()
    assert _rows(path, "SELECT fingerprint FROM documents") == [("a" * 64,)]
    assert _rows(path, "SELECT count(*) FROM annotations") == [(1,)]


def test_the_only_article_is_not_removed(case) -> None:  # type: ignore[no-untyped-def]
    st, path, _anns = case
    casefile.remove_document(st, "b" * 64)
    with pytest.raises(errors.StoreError, match="at least one article"):
        casefile.remove_document(st, "a" * 64)
    assert _rows(path, "SELECT count(*) FROM documents") == [(1,)]


def test_add_and_its_undo(case) -> None:  # type: ignore[no-untyped-def]
    st, path, _anns = case
    outcome = casefile.add_document(st, _doc("c" * 64, "Third", "Drones over the border."))
    assert outcome.changes.documents == ("c" * 64,)
    assert not casefile.add_document(st, _doc("c" * 64, "Again", "Drones over the border."))  # already there
    operations.undo(st, outcome)
    assert _rows(path, "SELECT count(*) FROM documents WHERE fingerprint = 'ccc'") == [(0,)]
    operations.redo(st, outcome)
    st.close()
    assert ("Third",) in _rows(path, "SELECT title FROM documents")


def test_rename_keeps_the_passages(case) -> None:  # type: ignore[no-untyped-def]
    st, path, anns = case
    changes, old = casefile.set_title(st, "a" * 64, "  Moscow\nand Tehran  ")
    assert changes.documents == ("a" * 64,) and old.title == "First"
    assert _rows(path, "SELECT title FROM documents WHERE fingerprint = '" + "a" * 64 + "'") == [("Moscow and Tehran",)]
    assert _rows(path, "SELECT count(*) FROM annotations") == [(len(anns),)]
    for bad in ("", "   ", "x" * (casefile.TITLE_LIMIT + 1)):
        with pytest.raises(errors.StoreError):
            casefile.set_title(st, "a" * 64, bad)
    st.close()


def test_counts_per_document(case) -> None:  # type: ignore[no-untyped-def]
    st, _path, _anns = case
    assert st.annotation_counts() == {"a" * 64: 1, "b" * 64: 2}
