"""brat standoff export (``NAME.ann`` + ``NAME.txt``) and import, one document at a time.

Export. ``NAME.txt`` is the document's canonical text in UTF-8; offsets in ``NAME.ann`` count its code
points, as brat does. Each passage is a text-bound annotation ``T<n>\\t<tag> <start> <end>\\t<text>``;
the tag's white space becomes ``_`` (a brat type is one word). brat spans cannot hold a line break or a
tab, so a passage that spans lines is written as fragments ``s1 e1;s2 e2`` split at them (brat's own
convention), the text being the fragments joined by one space. Each link is a relation
``R<n>\\t<relation> Arg1:T<source> Arg2:T<target>``; each note an ``#<n>\\tAnnotatorNotes T<n>\\t<note>``
with its line breaks and tabs shown as spaces. Authors and times have no place in brat.

Import reads ``T`` lines into passages (the type is the tag, matched by name or label, ignoring case;
new types become new tags), ``R`` lines with ``Arg1``/``Arg2`` into links, ``#`` ``AnnotatorNotes``
into notes. A discontinuous span whose gaps are only white space (a passage split at line breaks)
becomes one passage; one with words in its gaps is split into a passage per fragment, and the report
says so. A ``T`` line whose text differs from the document at its offsets is not placed. Events,
attributes, normalisations and equivalences have no place in Warrant and are counted in the report.
Ids are UUID 5s of the document's fingerprint and the ``T`` id, so importing twice adds nothing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from desktop.core import anchoring, documents, errors, model, safeio, store, textutil
from desktop.core.exchange import files, qdpx, scope

MAX_BYTES = 64 * 1024 * 1024
"""Largest ``.ann`` file read."""
_BREAK = re.compile(r"[\t\n\r\u2028\u2029\x0b\x0c\x1c-\x1e\x85]+")
_SPANS = re.compile(r"^\d+ \d+(?:;\d+ \d+)*$")


def brat_type(tag: str) -> str:
    """Return a tag name as a brat type: one word (white space becomes ``_``)."""
    return re.sub(r"\s+", "_", tag.strip()) or "tag"


def _fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` at line breaks and tabs, dropping empty pieces."""
    out: list[tuple[int, int]] = []
    position = start
    for match in _BREAK.finditer(text, start, end):
        if match.start() > position:
            out.append((position, match.start()))
        position = match.end()
    if end > position:
        out.append((position, end))
    return out


def _one_line(text: str) -> str:
    return _BREAK.sub(" ", text)


def render(selection: scope.Selection) -> bytes:
    """Return the ``.ann`` file of the selection's one document.

    Raises:
        ExchangeError: the selection covers more than one document (brat holds one per file).
    """
    doc = _only_document(selection)
    lines: list[str] = []
    numbers: dict[str, int] = {}
    notes: list[tuple[int, str]] = []
    for a in selection.annotations:
        pieces = _fragments(doc.text, a.start, a.end)
        if not pieces:
            continue
        number = len(numbers) + 1
        numbers[a.id] = number
        spans = ";".join(f"{s} {e}" for s, e in pieces)
        text = " ".join(doc.text[s:e] for s, e in pieces)
        lines.append(f"T{number}\t{brat_type(a.tag)} {spans}\t{text}")
        if a.note.strip():
            notes.append((number, _one_line(a.note)))
    for i, k in enumerate((k for k in selection.links if k.source in numbers and k.target in numbers), 1):
        lines.append(f"R{i}\t{brat_type(k.relation)} Arg1:T{numbers[k.source]} Arg2:T{numbers[k.target]}")
    for i, (number, note) in enumerate(notes, 1):
        lines.append(f"#{i}\tAnnotatorNotes T{number}\t{note}")
    return ("".join(line + "\n" for line in lines)).encode("utf-8", "surrogatepass")


def _only_document(selection: scope.Selection) -> model.Document:
    if len(selection.documents) != 1:
        count = len(selection.documents)
        raise errors.ExchangeError(
            f"a brat file holds one document and this export has {count}; choose one with --document"
            if count
            else "there is no document to export"
        )
    return selection.documents[0]


def text_path(ann_path: str | os.PathLike[str]) -> Path:
    """Return the ``.txt`` that goes with an ``.ann`` (same name, ``.txt`` suffix)."""
    return Path(ann_path).with_suffix(".txt")


def write(selection: scope.Selection, ann_path: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Write ``NAME.ann`` and ``NAME.txt`` (each atomically); return their paths.

    Raises:
        ExchangeError: more than one document, or a file cannot be written.
    """

    doc = _only_document(selection)
    ann = Path(ann_path)
    if ann.suffix.lower() != ".ann":
        ann = ann.with_suffix(".ann")
    data = render(selection)
    txt = text_path(ann)
    files.write_atomic(txt, doc.text.encode("utf-8", "surrogatepass"))
    files.write_atomic(ann, data)
    return ann, txt


# -- import ------------------------------------------------------------------------------------


def _parse_spans(value: str) -> list[tuple[int, int]] | None:
    if not _SPANS.match(value):
        return None
    spans = []
    for piece in value.split(";"):
        s, e = piece.split(" ")
        spans.append((int(s), int(e)))
    return spans


def read(
    data: bytes,
    document: documents.LoadedDocument | model.Document,
    target: store.Store,
    *,
    raw_text: str | None = None,
    name: str = "the .ann file",
    author: str = "",
) -> qdpx.QdaImport:
    """Read an ``.ann`` file against its document and work out what importing it adds; nothing is written.

    Args:
        data: the ``.ann`` bytes (UTF-8).
        document: the document its offsets count into.
        target: the annotation file it goes into (for its tags).
        raw_text: the ``.txt`` as decoded, before line breaks were unified (offsets count its ``\\r``).
        name: the file's name, for messages.
        author: the author given to the passages (brat records none).

    Raises:
        ExchangeError: not UTF-8, or a malformed line (the message names it).
    """
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise errors.ExchangeError(f"{name} is not UTF-8 text (byte {exc.start}); nothing was imported") from None
    text = document.text
    readings = qdpx.Readings(text) if raw_text is not None and raw_text != text else None
    doc = model.Document(document.fingerprint, document.title, document.path, text, document.kind)
    found = qdpx.QdaImport(name=name, documents=[doc])
    tags = {qdpx.tag_key(t.name): t for t in target.tags()}
    for t in target.tags():
        tags.setdefault(qdpx.tag_key(t.label), t)
    ids: dict[str, list[str]] = {}
    index: dict[str, int] = {}
    now = model.now_utc()
    other: dict[str, int] = {}
    relations: list[tuple[str, str, str, str]] = []
    notes: list[tuple[str, str]] = []
    split = 0
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        ident = parts[0]
        kind = ident[:1]
        if kind == "T":
            if len(parts) < 2 or " " not in parts[1]:
                raise errors.ExchangeError(
                    f"{name}, line {number}: a T line needs a type and offsets; nothing was imported"
                )
            typ, span_text = parts[1].split(" ", 1)
            spans = _parse_spans(span_text.strip())
            if spans is None or any(s > e for s, e in spans):
                raise errors.ExchangeError(
                    f"{name}, line {number}: {span_text!r} are not brat offsets; nothing was imported"
                )
            quoted = "\t".join(parts[2:])
            if readings is not None:
                mapped = [(readings.from_line_breaks_as_two(s), readings.from_line_breaks_as_two(e)) for s, e in spans]
                spans = [
                    (s2, e2) if s2 is not None and e2 is not None else (s, e)
                    for (s, e), (s2, e2) in zip(spans, mapped, strict=True)
                ]
            if any(e > len(text) for _, e in spans):
                found.unplaced.append((ident, quoted, f"its offsets lie outside {document.title}"))
                continue
            if " ".join(text[s:e] for s, e in spans) != quoted and _one_line(
                " ".join(text[s:e] for s, e in spans)
            ) != _one_line(quoted):
                found.unplaced.append((ident, quoted, f"{document.title} has other text at {span_text}"))
                continue
            if len(spans) > 1 and any(text[e:s2].strip() for (_, e), (s2, _) in zip(spans, spans[1:], strict=False)):
                pieces = spans
                split += 1
            else:
                pieces = [(spans[0][0], spans[-1][1])]
            tag = tags.get(qdpx.tag_key(typ))
            if tag is None:
                tag = model.Tag(qdpx.short_name(typ, [t.name for t in tags.values()]), typ, "", "", len(tags))
                tags[qdpx.tag_key(typ)] = tag
                found.tags.append(tag)
            ids[ident] = []
            for i, (s, e) in enumerate(pieces):
                if s == e:
                    continue
                sel = anchoring.select(text, s, e)
                key = f"{document.fingerprint}:{ident}" + (f":{i}" if i else "")
                annotation_id = qdpx.derived_guid("brat", key)
                ids[ident].append(annotation_id)
                index[annotation_id] = len(found.annotations)
                found.annotations.append(
                    model.Annotation(
                        id=annotation_id, document=doc.fingerprint, tag=tag.name, start=s, end=e, quote=sel.exact,
                        prefix=sel.prefix, suffix=sel.suffix, author=author, created=now, modified=now,
                        origin_id=ident, origin_file=name,
                    )
                )  # fmt: skip
        elif kind == "R":
            fields = parts[1].split() if len(parts) > 1 else []
            args = dict(f.split(":", 1) for f in fields[1:] if ":" in f)
            if not fields or "Arg1" not in args or "Arg2" not in args:
                other["relations without Arg1 and Arg2"] = other.get("relations without Arg1 and Arg2", 0) + 1
                continue
            relations.append((ident, fields[0], args["Arg1"], args["Arg2"]))
        elif kind == "#":
            fields = parts[1].split() if len(parts) > 1 else []
            if len(fields) >= 2 and fields[0] == "AnnotatorNotes":
                notes.append((fields[1], "\t".join(parts[2:])))
            else:
                other["comments"] = other.get("comments", 0) + 1
        else:
            label = {"E": "events", "A": "attributes", "M": "attributes", "N": "normalisations", "*": "equivalences"}
            what = label.get(kind, f"lines of unknown kind {kind!r}")
            other[what] = other.get(what, 0) + 1
    for target_id, note in notes:
        if ids.get(target_id):
            i = index[ids[target_id][0]]
            a = found.annotations[i]
            found.annotations[i] = a.replace(note=(a.note + "\n\n" + note).strip())
        else:
            other["notes on things other than text"] = other.get("notes on things other than text", 0) + 1
    for ident, typ, source, target_end in relations:
        if ids.get(source) and ids.get(target_end):
            found.links.append(
                model.Link(
                    qdpx.derived_guid("brat", f"{document.fingerprint}:{ident}"),
                    ids[source][0],
                    ids[target_end][0],
                    qdpx.short_name(typ),
                    author,
                    now,
                )
            )
        else:
            other["relations between things other than text"] = (
                other.get("relations between things other than text", 0) + 1
            )
    if split:
        found.notes.append(
            f"{split} discontinuous spans with words in their gaps were split into a passage per fragment"
        )
    if readings is not None:
        found.notes.append("the .txt has CR LF line breaks: offsets were read counting each as two characters")
    for what, n in sorted(other.items()):
        found.notes.append(f"{n} {what} not imported (Warrant has no place for them)")
    return found


def read_file(
    target: store.Store,
    ann_path: str | os.PathLike[str],
    document: str | os.PathLike[str] | None = None,
    *,
    author: str | None = None,
    shown: model.Document | None = None,
) -> qdpx.QdaImport:
    """Read a brat ``.ann`` and its text into what an import adds (nothing is written).

    Args:
        target: the annotation file (its tags and documents).
        ann_path: the ``.ann`` file (read bounded: never a FIFO or device).
        document: its text (default: the ``.txt`` beside it).
        author: the passages' author (default: the file's annotator).
        shown: the document the offsets count in when no text is given and none lies beside the ``.ann``
            (the window's shown document).

    Raises:
        ExchangeError: the text is missing; UnsafePathError: the file is missing, too large or not a file.
    """
    ann = Path(ann_path)
    data = safeio.read_bounded(ann, MAX_BYTES)
    txt = Path(document) if document is not None else text_path(ann)
    raw: str | None = None
    text_of: documents.LoadedDocument | model.Document
    if txt.exists():
        text_of = documents.load(txt)
        if txt.suffix.lower() in (".txt", ".text"):
            raw = documents.decode(safeio.read_bounded(txt, documents.MAX_BYTES), str(txt))
        where = f"document: {textutil.one_line(text_of.title)} ({txt.name})"
    elif shown is not None and document is None:
        text_of = shown
        where = f"{txt.name} is not beside it: its offsets were counted in the shown document, {shown.title}"
    else:
        raise errors.ExchangeError(f"{errors.shown(txt)} does not exist: give the annotated text with --document")
    who = author if author is not None else target.annotator
    found = read(data, text_of, target, raw_text=raw, name=str(ann), author=who)
    found.notes.insert(0, textutil.one_line(where))
    return found


def import_file(
    target: store.Store,
    ann_path: str | os.PathLike[str],
    document: str | os.PathLike[str] | None = None,
    *,
    author: str | None = None,
) -> qdpx.ImportReport:
    """Import a brat ``.ann`` into ``target`` (:func:`read_file`, then one transaction); all or nothing.

    Raises:
        ExchangeError: the file is missing, too large or malformed; nothing was imported.
        DocumentError: the text cannot be read.
        StoreError: the annotation file could not be written.
    """
    return qdpx.save(target, read_file(target, ann_path, document, author=author))
