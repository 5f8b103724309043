"""The anchoring engine on material shaped like what comes in: browser quotes, repeated passages, versions.

Browser quotes are made here from the UDHR pages' DOM text (lxml keeps the indentation and line
breaks between elements, as a browser's selection does); where each passage must land is found
independently, by walking the canonical text in document order with a white-space-tolerant regular
expression, so a repeated paragraph has exactly one right answer.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from desktop.core import anchoring, documents, model, reanchor

PAGES = ("udhr_eng.html", "udhr_pes_1.html", "udhr_pes_2.html", "udhr_rus.html")
BLOCKS = ("h1", "h2", "h3", "h4", "p", "li")


def _dom_text(page: Path) -> tuple[str, list[tuple[int, int]]]:
    """Return the body's DOM text (every text node, as a browser's Range.toString gives it) and each block's span."""
    root = lxml_html.document_fromstring(page.read_text(encoding="utf-8"))
    body = root.find("body")
    assert body is not None
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0

    def walk(element: lxml_html.HtmlElement) -> None:
        nonlocal length
        start = length
        if element.text:
            pieces.append(element.text)
            length += len(element.text)
        for child in element:
            walk(child)
            if child.tail:
                pieces.append(child.tail)
                length += len(child.tail)
        if element.tag in BLOCKS:
            spans.append((start, length))

    walk(body)
    spans.sort()
    # Only the innermost blocks (a list item holding a paragraph counts once, as its paragraph).
    inner = [a for a in spans if not any(b != a and a[0] <= b[0] and b[1] <= a[1] for b in spans)]
    return "".join(pieces), [s for s in inner if s[1] > s[0] and "".join(pieces)[s[0] : s[1]].strip()]


def _canonical_spans(text: str, dom: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where each block's words are in the canonical text, walking forward (a repeated paragraph has one answer)."""
    found = []
    cursor = 0
    for start, end in spans:
        words = dom[start:end].split()
        m = re.compile(r"\s+".join(map(re.escape, words))).search(text, cursor)
        assert m is not None, f"block {words[:5]} not in the canonical text"
        found.append((m.start(), m.end()))
        cursor = m.end()
    return found


def _word_starts(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"\S+", text[lo:hi])]


def _browser_cases(page: Path) -> tuple[str, list[tuple[str, str, str, int, int, int]]]:
    """The canonical text and browser-like quotes: (quote, prefix, suffix, DOM offset, expected start, end)."""
    text = documents.load(page).text
    dom, spans = _dom_text(page)
    where = _canonical_spans(text, dom, spans)
    cases = []
    ctx = model.CONTEXT_CHARS
    for i, ((ds, de), (cs, ce)) in enumerate(zip(spans, where, strict=True)):
        # A whole block, with the page's white space around it as context.
        lo, hi = ds + len(dom[ds:de]) - len(dom[ds:de].lstrip()), de - (len(dom[ds:de]) - len(dom[ds:de].rstrip()))
        cases.append((dom[lo:hi], dom[max(0, lo - ctx) : lo], dom[hi : hi + ctx], lo, cs, ce))
        if i + 1 >= len(spans):
            continue
        # From the middle of this block to the middle of the next: the quote holds the indentation
        # and line breaks between the two elements (and no bullet).
        (ds2, de2), (cs2, ce2) = spans[i + 1], where[i + 1]
        dom_words, text_words = _word_starts(dom, ds, de), _word_starts(text, cs, ce)
        dom_words2, text_words2 = _word_starts(dom, ds2, de2), _word_starts(text, cs2, ce2)
        if not dom_words or not dom_words2 or ds2 < de:
            continue
        k, k2 = len(dom_words) // 2, max(0, len(dom_words2) // 2 - 1)
        q_start, q_end = ds + dom_words[k][0], ds2 + dom_words2[k2][1]
        quote = dom[q_start:q_end]
        expected = (cs + text_words[k][0], cs2 + text_words2[k2][1])
        cases.append((quote, dom[max(0, q_start - ctx) : q_start], dom[q_end : q_end + ctx], q_start, *expected))
    return text, cases


@pytest.mark.parametrize("name", PAGES)
def test_browser_quotes_of_the_udhr_pages_are_placed_at_their_offsets(testdata: Path, name: str) -> None:
    text, cases = _browser_cases(testdata / "texts" / "udhr" / name)
    assert len(cases) > 100
    matcher = anchoring.Matcher(text)
    wrong = []
    methods: set[str] = set()
    for quote, prefix, suffix, dom_at, start, end in cases:
        placed = matcher.match(quote, prefix, suffix, hint=dom_at)
        if placed is None or (placed.start, placed.end) != (start, end):
            wrong.append((quote[:40], placed, start, end))
        else:
            methods.add(placed.method)
    assert wrong == []
    assert anchoring.WHITESPACE in methods  # the corpus really exercises white space and bullets


@pytest.mark.parametrize("name", PAGES)
def test_browser_quotes_are_placed_without_a_position(testdata: Path, name: str) -> None:
    """Context alone (no TextPositionSelector) picks the right copy of a repeated paragraph."""
    text, cases = _browser_cases(testdata / "texts" / "udhr" / name)
    matcher = anchoring.Matcher(text)
    wrong = []
    for quote, prefix, suffix, _, start, end in cases:
        placed = matcher.match(quote, prefix, suffix)
        if placed is None or (placed.start, placed.end) != (start, end):
            wrong.append((quote[:40], placed, start, end))
    assert wrong == []


# -- a quote that occurs three times -------------------------------------------------------------------


def _three_copies() -> tuple[str, list[int]]:
    """Canonical text shaped like the Hypothesis client's anchoring fixture.

    "Lorem sed do eiusmod tempor." occurs three times: first after a list ending "mauris eu
    risus.", then inside indented code, then at the end. The browser's DOM text of the page puts the
    first copy at 692; Warrant's text (white space collapsed, "• " bullets) puts it earlier.
    """
    head = (
        "Lorem Ipsum\n\nPellentesque habitant morbi tristique senectus et netus et malesuada fames ac turpis "
        "egestas. Vestibulum tortor quam, feugiat vitae, ultricies eget, tempor sit amet, ante. Donec eu libero "
        "sit amet quam egestas semper. Aenean ultricies mi vitae est. Mauris placerat eleifend leo. Quisque sit "
        "amet est et sapien ullamcorper pharetra. Aenean fermentum, elit eget tincidunt condimentum, eros ipsum rutrum orci, sagittis "
        "tempus lacus enim ac dui. Donec non enim in turpis pulvinar facilisis. Ut felis.\n\nHeader Level 2\n\n"
        "\u2022 Lorem ipsum dolor sit amet, consectetuer adipiscing elit.\n"
        "\u2022 Aliquam tincidunt mauris eu risus.\n"
    )
    quote = "Lorem sed do eiusmod tempor."
    text = (
        head
        + quote
        + "\n\nHeader Level 3\n\nLorem ipsum dolor sit amet, consectetuer adipiscing elit.\n\n"
        + "    code sample:\n            "
        + quote
        + "\n\nPellentesque habitant morbi.\n\n"
        + quote
        + "\n"
    )
    return text, [m.start() for m in re.finditer(re.escape(quote), text)]


BROWSER_PREFIX = "iquam tincidunt mauris eu risus.\n            "[-model.CONTEXT_CHARS :]
BROWSER_SUFFIX = "\n          \n          Header Level 3"[: model.CONTEXT_CHARS]


def test_a_quote_that_occurs_three_times_lands_on_the_copy_its_context_and_position_name() -> None:
    text, copies = _three_copies()
    assert len(copies) == 3 and copies[0] < 692 < copies[1]
    # The browser's prefix holds the page's indentation, so the indented copy shares more identical
    # characters at the quote's edge (the old ranking took it); the first copy's context matches once
    # white space is ignored, and the position 692 (in the page's DOM text) is nearest to it too.
    placed = anchoring.match_quote(text, "Lorem sed do eiusmod tempor.", BROWSER_PREFIX, BROWSER_SUFFIX, hint=692)
    assert placed is not None
    assert (placed.start, placed.end, placed.method) == (copies[0], copies[0] + 28, anchoring.EXACT)
    # A wrong position does not outweigh the context.
    placed = anchoring.match_quote(text, "Lorem sed do eiusmod tempor.", BROWSER_PREFIX, BROWSER_SUFFIX, hint=copies[2])
    assert placed is not None and placed.start == copies[0]
    # With no context at all, the position decides.
    for copy in copies:
        placed = anchoring.match_quote(text, "Lorem sed do eiusmod tempor.", hint=copy + 3)
        assert placed is not None and placed.start == copy


# -- review across versions --------------------------------------------------------------------------


def _lines(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]*\S[^\n]*", text)]


def test_persian_versions_place_repeated_paragraphs_on_the_right_copy(testdata: Path) -> None:
    """pes_1 and pes_2 have the same 122 lines in the same order, 32 paragraphs of them twice in a row.

    Passages (a middle sentence-sized stretch of every repeated line) are made on pes_1 and placed on
    pes_2; the right copy is the line with the same number. None may land on the other copy, and none
    may start or end inside a word.
    """
    old = (testdata / "texts" / "udhr" / "udhr_pes_1.txt").read_text(encoding="utf-8")
    new = (testdata / "texts" / "udhr" / "udhr_pes_2.txt").read_text(encoding="utf-8")
    old_lines, new_lines = _lines(old), _lines(new)
    assert len(old_lines) == len(new_lines) == 122
    counts: dict[str, int] = {}
    for s, e in old_lines:
        counts[old[s:e]] = counts.get(old[s:e], 0) + 1
    doc = model.Document(documents.fingerprint(old), "pes_1", "", old)
    made: list[tuple[model.Annotation, int]] = []
    for number, (s, e) in enumerate(old_lines):
        if counts[old[s:e]] < 2:
            continue
        words = _word_starts(old, s, e)
        for a_word, b_word in ((0, len(words) - 1), (len(words) // 3, 2 * len(words) // 3)):
            a = anchoring.new_annotation(doc, s + words[a_word][0], s + words[b_word][1], "claim", author="them")
            assert a is not None
            made.append((a, number))
    assert len(made) == 128
    result = reanchor.reanchor([a for a, _ in made], old, new, document="f" * 64)
    by_id = {p.original.id: p for p in result.placed}
    wrong_copy, mid_word = [], []
    for a, number in made:
        placed = by_id.get(a.id)
        if placed is None:
            continue
        s, e = new_lines[number]
        if not (s <= placed.annotation.start and placed.annotation.end <= e):
            wrong_copy.append((number, placed.method, placed.annotation.quote[:30]))
        start, end = placed.annotation.start, placed.annotation.end
        if (start > 0 and anchoring.is_word_char(new[start - 1]) and anchoring.is_word_char(new[start])) or (
            end < len(new) and anchoring.is_word_char(new[end - 1]) and anchoring.is_word_char(new[end])
        ):
            mid_word.append((number, placed.annotation.quote[:30]))
    assert wrong_copy == []
    assert mid_word == []
    assert len(result.orphans) <= 2
