"""The operation layer's core: each edit in one transaction, its Changes, and an exact undo and redo."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from desktop.core import anchoring, documents, errors, model, operations, store
from desktop.core.exchange import w3c

TEXT = "Alpha claims one thing. Beta gives evidence for it. Gamma gives more evidence. Delta recommends.\n"


def rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row, read with plain sqlite3."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
            for t in ("documents", "tags", "relations", "annotations", "links")
        }
    finally:
        conn.close()


@pytest.fixture
def setup(tmp_path: Path) -> tuple[store.Store, model.Document, Path]:
    article = tmp_path / "a.txt"
    article.write_text(TEXT, encoding="utf-8")
    path = tmp_path / "mine.warrant"
    st = store.Store.open(path, annotator="me")
    return st, st.add_document(documents.load(article)), path


def passage(doc: model.Document, words: str, tag: str) -> model.Annotation:
    start = doc.text.index(words)
    a = anchoring.new_annotation(doc, start, start + len(words), tag, author="me")
    assert a is not None
    return a


def roundtrip(st: store.Store, path: Path, outcome: operations.Outcome, before: dict[str, Any]) -> None:
    after = rows(path)
    assert after != before
    operations.undo(st, outcome)
    assert rows(path) == before
    operations.redo(st, outcome)
    assert rows(path) == after


def test_import_undo_removes_the_document_tags_and_relations_it_created(setup, tmp_path: Path) -> None:
    st, doc, path = setup
    other = tmp_path / "b.txt"
    other.write_text("An entirely other article, with its own claim in it.\n", encoding="utf-8")
    with store.Store.open(tmp_path / "theirs.warrant", annotator="them") as theirs:
        d = theirs.add_document(documents.load(other))
        theirs.add_tag("assumption")
        theirs.add_relation("questions")
        a, b = passage(d, "An entirely other article", "assumption"), passage(d, "its own claim", "claim")
        theirs.insert_annotations([a, b], [model.Link(model.new_id(), a.id, b.id, "questions", "them", "")])
        data = w3c.render(theirs_selection(theirs))
    before = rows(path)
    plan, report = w3c.prepare(st, w3c.read(data), documents.load(other))
    assert rows(path) == before, "prepare wrote something"
    outcome = operations.import_plan(st, plan)
    assert report.imported == 2 and outcome.changes.documents and outcome.changes.tags == ("assumption",)
    assert outcome.changes.relations == ("questions",) and len(outcome.changes.links_added) == 1
    roundtrip(st, path, outcome, before)
    operations.undo(st, outcome)
    assert [x.fingerprint for x in st.documents()] == [doc.fingerprint]


def theirs_selection(st: store.Store) -> Any:
    from desktop.core.exchange import scope

    return scope.select(st)


def test_merge_takes_over_links_and_undo_restores_them(setup) -> None:
    st, doc, path = setup
    claim = passage(doc, "Alpha claims one thing", "claim")
    ev1 = passage(doc, "Beta gives evidence for it", "evidence")
    ev2 = passage(doc, "Gamma gives more evidence", "evidence")
    links = [
        model.Link(model.new_id(), ev1.id, claim.id, "supports", "me", "1"),
        model.Link(model.new_id(), ev2.id, claim.id, "supports", "me", "2"),
    ]
    st.insert_annotations([claim, ev1, ev2], links)
    before = rows(path)
    outcome = operations.merge(st, doc, [ev2, ev1], links)
    merged = st.annotation(ev1.id)
    assert (merged.start, merged.end) == (ev1.start, ev2.end) and merged.quote == doc.text[ev1.start : ev2.end]
    assert [(k.source, k.target) for k in st.links()] == [(ev1.id, claim.id)], "the repeated link was dropped"
    assert outcome.changes.removed == (ev2.id,) and outcome.changes.changed == (ev1.id,)
    roundtrip(st, path, outcome, before)


def test_retag_note_extent_delete_link_unlink_add_tag_accept_round_trip(setup) -> None:
    st, doc, path = setup
    claim, ev = passage(doc, "Alpha claims one thing", "claim"), passage(doc, "Beta gives evidence", "evidence")
    st.insert_annotations([claim, ev])
    link = model.Link(model.new_id(), ev.id, claim.id, "supports", "me", "now")
    steps = [
        lambda: operations.retag(st, [st.annotation(claim.id), st.annotation(ev.id)], "recommendation"),
        lambda: operations.note(st, [st.annotation(claim.id)], "why"),
        lambda: operations.change_extent(st, doc, st.annotation(ev.id), ev.start, ev.end + 7),
        lambda: operations.link(st, link),
        lambda: operations.unlink(st, link.id),
        lambda: operations.delete(st, [claim.id]),
        lambda: operations.add_tag(st, "assumption", label="Assumption"),
        lambda: operations.add_relation(st, "questions"),
        lambda: operations.accept(
            st,
            operations.Accepted(
                (passage(doc, "Delta recommends", "hunch"),), tags=(model.Tag("hunch", "Hunch", "#010203"),)
            ),
        ),
    ]
    for step in steps:
        before = rows(path)
        outcome = step()
        roundtrip(st, path, outcome, before)
    assert any(t.name == "hunch" and t.colour == "#010203" for t in st.tags())


def test_a_failed_edit_writes_nothing(setup, monkeypatch: pytest.MonkeyPatch) -> None:
    st, doc, path = setup
    claim = passage(doc, "Alpha claims one thing", "claim")
    before = rows(path)
    bad_link = model.Link(model.new_id(), claim.id, "no-such-annotation", "supports", "me", "")
    with pytest.raises(errors.StoreError):
        operations.tag(st, [claim], [bad_link])  # the link's end is missing: the whole edit is refused
    assert rows(path) == before


def test_changes_name_what_changed(setup) -> None:
    st, doc, _path = setup
    a = passage(doc, "Alpha claims one thing", "claim")
    outcome = operations.tag(st, [a])
    assert outcome.changes == model.Changes(added=(a.id,))
    assert operations.undo(st, outcome) == model.Changes(removed=(a.id,))
    assert operations.retag(st, [], "claim").changes == model.Changes()


def test_tagset_looks_up_by_name_with_one_grey_fallback() -> None:
    tags = model.TagSet(model.DEFAULT_TAGS)
    assert tags.get("claim") is model.DEFAULT_TAGS[0] and "claim" in tags and len(tags) == 3
    unknown = tags.get("hunch")
    assert (unknown.name, unknown.label, unknown.colour) == ("hunch", "hunch", model.UNKNOWN_TAG_COLOUR)
    assert tags.find("hunch") is None
    new = tags.new_tag("assumption")
    assert (new.label, new.colour, new.position) == ("Assumption", model.EXTRA_TAG_COLOURS[0], 3)
    theirs = model.Tag("claim", "Their claim", "#000000")
    assert tags.with_extra([theirs, new]).get("claim") is model.DEFAULT_TAGS[0]
    assert tags.with_extra([new]).names() == ["claim", "evidence", "recommendation", "assumption"]
