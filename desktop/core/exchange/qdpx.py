"""REFI-QDA projects (``.qdpx``): export for NVivo, MAXQDA, ATLAS.ti, QualCoder ..., and a tolerant import.

Export. A ``.qdpx`` is a zip of ``project.qde`` (XML in the ``urn:QDA-XML:project:1.0`` namespace, valid
against the REFI-QDA Project schema of March 2019) and ``sources/<guid>.txt``, each document's canonical
text in UTF-8, so that the selections' offsets line up. The mapping:

* each author becomes a ``User`` (its GUID a UUID 5 of the name);
* each tag a ``Code``: ``name`` = the tag's name, ``color``, ``Description`` = the tag's label, then its description;
* each document a ``TextSource`` whose GUID is the UUID 5 of ``urn:sha256:<fingerprint>`` (URL namespace);
* each passage a ``PlainTextSelection`` (GUID = the passage's id): ``startPosition``/``endPosition`` in
  0-based code points, end exclusive, ``name`` = the quote, ``creatingUser``/``creationDateTime`` and
  ``modifyingUser``/``modifiedDateTime`` = author and times, one ``Coding``/``CodeRef`` to its tag;
* a passage's note becomes a ``Note`` (its text in ``PlainTextContent``) with a ``NoteRef`` from the selection;
* each link a ``Link`` from the source passage to the target (``name`` = the relation, ``OneWay``); the
  link's author and time, which the schema's ``Link`` cannot hold, go in a short ``Note`` it refers to;
* each document's argument map a ``Graph``: a vertex per linked passage, an edge per link.

Import reads ``.qdpx`` zips, bare ``.qde`` files (with a ``sources/`` folder beside them) and folders
holding one. Real files differ, so it is tolerant: any ``*.qde`` name, ``Sources/`` or ``sources/``,
upper-case or braced GUIDs, sources only as rich text (loaded with :mod:`desktop.core.documents`),
nested codes (flattened to ``"Parent / Child"`` tag names), several codings on one selection (one
Warrant passage per coding, at the same place). Offsets are read as code points, else UTF-16 code units
(NVivo), else with each line break counted as two characters (ATLAS.ti, MAXQDA), else both; the first
reading whose text reproduces the selection's ``name`` is kept (names cut short with an ellipsis
count). A selection with no name is read the way most named selections of its source were. Several
users: one Warrant file, each passage keeping its coder as author. Picture, audio, video and PDF-region
selections, variables, cases, sets and graphs are not imported; the report counts them.

Every file is untrusted: zip entries are read with a cap on their size (zip bombs), nothing is ever
extracted under a name the file chose, paths that leave the project are refused, XML is parsed by lxml
without entities, DTDs or network, and a DOCTYPE is refused outright.
"""

from __future__ import annotations

import collections
import datetime
import io
import os
import re
import tempfile
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from desktop import __version__
from desktop.core import anchoring, assessment, documents, errors, model, operations, store, textutil
from desktop.core.exchange import scope

NS = "urn:QDA-XML:project:1.0"
NAMESPACE = uuid.UUID("3b0c7d5e-4f1a-5e2b-8c9d-0a1b2c3d4e5f")
"""The namespace of the UUID 5s Warrant derives (users, codes, codings, notes, graphs)."""
DEFAULT_TAG = "uncoded"
"""The tag given to an imported selection that has no coding."""
DEFAULT_RELATION = "related"
"""The relation given to an imported link that has no name."""

MAX_MEMBER_BYTES = 256 * 1024 * 1024
"""Most bytes one zip entry may inflate to."""
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
"""Most bytes all the entries read from one project may inflate to."""
MAX_MEMBERS = 100_000
MAX_RATIO = 200
"""Largest compression ratio accepted for an entry over 1 MB (text compresses 3-10 times)."""
MAX_NAME = 64
"""Longest tag or relation name Warrant stores."""

_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
_DATETIME = re.compile(r"^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_XML_BAD = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ELLIPSES = ("\u2026", "...")
MIN_PREFIX = 20
"""Shortest name taken as the start of its quote when a tool cut it without an ellipsis."""


# -- small helpers shared with the codebook and brat modules ---------------------------------------


def xml_safe(text: str) -> str:
    """Return ``text`` with the characters XML 1.0 cannot hold replaced by U+FFFD."""
    return _XML_BAD.sub("\ufffd", text)


def derived_guid(kind: str, key: str) -> str:
    """Return the UUID 5 Warrant gives a ``kind`` of thing (user, code, note ...) named ``key``."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def document_guid(fingerprint: str) -> str:
    """Return a document's GUID: the UUID 5 of ``urn:sha256:<fingerprint>`` in the URL namespace."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:sha256:{fingerprint}"))


def as_guid(value: str) -> str:
    """Return ``value`` if it is a UUID (lower case), else a UUID 5 derived from it."""
    match = _GUID.match(value)
    return match.group(1).lower() if match else derived_guid("id", value)


def normal_guid(value: str | None) -> str | None:
    """Return a GUID as Warrant writes it (lower case, no braces), or None if ``value`` is not one."""
    if value is None:
        return None
    match = _GUID.match(value.strip())
    return match.group(1).lower() if match else None


def code_description(tag: model.Tag) -> str:
    """A code's ``Description`` as Warrant writes it: the tag's label on the first line, its description after."""
    return f"{tag.label}\n{tag.description}" if tag.description else tag.label


def split_description(text: str) -> tuple[str, str]:
    """(label, description) of a ``Description`` Warrant wrote (see :func:`code_description`)."""
    label, _, rest = text.strip().partition("\n")
    return label.strip(), rest.strip()


def tag_key(name: str) -> str:
    """Return how tag and relation names are matched: case-folded, spaces collapsed."""
    return " ".join(name.split()).casefold()


def short_name(name: str, taken: Iterable[str] = ()) -> str:
    """Fit a code or relation name into :data:`MAX_NAME` characters, unique among ``taken`` (case-folded)."""
    name = textutil.one_line(name) or "unnamed"
    if len(name) > MAX_NAME:
        name = "\u2026" + name[-(MAX_NAME - 1) :].lstrip()
    used = {tag_key(t) for t in taken}
    base, n = name, 2
    while tag_key(name) in used:
        suffix = f" ({n})"
        name = base[: MAX_NAME - len(suffix)] + suffix
        n += 1
    return name


def valid_colour(value: str | None) -> str | None:
    """Return ``#rrggbb`` (lower case) for an RGB colour written ``#rgb`` or ``#rrggbb``, else None."""
    if not value or not _COLOUR.match(value.strip()):
        return None
    digits = value.strip()[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits.lower()


def _datetime(value: str) -> str | None:
    return value if value and _DATETIME.match(value) else None


# -- export ------------------------------------------------------------------------------------


def _e(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _set(element: Any, name: str, value: str | None) -> None:
    if value:
        element.set(name, value)


def _stamp(selection: scope.Selection) -> str:
    """The project's time: the newest edit it holds, so that exporting the same passages twice gives the same file."""
    times = [a.modified or a.created for a in selection.annotations] + [k.created for k in selection.links]
    times += [d.added for d in selection.documents]
    times = [t for t in times if t]
    return max(times) if times else model.now_utc()


def _zip_time(stamp: str) -> tuple[int, int, int, int, int, int]:
    """A zip member's date and time from an ISO stamp (zip cannot hold a time before 1980)."""
    try:
        when = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return (1980, 1, 1, 0, 0, 0)
    if when.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (when.year, when.month, when.day, when.hour, when.minute, when.second)


def _project(selection: scope.Selection, *, generated: str | None = None) -> Any:
    """Build the ``Project`` element tree for ``selection``."""
    stamp = generated or _stamp(selection)
    annotations = selection.annotations
    links = selection.links
    authors = list(dict.fromkeys([a.author for a in annotations] + [k.author for k in links]))
    user_guid = {name: derived_guid("user", name) for name in authors if name}
    tags = list(selection.tags)
    known = {t.name for t in tags}
    for name in dict.fromkeys(a.tag for a in annotations):
        if name not in known:
            tags.append(model.Tag(name, name, "", "", len(tags)))
            known.add(name)
    code_guid = {t.name: derived_guid("code", t.name) for t in tags}
    title = Path(selection.source).stem if selection.source else "Warrant"

    root = etree.Element(_e("Project"), nsmap={None: NS})
    root.set("name", xml_safe(title) or "Warrant")
    root.set("origin", f"Warrant {__version__}")
    root.set("creationDateTime", stamp)
    if user_guid:
        first = next(iter(user_guid.values()))
        root.set("creatingUserGUID", first)
        users = etree.SubElement(root, _e("Users"))
        for name, guid in user_guid.items():
            etree.SubElement(users, _e("User"), guid=guid, name=xml_safe(name))
    assessed_codes: dict[str, list[str]] = {}
    if tags:
        codes = etree.SubElement(etree.SubElement(root, _e("CodeBook")), _e("Codes"))
        for tag in tags:
            code = etree.SubElement(codes, _e("Code"), guid=code_guid[tag.name], name=xml_safe(tag.name))
            code.set("isCodable", "true")
            _set(code, "color", valid_colour(tag.colour))
            if tag.label or tag.description:
                etree.SubElement(code, _e("Description")).text = xml_safe(code_description(tag))
        assessed_codes = _assessment_codes(codes, selection)

    notes: list[tuple[str, str, str, str, str]] = []  # guid, name, author, time, text
    by_document: dict[str, list[model.Annotation]] = collections.defaultdict(list)
    for a in annotations:
        by_document[a.document].append(a)
    if selection.documents:
        sources = etree.SubElement(root, _e("Sources"))
        for doc in selection.documents:
            guid = document_guid(doc.fingerprint)
            source = etree.SubElement(sources, _e("TextSource"), guid=guid, name=xml_safe(doc.title) or "Untitled")
            source.set("plainTextPath", f"internal://{guid}.txt")
            _set(source, "creationDateTime", _datetime(doc.added))
            for a in by_document.get(doc.fingerprint, ()):
                sel = etree.SubElement(source, _e("PlainTextSelection"), guid=as_guid(a.id), name=xml_safe(a.quote))
                sel.set("startPosition", str(a.start))
                sel.set("endPosition", str(a.end))
                author = user_guid.get(a.author)
                _set(sel, "creatingUser", author)
                _set(sel, "creationDateTime", _datetime(a.created))
                _set(sel, "modifyingUser", author)
                _set(sel, "modifiedDateTime", _datetime(a.modified))
                coding = etree.SubElement(sel, _e("Coding"), guid=derived_guid("coding", a.id))
                _set(coding, "creatingUser", author)
                _set(coding, "creationDateTime", _datetime(a.created))
                etree.SubElement(coding, _e("CodeRef"), targetGUID=code_guid[a.tag])
                for code_id in assessed_codes.get(a.id, ()):  # issue 17: its grade, flag and ratings
                    extra = etree.SubElement(sel, _e("Coding"), guid=derived_guid("coding", f"{a.id}:{code_id}"))
                    etree.SubElement(extra, _e("CodeRef"), targetGUID=code_id)
                if a.note:
                    note_guid = derived_guid("note", a.id)
                    notes.append((note_guid, "Note: " + textutil.shorten(a.quote, 60), a.author, a.modified, a.note))
                    etree.SubElement(sel, _e("NoteRef"), targetGUID=note_guid)
    for key, text in assessment.qdpx_notes(selection.assessments):  # issue 17: rationales, as project notes
        if key in by_document or any(a.id == key for a in annotations):
            notes_name = "Assessment: " + textutil.shorten(text, 60)
            notes.append((derived_guid("assessment-note", key), notes_name, "", "", text))
    link_notes = [
        (derived_guid("link-note", k.id), f"Link: {k.relation}", k.author, k.created, f"{k.relation} (link)")
        for k in links
    ]
    if notes or link_notes:
        holder = etree.SubElement(root, _e("Notes"))
        for guid, name, author, time, text in notes + link_notes:
            note = etree.SubElement(holder, _e("Note"), guid=guid, name=xml_safe(name))
            _set(note, "creatingUser", user_guid.get(author))
            _set(note, "creationDateTime", _datetime(time))
            etree.SubElement(note, _e("PlainTextContent")).text = xml_safe(text)
    if links:
        holder = etree.SubElement(root, _e("Links"))
        for k in links:
            link = etree.SubElement(holder, _e("Link"), guid=as_guid(k.id), name=xml_safe(k.relation))
            link.set("direction", "OneWay")
            link.set("originGUID", as_guid(k.source))
            link.set("targetGUID", as_guid(k.target))
            etree.SubElement(link, _e("NoteRef"), targetGUID=derived_guid("link-note", k.id))
        _graphs(root, selection, code_guid)
    return root


ASSESSMENT_CODE = "Warrant assessment"
"""The parent of the codes that carry the grades, hypothesis flags and ACH ratings (issue 17): not codable
itself; ``Credibility/2`` becomes its child ``Credibility`` and grandchild ``2``. Warrant's own import
leaves these codings out (the passages are not tagged with them)."""


def _assessment_codes(codes: Any, selection: scope.Selection) -> dict[str, list[str]]:
    """Add the assessment codes of ``selection``'s passages under :data:`ASSESSMENT_CODE`; return each
    passage's code GUIDs."""
    wanted = {a.id for a in selection.annotations}
    found = {
        name: [i for i in ids if i in wanted] for name, ids in assessment.qdpx_codes(selection.assessments).items()
    }
    found = {name: ids for name, ids in found.items() if ids}
    if not found:
        return {}
    parent = etree.SubElement(codes, _e("Code"), guid=derived_guid("code", ASSESSMENT_CODE), name=ASSESSMENT_CODE)
    parent.set("isCodable", "false")
    made: dict[str, Any] = {"": parent}
    per_passage: dict[str, list[str]] = collections.defaultdict(list)
    for name in sorted(found):
        path = ""
        for part in name.split("/"):
            above, path = made[path], f"{path}/{part}" if path else part
            if path not in made:
                made[path] = etree.SubElement(
                    above, _e("Code"), guid=derived_guid("code", f"{ASSESSMENT_CODE}/{path}"), name=xml_safe(part)
                )
                made[path].set("isCodable", "false")
        made[path].set("isCodable", "true")
        for annotation_id in found[name]:
            per_passage[annotation_id].append(made[path].get("guid"))
    return per_passage


def _graphs(root: Any, selection: scope.Selection, code_guid: dict[str, str]) -> None:
    """Add one ``Graph`` per document: the argument map (linked passages and their links)."""
    colours = {t.name: valid_colour(t.colour) for t in selection.tags}
    by_id = {a.id: a for a in selection.annotations}
    graphs = etree.SubElement(root, _e("Graphs"))
    for doc in selection.documents:
        links = [k for k in selection.links if by_id[k.source].document == doc.fingerprint]
        if not links:
            continue
        graph = etree.SubElement(graphs, _e("Graph"), guid=derived_guid("graph", doc.fingerprint))
        graph.set("name", xml_safe("Argument map: " + doc.title))
        ends = list(dict.fromkeys(end for k in links for end in (k.target, k.source)))
        rows: dict[str, int] = collections.defaultdict(int)
        columns = {name: i for i, name in enumerate(code_guid)}
        for annotation_id in ends:
            a = by_id[annotation_id]
            column, row = columns.get(a.tag, 0), rows[a.tag]
            rows[a.tag] += 1
            vertex = etree.SubElement(graph, _e("Vertex"), guid=derived_guid("vertex", a.id))
            vertex.set("representedGUID", as_guid(a.id))
            vertex.set("name", xml_safe(textutil.shorten(a.quote, 60)))
            vertex.set("firstX", str(40 + 320 * column))
            vertex.set("firstY", str(40 + 120 * row))
            vertex.set("secondX", str(40 + 320 * column + 280))
            vertex.set("secondY", str(40 + 120 * row + 80))
            vertex.set("shape", "RoundedRectangle")
            _set(vertex, "color", colours.get(a.tag))
        for k in links:
            edge = etree.SubElement(graph, _e("Edge"), guid=derived_guid("edge", k.id))
            edge.set("representedGUID", as_guid(k.id))
            edge.set("name", xml_safe(k.relation))
            edge.set("sourceVertex", derived_guid("vertex", k.source))
            edge.set("targetVertex", derived_guid("vertex", k.target))
            edge.set("direction", "OneWay")
    if not len(graphs):
        root.remove(graphs)


def project_xml(selection: scope.Selection, *, generated: str | None = None) -> bytes:
    """Return the ``project.qde`` of ``selection`` (UTF-8 XML)."""
    return bytes(etree.tostring(_project(selection, generated=generated), xml_declaration=True, encoding="utf-8"))


def write(selection: scope.Selection, out: io.BufferedIOBase | Any, *, generated: str | None = None) -> None:
    """Write the ``.qdpx`` zip of ``selection`` to a binary stream."""
    stamp = _zip_time(generated or _stamp(selection))

    def member(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        z.writestr(member("project.qde"), project_xml(selection, generated=generated))
        for doc in selection.documents:
            z.writestr(
                member(f"sources/{document_guid(doc.fingerprint)}.txt"), doc.text.encode("utf-8", "surrogatepass")
            )


def render(selection: scope.Selection, *, generated: str | None = None) -> bytes:
    """Return the ``.qdpx`` file of ``selection``.

    Args:
        selection: what to export (:func:`desktop.core.exchange.scope.select`).
        generated: the project's creation time (default now).

    Returns:
        The zip's bytes: ``project.qde`` and ``sources/<guid>.txt`` per document.
    """
    out = io.BytesIO()
    write(selection, out, generated=generated)
    return out.getvalue()


# -- reading untrusted projects --------------------------------------------------------------------


def parse_xml(data: bytes, name: str) -> Any:
    """Parse untrusted XML: no entities, no DTD, no network, no huge trees; a DOCTYPE is refused.

    Raises:
        ExchangeError: the bytes are not well-formed XML or declare a DOCTYPE.
    """
    head = data[:4096].upper()
    if any(
        mark.encode(codec) in head
        for mark in ("<!DOCTYPE", "<!ENTITY")
        for codec in ("utf-8", "utf-16-le", "utf-16-be")
    ):
        raise errors.ExchangeError(f"{name} declares a DOCTYPE, which a REFI-QDA file never needs; refused")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise errors.ExchangeError(f"{name} is not well-formed XML ({exc}); nothing was imported") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise errors.ExchangeError(f"{name} declares a DOCTYPE, which a REFI-QDA file never needs; refused")
    for element in root.iter():
        if isinstance(element.tag, str):  # comments and processing instructions have no name
            element.tag = etree.QName(element).localname
    return root


class Archive:
    """The files of a project: entries of a zip (read with caps), or files under a folder."""

    def __init__(self, name: str, *, zip_file: zipfile.ZipFile | None = None, folder: Path | None = None) -> None:
        """Wrap an open zip or a folder; use :func:`open_project`."""
        self.name = name
        self._zip = zip_file
        self._folder = folder
        self._read_total = 0
        self.unsafe: list[str] = []
        self._entries: dict[str, str] = {}
        if zip_file is not None:
            infos = zip_file.infolist()
            if len(infos) > MAX_MEMBERS:
                raise errors.ExchangeError(f"{name} holds {len(infos):,} entries; refused as a zip bomb")
            for info in infos:
                entry = info.filename
                if info.is_dir():
                    continue
                if _unsafe(entry):
                    self.unsafe.append(entry)
                    continue
                self._entries.setdefault(entry.replace("\\", "/").casefold(), entry)
        elif folder is not None:  # the .qde's folder and its sources/ folder only, never deeper
            for path in folder.iterdir():
                if path.is_dir() and path.name.casefold() == "sources" and not path.is_symlink():
                    children = [c for c in path.iterdir() if c.is_file() and not c.is_symlink()][:MAX_MEMBERS]
                    for child in children:
                        rel = f"{path.name}/{child.name}"
                        self._entries.setdefault(rel.casefold(), rel)
                elif path.is_file() and not path.is_symlink() and path.suffix.lower() == ".qde":
                    self._entries.setdefault(path.name.casefold(), path.name)

    def names(self) -> list[str]:
        """Return every entry's name."""
        return list(self._entries.values())

    def find(self, name: str) -> str | None:
        """Return the entry called ``name``, ignoring case, or None."""
        return self._entries.get(name.replace("\\", "/").casefold())

    def read(self, entry: str) -> bytes:
        """Read one entry, refusing more than :data:`MAX_MEMBER_BYTES` (and a project's total over the cap).

        Raises:
            ExchangeError: the entry inflates past a cap or cannot be read.
        """
        if self._zip is not None:
            info = self._zip.getinfo(entry)
            if info.file_size > MAX_MEMBER_BYTES or (
                info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1)
            ):
                raise errors.ExchangeError(f"{self.name}: {entry} inflates to {info.file_size:,} bytes; refused")
            chunks: list[bytes] = []
            size = 0
            try:
                with self._zip.open(info) as f:
                    while chunk := f.read(1024 * 1024):
                        size += len(chunk)
                        if size > MAX_MEMBER_BYTES or self._read_total + size > MAX_TOTAL_BYTES:
                            raise errors.ExchangeError(f"{self.name}: {entry} inflates past the size cap; refused")
                        chunks.append(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
                raise errors.ExchangeError(f"{self.name}: {entry} cannot be read ({exc})") from None
            self._read_total += size
            return b"".join(chunks)
        assert self._folder is not None
        path = (self._folder / entry).resolve()
        if not path.is_relative_to(self._folder.resolve()):
            raise errors.ExchangeError(f"{self.name}: {entry} lies outside the project folder; refused")
        if path.stat().st_size > MAX_MEMBER_BYTES:
            raise errors.ExchangeError(f"{self.name}: {entry} is larger than {MAX_MEMBER_BYTES:,} bytes; refused")
        return path.read_bytes()


def _unsafe(entry: str) -> bool:
    parts = entry.replace("\\", "/").split("/")
    return entry.startswith(("/", "\\")) or ".." in parts or (len(entry) > 1 and entry[1] == ":")


def open_project(path: str | os.PathLike[str]) -> tuple[Archive, bytes, str]:
    """Open a project file: return its files, the ``.qde``'s bytes and the ``.qde``'s entry name.

    Args:
        path: a ``.qdpx`` zip, a ``.qde`` file (its ``sources/`` folder beside it), or a folder with one.

    Raises:
        ExchangeError: missing, not a project, or a zip bomb.
    """
    p = Path(path)
    if not p.exists():
        raise errors.ExchangeError(f"{p} does not exist")
    if p.is_dir():
        found = sorted(x for x in p.iterdir() if x.suffix.lower() == ".qde" and x.is_file())
        if not found:
            raise errors.ExchangeError(f"{p} is a folder without a .qde project file")
        archive = Archive(str(p), folder=p)
        return archive, archive.read(found[0].name), found[0].name
    try:
        is_zip = zipfile.is_zipfile(p)
    except OSError as exc:
        raise errors.ExchangeError(f"{p} cannot be read: {exc.strerror or exc}") from None
    if not is_zip:
        if p.suffix.lower() == ".qdpx":
            raise errors.ExchangeError(
                f"{p} is not a zip file, so not a REFI-QDA project (.qdpx); nothing was imported"
            )
        if p.stat().st_size > MAX_MEMBER_BYTES:
            raise errors.ExchangeError(f"{p} is larger than {MAX_MEMBER_BYTES:,} bytes; refused")
        return Archive(str(p), folder=p.parent), p.read_bytes(), p.name
    try:
        z = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError) as exc:
        raise errors.ExchangeError(f"{p} is not a readable zip ({exc}); nothing was imported") from None
    archive = Archive(str(p), zip_file=z)
    qdes = [n for n in archive.names() if n.lower().endswith(".qde")]
    top = [n for n in qdes if "/" not in n] or qdes
    if not top:
        raise errors.ExchangeError(f"{p} holds no .qde project file; it is not a REFI-QDA project")
    preferred = [n for n in top if n.lower() == "project.qde"] or sorted(top)
    return archive, archive.read(preferred[0]), preferred[0]


# -- offsets -----------------------------------------------------------------------------------


class Readings:
    """The ways a vendor may have counted offsets into one text, each mapped to code points of it."""

    ORDER = ("code points", "UTF-16 code units", "line breaks as two", "UTF-16 code units, line breaks as two")

    def __init__(self, text: str) -> None:
        """Index ``text`` (canonical: ``\\n`` line breaks) for the four readings."""
        self.text = text
        self._u16 = anchoring.Utf16Map(text)
        self._newlines = [i for i, c in enumerate(text) if c == "\n"] if "\n" in text else []
        self._astral = self._u16.length_u16 != len(text)

    def _from_crlf(self, p: int, newlines: list[int]) -> int | None:
        """Map an offset that counts each line break as two characters; None if it falls inside one."""
        # expanded(i) = i + (newlines before i); find i with expanded(i) == p
        lo, hi = 0, len(newlines)
        while lo < hi:
            mid = (lo + hi) // 2
            if newlines[mid] + mid + 1 < p:  # the break at newlines[mid] ends (expanded) before p
                lo = mid + 1
            else:
                hi = mid
        i = p - lo
        if lo < len(newlines) and newlines[lo] + lo + 1 == p:
            return None  # between the CR and the LF
        return i

    def from_line_breaks_as_two(self, offset: int) -> int | None:
        """Map an offset that counts each line break as two characters (CR LF) to a code point of the text."""
        return self._from_crlf(offset, self._newlines) if self._newlines else offset

    def candidates(self, start: int, end: int) -> list[tuple[str, int, int]]:
        """Return each distinct reading of ``start``-``end`` that lies inside the text, in :data:`ORDER`."""
        out: list[tuple[str, int, int]] = []
        n = len(self.text)
        seen: set[tuple[int, int]] = set()

        def add(label: str, s: int | None, e: int | None) -> None:
            if s is not None and e is not None and 0 <= s <= e <= n and (s, e) not in seen:
                seen.add((s, e))
                out.append((label, s, e))

        add(self.ORDER[0], start, end)
        if self._astral:
            add(self.ORDER[1], self._u16.to_code_points(start), self._u16.to_code_points(end))
        if self._newlines:
            add(self.ORDER[2], self._from_crlf(start, self._newlines), self._from_crlf(end, self._newlines))
            if self._astral:
                s, e = self._from_crlf(start, self._newlines), self._from_crlf(end, self._newlines)
                if s is not None and e is not None and e <= self._u16.length_u16:
                    add(self.ORDER[3], self._u16.to_code_points(s), self._u16.to_code_points(e))
        return out


def _flat(text: str) -> str:
    return " ".join(xml_safe(text).split())


def name_matches(quote: str, name: str) -> bool:
    """Whether a selection's ``name`` is its quote: equal up to white space, or its start (cut with an
    ellipsis, or without one when it has at least :data:`MIN_PREFIX` characters)."""
    q, n = _flat(quote), _flat(name)
    if not n:
        return False
    if q == n or (len(n) >= MIN_PREFIX and len(q) > len(n) and q.startswith(n)):
        return True
    for ellipsis in _ELLIPSES:
        if n.endswith(ellipsis) and len(n) > len(ellipsis) + 3:
            head = n[: -len(ellipsis)].rstrip()
            if q.startswith(head) and len(q) > len(head):
                return True
    return False


# -- import ------------------------------------------------------------------------------------


@dataclass
class QdaImport:
    """What an import will add, and what the report says about it (shared by qdpx, qdc and brat)."""

    name: str
    documents: list[model.Document] = field(default_factory=list)
    tags: list[model.Tag] = field(default_factory=list)
    relations: list[str] = field(default_factory=list)
    annotations: list[model.Annotation] = field(default_factory=list)
    links: list[model.Link] = field(default_factory=list)
    unplaced: list[tuple[str, str, str]] = field(default_factory=list)
    """Passages that could not be placed: ``(id, name or quote, why)``."""
    notes: list[str] = field(default_factory=list)
    """What was done, one sentence each, for the import report."""
    all_tags: bool = False
    """Add every tag found (a codebook), not only the tags of imported passages."""


@dataclass
class ImportReport:
    """What an import did."""

    source: str
    imported: int = 0
    skipped_duplicates: int = 0
    documents_added: list[str] = field(default_factory=list)
    tags_added: list[str] = field(default_factory=list)
    links_imported: int = 0
    links_skipped: int = 0
    unplaced: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Return the report as lines of text for a terminal or a dialog."""
        head = (
            f"imported {self.imported}, already present {self.skipped_duplicates}, "
            f"not placed {len(self.unplaced)}, links {self.links_imported}"
        )
        if self.links_skipped:
            head += f" (skipped {self.links_skipped})"
        out = [head]
        if self.documents_added:
            out.append("documents added: " + ", ".join(textutil.shorten(d, 60) for d in self.documents_added))
        if self.tags_added:
            out.append("tags added: " + ", ".join(textutil.shorten(t, 60) for t in self.tags_added))
        out += ["  " + textutil.one_line(n) for n in self.notes]
        for ident, quote, why in self.unplaced:
            out.append(f"  not placed {textutil.shorten(ident, 40)}: \u201c{textutil.shorten(quote, 60)}\u201d ({why})")
        return out


def plan(target: store.Store, found: QdaImport) -> tuple[operations.ImportPlan, ImportReport]:
    """Decide what an import adds to ``target`` (passages already there are skipped); nothing is written.

    The plan is applied by :func:`desktop.core.operations.import_plan`, as one undoable edit in the window.
    """
    report = ImportReport(source=found.name, unplaced=list(found.unplaced), notes=list(found.notes))
    existing = target.existing_ids(a.id for a in found.annotations)
    annotations: list[model.Annotation] = []
    seen: set[str] = set()
    for a in found.annotations:
        if a.id in existing or a.id in seen:
            report.skipped_duplicates += 1
        else:
            seen.add(a.id)
            annotations.append(a)
    placed = {a.id: a.document for a in annotations}
    for annotation_id in target.existing_ids({e for k in found.links for e in (k.source, k.target)} - set(placed)):
        placed[annotation_id] = target.annotation(annotation_id).document
    stored_links = target.links()
    stored_ids = {k.id for k in stored_links}
    triples = {(k.source, k.target, k.relation) for k in stored_links}
    links: list[model.Link] = []
    for k in found.links:
        if k.id in stored_ids or (k.source, k.target, k.relation) in triples:
            report.links_skipped += 1
        elif k.source not in placed or k.target not in placed or k.source == k.target:
            report.links_skipped += 1
        elif placed[k.source] != placed[k.target]:
            report.links_skipped += 1
        else:
            triples.add((k.source, k.target, k.relation))
            stored_ids.add(k.id)
            links.append(k)
    used_docs = {a.document for a in annotations}
    stored_tags = {t.name for t in target.tags()}
    used_tags = {a.tag for a in annotations}
    stored_relations = {r.name for r in target.relations()}
    documents: list[model.Document] = []
    for doc in found.documents:
        if doc.fingerprint in used_docs and target.document(doc.fingerprint, missing_ok=True) is None:
            documents.append(doc)
            report.documents_added.append(doc.title)
    tags: list[tuple[str, str | None]] = []
    colours: list[tuple[str, str]] = []
    descriptions: list[tuple[str, str]] = []
    for tag in found.tags:
        if tag.name not in stored_tags and (tag.name in used_tags or found.all_tags):
            tags.append((tag.name, tag.label or None))
            if tag.description:
                descriptions.append((tag.name, tag.description))
            if tag.colour:
                colours.append((tag.name, tag.colour))
            stored_tags.add(tag.name)
            report.tags_added.append(tag.name)
    relations = tuple(r for r in dict.fromkeys(k.relation for k in links) if r not in stored_relations)
    report.imported = len(annotations)
    report.links_imported = len(links)
    edit = operations.ImportPlan(
        annotations=tuple(annotations),
        links=tuple(links),
        documents=tuple(documents),
        tags=tuple(tags),
        relations=relations,
        colours=tuple(colours),
        descriptions=tuple(descriptions),
    )
    return edit, report


def save(target: store.Store, found: QdaImport) -> ImportReport:
    """Add what an import found to ``target`` in one transaction; passages already there are skipped.

    Raises:
        StoreError: the annotation file could not be written; nothing was imported.
    """
    edit, report = plan(target, found)
    if edit.annotations or edit.links or edit.tags:
        operations.import_plan(target, edit)
    return report


@dataclass
class _Code:
    guid: str
    path: list[str]
    colour: str | None
    description: str


def read_codes(root: Any, name: str) -> list[_Code]:
    """Read a ``Codes`` tree (nested codes keep their parents' names in ``path``).

    Raises:
        ExchangeError: a code has no valid GUID or no name, or ``isCodable`` is not a boolean.
    """
    codes: list[_Code] = []

    def walk(parent: Any, path: list[str]) -> None:
        for code in parent.iterchildren("Code"):
            guid = normal_guid(code.get("guid"))
            label = code.get("name")
            if guid is None:
                raise errors.ExchangeError(
                    f"{name}: the code {label!r} has no valid guid (the REFI-QDA schema requires one); nothing was imported"
                )
            if label is None:
                raise errors.ExchangeError(f"{name}: the code {guid} has no name; nothing was imported")
            codable = code.get("isCodable")
            if codable is not None and codable.strip() not in ("true", "false", "1", "0"):
                raise errors.ExchangeError(
                    f"{name}: the code {label!r} has isCodable={codable!r}, not a boolean; nothing was imported"
                )
            description = code.findtext("Description") or ""
            codes.append(_Code(guid, [*path, textutil.one_line(label)], valid_colour(code.get("color")), description))
            walk(code, [*path, textutil.one_line(label)])

    for holder in root.iter("Codes"):
        walk(holder, [])
        break
    return codes


def code_tags(
    codes: list[_Code], target_tags: list[model.Tag], *, warrant_origin: bool
) -> tuple[dict[str, model.Tag], list[str]]:
    """Map each code's GUID to the tag it becomes (an existing tag when name or label match).

    Nested codes are flattened to ``"Parent / Child"``. Codes written by Warrant carry the tag's label on
    the first line of their description and the tag's description after it; other codes' descriptions
    become the tags' descriptions.
    """
    known: dict[str, model.Tag] = {}
    for tag in target_tags:
        known.setdefault(tag_key(tag.label), tag)
    for tag in target_tags:
        known[tag_key(tag.name)] = tag
    taken = [t.name for t in target_tags]
    out: dict[str, model.Tag] = {}
    notes: list[str] = []
    nested = sum(1 for c in codes if len(c.path) > 1)
    if nested:
        notes.append(f"{nested} nested codes became tags named 'Parent / Child'")
    for code in codes:
        full = " / ".join(code.path)
        match = known.get(tag_key(full))
        if match is not None:
            out[code.guid] = match
            continue
        tag_name = short_name(full, taken)
        taken.append(tag_name)
        label, description = tag_name, code.description.strip()
        if warrant_origin and description:
            label, description = split_description(description)
        label = textutil.one_line(label)[:MAX_NAME] or tag_name
        tag = model.Tag(tag_name, label, code.colour or "", "", len(taken), description=description)
        out[code.guid] = tag
        known[tag_key(full)] = tag
    return out, notes


@dataclass
class _Source:
    guid: str
    title: str
    element: Any
    kind: str


def _users(root: Any) -> dict[str, str]:
    users: dict[str, str] = {}
    for user in root.iter("User"):
        guid = normal_guid(user.get("guid"))
        if guid:
            users[guid] = textutil.one_line(user.get("name") or user.get("id") or "")
    return users


def _int(value: str | None) -> int | None:
    if value is None or not re.fullmatch(r"\s*[+]?\d{1,12}\s*", value):
        return None
    return int(value)


class _Texts:
    """Finds each source's text: its plain text in the project, its rich text via the loaders, or ``--document``."""

    def __init__(
        self, archive: Archive, named: documents.LoadedDocument | None, notes: list[str], *, single: bool
    ) -> None:
        self.single = single
        self.archive = archive
        self.named = named
        self.named_used = False
        self.notes = notes

    def _entry(self, path: str | None) -> tuple[str | None, str]:
        """Return the archive entry a source path names, or None and why not."""
        if not path:
            return None, ""
        if not path.lower().startswith("internal://"):
            return None, f"its text lies outside the project ({textutil.shorten(path, 60)}); Warrant never reads it"
        rest = path[len("internal://") :].replace("\\", "/")
        if _unsafe(rest) or "/" in rest.strip("/"):
            return None, f"its path {textutil.shorten(path, 60)} leaves the project's sources folder; refused"
        stem, dot, suffix = rest.rpartition(".")
        guid = normal_guid(stem)
        variants = [rest]
        if guid:
            variants += [f"{guid}{dot}{suffix}", f"{guid.upper()}{dot}{suffix}", f"{{{guid}}}{dot}{suffix}"]
        for folder in ("sources/", "Sources/", ""):
            for variant in variants:
                entry = self.archive.find(folder + variant)
                if entry is not None:
                    return entry, ""
        return None, f"its text ({textutil.shorten(path, 60)}) is not in the project file"

    def text(self, source: _Source) -> tuple[str | None, str, str]:
        """Return ``(canonical text, raw text, why not)`` for a source."""
        el = source.element
        reasons: list[str] = []
        declared = el.get("plainTextPath") or (
            None
            if el.get("richTextPath") or el.find("PlainTextContent") is not None
            else f"internal://{source.guid}.txt"
        )  # no path at all: the usual place, sources/<guid>.txt
        entry, why = self._entry(declared)
        if entry is not None:
            raw = documents.decode(self.archive.read(entry), entry)
            return documents.normalise_newlines(raw), raw, ""
        if why:
            reasons.append(why)
        content = el.find("PlainTextContent")
        if content is not None and content.text:
            return documents.normalise_newlines(content.text), content.text, ""
        entry, why = self._entry(el.get("richTextPath"))
        if entry is not None:
            loaded, problem = self._load_rich(entry)
            if loaded is not None:
                self.notes.append(
                    f"{source.title}: read from its rich text {entry} (no plain text in the project); "
                    "passages are placed by their names where the offsets disagree"
                )
                return loaded, loaded, ""
            reasons.append(problem)
        elif why:
            reasons.append(why.replace("its text", "its rich text"))
        if self.named is not None and self._named_fits(source):
            self.named_used = True
            self.notes.append(f"{source.title}: its text is the document given on import ({self.named.path})")
            return self.named.text, self.named.text, ""
        return None, "", "; ".join(reasons) or "the project holds no text for it"

    def _named_fits(self, source: _Source) -> bool:
        assert self.named is not None
        given = Path(self.named.path).name.casefold()
        title = source.title.casefold()
        return given == title or Path(given).stem == Path(title).stem or (self.single and not self.named_used)

    def _load_rich(self, entry: str) -> tuple[str | None, str]:
        suffix = Path(entry).suffix.lower()
        if suffix not in (".docx", ".rtf", ".odt", ".pdf", ".html", ".htm", ".txt", ".md"):
            return None, f"its rich text {entry} is a {suffix or 'suffix-less'} file Warrant cannot read"
        data = self.archive.read(entry)
        with tempfile.TemporaryDirectory(prefix="warrant-qdpx-") as folder:
            path = Path(folder) / f"source{suffix}"  # our name, never the entry's
            path.write_bytes(data)
            try:
                loaded: str | None = documents.load(path).text
            except errors.DocumentError as exc:
                if suffix != ".rtf":
                    message = str(exc).replace(str(path), entry)
                    return None, f"its rich text {entry} cannot be read ({message})"
                loaded = None
        if suffix == ".rtf" and (loaded is None or loaded.lstrip().startswith("{\\rtf")):
            return _rtf_text(data, entry)
        return loaded, ""


def _rtf_text(data: bytes, entry: str) -> tuple[str | None, str]:
    """The text of an RTF file, with striprtf (the document loaders read no RTF): formatting and pictures go."""
    from striprtf import striprtf

    try:
        text = str(striprtf.rtf_to_text(data.decode("latin-1"), errors="replace"))  # type: ignore[no-untyped-call]
    except (ValueError, IndexError, LookupError) as exc:
        return None, f"its rich text {entry} is RTF that cannot be read ({exc})"
    text = documents.normalise_newlines(text)
    if not text.strip():
        return None, f"its rich text {entry} is RTF without text"
    return text, ""


def _sources(root: Any) -> tuple[list[_Source], collections.Counter[str]]:
    """Every text that selections can point into, and counts of selections Warrant cannot import."""
    out: list[_Source] = []
    skipped: collections.Counter[str] = collections.Counter()
    holder = root.find("Sources")
    if holder is None:
        return out, skipped
    for source in holder:
        if not isinstance(source.tag, str):
            continue
        kind = source.tag
        guid = normal_guid(source.get("guid"))
        title = textutil.one_line(source.get("name") or "") or "Untitled"
        if kind == "TextSource" and guid:
            out.append(_Source(guid, title, source, "txt"))
        elif kind == "PDFSource":
            representation = source.find("Representation")
            rep_guid = normal_guid(representation.get("guid")) if representation is not None else None
            if representation is not None and rep_guid:
                out.append(_Source(rep_guid, title, representation, "pdf"))
            skipped["PDF region"] += len(source.findall("PDFSelection"))
        else:
            for sel in source.iter():
                if isinstance(sel.tag, str) and sel.tag.endswith("Selection"):
                    skipped[sel.tag.removesuffix("Selection").lower() or "other"] += 1
    return out, skipped


def read_project(
    path: str | os.PathLike[str],
    target: store.Store,
    *,
    document: documents.LoadedDocument | None = None,
) -> QdaImport:
    """Read a REFI-QDA project and work out what importing it into ``target`` adds; nothing is written.

    Args:
        path: the ``.qdpx``, ``.qde`` or folder.
        target: the annotation file it will go into (for its tags).
        document: the text of a source the project lacks (``--document``).

    Raises:
        ExchangeError: the file is not a REFI-QDA project, is malformed, or is a zip bomb.
    """
    archive, qde, qde_name = open_project(path)
    name = f"{archive.name}" if qde_name in archive.name else f"{archive.name}!{qde_name}"
    root = parse_xml(qde, name)
    if root.tag != "Project":
        raise errors.ExchangeError(f"{name}: its root element is {root.tag!r}, not a REFI-QDA Project")
    found = QdaImport(name=str(path))
    notes = found.notes
    if archive.unsafe:
        notes.append(f"{len(archive.unsafe)} zip entries with unsafe names (absolute or '..') were ignored")
    warrant_origin = (root.get("origin") or "").startswith("Warrant")
    users = _users(root)
    users[""] = users.get(normal_guid(root.get("creatingUserGUID")) or "-", "")  # who made what names no one
    codes = read_codes(root, name)
    skip = frozenset(c.guid for c in codes if warrant_origin and c.path[:1] == [ASSESSMENT_CODE])  # issue 17
    codes = [c for c in codes if c.guid not in skip]
    by_code, code_notes = code_tags(codes, target.tags(), warrant_origin=warrant_origin)
    notes += code_notes
    found.tags = list({t.name: t for t in by_code.values()}.values())
    note_texts = {
        guid: (
            note.findtext("PlainTextContent") or "",
            users.get(normal_guid(note.get("creatingUser")) or "", ""),
            note.get("creationDateTime") or "",
        )
        for note in root.iter("Note")
        if (guid := normal_guid(note.get("guid")))
    }
    sources, skipped = _sources(root)
    texts = _Texts(archive, document, notes, single=len(sources) == 1)
    selection_passages: dict[str, list[str]] = {}
    readings_used: collections.Counter[str] = collections.Counter()
    now = model.now_utc()
    for source in sources:
        selections = source.element.findall("PlainTextSelection")
        text, _raw, why = texts.text(source)
        if text is None:
            for sel in selections:
                found.unplaced.append((sel.get("guid") or "?", sel.get("name") or "", f"{source.title}: {why}"))
            continue
        if not text.strip():
            for sel in selections:
                found.unplaced.append((sel.get("guid") or "?", sel.get("name") or "", f"{source.title} has no text"))
            continue
        doc = model.Document(
            fingerprint=documents.fingerprint(text),
            title=source.title,
            path=f"{path}#{source.guid}",
            text=text,
            kind=source.kind,
        )
        found.documents.append(doc)
        placed = _place(source, selections, doc, readings_used, found, name)
        for sel, start, end in placed:
            _passages(sel, start, end, doc, users, by_code, note_texts, found, selection_passages, now, name, skip=skip)
    missing = [u for u in found.unplaced if "is not in the project file" in u[2]]
    if missing:
        empty = not any(n.casefold().startswith("sources/") for n in archive.names())
        notes.append(
            f"{len(missing)} passage{'s' if len(missing) != 1 else ''} cannot be placed: their source texts are not in "
            + ("the project file, whose sources folder is empty" if empty else "the project file")
            + " (give the text with --document, or export the project again with its sources)"
        )
    if readings_used:
        shown = ", ".join(f"{label}: {n}" for label, n in readings_used.most_common())
        notes.append(f"offsets read as {shown}")
    authors = collections.Counter(a.author for a in found.annotations)
    if len(authors) > 1:
        notes.append(
            f"{len(authors)} coders ({', '.join(f'{a or chr(63)}: {n}' for a, n in authors.most_common())}): "
            "one annotation file, each passage keeping its coder as its author"
        )
    _links(root, found, selection_passages, users, note_texts)
    for kind, n in sorted(skipped.items()):
        notes.append(f"{n} {kind} selection{'s' if n != 1 else ''} not imported: Warrant annotates text only")
    for part in ("Variables", "Cases", "Sets", "Graphs"):
        if root.find(part) is not None and len(root.find(part)):
            notes.append(f"its {part.lower()} were not imported (Warrant has no place for them)")
    if document is not None and not texts.named_used:
        notes.append(f"the document given on import ({document.path}) was not needed: the project has its texts")
    return found


def _place(
    source: _Source,
    selections: list[Any],
    doc: model.Document,
    readings_used: collections.Counter[str],
    found: QdaImport,
    name: str,
) -> list[tuple[Any, int, int]]:
    """Choose how each selection's offsets are counted (see the module docstring) and place it."""
    readings = Readings(doc.text)
    placed: list[tuple[Any, int, int]] = []
    votes: collections.Counter[str] = collections.Counter()
    later: list[tuple[Any, list[tuple[str, int, int]]]] = []
    for sel in selections:
        guid = sel.get("guid") or "?"
        if normal_guid(sel.get("guid")) is None:
            raise errors.ExchangeError(f"{name}: a text selection has no valid guid ({guid!r}); nothing was imported")
        start, end = _int(sel.get("startPosition")), _int(sel.get("endPosition"))
        label = sel.get("name") or ""
        if start is None or end is None or end < start:
            found.unplaced.append(
                (guid, label, f"its positions {sel.get('startPosition')!r}-{sel.get('endPosition')!r} are not a range")
            )
            continue
        options = readings.candidates(start, end)
        if not label.strip():
            later.append((sel, options))
            continue
        chosen = next(((r, s, e) for r, s, e in options if name_matches(doc.text[s:e], label)), None)
        if chosen is None:
            hit = anchoring.find_exact(doc.text, label, hint=start) if not _cut(label) else None
            if hit is not None:
                readings_used["found by its name (its positions disagree)"] += 1
                placed.append((sel, hit.start, hit.end))
                continue
            if not options:
                found.unplaced.append((guid, label, f"its positions {start}-{end} lie outside {doc.title}"))
                continue
            later.append((sel, options))  # a name that is a label, not the text: placed by its positions
            continue
        votes[chosen[0]] += 1
        readings_used[chosen[0]] += 1
        placed.append((sel, chosen[1], chosen[2]))
    usual = votes.most_common(1)[0][0] if votes else Readings.ORDER[0]
    for sel, options in later:
        pick = next(((s, e) for r, s, e in options if r == usual), None) or next(
            ((s, e) for r, s, e in options if r == Readings.ORDER[0]), None
        )
        if pick is None:
            found.unplaced.append((sel.get("guid") or "?", "", f"its positions lie outside {doc.title}"))
            continue
        checked = "no name to check" if not (sel.get("name") or "").strip() else "its name is not its text"
        readings_used[f"{usual} ({checked})"] += 1
        placed.append((sel, *pick))
    return placed


def _cut(label: str) -> bool:
    return label.rstrip().endswith(_ELLIPSES)


def _passages(
    sel: Any,
    start: int,
    end: int,
    doc: model.Document,
    users: dict[str, str],
    by_code: dict[str, model.Tag],
    note_texts: dict[str, tuple[str, str, str]],
    found: QdaImport,
    selection_passages: dict[str, list[str]],
    now: str,
    name: str,
    *,
    skip: frozenset[str] = frozenset(),
) -> None:
    """Turn one placed selection into one passage per coding (codings of ``skip`` codes are left out)."""
    guid = normal_guid(sel.get("guid"))
    assert guid is not None
    if start == end:
        found.unplaced.append((guid, sel.get("name") or "", "it selects no text"))
        return
    quote = anchoring.select(doc.text, start, end)
    sel_user = users.get(normal_guid(sel.get("creatingUser")) or "", "")
    created = _datetime(sel.get("creationDateTime") or "") or now
    modified = _datetime(sel.get("modifiedDateTime") or "") or created
    note = "\n\n".join(
        note_texts[g][0]
        for ref in sel.iterchildren("NoteRef")
        if (g := normal_guid(ref.get("targetGUID"))) in note_texts
    )
    codings: list[tuple[model.Tag, str, str]] = []
    for coding in sel.iterchildren("Coding"):
        ref = coding.find("CodeRef")
        code = normal_guid(ref.get("targetGUID")) if ref is not None else None
        if code in skip:
            continue
        if code is None or code not in by_code:
            found.notes.append(f"selection {guid}: a coding names no known code ({code}); it was left out")
            continue
        user = users.get(normal_guid(coding.get("creatingUser")) or "", "") or sel_user
        codings.append((by_code[code], user, _datetime(coding.get("creationDateTime") or "") or created))
    if not codings:
        tag = next((t for t in found.tags if t.name == DEFAULT_TAG), None)
        if tag is None:
            tag = model.Tag(DEFAULT_TAG, "Uncoded", "", "", len(found.tags))
            found.tags.append(tag)
        codings.append((tag, sel_user, created))
    ids: list[str] = []
    for i, (tag, author, coded) in enumerate(codings):
        passage_id = guid if i == 0 else derived_guid("coding-passage", f"{guid}:{tag.name}")
        ids.append(passage_id)
        found.annotations.append(
            model.Annotation(
                id=passage_id,
                document=doc.fingerprint,
                tag=tag.name,
                start=start,
                end=end,
                quote=quote.exact,
                prefix=quote.prefix,
                suffix=quote.suffix,
                note=note if i == 0 else "",
                author=author,
                created=coded if i else created,
                modified=modified if i == 0 else coded,
                origin_id=sel.get("guid") if sel.get("guid") != guid else "",
                origin_file=found.name,
            )
        )
    if len(codings) > 1:
        found.notes.append(
            f"selection \u201c{textutil.shorten(quote.exact, 40)}\u201d has {len(codings)} codings: "
            f"{len(codings)} passages at the same place (its note and links go with the first)"
        )
    selection_passages[guid] = ids


def _links(
    root: Any,
    found: QdaImport,
    selection_passages: dict[str, list[str]],
    users: dict[str, str],
    note_texts: dict[str, tuple[str, str, str]],
) -> None:
    """Links between selections become Warrant links; a note linked to a selection joins its note."""
    by_id = {a.id: i for i, a in enumerate(found.annotations)}
    other = 0
    memo = 0
    for link in root.iter("Link"):
        guid = normal_guid(link.get("guid"))
        origin, target = normal_guid(link.get("originGUID")), normal_guid(link.get("targetGUID"))
        if guid is None or origin is None or target is None:
            other += 1
            continue
        if origin in selection_passages and target in selection_passages:
            refs = [g for r in link.iterchildren("NoteRef") if (g := normal_guid(r.get("targetGUID"))) in note_texts]
            author, created = "", ""
            if refs:
                _text, author, created = note_texts[refs[0]]
            relation = short_name(link.get("name") or DEFAULT_RELATION)
            found.links.append(
                model.Link(
                    guid,
                    selection_passages[origin][0],
                    selection_passages[target][0],
                    relation,
                    author or found.annotations[by_id[selection_passages[origin][0]]].author,
                    _datetime(created) or found.annotations[by_id[selection_passages[origin][0]]].created,
                )
            )
            continue
        note_end, passage_end = (origin, target) if origin in note_texts else (target, origin)
        if note_end in note_texts and passage_end in selection_passages:
            index = by_id[selection_passages[passage_end][0]]
            a = found.annotations[index]
            text = note_texts[note_end][0]
            if text and text not in a.note:
                found.annotations[index] = a.replace(note=(a.note + "\n\n" + text).strip())
            memo += 1
            continue
        other += 1
    if memo:
        found.notes.append(f"{memo} memos linked to selections were added to those passages' notes")
    if other:
        found.notes.append(f"{other} links between things other than text selections were not imported")


def import_file(
    target: store.Store,
    path: str | os.PathLike[str],
    document: str | os.PathLike[str] | None = None,
) -> ImportReport:
    """Import a REFI-QDA project into ``target``; all or nothing.

    Args:
        target: the annotation file to import into.
        path: the ``.qdpx`` (or ``.qde``, or a folder holding one).
        document: the text of a source the project lacks (loaded with the document loaders).

    Returns:
        The report: counts, the passages that could not be placed and why, and what was done.

    Raises:
        ExchangeError: the file is not a readable REFI-QDA project; nothing was imported.
        DocumentError: ``document`` cannot be read.
        StoreError: the annotation file could not be written; nothing was imported.
    """
    loaded = documents.load(document) if document is not None else None
    return save(target, read_project(path, target, document=loaded))
