"""EPUB with zipfile and lxml: the chapters of the spine, in order, each reduced as an HTML article."""

from __future__ import annotations

import posixpath
import urllib.parse

from desktop.core import errors
from desktop.core.documents import _base, archive, markup, text

_CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"
_OPF_NS = "http://www.idpf.org/2007/opf"
_DC_NS = "http://purl.org/dc/elements/1.1/"


def _xml(data: bytes, path: str, member: str) -> object:
    from lxml import etree

    # No DTD, no entities, no network: the package's XML is data, never instructions.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False)
    try:
        return etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise errors.DocumentError(f"{path} is damaged: {member} is not well-formed XML ({exc})") from None


def load(data: bytes, path: str, fallback: str) -> _base.LoadedDocument:
    """Load an EPUB's text in spine (reading) order.

    Raises:
        DocumentError: damaged, not an EPUB, or a zip bomb.
    """
    zipped = archive.open_zip(data, path, "EPUB book")
    container = _xml(archive.read_member(zipped, "META-INF/container.xml", path, "EPUB book"), path, "container.xml")
    rootfile = container.find(f".//{{{_CONTAINER_NS}}}rootfile")  # type: ignore[attr-defined]
    opf_path = rootfile.get("full-path") if rootfile is not None else None
    if not opf_path:
        raise errors.DocumentError(f"{path} is not an EPUB book: its container names no package file")
    opf = _xml(archive.read_member(zipped, opf_path, path, "EPUB book"), path, opf_path)
    base = posixpath.dirname(opf_path)
    manifest: dict[str, str] = {}
    for item in opf.iter(f"{{{_OPF_NS}}}item"):  # type: ignore[attr-defined]
        item_id, href = item.get("id"), item.get("href")
        if item_id and href and "://" not in href:
            manifest[item_id] = posixpath.normpath(posixpath.join(base, urllib.parse.unquote(href)))
    parts: list[tuple[str, tuple[_base.Span, ...]]] = []
    seen: set[str] = set()
    for ref in opf.iter(f"{{{_OPF_NS}}}itemref"):  # type: ignore[attr-defined]
        member = manifest.get(ref.get("idref") or "")
        if member is None or member in seen:
            continue
        seen.add(member)
        raw = archive.read_member(zipped, member, path, "EPUB book")
        chapter, _ = text.decode(raw, f"{path}:{member}")
        _, body, spans = markup.html_to_text(chapter)
        parts.append((body, spans))
    joined, spans = _base.join_parts(parts)
    title_el = opf.find(f".//{{{_DC_NS}}}title")  # type: ignore[attr-defined]
    title = " ".join((title_el.text or "").split()) if title_el is not None else ""
    return _base.finish(path, title[:200] or fallback, joined, "epub", spans, notice=f"{len(parts)} chapters")
