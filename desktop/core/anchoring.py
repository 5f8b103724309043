"""Code-point offsets, W3C quote selectors, and the one engine that finds a quote again in a text.

Every offset Warrant stores counts Unicode code points into a document's canonical text. Qt counts
UTF-16 code units; :class:`Utf16Map` converts between the two in O(log n) with a sorted index of the
astral (non-BMP) characters, which are the only ones that differ.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, Levenshtein

from desktop.core import model

if TYPE_CHECKING:
    import numpy

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class Utf16Map:
    """Converts between code-point offsets and UTF-16 offsets of one text."""

    __slots__ = ("_astral_cp", "_astral_u16", "length", "length_u16")

    def __init__(self, text: str) -> None:
        """Index the astral characters of ``text``."""
        # Scanned in C (a Python loop over a 10 MB article took 3.7 s): count the astral characters
        # by the UTF-16 length, then find them with a regular expression only if there are any.
        if text.isascii() or len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text):
            astral: list[int] = []
        else:
            astral = [m.start() for m in _ASTRAL.finditer(text)]
        self._astral_cp = astral
        self._astral_u16 = [i + k for k, i in enumerate(astral)]
        self.length = len(text)
        self.length_u16 = len(text) + len(astral)

    def to_utf16(self, cp: int) -> int:
        """Return the UTF-16 offset of code-point offset ``cp``."""
        return cp + bisect.bisect_left(self._astral_cp, cp)

    def to_code_points(self, u16: int) -> int:
        """Return the code-point offset of UTF-16 offset ``u16``.

        An offset that falls between the two halves of a surrogate pair moves past the character.
        """
        return u16 - bisect.bisect_right(self._astral_u16, u16 - 2)


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` so it neither begins nor ends with white space."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@dataclass(frozen=True)
class Selector:
    """A W3C TextQuoteSelector with the TextPositionSelector it was taken at."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def select(text: str, start: int, end: int, context: int = model.CONTEXT_CHARS) -> Selector:
    """Return the quote of ``text[start:end]`` with ``context`` characters either side.

    Raises:
        ValueError: the range is reversed or outside the text.
    """
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"range {start}-{end} is outside a text of {len(text)} characters")
    return Selector(
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - context) : start],
        suffix=text[end : end + context],
    )


EXACT = "exact"
"""Placed where the quote occurs character for character."""
WHITESPACE = "whitespace"
"""Placed where the quote occurs once white space and list bullets are ignored on both sides."""
FUZZY = "fuzzy"
"""Placed where an approximate match of the quote occurs (errors <= :func:`max_errors`)."""
ORPHAN = "orphan"
"""Not placed: no candidate scored :data:`MIN_SCORE` or more."""
MATCH_METHODS = (EXACT, WHITESPACE, FUZZY)
"""How a quote is looked for, in the order the steps are tried; each runs only when the one before found nothing."""

QUOTE_WEIGHT = 50
PREFIX_WEIGHT = 20
SUFFIX_WEIGHT = 20
POSITION_WEIGHT = 2
"""The weights of a candidate's score, as the Hypothesis client's ``match-quote.ts`` has them: the
quote's similarity, the prefix's and the suffix's similarity, and closeness to the expected place
(only a tie-breaker)."""

MIN_SCORE = 0.5
"""Least score (0-1) of a placement. An exact quote with no matching context scores 0.54-0.57 (it is
placed); an approximate quote with half its characters wrong needs its context to agree."""

MAX_OCCURRENCES = 100_000
"""Occurrences of a quote scored at most (the first ones, and the ones nearest the expected place)."""

BULLETS = frozenset("\u2022\u25e6\u25aa\u2023\u2043")
"""List bullets Warrant's loaders write ("• ") and a browser does not copy: ignored like white space."""

_SKIPPED = re.compile("[\\s\u2022\u25e6\u25aa\u2023\u2043]+")


def max_errors(quote: str) -> int:
    """Return how many edits an approximate match of ``quote`` may have: min(256, len / 2)."""
    return min(256, len(quote) // 2)


def is_word_char(ch: str) -> bool:
    """Return True for a character that belongs to a word (letters, digits, marks, ZWNJ/ZWJ)."""
    return ch.isalnum() or ch == "_" or ch in "\u200c\u200d" or unicodedata.category(ch).startswith("M")


@dataclass(frozen=True)
class Placement:
    """Where a quote was placed, how (:data:`MATCH_METHODS`) and with what score (0-1).

    ``errors`` counts the edits between the quote and the placed text once white space and bullets
    are ignored (0 for ``exact`` and ``whitespace``).
    """

    start: int
    end: int
    method: str
    score: float = 1.0
    errors: int = 0


class Squeezed:
    """A text without its white space and bullets, and where each remaining character came from."""

    def __init__(self, text: str) -> None:
        """Squeeze ``text`` (vectorised with NumPy: a 1 MB text takes milliseconds, not a Python loop)."""
        import numpy  # on first use: it is not on the window's start path

        codes = numpy.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=numpy.uint32)
        keep = ~numpy.isin(codes, _skipped_codes())
        self.origin: numpy.ndarray[Any, numpy.dtype[numpy.int64]] = numpy.flatnonzero(keep)
        self.text = codes[keep].tobytes().decode("utf-32-le", "surrogatepass")

    def at(self, squeezed: int) -> int:
        """Return the offset in the original text of squeezed character ``squeezed``."""
        return int(self.origin[squeezed])

    def to_squeezed(self, position: int) -> int:
        """Return the squeezed offset of the first kept character at or after ``position``."""
        import numpy

        return int(numpy.searchsorted(self.origin, position, side="left"))


@functools.cache
def _skipped_codes() -> numpy.ndarray[Any, numpy.dtype[numpy.uint32]]:
    """The code points :data:`_SKIPPED` matches: Unicode white space (below U+3001) and the bullets."""
    import numpy

    codes = [c for c in range(0x3001) if chr(c).isspace()] + [ord(b) for b in BULLETS]
    return numpy.array(sorted(codes), dtype=numpy.uint32)


def squeeze(text: str) -> str:
    """Return ``text`` without white space and list bullets."""
    return _SKIPPED.sub("", text)


class Matcher:
    """Finds quotes in one text; build it once per text and call :meth:`match` for every quote.

    The steps follow the Hypothesis client's ``match-quote.ts``: every exact occurrence is a
    candidate; only when there is none, every occurrence once white space and bullets are ignored
    (a browser copies a page's indentation and line breaks; Warrant's text has its own); only when
    there is none, approximate matches with at most :func:`max_errors` edits (found with RapidFuzz).
    Each candidate is scored ``(50 q + 20 p + 20 s + 2 d) / 92``: ``q`` is 1 - edits / quote length,
    ``p`` and ``s`` are the similarity (1 - Levenshtein distance / length) of the text before and
    after it to the expected prefix and suffix (1 when none is given, white space ignored), ``d`` is
    1 - distance from the expected start / text length. The best candidate wins when it scores at
    least :data:`MIN_SCORE`. A candidate never starts or ends inside a word unless the quote did
    (its prefix ends, or its suffix begins, inside the same word): exact and white-space candidates
    that do are dropped, approximate ones are moved to the nearer word boundary.
    """

    def __init__(self, text: str) -> None:
        """Index ``text`` (its squeezed form is built on first need)."""
        self.text = text
        self._squeezed: Squeezed | None = None

    @property
    def squeezed(self) -> Squeezed:
        """Return the text without white space and bullets, built once."""
        if self._squeezed is None:
            self._squeezed = Squeezed(self.text)
        return self._squeezed

    def match(
        self,
        quote: str,
        prefix: str = "",
        suffix: str = "",
        hint: int | None = None,
        *,
        min_score: float = MIN_SCORE,
        position_scale: int | None = None,
        fuzzy_radius: int | None = None,
    ) -> Placement | None:
        """Place ``quote``; see the class's docstring.

        Args:
            quote: the text to find.
            prefix: the characters expected before it.
            suffix: the characters expected after it.
            hint: the expected start offset, if known.
            min_score: the least score accepted.
            position_scale: the distance from ``hint`` at which the position score reaches 0 (default:
                the text's length, as Hypothesis has it; re-anchoring between versions, whose hint
                comes from a map of the two texts, uses a few hundred characters).
            fuzzy_radius: look for approximate matches only this far around ``hint`` (default: the
                whole text, as Hypothesis does; re-anchoring, whose hint is good, looks nearby).

        Returns:
            The best placement, or None (an orphan) when no candidate scores ``min_score``.
        """
        text = self.text
        if not quote.strip() or not text:
            return None
        cut_start = bool(prefix) and is_word_char(prefix[-1]) and is_word_char(quote[0])
        cut_end = bool(suffix) and is_word_char(suffix[0]) and is_word_char(quote[-1])
        found = [
            (s, e, 0)
            for s, e in self._exact(quote, hint)
            if (cut_start or self._starts_word(s)) and (cut_end or self._ends_word(e))
        ]
        method = EXACT
        squeezed_quote = squeeze(quote)
        if not found and squeezed_quote:
            method = WHITESPACE
            found = [
                (s, e, 0)
                for s, e in self._squeezed_exact(squeezed_quote, hint)
                if (cut_start or self._starts_word(s)) and (cut_end or self._ends_word(e))
            ]
        if not found and len(squeezed_quote) >= 4:
            method = FUZZY
            found = self._approximate(squeezed_quote, hint, cut_start, cut_end, fuzzy_radius)
        best: Placement | None = None
        best_key: tuple[float, bool, int] | None = None
        for start, end, errors in found:
            score = self._score(squeezed_quote or quote, start, end, errors, prefix, suffix, hint, position_scale)
            # Ties (context equal once white space is ignored): the one whose context is equal as it is, then the first.
            verbatim = text.endswith(prefix, 0, start) and text.startswith(suffix, end)
            key = (round(score, 9), verbatim, -start)
            if best_key is None or key > best_key:
                best_key, best = key, Placement(start, end, method, round(score, 4), errors)
        if best is None or best.score < min_score:
            return None
        return best

    # -- word boundaries --

    def _starts_word(self, start: int) -> bool:
        text = self.text
        return start <= 0 or start >= len(text) or not (is_word_char(text[start - 1]) and is_word_char(text[start]))

    def _ends_word(self, end: int) -> bool:
        text = self.text
        return end <= 0 or end >= len(text) or not (is_word_char(text[end - 1]) and is_word_char(text[end]))

    def _snap(self, start: int, end: int, cut_start: bool, cut_end: bool) -> tuple[int, int]:
        """Move ``start`` and ``end`` out of the middle of a word to the nearer boundary."""
        text = self.text
        if not cut_start and not self._starts_word(start):
            back = start
            while back > 0 and is_word_char(text[back - 1]):
                back -= 1
            ahead = start
            while ahead < end and is_word_char(text[ahead]):
                ahead += 1
            while ahead < end and not is_word_char(text[ahead]) and text[ahead].isspace():
                ahead += 1
            start = back if start - back <= ahead - start or ahead >= end else ahead
        if not cut_end and not self._ends_word(end):
            ahead = end
            while ahead < len(text) and is_word_char(text[ahead]):
                ahead += 1
            back = end
            while back > start and is_word_char(text[back - 1]):
                back -= 1
            while back > start and text[back - 1].isspace():
                back -= 1
            end = ahead if ahead - end <= end - back or back <= start else back
        return start, end

    # -- candidates --

    def _exact(self, quote: str, hint: int | None) -> list[tuple[int, int]]:
        text = self.text
        found: list[tuple[int, int]] = []
        if hint is not None and 0 <= hint and text.startswith(quote, hint):
            found.append((hint, hint + len(quote)))
        pos = text.find(quote)
        while pos != -1 and len(found) < MAX_OCCURRENCES:
            if pos != hint:
                found.append((pos, pos + len(quote)))
            pos = text.find(quote, pos + 1)
        return found

    def _squeezed_exact(self, squeezed_quote: str, hint: int | None) -> list[tuple[int, int]]:
        sq = self.squeezed
        found: list[tuple[int, int]] = []
        pos = sq.text.find(squeezed_quote)
        while pos != -1 and len(found) < MAX_OCCURRENCES:
            found.append((sq.at(pos), sq.at(pos + len(squeezed_quote) - 1) + 1))
            pos = sq.text.find(squeezed_quote, pos + 1)
        return found

    def _approximate(
        self, squeezed_quote: str, hint: int | None, cut_start: bool, cut_end: bool, radius: int | None = None
    ) -> list[tuple[int, int, int]]:
        """Approximate matches with at most :func:`max_errors` edits, in the squeezed text.

        Each stretch of the text gives its best-aligned window (RapidFuzz's
        ``partial_ratio_alignment``); the stretch is then searched again on either side of it, so
        every copy of a repeated passage is a candidate, as every match is in ``match-quote.ts``.
        """
        sq = self.squeezed
        haystack = sq.text
        n = len(squeezed_quote)
        limit = max_errors(squeezed_quote)
        cutoff = max(0.0, 100.0 * (1 - limit / max(1, n)) - 1)
        step = max(4 * n, 2048)
        lo_all, hi_all = 0, len(haystack)
        if hint is not None and radius is not None:
            centre = sq.to_squeezed(hint)
            lo_all, hi_all = max(0, centre - radius - n), min(len(haystack), centre + radius + 2 * n)
        windows: list[tuple[int, int]] = []
        if hint is not None:
            centre = sq.to_squeezed(hint)
            narrow = (max(0, centre - n // 4 - 16), min(len(haystack), centre + n + n // 4 + 16))
            aligned = fuzz.partial_ratio_alignment(squeezed_quote, haystack[narrow[0] : narrow[1]], score_cutoff=cutoff)
            if aligned is not None:
                windows.append((narrow[0] + aligned.dest_start, narrow[0] + aligned.dest_end))
            if radius is not None:
                # Re-anchoring: the hint is good; a close match right there ends the search.
                near = self._candidates(squeezed_quote, windows, cut_start, cut_end)
                if any(errors <= limit // 3 for _, _, errors in near):
                    return near
        pending = [(lo, min(hi_all, lo + step + 2 * n)) for lo in range(lo_all, max(lo_all + 1, hi_all), step)]
        searches = 0
        while pending and searches < MAX_OCCURRENCES:
            lo, hi = pending.pop()
            if hi - lo < n - limit:
                continue
            searches += 1
            aligned = fuzz.partial_ratio_alignment(squeezed_quote, haystack[lo:hi], score_cutoff=cutoff)
            if aligned is None:
                continue
            s, e = lo + aligned.dest_start, lo + aligned.dest_end
            windows.append((s, e))
            pending.extend(((lo, s), (e, hi)))
        return self._candidates(squeezed_quote, windows, cut_start, cut_end)

    def _candidates(
        self, squeezed_quote: str, windows: list[tuple[int, int]], cut_start: bool, cut_end: bool
    ) -> list[tuple[int, int, int]]:
        """Fit each aligned window to word boundaries; keep those within :func:`max_errors`."""
        sq = self.squeezed
        limit = max_errors(squeezed_quote)
        seen: set[tuple[int, int]] = set()
        found: list[tuple[int, int, int]] = []
        word_start, word_end = is_word_char(squeezed_quote[0]), is_word_char(squeezed_quote[-1])
        for window in dict.fromkeys(windows):
            fits = self._fits(squeezed_quote, *window)
            if not fits:
                continue
            # Polish only the closest fit (each polish costs a few dozen edit distances).
            closest = min(fits, key=lambda f: Levenshtein.distance(squeezed_quote, sq.text[f[0] : f[1]]))
            for s, e in [*fits, self._polish(squeezed_quote, *closest)]:
                start, end = self._snap(sq.at(s), sq.at(e - 1) + 1, cut_start, cut_end)
                # A quote that begins (ends) with a letter is not placed on punctuation before (after) it.
                while start < end and word_start and not is_word_char(self.text[start]):
                    start += 1
                while end > start and word_end and not is_word_char(self.text[end - 1]):
                    end -= 1
                if end <= start or (start, end) in seen:
                    continue
                seen.add((start, end))
                errors = Levenshtein.distance(squeezed_quote, squeeze(self.text[start:end]), score_cutoff=limit + 1)
                if errors <= limit:
                    found.append((start, end, errors))
        return found

    def _fits(self, quote: str, start: int, end: int) -> list[tuple[int, int]]:
        """The window of the quote's length, and that window fitted to the passage's ends.

        An inserted or deleted word moves the passage's ends; both readings are candidates and the
        score (the suffix and prefix above all) decides between them.
        """
        haystack = self.squeezed.text
        fits = [(start, end)] if end > start else []
        slack = len(quote) // 4 + 16
        region_lo, region_hi = max(0, start - slack), min(len(haystack), end + slack)
        region = haystack[region_lo:region_hi]
        equal = [op for op in Indel.opcodes(quote, region) if op.tag == "equal"]
        if equal:
            first, last = equal[0], equal[-1]
            fit_start = region_lo + max(0, first.dest_start - first.src_start)
            fit_end = region_lo + min(len(region), last.dest_end + (len(quote) - last.src_end))
            for s, e in ((fit_start, fit_end), (fit_start, end), (start, fit_end)):
                if e > s and (s, e) not in fits:
                    fits.append((s, e))
        return fits

    def _polish(self, quote: str, start: int, end: int, reach: int = 8) -> tuple[int, int]:
        """Move each end of a squeezed span by up to ``reach`` characters where that removes edits."""
        haystack = self.squeezed.text

        def errors(s: int, e: int) -> int:
            return Levenshtein.distance(quote, haystack[s:e]) if e > s else len(quote)

        best = errors(start, end)
        for moved in sorted(range(max(0, start - reach), min(end, start + reach + 1)), key=lambda s: abs(s - start)):
            found = errors(moved, end)
            if found < best:
                best, start = found, moved
        for moved in sorted(
            range(max(start + 1, end - reach), min(len(haystack), end + reach) + 1), key=lambda e: abs(e - end)
        ):
            found = errors(start, moved)
            if found < best:
                best, end = found, moved
        return start, end

    # -- scoring --

    def _before(self, position: int, count: int) -> str:
        return _squeezed_before(self.text, position, count)

    def _after(self, position: int, count: int) -> str:
        return _squeezed_after(self.text, position, count)

    def _score(
        self,
        quote: str,
        start: int,
        end: int,
        errors: int,
        prefix: str,
        suffix: str,
        hint: int | None,
        position_scale: int | None = None,
    ) -> float:
        text = self.text
        quote_score = 1 - errors / max(1, len(quote))
        prefix_score = suffix_score = 1.0
        if prefix.strip():
            expected = squeeze(prefix)
            prefix_score = _similarity(expected, self._before(start, len(expected)))
        if suffix.strip():
            expected = squeeze(suffix)
            suffix_score = _similarity(expected, self._after(end, len(expected)))
        scale = max(1, position_scale or len(text))
        position_score = 1.0 if hint is None else max(0.0, 1 - abs(start - hint) / scale)
        raw = (
            QUOTE_WEIGHT * quote_score
            + PREFIX_WEIGHT * prefix_score
            + SUFFIX_WEIGHT * suffix_score
            + POSITION_WEIGHT * position_score
        )
        return raw / (QUOTE_WEIGHT + PREFIX_WEIGHT + SUFFIX_WEIGHT + POSITION_WEIGHT)


def _squeezed_before(text: str, position: int, count: int) -> str:
    """The ``count`` characters before ``position`` once white space and bullets are left out."""
    reach = 2 * count + 64
    while True:
        got = squeeze(text[max(0, position - reach) : position])
        if len(got) >= count or reach >= position:
            return got[len(got) - count :] if count else ""
        reach *= 4


def _squeezed_after(text: str, position: int, count: int) -> str:
    """The ``count`` characters from ``position`` on once white space and bullets are left out."""
    reach = 2 * count + 64
    while True:
        got = squeeze(text[position : position + reach])
        if len(got) >= count or position + reach >= len(text):
            return got[:count]
        reach *= 4


def _similarity(expected: str, actual: str) -> float:
    """Return 1 - the edits between ``expected`` and ``actual`` / the length of ``expected`` (0 when nothing is there)."""
    if not expected:
        return 1.0
    if not actual:
        return 0.0
    return max(0.0, 1 - Levenshtein.distance(expected, actual) / len(expected))


def match_quote(
    text: str, quote: str, prefix: str = "", suffix: str = "", hint: int | None = None, *, min_score: float = MIN_SCORE
) -> Placement | None:
    """Place ``quote`` in ``text`` (a :class:`Matcher` for one quote; see there).

    Args:
        text: the canonical text to search.
        quote: the quote.
        prefix: the characters expected before it.
        suffix: the characters expected after it.
        hint: the expected start offset, if known.
        min_score: the least score accepted.

    Returns:
        The placement (offsets, method, score), or None for an orphan.
    """
    return Matcher(text).match(quote, prefix, suffix, hint, min_score=min_score)


def find_exact(text: str, exact: str, prefix: str = "", suffix: str = "", hint: int | None = None) -> Placement | None:
    """Place ``exact`` in ``text`` with :func:`match_quote` (kept for callers of the old name)."""
    return match_quote(text, exact, prefix, suffix, hint)


def new_annotation(
    document: model.Document,
    start: int,
    end: int,
    tag: str,
    *,
    author: str,
    note: str = "",
    trim_whitespace: bool = True,
) -> model.Annotation | None:
    """Build (not store) an annotation of ``document.text[start:end]`` with a fresh id.

    Leading and trailing white space is trimmed first; a range that is empty afterwards gives None.

    Raises:
        ValueError: the range is outside the text.
    """
    if not 0 <= start <= end <= len(document.text):
        raise ValueError(f"range {start}-{end} is outside a text of {len(document.text)} characters")
    if trim_whitespace:
        start, end = trim(document.text, start, end)
    if start >= end:
        return None
    sel = select(document.text, start, end)
    stamp = model.now_utc()
    return model.Annotation(
        id=model.new_id(),
        document=document.fingerprint,
        tag=tag,
        start=sel.start,
        end=sel.end,
        quote=sel.exact,
        prefix=sel.prefix,
        suffix=sel.suffix,
        note=note,
        author=author,
        created=stamp,
        modified=stamp,
    )
