"""QDA exchange scenarios: 10,000 passages to a REFI-QDA project (.qdpx) and to an Excel workbook (.xlsx).

Each floor writes the same file with the library directly, from lists already in memory: the same
``project.qde`` built element by element with lxml and zipped with the same text, or the same two sheets
written cell by cell with XlsxWriter. The scenario checks that the floor's output equals Warrant's
(the ``project.qde`` bytes; the sheets' XML), so the floor does the same job.
"""

from __future__ import annotations

import bisect
import collections
import io
import os
import uuid
import zipfile
from pathlib import Path
from typing import Any

from benchmarks import data, measure
from desktop import __version__
from desktop.core import model, store, textutil

NS = "urn:QDA-XML:project:1.0"
STAMP = "2026-01-01T00:00:00.000Z"


def _write_synced(path: Path, payload: bytes) -> None:
    with open(path, "wb") as f:
        f.write(payload)
        f.flush()
        os.fsync(f.fileno())


def floor_qde(
    title: str,
    doc: model.Document,
    rows: list[model.Annotation],
    links: list[model.Link],
    tags: list[model.Tag],
) -> bytes:
    """The ``project.qde`` of one document, built directly with lxml."""
    from lxml import etree

    space = uuid.UUID("3b0c7d5e-4f1a-5e2b-8c9d-0a1b2c3d4e5f")

    def guid(kind: str, key: str) -> str:
        return str(uuid.uuid5(space, f"{kind}:{key}"))

    q = "{" + NS + "}"
    sub = etree.SubElement
    authors = list(dict.fromkeys([a.author for a in rows] + [k.author for k in links]))
    users = {a: guid("user", a) for a in authors if a}
    codes = {t.name: guid("code", t.name) for t in tags}
    root = etree.Element(q + "Project", nsmap={None: NS})
    root.set("name", title)
    root.set("origin", f"Warrant {__version__}")
    root.set("creationDateTime", STAMP)
    root.set("creatingUserGUID", next(iter(users.values())))
    holder = sub(root, q + "Users")
    for name, g in users.items():
        sub(holder, q + "User", guid=g, name=name)
    holder = sub(sub(root, q + "CodeBook"), q + "Codes")
    for t in tags:
        code = sub(holder, q + "Code", guid=codes[t.name], name=t.name)
        code.set("isCodable", "true")
        code.set("color", t.colour)
        sub(code, q + "Description").text = t.label
    source_guid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:sha256:{doc.fingerprint}"))
    source = sub(sub(root, q + "Sources"), q + "TextSource", guid=source_guid, name=doc.title)
    source.set("plainTextPath", f"internal://{source_guid}.txt")
    source.set("creationDateTime", doc.added)
    notes = []
    for a in rows:
        sel = sub(source, q + "PlainTextSelection", guid=a.id, name=a.quote)
        sel.set("startPosition", str(a.start))
        sel.set("endPosition", str(a.end))
        sel.set("creatingUser", users[a.author])
        sel.set("creationDateTime", a.created)
        sel.set("modifyingUser", users[a.author])
        sel.set("modifiedDateTime", a.modified)
        coding = sub(sel, q + "Coding", guid=guid("coding", a.id))
        coding.set("creatingUser", users[a.author])
        coding.set("creationDateTime", a.created)
        sub(coding, q + "CodeRef", targetGUID=codes[a.tag])
        if a.note:
            g = guid("note", a.id)
            notes.append((g, "Note: " + textutil.shorten(a.quote, 60), a.author, a.modified, a.note))
            sub(sel, q + "NoteRef", targetGUID=g)
    notes += [
        (guid("link-note", k.id), f"Link: {k.relation}", k.author, k.created, f"{k.relation} (link)") for k in links
    ]
    holder = sub(root, q + "Notes")
    for g, name, author, time, text in notes:
        note = sub(holder, q + "Note", guid=g, name=name)
        note.set("creatingUser", users[author])
        note.set("creationDateTime", time)
        sub(note, q + "PlainTextContent").text = text
    holder = sub(root, q + "Links")
    for k in links:
        link = sub(holder, q + "Link", guid=k.id, name=k.relation)
        link.set("direction", "OneWay")
        link.set("originGUID", k.source)
        link.set("targetGUID", k.target)
        sub(link, q + "NoteRef", targetGUID=guid("link-note", k.id))
    by_id = {a.id: a for a in rows}
    colours = {t.name: t.colour for t in tags}
    column = {name: i for i, name in enumerate(codes)}
    graph = sub(sub(root, q + "Graphs"), q + "Graph", guid=guid("graph", doc.fingerprint))
    graph.set("name", "Argument map: " + doc.title)
    count: dict[str, int] = collections.defaultdict(int)
    for end in dict.fromkeys(e for k in links for e in (k.target, k.source)):
        a = by_id[end]
        x, y = 40 + 320 * column[a.tag], 40 + 120 * count[a.tag]
        count[a.tag] += 1
        vertex = sub(graph, q + "Vertex", guid=guid("vertex", a.id))
        vertex.set("representedGUID", a.id)
        vertex.set("name", textutil.shorten(a.quote, 60))
        for attr, value in (("firstX", x), ("firstY", y), ("secondX", x + 280), ("secondY", y + 80)):
            vertex.set(attr, str(value))
        vertex.set("shape", "RoundedRectangle")
        vertex.set("color", colours[a.tag])
    for k in links:
        edge = sub(graph, q + "Edge", guid=guid("edge", k.id))
        edge.set("representedGUID", k.id)
        edge.set("name", k.relation)
        edge.set("sourceVertex", guid("vertex", k.source))
        edge.set("targetVertex", guid("vertex", k.target))
        edge.set("direction", "OneWay")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def floor_qdpx(path: Path, title: str, doc: model.Document, rows: list[Any], links: list[Any], tags: list[Any]) -> None:
    """The same ``.qdpx``: the floor's XML and the text, zipped, written and synced."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        z.writestr("project.qde", floor_qde(title, doc, rows, links, tags))
        guid = uuid.uuid5(uuid.NAMESPACE_URL, f"urn:sha256:{doc.fingerprint}")
        z.writestr(f"sources/{guid}.txt", doc.text.encode("utf-8"))
    _write_synced(path, out.getvalue())


def floor_xlsx(
    path: Path, doc: model.Document, rows: list[model.Annotation], links: list[model.Link], tags: list[model.Tag]
) -> None:
    """The same two sheets written cell by cell with XlsxWriter."""
    import re

    import xlsxwriter

    from desktop.core.exchange import csvfile, xlsx

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})  # fmt: skip
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("Passages")
    sheet.freeze_panes(1, 0)
    for c, name in enumerate(csvfile.COLUMNS):
        sheet.write_string(0, c, name, bold)
    first = len(doc.text) - len(doc.text.lstrip())
    starts = [first if first < len(doc.text) else 0]
    for m in re.finditer(r"\n[^\S\n]*\n\s*", doc.text):
        if m.end() < len(doc.text) and m.end() > starts[-1]:
            starts.append(m.end())
    by_id = {a.id: a for a in rows}

    def named(relation: str, other: str) -> str:
        words = " ".join(by_id[other].quote.split()).split(" ")
        head = " ".join(words[:6]) + ("\u2026" if len(words) > 6 else "")
        return f'{relation}:{other} ({by_id[other].tag}: "{head}")'

    out_links: dict[str, list[str]] = collections.defaultdict(list)
    in_links: dict[str, list[str]] = collections.defaultdict(list)
    for k in links:
        out_links[k.source].append(named(k.relation, k.target))
        in_links[k.target].append(named(k.relation, k.source))
    ws, wn = sheet.write_string, sheet.write_number
    for r, a in enumerate(rows, 1):
        for c, value in enumerate((doc.title, a.document, a.tag, a.quote, a.note)):
            ws(r, c, value)
        wn(r, 5, a.start)
        wn(r, 6, a.end)
        wn(r, 7, max(1, bisect.bisect_right(starts, a.start)))
        ws(r, 8, "")  # page: the article has none
        for c, value in enumerate((a.author, a.created, a.modified, a.id, "; ".join(out_links.get(a.id, ())),
                                   "; ".join(in_links.get(a.id, ())), "", ""), 9):  # fmt: skip
            ws(r, c, value)  # ... and no grades (reliability, credibility) in this data
    summary = book.add_worksheet("Tags")
    for c, name in enumerate(xlsx.SUMMARY_COLUMNS):
        summary.write_string(0, c, name, bold)
    tag_of = {a.id: a.tag for a in rows}
    outs = collections.Counter(tag_of[k.source] for k in links)
    ins = collections.Counter(tag_of[k.target] for k in links)
    for r, t in enumerate(tags, 1):
        mine = [a for a in rows if a.tag == t.name]
        summary.write_string(r, 0, t.name)
        summary.write_string(r, 1, t.label)
        for c, value in enumerate((len(mine), len({a.document for a in mine}), len({a.author for a in mine}),
                                   sum(1 for a in mine if a.note.strip()), outs[t.name], ins[t.name]), 2):  # fmt: skip
            summary.write_number(r, c, value)
    book.close()
    _write_synced(path, out.getvalue())


def _sheets(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/") or n == "xl/sharedStrings.xml"}


def scenario_qda(folder: Path, article: str, count: int, repeat: int) -> dict[str, Any]:
    """``count`` passages to .qdpx and .xlsx with Warrant's export, against the floors above."""
    from desktop.core import exchange
    from desktop.core.exchange import qdpx

    fix = data.fixture(folder, article, count)
    scratch = folder / "work" / f"qda-{os.getpid()}"
    work = data.working_copy(fix, scratch)
    source = store.Store.open(work, create=False)
    doc, rows, links = data.load_rows(fix)
    tags = source.tags()
    results: dict[str, Any] = {}
    title = Path(source.path).stem

    out = scratch / "export.qdpx"
    warrant = measure.timed(lambda: exchange.export(source, "qdpx", out), repeat=repeat)
    floor_out = scratch / "floor.qdpx"
    floor = measure.timed(lambda: floor_qdpx(floor_out, title, doc, rows, links, tags), repeat=repeat)
    ours = qdpx.project_xml(exchange.select(source), generated=STAMP)
    same = ours == floor_qde(title, doc, rows, links, tags)
    results["qdpx"] = {"warrant": warrant, "floor": floor, "bytes": out.stat().st_size, "same": same}

    out = scratch / "export.xlsx"
    warrant = measure.timed(lambda: exchange.export(source, "xlsx", out), repeat=repeat)
    floor_out = scratch / "floor.xlsx"
    floor = measure.timed(lambda: floor_xlsx(floor_out, doc, rows, links, tags), repeat=repeat)
    same = _sheets(out) == _sheets(floor_out)
    results["xlsx"] = {"warrant": warrant, "floor": floor, "bytes": out.stat().st_size, "same": same}
    source.close()
    return {"formats": results, "peak_rss_mb": measure.peak_rss_mb()}
