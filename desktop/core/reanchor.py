"""Re-anchoring annotations made on one version of an article onto another version of it.

A colleague may have annotated the same article in another version: edited, with other line
endings, or extracted again from its HTML. Their passages are moved onto my canonical text in four
steps, each tried only when the one before fails, and each placement says how it was found:

1. ``exact``: the quote occurs within :data:`NEAR` characters of where it is expected.
2. ``context``: the quote changed, but its prefix and suffix (:data:`model.CONTEXT_CHARS` each,
   taken from their text) occur around the expected place; the passage between them is taken.
3. ``moved``: the quote occurs elsewhere, with enough of its context around it.
4. ``fuzzy``: an approximate match of the quote near the expected place, with a score.

Anything else is an *orphan*, returned with its quote: never dropped.

Where a passage is *expected* comes from a map of offsets built once per pair of texts (a patience
diff, O(n log n)): lines that occur exactly once in each text and in the same order are anchors
first; between them, word trigrams that occur once on each side add anchors. An offset then shifts
with its nearest anchor (or scales, between anchors far apart). Words ignore white space, so line
endings and re-wrapping do not matter; the texts' similarity is the share of text in common lines
plus, between them, the share of distinct word trigrams in common. An edited article costs little
more than its edits: only the stretches between unchanged lines are compared word by word.

The fuzzy step uses RapidFuzz, a maintained C++ library: ``fuzz.partial_ratio_alignment`` finds
the best-aligned window of the quote's length in a stretch around the expected place, and
``Indel.opcodes`` then fits the passage's ends, so an inserted or deleted word does not cut the
passage short. Both run in microseconds on a paragraph, where a pure Python diff (difflib,
diff-match-patch) takes milliseconds, and diff-match-patch's Bitap match is limited to
32-character patterns.
"""

from __future__ import annotations

import bisect
import itertools
import os.path
import re
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from desktop.core import model

EXACT = "exact"
CONTEXT = "context"
MOVED = "moved"
FUZZY = "fuzzy"
ORPHAN = "orphan"
METHODS = (EXACT, CONTEXT, MOVED, FUZZY)
"""How a passage was placed, in the order the steps are tried."""

NEAR = 64
"""How far (in characters) from its expected place an unchanged quote still counts as ``exact``."""

RADIUS = 256
"""How far around the expected place the context and fuzzy steps look, beyond the quote's length."""

FUZZY_MIN_SCORE = 80.0
"""Least RapidFuzz similarity (0-100) of a fuzzy placement to the original quote."""

CONTEXT_MIN_SCORE = 50.0
"""Least similarity of the passage found between prefix and suffix to the original quote."""

MOVED_MIN_CONTEXT = 16
"""Characters of prefix + suffix that must agree around a quote found far from its expected place."""

SHORT_GAP = 2048
"""Between anchors closer than this, offsets shift with the nearer anchor; farther apart, they scale."""

MAX_OCCURRENCES = 1000
"""Occurrences of a quote examined when looking for it anywhere in the text."""

_WORD_BREAK = re.compile(r"(\W+)")
_LINE_BREAK = re.compile(r"(\r?\n\s*)")
_HAS_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class TextMap:
    """Expected offsets in a new text for offsets in an old one, and how similar the two texts are."""

    old: tuple[int, ...]
    new: tuple[int, ...]
    old_length: int
    new_length: int
    similarity: float

    def __call__(self, position: int) -> int:
        """Return where ``position`` of the old text is expected in the new one."""
        k = max(0, bisect.bisect_right(self.old, position) - 1)
        expected = self.new[k] + (position - self.old[k])
        if k + 1 < len(self.old):
            old_gap, new_gap = self.old[k + 1] - self.old[k], self.new[k + 1] - self.new[k]
            if old_gap > SHORT_GAP:
                # Few anchors (a re-extracted or repetitive text): changes are spread, scale.
                expected = self.new[k] + (position - self.old[k]) * new_gap // old_gap
            elif self.old[k + 1] - position < position - self.old[k]:
                # An edit between close anchors: shift with the nearer one, exact unless the
                # edit lies between it and the position.
                expected = self.new[k + 1] - (self.old[k + 1] - position)
        return max(0, min(expected, self.new_length))


def _split(pattern: re.Pattern[str], text: str) -> tuple[list[int], list[str]]:
    """Split ``text`` at ``pattern`` (one capturing group); return each piece and its start offset.

    Splitting, ``len`` and the running sum all run at C speed: no Python loop over the text.
    """
    parts = pattern.split(text)  # piece, separator, piece, ..., piece (first and last may be "")
    offsets = [0, *itertools.accumulate(map(len, parts))]
    pieces = parts[0::2]
    starts = offsets[0::2][: len(pieces)]
    if pieces and not pieces[-1]:
        pieces.pop()
        starts.pop()
    if pieces and not pieces[0]:
        pieces.pop(0)
        starts.pop(0)
    return starts, pieces


def _longest_increasing(pairs: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the longest subsequence of ``pairs`` (sorted by first) whose seconds increase."""
    tails: list[int] = []
    tail_at: list[int] = []
    previous = [-1] * len(pairs)
    for index, (_, value) in enumerate(pairs):
        if not tails or value > tails[-1]:  # the usual case: both texts in the same order
            k = len(tails)
            tails.append(value)
            tail_at.append(index)
        else:
            k = bisect.bisect_left(tails, value)
            tails[k] = value
            tail_at[k] = index
        previous[index] = tail_at[k - 1] if k else -1
    chain: list[tuple[int, int]] = []
    index = tail_at[-1] if tail_at else -1
    while index != -1:
        chain.append(pairs[index])
        index = previous[index]
    chain.reverse()
    return chain


_Key = TypeVar("_Key", bound=Hashable)


def _unique_chain(old_keys: Sequence[_Key], new_keys: Sequence[_Key]) -> tuple[list[tuple[int, int]], int]:
    """Pair the keys that occur once in each sequence, keep the longest run in the same order.

    Returns:
        The ``(old index, new index)`` chain, and how many distinct keys the two have in common.
    """
    old_count, new_count = Counter(old_keys), Counter(new_keys)
    shared = len(old_count.keys() & new_count.keys())
    old_index = {key: i for i, key in enumerate(old_keys)}
    new_index = {key: i for i, key in enumerate(new_keys)}
    unique = {k for k, n in old_count.items() if n == 1} & {k for k, n in new_count.items() if n == 1}
    pairs = sorted((old_index[key], new_index[key]) for key in unique)
    return _longest_increasing(pairs), shared


class _Anchors:
    """Anchor offsets collected in increasing order in both texts."""

    def __init__(self) -> None:
        self.old = [0]
        self.new = [0]

    def add(self, o: int, n: int) -> None:
        if o <= self.old[-1] or n <= self.new[-1]:
            return
        shift = n - o
        if len(self.old) > 2 and self.new[-1] - self.old[-1] == shift and self.new[-2] - self.old[-2] == shift:
            self.old[-1], self.new[-1] = o, n  # same shift as the last two: extend the run
            return
        self.old.append(o)
        self.new.append(n)


def _word_anchors(old: str, new: str, o0: int, n0: int, anchors: _Anchors) -> float:
    """Anchor ``old`` onto ``new`` (pieces starting at ``o0``, ``n0``) by unique word trigrams.

    Returns:
        The share of distinct word trigrams the two have in common (0-1).
    """
    old_starts, old_words = _split(_WORD_BREAK, old)
    new_starts, new_words = _split(_WORD_BREAK, new)
    old_keys = list(zip(old_words, old_words[1:], old_words[2:], strict=False))
    new_keys = list(zip(new_words, new_words[1:], new_words[2:], strict=False))
    chain, shared = _unique_chain(old_keys, new_keys)
    for i, j in chain:
        anchors.add(o0 + old_starts[i], n0 + new_starts[j])
    if old_keys and new_keys:
        return shared / max(len(set(old_keys)), len(set(new_keys)))
    if old.split() == new.split():
        return 1.0
    return fuzz.ratio(old, new) / 100.0 if len(old) + len(new) <= 20_000 else 0.0


def text_map(old: str, new: str) -> TextMap:
    """Map offsets of ``old`` onto ``new`` and measure their similarity.

    Lines (paragraphs, for most articles) that occur once in each text and in the same order are
    anchored first; only the stretches between them are compared word by word, so an edited
    article costs little more than its edits.

    Args:
        old: the text the annotations were made on.
        new: the text to move them to.

    Returns:
        The map. Its ``similarity`` (0-1) estimates the share of the longer text the two have in
        common: the characters of identical lines, plus, for each stretch between them, its length
        times the share of distinct word trigrams the two sides of the stretch have in common.
    """
    if old == new:
        return TextMap((0, len(old)), (0, len(new)), len(old), len(new), 1.0)
    old_starts, old_lines = _split(_LINE_BREAK, old)
    new_starts, new_lines = _split(_LINE_BREAK, new)
    chain, _ = _unique_chain(old_lines, new_lines)
    anchors = _Anchors()
    common = 0.0
    o_end = n_end = 0
    for i, j in [*chain, (len(old_lines), len(new_lines))]:
        o_next = old_starts[i] if i < len(old_lines) else len(old)
        n_next = new_starts[j] if j < len(new_lines) else len(new)
        gap_old, gap_new = old[o_end:o_next], new[n_end:n_next]
        if _HAS_WORD.search(gap_old) and _HAS_WORD.search(gap_new):
            common += _word_anchors(gap_old, gap_new, o_end, n_end, anchors) * max(len(gap_old), len(gap_new))
        if i < len(old_lines):
            size = len(old_lines[i])
            anchors.add(o_next, n_next)
            anchors.add(o_next + size - 1, n_next + size - 1)
            common += size
            o_end, n_end = o_next + size, n_next + size
    anchors.add(len(old), len(new))
    similarity = min(1.0, common / max(len(old), len(new), 1))
    return TextMap(tuple(anchors.old), tuple(anchors.new), len(old), len(new), round(similarity, 4))


@dataclass(frozen=True)
class Placed:
    """A colleague's annotation moved onto my text: it keeps its id; ``original`` is as they stored it."""

    annotation: model.Annotation
    method: str
    score: float
    original: model.Annotation


@dataclass(frozen=True)
class Reanchored:
    """The outcome of re-anchoring: what was placed, and the orphans (with their quotes)."""

    placed: tuple[Placed, ...]
    orphans: tuple[model.Annotation, ...]

    def counts(self) -> dict[str, int]:
        """Return how many were placed by each method, and how many are orphans."""
        counts = dict.fromkeys((*METHODS, ORPHAN), 0)
        for p in self.placed:
            counts[p.method] += 1
        counts[ORPHAN] = len(self.orphans)
        return counts


def _common_prefix(a: str, b: str) -> int:
    return len(os.path.commonprefix([a, b]))


def _common_suffix(a: str, b: str) -> int:
    return len(os.path.commonprefix([a[::-1], b[::-1]]))


def _nearest(text: str, needle: str, lo: int, hi: int, hint: int) -> int:
    """Return the occurrence of ``needle`` inside ``text[lo:hi]`` nearest to ``hint``, or -1."""
    best = -1
    pos = text.find(needle, max(0, lo), hi)
    while pos != -1:
        if best == -1 or abs(pos - hint) < abs(best - hint):
            best = pos
        elif pos > hint:
            break
        pos = text.find(needle, pos + 1, hi)
    return best


class _Placer:
    """Places the annotations of one old text onto one new text."""

    def __init__(self, old: str, new: str, mapping: TextMap) -> None:
        self.old = old
        self.new = new
        self.map = mapping
        # Line endings of the old text, rewritten as the new text has them (for the second try).
        self.to_new_lines: Callable[[str], str] | None = None
        if "\r" in old and "\r" not in new:
            self.to_new_lines = _lf
        elif "\r\n" in new and "\r" not in old:
            self.to_new_lines = _crlf

    def place(self, a: model.Annotation) -> tuple[int, int, str, float] | None:
        old, new = self.old, self.new
        quote = old[a.start : a.end] if a.end <= len(old) else a.quote
        hint = self.map(a.start)
        if new.startswith(quote, hint):
            return hint, hint + len(quote), EXACT, 100.0
        prefix = old[max(0, a.start - model.CONTEXT_CHARS) : a.start]
        suffix = old[a.end : a.end + model.CONTEXT_CHARS]
        variants = [(quote, prefix, suffix)]
        if self.to_new_lines is not None:
            convert = self.to_new_lines
            variants.append((convert(quote), convert(prefix), convert(suffix)))
        for q, _, _ in variants:
            pos = _nearest(new, q, hint - NEAR, hint + len(q) + NEAR, hint)
            if pos != -1:
                return pos, pos + len(q), EXACT, 100.0
        at_start, at_end = a.start == 0, a.end == len(old)
        for q, p, s in variants:
            found = self._by_context(q, p, s, hint, at_start, at_end)
            if found is not None:
                return found
        for q, p, s in variants:
            moved = self._moved(q, p, s, hint)
            if moved is not None:
                return moved, moved + len(q), MOVED, 100.0
        return self._fuzzy(variants[-1][0], hint)

    def _by_context(
        self, quote: str, prefix: str, suffix: str, hint: int, at_start: bool, at_end: bool
    ) -> tuple[int, int, str, float] | None:
        new = self.new
        if (len(prefix) < 8 and not at_start) or (len(suffix) < 8 and not at_end):
            return None
        reach = RADIUS + len(quote)
        if at_start:
            lefts = [0] if hint <= NEAR else []
        else:
            lefts = []
            pos = new.find(prefix, max(0, hint - reach - len(prefix)), hint + reach)
            while pos != -1 and len(lefts) < 50:
                lefts.append(pos + len(prefix))
                pos = new.find(prefix, pos + 1, hint + reach)
            lefts.sort(key=lambda p: abs(p - hint))
        longest = 2 * len(quote) + 64
        for left in lefts:
            if at_end:
                right = len(new) if len(new) - left <= longest else -1
            else:
                right = new.find(suffix, left, left + longest + len(suffix))
            if right == -1 or not len(quote) // 2 <= right - left <= longest:
                continue
            start, end = _trim(new, left, right)
            if start >= end:
                continue
            score = fuzz.ratio(quote, new[start:end])
            if score >= CONTEXT_MIN_SCORE:
                return start, end, CONTEXT, round(score, 1)
        return None

    def _moved(self, quote: str, prefix: str, suffix: str, hint: int) -> int | None:
        new = self.new
        best: tuple[int, int, int] | None = None
        seen = 0
        pos = new.find(quote)
        while pos != -1 and seen < MAX_OCCURRENCES:
            seen += 1
            context = _common_suffix(new[max(0, pos - len(prefix)) : pos], prefix) + _common_prefix(
                new[pos + len(quote) : pos + len(quote) + len(suffix)], suffix
            )
            key = (-context, abs(pos - hint), pos)
            if best is None or key < best:
                best = key
            pos = new.find(quote, pos + 1)
        if best is None:
            return None
        enough = min(MOVED_MIN_CONTEXT, len(prefix) + len(suffix))
        if -best[0] >= enough or (seen == 1 and len(quote) >= 24):
            return best[2]
        return None

    def _fuzzy(self, quote: str, hint: int) -> tuple[int, int, str, float] | None:
        new = self.new
        if len(quote.strip()) < 4:
            return None
        lo = max(0, hint - RADIUS - len(quote))
        hi = min(len(new), hint + 2 * len(quote) + RADIUS)
        window = new[lo:hi]
        if len(window) < len(quote) // 2:
            return None
        aligned = fuzz.partial_ratio_alignment(quote, window, score_cutoff=FUZZY_MIN_SCORE)
        if aligned is None:
            return None
        start, end = lo + aligned.dest_start, lo + aligned.dest_end
        # Fit the ends: the alignment's window has the quote's length, the passage may not.
        slack = len(quote) // 4 + 16
        region_lo, region_hi = max(0, start - slack), min(len(new), end + slack)
        region = new[region_lo:region_hi]
        equal = [op for op in Indel.opcodes(quote, region) if op.tag == "equal"]
        if equal:
            first, last = equal[0], equal[-1]
            fit_start = region_lo + max(0, first.dest_start - first.src_start)
            fit_end = region_lo + min(len(region), last.dest_end + (len(quote) - last.src_end))
            fit_start, fit_end = _trim(new, fit_start, fit_end)
            if fit_end > fit_start and fuzz.ratio(quote, new[fit_start:fit_end]) >= FUZZY_MIN_SCORE:
                start, end = fit_start, fit_end
        start, end = _trim(new, start, end)
        if start >= end:
            return None
        score = fuzz.ratio(quote, new[start:end])
        if score < FUZZY_MIN_SCORE:
            return None
        return start, end, FUZZY, round(score, 1)


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def reanchor(
    annotations: Sequence[model.Annotation],
    old: str,
    new: str,
    *,
    document: str,
    mapping: TextMap | None = None,
) -> Reanchored:
    """Move annotations made on ``old`` onto ``new``.

    Args:
        annotations: annotations whose offsets point into ``old``.
        old: the text they were made on.
        new: the text to place them on (my canonical text).
        document: the fingerprint the placed annotations get.
        mapping: :func:`text_map` of the two texts, if already computed.

    Returns:
        The placed annotations (same ids, new offsets, quote and context taken from ``new``),
        each with its method and score, and the orphans, unchanged.
    """
    placer = _Placer(old, new, mapping or text_map(old, new))
    placed: list[Placed] = []
    orphans: list[model.Annotation] = []
    context = model.CONTEXT_CHARS
    for a in annotations:
        found = placer.place(a) if 0 <= a.start < a.end else None
        if found is None:
            orphans.append(a)
            continue
        start, end, method, score = found
        moved = a.replace(
            document=document,
            start=start,
            end=end,
            quote=new[start:end],
            prefix=new[max(0, start - context) : start],
            suffix=new[end : end + context],
        )
        placed.append(Placed(moved, method, score, a))
    return Reanchored(tuple(placed), tuple(orphans))
