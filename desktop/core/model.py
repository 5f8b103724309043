"""Warrant's data: frozen dataclasses shared by the store, the exchanges, the CLI and the UI."""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

CONTEXT_CHARS = 32
"""Characters of prefix and suffix kept with every quote, as in the W3C TextQuoteSelector."""


def now_utc() -> str:
    """Return the current time as an ISO 8601 UTC string with a ``Z``, to the millisecond."""
    moment = datetime.datetime.now(datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def new_id() -> str:
    """Return a fresh random UUID as a string."""
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Document:
    """One article: its canonical text and where it came from."""

    fingerprint: str
    title: str
    path: str
    text: str
    kind: str = "txt"
    added: str = ""
    page_starts: tuple[int, ...] = ()
    """Code-point offset at which each page begins (page 1 first, so ``page_starts[0] == 0``); empty when the
    format has no pages (txt, md, html ...)."""

    def page_at(self, offset: int) -> int | None:
        """Return the 1-based page holding code-point ``offset``, or None when the document has no pages."""
        if not self.page_starts:
            return None
        return max(1, bisect.bisect_right(self.page_starts, offset))


@dataclass(frozen=True)
class Tag:
    """A category an analyst tags passages with."""

    name: str
    label: str
    colour: str
    shortcut: str = ""
    position: int = 0
    description: str = ""
    """What the tag means and when to use it (the codebook's definition; REFI-QDA's Code Description)."""


@dataclass(frozen=True)
class Relation:
    """A kind of link between two annotations (supports, contradicts, based-on ...)."""

    name: str
    label: str
    position: int = 0


@dataclass(frozen=True)
class Annotation:
    """A tagged passage: code-point offsets into a document's canonical text."""

    id: str
    document: str
    tag: str
    start: int
    end: int
    quote: str
    prefix: str = ""
    suffix: str = ""
    note: str = ""
    author: str = ""
    created: str = ""
    modified: str = ""
    origin_author: str = ""
    origin_id: str = ""
    origin_file: str = ""

    def replace(self, **changes: object) -> Annotation:
        """Return a copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Link:
    """A directed relation from one annotation (evidence, recommendation) to another (a claim)."""

    id: str
    source: str
    target: str
    relation: str
    author: str = ""
    created: str = ""


DEFAULT_TAGS: tuple[Tag, ...] = (
    Tag("claim", "Claim", "#e6a23c", "1", 0),
    Tag("evidence", "Evidence", "#9b6ade", "2", 1),  # violet: distinct from a text selection's blue
    Tag("recommendation", "Recommendation", "#67c23a", "3", 2),
)

DEFAULT_RELATIONS: tuple[Relation, ...] = (
    Relation("supports", "supports", 0),
    Relation("contradicts", "contradicts", 1),
    Relation("based-on", "based on", 2),
)

# Palette for tags users add themselves, chosen to stay distinct from the defaults.
EXTRA_TAG_COLOURS: tuple[str, ...] = ("#f56c6c", "#13c2c2", "#a0d911", "#eb2f96", "#d4a017", "#8c8c8c")

UNKNOWN_TAG_COLOUR = "#8c8c8c"
"""The grey of a tag the tag set lacks (a colleague's tag, a damaged row)."""


class TagSet:
    """A file's tags in display order, looked up by name; an unknown name gets one grey stand-in."""

    def __init__(self, tags: Iterable[Tag] = ()) -> None:
        """Hold ``tags`` (later ones of the same name win)."""
        self._by_name: dict[str, Tag] = {t.name: t for t in tags}

    def __iter__(self) -> Iterator[Tag]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def get(self, name: str) -> Tag:
        """Return the tag called ``name``, or a grey stand-in labelled with the name."""
        return self._by_name.get(name) or Tag(name, name, UNKNOWN_TAG_COLOUR)

    def find(self, name: str) -> Tag | None:
        """Return the tag called ``name``, or None."""
        return self._by_name.get(name)

    def names(self) -> list[str]:
        """The tags' names in display order."""
        return list(self._by_name)

    def with_extra(self, tags: Iterable[Tag]) -> TagSet:
        """Return a set that also holds ``tags`` whose names this one lacks (a colleague's tags)."""
        merged = TagSet(self)
        for t in tags:
            merged._by_name.setdefault(t.name, t)
        return merged

    def new_tag(self, name: str, *, label: str | None = None, colour: str | None = None, shortcut: str = "") -> Tag:
        """Return the tag a file with this set gets when ``name`` is added: a free colour, the next position."""
        used = {t.colour for t in self}
        free = [c for c in EXTRA_TAG_COLOURS if c not in used] or list(EXTRA_TAG_COLOURS)
        return Tag(
            name=name,
            label=label or name[:1].upper() + name[1:],
            colour=colour or free[0],
            shortcut=shortcut,
            position=max((t.position for t in self), default=-1) + 1,
        )


@dataclass(frozen=True)
class Changes:
    """What one edit changed, so that each view refreshes exactly that (Anki's ``OpChanges``).

    Every operation of the core returns one; the session announces it and views decide what to repaint.
    Ids are annotation ids, link ids, tag names, relation names and document fingerprints.
    """

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    links_added: tuple[str, ...] = ()
    links_removed: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    """Tags added, changed or removed (the tag set must be re-read)."""
    relations: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    """Documents added, changed or removed."""
    assessments: tuple[str, ...] = ()
    """Annotations or documents whose grade, hypothesis flag or ACH rating changed."""

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in dataclasses.fields(self))  # astuple would copy every id

    def __or__(self, other: Changes) -> Changes:
        """Return the union of two changes, each id once, in order."""
        merged = {
            f.name: tuple(dict.fromkeys(getattr(self, f.name) + getattr(other, f.name)))
            for f in dataclasses.fields(self)
        }
        return Changes(**merged)


# -- assessment (issue 17): Admiralty grades, hypotheses and ACH ratings ------------------------------

RELIABILITY_GRADES: tuple[str, ...] = ("A", "B", "C", "D", "E", "F")
"""The Admiralty (NATO) source-reliability grades, a document's: A completely reliable ... E unreliable,
F reliability cannot be judged."""

CREDIBILITY_GRADES: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
"""The Admiralty information-credibility grades, a passage's: 1 confirmed ... 5 improbable, 6 truth cannot
be judged."""

ACH_RATINGS: tuple[str, ...] = ("II", "I", "N", "C", "CC")
"""Heuer's consistency ratings of evidence against a hypothesis, in ordinal order (very inconsistent first)."""


@dataclass(frozen=True)
class DocumentGrade:
    """A document's source reliability (A-F), with the analyst's reason."""

    document: str
    reliability: str
    rationale: str = ""
    author: str = ""
    modified: str = ""


@dataclass(frozen=True)
class PassageGrade:
    """A passage's information credibility (1-6), with the analyst's reason."""

    annotation: str
    credibility: int
    rationale: str = ""
    author: str = ""
    modified: str = ""


@dataclass(frozen=True)
class Hypothesis:
    """A claim the analyst weighs as one of the competing hypotheses of an ACH matrix."""

    annotation: str
    author: str = ""
    created: str = ""


@dataclass(frozen=True)
class AchRating:
    """How consistent one evidence passage is with one hypothesis (Heuer's CC, C, N, I, II)."""

    evidence: str
    hypothesis: str
    rating: str
    author: str = ""
    modified: str = ""
