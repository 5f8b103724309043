"""Agreement figures against independent implementations (scikit-learn's kappa, the `krippendorff` package).

Each case is expanded character by character into label vectors that the references read; our interval
arithmetic must give the same numbers, and None exactly where they give NaN (0/0).
"""

from __future__ import annotations

import math
import random

import krippendorff
import numpy
import pytest
from sklearn.metrics import cohen_kappa_score

from desktop.core import agreement

Span = agreement.Span
TAGS = ("claim", "evidence")


def _labels(spans: list[Span], length: int, tag: str | None) -> list[str]:
    """Per character: in/out of ``tag``, or the set of tags covering it (tag None)."""
    out = []
    for c in range(length):
        covering = sorted({t for s, e, t in spans if s <= c < e})
        out.append(("in" if tag in covering else "out") if tag is not None else "+".join(covering) or "none")
    return out


def _kappa_reference(a: list[str], b: list[str]) -> float | None:
    with numpy.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = float(cohen_kappa_score(a, b)) if a else math.nan
    return None if math.isnan(value) else value


def _alpha_reference(rows: list[list[str]]) -> float | None:
    values = sorted({v for row in rows for v in row})
    if len(values) < 2 or not rows[0]:
        return None  # krippendorff refuses a single value: alpha is 0/0
    codes = {v: i for i, v in enumerate(values)}
    data = numpy.array([[codes[v] for v in row] for row in rows], dtype=float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def _cases() -> list[tuple[str, int, list[list[Span]]]]:
    rng = random.Random(12)
    cases: list[tuple[str, int, list[list[Span]]]] = [
        ("empty files", 50, [[], []]),
        ("empty text", 0, [[], []]),
        ("identical", 40, [[(0, 10, "claim"), (20, 30, "evidence")]] * 2),
        ("disjoint", 40, [[(0, 10, "claim")], [(20, 30, "claim")]]),
        ("self-overlapping", 40, [[(0, 20, "claim"), (5, 15, "claim"), (10, 30, "evidence")], [(0, 12, "claim")]]),
        ("all tagged alike", 10, [[(0, 10, "claim")], [(0, 10, "claim")]]),
        ("three annotators", 60, [[(0, 20, "claim")], [(5, 25, "claim")], [(30, 50, "evidence"), (0, 10, "claim")]]),
    ]
    for k in range(30):
        length = rng.randint(1, 80)
        people = []
        for _ in range(rng.choice((2, 3))):
            spans = []
            for _ in range(rng.randint(0, 4)):
                s = rng.randrange(length)
                spans.append((s, rng.randint(s + 1, length), rng.choice(TAGS)))
            people.append(spans)
        cases.append((f"generated {k}", length, people))
    return cases


@pytest.mark.parametrize(("name", "length", "people"), _cases(), ids=[c[0] for c in _cases()])
def test_kappa_and_alpha_match_the_references(name: str, length: int, people: list[list[Span]]) -> None:
    first, second = people[0], people[1]
    for tag in TAGS:
        ours = agreement.binary_counts(
            agreement.tag_intervals(first, length).get(tag, []),
            agreement.tag_intervals(second, length).get(tag, []),
            length,
        ).kappa()
        ref = _kappa_reference(_labels(first, length, tag), _labels(second, length, tag))
        assert (ours is None) == (ref is None), (name, tag, ours, ref)
        if ours is not None and ref is not None:
            assert ours == pytest.approx(ref, abs=1e-9)
    ours = agreement.category_counts(first, second, length).kappa()
    ref = _kappa_reference(_labels(first, length, None), _labels(second, length, None))
    assert (ours is None) == (ref is None), (name, ours, ref)
    if ours is not None and ref is not None:
        assert ours == pytest.approx(ref, abs=1e-9)
    per_tag, overall = agreement.alpha_table(people, length)
    ref_alpha = _alpha_reference([_labels(p, length, None) for p in people]) if length else None
    ours_alpha = overall.alpha()
    assert (ours_alpha is None) == (ref_alpha is None), (name, ours_alpha, ref_alpha)
    if ours_alpha is not None and ref_alpha is not None:
        assert ours_alpha == pytest.approx(ref_alpha, abs=1e-9)
    for tag, counts in per_tag.items():
        ref_tag = _alpha_reference([_labels(p, length, tag) for p in people])
        assert (counts.alpha() is None) == (ref_tag is None), (name, tag)
        if ref_tag is not None:
            assert counts.alpha() == pytest.approx(ref_tag, abs=1e-9)


def test_two_empty_files_are_undefined_not_perfect() -> None:
    assert agreement.binary_counts([], [], 100).kappa() is None
    assert agreement.category_counts([], [], 100).kappa() is None
    assert agreement.alpha_counts([[], [], []], 100).alpha() is None
    scores = agreement.passage_scores([], [])
    assert (scores.precision, scores.recall, scores.f1) == (None, None, None)


def test_passages_are_matched_by_a_maximum_one_to_one_matching() -> None:
    """The issue's example: greedy IoU matching gives F1 0.5, a maximum matching 1.0."""
    mine: list[Span] = [(0, 10, "claim"), (0, 7, "claim")]
    theirs: list[Span] = [(0, 9, "claim"), (0, 15, "claim")]
    assert agreement.passage_matches(mine, theirs, 0.5) == [(0, 1), (1, 0)]
    assert agreement.passage_scores(mine, theirs).f1 == 1.0
    # A stricter threshold leaves only the pairs that reach it.
    assert agreement.passage_matches(mine, theirs, 0.8) == [(1, 0)] or agreement.passage_matches(mine, theirs, 0.8) == [
        (0, 0)
    ]


def test_maximum_matching_against_brute_force_on_generated_cases() -> None:
    import itertools

    rng = random.Random(3)
    for _ in range(200):
        mine = [(s, s + rng.randint(1, 12), "claim") for s in (rng.randrange(30) for _ in range(rng.randint(0, 5)))]
        theirs = [(s, s + rng.randint(1, 12), "claim") for s in (rng.randrange(30) for _ in range(rng.randint(0, 5)))]
        got = agreement.passage_matches(mine, theirs, 0.5)
        assert len({i for i, _ in got}) == len(got) == len({j for _, j in got})
        assert all(agreement.iou(mine[i][:2], theirs[j][:2]) >= 0.5 for i, j in got)
        edges = [
            (i, j)
            for i in range(len(mine))
            for j in range(len(theirs))
            if agreement.iou(mine[i][:2], theirs[j][:2]) >= 0.5
        ]
        best = 0
        for k in range(len(edges), 0, -1):
            if any(len({i for i, _ in c}) == k == len({j for _, j in c}) for c in itertools.combinations(edges, k)):
                best = k
                break
        assert len(got) == best


# -- Krippendorff's unitizing alpha: the published worked examples ------------------------------------


def test_unitizing_alpha_reproduces_krippendorff_2004() -> None:
    """Krippendorff (2004), Content Analysis, p. 254; the figures DKPro Agreement's test expects."""
    first = [(225, 295, "c"), (370, 400, "c"), (180, 240, "k"), (300, 350, "k")]
    second = [(220, 300, "c"), (355, 375, "c"), (400, 420, "c"), (180, 240, "k"), (300, 350, "k")]
    u = agreement.unitizing_alpha([first, second], 300, begin=150)
    assert u.observed["c"] == pytest.approx(0.0144, abs=0.0001)
    assert u.expected["c"] == pytest.approx(0.0532, abs=0.0001)
    assert u.alpha("c") == pytest.approx(0.7286, abs=0.0001)
    assert u.observed["k"] == 0.0
    assert u.expected["k"] == pytest.approx(0.0490, abs=0.0001)
    assert u.alpha("k") == pytest.approx(1.0)
    assert u.alpha() == pytest.approx(0.8591, abs=0.0005)


def _krippendorff_1995(stretch: float) -> agreement.UnitizingAlpha:
    """Krippendorff (1995), Sociological Methodology 25, p. 57: four pairs of coders, 24 units long."""
    units = [
        (2, 8, 0, "A"), (14, 6, 0, "A"), (4, 4, 1, "A"), (15, 2, 1, "A"),
        (0, 18, 0, "B"), (0, 2, 1, "B"), (2, 1, 1, "B"), (3, 1, 1, "B"), (4, 1, 1, "B"), (5, 1, 1, "B"),
        (6, 3, 1, "B"), (9, 1, 1, "B"),
        (2, 6, 0, "C"), (10, 2, 0, "C"), (14, 4, 0, "C"), (20, 2, 0, "C"), (0, 2, 1, "C"), (4, 4, 1, "C"),
        (10, 4, 1, "C"), (16, 2, 1, "C"), (20, 2, 1, "C"),
        (0, 2, 0, "D"), (2, 8, 0, "D"), (10, 4, 0, "D"), (14, 6, 0, "D"), (20, 4, 0, "D"), (0, 4, 1, "D"),
        (4, 4, 1, "D"), (8, 7, 1, "D"), (15, 2, 1, "D"), (17, 7, 1, "D"),
    ]  # fmt: skip
    coders: list[list[Span]] = [[], []]
    for begin, length, coder, tag in units:
        start = int(begin * stretch)
        coders[coder].append((start, start + int(length * stretch), tag))
    return agreement.unitizing_alpha(coders, int(24 * stretch))


def test_unitizing_alpha_reproduces_krippendorff_1995() -> None:
    """Observed disagreement exactly; expected and alpha within DKPro's tolerances (the paper rounds)."""
    u = _krippendorff_1995(1)
    for tag, value in {"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715}.items():
        assert u.observed[tag] == pytest.approx(value, abs=0.00001)
    u = _krippendorff_1995(1_200_000 / 24)
    for tag, value in {"A": 0.06990, "B": 1.17731, "C": 0.08642, "D": 0.41445}.items():
        assert u.expected[tag] == pytest.approx(value, abs=0.005)
    for tag, value in {"A": 0.553, "B": -0.926, "C": 0.679, "D": 0.066}.items():
        assert u.alpha(tag) == pytest.approx(value, abs=0.02)


def test_unitizing_alpha_undefined_and_perfect() -> None:
    assert agreement.unitizing_alpha([[], []], 100).alpha() is None  # nobody marked anything: 0/0
    same = [(10, 20, "claim"), (40, 70, "evidence")]
    assert agreement.unitizing_alpha([same, same, same], 100).alpha() == pytest.approx(1.0)
    # Self-overlapping passages of one tag count as one unit.
    u = agreement.unitizing_alpha([[(10, 20, "claim"), (15, 30, "claim")], [(10, 30, "claim")]], 100)
    assert u.alpha("claim") == pytest.approx(1.0)
