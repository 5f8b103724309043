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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop.core import model, textutil

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
)
"""The weak points' attribute names and their labels, in checklist order."""


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

    def counts(self) -> dict[str, int]:
        """Return how many annotations each weak spot holds, keyed by attribute name."""
        return {name: len(getattr(self, name)) for name, _ in WEAK_POINT_KINDS}

    @property
    def total(self) -> int:
        """The number of entries on the checklist (an annotation may be in two weak spots)."""
        return sum(self.counts().values())

    def items(self) -> list[tuple[str, str, tuple[model.Annotation, ...]]]:
        """Return ``(name, label, annotations)`` for each weak spot, in checklist order."""
        return [(name, label, getattr(self, name)) for name, label in WEAK_POINT_KINDS]


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


def weak_points(annotations: Iterable[model.Annotation], links: Iterable[model.Link]) -> WeakPoints:
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
    )


def build_outline(
    annotations: Iterable[model.Annotation],
    links: Iterable[model.Link],
    tags: Iterable[model.Tag] = model.DEFAULT_TAGS,
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

    def expand(annotation_id: str, relation: str | None, link_id: str | None) -> OutlineNode:
        # Iterative depth-first expansion: deep chains of claims must not hit Python's recursion limit.
        root_frame: list[Any] = [annotation_id, relation, link_id, [], 0]
        shown.add(annotation_id)
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
    while True:
        left = [a for a in anns if a.id not in shown and (a.tag == CLAIM or incoming[a.id])]
        if not left:
            break
        left_ids = {a.id for a in left}
        pick = min(
            left,
            key=lambda a: (a.tag != CLAIM, any(k.target in left_ids for k in outgoing[a.id]), rank[a.id]),
        )
        roots.append(expand(pick.id, None, None))
    unlinked = tuple(a for a in anns if a.id not in shown)
    return Outline(roots=tuple(roots), unlinked=unlinked, weak=weak_points(anns, usable))


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
        prefix = "  " * depth
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
        ``repeated`` and ``children``.
    """
    tag_label = _tag_labels(tags)

    def node_json(node: OutlineNode) -> dict[str, Any]:
        # Iterative, like the outline itself, so a deep chain of claims cannot exhaust the stack.
        result = _annotation_json(node.annotation, tag_label)
        result.update(relation=node.relation, link=node.link, repeated=node.repeated, children=[])
        stack = [(node, result)]
        while stack:
            current, current_json = stack.pop()
            for child in current.children:
                child_json = _annotation_json(child.annotation, tag_label)
                child_json.update(relation=child.relation, link=child.link, repeated=child.repeated, children=[])
                current_json["children"].append(child_json)
                stack.append((child, child_json))
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
        out.append("    " * depth + "- " + text)
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
    """One link as an arrow from its source's box to its target's box.

    ``(x1, y1)`` lies on the source box's border, ``(x2, y2)`` (the arrowhead) on the target's;
    ``(label_x, label_y)`` is where the relation's label goes.
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

    Claims that support or contradict other claims sit in rows below the claims they bear on;
    annotations with tags the analyst added get a row of their own at the bottom. Within each
    row the order starts as document order and is improved by barycentre sweeps (each box moves
    towards the mean position of the boxes it is linked to), keeping the order with the fewest
    crossing arrows. Rows longer than ``max_per_row`` wrap. Boxes never overlap: each row has its
    own band of height ``box_height`` and boxes in a row are ``box_width + h_gap`` apart.

    Args:
        annotations: the annotations of one document, all of which get a box.
        links: their links; links to annotations not given are left out.
        tags: the tag set (custom tags, i.e. not claim/evidence/recommendation, go to the last row).
        relations: the relations, for the arrows' labels.
        box_width: every box's width.
        box_height: every box's height.
        h_gap: the horizontal space between boxes in a row.
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

    claim_out: dict[str, list[str]] = {}
    for link in usable:
        if by_id[link.source].tag == CLAIM and by_id[link.target].tag == CLAIM:
            claim_out.setdefault(link.source, []).append(link.target)
    claims = [a.id for a in anns if a.tag == CLAIM]
    depth = _claim_depths(claims, claim_out)

    # Rows keyed by (layer, sub-row); claims are split by depth.
    row_keys: dict[str, tuple[int, int]] = {}
    for a in anns:
        layer = _LAYER_OF_TAG.get(a.tag, _OTHER_LAYER)
        row_keys[a.id] = (layer, depth.get(a.id, 0) if layer == 1 else 0)
    keys = sorted(set(row_keys.values()))
    rows: list[list[str]] = [[a.id for a in anns if row_keys[a.id] == key] for key in keys]
    if keys and keys[-1][0] == _OTHER_LAYER:
        # Tags the analyst added share the last row, grouped by tag in the tag set's order.
        rows[-1].sort(key=lambda node: tag_position.get(by_id[node].tag, len(tag_position)))

    neighbours: dict[str, list[str]] = {a.id: [] for a in anns}
    for link in usable:
        neighbours[link.source].append(link.target)
        neighbours[link.target].append(link.source)
    row_of = {node: r for r, row in enumerate(rows) for node in row}

    def positions(order: Sequence[Sequence[str]]) -> dict[str, float]:
        # Rows are centred on the widest one, so slot i of a row of n sits at i - (n - 1) / 2.
        return {node: i - (len(row) - 1) / 2 for row in order for i, node in enumerate(row)}

    def crossings(order: Sequence[Sequence[str]]) -> int:
        pos = positions(order)
        segments = [(pos[k.source], float(row_of[k.source]), pos[k.target], float(row_of[k.target])) for k in usable]
        return _count_crossings(segments)

    # Counting crossings costs links squared; past a few hundred links the sweeps run unscored.
    scored = len(usable) <= MAX_SCORED_LINKS
    best = [list(r) for r in rows]
    if usable:
        best_score = crossings(best) if scored else 0
        current = [list(r) for r in rows]
        for sweep in range(max(0, sweeps) * 2):
            downward = sweep % 2 == 0
            indices = range(1, len(current)) if downward else range(len(current) - 2, -1, -1)
            for r in indices:
                pos = positions(current)
                keyed = []
                for node in current[r]:
                    others = [pos[n] for n in neighbours[node] if (row_of[n] < r if downward else row_of[n] > r)]
                    keyed.append((sum(others) / len(others) if others else pos[node], pos[node], node))
                keyed.sort(key=lambda item: (item[0], item[1]))
                current[r] = [node for _, _, node in keyed]
            if not scored:
                best = [list(r) for r in current]
                continue
            score = crossings(current)
            if score < best_score:
                best, best_score = [list(r) for r in current], score
            if best_score == 0:
                break

    # Wrap long rows, then place every box.
    placed_rows: list[tuple[int, list[str]]] = []
    for key, row in zip(keys, best, strict=True):
        for start in range(0, len(row), max_per_row):
            placed_rows.append((key[0], row[start : start + max_per_row]))
    widest = max((len(row) for _, row in placed_rows), default=0)
    content_width = widest * box_width + max(widest - 1, 0) * h_gap
    boxes: list[MapBox] = []
    for r, (layer, row) in enumerate(placed_rows):
        row_width = len(row) * box_width + (len(row) - 1) * h_gap
        x0 = margin + (content_width - row_width) / 2
        y = margin + r * (box_height + v_gap)
        for i, node in enumerate(row):
            a = by_id[node]
            boxes.append(
                MapBox(
                    id=node,
                    tag=a.tag,
                    label=textutil.shorten(a.quote, label_chars),
                    x=x0 + i * (box_width + h_gap),
                    y=y,
                    w=box_width,
                    h=box_height,
                    layer=layer,
                    row=r,
                )
            )
    box_of = {b.id: b for b in boxes}
    edges = _route_edges(usable, box_of, rel_label)
    height = margin * 2 + len(placed_rows) * box_height + max(len(placed_rows) - 1, 0) * v_gap
    return MapLayout(
        boxes=tuple(boxes),
        edges=tuple(edges),
        width=margin * 2 + content_width if boxes else 0.0,
        height=height if boxes else 0.0,
    )


def _route_edges(
    links: Sequence[model.Link], box_of: Mapping[str, MapBox], rel_label: Mapping[str, str]
) -> list[MapEdge]:
    """Attach each link to the facing sides of its boxes, spreading arrows that share a side."""
    # side: "top", "bottom", "left", "right"; for each (box, side), the ends attached there.
    sides: dict[tuple[str, str], list[tuple[float, str, str]]] = {}
    plan: list[tuple[model.Link, str, str]] = []
    for link in links:
        s, t = box_of[link.source], box_of[link.target]
        if t.row < s.row:
            s_side, t_side = "top", "bottom"
        elif t.row > s.row:
            s_side, t_side = "bottom", "top"
        elif t.x > s.x:
            s_side, t_side = "right", "left"
        else:
            s_side, t_side = "left", "right"
        plan.append((link, s_side, t_side))
        s_cx, s_cy = s.centre
        t_cx, t_cy = t.centre
        horizontal = s_side in ("top", "bottom")
        sides.setdefault((s.id, s_side), []).append((t_cx if horizontal else t_cy, link.id, "s"))
        sides.setdefault((t.id, t_side), []).append((s_cx if horizontal else s_cy, link.id, "t"))

    anchor: dict[tuple[str, str], tuple[float, float]] = {}
    for (box_id, side), ends in sides.items():
        b = box_of[box_id]
        ends.sort()
        for i, (_, link_id, end) in enumerate(ends):
            f = (i + 1) / (len(ends) + 1)
            if side == "top":
                point = (b.x + f * b.w, b.y)
            elif side == "bottom":
                point = (b.x + f * b.w, b.y + b.h)
            elif side == "left":
                point = (b.x, b.y + f * b.h)
            else:
                point = (b.x + b.w, b.y + f * b.h)
            anchor[(link_id, end)] = point

    edges = []
    for link, _s_side, _t_side in plan:
        x1, y1 = anchor[(link.id, "s")]
        x2, y2 = anchor[(link.id, "t")]
        edges.append(
            MapEdge(
                id=link.id,
                source=link.source,
                target=link.target,
                relation=link.relation,
                label=textutil.one_line(rel_label.get(link.relation, link.relation)),
                x1=x1,
                y1=y1,
                x2=x2,
                y2=y2,
                label_x=x1 + (x2 - x1) * 0.5,
                label_y=y1 + (y2 - y1) * 0.5,
            )
        )
    return edges


def boxes_overlap(a: MapBox, b: MapBox) -> bool:
    """Whether two boxes share any area (touching edges do not count)."""
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h
