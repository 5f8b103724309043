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
result's ``rows``). Each annotation is anchored in its document: at its ``TextPositionSelector`` when
the text there equals the ``TextQuoteSelector``'s ``exact``, else at the occurrence of ``exact`` whose
prefix and suffix match best, nearest the expected position; a position selector alone is taken as
is. The document is the one named on import; else the one whose fingerprint the target's
``urn:sha256:`` source names; else the file's only document. The tag is the first tagging body's value
(matched to the file's tags by name or label, case-insensitively; unknown tags are added); an
annotation without one gets the tag :data:`DEFAULT_TAG` (``imported``). Notes come from the other
textual bodies (and from a body that is a plain string, ``bodyValue`` or Hypothesis ``text``). Ids are
kept (a ``urn:uuid:`` prefix is dropped; any other id becomes a UUID 5 derived from it and is kept as
``origin_id``), so importing the same file twice adds nothing the second time; ``origin_file`` is the
imported file's path. Everything is written in one transaction.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import itertools
import json
import os
import re
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core import anchoring, documents, errors, model, store
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


def annotation_object(annotation: model.Annotation, document: model.Document) -> dict[str, Any]:
    """Return one passage as a W3C ``Annotation`` (a JSON-ready dict).

    Args:
        annotation: the passage.
        document: its document (for the target's source and title).
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
        "source": {"id": f"urn:sha256:{document.fingerprint}", "type": "Text", "label": document.title},
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
    return obj


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


def objects(selection: scope.Selection) -> Iterator[dict[str, Any]]:
    """Yield the W3C annotations of ``selection``: passages in document order, then links."""
    for annotation in selection.annotations:
        yield annotation_object(annotation, selection.document(annotation.document))
    for link in selection.links:
        yield link_object(link)


def collection(selection: scope.Selection) -> dict[str, Any]:
    """Return ``selection`` as one ``AnnotationCollection`` whose single page holds every annotation.

    The collection's id is derived from the annotations' ids, so exporting the same passages twice
    gives the same file.
    """
    items = list(objects(selection))
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


def render(selection: scope.Selection, *, jsonl: bool = False) -> bytes:
    """Return the W3C export of ``selection`` as UTF-8 JSON-LD.

    Args:
        selection: what to export.
        jsonl: one annotation per line (JSON lines) instead of one ``AnnotationCollection``.
    """
    out = io.StringIO()
    write(rows_lib.held(selection), out, jsonl=jsonl)
    return out.getvalue().encode("utf-8", "replace")


def _streamed_objects(rows: rows_lib.Rows) -> Iterator[dict[str, Any]]:
    selection = rows.selection
    for annotation in rows.all():
        yield annotation_object(annotation, selection.document(annotation.document))
    for link in selection.links:
        yield link_object(link)


def write(rows: rows_lib.Rows, out: rows_lib.Sink, *, jsonl: bool = False) -> None:
    """Write the W3C export of ``rows`` (see :func:`render`) to a text stream, one annotation at a time.

    The collection's ids (see :func:`collection`) hash every item's id; a first pass over the ids
    computes them, so the items are never all in memory.
    """
    compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    if jsonl:
        for obj in _streamed_objects(rows):
            out.write(compact(obj) + "\n")
        return
    # uuid.uuid5(NAMESPACE, name) is the SHA-1 of the namespace and the name: hashed as it streams.
    keys = [hashlib.sha1(NAMESPACE.bytes + b"collection\n"), hashlib.sha1(NAMESPACE.bytes + b"page\n")]
    total = 0
    ids = itertools.chain((a.id for a in rows.all()), (k.id for k in rows.selection.links))
    for item_id in ids:
        piece = (b"\n" if total else b"") + f"urn:uuid:{item_id}".encode()
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
    for obj in _streamed_objects(rows):
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
    """The file read, when it was read from disk; kept as the imported annotations' ``origin_file``."""


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
        return json.loads(text)
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
                items.append(json.loads(line))
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
        if "linking" in motivations:
            links.append(_read_link(ctx, obj, raw_id, item_id))
            continue
        tag, notes = _read_bodies(ctx, obj, motivations)
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
    return Parsed(name=name, passages=passages, links=links)


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
        data = p.read_bytes()
    except FileNotFoundError:
        raise errors.ExchangeError(f"{p} does not exist") from None
    except OSError as exc:
        raise errors.ExchangeError(f"{p} cannot be read: {exc.strerror or exc}") from None
    parsed = read(data, str(p))
    parsed.path = str(p.resolve())
    return parsed


# -- import: anchoring and writing -----------------------------------------------------------------


class _Documents:
    """Finds each passage's document: the one named on import, a fingerprint match, or the only one."""

    def __init__(self, target: store.Store, named: model.Document | None) -> None:
        self.named = named
        self.stored = {d.fingerprint: d for d in target.documents()}
        self.only = next(iter(self.stored.values())) if len(self.stored) == 1 else None
        titles: dict[str, list[model.Document]] = {}
        for d in self.stored.values():
            titles.setdefault(d.title, []).append(d)
        self.by_title = {t: ds[0] for t, ds in titles.items() if len(ds) == 1}

    def find(self, passage: _Passage) -> model.Document | None:
        if self.named is not None:
            return self.named
        for source in passage.sources:
            match = _SHA256.match(source)
            if match and match.group(1).lower() in self.stored:
                return self.stored[match.group(1).lower()]
        for title in passage.titles:
            if title in self.by_title:
                return self.by_title[title]
        return self.only


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
    document: documents.LoadedDocument | model.Document | None = None,
) -> ImportReport:
    """Anchor what :func:`read` found and add it to ``target``, in one transaction.

    Args:
        target: the annotation file to import into.
        parsed: the checked import file.
        document: the article the annotations are about (added to the file if new); None to match
            each annotation's ``urn:sha256:`` source, or use the file's only document.

    Returns:
        What was imported, skipped and left unplaced.

    Raises:
        ExchangeError: an annotation's quote or offsets cannot belong to its document; nothing was
            imported.
        StoreError: the annotation file could not be written; nothing was imported.
    """
    named: model.Document | None = None
    new_document = False
    if document is not None:
        named = target.document(document.fingerprint, missing_ok=True)
        if named is None:
            new_document = True
            named = model.Document(
                fingerprint=document.fingerprint,
                title=document.title,
                path=document.path,
                text=document.text,
                kind=document.kind,
            )
    finder = _Documents(target, named)
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
            orphans.append((shown_id, passage.exact or "", f"its document ({source}) is not in the annotation file"))
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
    try:
        with target.db.atomic():
            if new_document and named is not None and annotations:
                target.add_document(named)
            for tag in new_tags.values():
                target.add_tag(tag, label="Imported" if tag == DEFAULT_TAG else None)
            for relation in new_relations:
                target.add_relation(relation)
            if annotations or links:
                target.insert_annotations(annotations, links)
    except sqlite3.Error as exc:
        raise errors.StoreError(f"{target.path}: the import could not be saved ({exc}); nothing was imported") from None
    return ImportReport(
        imported=len(annotations),
        skipped_duplicates=duplicates,
        orphans=orphans,
        links_imported=len(links),
        links_skipped=links_skipped,
        tags_added=list(new_tags.values()),
        document=named.fingerprint if named is not None else None,
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
