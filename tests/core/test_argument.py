"""The argument's core: link rules, outline nesting, weak points, the map's layout and renderings."""

from __future__ import annotations

import json
from pathlib import Path

import argument_seed
import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core import argument, model, textutil


def ann(aid: str, tag: str, start: int = 0, document: str = "d" * 64, quote: str = "") -> model.Annotation:
    return model.Annotation(aid, document, tag, start, start + 5, quote or f"quote of {aid}")


def lk(source: str, target: str, relation: str, lid: str | None = None) -> model.Link:
    return model.Link(lid or f"{source}>{target}:{relation}", source, target, relation)


@pytest.fixture
def seed(seed_path: Path) -> argument_seed.SeedArgument:
    return argument_seed.build(seed_path)


def seed_outline(seed: argument_seed.SeedArgument) -> argument.Outline:
    fp = seed.document.fingerprint
    return argument.build_outline(seed.store.annotations(fp), seed.store.links(fp), seed.store.tags())


# -- validate_link / link_warning -------------------------------------------------------------------


def test_the_issue_pairs_are_allowed() -> None:
    e, c, c2, r = ann("e", "evidence"), ann("c", "claim"), ann("c2", "claim"), ann("r", "recommendation")
    for relation in ("supports", "contradicts"):
        assert argument.validate_link(e, c, relation) is None
        assert argument.validate_link(c2, c, relation) is None
    assert argument.validate_link(r, c, "based-on") is None


def test_a_passage_cannot_link_to_itself_or_another_document() -> None:
    c = ann("c", "claim")
    assert "itself" in (argument.validate_link(c, c, "supports") or "")
    other = ann("e", "evidence", document="e" * 64)
    assert "different documents" in (argument.validate_link(other, c, "supports") or "")


def test_a_duplicate_is_refused_but_another_relation_only_warns() -> None:
    e, c = ann("e", "evidence"), ann("c", "claim")
    existing = [lk("e", "c", "supports")]
    assert "already supports" in (argument.validate_link(e, c, "supports", existing=existing) or "")
    assert argument.validate_link(e, c, "contradicts", existing=existing) is None
    assert "already supports" in (argument.link_warning(e, c, "contradicts", existing=existing) or "")


def test_reversed_links_are_refused_with_the_right_direction() -> None:
    e, c, r = ann("e", "evidence"), ann("c", "claim"), ann("r", "recommendation")
    message = argument.validate_link(c, e, "supports")
    assert message is not None and "not the other way round" in message and "start the link at the evidence" in message
    message = argument.validate_link(c, r, "based-on")
    assert message is not None and "start the link at the recommendation" in message


def test_nonsense_pairs_between_argument_tags_are_refused() -> None:
    e, e2, c, r = ann("e", "evidence"), ann("e2", "evidence"), ann("c", "claim"), ann("r", "recommendation")
    assert argument.validate_link(e, c, "based-on") is not None
    assert argument.validate_link(r, c, "supports") is not None
    assert argument.validate_link(e, e2, "supports") is not None
    assert argument.validate_link(e, r, "contradicts") is not None


def test_custom_tags_and_relations_are_allowed_with_a_warning() -> None:
    q, e, c = ann("q", "question"), ann("e", "evidence"), ann("c", "claim")
    assert argument.validate_link(e, q, "supports") is None
    assert "question" in (argument.link_warning(e, q, "supports") or "")
    assert argument.validate_link(e, c, "undermines") is None
    assert "undermines" in (argument.link_warning(e, c, "undermines") or "")
    assert argument.validate_link(e, c, "undermines", relations=["supports"]) is not None
    assert argument.link_warning(e, c, "supports") is None


def test_a_circle_of_claims_warns() -> None:
    a, b = ann("a", "claim"), ann("b", "claim")
    assert argument.validate_link(a, b, "supports", existing=[lk("b", "a", "supports")]) is None
    assert "circle" in (argument.link_warning(a, b, "supports", existing=[lk("b", "a", "supports")]) or "")


# -- outline ----------------------------------------------------------------------------------------


def test_seed_outline_nests_evidence_and_recommendation_under_the_claim(seed: argument_seed.SeedArgument) -> None:
    outline = seed_outline(seed)
    by_id = {n.annotation.id: n for n in outline.roots}
    assert set(by_id) == {seed.central.id, seed.not_unique.id}
    central = by_id[seed.central.id]
    assert central.relation is None
    assert [(c.annotation.id, c.relation) for c in central.children] == [
        (seed.limited_ties.id, "supports"),
        (seed.not_strategic.id, "supports"),
        (seed.recommendation.id, "based-on"),
    ]
    assert [(c.annotation.id, c.relation) for c in by_id[seed.not_unique.id].children] == [
        (seed.expansive_ties.id, "contradicts")
    ]
    assert [a.id for a in outline.unlinked] == [seed.visas.id]
    # Roots come in document order: the "not unique" claim precedes the central claim in the article.
    assert seed.document.text.index(argument_seed.CLAIM_NOT_UNIQUE) < seed.document.text.index(
        argument_seed.CENTRAL_CLAIM
    )
    assert [n.annotation.id for n in outline.roots] == [seed.not_unique.id, seed.central.id]


def test_seed_weak_points(seed: argument_seed.SeedArgument) -> None:
    weak = seed_outline(seed).weak
    assert [a.id for a in weak.unsupported_claims] == [seed.not_unique.id]
    assert weak.unfounded_recommendations == ()
    assert [a.id for a in weak.orphan_evidence] == [seed.visas.id]
    assert [a.id for a in weak.contested_claims] == [seed.not_unique.id]
    assert weak.counts() == {
        "unsupported_claims": 1,
        "unfounded_recommendations": 0,
        "orphan_evidence": 1,
        "contested_claims": 1,
    }
    assert weak.total == 3


def test_deleting_the_claim_makes_the_recommendation_unfounded(seed: argument_seed.SeedArgument) -> None:
    seed.store.delete_annotations([seed.central.id])
    outline = seed_outline(seed)
    assert [a.id for a in outline.weak.unfounded_recommendations] == [seed.recommendation.id]
    assert {a.id for a in outline.weak.orphan_evidence} == {seed.visas.id, seed.limited_ties.id, seed.not_strategic.id}
    assert {a.id for a in outline.unlinked} == {
        seed.visas.id,
        seed.limited_ties.id,
        seed.not_strategic.id,
        seed.recommendation.id,
    }


def test_claims_supporting_claims_nest_and_ground_through_evidence() -> None:
    anns = [ann("top", "claim", 0), ann("mid", "claim", 10), ann("low", "claim", 20), ann("e", "evidence", 30)]
    links = [lk("mid", "top", "supports"), lk("low", "mid", "supports"), lk("e", "low", "supports")]
    outline = argument.build_outline(anns, links)
    assert len(outline.roots) == 1
    chain = [(d, n.annotation.id) for d, n in argument.walk(outline.roots)]
    assert chain == [(0, "top"), (1, "mid"), (2, "low"), (3, "e")]
    assert outline.weak.unsupported_claims == ()


def test_a_circle_of_claims_terminates_and_is_unsupported() -> None:
    anns = [ann("a", "claim", 0), ann("b", "claim", 10), ann("c", "claim", 20)]
    links = [lk("a", "b", "supports"), lk("b", "c", "supports"), lk("c", "a", "supports")]
    outline = argument.build_outline(anns, links)
    nodes = list(argument.walk(outline.roots))
    assert len(outline.roots) == 1 and outline.roots[0].annotation.id == "a"
    assert [n.annotation.id for _, n in nodes] == ["a", "c", "b", "a"]
    assert nodes[-1][1].repeated and nodes[-1][1].children == ()
    assert {a.id for a in outline.weak.unsupported_claims} == {"a", "b", "c"}
    assert outline.unlinked == ()


def test_a_shared_piece_of_evidence_is_repeated_not_expanded_twice() -> None:
    anns = [ann("c1", "claim", 0), ann("c2", "claim", 10), ann("e", "evidence", 20), ann("x", "evidence", 30)]
    links = [lk("e", "c1", "supports"), lk("e", "c2", "contradicts"), lk("x", "e", "supports")]
    outline = argument.build_outline(anns, links)
    first, second = outline.roots
    assert first.children[0].annotation.id == "e" and not first.children[0].repeated
    assert first.children[0].children[0].annotation.id == "x"
    assert second.children[0].annotation.id == "e" and second.children[0].repeated
    assert [a.id for a in outline.weak.contested_claims] == ["c2"]


def test_custom_tags_pointed_at_become_roots_and_links_to_unknown_annotations_are_ignored() -> None:
    anns = [ann("q", "question", 0), ann("e", "evidence", 10), ann("lone", "note", 20)]
    links = [lk("e", "q", "supports"), lk("e", "gone", "supports"), lk("e", "e", "supports")]
    outline = argument.build_outline(anns, links)
    assert [n.annotation.id for n in outline.roots] == ["q"]
    assert [c.annotation.id for c in outline.roots[0].children] == ["e"]
    assert [a.id for a in outline.unlinked] == ["lone"]
    assert outline.weak.orphan_evidence == ()


def test_a_long_chain_of_claims_does_not_hit_the_recursion_limit() -> None:
    n = 5000
    anns = [ann(f"c{i}", "claim", i * 10) for i in range(n)]
    links = [lk(f"c{i + 1}", f"c{i}", "supports") for i in range(n - 1)]
    outline = argument.build_outline(anns, links)
    assert sum(1 for _ in argument.walk(outline.roots)) == n
    assert len(json.dumps(argument.outline_json(outline))) > n
    layout = argument.layout_map(anns, links)
    assert len({b.row for b in layout.boxes}) == n


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["claim", "evidence", "recommendation", "question"]), min_size=0, max_size=14),
    st.lists(
        st.tuples(st.integers(0, 13), st.integers(0, 13), st.sampled_from(["supports", "contradicts", "based-on"])),
        max_size=40,
    ),
)
def test_every_annotation_appears_and_the_outline_is_bounded(
    tags: list[str], pairs: list[tuple[int, int, str]]
) -> None:
    anns = [ann(f"a{i}", tag, i * 10) for i, tag in enumerate(tags)]
    links = [lk(f"a{s}", f"a{t}", rel) for s, t, rel in pairs if s < len(anns) and t < len(anns)]
    outline = argument.build_outline(anns, links)
    shown = {n.annotation.id for _, n in argument.walk(outline.roots) if not n.repeated}
    unlinked = {a.id for a in outline.unlinked}
    assert shown | unlinked == {a.id for a in anns}
    assert not shown & unlinked
    # Each annotation is expanded once; the rest are single repeated leaves, one per link at most.
    assert sum(1 for _ in argument.walk(outline.roots)) <= len(anns) + len(links)
    for _, node in argument.walk(outline.roots):
        if node.repeated:
            assert node.children == ()


# -- renderings -------------------------------------------------------------------------------------


def test_outline_text_reads_like_the_argument(seed: argument_seed.SeedArgument) -> None:
    text = argument.outline_text(seed_outline(seed), seed.store.tags(), relations=seed.store.relations())
    lines = text.splitlines()
    claim_line = next(i for i, line in enumerate(lines) if "lacks a strategic dimension" in line)
    assert lines[claim_line].startswith("  [Claim]")
    assert lines[claim_line + 1].startswith("    supports: [Evidence] \u201cties have so far been limited")
    assert lines[claim_line + 3].startswith("    based on: [Recommendation] \u201cif Iran really wants")
    assert "Weak points (3)" in text
    assert "Evidence linked to nothing: 1" in text


def test_outline_text_strips_terminal_control_characters() -> None:
    outline = argument.build_outline([ann("c", "claim", quote="red \x1b[31m alarm\x07\nnext")], [])
    text = argument.outline_text(outline)
    assert "\x1b" not in text and "\x07" not in text
    assert "red [31m alarm next" in text


def test_outline_json_round_trips_through_json(seed: argument_seed.SeedArgument) -> None:
    data = json.loads(json.dumps(argument.outline_json(seed_outline(seed), seed.store.tags())))
    central = next(r for r in data["roots"] if r["id"] == seed.central.id)
    assert central["quote"] == argument_seed.CENTRAL_CLAIM
    assert [c["relation"] for c in central["children"]] == ["supports", "supports", "based-on"]
    assert data["weak_points"]["orphan_evidence"]["count"] == 1
    assert data["weak_points"]["orphan_evidence"]["annotations"][0]["id"] == seed.visas.id
    assert data["unlinked"][0]["quote"] == argument_seed.EVIDENCE_VISAS


EVIL = [
    "**bold** _it_ `code` [link](javascript:alert(1)) ![img](http://x/y.png)",
    "<script>alert(1)</script> <b>html</b> &amp; &copy; AT&T",
    "# heading\n\n- list\n1. ordered\n> quote\n---\n| a | b |",
    "1. starts like a list",
    "- starts like a bullet",
    "back\\slash \\*escaped\\* {: .attr} ~~strike~~ $math$ ==mark== http://example.org",
]


@pytest.mark.parametrize("text", EVIL)
def test_escape_markdown_renders_as_the_text_itself(text: str) -> None:
    from html.parser import HTMLParser

    rendered = markdown.markdown("Quote: " + textutil.escape_markdown(text), extensions=["tables", "attr_list"])

    class Collect(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.tags: list[str] = []
            self.text = ""

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append(tag)

        def handle_data(self, data: str) -> None:
            self.text += data

    c = Collect()
    c.feed(rendered)
    assert c.tags == ["p"], rendered
    assert c.text == "Quote: " + textutil.one_line(text)


def test_escape_markdown_leaves_ordinary_prose_readable() -> None:
    assert textutil.escape_markdown(argument_seed.CENTRAL_CLAIM) == argument_seed.CENTRAL_CLAIM


def test_outline_markdown_escapes_user_text() -> None:
    anns = [ann("c", "claim", quote="[click](http://evil) <img src=x>"), ann("e", "evidence", 10, quote="*x*")]
    tags = [*model.DEFAULT_TAGS[1:], model.Tag("claim", "Cl<b>aim</b>", "#fff")]
    md = argument.outline_markdown(argument.build_outline(anns, [lk("e", "c", "supports")]), tags)
    html = markdown.markdown(md)
    assert "<a" not in html and "<img" not in html and "<b>" not in html and "<em>x" not in html
    assert "&lt;img src=x&gt;" in html


def test_outline_markdown_nests_the_seed(seed: argument_seed.SeedArgument) -> None:
    md = argument.outline_markdown(seed_outline(seed), seed.store.tags(), relations=seed.store.relations())
    html = markdown.markdown(md)
    # The evidence list is nested inside the claim's list item.
    claim_at = html.index("lacks a strategic dimension")
    assert html.index("<ul>", claim_at) < html.index("ties have so far been limited")
    assert "<h3>Weak points (3)</h3>" in html


def test_shorten_cuts_at_a_word() -> None:
    assert textutil.shorten("one two three four", 12) == "one two\u2026"
    assert textutil.shorten("short", 12) == "short"
    assert len(textutil.shorten("x" * 50, 10)) == 10


# -- the map ----------------------------------------------------------------------------------------


def segment_enters_box(x1: float, y1: float, x2: float, y2: float, b: argument.MapBox, inset: float = 0.5) -> bool:
    """Whether the segment passes through the box's interior (shrunk by ``inset``): Liang-Barsky clipping."""
    left, right, top, bottom = b.x + inset, b.x + b.w - inset, b.y + inset, b.y + b.h - inset
    dx, dy = x2 - x1, y2 - y1
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x1 - left), (dx, right - x1), (-dy, y1 - top), (dy, bottom - y1)):
        if p == 0:
            if q < 0:
                return False
            continue
        r = q / p
        if p < 0:
            t0 = max(t0, r)
        else:
            t1 = min(t1, r)
        if t0 > t1:
            return False
    return True


def test_segment_check_itself() -> None:
    box = argument.MapBox("b", "claim", "", 10, 10, 20, 20, 1, 0)
    assert segment_enters_box(0, 0, 40, 40, box)
    assert segment_enters_box(20, 0, 20, 40, box)
    assert not segment_enters_box(0, 0, 40, 0, box)
    assert not segment_enters_box(20, 30, 20, 60, box)  # starts on the border, goes away


def test_long_links_run_between_boxes() -> None:
    # A recommendation based on a claim two rows down, past a row of claims: it must not cross them.
    anns = [ann("r", "recommendation", 0), ann("top", "claim", 10), ann("sub", "claim", 20)]
    anns += [ann(f"c{i}", "claim", 30 + i) for i in range(3)] + [ann("e", "evidence", 50)]
    links = [lk("sub", "top", "supports"), lk("r", "sub", "based-on"), lk("e", "top", "supports")]
    links += [lk(f"c{i}", "top", "supports") for i in range(3)]
    layout = argument.layout_map(anns, links)
    long = next(e for e in layout.edges if e.source == "r")
    assert len(long.points) > 2
    for e in layout.edges:
        for (x1, y1), (x2, y2) in zip(e.points, e.points[1:], strict=False):
            assert not any(segment_enters_box(x1, y1, x2, y2, b) for b in layout.boxes), e


def test_links_within_a_row_dip_below_it() -> None:
    anns = [ann("e1", "evidence", 0), ann("e2", "evidence", 10), ann("e3", "evidence", 20)]
    layout = argument.layout_map(anns, [lk("e1", "e3", "supports")])
    (edge,) = layout.edges
    row_bottom = layout.box("e1").y + layout.box("e1").h
    assert len(edge.points) == 3 and edge.points[1][1] > row_bottom
    assert edge.label_y > row_bottom
    assert layout.height >= edge.points[1][1]
    assert not any(
        segment_enters_box(*a, *b, box)
        for a, b in zip(edge.points, edge.points[1:], strict=False)
        for box in layout.boxes
    )


def assert_no_overlap(layout: argument.MapLayout) -> None:
    boxes = layout.boxes
    for i, a in enumerate(boxes):
        assert a.x >= 0 and a.y >= 0 and a.x + a.w <= layout.width + 1e-6 and a.y + a.h <= layout.height + 1e-6
        for b in boxes[i + 1 :]:
            # the boxes share no area (touching edges do not count)
            assert not (a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h), (a, b)


def test_seed_map_layers_and_edges(seed: argument_seed.SeedArgument) -> None:
    layout = argument.layout_map(
        seed.store.annotations(), seed.store.links(), seed.store.tags(), relations=seed.store.relations()
    )
    assert_no_overlap(layout)
    rec, claim, ev = layout.box(seed.recommendation.id), layout.box(seed.central.id), layout.box(seed.limited_ties.id)
    assert rec.y < claim.y < ev.y
    assert {b.layer for b in layout.boxes} == {0, 1, 2}
    assert len(layout.edges) == 4
    based = next(e for e in layout.edges if e.relation == "based-on")
    assert based.label == "based on"
    # The arrow leaves the recommendation's bottom and arrives on the claim's top.
    assert based.y1 == rec.y + rec.h and rec.x <= based.x1 <= rec.x + rec.w
    assert based.y2 == claim.y and claim.x <= based.x2 <= claim.x + claim.w
    # The claim sits above the middle of its two supporting pieces of evidence (pulled by the links).
    ev2 = layout.box(seed.not_strategic.id)
    assert abs(claim.centre[0] - (ev.centre[0] + ev2.centre[0]) / 2) < 5
    assert layout.box(seed.visas.id).label == argument_seed.EVIDENCE_VISAS


def test_map_puts_supporting_claims_below_and_custom_tags_last() -> None:
    anns = [ann("top", "claim", 0), ann("sub", "claim", 10), ann("e", "evidence", 20), ann("q", "question", 30)]
    links = [lk("sub", "top", "supports"), lk("e", "sub", "supports")]
    layout = argument.layout_map(anns, links)
    ys = {b.id: b.y for b in layout.boxes}
    assert ys["top"] < ys["sub"] < ys["e"] < ys["q"]


def test_barycentre_ordering_removes_crossings() -> None:
    # Document order would cross every arrow: claims A B C, evidence supporting C B A in that order.
    anns = [ann("A", "claim", 0), ann("B", "claim", 10), ann("C", "claim", 20)]
    anns += [ann("eC", "evidence", 30), ann("eB", "evidence", 40), ann("eA", "evidence", 50)]
    links = [lk("eA", "A", "supports"), lk("eB", "B", "supports"), lk("eC", "C", "supports")]
    layout = argument.layout_map(anns, links)
    segments = [(e.x1, e.y1, e.x2, e.y2) for e in layout.edges]
    assert argument._count_crossings(segments) == 0


def test_long_rows_wrap() -> None:
    anns = [ann(f"e{i}", "evidence", i * 10) for i in range(20)]
    layout = argument.layout_map(anns, [], max_per_row=8)
    assert len({b.row for b in layout.boxes}) == 3
    assert layout.width <= 2 * argument.MARGIN + 8 * argument.BOX_WIDTH + 7 * argument.H_GAP + 1e-6
    assert_no_overlap(layout)


def test_empty_map() -> None:
    layout = argument.layout_map([], [])
    assert layout.boxes == () and layout.edges == () and layout.width == 0


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.sampled_from(["claim", "evidence", "recommendation", "question"]), min_size=1, max_size=30),
    st.lists(
        st.tuples(st.integers(0, 29), st.integers(0, 29), st.sampled_from(["supports", "contradicts", "based-on"]))
    ),
    st.integers(1, 10),
)
def test_random_maps_never_overlap(tags: list[str], pairs: list[tuple[int, int, str]], per_row: int) -> None:
    anns = [ann(f"a{i}", tag, i * 10) for i, tag in enumerate(tags)]
    links = [lk(f"a{s}", f"a{t}", rel) for s, t, rel in pairs if s < len(anns) and t < len(anns)]
    layout = argument.layout_map(anns, links, max_per_row=per_row)
    assert {b.id for b in layout.boxes} == {a.id for a in anns}
    assert_no_overlap(layout)
    by_id = {b.id: b for b in layout.boxes}
    for b in layout.boxes:
        layer = {"recommendation": 0, "claim": 1, "evidence": 2}.get(b.tag, 3)
        assert b.layer == layer
    for b1 in layout.boxes:
        for b2 in layout.boxes:
            if b1.layer < b2.layer:
                assert b1.y < b2.y
    for e in layout.edges:
        s, t = by_id[e.source], by_id[e.target]
        assert e.points[0] == (e.x1, e.y1) and e.points[-1] == (e.x2, e.y2)
        # Both ends lie on their boxes' borders.
        for (x, y), b in (((e.x1, e.y1), s), ((e.x2, e.y2), t)):
            assert b.x - 1e-6 <= x <= b.x + b.w + 1e-6 and b.y - 1e-6 <= y <= b.y + b.h + 1e-6
            assert min(abs(x - b.x), abs(x - b.x - b.w), abs(y - b.y), abs(y - b.y - b.h)) < 1e-6
        # No arrow runs through a box, and every label sits outside the boxes.
        for (x1, y1), (x2, y2) in zip(e.points, e.points[1:], strict=False):
            for b in layout.boxes:
                assert not segment_enters_box(x1, y1, x2, y2, b), (e, b)
        assert not any(b.x < e.label_x < b.x + b.w and b.y < e.label_y < b.y + b.h for b in layout.boxes)
        assert 0 <= e.label_y <= layout.height


def test_a_large_map_is_laid_out() -> None:
    anns = [ann(f"c{i}", "claim", i) for i in range(60)] + [ann(f"e{i}", "evidence", 1000 + i) for i in range(240)]
    links = [lk(f"e{i}", f"c{(i * 7) % 60}", "supports") for i in range(240)]
    layout = argument.layout_map(anns, links)
    assert_no_overlap(layout)
    assert len(layout.edges) == 240
