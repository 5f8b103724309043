"""W3C Web Annotation export (JSON-LD collection or JSON lines) and import, Hypothesis API format too.

Export. Each passage becomes an ``Annotation`` with motivation ``highlighting`` (``commenting`` when it
has a note); its body is a ``TextualBody`` with purpose ``tagging`` whose value is the tag name, plus
a ``TextualBody`` with purpose ``commenting`` holding the note. The target is a ``SpecificResource``
whose source is the document, ``urn:sha256:<fingerprint>`` (typed ``Text``, with its title as
``label``), selected by a ``TextQuoteSelector`` and a ``TextPositionSelector`` (code points, end
exclusive). Each link is an annotation with motivation ``linking`` whose target is the source
passage's ``urn:uuid:<id>`` and whose body is the target passage's ``urn:uuid:<id>`` plus a tagging
``TextualBody`` naming the relation. Only links whose both ends are exported are written.

Import accepts one annotation, an ``AnnotationCollection`` or ``AnnotationPage`` with its pages
inline, a JSON list, JSON lines, or Hypothesis API annotations (``text``, ``tags``, ``uri``, a search
result's ``rows``). Each annotation goes to the document its source names: ``urn:sha256:<fingerprint>``
(a document named on import, one in the annotation file, or one the import file carries), never to
another article ("document not available"); a web page's address falls back to the title, the
only named document, or the file's only document. It is then placed by the one anchoring engine,
:class:`desktop.core.anchoring.Matcher`: at its ``TextPositionSelector`` when the text there equals
the ``TextQuoteSelector``'s ``exact``, else exactly, white space and bullets ignored (a browser keeps
a page's indentation), or approximately, each candidate scored by quote, prefix, suffix and
position; below :data:`anchoring.MIN_SCORE` it is an orphan. A position selector alone is taken as
is. The export can carry each article's text (``with_text``: the source node gets ``format``
``text/plain`` and the text as ``value``, once per article), so the file re-imports with no article
at hand; the text's SHA-256 is checked against the source's id. The tag is the first tagging body's value
(matched to the file's tags by name or label, case-insensitively; unknown tags are added); an
annotation without one gets the tag :data:`DEFAULT_TAG` (``imported``). Notes come from the other
textual bodies (and from a body that is a plain string, ``bodyValue`` or Hypothesis ``text``). Ids are
kept (a ``urn:uuid:`` prefix is dropped; any other id becomes a UUID 5 derived from it and is kept as
``origin_id``), so importing the same file twice adds nothing the second time. A file in which two
items share an id (two passages, or a link reusing a passage's id), or whose link id is a passage's in
the annotation file (or the reverse), is refused with a message naming the ids; ``origin_file`` is the
imported file's path. Everything is written in one transaction.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import io
import itertools
import json
import os
import re
import uuid
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core import anchoring, documents, errors, model, operations, safeio, store, textutil
from desktop.core.exchange import rows as rows_lib
from desktop.core.exchange import scope

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
DEFAULT_TAG = "imported"
"""The tag given to imported annotations that have no tagging body."""

MAX_IMPORT_BYTES = 64 * 1024 * 1024
"""Largest file :func:`import_file` reads (10,000 annotations take about 10 MB)."""
MAX_TEXT_CHARS = 1_000_000
"""Longest note, tag, author or quote accepted on import."""
MAX_OFFSET = 2**31 - 1
MAX_EMBEDDED_CHARS = 50_000_000
"""Longest article text an import file may carry in a source's ``value``."""
NAMESPACE = uuid.UUID("8f6f1c52-7a0e-5b8e-9d1a-3c2b4e5f6a70")
"""The namespace of the UUID 5s derived from ids that are not UUIDs."""

_UUID = re.compile(r"^(?:urn:uuid:)?([0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12})$")
_CANONICAL_URN = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SHA256 = re.compile(r"^urn:sha256:([0-9a-fA-F]{64})$")
_TAGGING = {"tagging", "classifying"}


# -- export ------------------------------------------------------------------------------------


_RFC3339 = re.compile(r"^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)$")


def _parse_time(value: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def _valid_time(value: str) -> bool:
    """Whether ``value`` is an RFC 3339 date-time, as the W3C model requires for created and modified."""
    return bool(_RFC3339.match(value)) and _parse_time(value) is not None


def _creator(name: str) -> dict[str, str]:
    return {"type": "Person", "name": name}


RFC3778 = "http://tools.ietf.org/rfc/rfc3778"
"""PDF fragment identifiers (``page=N``): the extra, coarser selector of a passage in a paged document."""


def annotation_object(
    annotation: model.Annotation, document: model.Document, *, with_text: bool = False
) -> dict[str, Any]:
    """Return one passage as a W3C ``Annotation`` (a JSON-ready dict).

    Args:
        annotation: the passage.
        document: its document (for the target's source and title).
        with_text: carry the document's whole text in the target's source (see :func:`objects`).
    """
    body: list[dict[str, Any]] = [{"type": "TextualBody", "purpose": "tagging", "value": annotation.tag}]
    if annotation.note:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": annotation.note, "format": "text/plain"})
    obj: dict[str, Any] = {
        "@context": CONTEXT,
        "id": f"urn:uuid:{annotation.id}",
        "type": "Annotation",
        "motivation": "commenting" if annotation.note else "highlighting",
    }
    if annotation.author:
        obj["creator"] = _creator(annotation.author)
    if _valid_time(annotation.created):
        obj["created"] = annotation.created
    if _valid_time(annotation.modified):
        obj["modified"] = annotation.modified
    obj["body"] = body
    obj["target"] = {
        "type": "SpecificResource",
        "source": _source(document, with_text),
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": annotation.quote,
                "prefix": annotation.prefix,
                "suffix": annotation.suffix,
            },
            {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end},
        ],
    }
    page = document.page_at(annotation.start)
    if page is not None:  # a paged document (PDF): the page the passage starts on, as an RFC 3778 fragment
        obj["target"]["selector"].append({"type": "FragmentSelector", "conformsTo": RFC3778, "value": f"page={page}"})
    return obj


def _source(document: model.Document, with_text: bool) -> dict[str, Any]:
    source: dict[str, Any] = {"id": f"urn:sha256:{document.fingerprint}", "type": "Text", "label": document.title}
    if with_text:
        # The article itself, as an embedded textual resource: rdf:value (``value``) in the anno.jsonld
        # context, plain text; its SHA-256 is the id, so an importer can check it.
        source["format"] = "text/plain"
        source["value"] = document.text
    return source


def link_object(link: model.Link) -> dict[str, Any]:
    """Return one link as a W3C ``Annotation`` with motivation ``linking``."""
    obj: dict[str, Any] = {
        "@context": CONTEXT,
        "id": f"urn:uuid:{link.id}",
        "type": "Annotation",
        "motivation": "linking",
    }
    if link.author:
        obj["creator"] = _creator(link.author)
    if _valid_time(link.created):
        obj["created"] = link.created
    obj["body"] = [
        {"id": f"urn:uuid:{link.target}"},
        {"type": "TextualBody", "purpose": "tagging", "value": link.relation},
    ]
    obj["target"] = f"urn:uuid:{link.source}"
    return obj


def objects(selection: scope.Selection, *, with_text: bool = False) -> Iterator[dict[str, Any]]:
    """Yield the W3C annotations of ``selection``: passages in document order, then links.

    With ``with_text``, the first passage of each document carries the document's text in its
    target's source node (``urn:sha256:<fingerprint>``, ``format`` ``text/plain``, the text as
    ``value``). JSON-LD merges nodes with one id, so the text belongs to that source wherever it is
    named in the file; :func:`import_parsed` adds such a document to the annotation file when it
    does not have it (after checking the text's SHA-256 against the id), so the file re-imports with
    no article at hand.
    """
    return _streamed_objects(rows_lib.held(selection), with_text=with_text)


def collection(selection: scope.Selection, *, with_text: bool = False) -> dict[str, Any]:
    """Return ``selection`` as one ``AnnotationCollection`` whose single page holds every annotation.

    The collection's id is derived from the annotations' ids, so exporting the same passages twice
    gives the same file. ``with_text``: see :func:`objects`.
    """
    items = list(objects(selection, with_text=with_text))
    key = "\n".join(item["id"] for item in items)
    collection_id = uuid.uuid5(NAMESPACE, "collection\n" + key)
    page_id = uuid.uuid5(NAMESPACE, "page\n" + key)
    label = "Warrant annotations"
    if len(selection.documents) == 1:
        label += f": {selection.documents[0].title}"
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{collection_id}",
        "type": "AnnotationCollection",
        "label": label,
        "total": len(items),
        "first": {
            "id": f"urn:uuid:{page_id}",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        },
    }


def render(selection: scope.Selection, *, jsonl: bool = False, with_text: bool = False) -> bytes:
    """Return the W3C export of ``selection`` as UTF-8 JSON-LD.

    Args:
        selection: what to export.
        jsonl: one annotation per line (JSON lines) instead of one ``AnnotationCollection``.
        with_text: carry each document's text, so the file re-imports with no article at hand.
    """
    out = io.StringIO()
    write(rows_lib.held(selection), out, jsonl=jsonl, with_text=with_text)
    return out.getvalue().encode("utf-8", "replace")


def _streamed_objects(rows: rows_lib.Rows, *, with_text: bool = False) -> Iterator[dict[str, Any]]:
    """What :func:`objects` yields, reading the passages from ``rows`` one chunk at a time."""
    selection = rows.selection
    carried: set[str] = set()
    rated: set[str] | None = set() if selection.assessments.ratings else None  # issue 17: the ratings' ends
    for annotation in rows.all():
        first = with_text and annotation.document not in carried
        carried.add(annotation.document)
        if rated is not None:
            rated.add(annotation.id)
        yield _assessed(
            annotation_object(annotation, selection.document(annotation.document), with_text=first),
            annotation,
            selection,
        )
    for link in selection.links:
        yield link_object(link)
    yield from _assessment_objects(selection, rated)  # issue 17: document reliability, ACH ratings


def write(rows: rows_lib.Rows, out: rows_lib.Sink, *, jsonl: bool = False, with_text: bool = False) -> None:
    """Write the W3C export of ``rows`` (see :func:`render`) to a text stream, one annotation at a time.

    The collection's ids (see :func:`collection`) hash every item's id; a first pass over the ids
    computes them, so the items are never all in memory.
    """
    compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    if jsonl:
        for obj in _streamed_objects(rows, with_text=with_text):
            out.write(compact(obj) + "\n")
        return
    # uuid.uuid5(NAMESPACE, name) is the SHA-1 of the namespace and the name: hashed as it streams.
    keys = [hashlib.sha1(NAMESPACE.bytes + b"collection\n"), hashlib.sha1(NAMESPACE.bytes + b"page\n")]
    total = 0
    ids = itertools.chain(
        (f"urn:uuid:{a.id}" for a in rows.all()),
        (f"urn:uuid:{k.id}" for k in rows.selection.links),
        (str(obj["id"]) for obj in _assessment_objects(rows.selection)),
    )
    for item_id in ids:
        piece = (b"\n" if total else b"") + item_id.encode()
        for key in keys:
            key.update(piece)
        total += 1
    collection_id, page_id = (uuid.UUID(bytes=key.digest()[:16], version=5) for key in keys)
    label = "Warrant annotations"
    if len(rows.selection.documents) == 1:
        label += f": {rows.selection.documents[0].title}"
    whole = {
        "@context": CONTEXT,
        "id": f"urn:uuid:{collection_id}",
        "type": "AnnotationCollection",
        "label": label,
        "total": total,
    }
    page = {"id": f"urn:uuid:{page_id}", "type": "AnnotationPage", "startIndex": 0}
    # The collection with one annotation per line: readable, and written by the C encoder (json's
    # pretty-printer is pure Python and three times slower).
    out.write(
        f'{json.dumps(whole, ensure_ascii=False)[:-1]},\n "first": {json.dumps(page, ensure_ascii=False)[:-1]}, "items": [\n'
    )
    separator = ""
    for obj in _streamed_objects(rows, with_text=with_text):
        out.write(separator + compact(obj))
        separator = ",\n"
    out.write("\n]}}\n")


# -- import: reading the file --------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    """What an import did.

    Attributes:
        imported: annotations added.
        skipped_duplicates: annotations already in the file (same id), not added again.
        orphans: annotations that could not be placed, as ``(id, quote, reason)``.
        links_imported: links added.
        links_skipped: links not added, as ``(id, reason)`` (already there, or an end is missing).
        tags_added: tags the file did not have before.
        document: the fingerprint of the document named on import, if any.
    """

    imported: int
    skipped_duplicates: int
    orphans: list[tuple[str, str, str]] = field(default_factory=list)
    links_imported: int = 0
    links_skipped: list[tuple[str, str]] = field(default_factory=list)
    tags_added: list[str] = field(default_factory=list)
    document: str | None = None
    assessments_imported: int = 0
    assessments_skipped: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Passage:
    """An annotation read from the file, before it is anchored."""

    raw_id: str
    id: str
    tag: str | None
    note: str
    author: str
    created: str
    modified: str
    sources: list[str]
    titles: list[str]
    exact: str | None = None
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None
    embedded: tuple[str, str, str] | None = None
    """A document text the target's source carries: (fingerprint, title, text)."""


@dataclass
class _LinkItem:
    raw_id: str
    id: str
    source: str | None
    target: str | None
    relation: str | None
    author: str
    created: str


@dataclass
class Parsed:
    """An import file read and checked, not yet anchored: see :func:`read`."""

    name: str
    passages: list[_Passage]
    links: list[_LinkItem]
    path: str = ""
    texts: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Documents the file carries (see :func:`objects`): fingerprint -> (title, text), checked."""
    """The file read, when it was read from disk; kept as the imported annotations' ``origin_file``."""
    assessed: _Assessed = field(default_factory=lambda: _Assessed())


class _Context:
    """Names the annotation being read in error messages."""

    def __init__(self, name: str, index: int, raw_id: str) -> None:
        self.name = name
        self.where = f"annotation {index + 1}" + (f" ({raw_id[:80]})" if raw_id else "")

    def error(self, problem: str) -> errors.ExchangeError:
        return errors.ExchangeError(f"{self.name}: {self.where}: {problem}; nothing was imported")


def _type_name(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(
        type(value), "a number"
    )


def _text(ctx: _Context, value: object, what: str, *, limit: int = MAX_TEXT_CHARS) -> str:
    if not isinstance(value, str):
        raise ctx.error(f"{what} is {_type_name(value)}, not text")
    if len(value) > limit:
        raise ctx.error(f"{what} is {len(value):,} characters long; at most {limit:,} are accepted")
    return value


def _types(value: object) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {v for v in value if isinstance(v, str)}
    return set()


def normalise_id(raw: str) -> str:
    """Return the id Warrant stores for an annotation id read from a file.

    A UUID (bare or ``urn:uuid:``) is kept, lower-cased; any other id becomes a UUID 5 derived from
    it, the same every time.
    """
    if len(raw) == 45 and _CANONICAL_URN.match(raw):
        return raw[9:]  # the common case, already in the form Warrant stores
    match = _UUID.match(raw.strip())
    if match:
        return str(uuid.UUID(match.group(1)))
    return str(uuid.uuid5(NAMESPACE, raw))


def _time(ctx: _Context, value: object, what: str) -> str:
    if value is None:
        return ""
    text = _text(ctx, value, what, limit=100)
    moment = _parse_time(text)
    if moment is None:
        raise ctx.error(f"{what} {text!r} is not a date and time")
    if _RFC3339.match(text):
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.isoformat()  # an ISO 8601 variant RFC 3339 does not allow: rewritten


def _author(ctx: _Context, obj: dict[str, Any]) -> str:
    creator = obj.get("creator")
    if isinstance(creator, list):
        creator = creator[0] if creator else None
    if isinstance(creator, str):
        return _text(ctx, creator, "creator", limit=1000)
    if isinstance(creator, dict):
        for key in ("name", "nickname", "id"):
            value = creator.get(key)
            if isinstance(value, list):
                value = value[0] if value else None
            if value is not None:
                return _text(ctx, value, f"creator {key}", limit=1000)
        return ""
    if creator is not None:
        raise ctx.error(f"creator is {_type_name(creator)}")
    info = obj.get("user_info")
    if isinstance(info, dict) and isinstance(info.get("display_name"), str) and info["display_name"]:
        return _text(ctx, info["display_name"], "user_info display_name", limit=1000)
    user = obj.get("user")
    if user is not None:
        name = _text(ctx, user, "user", limit=1000)
        return name.removeprefix("acct:")
    return ""


def _iri(value: object) -> str | None:
    """The IRI a W3C value names: itself if a string, its ``id`` (or ``source``) if an object."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("id", "@id", "source"):
            found = value.get(key)
            if isinstance(found, str):
                return found
            if isinstance(found, dict):
                return _iri(found)
    return None


def _purposes(body: dict[str, Any], motivations: set[str]) -> set[str]:
    purposes = _types(body.get("purpose"))
    return purposes or motivations


def _bodies(ctx: _Context, obj: dict[str, Any]) -> list[object]:
    if "body" in obj and "bodyValue" in obj:
        raise ctx.error("it has both 'body' and 'bodyValue', which the W3C model forbids")
    if "bodyValue" in obj:
        return [_text(ctx, obj["bodyValue"], "bodyValue")]
    body = obj.get("body")
    if body is None:
        return []
    if isinstance(body, list):
        return body
    return [body]


def _read_bodies(ctx: _Context, obj: dict[str, Any], motivations: set[str]) -> tuple[str | None, list[str]]:
    tag: str | None = None
    notes: list[str] = []
    for body in _bodies(ctx, obj):
        if isinstance(body, str):
            notes.append(_text(ctx, body, "body"))
            continue
        if not isinstance(body, dict):
            raise ctx.error(f"a body is {_type_name(body)}, not an object or text")
        if "Choice" in _types(body.get("type")):
            items = body.get("items")
            if not isinstance(items, list):
                raise ctx.error("a Choice body has no list of items")
            body = next((i for i in items if isinstance(i, dict) and "value" in i), None)
            if body is None:
                continue
        if "value" not in body:
            continue  # a body that is a web resource: nothing Warrant can keep
        value = _text(ctx, body["value"], "a body's value")
        if _purposes(body, motivations) & _TAGGING:
            if tag is None and value.strip():
                tag = value.strip()
        elif value.strip():
            notes.append(value)
    if "text" in obj and obj.get("type") is None:  # Hypothesis
        text = _text(ctx, obj["text"], "text")
        if text.strip():
            notes.append(text)
    if "tags" in obj and obj.get("type") is None:
        tags = obj["tags"]
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise ctx.error("tags is not a list of text")
        if tag is None:
            tag = next((t.strip() for t in tags if t.strip()), None)
    if tag is not None and len(tag) > 64:
        raise ctx.error(f"its tag {tag[:40]!r}... is longer than 64 characters")
    return tag, notes


def _selectors(ctx: _Context, value: object, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Yield selector objects, following ``refinedBy`` (a FragmentSelector refined by a quote ...)."""
    if depth > 8:
        raise ctx.error("its selectors are nested too deeply")
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, str):
            continue  # a selector given by IRI: cannot be fetched
        if not isinstance(item, dict):
            raise ctx.error(f"a selector is {_type_name(item)}, not an object")
        if not isinstance(item.get("type"), str):
            raise ctx.error("a selector has no 'type'")
        yield item
        if "refinedBy" in item:
            yield from _selectors(ctx, item["refinedBy"], depth + 1)


def _offset(ctx: _Context, selector: dict[str, Any], key: str) -> int:
    value = selector.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ctx.error(
            f"its TextPositionSelector {key} is {_type_name(value) if value is not None else 'missing'}, not a whole number"
        )
    if not 0 <= value <= MAX_OFFSET:
        raise ctx.error(f"its TextPositionSelector {key} {value} is out of range")
    return value


def _read_target(ctx: _Context, obj: dict[str, Any], passage: _Passage) -> None:
    if "target" not in obj:
        uri = obj.get("uri")
        if isinstance(uri, str):
            passage.sources.append(uri)
            return
        raise ctx.error("it has no target")
    target = obj["target"]
    targets = target if isinstance(target, list) else [target]
    for t in targets:
        if isinstance(t, str):
            passage.sources.append(t)
            continue
        if not isinstance(t, dict):
            raise ctx.error(f"a target is {_type_name(t)}")
        source = t.get("source")
        iri = _iri(source) if source is not None else _iri(t)
        if iri:
            passage.sources.append(iri)
        if isinstance(source, dict):
            for key in ("label", "title", "dcterms:title", "dc:title"):
                if isinstance(source.get(key), str):
                    passage.titles.append(source[key])
            _read_embedded_text(ctx, source, passage)
        if "selector" not in t or passage.exact is not None or passage.start is not None:
            continue
        for selector in _selectors(ctx, t["selector"]):
            kind = _types(selector.get("type"))
            if "TextQuoteSelector" in kind and passage.exact is None:
                passage.exact = _text(ctx, selector.get("exact"), "its TextQuoteSelector's exact")
                passage.prefix = _text(ctx, selector.get("prefix", ""), "its TextQuoteSelector's prefix")
                passage.suffix = _text(ctx, selector.get("suffix", ""), "its TextQuoteSelector's suffix")
            elif "TextPositionSelector" in kind and passage.start is None:
                start = _offset(ctx, selector, "start")
                end = _offset(ctx, selector, "end")
                if end < start:
                    raise ctx.error(f"its TextPositionSelector ends ({end}) before it starts ({start})")
                passage.start, passage.end = start, end
    obj_uri = obj.get("uri")
    if isinstance(obj_uri, str) and obj_uri not in passage.sources:
        passage.sources.append(obj_uri)
    document = obj.get("document")
    if isinstance(document, dict) and isinstance(document.get("title"), list):
        passage.titles.extend(t for t in document["title"] if isinstance(t, str))


def _read_embedded_text(ctx: _Context, source: dict[str, Any], passage: _Passage) -> None:
    """Keep the article text a source carries (``value``) when its SHA-256 is the source's id."""
    value = source.get("value")
    if value is None:
        return
    iri = _iri(source)
    match = _SHA256.match(iri or "")
    if not isinstance(value, str) or match is None:
        return  # only a text named by its fingerprint can be checked, and only that is used
    if len(value) > MAX_EMBEDDED_CHARS:
        raise ctx.error(f"the text it carries is {len(value):,} characters; at most {MAX_EMBEDDED_CHARS:,}")
    if documents.fingerprint(value) != match.group(1).lower():
        raise ctx.error(f"the text it carries for {iri} is not that text (its SHA-256 differs)")
    title = source.get("label") if isinstance(source.get("label"), str) else ""
    passage.embedded = (match.group(1).lower(), str(title), value)


def _identify(name: str, index: int, obj: dict[str, Any]) -> tuple[str, str]:
    raw = obj.get("id", obj.get("@id"))
    if raw is None:
        raw_id = ""
        canonical = json.dumps(obj, sort_keys=True, ensure_ascii=False)
        return raw_id, str(uuid.uuid5(NAMESPACE, canonical))
    if not isinstance(raw, str) or not raw.strip():
        raise _Context(name, index, "").error(f"its id is {_type_name(raw)}, not text")
    return raw, normalise_id(raw)


def _read_link(ctx: _Context, obj: dict[str, Any], raw_id: str, link_id: str) -> _LinkItem:
    target = obj.get("target")
    if isinstance(target, list):
        target = target[0] if target else None
    source_iri = _iri(target)
    target_iri: str | None = None
    relation: str | None = None
    for body in _bodies(ctx, obj):
        if isinstance(body, dict) and "value" in body:
            value = _text(ctx, body["value"], "a body's value", limit=64 * 4).strip()
            if relation is None and value:
                relation = value
        elif target_iri is None:
            target_iri = _iri(body)
    if relation is not None and len(relation) > 64:
        raise ctx.error(f"its relation {relation[:40]!r}... is longer than 64 characters")
    return _LinkItem(
        raw_id=raw_id,
        id=link_id,
        source=normalise_id(source_iri) if source_iri else None,
        target=normalise_id(target_iri) if target_iri else None,
        relation=relation,
        author=_author(ctx, obj),
        created=_time(ctx, obj.get("created"), "created"),
    )


def _annotations_in(value: object, name: str, depth: int = 0) -> Iterator[object]:
    """Yield the annotation objects of a parsed file: unwraps collections, pages, lists and search results."""
    if depth > 6:
        raise errors.ExchangeError(f"{name}: collections are nested too deeply; nothing was imported")
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list) and _is_container(item):
                yield from _annotations_in(item, name, depth + 1)
            else:
                yield item
        return
    if not isinstance(value, dict):
        raise errors.ExchangeError(
            f"{name} holds {_type_name(value)}, not W3C annotations (an object, a list or JSON lines); nothing was imported"
        )
    kinds = _types(value.get("type"))
    if "AnnotationCollection" in kinds:
        first = value.get("first")
        if first is None:
            return
        if not isinstance(first, dict):
            raise errors.ExchangeError(
                f"{name}: the collection's pages are not in the file (its 'first' page is a link); "
                "only collections with their pages inline can be imported; nothing was imported"
            )
        yield from _annotations_in(first, name, depth + 1)
        return
    if "AnnotationPage" in kinds:
        items = value.get("items", [])
        if not isinstance(items, list):
            raise errors.ExchangeError(
                f"{name}: a page's items are {_type_name(items)}, not a list; nothing was imported"
            )
        yield from items
        following = value.get("next")
        if isinstance(following, dict):
            yield from _annotations_in(following, name, depth + 1)
        return
    if "type" not in value and isinstance(value.get("rows"), list):  # a Hypothesis search result
        yield from value["rows"]
        return
    yield value


def _is_container(value: object) -> bool:
    if isinstance(value, list):
        return True
    assert isinstance(value, dict)
    kinds = _types(value.get("type"))
    return bool(kinds & {"AnnotationCollection", "AnnotationPage"})


def _parse_json(data: bytes, name: str) -> object:
    if len(data) > MAX_IMPORT_BYTES:
        raise errors.ExchangeError(
            f"{name} is {len(data) / 1024 / 1024:.0f} MB; files up to {MAX_IMPORT_BYTES // 1024 // 1024} MB "
            "can be imported; nothing was imported"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise errors.ExchangeError(
            f"{name} is not UTF-8 text (undecodable byte at offset {exc.start}); nothing was imported"
        ) from None
    if not text.strip():
        raise errors.ExchangeError(f"{name} is empty; nothing was imported")
    try:
        return safeio.load_json(text, name)
    except RecursionError:
        raise errors.ExchangeError(f"{name}: its JSON is nested too deeply; nothing was imported") from None
    except json.JSONDecodeError as whole:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) < 2:
            raise errors.ExchangeError(
                f"{name} is not JSON (line {whole.lineno}, column {whole.colno}: {whole.msg}); nothing was imported"
            ) from None
        items = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                items.append(safeio.load_json(line, name))
            except RecursionError:
                raise errors.ExchangeError(f"{name}: its JSON is nested too deeply; nothing was imported") from None
            except json.JSONDecodeError as exc:
                raise errors.ExchangeError(
                    f"{name} is neither JSON nor JSON lines (line {number}, column {exc.colno}: {exc.msg}); "
                    "nothing was imported"
                ) from None
        return items


def read(data: bytes, name: str = "the file") -> Parsed:
    """Read and check an import file without touching any annotation file.

    Args:
        data: the file's bytes (JSON or JSON lines, UTF-8).
        name: the file's name, for messages.

    Returns:
        The annotations and links it holds, not yet anchored.

    Raises:
        ExchangeError: the file is too large, not JSON, or an annotation is malformed (a value of the
            wrong type, offsets out of range, a string too long); the message names the annotation.
    """
    parsed = _parse_json(data, name)
    passages: list[_Passage] = []
    links: list[_LinkItem] = []
    assessed = _Assessed()
    for index, obj in enumerate(_annotations_in(parsed, name)):
        if not isinstance(obj, dict):
            raise _Context(name, index, "").error(f"it is {_type_name(obj)}, not an annotation object")
        raw_id, item_id = _identify(name, index, obj)
        ctx = _Context(name, index, raw_id)
        kinds = _types(obj.get("type"))
        if "type" in obj and "Annotation" not in kinds:
            raise ctx.error(f"its type is {obj['type']!r}, not 'Annotation'")
        motivation = obj.get("motivation")
        if motivation is not None and not isinstance(motivation, str | list):
            raise ctx.error(f"its motivation is {_type_name(motivation)}")
        motivations = _types(motivation)
        if "assessing" in motivations and _read_assessing(ctx, obj, item_id, assessed):  # issue 17
            continue
        if "linking" in motivations:
            links.append(_read_link(ctx, obj, raw_id, item_id))
            continue
        tag, notes = _read_bodies(ctx, obj, motivations)
        tag = _read_passage_assessment(ctx, obj, item_id, tag, notes, assessed)  # issue 17
        created = _time(ctx, obj.get("created"), "created")
        modified = _time(ctx, obj.get("modified", obj.get("updated")), "modified")
        passage = _Passage(
            raw_id=raw_id,
            id=item_id,
            tag=tag,
            note="\n\n".join(notes),
            author=_author(ctx, obj),
            created=created,
            modified=modified,
            sources=[],
            titles=[],
        )
        if len(passage.note) > MAX_TEXT_CHARS:
            raise ctx.error(
                f"its notes are {len(passage.note):,} characters long; at most {MAX_TEXT_CHARS:,} are accepted"
            )
        _read_target(ctx, obj, passage)
        passages.append(passage)
    _check_ids(name, passages, links)
    texts: dict[str, tuple[str, str]] = {}
    for passage in passages:
        if passage.embedded is not None:
            fingerprint, title, text = passage.embedded
            texts.setdefault(fingerprint, (title, text))
            passage.embedded = None
    return Parsed(name=name, passages=passages, links=links, texts=texts, assessed=assessed)


def _check_ids(name: str, passages: list[_Passage], links: list[_LinkItem]) -> None:
    """Refuse a file in which two items have one id (two passages, two links, a link and a passage).

    JSON-LD would merge such items into one node; importing them as they are would store two things
    under one id. The message names the ids; nothing is imported.
    """
    counts: dict[str, list[str]] = {}
    for item_id, raw_id in [(p.id, p.raw_id) for p in passages] + [(k.id, k.raw_id) for k in links]:
        counts.setdefault(item_id, []).append(raw_id or item_id)
    clashing = [raws[0] for raws in counts.values() if len(raws) > 1]
    if clashing:
        shown = ", ".join(repr(i[:80]) for i in clashing[:5]) + (
            f" and {len(clashing) - 5} more" if len(clashing) > 5 else ""
        )
        raise errors.ExchangeError(
            f"{name}: {len(clashing)} id(s) name more than one item (a passage and a link, or two items): "
            f"{shown}; nothing was imported"
        )


def read_file(path: str | os.PathLike[str]) -> Parsed:
    """Read and check an import file (see :func:`read`).

    Raises:
        ExchangeError: the file is missing, unreadable, too large or malformed.
    """
    p = Path(path)
    try:
        if p.is_dir():
            raise errors.ExchangeError(f"{p} is a folder, not an annotation file to import")
        size = p.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise errors.ExchangeError(
                f"{p} is {size / 1024 / 1024:.0f} MB; files up to {MAX_IMPORT_BYTES // 1024 // 1024} MB "
                "can be imported; nothing was imported"
            )
        data = safeio.read_bounded(p, MAX_IMPORT_BYTES)
    except FileNotFoundError:
        raise errors.ExchangeError(f"{p} does not exist") from None
    except OSError as exc:
        raise errors.ExchangeError(f"{p} cannot be read: {exc.strerror or exc}") from None
    parsed = read(data, str(p))
    parsed.path = str(p.resolve())
    return parsed


# -- import: anchoring and writing -----------------------------------------------------------------


class _Documents:
    """Finds each passage's document, by fingerprint first.

    A passage whose source is ``urn:sha256:<fingerprint>`` goes to that document: one named on
    import, one in the annotation file, or one the import file carries; if none of them is that
    article, the passage is not placed ("document not available"), never put on another article.
    A passage whose source names no fingerprint (a web page's address) goes to the named document
    whose title is the passage's title, else the only named document, else (none named) the file's
    document with that title, else the file's only document.
    """

    def __init__(
        self, target: store.Store, named: Sequence[model.Document], carried: dict[str, model.Document]
    ) -> None:
        self.named = {d.fingerprint: d for d in named}
        self.stored = {d.fingerprint: d for d in target.documents()}
        self.carried = carried
        self.only = next(iter(self.stored.values())) if len(self.stored) == 1 else None
        self.named_titles = _unique_titles(self.named.values())
        self.by_title = _unique_titles(self.stored.values())

    def find(self, passage: _Passage) -> model.Document | None:
        fingerprints = [m.group(1).lower() for m in map(_SHA256.match, passage.sources) if m]
        if fingerprints:
            for pool in (self.named, self.stored, self.carried):
                for fingerprint in fingerprints:
                    if fingerprint in pool:
                        return pool[fingerprint]
            return None
        if self.named:
            for title in passage.titles:
                if title in self.named_titles:
                    return self.named_titles[title]
            return next(iter(self.named.values())) if len(self.named) == 1 else None
        for title in passage.titles:
            if title in self.by_title:
                return self.by_title[title]
        return self.only


def _unique_titles(docs: Iterable[model.Document]) -> dict[str, model.Document]:
    titles: dict[str, list[model.Document]] = {}
    for d in docs:
        titles.setdefault(d.title, []).append(d)
    return {t: ds[0] for t, ds in titles.items() if len(ds) == 1}


def _anchor(ctx: _Context, passage: _Passage, document: model.Document) -> tuple[int, int] | str:
    """Place a passage in its document: its offsets, or why it cannot be placed."""
    text = document.text
    if passage.exact is not None:
        if len(passage.exact) > len(text):
            raise ctx.error(
                f"its quote ({len(passage.exact):,} characters) is longer than {document.title!r} "
                f"({len(text):,} characters)"
            )
        if not passage.exact:
            return "its quote is empty"
        if passage.start is not None and text[passage.start : passage.end] == passage.exact:
            assert passage.end is not None
            return passage.start, passage.end
        found = anchoring.find_exact(text, passage.exact, passage.prefix, passage.suffix, hint=passage.start)
        if found is None:
            return f"its quote is not in {document.title!r}"
        return found.start, found.end
    if passage.start is not None and passage.end is not None:
        if passage.end > len(text):
            raise ctx.error(
                f"its TextPositionSelector {passage.start}-{passage.end} is outside {document.title!r} "
                f"({len(text):,} characters)"
            )
        if passage.start == passage.end:
            return "its TextPositionSelector selects nothing"
        return passage.start, passage.end
    return "it has no TextQuoteSelector or TextPositionSelector"


def _tag_names(target: store.Store) -> dict[str, str]:
    """Map each tag's name and label, case-folded, to the tag's name (names win over labels)."""
    tags = target.tags()
    known = {tag.label.casefold(): tag.name for tag in tags}
    known.update((tag.name.casefold(), tag.name) for tag in tags)
    return known


def import_parsed(
    target: store.Store,
    parsed: Parsed,
    document: documents.LoadedDocument
    | model.Document
    | Sequence[documents.LoadedDocument | model.Document]
    | None = None,
) -> ImportReport:
    """Anchor what :func:`read` found and add it to ``target``, in one transaction (:func:`prepare`, then
    :func:`desktop.core.operations.import_plan`, which the window runs as one undoable command).

    Raises:
        ExchangeError: an annotation's quote or offsets cannot belong to its document; nothing was
            imported.
        StoreError: the annotation file could not be written; nothing was imported.
    """
    plan, report = prepare(target, parsed, document)
    with target.atomic():  # the passages and their grades, flags and ratings: all saved, or none
        operations.import_plan(target, plan)
        count, skipped = import_assessments(target, parsed, {d.fingerprint for d in plan.documents})
    return dataclasses.replace(report, assessments_imported=count, assessments_skipped=skipped)


def prepare(
    target: store.Store,
    parsed: Parsed,
    document: documents.LoadedDocument
    | model.Document
    | Sequence[documents.LoadedDocument | model.Document]
    | None = None,
) -> tuple[operations.ImportPlan, ImportReport]:
    """Anchor what :func:`read` found in ``target``'s documents; write nothing.

    Args:
        target: the annotation file to import into.
        parsed: the checked import file.
        document: the article(s) the annotations are about (each added to the file if new and
            given a passage); None to find each annotation's document by its ``urn:sha256:``
            source (in the file, or carried by the import file), its title, or the file's only one.

    Returns:
        The plan :func:`desktop.core.operations.import_plan` applies, and what it will import, skip and
        leave unplaced (a passage whose source is an article that
        is not at hand is an orphan with the reason "document not available").

    Raises:
        ExchangeError: an annotation's quote or offsets cannot belong to its document, or an id of
            the import file is already an item of the other kind in the annotation file; nothing
            was imported.
    """
    given: list[documents.LoadedDocument | model.Document]
    if document is None:
        given = []
    elif isinstance(document, documents.LoadedDocument | model.Document):
        given = [document]
    else:
        given = list(document)
    named_docs: list[model.Document] = []
    new_documents: dict[str, model.Document] = {}
    for d in given:
        known = target.document(d.fingerprint, missing_ok=True)
        if known is None:
            known = model.Document(
                fingerprint=d.fingerprint,
                title=d.title,
                path=d.path,
                text=d.text,
                kind=d.kind,
                page_starts=d.page_starts,
            )
            new_documents[d.fingerprint] = known
        named_docs.append(known)
    named = named_docs[0] if len(named_docs) == 1 else None
    carried = {
        fingerprint: model.Document(fingerprint=fingerprint, title=title, path="", text=text, kind="txt")
        for fingerprint, (title, text) in parsed.texts.items()
    }
    new_documents.update({f: d for f, d in carried.items() if target.document(f, missing_ok=True) is None})
    _check_stored_ids(target, parsed)
    finder = _Documents(target, named_docs, carried)
    existing = target.existing_ids(p.id for p in parsed.passages)
    tag_names = _tag_names(target)
    new_tags: dict[str, str] = {}
    annotations: list[model.Annotation] = []
    orphans: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    duplicates = 0
    now = model.now_utc()
    for index, passage in enumerate(parsed.passages):
        shown_id = passage.raw_id or passage.id
        if passage.id in existing or passage.id in seen:
            duplicates += 1
            continue
        ctx = _Context(parsed.name, index, passage.raw_id)
        doc = finder.find(passage)
        if doc is None:
            source = passage.sources[0] if passage.sources else "none given"
            orphans.append((shown_id, passage.exact or "", f"document not available: {textutil.one_line(source)}"))
            continue
        placed = _anchor(ctx, passage, doc)
        if isinstance(placed, str):
            orphans.append((shown_id, passage.exact or "", placed))
            continue
        start, end = placed
        sel = anchoring.select(doc.text, start, end)
        tag_key = (passage.tag or DEFAULT_TAG).casefold()
        tag = tag_names.get(tag_key) or new_tags.get(tag_key)
        if tag is None:
            tag = passage.tag or DEFAULT_TAG
            new_tags[tag_key] = tag
        created = passage.created or now
        annotations.append(
            model.Annotation(
                id=passage.id,
                document=doc.fingerprint,
                tag=tag,
                start=start,
                end=end,
                quote=sel.exact,
                prefix=sel.prefix,
                suffix=sel.suffix,
                note=passage.note,
                author=passage.author,
                created=created,
                modified=passage.modified or created,
                origin_id=passage.raw_id
                if passage.raw_id and passage.raw_id.removeprefix("urn:uuid:") != passage.id
                else "",
                origin_file=parsed.path,
            )
        )
        seen.add(passage.id)
    links, links_skipped, new_relations = _links(target, parsed, {a.id: a.document for a in annotations})
    used = {a.document for a in annotations}
    plan = operations.ImportPlan(
        annotations=tuple(annotations),
        links=tuple(links),
        documents=tuple(dataclasses.replace(d, added=now) for f, d in new_documents.items() if f in used),
        tags=tuple((tag, "Imported" if tag == DEFAULT_TAG else None) for tag in new_tags.values()),
        relations=tuple(new_relations),
    )
    return plan, ImportReport(
        imported=len(annotations),
        skipped_duplicates=duplicates,
        orphans=orphans,
        links_imported=len(links),
        links_skipped=links_skipped,
        tags_added=list(new_tags.values()),
        document=named.fingerprint if named is not None else None,
    )


def _check_stored_ids(target: store.Store, parsed: Parsed) -> None:
    """Refuse ids that are already items of the other kind in the annotation file (a link id that is a passage's)."""
    link_ids = {k.id for k in parsed.links}
    clashing = sorted(target.existing_ids(link_ids))
    if parsed.passages:
        stored_links = {k.id for k in target.links()}
        clashing += sorted(p.raw_id or p.id for p in parsed.passages if p.id in stored_links)
    if clashing:
        shown = ", ".join(repr(i[:80]) for i in clashing[:5])
        raise errors.ExchangeError(
            f"{parsed.name}: {len(clashing)} id(s) already name an item of the other kind in {target.path} "
            f"(a link whose id is a passage's, or the reverse): {shown}; nothing was imported"
        )


def _links(
    target: store.Store, parsed: Parsed, placed: dict[str, str]
) -> tuple[list[model.Link], list[tuple[str, str]], list[str]]:
    """The links to add, those skipped with why, and the relations to add for them.

    ``placed`` maps the ids of the annotations being imported to their documents; a link may also
    join annotations already in the file.
    """
    if not parsed.links:
        return [], [], []
    stored = target.links()
    stored_ids = {k.id for k in stored}
    stored_triples = {(k.source, k.target, k.relation) for k in stored}
    relations = {r.label.casefold(): r.name for r in target.relations()}
    relations.update((r.name.casefold(), r.name) for r in target.relations())
    new_relations: dict[str, str] = {}
    candidates: list[tuple[_LinkItem, str, str, str, str]] = []
    skipped: list[tuple[str, str]] = []
    seen: set[str] = set()
    for item in parsed.links:
        shown = item.raw_id or item.id
        if item.source is None or item.target is None:
            skipped.append((shown, "it does not name the two annotations it links"))
            continue
        if item.relation is None:
            skipped.append((shown, "it has no relation (a tagging body naming it)"))
            continue
        key = item.relation.casefold()
        relation = relations.get(key) or new_relations.setdefault(key, item.relation)
        if item.id in stored_ids or item.id in seen or (item.source, item.target, relation) in stored_triples:
            skipped.append((shown, "it is already in the annotation file"))
            continue
        seen.add(item.id)
        candidates.append((item, shown, item.source, item.target, relation))
    where = dict(placed)
    elsewhere = {end for c in candidates for end in c[2:4] if end not in where}
    for annotation_id in target.existing_ids(elsewhere):
        where[annotation_id] = target.annotation(annotation_id).document
    links: list[model.Link] = []
    for item, shown, source, target_id, relation in candidates:
        if source not in where or target_id not in where:
            skipped.append((shown, "it links an annotation that is not in the annotation file"))
        elif source == target_id:
            skipped.append((shown, "it links an annotation to itself"))
        elif where[source] != where[target_id]:
            skipped.append((shown, "it links passages of two different documents"))
        else:
            links.append(model.Link(item.id, source, target_id, relation, item.author, item.created or model.now_utc()))
    used = {k.relation for k in links}
    return links, skipped, [r for r in new_relations.values() if r in used]


def import_file(
    target: store.Store,
    path: str | os.PathLike[str],
    document: str | os.PathLike[str] | None = None,
) -> ImportReport:
    """Import a W3C (or Hypothesis) annotation file into ``target``; all or nothing.

    Args:
        target: the annotation file to import into.
        path: the JSON, JSON-LD or JSON-lines file.
        document: the article the annotations are about (loaded, and added to the file if new);
            None to find each annotation's document in the file.

    Returns:
        Counts of imported and already-present annotations, and the orphans that could not be placed.

    Raises:
        ExchangeError: the file is missing, too large, not JSON, or malformed; nothing was imported.
        DocumentError: ``document`` cannot be read.
        StoreError: the annotation file could not be written; nothing was imported.
    """
    parsed = read_file(path)
    loaded = documents.load(document) if document is not None else None
    return import_parsed(target, parsed, loaded)


# -- assessments: Admiralty grades, hypotheses, ACH ratings (issue 17) ------------------------------------
#
# The forms, written on export and read on import:
#
# * A passage's credibility (1-6) is a body of its annotation, ``{"type": "TextualBody", "purpose":
#   "assessing", "value": "credibility: N"}``; its rationale, if any, a body ``{"type": "TextualBody",
#   "purpose": "describing", "value": "credibility rationale: ..."}``.
# * A hypothesis is a claim with a body ``{"type": "TextualBody", "purpose": "classifying", "value":
#   "hypothesis"}`` (after its tagging body, so other readers still see the tag ``claim``).
# * An ACH rating is an annotation with motivation ``assessing``, target ``urn:uuid:<evidence id>`` and
#   body ``[{"type": "TextualBody", "purpose": "assessing", "value": "CC|C|N|I|II"}, {"id":
#   "urn:uuid:<hypothesis id>"}]``; its id is a UUID 5 of the two ids, so exports are stable.
# * A document's reliability (A-F) is an annotation with motivation ``assessing`` whose target is the
#   document itself, ``{"id": "urn:sha256:<fingerprint>", "type": "Text", "label": <title>}`` (the source of
#   its passages' targets), and whose body is ``{"type": "TextualBody", "purpose": "assessing", "value":
#   "reliability: B"}``, plus a ``describing`` body ``"reliability rationale: ..."`` when there is one.
#
# On import, grades, flags and ratings are added when the file has none for the same passage, cell or
# document (what is already there is kept, as passages with the same id are); a rating whose evidence or
# hypothesis is not in the file afterwards is skipped and reported.

_CREDIBILITY = re.compile(r"^credibility:\s*([1-6])$")
_RELIABILITY = re.compile(r"^reliability:\s*([A-F])$")
_CREDIBILITY_WHY = "credibility rationale: "
_RELIABILITY_WHY = "reliability rationale: "
HYPOTHESIS = "hypothesis"


@dataclass
class _Assessed:
    """The grades, flags and ratings an import file holds, by the ids it names."""

    credibility: dict[str, tuple[int, str, str, str]] = field(default_factory=dict)
    hypotheses: dict[str, tuple[str, str]] = field(default_factory=dict)
    ratings: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)
    reliability: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)


def _text_bodies(obj: dict[str, Any]) -> list[dict[str, Any]]:
    body = obj.get("body")
    bodies = body if isinstance(body, list) else [body]
    return [b for b in bodies if isinstance(b, dict) and isinstance(b.get("value"), str)]


def _assessed(obj: dict[str, Any], annotation: model.Annotation, selection: scope.Selection) -> dict[str, Any]:
    """Add a passage's credibility and hypothesis bodies to its exported annotation."""
    grade = selection.assessments.credibility.get(annotation.id)
    if grade is not None:
        obj["body"].append(
            {"type": "TextualBody", "purpose": "assessing", "value": f"credibility: {grade.credibility}"}
        )
        if grade.rationale:
            obj["body"].append(
                {"type": "TextualBody", "purpose": "describing", "value": _CREDIBILITY_WHY + grade.rationale}
            )
    if annotation.id in selection.assessments.hypotheses:
        obj["body"].append({"type": "TextualBody", "purpose": "classifying", "value": HYPOTHESIS})
    return obj


def _assessment_objects(selection: scope.Selection, ids: set[str] | None = None) -> Iterator[dict[str, Any]]:
    """The selected documents' reliability grades, then the ratings whose two passages are selected (``ids``:
    the passages exported, when they were streamed)."""
    assessed = selection.assessments
    for doc in selection.documents:
        grade = assessed.reliability.get(doc.fingerprint)
        if grade is None:
            continue
        body: list[dict[str, Any]] = [
            {"type": "TextualBody", "purpose": "assessing", "value": f"reliability: {grade.reliability}"}
        ]
        if grade.rationale:
            body.append({"type": "TextualBody", "purpose": "describing", "value": _RELIABILITY_WHY + grade.rationale})
        obj: dict[str, Any] = {
            "@context": CONTEXT,
            "id": f"urn:uuid:{uuid.uuid5(NAMESPACE, 'reliability' + chr(10) + doc.fingerprint)}",
            "type": "Annotation",
            "motivation": "assessing",
        }
        if grade.author:
            obj["creator"] = _creator(grade.author)
        if _valid_time(grade.modified):
            obj["modified"] = grade.modified
        obj["body"] = body
        obj["target"] = {"id": f"urn:sha256:{doc.fingerprint}", "type": "Text", "label": doc.title}
        yield obj
    if ids is None:
        ids = {a.id for a in selection.annotations}
    for (evidence, hypothesis), rating in sorted(assessed.ratings.items()):
        if evidence not in ids or hypothesis not in ids or hypothesis not in assessed.hypotheses:
            continue
        obj = {
            "@context": CONTEXT,
            "id": f"urn:uuid:{uuid.uuid5(NAMESPACE, 'ach' + chr(10) + evidence + chr(10) + hypothesis)}",
            "type": "Annotation",
            "motivation": "assessing",
        }
        if rating.author:
            obj["creator"] = _creator(rating.author)
        if _valid_time(rating.modified):
            obj["modified"] = rating.modified
        obj["body"] = [
            {"type": "TextualBody", "purpose": "assessing", "value": rating.rating},
            {"id": f"urn:uuid:{hypothesis}"},
        ]
        obj["target"] = f"urn:uuid:{evidence}"
        yield obj


def _read_passage_assessment(
    ctx: _Context, obj: dict[str, Any], item_id: str, tag: str | None, notes: list[str], assessed: _Assessed
) -> str | None:
    """Take a passage's credibility and hypothesis bodies out of its notes; return its tag."""
    author = _author(ctx, obj)
    modified = _time(ctx, obj.get("modified", obj.get("created")), "modified")
    grade: int | None = None
    why = ""
    hypothesis = False
    other_tag: str | None = None
    for body in _text_bodies(obj):
        value = body["value"].strip()
        purposes = _types(body.get("purpose"))
        if "assessing" in purposes and (found := _CREDIBILITY.match(value)):
            grade = int(found.group(1))
        elif "describing" in purposes and value.startswith(_CREDIBILITY_WHY.strip()):
            why = value[len(_CREDIBILITY_WHY) :].strip()
        elif "classifying" in purposes and value.casefold() == HYPOTHESIS:
            hypothesis = True
        else:
            if purposes & _TAGGING and other_tag is None and value:
                other_tag = value
            continue
        if body["value"] in notes:
            notes.remove(body["value"])
    if grade is not None:
        assessed.credibility[item_id] = (grade, why, author, modified)
    if hypothesis:
        assessed.hypotheses[item_id] = (author, modified)
        if tag is not None and tag.casefold() == HYPOTHESIS:
            return other_tag or "claim"
    return tag


def _read_assessing(ctx: _Context, obj: dict[str, Any], item_id: str, assessed: _Assessed) -> bool:
    """Read an ACH rating or a document's reliability; False when ``obj`` is neither (a passage to read)."""
    del item_id
    bodies = _text_bodies(obj)
    target = obj.get("target")
    if isinstance(target, list):
        target = target[0] if target else None
    iri = _iri(target)
    author = _author(ctx, obj)
    modified = _time(ctx, obj.get("modified", obj.get("created")), "modified")
    values = [b["value"].strip() for b in bodies if "assessing" in _types(b.get("purpose"))]
    if iri and _SHA256.match(iri):
        grade = next((found.group(1) for v in values if (found := _RELIABILITY.match(v))), None)
        if grade is None:
            return False
        why = next(
            (
                b["value"].strip()[len(_RELIABILITY_WHY) :].strip()
                for b in bodies
                if b["value"].strip().startswith(_RELIABILITY_WHY.strip())
            ),
            "",
        )
        assessed.reliability[iri[len("urn:sha256:") :].lower()] = (grade, why, author, modified)
        return True
    rating = next((v for v in values if v in model.ACH_RATINGS), None)
    body = obj.get("body")
    others = [
        b
        for b in (body if isinstance(body, list) else [body])
        if isinstance(b, dict | str) and not (isinstance(b, dict) and "value" in b)
    ]
    hypothesis = _iri(others[0]) if others else None
    if (
        rating is None
        or hypothesis is None
        or not iri
        or not isinstance(target, str | dict)
        or (isinstance(target, dict) and "selector" in target)
    ):
        return False
    assessed.ratings.append(
        (normalise_id(iri), normalise_id(hypothesis), rating, author, modified, _text(ctx, obj.get("id", ""), "id"))
    )
    return True


def import_assessments(
    target: store.Store, parsed: Parsed, added: Collection[str] = ()
) -> tuple[int, list[tuple[str, str]]]:
    """Add the imported grades, flags and ratings of passages now in ``target`` (call it inside the import's
    transaction, after the passages); return how many, and what was skipped. ``added`` are the fingerprints
    of the articles the import adds."""
    found = parsed.assessed
    if not (found.credibility or found.hypotheses or found.ratings or found.reliability):
        return 0, []
    now = model.now_utc()
    mentioned = set(found.credibility) | set(found.hypotheses) | {i for r in found.ratings for i in r[:2]}
    present = target.existing_ids(mentioned)
    tags = {i: target.annotation(i).tag for i in present}
    skipped: list[tuple[str, str]] = []
    grades = [
        model.DocumentGrade(fp, g, why, author, modified or now)
        for fp, (g, why, author, modified) in found.reliability.items()
        if target.document(fp, missing_ok=True) is not None or fp in added
    ]
    passages = [
        model.PassageGrade(i, g, why, author, modified or now)
        for i, (g, why, author, modified) in found.credibility.items()
        if i in present
    ]
    flags = [
        model.Hypothesis(i, author, created or now)
        for i, (author, created) in found.hypotheses.items()
        if i in present and tags[i] == "claim"
    ]
    flagged = {h.annotation for h in target.hypotheses()} | {h.annotation for h in flags}
    ratings = []
    for evidence, hypothesis, rating, author, modified, raw_id in found.ratings:
        shown = raw_id or f"{evidence} x {hypothesis}"
        if evidence not in present or hypothesis not in present:
            skipped.append((shown, "it rates a passage that is not in the annotation file"))
        elif tags[evidence] != "evidence" or hypothesis not in flagged:
            skipped.append((shown, "it does not rate an evidence passage against a hypothesis"))
        else:
            ratings.append(model.AchRating(evidence, hypothesis, rating, author, modified or now))
    return target.insert_assessments(grades, passages, flags, ratings), skipped
