"""Agreement figures between annotators: Cohen's kappa, Krippendorff's alpha, passage F1, confusion.

Everything is computed on code-point offsets into one canonical text, with interval arithmetic:
the characters covered by an annotator's passages of a tag are a sorted list of disjoint intervals,
so the four counts of a 2x2 table come from interval lengths and their intersection, and every
other figure from one sweep over the boundaries. Nothing loops over characters.

Definitions (each character of the document is one item):

* **Cohen's kappa, per tag**, for a pair of annotators: a character is *in* for an annotator when
  one of their passages of that tag covers it. With ``po`` the observed agreement and
  ``pe = p1*q1 + p0*q0`` from the two annotators' marginals, ``kappa = (po - pe) / (1 - pe)``,
  computed exactly with integers. When ``pe == 1`` both annotators put every character in the same
  class: kappa is 0/0, undefined, and is None (scikit-learn and statsmodels give NaN; INCEpTION's
  tests expect NaN). A document of no characters gives None too. :func:`undefined_reason` says why.
* **Category of a character** (for the "overall" kappa and alpha): the *set* of tags whose passages
  of that annotator cover it, so overlapping tags make a combined category (``claim+evidence``)
  and an untagged character is the empty set. Two annotators agree on a character only when they
  gave it exactly the same set of tags.
* **Krippendorff's alpha** (nominal): per tag, with each character in/out for every annotator, and
  overall, with the category above; every annotator codes every character (no missing values).
  ``alpha = 1 - (n - 1) * D / E`` where ``D`` is the sum of the disagreeing coincidences and ``E``
  the sum of ``n_c * n_k`` over distinct categories. When ``E == 0`` every value is the same
  category, alpha is 0/0 and None (as kappa above; the ``krippendorff`` package gives NaN).
* **Passage precision, recall and F1** of *theirs* against *mine* (mine is the reference): a pair
  of passages can match when the tags are equal and their character IoU (intersection over union)
  is at least a stated threshold (:data:`IOU_MATCH`, 0.5 by default); the matching is a *maximum*
  one-to-one matching (the most pairs; among those, the greatest total IoU), found per connected
  group of overlapping passages with SciPy's ``linear_sum_assignment``. The review's alignment
  uses the same matching for its "agreed" rows, so the two never disagree.
  ``precision = matched / theirs``, ``recall = matched / mine`` (None when the denominator is 0),
  ``F1 = 2 * matched / (mine + theirs)`` (None when both are empty).

Counts are small frozen dataclasses that add up, so figures pooled over documents are exact.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

Interval = tuple[int, int]
Span = tuple[int, int, str]
"""A passage: ``(start, end, tag)``, end exclusive."""

IOU_MATCH = 0.5
"""Least character IoU for two passages of the same tag to count as the same passage (``compare --iou``)."""

REASON_EMPTY = "nothing to compare (0/0)"
REASON_CHANCE = "every character is in one class for both, so chance agreement is 1 (0/0)"
REASON_NO_PASSAGES = "no passages on either side (0/0)"


def undefined_reason(kind: str) -> str:
    """Return the one-line reason a figure is undefined, for ``kind`` in ``empty``, ``chance``, ``passages``."""
    return {"empty": REASON_EMPTY, "chance": REASON_CHANCE, "passages": REASON_NO_PASSAGES}[kind]


# -- intervals -------------------------------------------------------------------------------------


def merge(intervals: Iterable[Interval], length: int | None = None) -> list[Interval]:
    """Return the union of intervals as sorted, disjoint, non-touching intervals.

    Args:
        intervals: ``(start, end)`` pairs, end exclusive; empty or reversed ones are ignored.
        length: if given, intervals are clipped to ``[0, length]``.
    """
    items = sorted(intervals)
    merged: list[Interval] = []
    for start, end in items:
        if length is not None:
            start, end = max(0, start), min(end, length)
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def covered(merged: Sequence[Interval]) -> int:
    """Return how many characters merged intervals cover."""
    return sum(end - start for start, end in merged)


def intersection(first: Sequence[Interval], second: Sequence[Interval]) -> int:
    """Return how many characters two lists of merged intervals have in common (a two-pointer walk)."""
    i = j = total = 0
    while i < len(first) and j < len(second):
        start = max(first[i][0], second[j][0])
        end = min(first[i][1], second[j][1])
        if end > start:
            total += end - start
        if first[i][1] <= second[j][1]:
            i += 1
        else:
            j += 1
    return total


# -- Cohen's kappa ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BinaryCounts:
    """A 2x2 table of characters: in/out for the first annotator against in/out for the second."""

    both: int = 0
    first_only: int = 0
    second_only: int = 0
    neither: int = 0

    def __post_init__(self) -> None:
        if min(self.both, self.first_only, self.second_only, self.neither) < 0:
            raise ValueError(f"a contingency table cannot hold negative counts: {self}")

    def __add__(self, other: BinaryCounts) -> BinaryCounts:
        return BinaryCounts(
            self.both + other.both,
            self.first_only + other.first_only,
            self.second_only + other.second_only,
            self.neither + other.neither,
        )

    @property
    def total(self) -> int:
        """Return the number of characters counted."""
        return self.both + self.first_only + self.second_only + self.neither

    @property
    def observed(self) -> float | None:
        """Return the observed agreement ``po`` (None when nothing was counted)."""
        return (self.both + self.neither) / self.total if self.total else None

    def kappa(self) -> float | None:
        """Return Cohen's kappa (see the module's docstring for the conventions)."""
        n = self.total
        if n == 0:
            return None
        first_in, second_in = self.both + self.first_only, self.both + self.second_only
        chance = first_in * second_in + (n - first_in) * (n - second_in)  # pe * n^2
        if chance == n * n:
            return None  # pe == 1: 0/0, undefined (scikit-learn and statsmodels give NaN)
        return (n * (self.both + self.neither) - chance) / (n * n - chance)


def binary_counts(first: Sequence[Interval], second: Sequence[Interval], length: int) -> BinaryCounts:
    """Count characters of a text of ``length`` in/out of two annotators' merged intervals."""
    a, b = covered(first), covered(second)
    both = intersection(first, second)
    return BinaryCounts(both, a - both, b - both, length - a - b + both)


@dataclass(frozen=True)
class CategoryCounts:
    """A contingency table of characters by category (a frozenset of tags) for two annotators."""

    cells: Mapping[tuple[frozenset[str], frozenset[str]], int] = field(default_factory=dict)

    def __add__(self, other: CategoryCounts) -> CategoryCounts:
        cells = Counter(self.cells)
        cells.update(other.cells)
        return CategoryCounts(dict(cells))

    @property
    def total(self) -> int:
        """Return the number of characters counted."""
        return sum(self.cells.values())

    def kappa(self) -> float | None:
        """Return Cohen's kappa over categories (None when ``pe == 1`` or empty: 0/0)."""
        n = self.total
        if n == 0:
            return None
        agreed = sum(count for (a, b), count in self.cells.items() if a == b)
        first: Counter[frozenset[str]] = Counter()
        second: Counter[frozenset[str]] = Counter()
        for (a, b), count in self.cells.items():
            first[a] += count
            second[b] += count
        chance = sum(first[c] * second[c] for c in first)
        if chance == n * n:
            return None  # pe == 1: 0/0, undefined
        return (n * agreed - chance) / (n * n - chance)


def category_label(category: frozenset[str]) -> str:
    """Return a category's name: its tags joined by ``+``, or ``none`` for an untagged character."""
    return "+".join(sorted(category)) if category else "none"


def category_combinations(annotators: Sequence[Sequence[Span]], length: int) -> dict[tuple[frozenset[str], ...], int]:
    """Count characters by the combination of categories the annotators gave them.

    One sweep over the sorted boundaries; each annotator's category is kept as a bit mask of tags
    (with a count per tag, so overlapping passages of one tag are handled), and a segment between
    two boundaries adds its length to its combination.

    Returns:
        ``{(category of annotator 0, category of annotator 1, ...): characters}``; the counts add
        up to ``length``.
    """
    bits: dict[str, int] = {}
    events: list[tuple[int, int, int, int]] = []
    for who, spans in enumerate(annotators):
        for start, end, tag in spans:
            start, end = max(0, start), min(end, length)
            if end > start:
                bit = bits.setdefault(tag, len(bits))
                events.append((start, who, bit, 1))
                events.append((end, who, bit, -1))
    events.sort()
    depth = [[0] * len(bits) for _ in annotators]
    masks = [0] * len(annotators)
    by_masks: Counter[tuple[int, ...]] = Counter()
    position = 0
    for at, who, bit, delta in events:
        if at > position:
            by_masks[tuple(masks)] += at - position
            position = at
        depth[who][bit] += delta
        if depth[who][bit]:
            masks[who] |= 1 << bit
        else:
            masks[who] &= ~(1 << bit)
    if length > position:
        by_masks[tuple(masks)] += length - position
    names = sorted(bits, key=bits.__getitem__)
    categories: dict[int, frozenset[str]] = {}

    def category(mask: int) -> frozenset[str]:
        if mask not in categories:
            categories[mask] = frozenset(name for i, name in enumerate(names) if mask >> i & 1)
        return categories[mask]

    result: Counter[tuple[frozenset[str], ...]] = Counter()
    for key, size in by_masks.items():
        result[tuple(category(mask) for mask in key)] += size
    return dict(result)


def category_counts(first: Sequence[Span], second: Sequence[Span], length: int) -> CategoryCounts:
    """Count characters by the pair of categories two annotators gave them."""
    combos = category_combinations([first, second], length)
    return CategoryCounts({(a, b): n for (a, b), n in combos.items()})


# -- Krippendorff's alpha --------------------------------------------------------------------------


@dataclass(frozen=True)
class AlphaCounts:
    """What Krippendorff's nominal alpha needs: disagreeing coincidences and each value's total."""

    disagreement: float = 0.0
    totals: Mapping[object, float] = field(default_factory=dict)

    def __add__(self, other: AlphaCounts) -> AlphaCounts:
        totals: dict[object, float] = dict(self.totals)
        for value, n in other.totals.items():
            totals[value] = totals.get(value, 0.0) + n
        return AlphaCounts(self.disagreement + other.disagreement, totals)

    def alpha(self) -> float | None:
        """Return nominal alpha (None when every value is the same category, or nothing was coded: 0/0)."""
        n = sum(self.totals.values())
        if n <= 1:
            return None
        expected = n * n - sum(v * v for v in self.totals.values())
        if expected <= 0:
            return None
        return 1.0 - (n - 1) * self.disagreement / expected


def _alpha_from(values_by_size: Iterable[tuple[Sequence[object], int]]) -> AlphaCounts:
    """Alpha's sums from ``(the values of every annotator, how many characters have them)``."""
    disagreement = 0.0
    totals: Counter[object] = Counter()
    for values, size in values_by_size:
        m = len(values)
        if m < 2:
            continue
        counts = Counter(values)
        # ordered pairs of different annotators whose values differ: m^2 - sum(n_c^2)
        disagreement += size * (m * m - sum(k * k for k in counts.values())) / (m - 1)
        for value, k in counts.items():
            totals[value] += size * k
    return AlphaCounts(disagreement, {value: float(n) for value, n in totals.items()})


def alpha_table(annotators: Sequence[Sequence[Span]], length: int) -> tuple[dict[str, AlphaCounts], AlphaCounts]:
    """Return alpha's sums per tag (each character in/out) and overall (each character's category).

    Every annotator codes every character; tags are those any annotator used.
    """
    if len(annotators) < 2 or length <= 0:
        return {}, AlphaCounts()
    combos = category_combinations(annotators, length)
    tags = sorted({tag for spans in annotators for _, _, tag in spans})
    per_tag = {tag: _alpha_from(((tuple(tag in c for c in key), n) for key, n in combos.items())) for tag in tags}
    return per_tag, _alpha_from(combos.items())


def alpha_counts(annotators: Sequence[Sequence[Span]], length: int, tag: str | None = None) -> AlphaCounts:
    """Coincidence sums for alpha over the characters of a text, every annotator coding every one.

    Args:
        annotators: each annotator's passages.
        length: the text's length in code points.
        tag: alpha for this tag, each character in/out; None for the category of every character.
    """
    per_tag, overall = alpha_table(annotators, length)
    if tag is None:
        return overall
    if tag in per_tag:
        return per_tag[tag]
    return _alpha_from([((False,) * len(annotators), length)]) if len(annotators) >= 2 and length > 0 else AlphaCounts()


# -- Krippendorff's unitizing alpha ---------------------------------------------------------------


@dataclass(frozen=True)
class UnitizingAlpha:
    """Krippendorff's unitizing alpha (uα): observed and expected disagreement per tag.

    Krippendorff (1995, "On the reliability of unitizing contiguous data"; 2004, *Content
    Analysis*, 2nd ed., section 12.5), as DKPro Agreement's ``KrippendorffAlphaUnitizingAgreement``
    computes it. For each tag, each annotator's text is cut into *units* (their passages of the
    tag, overlapping ones merged) and the *gaps* between them. Observed disagreement sums, over
    ordered pairs of different annotators and overlapping segments, ``(b1 - b2)^2 + (e1 - e2)^2`` for
    two units, ``l^2`` for a unit lying wholly inside the other's gap, 0 otherwise, divided by
    ``m (m - 1) L^2``. Expected disagreement is
    ``2 / L * sum_units[(N - 1) / 3 (2l^3 - 3l^2 + l) + l^2 sum_{gaps >= l}(l_gap - l + 1)] /
    (mL (mL - 1) - sum_units l (l - 1))`` (N: units of the tag, all annotators; gaps of all
    annotators). ``alpha = 1 - Do / De`` per tag, and ``1 - sum Do / sum De`` over all tags; None
    when ``De`` is 0 (0/0: nobody marked the tag, or every segment is the whole text).
    """

    observed: Mapping[str, float]
    expected: Mapping[str, float]

    def alpha(self, tag: str | None = None) -> float | None:
        """Return uα for ``tag``, or over every tag (None: undefined, 0/0)."""
        if tag is None:
            do, de = sum(self.observed.values()), sum(self.expected.values())
        else:
            do, de = self.observed.get(tag, 0.0), self.expected.get(tag, 0.0)
        return None if de <= 0 else 1.0 - do / de

    @property
    def tags(self) -> list[str]:
        """Return the tags measured."""
        return list(self.observed)


def _overlaps_merged(intervals: Iterable[Interval]) -> list[Interval]:
    """Merge overlapping intervals; touching ones stay two units (two passages side by side)."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _segments(units: Sequence[Interval], begin: int, end: int) -> list[tuple[int, int, bool]]:
    """Cut ``[begin, end)`` into ``(start, end, is_unit)``: the merged units and the gaps between them."""
    out: list[tuple[int, int, bool]] = []
    at = begin
    for s, e in ((max(begin, s), min(end, e)) for s, e in units):
        if e <= s:
            continue
        if s > at:
            out.append((at, s, False))
        out.append((s, e, True))
        at = e
    if end > at:
        out.append((at, end, False))
    return out


def _delta(a: tuple[int, int, bool], b: tuple[int, int, bool]) -> int:
    (s1, e1, u1), (s2, e2, u2) = a, b
    if u1 and u2:
        return (s1 - s2) ** 2 + (e1 - e2) ** 2
    if u1 and not u2 and s2 <= s1 and e1 <= e2:
        return (e1 - s1) ** 2
    if u2 and not u1 and s1 <= s2 and e2 <= e1:
        return (e2 - s2) ** 2
    return 0


def _observed_sum(first: Sequence[tuple[int, int, bool]], second: Sequence[tuple[int, int, bool]]) -> int:
    """Sum of δ² over the overlapping segments of two partitions of one stretch (a two-pointer walk)."""
    i = j = total = 0
    while i < len(first) and j < len(second):
        if min(first[i][1], second[j][1]) > max(first[i][0], second[j][0]):
            total += _delta(first[i], second[j])
        if first[i][1] <= second[j][1]:
            i += 1
        else:
            j += 1
    return total


def unitizing_alpha(annotators: Sequence[Sequence[Span]], length: int, begin: int = 0) -> UnitizingAlpha:
    """Return Krippendorff's unitizing alpha of passages on ``[begin, begin + length)``.

    Args:
        annotators: each annotator's passages ``(start, end, tag)``; at least two annotators.
        length: the length of the stretch studied (the text's length).
        begin: where the stretch begins.
    """
    m, big_l = len(annotators), length
    tags = sorted({tag for spans in annotators for _, _, tag in spans})
    observed: dict[str, float] = {}
    expected: dict[str, float] = {}
    for tag in tags:
        parts = [
            _segments(_overlaps_merged((s, e) for s, e, t in spans if t == tag), begin, begin + big_l)
            for spans in annotators
        ]
        pair_sum = sum(_observed_sum(parts[i], parts[j]) for i in range(m) for j in range(i + 1, m))
        observed[tag] = 2 * pair_sum / (m * (m - 1) * big_l * big_l) if m > 1 and big_l else 0.0
        units = [e - s for p in parts for s, e, u in p if u]
        gaps = sorted(e - s for p in parts for s, e, u in p if not u)
        # sum over gaps with length >= l of (gap - l + 1), from suffix sums of the sorted gap lengths
        suffix = [0] * (len(gaps) + 1)
        for k in range(len(gaps) - 1, -1, -1):
            suffix[k] = suffix[k + 1] + gaps[k]
        n = len(units)
        numerator = 0.0
        for u in units:
            k = bisect.bisect_left(gaps, u)
            fitting = len(gaps) - k
            numerator += (n - 1) / 3 * (2 * u**3 - 3 * u**2 + u) + u * u * (suffix[k] - fitting * (u - 1))
        denominator = m * big_l * (m * big_l - 1) - sum(u * (u - 1) for u in units)
        expected[tag] = 2 / big_l * numerator / denominator if denominator > 0 and big_l else 0.0
    return UnitizingAlpha(observed, expected)


# -- passages --------------------------------------------------------------------------------------


def overlapping_pairs(first: Sequence[Span], second: Sequence[Span]) -> Iterator[tuple[int, int]]:
    """Yield ``(i, j)`` for every passage ``first[i]`` that shares characters with ``second[j]``.

    A sweep with two active sets: each pair is produced once, when the later of the two starts, so
    the cost is the sorting plus the number of pairs.
    """
    events: list[tuple[int, int, int, int]] = []  # (position, 0 = end / 1 = start, side, index)
    for side, spans in enumerate((first, second)):
        for index, (start, end, _) in enumerate(spans):
            if end > start:
                events.append((start, 1, side, index))
                events.append((end, 0, side, index))
    events.sort()
    active: tuple[dict[int, None], dict[int, None]] = ({}, {})
    for _, kind, side, index in events:
        if kind == 0:
            del active[side][index]
            continue
        for other in active[1 - side]:
            yield (index, other) if side == 0 else (other, index)
        active[side][index] = None


def iou(a: Interval, b: Interval) -> float:
    """Return the intersection over union of two intervals' characters."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


@dataclass(frozen=True)
class PassageScores:
    """Passage-level matching of theirs against mine (mine is the reference)."""

    matched: int = 0
    mine: int = 0
    theirs: int = 0

    def __add__(self, other: PassageScores) -> PassageScores:
        return PassageScores(self.matched + other.matched, self.mine + other.mine, self.theirs + other.theirs)

    @property
    def precision(self) -> float | None:
        """Return matched / theirs, or None when they marked nothing."""
        return self.matched / self.theirs if self.theirs else None

    @property
    def recall(self) -> float | None:
        """Return matched / mine, or None when I marked nothing."""
        return self.matched / self.mine if self.mine else None

    @property
    def f1(self) -> float | None:
        """Return 2 * matched / (mine + theirs), the harmonic mean of precision and recall."""
        total = self.mine + self.theirs
        return 2 * self.matched / total if total else None


def passage_matches(
    mine: Sequence[Span], theirs: Sequence[Span], threshold: float = IOU_MATCH
) -> list[tuple[int, int]]:
    """Return a maximum one-to-one matching ``(i, j)``: same tag, IoU >= threshold.

    The edges come from one sort-and-sweep over both sides (:func:`overlapping_pairs`); each
    connected group of edges is solved with SciPy's ``linear_sum_assignment`` with weights
    ``1 + IoU``, so the number of pairs is maximal first and their total IoU second.
    Example: mine 0-10 and 0-7, theirs 0-9 and 0-15 gives two pairs (0-10 with 0-15, 0-7 with 0-9),
    where greedy matching by IoU would pair 0-10 with 0-9 and leave the others unmatched.

    Returns:
        The pairs, sorted.
    """
    edges, _ = iou_edges(mine, theirs, threshold)
    return maximum_matching(edges)


def iou_edges(
    mine: Sequence[Span], theirs: Sequence[Span], threshold: float = IOU_MATCH
) -> tuple[dict[tuple[int, int], float], dict[tuple[int, int], float]]:
    """Return the pairs with IoU >= ``threshold``, same tag and different tags, from one sort-and-sweep."""
    same: dict[tuple[int, int], float] = {}
    other: dict[tuple[int, int], float] = {}
    for i, j in overlapping_pairs(mine, theirs):
        score = iou((mine[i][0], mine[i][1]), (theirs[j][0], theirs[j][1]))
        if score >= threshold:
            (same if mine[i][2] == theirs[j][2] else other)[(i, j)] = score
    return same, other


def maximum_matching(edges: Mapping[tuple[int, int], float]) -> list[tuple[int, int]]:
    """Return a maximum-cardinality matching of a bipartite graph, the greatest total weight among those.

    Args:
        edges: ``{(left, right): weight in [0, 1]}``.
    """
    if not edges:
        return []
    # Connected components (union-find), so each assignment problem stays small.
    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def find(x: tuple[int, int]) -> tuple[int, int]:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in edges:
        a, b = find((0, i)), find((1, j))
        if a != b:
            parent[a] = b
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for i, j in edges:
        groups.setdefault(find((0, i)), []).append((i, j))
    matches: list[tuple[int, int]] = []
    for group in groups.values():
        if len(group) == 1:
            matches.append(group[0])
            continue
        rows = sorted({i for i, _ in group})
        cols = sorted({j for _, j in group})
        row_at = {i: k for k, i in enumerate(rows)}
        col_at = {j: k for k, j in enumerate(cols)}
        import numpy  # imported on first use: SciPy costs ~0.3 s, and the window's start does not need it
        from scipy import optimize

        weights = numpy.zeros((len(rows), len(cols)))
        for i, j in group:
            weights[row_at[i], col_at[j]] = 1.0 + edges[(i, j)]
        chosen_rows, chosen_cols = optimize.linear_sum_assignment(weights, maximize=True)
        for r, c in zip(chosen_rows, chosen_cols, strict=True):
            if weights[r, c] > 0:
                matches.append((rows[r], cols[c]))
    return sorted(matches)


def passage_scores(mine: Sequence[Span], theirs: Sequence[Span], threshold: float = IOU_MATCH) -> PassageScores:
    """Return precision, recall and F1 of ``theirs`` against ``mine`` (see the module's docstring)."""
    return PassageScores(len(passage_matches(mine, theirs, threshold)), len(mine), len(theirs))


# -- convenience -----------------------------------------------------------------------------------


def tag_intervals(spans: Iterable[Span], length: int) -> dict[str, list[Interval]]:
    """Return each tag's merged intervals."""
    by_tag: dict[str, list[Interval]] = {}
    for start, end, tag in spans:
        by_tag.setdefault(tag, []).append((start, end))
    return {tag: merge(intervals, length) for tag, intervals in by_tag.items()}


def pairwise(labels: Sequence[str]) -> list[tuple[int, int]]:
    """Return every unordered pair of indices, in order."""
    return list(itertools.combinations(range(len(labels)), 2))
