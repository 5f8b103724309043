"""Word (.docx, with mammoth: footnotes kept) and OpenDocument text (.odt, with odfpy), through HTML.

Both become HTML that :func:`markup.html_to_text` reduces, so headings, lists and emphasis show as in
HTML articles. Pictures are never read (their alt text is kept) and links are never followed: an
image linked to a web address stays a name in the file.
"""

from __future__ import annotations

import html
import io
import re
from typing import Any

from desktop.core import errors
from desktop.core.documents import _base, archive, markup

_NOTE_REF = re.compile(r'<a href="#((?:foot|end)note-\d+)" id="(?:foot|end)note-ref-\d+">([^<]{1,20})</a>')
_NOTE_ITEM = re.compile(r'<li id="((?:foot|end)note-\d+)">\s*(?:<p>)?')
_BACK_LINK = re.compile(r'\s*<a href="#(?:footnote|endnote)-ref-\d+">\u2191</a>')


def _notes_as_paragraphs(body: str) -> tuple[str, int]:
    """Mammoth's footnote and endnote lists become paragraphs under "Notes", each led by its mark ("[1]")."""
    marker = min((i for i in (body.find('<ol><li id="footnote-'), body.find('<ol><li id="endnote-')) if i >= 0), default=-1)
    if marker < 0:
        return body, 0
    labels = {m[1]: m[2] for m in _NOTE_REF.finditer(body, 0, marker)}
    notes = body[marker:]
    notes = _BACK_LINK.sub("", notes)
    notes, count = _NOTE_ITEM.subn(lambda m: "<p>" + html.escape(labels.get(m[1], "")) + " ", notes)
    notes = notes.replace("</li>", "").replace("<ol>", "").replace("</ol>", "")
    return body[:marker] + "<h2>Notes</h2>" + notes, count


def load_docx(data: bytes, path: str, fallback: str) -> _base.LoadedDocument:
    """Load a Word document: body, then its footnotes and endnotes under "Notes".

    Raises:
        DocumentError: damaged, not a Word document, or a zip bomb.
    """
    zipped = archive.open_zip(data, path, "Word document")
    archive.read_member(zipped, "word/document.xml", path, "Word document")  # a clear message when absent
    import mammoth

    def no_picture(image: Any) -> dict[str, str]:
        return {"alt": str(image.alt_text or "")}  # never image.open(): a linked picture is never fetched

    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data), convert_image=mammoth.images.img_element(no_picture), ignore_empty_paragraphs=True
        )
    except errors.WarrantError:
        raise
    except Exception as exc:  # noqa: BLE001 - mammoth raises many kinds on damaged XML; all mean "damaged"
        raise errors.DocumentError(f"{path} is damaged: it cannot be read as a Word document ({type(exc).__name__})") from None
    body, notes = _notes_as_paragraphs(str(result.value))
    title, text, spans = markup.html_to_text(body)
    notice = f"{notes} notes kept at the end" if notes else ""
    return _base.finish(path, title or fallback, text, "docx", spans, notice=notice)


_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_STYLE_NS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_FO_NS = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_DC_NS = "http://purl.org/dc/elements/1.1/"
_BLOCK_TAGS = {"p": "p", "list": "ul", "list-item": "li", "section": "div"}
_SKIPPED = {
    f"{{{_TEXT_NS}}}tracked-changes",
    f"{{{_TEXT_NS}}}sequence-decls",
    f"{{{_TEXT_NS}}}variable-decls",
    f"{{{_OFFICE_NS}}}annotation",  # a reviewer's comment is not the article
    f"{{{_TEXT_NS}}}note",  # handled where it stands, its body moved to the end
}


def _odf_xml(data: bytes, path: str, member: str) -> Any:
    from lxml import etree

    # No DTD, no entities, no network: the document's XML is data, never instructions.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise errors.DocumentError(f"{path} is damaged: {member} is not well-formed XML ({exc})") from None


def load_odt(data: bytes, path: str, fallback: str) -> _base.LoadedDocument:
    """Load an OpenDocument text (zipfile + lxml): headings, paragraphs, lists, bold and italic, notes at the end.

    odfpy was tried first: it printed "SAX FAILED TO PARSE" to standard output and returned no text
    for an ODT written by pandoc; reading content.xml with lxml is smaller, faster and sound.

    Raises:
        DocumentError: damaged, not an OpenDocument text, or a zip bomb.
    """
    zipped = archive.open_zip(data, path, "OpenDocument text")
    content = _odf_xml(archive.read_member(zipped, "content.xml", path, "OpenDocument text"), path, "content.xml")
    emphasis = _odt_emphasis(content)
    if "styles.xml" in zipped.namelist():
        styles = _odf_xml(archive.read_member(zipped, "styles.xml", path, "OpenDocument text"), path, "styles.xml")
        emphasis = {**_odt_emphasis(styles), **emphasis}
    body = content.find(f"{{{_OFFICE_NS}}}body/{{{_OFFICE_NS}}}text")
    if body is None:
        raise errors.DocumentError(f"{path} is not an OpenDocument text: it has no text body")
    out: list[str] = []
    notes: list[str] = []
    _odt_html(body, emphasis, out, notes)
    if notes:
        out.append("<h2>Notes</h2>")
        out.extend(f"<p>{note}</p>" for note in notes)
    title, text, spans = markup.html_to_text("".join(out))
    meta_title = ""
    if "meta.xml" in zipped.namelist():
        meta = _odf_xml(archive.read_member(zipped, "meta.xml", path, "OpenDocument text"), path, "meta.xml")
        found = meta.find(f".//{{{_DC_NS}}}title")
        meta_title = " ".join((found.text or "").split()) if found is not None else ""
    return _base.finish(path, (meta_title or title or fallback)[:200], text, "odt", spans)


def _odt_emphasis(root: Any) -> dict[str, tuple[bool, bool]]:
    """Bold and italic of every text style, by name."""
    found: dict[str, tuple[bool, bool]] = {}
    for style in root.iter(f"{{{_STYLE_NS}}}style"):
        props = style.find(f"{{{_STYLE_NS}}}text-properties")
        if props is None:
            continue
        bold = props.get(f"{{{_FO_NS}}}font-weight") in ("bold", "600", "700", "800", "900")
        italic = props.get(f"{{{_FO_NS}}}font-style") in ("italic", "oblique")
        name = style.get(f"{{{_STYLE_NS}}}name")
        if name and (bold or italic):
            found[name] = (bold, italic)
    return found


def _escape(value: str | None) -> str:
    return html.escape(value or "", quote=False)


def _odt_html(root: Any, emphasis: dict[str, tuple[bool, bool]], out: list[str], notes: list[str]) -> None:
    """Write the body as HTML, iteratively (a hostile file may nest thousands of levels)."""
    stack: list[tuple[Any, str]] = [(child, "") for child in reversed(root)]
    while stack:
        node, after = stack.pop()
        if node is None:  # the end of an element: its closing tag, then the text after it
            out.append(after)
            continue
        tag = node.tag if isinstance(node.tag, str) else ""
        ns, _, local = tag[1:].partition("}")
        opener, closer = "", ""
        if tag in _SKIPPED:
            if tag == f"{{{_TEXT_NS}}}note":
                citation = node.find(f"{{{_TEXT_NS}}}note-citation")
                mark = "".join(citation.itertext()).strip() if citation is not None else ""
                note_body = node.find(f"{{{_TEXT_NS}}}note-body")
                words = " ".join("".join(note_body.itertext()).split()) if note_body is not None else ""
                out.append(f"[{_escape(mark)}]")
                notes.append(f"[{_escape(mark)}] {_escape(words)}")
            out.append(_escape(node.tail))
            continue
        if ns == _TEXT_NS:
            if local == "h":
                level_attr = node.get(f"{{{_TEXT_NS}}}outline-level") or "1"
                level = min(4, max(1, int(level_attr) if level_attr.isdigit() else 1))
                opener, closer = f"<h{level}>", f"</h{level}>"
            elif local in _BLOCK_TAGS:
                opener, closer = f"<{_BLOCK_TAGS[local]}>", f"</{_BLOCK_TAGS[local]}>"
            elif local == "span":
                bold, italic = emphasis.get(node.get(f"{{{_TEXT_NS}}}style-name") or "", (False, False))
                opener = ("<b>" if bold else "") + ("<i>" if italic else "")
                closer = ("</i>" if italic else "") + ("</b>" if bold else "")
            elif local == "s":
                count = node.get(f"{{{_TEXT_NS}}}c") or "1"
                opener = " " * min(100, int(count) if count.isdigit() else 1)
            elif local == "tab":
                opener = " "
            elif local == "line-break":
                opener = "<br>"
        elif ns == _TABLE_NS and local == "table-cell":
            opener, closer = "<p>", "</p>"
        out.append(opener + _escape(node.text))
        stack.append((None, closer + _escape(node.tail)))
        stack.extend((child, "") for child in reversed(node))
