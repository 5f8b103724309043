"""Reviewing colleagues' annotation files: matching documents, aligning passages, agreement, accepting.

The flow, all on plain data (no store is written):

1. :func:`match_documents` pairs each colleague's document with one of mine: by fingerprint, or as
   *the same article in another version* when the texts share at least :data:`SAME_ARTICLE_MIN` of
   their word trigrams (:data:`SAME_TITLE_MIN` if the titles are equal) and, once re-anchored
   (:mod:`desktop.core.reanchor`), at least :data:`MIN_PLACED_SHARE` of their passages find a place
   in my text. Passages that find none are orphans, reported with their quotes.
2. :func:`align` pairs my passages with theirs one-to-one by a maximum matching at a stated IoU
   threshold (``compare --iou``, default 0.5): a pair is *agreed* (same tag; exactly the pairs
   passage F1 counts) or *tag differs*; the rest are *only mine* / *only theirs*. :func:`align_links`
   then matches links: a link of theirs agrees with one of mine when both its ends are paired with
   that link's ends and the relation is the same.
3. The figures (:mod:`desktop.core.agreement`): kappa per tag and overall for every pair of
   annotators, alpha when more than two annotators read a document, Krippendorff's unitizing
   alpha (uα, per document, every annotator), passage precision/recall/F1 of
   theirs against mine, and a confusion table counting the alignment by (my tag, their tag).
4. Accepting (:func:`accept`, :func:`accept_agreed`, :func:`accept_tag`) returns copies of their
   passages to insert into my file, with provenance: a new ``id``; ``author`` is me, who accepted
   the passage and answers for it in my file; ``origin_author`` (their annotation's author, or
   their file's annotator), ``origin_id`` (their id) and ``origin_file`` (their file's path) say
   where it came from. Notes are copied as plain text. The window inserts the copies with
   ``store.insert_annotations`` in one undoable command.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core import agreement, errors, model, reanchor, store, textutil, untrusted

AGREED = "agreed"
TAG_DIFFERS = "tag-differs"
ONLY_MINE = "only-mine"
ONLY_THEIRS = "only-theirs"
KINDS = (AGREED, TAG_DIFFERS, ONLY_MINE, ONLY_THEIRS)
LINK_KINDS = (AGREED, ONLY_MINE, ONLY_THEIRS)

FINGERPRINT = "fingerprint"
SAME_ARTICLE = "same-article"

SAME_ARTICLE_MIN = 0.5
"""Least share of word trigrams two texts have in common to be versions of one article."""

SAME_TITLE_MIN = 0.3
"""The same, for two documents with equal titles."""

MIN_PLACED_SHARE = 0.5
"""Least share of a colleague's passages that must find a place for their document to match mine."""

_WORD = re.compile(r"\w+")


# -- reading one's own file ------------------------------------------------------------------------


def snapshot(source: store.Store) -> untrusted.ColleagueFile:
    """Return an open store's content as the in-memory form colleagues' files are read into."""
    return untrusted.ColleagueFile(
        path=source.path,
        annotator=source.annotator,
        documents=tuple(source.documents()),
        tags=tuple(source.tags()),
        relations=tuple(source.relations()),
        annotations=tuple(source.annotations()),
        links=tuple(source.links()),
    )


def find_document(file: untrusted.ColleagueFile, key: str) -> model.Document:
    """Return the document whose fingerprint (or its first 8+ characters) or title is ``key``.

    Raises:
        NotFoundError: nothing matches, or several documents do.
    """
    found = [
        d
        for d in file.documents
        if d.fingerprint == key or (len(key) >= 8 and d.fingerprint.startswith(key)) or d.title == key
    ]
    if len(found) == 1:
        return found[0]
    if not found:
        raise errors.NotFoundError(f"{file.path} has no document {key!r}")
    raise errors.NotFoundError(f"{key!r} names {len(found)} documents in {file.path}; use a fingerprint")


# -- matching documents ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentMatch:
    """One of their documents paired with one of mine, and how."""

    mine: model.Document
    theirs: model.Document
    method: str
    similarity: float
    mapping: reanchor.TextMap | None = field(default=None, repr=False, compare=False)


def _word_set(text: str) -> set[str]:
    return set(_WORD.findall(text[:200_000].lower()))


def match_documents(
    mine: Sequence[model.Document], theirs: Sequence[model.Document]
) -> tuple[list[DocumentMatch], list[model.Document]]:
    """Pair their documents with mine, one-to-one: equal fingerprints first, then the most similar texts.

    Returns:
        The matches, and their documents that match none of mine. A same-article match still has
        to pass the re-anchoring test in :func:`review`.
    """
    by_fingerprint = {d.fingerprint: d for d in mine}
    matches: list[DocumentMatch] = []
    rest: list[model.Document] = []
    taken: set[str] = set()
    for doc in theirs:
        if doc.fingerprint in by_fingerprint and doc.fingerprint not in taken:
            matches.append(DocumentMatch(by_fingerprint[doc.fingerprint], doc, FINGERPRINT, 1.0))
            taken.add(doc.fingerprint)
        else:
            rest.append(doc)
    free = [d for d in mine if d.fingerprint not in taken]
    candidates: list[tuple[float, int, int, reanchor.TextMap]] = []
    words = {d.fingerprint: _word_set(d.text) for d in free}
    for i, doc in enumerate(rest):
        their_words = _word_set(doc.text)
        for j, my_doc in enumerate(free):
            same_title = bool(doc.title) and doc.title == my_doc.title
            union = their_words | words[my_doc.fingerprint]
            overlap = len(their_words & words[my_doc.fingerprint]) / len(union) if union else 1.0
            if overlap < SAME_TITLE_MIN and not same_title:
                continue
            mapping = reanchor.text_map(doc.text, my_doc.text)
            threshold = SAME_TITLE_MIN if same_title else SAME_ARTICLE_MIN
            if mapping.similarity >= threshold:
                candidates.append((mapping.similarity, i, j, mapping))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_theirs: set[int] = set()
    used_mine: set[int] = set()
    for similarity, i, j, mapping in candidates:
        if i in used_theirs or j in used_mine:
            continue
        used_theirs.add(i)
        used_mine.add(j)
        matches.append(DocumentMatch(free[j], rest[i], SAME_ARTICLE, round(similarity, 4), mapping))
    unmatched = [doc for i, doc in enumerate(rest) if i not in used_theirs]
    return matches, unmatched


# -- alignment -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """One row of the alignment: my passage and/or theirs."""

    kind: str
    mine: model.Annotation | None
    theirs: model.Annotation | None
    iou: float = 0.0

    @property
    def start(self) -> int:
        """Return where the row begins in my text."""
        starts = [a.start for a in (self.mine, self.theirs) if a is not None]
        return min(starts)


@dataclass(frozen=True)
class LinkPair:
    """One row of the link alignment."""

    kind: str
    mine: model.Link | None
    theirs: model.Link | None


def _spans(annotations: Sequence[model.Annotation]) -> list[agreement.Span]:
    return [(a.start, a.end, a.tag) for a in annotations]


def align(
    mine: Sequence[model.Annotation], theirs: Sequence[model.Annotation], threshold: float = agreement.IOU_MATCH
) -> tuple[Pair, ...]:
    """Pair my passages with theirs (on the same text) one-to-one.

    *Agreed* rows are exactly the pairs of :func:`agreement.passage_matches` (same tag, IoU >=
    ``threshold``, a maximum one-to-one matching), the pairs passage F1 counts, so the list and the
    figures never disagree. Of the passages left, pairs with IoU >= ``threshold`` and different tags
    are matched the same way (*tag differs*); the rest are *only mine* / *only theirs*.

    Returns:
        Every passage of both sides exactly once, in text order.
    """
    my_spans, their_spans = _spans(mine), _spans(theirs)
    same, other = agreement.iou_edges(my_spans, their_spans, threshold)  # one sort-and-sweep
    agreed = agreement.maximum_matching(same)
    used_mine = {i for i, _ in agreed}
    used_theirs = {j for _, j in agreed}
    other = {(i, j): v for (i, j), v in other.items() if i not in used_mine and j not in used_theirs}
    differs = agreement.maximum_matching(other)
    rows: list[Pair] = []
    paired = set()
    for kind, matches in ((AGREED, agreed), (TAG_DIFFERS, differs)):
        for i, j in matches:
            score = agreement.iou(my_spans[i][:2], their_spans[j][:2])
            rows.append(Pair(kind, mine[i], theirs[j], round(score, 4)))
            paired.add(("m", i))
            paired.add(("t", j))
    rows.extend(Pair(ONLY_MINE, a, None) for i, a in enumerate(mine) if ("m", i) not in paired)
    rows.extend(Pair(ONLY_THEIRS, None, t) for j, t in enumerate(theirs) if ("t", j) not in paired)
    rows.sort(key=lambda p: (p.start, KINDS.index(p.kind)))
    return tuple(rows)


def align_links(
    pairs: Sequence[Pair], mine: Sequence[model.Link], theirs: Sequence[model.Link]
) -> tuple[LinkPair, ...]:
    """Match links: theirs agrees with mine when both ends are paired with its ends and the relation is equal."""
    to_mine = {p.theirs.id: p.mine.id for p in pairs if p.mine is not None and p.theirs is not None}
    waiting: dict[tuple[str, str, str], list[model.Link]] = {}
    for link in mine:
        waiting.setdefault((link.source, link.target, link.relation), []).append(link)
    rows: list[LinkPair] = []
    for link in theirs:
        source, target = to_mine.get(link.source), to_mine.get(link.target)
        candidates = waiting.get((source or "", target or "", link.relation)) if source and target else None
        if candidates:
            rows.append(LinkPair(AGREED, candidates.pop(0), link))
        else:
            rows.append(LinkPair(ONLY_THEIRS, None, link))
    for links in waiting.values():
        rows.extend(LinkPair(ONLY_MINE, link, None) for link in links)
    return tuple(rows)


# -- one colleague on one document -----------------------------------------------------------------


@dataclass(frozen=True)
class ColleagueReview:
    """One colleague's passages on one of my documents, placed on my text and aligned with mine."""

    label: str
    file: untrusted.ColleagueFile
    match: DocumentMatch
    mine: tuple[model.Annotation, ...]
    placed: tuple[reanchor.Placed, ...]
    orphans: tuple[model.Annotation, ...]
    pairs: tuple[Pair, ...]
    link_pairs: tuple[LinkPair, ...]
    my_tags: tuple[str, ...] = ()
    my_relations: tuple[str, ...] = ()
    threshold: float = agreement.IOU_MATCH
    _memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def annotations(self) -> tuple[model.Annotation, ...]:
        """Return their placed passages, on my text (with their own ids)."""
        return tuple(p.annotation for p in self.placed)

    def alignment_counts(self) -> dict[str, int]:
        """Return how many rows of each kind the alignment has."""
        counts = dict.fromkeys(KINDS, 0)
        counts.update(Counter(p.kind for p in self.pairs))
        return counts

    def link_counts(self) -> dict[str, int]:
        """Return how many links agree, are only mine, only theirs."""
        counts = dict.fromkeys(LINK_KINDS, 0)
        counts.update(Counter(p.kind for p in self.link_pairs))
        return counts

    def placement_counts(self) -> dict[str, int]:
        """Return how many of their passages were placed by each method, and the orphans."""
        return reanchor.Reanchored(self.placed, self.orphans).counts()

    def passages(self) -> agreement.PassageScores:
        """Return passage precision/recall/F1 of theirs against mine."""
        if "passages" not in self._memo:
            matched = sum(1 for p in self.pairs if p.kind == AGREED)
            self._memo["passages"] = agreement.PassageScores(matched, len(self.mine), len(self.annotations))
        scores: agreement.PassageScores = self._memo["passages"]
        return scores

    def confusion(self) -> dict[tuple[str | None, str | None], int]:
        """Return the alignment counted by (my tag, their tag); None stands for "no passage"."""
        table: Counter[tuple[str | None, str | None]] = Counter()
        for p in self.pairs:
            table[(p.mine.tag if p.mine else None, p.theirs.tag if p.theirs else None)] += 1
        return dict(table)


@dataclass(frozen=True)
class PairAgreement:
    """Character-level agreement of two annotators: kappa's tables per tag and overall."""

    first: str
    second: str
    per_tag: dict[str, agreement.BinaryCounts]
    overall: agreement.CategoryCounts

    def __add__(self, other: PairAgreement) -> PairAgreement:
        # A tag neither annotator used in a document still counts its characters as "out" for both.
        mine_out = agreement.BinaryCounts(neither=self.overall.total)
        theirs_out = agreement.BinaryCounts(neither=other.overall.total)
        per_tag = {
            tag: self.per_tag.get(tag, mine_out) + other.per_tag.get(tag, theirs_out)
            for tag in dict.fromkeys([*self.per_tag, *other.per_tag])
        }
        return PairAgreement(self.first, self.second, per_tag, self.overall + other.overall)

    def kappa(self) -> dict[str, float | None]:
        """Return kappa per tag name."""
        return {tag: counts.kappa() for tag, counts in self.per_tag.items()}


@dataclass(frozen=True)
class AlphaAgreement:
    """Krippendorff's alpha counts per tag and overall, for a set of annotators."""

    annotators: tuple[str, ...]
    per_tag: dict[str, agreement.AlphaCounts]
    overall: agreement.AlphaCounts

    def __add__(self, other: AlphaAgreement) -> AlphaAgreement:
        # A tag nobody used in a document still counts every value there as "out".
        mine_out = agreement.AlphaCounts(0.0, {False: sum(self.overall.totals.values())})
        theirs_out = agreement.AlphaCounts(0.0, {False: sum(other.overall.totals.values())})
        per_tag = {
            tag: self.per_tag.get(tag, mine_out) + other.per_tag.get(tag, theirs_out)
            for tag in dict.fromkeys([*self.per_tag, *other.per_tag])
        }
        names = tuple(dict.fromkeys(self.annotators + other.annotators))
        return AlphaAgreement(names, per_tag, self.overall + other.overall)


@dataclass(frozen=True)
class DocumentReview:
    """My document with every colleague who annotated it."""

    document: model.Document
    me: str
    mine: tuple[model.Annotation, ...]
    my_links: tuple[model.Link, ...]
    colleagues: tuple[ColleagueReview, ...]
    tag_order: tuple[str, ...] = ()
    _memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def annotators(self) -> list[tuple[str, list[agreement.Span]]]:
        """Return every annotator's label and passages on this document, me first."""
        return [(self.me, _spans(self.mine))] + [(c.label, _spans(c.annotations)) for c in self.colleagues]

    def _tags(self, spans: Iterable[Sequence[agreement.Span]]) -> list[str]:
        used = {tag for group in spans for _, _, tag in group}
        ordered = [t for t in self.tag_order if t in used]
        return ordered + sorted(used - set(ordered))

    def pair_agreement(self) -> list[PairAgreement]:
        """Return kappa's tables for every pair of annotators (tags used by either of the two)."""
        if "pairs" in self._memo:
            cached: list[PairAgreement] = self._memo["pairs"]
            return cached
        length = len(self.document.text)
        people = self.annotators()
        result = []
        for i, j in agreement.pairwise([label for label, _ in people]):
            (first, a), (second, b) = people[i], people[j]
            ia, ib = agreement.tag_intervals(a, length), agreement.tag_intervals(b, length)
            per_tag = {
                tag: agreement.binary_counts(ia.get(tag, []), ib.get(tag, []), length) for tag in self._tags([a, b])
            }
            result.append(PairAgreement(first, second, per_tag, agreement.category_counts(a, b, length)))
        self._memo["pairs"] = result
        return result

    def unitizing(self) -> agreement.UnitizingAlpha:
        """Return Krippendorff's unitizing alpha (uα) of every annotator's passages on this document."""
        if "unitizing" not in self._memo:
            spans = [s for _, s in self.annotators()]
            self._memo["unitizing"] = agreement.unitizing_alpha(spans, len(self.document.text))
        result: agreement.UnitizingAlpha = self._memo["unitizing"]
        return result

    def alpha(self) -> AlphaAgreement | None:
        """Return alpha's counts over all annotators, or None with fewer than three."""
        people = self.annotators()
        if len(people) < 3:
            return None
        if "alpha" not in self._memo:
            spans = [s for _, s in people]
            per_tag, overall = agreement.alpha_table(spans, len(self.document.text))
            ordered = {tag: per_tag[tag] for tag in self._tags(spans)}
            self._memo["alpha"] = AlphaAgreement(tuple(label for label, _ in people), ordered, overall)
        result: AlphaAgreement = self._memo["alpha"]
        return result


@dataclass(frozen=True)
class Unmatched:
    """One of their documents that matches none of mine, and why."""

    label: str
    path: str
    document: model.Document
    annotations: int
    reason: str


@dataclass(frozen=True)
class Review:
    """A whole comparison: my file against one or more colleagues' files."""

    me: str
    mine: untrusted.ColleagueFile
    colleagues: tuple[tuple[str, untrusted.ColleagueFile], ...]
    documents: tuple[DocumentReview, ...]
    unmatched: tuple[Unmatched, ...]
    unreviewed: tuple[model.Document, ...]
    threshold: float = agreement.IOU_MATCH

    def pair_agreement(self) -> list[PairAgreement]:
        """Return kappa's tables pooled over every document, per pair of annotators."""
        pooled: dict[tuple[str, str], PairAgreement] = {}
        for doc in self.documents:
            for pa in doc.pair_agreement():
                key = (pa.first, pa.second)
                pooled[key] = pooled[key] + pa if key in pooled else pa
        return list(pooled.values())

    def alpha(self) -> AlphaAgreement | None:
        """Return alpha's counts pooled over the documents read by three or more annotators."""
        total: AlphaAgreement | None = None
        for doc in self.documents:
            counts = doc.alpha()
            if counts is not None:
                total = counts if total is None else total + counts
        return total

    def passages(self, label: str) -> agreement.PassageScores:
        """Return one colleague's passage scores pooled over every document."""
        total = agreement.PassageScores()
        for doc in self.documents:
            for c in doc.colleagues:
                if c.label == label:
                    total = total + c.passages()
        return total


def _labels(me: str, files: Sequence[untrusted.ColleagueFile], my_path: str) -> tuple[str, list[str]]:
    """Name each annotator by their annotator name, adding the file's name when two names clash."""
    names = [me or Path(my_path).stem or "me"] + [f.annotator or Path(f.path).stem or "colleague" for f in files]
    paths = [my_path] + [f.path for f in files]
    counts = Counter(names)
    labels = [f"{n} ({Path(p).name})" if counts[n] > 1 else n for n, p in zip(names, paths, strict=True)]
    seen: Counter[str] = Counter()
    unique = []
    for label in labels:
        seen[label] += 1
        unique.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return unique[0], unique[1:]


def review_colleague(
    label: str,
    file: untrusted.ColleagueFile,
    match: DocumentMatch,
    mine: Sequence[model.Annotation],
    my_links: Sequence[model.Link],
    *,
    my_tags: Sequence[str] = (),
    my_relations: Sequence[str] = (),
    threshold: float = agreement.IOU_MATCH,
) -> ColleagueReview | Unmatched:
    """Place one colleague's passages of a matched document on my text and align them with mine.

    Returns:
        The review, or :class:`Unmatched` when a same-article match places fewer than
        :data:`MIN_PLACED_SHARE` of their passages (the texts are then not the same article).
    """
    theirs = file.annotations_of(match.theirs.fingerprint)
    if match.method == FINGERPRINT:
        placed = tuple(reanchor.Placed(a, reanchor.EXACT, 1.0, a) for a in theirs)
        orphans: tuple[model.Annotation, ...] = ()
    else:
        result = reanchor.reanchor(
            theirs, match.theirs.text, match.mine.text, document=match.mine.fingerprint, mapping=match.mapping
        )
        placed, orphans = result.placed, result.orphans
        if theirs and len(placed) < MIN_PLACED_SHARE * len(theirs):
            return Unmatched(
                label,
                file.path,
                match.theirs,
                len(theirs),
                f"only {len(placed)} of {len(theirs)} passages could be placed on {match.mine.title!r}: "
                "not taken as the same article",
            )
    annotations = [p.annotation for p in placed]
    pairs = align(mine, annotations, threshold)
    link_pairs = align_links(pairs, my_links, file.links_of(match.theirs.fingerprint))
    return ColleagueReview(
        label=label,
        file=file,
        match=match,
        mine=tuple(mine),
        placed=tuple(placed),
        orphans=tuple(orphans),
        pairs=pairs,
        link_pairs=link_pairs,
        my_tags=tuple(my_tags),
        my_relations=tuple(my_relations),
        threshold=threshold,
    )


def review(
    mine: untrusted.ColleagueFile,
    colleagues: Sequence[untrusted.ColleagueFile],
    *,
    document: str | None = None,
    threshold: float = agreement.IOU_MATCH,
) -> Review:
    """Compare my file with colleagues' files.

    Args:
        mine: my file (see :func:`snapshot`, or read with ``untrusted.open_untrusted``).
        colleagues: their files, read with ``untrusted.open_untrusted``.
        document: only this document of mine (fingerprint, its first 8+ characters, or title).
        threshold: the least IoU for two passages to be paired (agreed / tag differs) and matched in F1.

    Returns:
        Per document of mine that a colleague annotated: the placements, alignments and figures.

    Raises:
        NotFoundError: ``document`` names no document of mine, or several.
    """
    me, labels = _labels(mine.annotator, colleagues, mine.path)
    my_docs = [find_document(mine, document)] if document else list(mine.documents)
    my_tags = tuple(t.name for t in mine.tags)
    my_relations = tuple(r.name for r in mine.relations)
    tag_order = tuple(dict.fromkeys(my_tags + tuple(t.name for f in colleagues for t in f.tags)))
    per_document: dict[str, list[ColleagueReview]] = {d.fingerprint: [] for d in my_docs}
    unmatched: list[Unmatched] = []
    for label, file in zip(labels, colleagues, strict=True):
        matches, rest = match_documents(my_docs, file.documents)
        for match in matches:
            outcome = review_colleague(
                label,
                file,
                match,
                mine.annotations_of(match.mine.fingerprint),
                mine.links_of(match.mine.fingerprint),
                my_tags=my_tags,
                my_relations=my_relations,
                threshold=threshold,
            )
            if isinstance(outcome, Unmatched):
                unmatched.append(outcome)
            else:
                per_document[match.mine.fingerprint].append(outcome)
        if document is None:
            for doc in rest:
                n = len(file.annotations_of(doc.fingerprint))
                unmatched.append(Unmatched(label, file.path, doc, n, "no document of mine is this article"))
    reviews = []
    unreviewed = []
    for doc in my_docs:
        found = per_document[doc.fingerprint]
        if not found:
            unreviewed.append(doc)
            continue
        reviews.append(
            DocumentReview(
                document=doc,
                me=me,
                mine=mine.annotations_of(doc.fingerprint),
                my_links=mine.links_of(doc.fingerprint),
                colleagues=tuple(found),
                tag_order=tag_order,
            )
        )
    return Review(
        me=me,
        mine=mine,
        colleagues=tuple(zip(labels, colleagues, strict=True)),
        documents=tuple(reviews),
        unmatched=tuple(unmatched),
        unreviewed=tuple(unreviewed),
        threshold=threshold,
    )


# -- accepting -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Acceptance:
    """Copies of their passages (and the links among them) ready for ``store.insert_annotations``.

    ``missing_tags`` and ``missing_relations`` name what my file must gain first (``add_tag``,
    ``add_relation``), or the insert is refused.
    """

    annotations: tuple[model.Annotation, ...]
    links: tuple[model.Link, ...]
    missing_tags: tuple[str, ...]
    missing_relations: tuple[str, ...]


def accept(
    colleague: ColleagueReview,
    ids: Iterable[str],
    *,
    author: str,
    existing: Sequence[model.Annotation] | None = None,
    tags: Iterable[str] | None = None,
    relations: Iterable[str] | None = None,
) -> Acceptance:
    """Return copies of some of their placed passages for my file, with provenance.

    A passage is skipped when my file already has it: the same tag on the same characters, or a
    copy of it (``origin_id`` equal to its id). Orphans cannot be accepted (they have no place).

    Args:
        colleague: the review of their passages on my document.
        ids: their annotation ids to accept.
        author: my name: the author of the copies.
        existing: my annotations on the document now (default: those the review saw).
        tags: my tag names now (default: those the review saw).
        relations: my relation names now (default: those the review saw).

    Returns:
        New annotations (fresh ids), the links among them (fresh ids), and what is missing.
    """
    wanted = set(ids)
    mine = colleague.mine if existing is None else tuple(existing)
    have = {(a.tag, a.start, a.end) for a in mine}
    copied = {a.origin_id for a in mine if a.origin_id}
    stamp = model.now_utc()
    copies: list[model.Annotation] = []
    new_ids: dict[str, str] = {}
    for p in colleague.placed:
        a = p.annotation
        if a.id not in wanted or a.id in new_ids or (a.tag, a.start, a.end) in have or a.id in copied:
            continue
        copy = a.replace(
            id=model.new_id(),
            author=author,
            created=stamp,
            modified=stamp,
            origin_author=p.original.author or colleague.file.annotator,
            origin_id=p.original.id,
            origin_file=colleague.file.path,
        )
        new_ids[a.id] = copy.id
        have.add((a.tag, a.start, a.end))
        copies.append(copy)
    links = tuple(
        model.Link(
            id=model.new_id(),
            source=new_ids[k.source],
            target=new_ids[k.target],
            relation=k.relation,
            author=author,
            created=stamp,
        )
        for k in colleague.file.links_of(colleague.match.theirs.fingerprint)
        if k.source in new_ids and k.target in new_ids
    )
    known_tags = set(colleague.my_tags if tags is None else tags)
    known_relations = set(colleague.my_relations if relations is None else relations)
    return Acceptance(
        annotations=tuple(copies),
        links=links,
        missing_tags=tuple(sorted({a.tag for a in copies} - known_tags)),
        missing_relations=tuple(sorted({k.relation for k in links} - known_relations)),
    )


def agreed_to_accept(colleague: ColleagueReview, existing: Sequence[model.Annotation] | None = None) -> list[str]:
    """Return the ids of their agreed passages that Accept All Agreed would add to my file.

    An agreed passage is added only when no passage of mine with the same tag overlaps it at IoU >=
    the review's threshold (the one it was agreed with always does, so in practice: none is a
    near-duplicate of mine), and it is not a copy already there. The window asks first, naming how
    many this returns.

    Args:
        colleague: the review of their passages on my document.
        existing: my annotations on the document now (default: those the review saw).
    """
    mine = list(colleague.mine if existing is None else existing)
    copied = {a.origin_id for a in mine if a.origin_id}
    my_spans = _spans(mine)
    ids = []
    for p in colleague.pairs:
        if p.kind != AGREED or p.theirs is None:
            continue
        t = p.theirs
        original = next((q.original.id for q in colleague.placed if q.annotation.id == t.id), t.id)
        if t.id in copied or original in copied:
            continue
        close = any(
            tag == t.tag and agreement.iou((s, e), (t.start, t.end)) >= colleague.threshold for s, e, tag in my_spans
        )
        if not close:
            ids.append(t.id)
    return ids


def accept_agreed(colleague: ColleagueReview, *, author: str, **options: Any) -> Acceptance:
    """Accept the agreed passages :func:`agreed_to_accept` names (none that duplicates one of mine)."""
    ids = agreed_to_accept(colleague, options.get("existing"))
    return accept(colleague, ids, author=author, **options)


def accept_tag(colleague: ColleagueReview, tag: str, *, author: str, **options: Any) -> Acceptance:
    """Accept every passage of theirs with ``tag`` that I have not tagged ``tag``.

    That is their *only theirs* passages and those where our tags differ; the passages we agree on
    are already in my file.
    """
    ids = [
        p.theirs.id
        for p in colleague.pairs
        if p.theirs is not None and p.theirs.tag == tag and p.kind in (ONLY_THEIRS, TAG_DIFFERS)
    ]
    return accept(colleague, ids, author=author, **options)


# -- report ----------------------------------------------------------------------------------------


def _figure(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _kappa_reason(counts: agreement.BinaryCounts | agreement.CategoryCounts) -> str:
    return agreement.undefined_reason("empty" if counts.total == 0 else "chance")


def _pair_data(pa: PairAgreement) -> dict[str, Any]:
    undefined = {f"kappa {tag}": _kappa_reason(c) for tag, c in pa.per_tag.items() if c.kappa() is None}
    if pa.overall.kappa() is None:
        undefined["kappa overall"] = _kappa_reason(pa.overall)
    return {
        "annotators": [pa.first, pa.second],
        "kappa": {tag: _figure(k) for tag, k in pa.kappa().items()},
        "kappa_overall": _figure(pa.overall.kappa()),
        "undefined": undefined,
    }


def _alpha_data(alpha: AlphaAgreement | None) -> dict[str, Any] | None:
    if alpha is None:
        return None
    undefined = {
        f"alpha {tag}": agreement.undefined_reason("chance") for tag, c in alpha.per_tag.items() if c.alpha() is None
    }
    if alpha.overall.alpha() is None:
        undefined["alpha overall"] = agreement.undefined_reason("chance")
    return {
        "annotators": list(alpha.annotators),
        "per_tag": {tag: _figure(c.alpha()) for tag, c in alpha.per_tag.items()},
        "overall": _figure(alpha.overall.alpha()),
        "undefined": undefined,
    }


def _unitizing_data(doc: DocumentReview) -> dict[str, Any]:
    u = doc.unitizing()
    undefined = {f"alpha_u {tag}": agreement.undefined_reason("passages") for tag in u.tags if u.alpha(tag) is None}
    if u.alpha() is None:
        undefined["alpha_u overall"] = agreement.undefined_reason("passages")
    return {
        "annotators": [label for label, _ in doc.annotators()],
        "per_tag": {tag: _figure(u.alpha(tag)) for tag in u.tags},
        "overall": _figure(u.alpha()),
        "undefined": undefined,
    }


def passage_reasons(scores: agreement.PassageScores) -> dict[str, str]:
    """Return why each undefined passage figure is undefined (precision, recall, f1)."""
    reasons = {}
    if scores.precision is None:
        reasons["precision"] = "they marked no passage (0/0)"
    if scores.recall is None:
        reasons["recall"] = "I marked no passage (0/0)"
    if scores.f1 is None:
        reasons["f1"] = agreement.undefined_reason("passages")
    return reasons


def _passage_data(scores: agreement.PassageScores) -> dict[str, Any]:
    return {
        "precision": _figure(scores.precision),
        "recall": _figure(scores.recall),
        "f1": _figure(scores.f1),
        "matched": scores.matched,
        "mine": scores.mine,
        "theirs": scores.theirs,
        "undefined": passage_reasons(scores),
    }


def report_data(result: Review) -> dict[str, Any]:
    """Return the comparison as plain JSON-ready data (what ``warrant compare --json`` prints)."""
    docs = []
    for doc in result.documents:
        pairs = doc.pair_agreement()
        mine_vs = {pa.second: pa for pa in pairs if pa.first == result.me}
        colleagues = []
        for c in doc.colleagues:
            colleagues.append(
                {
                    "annotator": c.label,
                    "file": c.file.path,
                    "match": c.match.method,
                    "similarity": c.match.similarity,
                    "their_fingerprint": c.match.theirs.fingerprint,
                    "passages": len(c.placed) + len(c.orphans),
                    "placement": c.placement_counts(),
                    "not_exact": [
                        {"id": p.original.id, "method": p.method, "score": p.score}
                        for p in c.placed
                        if p.method != reanchor.EXACT
                    ],
                    "orphans": [{"id": a.id, "tag": a.tag, "quote": a.quote} for a in c.orphans],
                    "alignment": c.alignment_counts(),
                    "links": c.link_counts(),
                    "f1": _passage_data(c.passages()),
                    "kappa": {tag: _figure(k) for tag, k in mine_vs[c.label].kappa().items()},
                    "kappa_overall": _figure(mine_vs[c.label].overall.kappa()),
                    "confusion": [
                        {"mine": m, "theirs": t, "count": n}
                        for (m, t), n in sorted(c.confusion().items(), key=lambda kv: (kv[0][0] or "", kv[0][1] or ""))
                    ],
                }
            )
        docs.append(
            {
                "fingerprint": doc.document.fingerprint,
                "title": doc.document.title,
                "characters": len(doc.document.text),
                "annotators": [label for label, _ in doc.annotators()],
                "mine": len(doc.mine),
                "colleagues": colleagues,
                "pairs": [_pair_data(pa) for pa in pairs],
                "alpha": _alpha_data(doc.alpha()),
                "alpha_u": _unitizing_data(doc),
            }
        )
    return {
        "iou_threshold": result.threshold,
        "mine": {"file": result.mine.path, "annotator": result.me},
        "theirs": [{"file": f.path, "annotator": label} for label, f in result.colleagues],
        "documents": docs,
        "overall": {
            "pairs": [_pair_data(pa) for pa in result.pair_agreement()],
            "alpha": _alpha_data(result.alpha()),
            "f1": {label: _passage_data(result.passages(label)) for label, _ in result.colleagues},
        },
        "unmatched": [
            {
                "annotator": u.label,
                "file": u.path,
                "fingerprint": u.document.fingerprint,
                "title": u.document.title,
                "passages": u.annotations,
                "reason": u.reason,
            }
            for u in result.unmatched
        ],
        "unreviewed": [{"fingerprint": d.fingerprint, "title": d.title} for d in result.unreviewed],
    }


# -- readable report ---------------------------------------------------------------------------------


def plain(text: object, limit: int = 60) -> str:
    """Return a colleague's text for a terminal: one line, no control or bidi characters, shortened."""
    one_line = textutil.one_line(str(text))  # the one sanitiser of text shown as plain text
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "\u2026"


def _figure_text(value: object) -> str:
    return "\u2013" if value is None else f"{value:.2f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    """Columns padded to their widest cell; the first column left-aligned, the others right-aligned."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [
            str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append(indent + "  ".join(cells).rstrip())
    return lines


def _kappa_rows(pairs: Sequence[dict[str, Any]], tags: Sequence[str]) -> list[list[str]]:
    rows = []
    for pair in pairs:
        names = pair["annotators"]
        kappa = pair["kappa"]
        rows.append(
            [f"{plain(names[0], 24)} / {plain(names[1], 24)}"]
            + [_figure_text(kappa.get(tag)) for tag in tags]
            + [_figure_text(pair["kappa_overall"])]
        )
    return rows


def _all_tags(pairs: Sequence[dict[str, Any]], alpha: dict[str, Any] | None) -> list[str]:
    tags: dict[str, None] = {}
    for pair in pairs:
        kappa = pair["kappa"]
        tags.update(dict.fromkeys(kappa))
    if alpha:
        per_tag = alpha["per_tag"]
        tags.update(dict.fromkeys(per_tag))
    return list(tags)


def _agreement_lines(pairs: list[dict[str, Any]], alpha: dict[str, Any] | None) -> list[str]:
    tags = _all_tags(pairs, alpha)
    rows = _kappa_rows(pairs, tags)
    if alpha:
        per_tag = alpha["per_tag"]
        annotators = alpha["annotators"]
        rows.append(
            [f"alpha, {len(annotators)} annotators"]
            + [_figure_text(per_tag.get(tag)) for tag in tags]
            + [_figure_text(alpha["overall"])]
        )
    return _table(["kappa", *[plain(t, 20) for t in tags], "overall"], rows)


def report_text(data: dict[str, Any]) -> str:
    """Return the comparison as readable tables (``data`` is :func:`report_data`'s output).

    Every text from a file (names, titles, quotes) is put on one line without control or bidi
    characters, so a colleague's file cannot drive the terminal.
    """

    mine = data["mine"]
    theirs = data["theirs"]
    documents = data["documents"]
    overall = data["overall"]
    out = [
        f"Mine: {plain(Path(str(mine['file'])).name)} ({plain(mine['annotator'], 30)}); theirs: "
        + ", ".join(f"{plain(Path(str(t['file'])).name)} ({plain(t['annotator'], 30)})" for t in theirs)
    ]
    if not documents:
        out.append("No document of mine was annotated by a colleague.")
    for doc in documents:
        out.append("")
        out.append(
            f"{plain(doc['title'], 70)}  [{doc['fingerprint'][:12]}]  {doc['characters']:,} characters, "
            f"{len(doc['annotators'])} annotators, {doc['mine']:,} passages of mine"
        )
        rows = []
        for c in doc["colleagues"]:
            placed = c["placement"]
            match = "same text" if c["match"] == "fingerprint" else f"other version ({c['similarity']:.2f})"
            rows.append(
                [
                    plain(c["annotator"], 30),
                    match,
                    str(c["passages"]),
                    f"{placed['exact']}/{placed['moved']}/{placed['whitespace']}/{placed['fuzzy']}",
                    str(placed["orphan"]),
                ]
            )
        out += _table(["colleague", "text", "passages", "exact/moved/white space/fuzzy", "orphans"], rows)
        out.append("")
        rows = []
        for c in doc["colleagues"]:
            a, k, f1 = c["alignment"], c["links"], c["f1"]
            rows.append(
                [
                    plain(c["annotator"], 30),
                    str(a["agreed"]),
                    str(a["tag-differs"]),
                    str(a["only-mine"]),
                    str(a["only-theirs"]),
                    f"{k['agreed']}/{k['only-mine']}/{k['only-theirs']}",
                    _figure_text(f1["precision"]),
                    _figure_text(f1["recall"]),
                    _figure_text(f1["f1"]),
                ]
            )
        out += _table(
            [
                "against mine",
                "agreed",
                "tag differs",
                "only mine",
                "only theirs",
                "links a/m/t",
                "precision",
                "recall",
                "F1",
            ],
            rows,
        )
        out.append("")
        out += _agreement_lines(doc["pairs"], doc["alpha"])
        alpha_u = doc["alpha_u"]
        out += _table(
            ["unitizing alpha", *[plain(t, 20) for t in alpha_u["per_tag"]], "overall"],
            [
                [f"{len(alpha_u['annotators'])} annotators"]
                + [_figure_text(v) for v in alpha_u["per_tag"].values()]
                + [_figure_text(alpha_u["overall"])]
            ],
        )
        for c in doc["colleagues"]:
            if c["orphans"]:
                out.append("")
                out.append(f"  Passages of {plain(c['annotator'], 30)} that found no place in my text:")
                for orphan in c["orphans"]:
                    out.append(
                        f"    {plain(orphan['id'], 12)}  {plain(orphan['tag'], 20)}  \u201c{plain(orphan['quote'], 70)}\u201d"
                    )
    if len(documents) > 1:
        out.append("")
        out.append(f"All {len(documents)} documents together:")
        pairs = overall["pairs"]
        out += _agreement_lines(pairs, overall["alpha"])
        f1 = overall["f1"]
        out += _table(
            ["against mine", "precision", "recall", "F1"],
            [
                [plain(label, 30), _figure_text(s["precision"]), _figure_text(s["recall"]), _figure_text(s["f1"])]
                for label, s in f1.items()
            ],
        )
    unmatched = data["unmatched"]
    if unmatched:
        out.append("")
        out.append("Not compared:")
        for u in unmatched:
            out.append(
                f"  {plain(u['annotator'], 30)}: \u201c{plain(u['title'], 50)}\u201d ({u['passages']} passages): "
                f"{plain(u['reason'], 200)}"
            )
    return "\n".join(out)
