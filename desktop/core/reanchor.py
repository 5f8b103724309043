"""Re-anchoring annotations made on one version of an article onto another version of it.

A colleague may have annotated the same article in another version: edited, with other line
endings, or extracted again from its HTML. Their passages are moved onto my canonical text by the
one anchoring engine, :class:`desktop.core.anchoring.Matcher` (exact, then white space ignored, then
approximate; each candidate scored by quote, prefix, suffix and position, as the Hypothesis client
does), with the position each passage is *expected* at as its hint. An exact match more than
:data:`NEAR` characters from there is reported as ``moved``. Each placement keeps its method and
score (0-1); anything below :data:`anchoring.MIN_SCORE` is an *orphan*, returned with its quote:
never dropped, never guessed.

Where a passage is *expected* comes from a map of offsets built once per pair of texts (a patience
diff, O(n log n)): lines that occur exactly once in each text and in the same order are anchors
first; between them, word trigrams that occur once on each side add anchors. An offset then shifts
with its nearest anchor (or scales, between anchors far apart). Words ignore white space, so line
endings and re-wrapping do not matter; the texts' similarity is the share of text in common lines
plus, between them, the share of distinct word trigrams in common. An edited article costs little
more than its edits: only the stretches between unchanged lines are compared word by word.

"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from rapidfuzz import fuzz

from desktop.core import anchoring, model

EXACT = anchoring.EXACT
WHITESPACE = anchoring.WHITESPACE
MOVED = "moved"
FUZZY = anchoring.FUZZY
ORPHAN = anchoring.ORPHAN
METHODS = (EXACT, MOVED, WHITESPACE, FUZZY)
"""How a passage was placed: ``exact`` near its expected place, ``moved`` (exact, elsewhere),
``whitespace`` (equal once white space and bullets are ignored), ``fuzzy`` (approximate)."""

NEAR = 64
"""How far (in characters) from its expected place an unchanged quote still counts as ``exact``."""

CONTEXT = 4 * model.CONTEXT_CHARS
"""Characters of their text either side of a passage compared with my text around each candidate."""

FUZZY_RADIUS = 2048
"""How far around the expected place approximate matches are looked for (exact ones: anywhere)."""

POSITION_SCALE = 256
"""Distance from the expected place at which a candidate's position score falls to 0."""


SHORT_GAP = 2048
"""Between anchors closer than this, offsets shift with the nearer anchor; farther apart, they scale."""


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


class _Placer:
    """Places the annotations of one old text onto one new text with :class:`anchoring.Matcher`."""

    def __init__(self, old: str, new: str, mapping: TextMap) -> None:
        self.old = old
        self.new = new
        self.map = mapping
        self.matcher = anchoring.Matcher(new)

    def place(self, a: model.Annotation) -> tuple[int, int, str, float] | None:
        old, new = self.old, self.new
        quote = old[a.start : a.end] if a.end <= len(old) else a.quote
        hint = self.map(a.start)
        if new.startswith(quote, hint):
            return hint, hint + len(quote), EXACT, 1.0
        # Their whole text is at hand: a longer context than a selector's tells copies of a repeated
        # paragraph apart, and the map's hint is good to a few characters, so position counts nearby.
        prefix = old[max(0, a.start - CONTEXT) : a.start] if a.end <= len(old) else a.prefix
        suffix = old[a.end : a.end + CONTEXT] if a.end <= len(old) else a.suffix
        found = self.matcher.match(
            quote,
            prefix,
            suffix,
            hint,
            position_scale=max(POSITION_SCALE, 2 * len(quote)),
            fuzzy_radius=FUZZY_RADIUS + 2 * len(quote),
        )
        if found is None:
            return None
        method = found.method
        if method == EXACT and abs(found.start - hint) > NEAR:
            method = MOVED
        return found.start, found.end, method, found.score


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
