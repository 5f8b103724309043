"""Code-point offsets, UTF-16 offsets, quote selectors and finding quotes again."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from desktop.core import anchoring, documents, model

# Text that exercises every offset trap: astral emoji, combining marks, ZWNJ, Persian, Cyrillic.
_ALPHABET = st.one_of(
    st.sampled_from(list("ab \n\t.,")),
    st.sampled_from(["\U0001f600", "\U0001f1ee", "\U0001d11e", "\U00020000", "\U0010fffd"]),
    st.sampled_from(["\u0301", "\u0654", "\u200c", "\u200d", "\ufeff", "\u00a0"]),
    st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
    st.characters(min_codepoint=0x0400, max_codepoint=0x04FF),
    st.characters(blacklist_categories=("Cs",)),
)
TEXTS = st.text(alphabet=_ALPHABET, max_size=200)


def _doc(text: str) -> model.Document:
    return model.Document(fingerprint=documents.fingerprint(text), title="t", path="", text=text)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# -- Utf16Map ------------------------------------------------------------------------------------


@given(TEXTS)
@settings(max_examples=300, deadline=None)
def test_utf16_map_agrees_with_pythons_utf16(text: str) -> None:
    m = anchoring.Utf16Map(text)
    assert m.length == len(text)
    assert m.length_u16 == _utf16_len(text)
    for i in range(len(text) + 1):
        u16 = _utf16_len(text[:i])
        assert m.to_utf16(i) == u16
        assert m.to_code_points(u16) == i


@given(TEXTS)
@settings(max_examples=300, deadline=None)
def test_offsets_inside_a_surrogate_pair_move_past_the_character(text: str) -> None:
    m = anchoring.Utf16Map(text)
    for i, ch in enumerate(text):
        if ord(ch) > 0xFFFF:
            inside = _utf16_len(text[:i]) + 1
            assert m.to_code_points(inside) == i + 1


def test_utf16_map_on_a_known_string() -> None:
    text = "a\U0001f600b\U0001f600\U0001f600c"
    m = anchoring.Utf16Map(text)
    assert [m.to_utf16(i) for i in range(len(text) + 1)] == [0, 1, 3, 4, 6, 8, 9]
    assert [m.to_code_points(u) for u in range(10)] == [0, 1, 2, 2, 3, 4, 4, 5, 5, 6]


# -- trim and select -----------------------------------------------------------------------------


def test_trim_drops_white_space_but_not_zwnj() -> None:
    text = "  \u00a0word\u200c \n\t"
    assert anchoring.trim(text, 0, len(text)) == (3, 8)
    assert anchoring.trim("   ", 0, 3) == (3, 3)
    assert anchoring.trim("abc", -5, 99) == (0, 3)
    assert anchoring.trim("abc", 2, 1) == (2, 2)


def test_select_keeps_32_characters_either_side() -> None:
    text = "".join(chr(0x0410 + i % 32) for i in range(100))
    sel = anchoring.select(text, 40, 50)
    assert (sel.start, sel.end, sel.exact) == (40, 50, text[40:50])
    assert sel.prefix == text[8:40] and len(sel.prefix) == model.CONTEXT_CHARS
    assert sel.suffix == text[50:82]
    edge = anchoring.select(text, 3, 98)
    assert edge.prefix == text[:3] and edge.suffix == text[98:]
    with pytest.raises(ValueError):
        anchoring.select(text, 5, 4)
    with pytest.raises(ValueError):
        anchoring.select(text, 0, 101)


# -- find_exact ----------------------------------------------------------------------------------


def test_find_exact_ranks_by_context_then_hint() -> None:
    text = "the cat sat. a dog ran. the cat ran. the cat sat."
    occurrences = [i for i in range(len(text)) if text.startswith("cat", i)]
    assert occurrences == [4, 28, 41]
    # At the hint itself: taken as it is.
    assert anchoring.find_exact(text, "cat", hint=28) == anchoring.Placement(28, 31, "exact")
    # The hint is off: the nearest occurrence wins when no context is given.
    assert anchoring.find_exact(text, "cat", hint=30) == anchoring.Placement(28, 31, "quote")
    assert anchoring.find_exact(text, "cat", hint=45) == anchoring.Placement(41, 44, "quote")
    # Context beats distance: " ran" follows only the second one.
    assert anchoring.find_exact(text, "cat", suffix=" ran.", hint=0) == anchoring.Placement(28, 31, "quote")
    # Prefix and suffix together single out the last one.
    found = anchoring.find_exact(text, "cat", prefix="ran. the ", suffix=" sat.", hint=0)
    assert found == anchoring.Placement(41, 44, "quote")
    # No hint, no context: the first.
    assert anchoring.find_exact(text, "cat") == anchoring.Placement(4, 7, "quote")


def test_find_exact_when_absent_or_empty() -> None:
    assert anchoring.find_exact("abc", "") is None
    assert anchoring.find_exact("abc", "abcd") is None
    assert anchoring.find_exact("abc", "x", hint=1) is None
    assert anchoring.find_exact("abc", "c", hint=-1) == anchoring.Placement(2, 3, "quote")
    assert anchoring.find_exact("abc", "c", hint=99) == anchoring.Placement(2, 3, "quote")


@given(TEXTS, st.data())
@settings(max_examples=200, deadline=None)
def test_find_exact_finds_a_selection_again(text: str, data: st.DataObject) -> None:
    assume(text)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    sel = anchoring.select(text, start, end)
    assert anchoring.find_exact(text, sel.exact, sel.prefix, sel.suffix, hint=start) == anchoring.Placement(
        start, end, "exact"
    )
    # Without the hint, the occurrence found holds the quote; when it occurs once, it is the original.
    moved = anchoring.find_exact(text, sel.exact, sel.prefix, sel.suffix)
    assert moved is not None and text[moved.start : moved.end] == sel.exact
    if sum(text.startswith(sel.exact, i) for i in range(len(text))) == 1:
        assert (moved.start, moved.end) == (start, end)
    # The same quote in a text with something inserted before it is found at its new place.
    shifted = "\U0001f600 inserted \u200c" + text
    again = anchoring.find_exact(shifted, sel.exact, sel.prefix, sel.suffix, hint=start)
    assert again is not None and shifted[again.start : again.end] == sel.exact


# -- new_annotation ------------------------------------------------------------------------------


@given(TEXTS, st.data())
@settings(max_examples=300, deadline=None)
def test_new_annotation_quote_is_the_text_at_its_offsets(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    doc = _doc(text)
    ann = anchoring.new_annotation(doc, start, end, "claim", author="me", note="n")
    if ann is None:
        assert not text[start:end].strip()
        return
    assert text[ann.start : ann.end] == ann.quote
    assert ann.quote == text[start:end].strip()
    assert ann.prefix == text[max(0, ann.start - model.CONTEXT_CHARS) : ann.start]
    assert ann.suffix == text[ann.end : ann.end + model.CONTEXT_CHARS]
    assert (ann.document, ann.tag, ann.author, ann.note) == (doc.fingerprint, "claim", "me", "n")
    assert ann.created == ann.modified and ann.created.endswith("Z")


def test_new_annotation_refuses_ranges_outside_the_text() -> None:
    doc = _doc("hello")
    for start, end in ((-1, 2), (2, 1), (0, 6)):
        with pytest.raises(ValueError):
            anchoring.new_annotation(doc, start, end, "claim", author="me")
    assert anchoring.new_annotation(doc, 1, 1, "claim", author="me") is None
    untrimmed = anchoring.new_annotation(_doc(" a "), 0, 3, "claim", author="me", trim_whitespace=False)
    assert untrimmed is not None and untrimmed.quote == " a "


def _real_texts(testdata: Path) -> list[Path]:
    return sorted((testdata / "texts").rglob("*.txt")) + sorted((testdata / "texts").rglob("*.html"))


def test_real_texts_every_sentence_anchors_and_maps(testdata: Path) -> None:
    paths = _real_texts(testdata)
    assert len(paths) >= 9
    for path in paths:
        doc = documents.load(path)
        stored = _doc(doc.text)
        m = anchoring.Utf16Map(doc.text)
        for start in range(0, len(doc.text), 97):
            end = min(len(doc.text), start + 1 + (start * 7) % 301)
            ann = anchoring.new_annotation(stored, start, end, "evidence", author="me")
            if ann is None:
                continue
            assert doc.text[ann.start : ann.end] == ann.quote, path.name
            u16 = _utf16_len(doc.text[: ann.start])
            assert m.to_utf16(ann.start) == u16 and m.to_code_points(u16) == ann.start
            found = anchoring.find_exact(doc.text, ann.quote, ann.prefix, ann.suffix)
            assert found is not None
            if (found.start, found.end) != (ann.start, ann.end):
                # Only an occurrence with the very same context may win (the .txt files repeat list items).
                again = anchoring.select(doc.text, found.start, found.end)
                assert (again.exact, again.prefix, again.suffix) == (ann.quote, ann.prefix, ann.suffix), path.name
            hinted = anchoring.find_exact(doc.text, ann.quote, ann.prefix, ann.suffix, hint=ann.start)
            assert hinted == anchoring.Placement(ann.start, ann.end, "exact")
