"""Re-anchoring a colleague's passages onto another version of the article."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core import anchoring, documents, model, reanchor


def sentence_annotations(text: str, tag: str = "claim") -> list[model.Annotation]:
    doc = model.Document(documents.fingerprint(text), "t", "", text)
    made = []
    for m in re.finditer(r"[^.\n]+\.", text):
        a = anchoring.new_annotation(doc, m.start(), m.end(), tag, author="them")
        if a is not None:
            made.append(a)
    return made


@pytest.fixture
def seed(seed_path: Path) -> str:
    return documents.load(seed_path).text


def test_the_same_text_places_everything_exactly_where_it_was(seed: str) -> None:
    made = sentence_annotations(seed)
    result = reanchor.reanchor(made, seed, seed, document="f" * 64)
    assert result.orphans == ()
    assert all(p.method == reanchor.EXACT and p.score == 1.0 for p in result.placed)
    assert [(p.annotation.start, p.annotation.end) for p in result.placed] == [(a.start, a.end) for a in made]
    assert all(p.annotation.document == "f" * 64 and p.annotation.id == p.original.id for p in result.placed)


def test_text_map_shifts_offsets_past_an_insertion(seed: str) -> None:
    inserted = "A new opening paragraph, added by the editor.\n\n"
    cut = seed.index("In another sign")
    edited = seed[:cut] + inserted + seed[cut:]
    mapping = reanchor.text_map(seed, edited)
    assert mapping(10) == 10
    assert mapping(cut + 50) == cut + 50 + len(inserted)
    assert mapping(len(seed)) == len(edited)
    assert 0.9 < mapping.similarity <= 1.0


def test_an_edited_copy_with_crlf_line_endings(seed: str) -> None:
    """The issue's case: a few words changed, CRLF line endings; nothing is lost."""
    edited = seed.replace("Lavrov on Oct. 28", "Lavrov, the minister, on Oct. 28")
    edited = edited.replace("warming relations", "warmer ties").replace("since 2014", "since 2013")
    edited = edited.replace("\n", "\r\n")
    made = sentence_annotations(seed)
    result = reanchor.reanchor(made, seed, edited, document="e" * 64)
    assert result.orphans == ()
    counts = result.counts()
    assert counts[reanchor.EXACT] >= len(made) - 4
    by_id = {p.original.id: p for p in result.placed}
    for a in made:
        placed = by_id[a.id]
        assert edited[placed.annotation.start : placed.annotation.end] == placed.annotation.quote
        if placed.method == reanchor.EXACT:
            assert placed.annotation.quote == a.quote
    changed = [p for p in result.placed if p.method != reanchor.EXACT]
    assert changed, "the edited sentences cannot be exact"
    for p in changed:
        assert p.method in (reanchor.WHITESPACE, reanchor.FUZZY)
        assert anchoring.MIN_SCORE <= p.score <= 1.0
    lavrov = next(p for p in result.placed if "Lavrov" in p.original.quote)
    # The edited sentence is found from its start; where an inserted phrase ends it is a trade-off
    # between the quote's edits and the context's, as in match-quote.ts.
    assert lavrov.annotation.quote.startswith("Al-monitor") and "Lavrov, the" in lavrov.annotation.quote


def test_a_moved_paragraph_is_found_and_marked_moved(seed: str) -> None:
    lines = seed.split("\n")
    moved_text = next(line for line in lines if line.startswith("In another sign"))
    edited = "\n".join([line for line in lines if line is not moved_text] + [moved_text])
    target = seed.index("Given these developments")
    doc = model.Document(documents.fingerprint(seed), "t", "", seed)
    a = anchoring.new_annotation(doc, target, target + 60, "claim", author="them")
    assert a is not None
    result = reanchor.reanchor([a], seed, edited, document="m" * 64)
    (placed,) = result.placed
    assert placed.annotation.quote == a.quote
    assert placed.annotation.start == edited.index(a.quote)
    assert placed.method == reanchor.MOVED
    assert abs(placed.annotation.start - a.start) > 1000  # it really moved


def test_a_deleted_passage_is_an_orphan_with_its_quote(seed: str) -> None:
    made = sentence_annotations(seed)
    victim = next(a for a in made if "Shanghai Cooperation" in a.quote)
    edited = seed.replace(victim.quote, "")
    result = reanchor.reanchor(made, seed, edited, document="d" * 64)
    assert [o.id for o in result.orphans] == [victim.id]
    assert result.orphans[0].quote == victim.quote
    assert len(result.placed) == len(made) - 1


def test_a_rewritten_passage_is_not_forced_onto_unrelated_text(seed: str) -> None:
    doc = model.Document(documents.fingerprint(seed), "t", "", seed)
    start = seed.index("Hamidreza Azizi")
    a = anchoring.new_annotation(doc, start, start + len("Hamidreza Azizi"), "claim", author="them")
    assert a is not None
    edited = seed.replace("Hamidreza Azizi", "Q. Z. Xyvrrtq")
    result = reanchor.reanchor([a], seed, edited, document="r" * 64)
    assert result.placed == () or result.placed[0].score >= anchoring.MIN_SCORE
    assert not any(p.annotation.quote == "Hamidreza Azizi" for p in result.placed)


def test_a_re_extracted_html_version_places_most_passages(seed: str) -> None:
    paragraphs = [p for p in seed.split("\n\n") if p.strip()]
    html = (
        "<html><head><title>x</title></head><body>"
        + "".join(f"<p>{p.replace('&', '&amp;').replace('<', '&lt;')}</p>\n" for p in paragraphs)
        + "</body></html>"
    )
    extracted = documents.from_html(html).text
    assert extracted != seed
    made = sentence_annotations(seed)
    mapping = reanchor.text_map(seed, extracted)
    assert mapping.similarity > 0.8
    result = reanchor.reanchor(made, seed, extracted, document="h" * 64, mapping=mapping)
    assert len(result.placed) >= 0.9 * len(made)
    for p in result.placed:
        assert extracted[p.annotation.start : p.annotation.end] == p.annotation.quote


def test_a_different_article_is_not_similar(seed: str, testdata: Path) -> None:
    other = documents.load(testdata / "texts" / "federalist" / "Federalist1.txt").text
    assert reanchor.text_map(seed, other).similarity < 0.1
    assert reanchor.text_map(other, other.replace("\n", "\r\n")).similarity > 0.9


def test_persian_text_with_zwnj_is_placed_on_an_edited_copy(testdata: Path) -> None:
    text = documents.load(testdata / "texts" / "udhr" / "udhr_pes_1.txt").text
    assert "\u200c" in text  # zero-width non-joiners inside words
    doc = model.Document(documents.fingerprint(text), "t", "", text)
    made = [
        a
        for a in (
            anchoring.new_annotation(doc, s, s + 40, "claim", author="x")
            for s in range(0, len(text) - 60, len(text) // 25)
        )
        if a is not None
    ]
    preface = "مقدمه\n\n"
    result = reanchor.reanchor(made, text, preface + text, document="p" * 64)
    assert result.orphans == ()
    assert all(p.method == reanchor.EXACT for p in result.placed)
    assert all(p.annotation.start == p.original.start + len(preface) for p in result.placed)
    other = documents.load(testdata / "texts" / "udhr" / "udhr_pes_2.txt").text
    assert reanchor.text_map(text, other).similarity < reanchor.text_map(text, preface + text).similarity


words = st.lists(
    st.sampled_from(["alpha", "beta", "gamma", "delta", "Iran", "Russia", "2014", "—", "ship"]),
    min_size=30,
    max_size=120,
)


@settings(max_examples=40, deadline=None)
@given(words, st.integers(0, 10_000), st.text(alphabet="xyz ", min_size=1, max_size=30))
def test_passages_away_from_an_edit_keep_their_text(tokens: list[str], seed_int: int, insertion: str) -> None:
    text = " ".join(f"{w}{i}" for i, w in enumerate(tokens))  # unique words: positions are unambiguous
    doc = model.Document(documents.fingerprint(text), "t", "", text)
    cut = seed_int % len(text)
    edited = text[:cut] + insertion + text[cut:]
    made = []
    for k in range(0, len(text) - 20, 17):
        a = anchoring.new_annotation(doc, k, k + 15, "claim", author="x")
        if a is not None and not a.start <= cut <= a.end:  # an insertion touching a word joins it
            made.append(a)
    result = reanchor.reanchor(made, text, edited, document="h" * 64)
    assert result.orphans == ()
    for p in result.placed:
        assert p.annotation.quote == p.original.quote
        shift = len(insertion) if p.original.start >= cut else 0
        assert p.annotation.start == p.original.start + shift
