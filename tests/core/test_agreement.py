"""Agreement figures checked against textbook examples, numpy per-character counts and `krippendorff`."""

from __future__ import annotations

import itertools
import random

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core import agreement

Spans = list[tuple[int, int, str]]


def per_character(spans: Spans, length: int, tag: str) -> np.ndarray:
    """1 where one of the passages of ``tag`` covers the character: the straightforward reference."""
    marks = np.zeros(length, dtype=np.int8)
    for start, end, t in spans:
        if t == tag:
            marks[max(0, start) : min(end, length)] = 1
    return marks


def categories(spans: Spans, length: int) -> list[frozenset[str]]:
    cells: list[set[str]] = [set() for _ in range(length)]
    for start, end, tag in spans:
        for i in range(max(0, start), min(end, length)):
            cells[i].add(tag)
    return [frozenset(c) for c in cells]


def textbook_kappa(a: np.ndarray | list[object], b: np.ndarray | list[object]) -> float:
    """Cohen (1960): po from the diagonal, pe from the product of the marginals."""
    items = list(zip(list(a), list(b), strict=True))
    n = len(items)
    po = sum(1 for x, y in items if x == y) / n
    values = {x for x, _ in items} | {y for _, y in items}
    pe = sum((sum(1 for x, _ in items if x == v) / n) * (sum(1 for _, y in items if y == v) / n) for v in values)
    return (po - pe) / (1 - pe)


def random_spans(rng: random.Random, length: int, count: int, tags: tuple[str, ...]) -> Spans:
    spans: Spans = []
    for _ in range(count):
        start = rng.randrange(0, length)
        spans.append((start, min(length, start + rng.randint(1, length // 4)), rng.choice(tags)))
    return spans


# -- intervals -------------------------------------------------------------------------------------

intervals = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=12)


@given(intervals, intervals)
def test_merge_and_intersection_match_sets_of_characters(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> None:
    chars_a = {i for s, e in a for i in range(s, e)}
    chars_b = {i for s, e in b for i in range(s, e)}
    ma, mb = agreement.merge(a), agreement.merge(b)
    assert {i for s, e in ma for i in range(s, e)} == chars_a
    assert all(ma[k][1] < ma[k + 1][0] for k in range(len(ma) - 1))  # disjoint and not touching
    assert agreement.covered(ma) == len(chars_a)
    assert agreement.intersection(ma, mb) == len(chars_a & chars_b)


spans_strategy = st.lists(
    st.tuples(st.integers(0, 50), st.integers(1, 20), st.sampled_from(["a", "b"])).map(
        lambda t: (t[0], t[0] + t[1], t[2])
    ),
    max_size=10,
)


@given(spans_strategy, spans_strategy)
def test_overlapping_pairs_are_every_pair_that_shares_a_character(first: Spans, second: Spans) -> None:
    expected = {
        (i, j)
        for (i, (s1, e1, _)), (j, (s2, e2, _)) in itertools.product(enumerate(first), enumerate(second))
        if min(e1, e2) > max(s1, s2)
    }
    found = list(agreement.overlapping_pairs(first, second))
    assert len(found) == len(set(found))
    assert set(found) == expected


# -- Cohen's kappa ---------------------------------------------------------------------------------


def test_kappa_of_the_textbook_two_by_two_table() -> None:
    # Wikipedia's "Cohen's kappa" example: 50 items, yes/yes 20, yes/no 5, no/yes 10, no/no 15:
    # po = 0.7, pe = 0.5 * 0.6 + 0.5 * 0.4 = 0.5, kappa = 0.4. As characters of a 50-character text:
    # the first annotator marks 0-25 (20 + 5), the second 0-20 and 25-35 (20 + 10).
    first = [(0, 25)]
    second = [(0, 20), (25, 35)]
    counts = agreement.binary_counts(agreement.merge(first), agreement.merge(second), 50)
    assert (counts.both, counts.first_only, counts.second_only, counts.neither) == (20, 5, 10, 15)
    assert counts.observed == pytest.approx(0.7)
    assert counts.kappa() == pytest.approx(0.4)


def test_kappa_conventions() -> None:
    assert agreement.BinaryCounts(0, 0, 0, 100).kappa() is None  # nobody used the tag: pe == 1, 0/0
    assert agreement.BinaryCounts(100, 0, 0, 0).kappa() is None  # both tagged everything: 0/0
    assert agreement.BinaryCounts().kappa() is None  # no characters
    assert agreement.BinaryCounts(0, 50, 50, 0).kappa() == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="negative"):
        agreement.BinaryCounts(10, -1, 0, 0)


def test_pooled_counts_are_the_counts_of_the_joined_texts() -> None:
    a = agreement.binary_counts([(0, 10)], [(5, 15)], 40)
    b = agreement.binary_counts([(2, 4)], [], 20)
    joined = agreement.binary_counts([(0, 10), (42, 44)], [(5, 15)], 60)
    assert a + b == joined


@pytest.mark.parametrize("trial", range(8))
def test_binary_kappa_matches_a_per_character_computation(trial: int) -> None:
    rng = random.Random(trial)
    length = rng.randint(50, 400)
    first = random_spans(rng, length, rng.randint(0, 8), ("claim", "evidence"))
    second = random_spans(rng, length, rng.randint(0, 8), ("claim", "evidence"))
    for tag in ("claim", "evidence"):
        ia = agreement.tag_intervals(first, length).get(tag, [])
        ib = agreement.tag_intervals(second, length).get(tag, [])
        counts = agreement.binary_counts(ia, ib, length)
        x, y = per_character(first, length, tag), per_character(second, length, tag)
        assert counts.both == int(np.sum((x == 1) & (y == 1)))
        assert counts.neither == int(np.sum((x == 0) & (y == 0)))
        if len(set(x.tolist()) | set(y.tolist())) == 1:
            assert counts.kappa() is None
        else:
            assert counts.kappa() == pytest.approx(textbook_kappa(x, y))


@pytest.mark.parametrize("trial", range(8))
def test_category_kappa_matches_a_per_character_computation(trial: int) -> None:
    rng = random.Random(100 + trial)
    length = rng.randint(50, 300)
    first = random_spans(rng, length, rng.randint(1, 8), ("claim", "evidence", "recommendation"))
    second = random_spans(rng, length, rng.randint(1, 8), ("claim", "evidence", "recommendation"))
    counts = agreement.category_counts(first, second, length)
    ca, cb = categories(first, length), categories(second, length)
    assert counts.total == length
    for (a, b), n in counts.cells.items():
        assert n == sum(1 for x, y in zip(ca, cb, strict=True) if x == a and y == b)
    if len(set(ca) | set(cb)) > 1:
        assert counts.kappa() == pytest.approx(textbook_kappa(ca, cb))


def test_overlapping_tags_of_one_annotator_make_a_combined_category() -> None:
    combos = agreement.category_combinations([[(0, 10, "claim"), (5, 15, "evidence")], []], 20)
    assert combos == {
        (frozenset({"claim"}), frozenset()): 5,
        (frozenset({"claim", "evidence"}), frozenset()): 5,
        (frozenset({"evidence"}), frozenset()): 5,
        (frozenset(), frozenset()): 5,
    }
    assert agreement.category_label(frozenset({"evidence", "claim"})) == "claim+evidence"
    assert agreement.category_label(frozenset()) == "none"


# -- Krippendorff's alpha --------------------------------------------------------------------------


def test_alpha_of_a_hand_computed_example() -> None:
    # Three annotators, four characters, one tag. Values per character: (1,1,1), (1,1,0), (0,0,0),
    # (0,1,0). Disagreeing ordered pairs per character (m^2 - sum n_c^2): 0, 4, 0, 4, each divided
    # by m - 1 = 2: D = 4. n = 12 values, six 1s and six 0s: E = 144 - 36 - 36 = 72.
    # alpha = 1 - (n - 1) * D / E = 1 - 11 * 4 / 72 = 0.3888...
    spans = [[(0, 2, "t")], [(0, 2, "t"), (3, 4, "t")], [(0, 1, "t")]]
    counts = agreement.alpha_counts(spans, 4, "t")
    assert counts.disagreement == pytest.approx(4.0)
    assert counts.alpha() == pytest.approx(1 - 44 / 72)
    data = np.array([[1, 1, 0, 0], [1, 1, 0, 1], [1, 0, 0, 0]])
    assert counts.alpha() == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


@pytest.mark.parametrize("annotators", [2, 3, 4])
@pytest.mark.parametrize("trial", range(4))
def test_alpha_matches_the_krippendorff_package(annotators: int, trial: int) -> None:
    rng = random.Random(annotators * 10 + trial)
    length = rng.randint(60, 250)
    tags = ("claim", "evidence", "recommendation")
    people = [random_spans(rng, length, rng.randint(1, 7), tags) for _ in range(annotators)]
    per_tag, overall = agreement.alpha_table(people, length)
    for tag, counts in per_tag.items():
        data = np.array([per_character(p, length, tag) for p in people], dtype=float)
        if len(np.unique(data)) == 1:
            assert counts.alpha() == 1.0
            continue
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert counts.alpha() == pytest.approx(expected, abs=1e-9)
        assert agreement.alpha_counts(people, length, tag).alpha() == pytest.approx(expected, abs=1e-9)
    cats = [categories(p, length) for p in people]
    codes = {c: i for i, c in enumerate(sorted(set(itertools.chain(*cats)), key=sorted))}
    data = np.array([[codes[c] for c in row] for row in cats], dtype=float)
    if len(codes) > 1:
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert overall.alpha() == pytest.approx(expected, abs=1e-9)


def test_alpha_conventions() -> None:
    assert agreement.AlphaCounts().alpha() is None
    same = agreement.alpha_counts([[(0, 5, "t")], [(0, 5, "t")], [(0, 5, "t")]], 5, "t")
    assert same.alpha() is None  # every value the same category: 0/0, undefined
    assert agreement.alpha_counts([[], [], []], 10, "absent").alpha() is None


def test_pooled_alpha_is_alpha_of_the_joined_texts() -> None:
    a = [[(0, 5, "t")], [(2, 8, "t")], [(0, 3, "t")]]
    b = [[(1, 4, "t")], [], [(0, 6, "t")]]
    joined = [x + [(s + 10, e + 10, t) for s, e, t in y] for x, y in zip(a, b, strict=True)]
    pooled = agreement.alpha_counts(a, 10, "t") + agreement.alpha_counts(b, 10, "t")
    assert pooled.alpha() == pytest.approx(agreement.alpha_counts(joined, 20, "t").alpha())


# -- passages --------------------------------------------------------------------------------------


def test_passage_scores_by_hand() -> None:
    mine = [(0, 10, "claim"), (20, 30, "evidence")]
    theirs = [(2, 10, "claim"), (20, 24, "evidence"), (40, 50, "claim")]
    # (0,10)~(2,10): IoU 8/10 matches; (20,30)~(20,24): IoU 0.4, no; (40,50): nothing of mine.
    scores = agreement.passage_scores(mine, theirs)
    assert (scores.matched, scores.mine, scores.theirs) == (1, 2, 3)
    assert scores.precision == pytest.approx(1 / 3)
    assert scores.recall == pytest.approx(1 / 2)
    assert scores.f1 == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))


def test_passage_matching_is_one_to_one_and_needs_the_same_tag() -> None:
    mine = [(0, 10, "claim")]
    theirs = [(0, 9, "claim"), (0, 10, "claim"), (0, 10, "evidence")]
    assert agreement.passage_matches(mine, theirs) == [(0, 1)]  # the best IoU wins, once
    assert agreement.passage_scores(mine, [(0, 10, "evidence")]).matched == 0
    assert agreement.passage_scores(mine, [(0, 5, "claim")]).matched == 1  # IoU exactly 0.5
    assert agreement.passage_scores(mine, [(0, 4, "claim")]).matched == 0


def test_passage_scores_with_nothing_on_one_side() -> None:
    assert agreement.passage_scores([], []).f1 is None
    nothing_of_theirs = agreement.passage_scores([(0, 5, "claim")], [])
    assert nothing_of_theirs.precision is None and nothing_of_theirs.recall == 0.0 and nothing_of_theirs.f1 == 0.0


@settings(max_examples=60)
@given(spans_strategy, spans_strategy)
def test_greedy_matching_pairs_only_same_tag_passages_with_enough_overlap(mine: Spans, theirs: Spans) -> None:
    matches = agreement.passage_matches(mine, theirs)
    assert len({i for i, _ in matches}) == len(matches) == len({j for _, j in matches})
    for i, j in matches:
        assert mine[i][2] == theirs[j][2]
        assert agreement.iou(mine[i][:2], theirs[j][:2]) >= agreement.IOU_MATCH
