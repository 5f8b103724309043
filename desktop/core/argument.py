"""The argument's structure: which links make sense, the outline, its weak points and the map's layout.

Links run from one annotation to another of the same document:

* ``supports`` and ``contradicts``: evidence -> claim, or claim -> claim;
* ``based-on``: recommendation -> claim.

Rules (:func:`validate_link` refuses, :func:`link_warning` only warns):

* A link from a passage to itself, between two documents, or repeating an existing link (same
  ends, same relation) is refused.
* Between the three argument tags (claim, evidence, recommendation) and with the three built-in
  relations, only the pairs above are allowed; anything else is refused with a message saying
  which way the link should go (e.g. a claim cannot "support" evidence).
* As soon as one end has a tag the analyst added, or the relation is one the analyst added, the
  link is allowed: Warrant cannot know what "question" or "undermines" mean, so it warns instead
  (the link shows in the outline and the map, but no weak point counts it).

Nothing here imports Qt: the same functions serve the window, the CLI and the exports.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop.core import assessment, model, textutil

CLAIM = "claim"
EVIDENCE = "evidence"
RECOMMENDATION = "recommendation"
ARGUMENT_TAGS: frozenset[str] = frozenset({CLAIM, EVIDENCE, RECOMMENDATION})

SUPPORTS = "supports"
CONTRADICTS = "contradicts"
BASED_ON = "based-on"

SENSIBLE_PAIRS: Mapping[str, frozenset[tuple[str, str]]] = {
    SUPPORTS: frozenset({(EVIDENCE, CLAIM), (CLAIM, CLAIM)}),
    CONTRADICTS: frozenset({(EVIDENCE, CLAIM), (CLAIM, CLAIM)}),
    BASED_ON: frozenset({(RECOMMENDATION, CLAIM)}),
}
"""For each built-in relation, the (source tag, target tag) pairs it may join."""

_RELATION_ORDER = {SUPPORTS: 0, CONTRADICTS: 1, BASED_ON: 2}

QUOTE_CHARS = 90
"""How many characters of a quote the outline's text shows."""
MAX_INDENT = 12
"""Deeper outline levels in text and Markdown stay at this indentation, labelled with their level."""
MAX_JSON_DEPTH = 100
"""How deep :func:`outline_json` nests children (see there)."""


# -- links ------------------------------------------------------------------------------------------


def _article(word: str) -> str:
    """'a claim', 'an idea', but 'evidence' (a mass noun)."""
    if word == EVIDENCE:
        return word
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _pair_rule(relation: str) -> str:
    pairs = sorted(SENSIBLE_PAIRS[relation])
    sources = sorted({s for s, _ in pairs})
    targets = sorted({t for _, t in pairs})
    source_text = " or ".join(_article(s) for s in sources)
    target_text = " or ".join(_article(t) for t in targets)
    return f"'{relation}' links go from {source_text} to {target_text}"


def validate_link(
    source: model.Annotation,
    target: model.Annotation,
    relation: str,
    *,
    existing: Iterable[model.Link] = (),
    relations: Iterable[str] | None = None,
) -> str | None:
    """Say why a link may not be made, or return None when it may.

    Args:
        source: the annotation the link starts from (evidence, a recommendation, a claim).
        target: the annotation it points to (usually a claim).
        relation: the relation's name (``supports``, ``contradicts``, ``based-on`` or one added).
        existing: the links already made (at least those of the document), to refuse duplicates.
        relations: the names of the relations the file knows; None skips that check.

    Returns:
        A sentence for the analyst explaining the refusal, or None.
    """
    if source.id == target.id:
        return "a passage cannot be linked to itself"
    if source.document != target.document:
        return "links join passages of the same document; these two are in different documents"
    if relations is not None and relation not in set(relations):
        return f"there is no relation '{relation}'; add it first"
    for link in existing:
        if link.source == source.id and link.target == target.id and link.relation == relation:
            return f"this {source.tag} already {_relation_verb(relation)} that {target.tag}"
    allowed = SENSIBLE_PAIRS.get(relation)
    if allowed is None or source.tag not in ARGUMENT_TAGS or target.tag not in ARGUMENT_TAGS:
        return None
    pair = (source.tag, target.tag)
    if pair in allowed:
        return None
    if (target.tag, source.tag) in allowed:
        return (
            f"{_article(target.tag)} {_relation_verb(relation)} {_article(source.tag)}, "
            f"not the other way round: start the link at the {target.tag}"
        )
    return (
        f"{_article(source.tag)} cannot be linked to {_article(target.tag)} with '{relation}': {_pair_rule(relation)}"
    )


def _relation_verb(relation: str) -> str:
    return "is based on" if relation == BASED_ON else relation


def link_warning(
    source: model.Annotation,
    target: model.Annotation,
    relation: str,
    *,
    existing: Iterable[model.Link] = (),
) -> str | None:
    """Return a caution about an allowed link (custom tag or relation, a circle), or None.

    Call it after :func:`validate_link` returned None; the link is still made.
    """
    for annotation in (source, target):
        if annotation.tag not in ARGUMENT_TAGS:
            return (
                f"'{annotation.tag}' is not one of the argument's tags (claim, evidence, recommendation): "
                "the link shows in the outline and the map, but no weak point counts it"
            )
    if relation not in SENSIBLE_PAIRS:
        return (
            f"'{relation}' is not one of the built-in relations (supports, contradicts, based-on): "
            "the link shows in the outline and the map, but no weak point counts it"
        )
    for link in existing:
        if link.source == target.id and link.target == source.id and link.relation == relation:
            return f"that {target.tag} already {_relation_verb(relation)} this {source.tag}: the two now go round in a circle"
        if link.source == source.id and link.target == target.id and link.relation != relation:
            return f"this {source.tag} already {_relation_verb(link.relation)} that {target.tag}"
    return None


# -- outline and weak points -----------------------------------------------------------------------


@dataclass(frozen=True)
class OutlineNode:
    """One annotation in the outline, with the annotations linked to it nested below.

    Attributes:
        annotation: the annotation.
        relation: how this annotation relates to its parent (``supports`` ...); None for a root.
        children: the annotations linked to this one (their links' target is this annotation).
        link: the id of the link to the parent; None for a root.
        repeated: the annotation is shown in full elsewhere in the outline (or is one of its own
            ancestors, in a circle of links); its children are left out here.
    """

    annotation: model.Annotation
    relation: str | None = None
    children: tuple[OutlineNode, ...] = ()
    link: str | None = None
    repeated: bool = False


WEAK_POINT_KINDS: tuple[tuple[str, str], ...] = (
    ("unsupported_claims", "Claims with no supporting evidence"),
    ("unfounded_recommendations", "Recommendations based on no claim"),
    ("orphan_evidence", "Evidence linked to nothing"),
    ("contested_claims", "Claims with contradicting evidence"),
    ("ungraded_evidence", "Evidence with no grade (source reliability A-F and credibility 1-6)"),
    ("low_credibility_leaders", "Leading hypotheses resting only on low-credibility evidence (4-6 or ungraded)"),
    ("single_source_claims", "Claims supported by a single source (one document)"),
)
"""The weak points' attribute names and their labels, in checklist order."""
_ASSESSMENT_KINDS = frozenset({"ungraded_evidence", "low_credibility_leaders", "single_source_claims"})


@dataclass(frozen=True)
class WeakPoints:
    """The analyst's checklist: the annotations in each weak spot, in document order.

    Attributes:
        unsupported_claims: claims that no evidence supports, directly or through claims that
            evidence supports (a circle of claims supporting each other does not count).
        unfounded_recommendations: recommendations with no ``based-on`` link to a claim.
        orphan_evidence: evidence with no link at all.
        contested_claims: claims that some evidence or claim contradicts.
    """

    unsupported_claims: tuple[model.Annotation, ...] = ()
    unfounded_recommendations: tuple[model.Annotation, ...] = ()
    orphan_evidence: tuple[model.Annotation, ...] = ()
    contested_claims: tuple[model.Annotation, ...] = ()
    ungraded_evidence: tuple[model.Annotation, ...] = ()
    """Issue 17 (see :mod:`desktop.core.assessment`): evidence lacking its document's reliability or its credibility."""
    low_credibility_leaders: tuple[model.Annotation, ...] = ()
    """Least inconsistent hypotheses whose consistent (C, CC) evidence is none of it graded credibility 1-3."""
    single_source_claims: tuple[model.Annotation, ...] = ()
    """Claims whose supporting evidence (``supports`` links, C or CC ratings) all comes from one document."""
    assessed: bool = False
    """The file holds a grade, hypothesis or rating: only then are the three entries above on the checklist."""

    def _kinds(self) -> list[tuple[str, str]]:
        return [(n, label) for n, label in WEAK_POINT_KINDS if self.assessed or n not in _ASSESSMENT_KINDS]

    def counts(self) -> dict[str, int]:
        """Return how many annotations each weak spot holds, keyed by attribute name."""
        return {name: len(getattr(self, name)) for name, _ in self._kinds()}

    @property
    def total(self) -> int:
        """The number of entries on the checklist (an annotation may be in two weak spots)."""
        return sum(self.counts().values())

    def items(self) -> list[tuple[str, str, tuple[model.Annotation, ...]]]:
        """Return ``(name, label, annotations)`` for each weak spot, in checklist order."""
        return [(name, label, getattr(self, name)) for name, label in self._kinds()]


@dataclass(frozen=True)
class Outline:
    """The argument of one document as a tree.

    Attributes:
        roots: claims not nested under another claim (and, after them, anything else that has
            links pointing at it but is not reached from a claim), in document order.
        unlinked: annotations other than claims that have no link at all.
        weak: the weak points.
    """

    roots: tuple[OutlineNode, ...] = ()
    unlinked: tuple[model.Annotation, ...] = ()
    weak: WeakPoints = field(default_factory=WeakPoints)


def _order_key(a: model.Annotation) -> tuple[str, int, int, str]:
    return (a.document, a.start, a.end, a.id)


def _usable_links(by_id: Mapping[str, model.Annotation], links: Iterable[model.Link]) -> list[model.Link]:
    """Links whose two ends are among the annotations, without self-links or repeats."""
    seen: set[tuple[str, str, str]] = set()
    usable = []
    for link in links:
        key = (link.source, link.target, link.relation)
        if link.source == link.target or link.source not in by_id or link.target not in by_id or key in seen:
            continue
        seen.add(key)
        usable.append(link)
    return usable


def weak_points(
    annotations: Iterable[model.Annotation],
    links: Iterable[model.Link],
    assessments: assessment.Assessments | None = None,
) -> WeakPoints:
    """Find the weak spots of an argument (see :class:`WeakPoints` for each one's meaning).

    Args:
        annotations: the annotations of one document (links to others are ignored).
        links: their links.

    Returns:
        The weak points; each list in document order.
    """
    anns = sorted(annotations, key=_order_key)
    by_id = {a.id: a for a in anns}
    usable = _usable_links(by_id, links)
    linked: set[str] = set()
    for link in usable:
        linked.update((link.source, link.target))

    # A claim is grounded when a non-claim supports it, or a grounded claim does (a fixpoint, so a
    # circle of claims supporting only each other stays ungrounded).
    supports = [k for k in usable if k.relation == SUPPORTS and by_id[k.target].tag == CLAIM]
    grounded: set[str] = set()
    changed = True
    while changed:
        changed = False
        for link in supports:
            if link.target in grounded:
                continue
            if by_id[link.source].tag != CLAIM or link.source in grounded:
                grounded.add(link.target)
                changed = True

    founded = {k.source for k in usable if k.relation == BASED_ON and by_id[k.target].tag == CLAIM}
    contested = {k.target for k in usable if k.relation == CONTRADICTS and by_id[k.target].tag == CLAIM}
    return WeakPoints(
        unsupported_claims=tuple(a for a in anns if a.tag == CLAIM and a.id not in grounded),
        unfounded_recommendations=tuple(a for a in anns if a.tag == RECOMMENDATION and a.id not in founded),
        orphan_evidence=tuple(a for a in anns if a.tag == EVIDENCE and a.id not in linked),
        contested_claims=tuple(a for a in anns if a.tag == CLAIM and a.id in contested),
        **_assessment_weak_points(anns, usable, assessments),
    )


def _assessment_weak_points(
    anns: Sequence[model.Annotation], usable: Sequence[model.Link], assessments: assessment.Assessments | None
) -> dict[str, Any]:
    """Issue 17's weak points; none when the file holds no grade, hypothesis or rating."""
    if assessments is None or not (
        assessments.reliability or assessments.credibility or assessments.hypotheses or assessments.ratings
    ):
        return {}
    return {
        "assessed": True,
        "ungraded_evidence": assessment.ungraded_evidence(anns, assessments),
        "low_credibility_leaders": assessment.leading_on_low_credibility(anns, assessments),
        "single_source_claims": assessment.single_source_claims(anns, usable, assessments),
    }


def build_outline(
    annotations: Iterable[model.Annotation],
    links: Iterable[model.Link],
    tags: Iterable[model.Tag] = model.DEFAULT_TAGS,
    assessments: assessment.Assessments | None = None,
) -> Outline:
    """Arrange one document's annotations as the outline of its argument.

    Every claim that does not itself support or contradict another claim is a root; under each
    annotation come the annotations linked to it (evidence that supports or contradicts it,
    recommendations based on it, claims supporting it ...), supports first, then contradicts,
    then based-on, then relations the analyst added, each group in document order. An annotation
    reached a second time (two claims share a piece of evidence, or claims support each other in
    a circle) is listed again with ``repeated=True`` and without its children, so the outline is
    finite and no larger than the annotations plus the links.

    Args:
        annotations: the annotations of one document.
        links: their links (links to annotations not given are ignored).
        tags: the tag set (accepted for symmetry with :func:`layout_map`; the shape does not
            depend on labels or colours).

    Returns:
        The outline, with its weak points.
    """
    del tags
    anns = sorted(annotations, key=_order_key)
    by_id = {a.id: a for a in anns}
    rank = {a.id: i for i, a in enumerate(anns)}
    usable = _usable_links(by_id, links)
    incoming: dict[str, list[model.Link]] = {a.id: [] for a in anns}
    outgoing: dict[str, list[model.Link]] = {a.id: [] for a in anns}
    for link in usable:
        incoming[link.target].append(link)
        outgoing[link.source].append(link)
    for group in incoming.values():
        group.sort(key=lambda k: (_RELATION_ORDER.get(k.relation, 3), k.relation, rank[k.source]))

    shown: set[str] = set()
    fresh: list[str] = []  # ids shown since the caller last emptied it

    def expand(annotation_id: str, relation: str | None, link_id: str | None) -> OutlineNode:
        # Iterative depth-first expansion: deep chains of claims must not hit Python's recursion limit.
        root_frame: list[Any] = [annotation_id, relation, link_id, [], 0]
        shown.add(annotation_id)
        fresh.append(annotation_id)
        stack = [root_frame]
        while True:
            frame = stack[-1]
            node_id, _rel, _link, children, index = frame
            group = incoming[node_id]
            if index < len(group):
                frame[4] = index + 1
                link = group[index]
                if link.source in shown:
                    children.append(OutlineNode(by_id[link.source], link.relation, (), link.id, repeated=True))
                else:
                    shown.add(link.source)
                    fresh.append(link.source)
                    stack.append([link.source, link.relation, link.id, [], 0])
                continue
            stack.pop()
            node = OutlineNode(by_id[node_id], frame[1], tuple(children), frame[2])
            if not stack:
                return node
            stack[-1][3].append(node)

    roots: list[OutlineNode] = []
    for a in anns:
        if a.tag == CLAIM and not any(by_id[k.target].tag == CLAIM for k in outgoing[a.id]):
            roots.append(expand(a.id, None, None))
    # What is left with links pointing at it (or a claim in a circle of claims) becomes a root too:
    # prefer claims, then annotations that point at nothing else left over, then document order.
    # A heap keeps this linear-logarithmic: when annotations are shown, those pointing at them may
    # now point at nothing left over, and are pushed again with their better key.
    left_ids = {a.id for a in anns if a.id not in shown and (a.tag == CLAIM or incoming[a.id])}

    def key(annotation_id: str) -> tuple[bool, bool, int]:
        a = by_id[annotation_id]
        return (a.tag != CLAIM, any(k.target in left_ids for k in outgoing[annotation_id]), rank[annotation_id])

    heap = [(key(i), i) for i in left_ids]
    heapq.heapify(heap)
    while heap:
        k, annotation_id = heapq.heappop(heap)
        if annotation_id in shown or k != key(annotation_id):
            continue
        fresh.clear()
        roots.append(expand(annotation_id, None, None))
        left_ids.difference_update(fresh)
        for done in fresh:
            for link in incoming[done]:
                if link.source in left_ids:
                    heapq.heappush(heap, (key(link.source), link.source))
    unlinked = tuple(a for a in anns if a.id not in shown)
    return Outline(roots=tuple(roots), unlinked=unlinked, weak=weak_points(anns, usable, assessments))


def walk(nodes: Iterable[OutlineNode], depth: int = 0) -> Iterable[tuple[int, OutlineNode]]:
    """Yield ``(depth, node)`` for every node under ``nodes``, parents before children."""
    stack = [(depth, n) for n in reversed(list(nodes))]
    while stack:
        d, node = stack.pop()
        yield d, node
        stack.extend((d + 1, child) for child in reversed(node.children))


# -- text, JSON and Markdown renderings ------------------------------------------------------------


def _tag_labels(tags: Iterable[model.Tag]) -> dict[str, str]:
    return {t.name: t.label for t in tags}


def _relation_labels(relations: Iterable[model.Relation]) -> dict[str, str]:
    return {r.name: r.label for r in relations}


def outline_text(
    outline: Outline,
    tags: Iterable[model.Tag] = model.DEFAULT_TAGS,
    *,
    relations: Iterable[model.Relation] = model.DEFAULT_RELATIONS,
    quote_chars: int = QUOTE_CHARS,
) -> str:
    """Render an outline and its weak points as indented plain text (for a terminal).

    Quotes are put on one line and shortened; control characters are removed.
    """
    tag_label = _tag_labels(tags)
    rel_label = _relation_labels(relations)

    def line(a: model.Annotation) -> str:
        label = textutil.one_line(tag_label.get(a.tag, a.tag))
        return f"[{label}] \u201c{textutil.shorten(a.quote, quote_chars)}\u201d"

    out = ["Outline"]
    if not outline.roots:
        out.append("  (no claims yet)")
    for depth, node in walk(outline.roots, 1):
        prefix = "  " * min(depth, MAX_INDENT) + (f"(level {depth}) " if depth > MAX_INDENT else "")
        if node.relation is not None:
            prefix += textutil.one_line(rel_label.get(node.relation, node.relation)) + ": "
        suffix = " (see above)" if node.repeated else ""
        out.append(prefix + line(node.annotation) + suffix)
    if outline.unlinked:
        out.append("")
        out.append(f"Not linked ({len(outline.unlinked)})")
        out.extend("  " + line(a) for a in outline.unlinked)
    out.append("")
    out.append(f"Weak points ({outline.weak.total})")
    for _name, label, items in outline.weak.items():
        out.append(f"  {label}: {len(items)}")
        out.extend("    " + line(a) for a in items)
    return "\n".join(out) + "\n"


def _annotation_json(a: model.Annotation, tag_label: Mapping[str, str]) -> dict[str, Any]:
    return {
        "id": a.id,
        "tag": a.tag,
        "tag_label": tag_label.get(a.tag, a.tag),
        "start": a.start,
        "end": a.end,
        "quote": a.quote,
    }


def outline_json(outline: Outline, tags: Iterable[model.Tag] = model.DEFAULT_TAGS) -> dict[str, Any]:
    """Render an outline as a JSON-ready dict.

    Returns:
        ``{"roots": [node, ...], "unlinked": [annotation, ...], "weak_points": {name: {"label",
        "count", "annotations": [annotation, ...]}}}`` where a node is an annotation (``id``,
        ``tag``, ``tag_label``, ``start``, ``end``, ``quote``) plus ``relation``, ``link``,
        ``repeated``, ``depth`` (0 for a root) and ``children``. Nodes deeper than
        :data:`MAX_JSON_DEPTH` are listed among the children of their ancestor at that depth (their
        ``depth`` stays true), so that ``json.dumps`` never recurses too deeply.
    """
    tag_label = _tag_labels(tags)

    def node_json(node: OutlineNode) -> dict[str, Any]:
        # Iterative, like the outline itself, so a deep chain of claims cannot exhaust the stack;
        # nodes deeper than MAX_JSON_DEPTH hang under their ancestor at that depth (json.dumps recurses).
        result = _annotation_json(node.annotation, tag_label)
        result.update(relation=node.relation, link=node.link, repeated=node.repeated, depth=0, children=[])
        stack = [(node, result, 0)]
        while stack:
            current, current_json, depth = stack.pop()
            for child in current.children:
                child_json = _annotation_json(child.annotation, tag_label)
                child_json.update(
                    relation=child.relation, link=child.link, repeated=child.repeated, depth=depth + 1, children=[]
                )
                current_json["children"].append(child_json)
                holder = child_json if depth + 1 < MAX_JSON_DEPTH else current_json
                stack.append((child, holder, depth + 1))
        return result

    return {
        "roots": [node_json(n) for n in outline.roots],
        "unlinked": [_annotation_json(a, tag_label) for a in outline.unlinked],
        "weak_points": {
            name: {
                "label": label,
                "count": len(items),
                "annotations": [_annotation_json(a, tag_label) for a in items],
            }
            for name, label, items in outline.weak.items()
        },
    }


def outline_markdown(
    outline: Outline,
    tags: Iterable[model.Tag] = model.DEFAULT_TAGS,
    *,
    relations: Iterable[model.Relation] = model.DEFAULT_RELATIONS,
    heading_level: int = 3,
) -> str:
    """Render an outline and its weak points as Markdown (nested lists under small headings).

    All user text (quotes, tag and relation labels) goes through
    :func:`desktop.core.textutil.escape_markdown`, so it renders as text, never as markup.

    Args:
        outline: the outline.
        tags: the tag set, for labels.
        relations: the relations, for labels.
        heading_level: the level of the "Outline", "Not linked" and "Weak points" headings.
    """
    tag_label = _tag_labels(tags)
    rel_label = _relation_labels(relations)
    hashes = "#" * min(max(heading_level, 1), 6)
    esc = textutil.escape_markdown

    def item(a: model.Annotation) -> str:
        return f"**{esc(tag_label.get(a.tag, a.tag))}**: \u201c{esc(a.quote)}\u201d"

    out = [f"{hashes} Outline", ""]
    if not outline.roots:
        out.append("No claims yet.")
    for depth, node in walk(outline.roots):
        text = item(node.annotation)
        if node.relation is not None:
            text = f"_{esc(rel_label.get(node.relation, node.relation))}_: {text}"
        if node.repeated:
            text += " (see above)"
        if depth > MAX_INDENT:
            text = f"(level {depth}) {text}"
        out.append("    " * min(depth, MAX_INDENT) + "- " + text)
    if outline.unlinked:
        out += ["", f"{hashes} Not linked ({len(outline.unlinked)})", ""]
        out.extend("- " + item(a) for a in outline.unlinked)
    out += ["", f"{hashes} Weak points ({outline.weak.total})", ""]
    for _name, label, items in outline.weak.items():
        out.append(f"- {label}: {len(items)}")
        out.extend("    - " + item(a) for a in items)
    return "\n".join(out) + "\n"


# -- the map ---------------------------------------------------------------------------------------

BOX_WIDTH = 220.0
BOX_HEIGHT = 72.0
H_GAP = 40.0
V_GAP = 80.0
MARGIN = 24.0
LABEL_CHARS = 90
MAX_PER_ROW = 8
MAX_SCORED_LINKS = 250

_LAYER_OF_TAG = {RECOMMENDATION: 0, CLAIM: 1, EVIDENCE: 2}
_OTHER_LAYER = 3


@dataclass(frozen=True)
class MapBox:
    """One annotation's box on the map (top-left corner, width, height).

    Attributes:
        id: the annotation's id.
        tag: its tag's name.
        label: its quote, shortened to one line (the view wraps it inside the box).
        layer: 0 recommendations, 1 claims, 2 evidence, 3 other tags.
        row: the row on the map, counted from the top.
    """

    id: str
    tag: str
    label: str
    x: float
    y: float
    w: float
    h: float
    layer: int
    row: int

    @property
    def centre(self) -> tuple[float, float]:
        """The box's centre."""
        return (self.x + self.w / 2, self.y + self.h / 2)


@dataclass(frozen=True)
class MapEdge:
    """One link as an arrow (a polyline) from its source's box to its target's box.

    ``points`` runs from a point on the source box's border to one on the target's (where the
    arrowhead goes); a link between neighbouring rows is one straight segment, a longer one runs
    down free lanes between the boxes of the rows it crosses, a link within one row dips into the
    space below it. ``(x1, y1)`` and ``(x2, y2)`` repeat the first and last points;
    ``(label_x, label_y)`` is where the relation's label goes, always in the space between rows.
    """

    id: str
    source: str
    target: str
    relation: str
    label: str
    x1: float
    y1: float
    x2: float
    y2: float
    label_x: float
    label_y: float
    points: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class MapLayout:
    """Boxes and arrows, in scene coordinates from (0, 0) to (width, height)."""

    boxes: tuple[MapBox, ...] = ()
    edges: tuple[MapEdge, ...] = ()
    width: float = 0.0
    height: float = 0.0

    def box(self, annotation_id: str) -> MapBox:
        """Return the box of one annotation.

        Raises:
            KeyError: the annotation is not on the map.
        """
        for b in self.boxes:
            if b.id == annotation_id:
                return b
        raise KeyError(annotation_id)


def _claim_depths(claims: Sequence[str], outgoing: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """How far each claim sits below the claims it supports (0 for a claim that supports none)."""
    depth: dict[str, int] = {}
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    for start in claims:
        if start in state:
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        state[start] = 1
        while stack:
            node, index = stack[-1]
            targets = outgoing.get(node, ())
            if index < len(targets):
                stack[-1] = (node, index + 1)
                nxt = targets[index]
                if nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, 0))
                continue
            stack.pop()
            state[node] = 2
            # Targets still on the stack close a circle: that edge is ignored.
            depth[node] = max((depth[t] + 1 for t in targets if state.get(t) == 2 and t in depth), default=0)
    return depth


def _count_crossings(segments: Sequence[tuple[float, float, float, float]]) -> int:
    def orient(ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> float:
        return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)

    crossings = 0
    for i, (ax, ay, bx, by) in enumerate(segments):
        for cx, cy, dx, dy in segments[i + 1 :]:
            if {(ax, ay), (bx, by)} & {(cx, cy), (dx, dy)}:
                continue  # edges sharing a box do not cross
            d1 = orient(cx, cy, dx, dy, ax, ay)
            d2 = orient(cx, cy, dx, dy, bx, by)
            d3 = orient(ax, ay, bx, by, cx, cy)
            d4 = orient(ax, ay, bx, by, dx, dy)
            if d1 * d2 < 0 and d3 * d4 < 0:
                crossings += 1
    return crossings


def layout_map(
    annotations: Iterable[model.Annotation],
    links: Iterable[model.Link],
    tags: Iterable[model.Tag] = model.DEFAULT_TAGS,
    *,
    relations: Iterable[model.Relation] = model.DEFAULT_RELATIONS,
    box_width: float = BOX_WIDTH,
    box_height: float = BOX_HEIGHT,
    h_gap: float = H_GAP,
    v_gap: float = V_GAP,
    margin: float = MARGIN,
    max_per_row: int = MAX_PER_ROW,
    label_chars: int = LABEL_CHARS,
    sweeps: int = 4,
) -> MapLayout:
    """Lay out an argument map: recommendations on top, claims in the middle, evidence below.

    A layered (Sugiyama-style) drawing. Claims that support or contradict other claims sit in
    rows below the claims they bear on; annotations with tags the analyst added get a row of
    their own at the bottom; rows longer than ``max_per_row`` wrap. A link that crosses rows gets
    a narrow lane in each row it passes, so arrows run between boxes, never through them. Within
    each row the order starts as document order and is improved by barycentre sweeps (each box
    moves towards the mean position of what it is linked to), keeping the order with the fewest
    crossings; then boxes are pulled towards their neighbours as far as the row's order and
    spacing allow (a least-squares fit). Boxes never overlap: each row has its own band of height
    ``box_height``, and neighbours in a row are at least ``h_gap`` apart.

    Args:
        annotations: the annotations of one document, all of which get a box.
        links: their links; links to annotations not given are left out.
        tags: the tag set (custom tags, i.e. not claim/evidence/recommendation, go to the last
            row, grouped in the tag set's order).
        relations: the relations, for the arrows' labels.
        box_width: every box's width.
        box_height: every box's height.
        h_gap: the least horizontal space between two boxes in a row.
        v_gap: the vertical space between rows (where arrows and their labels run).
        margin: the empty border around the map.
        max_per_row: the most boxes in one row before it wraps.
        label_chars: how many characters of the quote a box's label keeps.
        sweeps: how many barycentre sweeps (down and up) to try.

    Returns:
        The layout, in scene coordinates.
    """
    tag_position = {t.name: t.position for t in tags}
    rel_label = _relation_labels(relations)
    anns = sorted(annotations, key=_order_key)
    by_id = {a.id: a for a in anns}
    usable = _usable_links(by_id, links)
    max_per_row = max(1, max_per_row)
    if not anns:
        return MapLayout()

    claim_out: dict[str, list[str]] = {}
    for link in usable:
        if by_id[link.source].tag == CLAIM and by_id[link.target].tag == CLAIM:
            claim_out.setdefault(link.source, []).append(link.target)
    depth = _claim_depths([a.id for a in anns if a.tag == CLAIM], claim_out)

    # Rows: (layer, claim depth) groups in document order, wrapped every max_per_row boxes.
    members: dict[tuple[int, int], list[str]] = {}
    for a in anns:
        layer = _LAYER_OF_TAG.get(a.tag, _OTHER_LAYER)
        members.setdefault((layer, depth.get(a.id, 0) if layer == 1 else 0), []).append(a.id)
    rows: list[list[str]] = []
    row_layer: list[int] = []
    for key in sorted(members):
        group = members[key]
        if key[0] == _OTHER_LAYER:
            group.sort(key=lambda node: tag_position.get(by_id[node].tag, len(tag_position)))
        for start in range(0, len(group), max_per_row):
            rows.append(group[start : start + max_per_row])
            row_layer.append(key[0])
    row_of = {node: r for r, row in enumerate(rows) for node in row}

    # A link crossing rows gets a lane (a dummy node) in every row in between.
    dummy_width = min(h_gap, 16.0)
    width_of = {node: box_width for node in row_of}
    chains: list[list[str]] = []
    for i, link in enumerate(usable):
        rs, rt = row_of[link.source], row_of[link.target]
        chain = [link.source]
        step = 1 if rt > rs else -1
        for r in range(rs + step, rt, step) if abs(rt - rs) > 1 else ():
            lane = f"\x00{i}\x00{r}"
            rows[r].append(lane)
            row_of[lane] = r
            width_of[lane] = dummy_width
            chain.append(lane)
        chain.append(link.target)
        chains.append(chain)
    neighbours: dict[str, list[str]] = {node: [] for node in row_of}
    pairs = [(u, v) for chain in chains for u, v in zip(chain, chain[1:], strict=False)]
    for u, v in pairs:
        neighbours[u].append(v)
        neighbours[v].append(u)

    def positions(order: Sequence[Sequence[str]]) -> dict[str, float]:
        # Rows are centred on one another, so slot i of a row of n sits at i - (n - 1) / 2.
        return {node: i - (len(row) - 1) / 2 for row in order for i, node in enumerate(row)}

    def crossings(order: Sequence[Sequence[str]]) -> int:
        pos = positions(order)
        return _count_crossings([(pos[u], float(row_of[u]), pos[v], float(row_of[v])) for u, v in pairs])

    # Counting crossings costs pairs squared; past a few hundred the sweeps run unscored.
    scored = len(pairs) <= MAX_SCORED_LINKS
    best = [list(r) for r in rows]
    if pairs:
        best_score = crossings(best) if scored else 0
        current = [list(r) for r in rows]
        for sweep in range(max(0, sweeps) * 2):
            downward = sweep % 2 == 0
            indices = range(1, len(current)) if downward else range(len(current) - 2, -1, -1)
            pos = positions(current)
            for r in indices:
                keyed = []
                for node in current[r]:
                    others = [pos[n] for n in neighbours[node] if (row_of[n] < r if downward else row_of[n] > r)]
                    keyed.append((sum(others) / len(others) if others else pos[node], pos[node], node))
                keyed.sort(key=lambda item: (item[0], item[1]))
                current[r] = [node for _, _, node in keyed]
                pos.update(positions([current[r]]))
            if not scored:
                best = [list(r) for r in current]
                continue
            score = crossings(current)
            if score < best_score:
                best, best_score = [list(r) for r in current], score
            if best_score == 0:
                break

    # Horizontal positions (centres): rows start centred, then each box and lane is pulled towards
    # what it is linked to, keeping its row's order and spacing.
    def spacing(a: str, b: str) -> float:
        lanes = (a not in by_id) + (b not in by_id)
        gap = h_gap if lanes == 0 else h_gap / 2 if lanes == 1 else min(h_gap / 4, 6.0)
        return (width_of[a] + width_of[b]) / 2 + gap

    steps = [[spacing(a, b) for a, b in zip(row, row[1:], strict=False)] for row in best]
    widest = max(sum(st) for st in steps)
    centre_x: dict[str, float] = {}
    for row, st in zip(best, steps, strict=True):
        x = (widest - sum(st)) / 2
        for i, node in enumerate(row):
            centre_x[node] = x
            if i < len(st):
                x += st[i]
    for sweep in range(max(0, sweeps) * 2):
        order = list(zip(best, steps, strict=True))
        for row, st in order if sweep % 2 == 0 else order[::-1]:
            wanted = []
            for node in row:
                others = [centre_x[n] for n in neighbours[node]]
                wanted.append(sum(others) / len(others) if others else centre_x[node])
            for node, x in zip(row, _spaced(wanted, st), strict=True):
                centre_x[node] = x
    left = min(centre_x[n] - width_of[n] / 2 for n in centre_x)
    right = max(centre_x[n] + width_of[n] / 2 for n in centre_x)

    def x_of(node: str) -> float:
        return margin + centre_x[node] - left

    def y_of(row: int) -> float:
        return margin + row * (box_height + v_gap)

    boxes: list[MapBox] = []
    for r, row in enumerate(best):
        for node in row:
            annotation = by_id.get(node)
            if annotation is None:
                continue  # a lane
            boxes.append(
                MapBox(
                    id=node,
                    tag=annotation.tag,
                    label=textutil.shorten(annotation.quote, label_chars),
                    x=x_of(node) - box_width / 2,
                    y=y_of(r),
                    w=box_width,
                    h=box_height,
                    layer=row_layer[r],
                    row=r,
                )
            )
    box_of = {b.id: b for b in boxes}
    edges = _route_edges(usable, chains, box_of, row_of, x_of, y_of, box_height, v_gap, rel_label)
    bottom = max([b.y + b.h for b in boxes] + [y for e in edges for _, y in e.points])
    return MapLayout(
        boxes=tuple(boxes),
        edges=tuple(edges),
        width=margin * 2 + (right - left),
        height=bottom + margin,
    )


def _spaced(wanted: Sequence[float], steps: Sequence[float]) -> list[float]:
    """The positions closest (least squares) to ``wanted`` keeping their order, ``steps[i]`` apart at least.

    With ``z[i] = x[i] - (steps[0] + ... + steps[i - 1])`` the constraints
    ``x[i + 1] - x[i] >= steps[i]`` become ``z`` non-decreasing, so this is an isotonic
    regression, solved by pooling adjacent violators.
    """
    offsets = [0.0]
    for step in steps:
        offsets.append(offsets[-1] + step)
    blocks: list[list[float]] = []  # [sum, count]
    for w, offset in zip(wanted, offsets, strict=False):
        blocks.append([w - offset, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    z: list[float] = []
    for total, count in blocks:
        z.extend([total / count] * int(count))
    return [value + offset for value, offset in zip(z, offsets, strict=False)]


def _route_edges(
    links: Sequence[model.Link],
    chains: Sequence[Sequence[str]],
    box_of: Mapping[str, MapBox],
    row_of: Mapping[str, int],
    x_of: Callable[[str], float],
    y_of: Callable[[int], float],
    box_height: float,
    v_gap: float,
    rel_label: Mapping[str, str],
) -> list[MapEdge]:
    """Turn each link's chain (source, lanes, target) into a polyline between box borders."""
    # Ends sharing one side of a box are spread along it, ordered by where their line goes next.
    sides: dict[tuple[str, str], list[tuple[float, int, str]]] = {}
    plans = []
    for i, (link, chain) in enumerate(zip(links, chains, strict=True)):
        s, t = box_of[link.source], box_of[link.target]
        if t.row < s.row:
            s_side, t_side = "top", "bottom"
        elif t.row > s.row:
            s_side, t_side = "bottom", "top"
        else:
            s_side = t_side = "bottom"
        after_source = x_of(chain[1]) if len(chain) > 2 else t.centre[0]
        before_target = x_of(chain[-2]) if len(chain) > 2 else s.centre[0]
        sides.setdefault((s.id, s_side), []).append((after_source, i, "s"))
        sides.setdefault((t.id, t_side), []).append((before_target, i, "t"))
        plans.append((link, chain, s_side, t_side))
    anchor: dict[tuple[int, str], tuple[float, float]] = {}
    for (box_id, side), ends in sides.items():
        b = box_of[box_id]
        ends.sort()
        for k, (_, i, which) in enumerate(ends):
            x = b.x + (k + 1) / (len(ends) + 1) * b.w
            anchor[(i, which)] = (x, b.y if side == "top" else b.y + b.h)

    edges = []
    for i, (link, chain, _s_side, _t_side) in enumerate(plans):
        start, end = anchor[(i, "s")], anchor[(i, "t")]
        points = [start]
        s_row, t_row = row_of[link.source], row_of[link.target]
        if s_row == t_row:
            dip = ((start[0] + end[0]) / 2, y_of(s_row) + box_height + v_gap / 2)
            points.append(dip)
            label = dip
        else:
            upward = t_row < s_row
            for lane in chain[1:-1]:
                top = y_of(row_of[lane])
                ys = (top + box_height, top) if upward else (top, top + box_height)
                points.extend((x_of(lane), y) for y in ys)
            label = ((start[0] + points[1][0]) / 2, (start[1] + points[1][1]) / 2) if len(points) > 1 else start
            if len(chain) == 2:
                label = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        points.append(end)
        edges.append(
            MapEdge(
                id=link.id,
                source=link.source,
                target=link.target,
                relation=link.relation,
                label=textutil.one_line(rel_label.get(link.relation, link.relation)),
                x1=start[0],
                y1=start[1],
                x2=end[0],
                y2=end[1],
                label_x=label[0],
                label_y=label[1],
                points=tuple(points),
            )
        )
    return edges
