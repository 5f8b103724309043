"""Search across the articles of a case file (issue 16)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from desktop.core import casefile, model


def _doc(fp: str, text: str) -> model.Document:
    return model.Document(fp, fp.upper(), f"/{fp}.txt", text)


def test_hits_in_every_document_with_exact_offsets() -> None:
    docs = [_doc("a", "Iran and Russia. IRAN again."), _doc("b", "Nothing here"), _doc("c", "Tehran, Iran")]
    hits = list(casefile.search(docs, "iran"))
    assert [(h.document, h.start, h.end) for h in hits] == [("a", 0, 4), ("a", 17, 21), ("c", 8, 12)]
    assert [h.match for h in hits] == ["Iran", "IRAN", "Iran"]
    assert hits[1].before == "Iran and Russia. " and hits[1].after == " again."


def test_case_sensitive_and_phrases_across_line_breaks() -> None:
    docs = [_doc("a", "the strategic\n  partnership and The Strategic partnership")]
    assert [h.start for h in casefile.search(docs, "The strategic partnership", case_sensitive=True)] == []
    assert [h.match for h in casefile.search(docs, "strategic partnership")] == [
        "strategic\n  partnership",
        "Strategic partnership",
    ]


def test_offsets_stay_exact_where_case_folding_changes_length() -> None:
    # "İ".lower() is two code points and "ß".casefold() is "ss": offsets must still index the original text.
    text = "Straße İstanbul STRASSE istanbul"
    hits = list(casefile.search([_doc("a", text)], "istanbul"))
    assert [(h.start, h.end, h.match) for h in hits] == [(7, 15, "İstanbul"), (24, 32, "istanbul")]


def test_blank_queries_and_the_limit() -> None:
    docs = [_doc("a", "x x x x")]
    assert list(casefile.search(docs, "   ")) == []
    assert len(list(casefile.search(docs, "x", limit=2))) == 2


@given(st.text(min_size=0, max_size=60), st.text(min_size=1, max_size=5))
def test_every_hit_is_the_text_at_its_offsets(text: str, query: str) -> None:
    for hit in casefile.search([_doc("a", text)], query):
        assert text[hit.start : hit.end] == hit.match
        assert len(hit.match.split()) == len(query.split())
