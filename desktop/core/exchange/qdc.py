"""REFI-QDA codebooks (``.qdc``): the tag set out to and in from Dedoose, f4analyse, MAXQDA, NVivo, Taguette ...

Export writes a ``CodeBook`` in the ``urn:QDA-XML:codebook:1.0`` namespace with one ``Code`` per tag,
as the project export does (``name`` = the tag's name, ``color``, ``Description`` = its label, then its
description). Import
reads the ``Codes`` of a codebook (or of a ``.qde`` project) with the same checks and the same
flattening of nested codes to ``"Parent / Child"`` as the project import; tags already in the file
(same name or label, ignoring case) are kept as they are.
"""

from __future__ import annotations

import os

from lxml import etree

from desktop import __version__
from desktop.core import errors, model, safeio, store
from desktop.core.exchange import qdpx, scope

NS = "urn:QDA-XML:codebook:1.0"
MAX_BYTES = 16 * 1024 * 1024
"""Largest codebook read."""


def codebook_xml(tags: list[model.Tag] | tuple[model.Tag, ...]) -> bytes:
    """Return a codebook holding ``tags``."""
    root = etree.Element(f"{{{NS}}}CodeBook", nsmap={None: NS})
    root.set("origin", f"Warrant {__version__}")
    codes = etree.SubElement(root, f"{{{NS}}}Codes")
    for tag in tags:
        code = etree.SubElement(codes, f"{{{NS}}}Code", guid=qdpx.derived_guid("code", tag.name))
        code.set("name", qdpx.xml_safe(tag.name))
        code.set("isCodable", "true")
        colour = qdpx.valid_colour(tag.colour)
        if colour:
            code.set("color", colour)
        if tag.label or tag.description:
            etree.SubElement(code, f"{{{NS}}}Description").text = qdpx.xml_safe(qdpx.code_description(tag))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))


def render(selection: scope.Selection) -> bytes:
    """Return the codebook of the file's tag set (the selection's filters do not narrow a tag set).

    Args:
        selection: what is exported (:func:`desktop.core.exchange.scope.select`); its tags are written.

    Returns:
        UTF-8 XML.
    """
    tags = list(selection.tags)
    known = {t.name for t in tags}
    for name in dict.fromkeys(a.tag for a in selection.annotations):
        if name not in known:
            tags.append(model.Tag(name, name, "", "", len(tags)))
            known.add(name)
    return codebook_xml(tags)


def read(data: bytes, target: store.Store, name: str = "the codebook") -> qdpx.QdaImport:
    """Read a codebook and work out which tags importing it into ``target`` adds; nothing is written.

    Raises:
        ExchangeError: not XML, a DOCTYPE, no codes, or a code without a GUID or name.
    """
    root = qdpx.parse_xml(data, name)
    if root.tag not in ("CodeBook", "Project"):
        raise errors.ExchangeError(f"{name}: its root element is {root.tag!r}, not a REFI-QDA CodeBook")
    codes = qdpx.read_codes(root, name)
    if not codes:
        raise errors.ExchangeError(f"{name} holds no codes; nothing was imported")
    warrant = (root.get("origin") or "").startswith("Warrant")
    by_guid, notes = qdpx.code_tags(codes, target.tags(), warrant_origin=warrant)
    found = qdpx.QdaImport(name=name, notes=notes, all_tags=True)
    found.tags = list({t.name: t for t in by_guid.values()}.values())
    kept = len(codes) - len({t.name for t in found.tags} - {t.name for t in target.tags()})
    if kept:
        found.notes.append(f"{kept} codes matched tags the file already has; those were left as they are")
    return found


def read_file(target: store.Store, path: str | os.PathLike[str]) -> qdpx.QdaImport:
    """Read a ``.qdc`` codebook (or ``.qde`` project) into what an import adds: its codes (nothing is written).

    Raises:
        UnsafePathError: the file is missing, too large or not a file; ExchangeError: not a codebook.
    """
    return read(safeio.read_bounded(path, MAX_BYTES), target, str(path))


def import_file(target: store.Store, path: str | os.PathLike[str]) -> qdpx.ImportReport:
    """Add the codes of a ``.qdc`` codebook (or ``.qde`` project) to ``target``'s tag set.

    Returns:
        The report: the tags added.

    Raises:
        ExchangeError: the file is missing, too large or not a codebook; nothing was imported.
        StoreError: the annotation file could not be written.
    """
    return qdpx.save(target, read_file(target, path))
