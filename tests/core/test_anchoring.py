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


# -- match_quote ---------------------------------------------------------------------------------


def _at(found: anchoring.Placement | None) -> tuple[int, int, str] | None:
    return None if found is None else (found.start, found.end, found.method)


def test_match_quote_ranks_by_context_then_position() -> None:
    text = "the cat sat. a dog ran. the cat ran. the cat sat."
    occurrences = [i for i in range(len(text)) if text.startswith("cat", i)]
    assert occurrences == [4, 28, 41]
    assert _at(anchoring.match_quote(text, "cat", hint=28)) == (28, 31, "exact")
    # The hint is off: the nearest occurrence wins when no context is given.
    assert _at(anchoring.match_quote(text, "cat", hint=30)) == (28, 31, "exact")
    assert _at(anchoring.match_quote(text, "cat", hint=45)) == (41, 44, "exact")
    # Context beats distance: " ran" follows only the second one.
    assert _at(anchoring.match_quote(text, "cat", suffix=" ran.", hint=0)) == (28, 31, "exact")
    found = anchoring.match_quote(text, "cat", prefix="ran. the ", suffix=" sat.", hint=0)
    assert _at(found) == (41, 44, "exact")
    assert found is not None and 0.9 < found.score <= 1.0
    # No hint, no context: the first.
    assert _at(anchoring.match_quote(text, "cat")) == (4, 7, "exact")


def test_match_quote_when_absent_or_empty() -> None:
    assert anchoring.match_quote("abc", "") is None
    assert anchoring.match_quote("abc", "   ") is None
    assert anchoring.match_quote("abc", "x", hint=1) is None
    assert _at(anchoring.match_quote("a b c", "c", hint=-1)) == (4, 5, "exact")
    assert _at(anchoring.match_quote("a b c", "c", hint=99)) == (4, 5, "exact")
    assert anchoring.match_quote("a completely different text", "Hamidreza Azizi wrote") is None


def test_white_space_and_bullets_are_ignored_when_the_exact_quote_is_absent() -> None:
    text = "Rights\n\n\u2022 Everyone has the right to life.\n\u2022 No one shall be held in slavery."
    browser = "the right to life.\n        \n        No one shall"
    found = anchoring.match_quote(text, browser)
    assert found is not None and found.method == anchoring.WHITESPACE and found.score == 1.0
    assert text[found.start : found.end] == "the right to life.\n\u2022 No one shall"
    # A bullet the browser did not copy at the start of a quote is skipped too.
    found = anchoring.match_quote(text, "\u2022Everyone has")
    assert found is not None and text[found.start : found.end] == "Everyone has"


def test_an_approximate_match_is_scored_and_never_cut_mid_word() -> None:
    text = "Intro. The government of the people, by the people, for the people. Outro."
    found = anchoring.match_quote(text, "govrnment of the peple, by the people", hint=11)
    assert found is not None and found.method == anchoring.FUZZY and found.errors == 2
    assert text[found.start : found.end] == "government of the people, by the people"
    assert anchoring.MIN_SCORE <= found.score < 1.0
    # "government" inside "governments": not an exact placement mid-word.
    found = anchoring.match_quote("the governments of x", "government")
    assert found is not None and (found.start, found.end) == (4, 15) and found.method == anchoring.FUZZY
    # Unless the quote itself was cut mid-word (its suffix begins inside the word).
    found = anchoring.match_quote("the governments of x", "government", suffix="s of x")
    assert _at(found) == (4, 14, "exact")
    # Too many errors (more than half the quote): an orphan.
    assert anchoring.match_quote(text, "gxvxrxmxnx xf xhx pxoxlx") is None


@given(TEXTS, st.data())
@settings(max_examples=200, deadline=None)
def test_match_quote_finds_a_selection_again(text: str, data: st.DataObject) -> None:
    assume(text.strip())
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    sel = anchoring.select(text, start, end)
    assume(sel.exact.strip())
    found = anchoring.match_quote(text, sel.exact, sel.prefix, sel.suffix, hint=start)
    assert found is not None
    assert (found.start, found.end, found.method) == (start, end, "exact")


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
            found = anchoring.match_quote(doc.text, ann.quote, ann.prefix, ann.suffix)
            assert found is not None
            if (found.start, found.end) != (ann.start, ann.end):
                # Only an occurrence with the very same context may win (the .txt files repeat list items).
                again = anchoring.select(doc.text, found.start, found.end)
                assert (again.exact, again.prefix, again.suffix) == (ann.quote, ann.prefix, ann.suffix), path.name
            hinted = anchoring.match_quote(doc.text, ann.quote, ann.prefix, ann.suffix, hint=ann.start)
            assert _at(hinted) == (ann.start, ann.end, "exact")
