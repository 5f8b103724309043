"""The codebook's edits: each one transaction, undone exactly (the tag, its place, every passage's tag), kept on reopen."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from test_operations import TEXT, passage, rows

from desktop.core import documents, errors, migrations, model, operations, store, untrusted


@pytest.fixture
def filled(tmp_path: Path) -> tuple[store.Store, model.Document, Path, list[model.Annotation]]:
    article = tmp_path / "a.txt"
    article.write_text(TEXT, encoding="utf-8")
    path = tmp_path / "mine.warrant"
    st = store.Store.open(path, annotator="me")
    doc = st.add_document(documents.load(article))
    made = [
        passage(doc, "Alpha claims one thing", "claim"),
        passage(doc, "Beta gives evidence", "evidence"),
        passage(doc, "Gamma gives more evidence", "evidence"),
        passage(doc, "Delta recommends", "recommendation"),
    ]
    link = model.Link(model.new_id(), made[1].id, made[0].id, "supports", "me", "now")
    st.insert_annotations(made, [link])
    return st, doc, path, made


def _roundtrip(st: store.Store, path: Path, outcome: operations.Outcome, before: object) -> object:
    after = rows(path)
    assert after != before
    operations.undo(st, outcome)
    assert rows(path) == before
    operations.redo(st, outcome)
    assert rows(path) == after
    return after


def tag_rows(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT * FROM tags ORDER BY position").fetchall()
    finally:
        conn.close()


STEPS = {
    "rename": lambda st: operations.rename_tag(st, "claim", "Key judgement"),
    "recolour": lambda st: operations.recolour_tag(st, "claim", "#123456"),
    "describe": lambda st: operations.describe_tag(st, "claim", "What the author asserts.\nOne per sentence."),
    "shortcut": lambda st: operations.set_tag_shortcut(st, "recommendation", "1"),
    "reorder": lambda st: operations.reorder_tags(st, ["recommendation", "claim", "evidence"]),
    "delete_reassign": lambda st: operations.delete_tag(st, "evidence", reassign_to="claim"),
    "delete_passages": lambda st: operations.delete_tag(st, "evidence"),
    "merge": lambda st: operations.merge_tags(st, "recommendation", "evidence"),
}


@pytest.mark.parametrize("step", sorted(STEPS))
def test_each_codebook_edit_is_undone_and_redone_exactly(filled, step: str) -> None:
    st, _doc, path, _made = filled
    before = rows(path)
    outcome = STEPS[step](st)
    assert outcome.changes.tags
    after = _roundtrip(st, path, outcome, before)
    st.close()
    reopened = store.Store.open(path)
    try:
        assert rows(path) == after
        operations.undo(reopened, outcome)
        assert rows(path) == before
    finally:
        reopened.close()


def test_a_key_another_tag_had_moves_in_one_step(filled) -> None:
    st, *_ = filled
    outcome = operations.set_tag_shortcut(st, "recommendation", "1")
    keys = {t.name: t.shortcut for t in st.tags()}
    assert keys["recommendation"] == "1" and keys["claim"] == ""
    assert set(outcome.changes.tags) == {"claim", "recommendation"}
    operations.undo(st, outcome)
    assert {t.name: t.shortcut for t in st.tags()}["claim"] == "1"


def test_delete_with_reassign_retags_every_passage_and_undo_restores_the_tag_in_its_place(filled) -> None:
    st, _doc, path, made = filled
    before_tags = tag_rows(path)
    outcome = operations.delete_tag(st, "evidence", reassign_to="claim")
    assert [t.name for t in st.tags()] == ["claim", "recommendation"]
    assert {a.tag for a in st.annotations()} == {"claim", "recommendation"}
    assert len(st.links()) == 1  # the link between two passages now both claims is kept
    assert set(outcome.changes.changed) == {made[1].id, made[2].id}
    operations.undo(st, outcome)
    assert tag_rows(path) == before_tags
    assert {a.id: a.tag for a in st.annotations()} == {a.id: a.tag for a in made}


def test_delete_without_reassign_deletes_passages_and_links_and_undo_brings_them_back(filled) -> None:
    st, _doc, _path, made = filled
    outcome = operations.delete_tag(st, "evidence")
    assert st.annotation_count() == 2 and st.links() == []
    assert set(outcome.changes.removed) == {made[1].id, made[2].id}
    operations.undo(st, outcome)
    assert st.annotation_count() == 4 and len(st.links()) == 1


def test_codebook_edits_refuse_what_makes_no_sense(filled) -> None:
    st, *_ = filled
    for bad in (
        lambda: operations.rename_tag(st, "claim", "   "),
        lambda: operations.recolour_tag(st, "claim", "red"),
        lambda: operations.set_tag_shortcut(st, "claim", "0"),
        lambda: operations.reorder_tags(st, ["claim", "evidence"]),
        lambda: operations.merge_tags(st, "claim", "claim"),
        lambda: operations.merge_tags(st, "claim", "nonesuch"),
        lambda: operations.describe_tag(st, "nonesuch", "x"),
    ):
        with pytest.raises(errors.StoreError):
            bad()
    assert [t.name for t in st.tags()] == ["claim", "evidence", "recommendation"]


def test_description_survives_reopen_and_the_untrusted_reader_accepts_it(filled, tmp_path: Path) -> None:
    st, _doc, path, _made = filled
    operations.describe_tag(st, "claim", "What the author asserts.")
    st.close()
    with store.Store.open(path) as again:
        assert again.format_version() == migrations.FORMAT_VERSION == 4
        assert model.TagSet(again.tags()).get("claim").description == "What the author asserts."
    opened = untrusted.open_untrusted(path)
    assert model.TagSet(opened.tags).get("claim").description == "What the author asserts."


def test_import_tags_adds_only_new_ones_in_one_undoable_step(filled) -> None:
    st, _doc, path, _made = filled
    before = rows(path)
    outcome = operations.import_tags(
        st, [model.Tag("claim", "X", "#000000"), model.Tag("gap", "Gap", "#abcdef", description="Missing")]
    )
    assert model.TagSet(st.tags()).get("claim").label == "Claim"
    assert model.TagSet(st.tags()).get("gap").description == "Missing"
    _roundtrip(st, path, outcome, before)
