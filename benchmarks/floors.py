"""Same-output floors for the exports: the same file, byte for byte, with the least machinery.

Each floor reads the annotation file with plain :mod:`sqlite3` (one cursor, rows as tuples, the same
``ORDER BY``) and writes the same bytes as Warrant's export, straight to the file:

* CSV: the :mod:`csv` module, the formula guard as one regular expression, paragraph numbers by bisect;
* W3C: :mod:`json` (``json.dumps`` of plain dicts), the collection's UUID 5 hashed with :mod:`hashlib`;
* HTML report: :func:`html.escape` into the same elements, no sanitiser (Warrant adds nh3 on top);
* Markdown report: the same lines with :func:`desktop.core.textutil.escape_markdown` (the escaping *is*
  the output, so the floor shares it).

Both reports need the argument's outline; the floors build it with the same
:func:`desktop.core.argument.build_outline`, so the outline's cost is in both and the ratio shows
the machinery around it. No Warrant export code (``desktop.core.exchange``) is used. The benchmark
checks that each floor's file equals Warrant's, and says so in its notes.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import html
import json
import re
import sqlite3
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from desktop.core import argument, model, textutil

NAMESPACE = uuid.UUID("8f6f1c52-7a0e-5b8e-9d1a-3c2b4e5f6a70")
COLUMNS = 'id, document, tag, start, "end", quote, prefix, suffix, note, author, created, modified'
ORDER = ' ORDER BY document, start, "end", created, id'
_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
_GUARD = re.compile(r"'*[=+\-@\t\r]")
_PARAGRAPHS = re.compile(r"\n[ \t\r\f\v]*\n")
_TIME = re.compile(r"^(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))$")


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _rows(conn: sqlite3.Connection, where: str = "", params: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    cursor = conn.execute(f"SELECT {COLUMNS} FROM annotations{where}{ORDER}", params)
    while chunk := cursor.fetchmany(2000):
        yield from chunk


def _documents(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return conn.execute("SELECT fingerprint, title, text FROM documents ORDER BY added, rowid").fetchall()


def _starts(text: str) -> list[int]:
    first = len(text) - len(text.lstrip())
    starts = [first if first < len(text) else 0]
    for m in _BREAK.finditer(text):
        if m.end() < len(text) and m.end() > starts[-1]:
            starts.append(m.end())
    return starts


def _write(path: Path, pieces: Iterator[str]) -> None:
    with open(path, "w", encoding="utf-8", errors="replace", newline="") as f:
        for piece in pieces:
            f.write(piece)


# -- CSV -------------------------------------------------------------------------------------------


def csv_floor(source: Path, out: Path) -> None:
    """The CSV export with the csv module: the same columns, page, readable link ends and grades included."""
    conn = _connect(source)
    docs = {fp: (title, _starts(text)) for fp, title, text in _documents(conn)}
    pages = {
        fp: [int(n) for n in starts.split()]
        for fp, starts in conn.execute("SELECT fingerprint, page_starts FROM documents")
    }
    ends = {i: (tag, quote) for i, tag, quote in conn.execute("SELECT id, tag, quote FROM annotations")}
    reliability = dict(conn.execute("SELECT document, reliability FROM document_grades"))
    credibility = dict(conn.execute("SELECT annotation, credibility FROM passage_grades"))

    def named(rel: str, other: str) -> str:
        if other not in ends:
            return f"{rel}:{other}"
        tag, quote = ends[other]
        words = quote.split()
        more = "\u2026" if len(words) > 6 else ""
        return f'{rel}:{other} ({tag}: "{" ".join(words[:6])}{more}")'

    outgoing: dict[str, list[str]] = defaultdict(list)
    incoming: dict[str, list[str]] = defaultdict(list)
    for src, tgt, rel in conn.execute("SELECT source, target, relation FROM links ORDER BY created, id"):
        outgoing[src].append(named(rel, tgt))
        incoming[tgt].append(named(rel, src))

    def g(v: str) -> str:
        return "'" + v if _GUARD.match(v) else v

    with open(out, "w", encoding="utf-8", errors="replace", newline="") as f:
        f.write("\ufeff")
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(
            "document fingerprint tag quote note start end paragraph page author created modified id links_to "
            "linked_from reliability credibility".split()
        )
        for i, doc, tag, s, e, quote, _p, _s, note, author, created, modified in _rows(conn):
            title, starts = docs[doc]
            page = max(1, bisect.bisect_right(pages[doc], s)) if pages[doc] else ""
            w.writerow(
                [g(title), doc, g(tag), g(quote), g(note), s, e, max(1, bisect.bisect_right(starts, s)), page,
                 g(author), g(created), g(modified), g(i), g("; ".join(outgoing.get(i, ()))),
                 g("; ".join(incoming.get(i, ()))), reliability.get(doc, ""), credibility.get(i, "")]
            )  # fmt: skip
    conn.close()


# -- W3C -------------------------------------------------------------------------------------------


def w3c_floor(source: Path, out: Path) -> None:
    """The W3C AnnotationCollection with json."""
    conn = _connect(source)
    docs = {fp: title for fp, title, _ in _documents(conn)}
    links = conn.execute(
        "SELECT id, source, target, relation, author, created FROM links ORDER BY created, id"
    ).fetchall()
    keys = [hashlib.sha1(NAMESPACE.bytes + b"collection\n"), hashlib.sha1(NAMESPACE.bytes + b"page\n")]
    total = 0
    ids = [r[0] for r in conn.execute("SELECT id FROM annotations" + ORDER)] + [k[0] for k in links]
    for item in ids:
        piece = (b"\n" if total else b"") + f"urn:uuid:{item}".encode()
        for key in keys:
            key.update(piece)
        total += 1
    del ids
    cid, pid = (uuid.UUID(bytes=k.digest()[:16], version=5) for k in keys)
    dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    label = "Warrant annotations" + (f": {next(iter(docs.values()))}" if len(docs) == 1 else "")

    def creator(name: str) -> dict[str, str]:
        return {"type": "Person", "name": name}

    def items() -> Iterator[str]:
        head = {"@context": "http://www.w3.org/ns/anno.jsonld", "id": f"urn:uuid:{cid}", "type": "AnnotationCollection"}
        head |= {"label": label, "total": total}
        page = {"id": f"urn:uuid:{pid}", "type": "AnnotationPage", "startIndex": 0}
        yield f'{json.dumps(head, ensure_ascii=False)[:-1]},\n "first": {json.dumps(page, ensure_ascii=False)[:-1]}, "items": [\n'
        sep = ""
        for i, doc, tag, s, e, quote, prefix, suffix, note, author, created, modified in _rows(conn):
            body: list[dict[str, Any]] = [{"type": "TextualBody", "purpose": "tagging", "value": tag}]
            if note:
                body.append({"type": "TextualBody", "purpose": "commenting", "value": note, "format": "text/plain"})
            obj: dict[str, Any] = {
                "@context": "http://www.w3.org/ns/anno.jsonld",
                "id": f"urn:uuid:{i}",
                "type": "Annotation",
            }
            obj["motivation"] = "commenting" if note else "highlighting"
            if author:
                obj["creator"] = creator(author)
            if _TIME.match(created):
                obj["created"] = created
            if _TIME.match(modified):
                obj["modified"] = modified
            obj["body"] = body
            obj["target"] = {
                "type": "SpecificResource",
                "source": {"id": f"urn:sha256:{doc}", "type": "Text", "label": docs[doc]},
                "selector": [
                    {"type": "TextQuoteSelector", "exact": quote, "prefix": prefix, "suffix": suffix},
                    {"type": "TextPositionSelector", "start": s, "end": e},
                ],
            }
            yield sep + dump(obj)
            sep = ",\n"
        for lid, src, tgt, rel, author, created in links:
            obj = {"@context": "http://www.w3.org/ns/anno.jsonld", "id": f"urn:uuid:{lid}", "type": "Annotation"}
            obj["motivation"] = "linking"
            if author:
                obj["creator"] = creator(author)
            if _TIME.match(created):
                obj["created"] = created
            obj["body"] = [{"id": f"urn:uuid:{tgt}"}, {"type": "TextualBody", "purpose": "tagging", "value": rel}]
            obj["target"] = f"urn:uuid:{src}"
            yield sep + dump(obj)
            sep = ",\n"
        yield "\n]}}\n"

    _write(out, items())
    conn.close()


# -- reports ---------------------------------------------------------------------------------------


class _Report:
    """What both report floors read: documents, tags, links, counts; rows streamed per document and tag."""

    def __init__(self, source: Path) -> None:
        self.conn = _connect(source)
        self.source = source
        self.docs = _documents(self.conn)
        self.tags = [
            model.Tag(*r)
            for r in self.conn.execute(
                "SELECT name, label, colour, shortcut, position FROM tags ORDER BY position, name"
            )
        ]
        self.relations = {n: lbl for n, lbl in self.conn.execute("SELECT name, label FROM relations")}
        self.links = [
            model.Link(*r)
            for r in self.conn.execute(
                "SELECT id, source, target, relation, author, created FROM links ORDER BY created, id"
            )
        ]
        self.counts = Counter(
            dict(
                ((d, t), n)
                for d, t, n in self.conn.execute("SELECT document, tag, count(*) FROM annotations GROUP BY 1, 2")
            )
        )
        names = [t.name for t in self.tags]
        default = ["claim", "evidence", "recommendation"]
        self.order = [n for n in default if n in names] + [n for n in names if n not in default]
        self.order += sorted({t for _, t in self.counts} - set(self.order))
        self.labels = {t.name: t.label for t in self.tags}
        self.total = sum(self.counts.values())

    def heading(self, name: str) -> str:
        return (
            {"claim": "Claims", "evidence": "Evidence", "recommendation": "Recommendations"}.get(name)
            or self.labels.get(name)
            or name
        )

    def rows(self, doc: str, tag: str | None = None) -> Iterator[model.Annotation]:
        where, params = (" WHERE document = ? AND tag = ?", (doc, tag)) if tag else (" WHERE document = ?", (doc,))
        for r in _rows(self.conn, where, params):
            yield model.Annotation(*r)

    def outline(self, doc: str) -> argument.Outline:
        anns = list(self.rows(doc))
        ids = {a.id for a in anns}
        return argument.build_outline(anns, [k for k in self.links if k.source in ids], self.tags)


def _split_note(note: str) -> list[list[str]]:
    out = []
    for par in _PARAGRAPHS.split(note.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [x for x in (textutil.one_line(line) for line in par.split("\n")) if x]
        if lines:
            out.append(lines)
    return out


def markdown_floor(source: Path, out: Path, generated: str) -> None:
    """The Markdown report, written directly."""
    r = _Report(source)
    esc = textutil.escape_markdown

    def pieces() -> Iterator[str]:
        yield f"# Tagged passages\n\n{r.total} passage{'s' if r.total != 1 else ''} \u00b7 from {esc(source.name)}"
        if generated:
            yield f" \u00b7 exported {esc(generated[:16].replace('T', ' '))}"
        several = sum(1 for fp, _, _ in r.docs if any(r.counts[fp, t] for t in r.order)) > 1
        for fp, title, text in r.docs:
            starts = _starts(text)
            n = sum(r.counts[fp, t] for t in r.order)
            yield f"\n\n## {esc(title) or 'Untitled'}\n\n`{fp[:16]}` \u00b7 {n} passage{'s' if n != 1 else ''}"
            for name in r.order:
                if not r.counts[fp, name]:
                    continue
                yield f"\n\n### {esc(r.heading(name))} ({r.counts[fp, name]})"
                for a in r.rows(fp, name):
                    quote = textutil.escape_markdown_block(a.quote) or "\u2026"
                    block = "\n".join("> " + x if x else ">" for x in quote.split("\n"))
                    where = f"\u00b6 {max(1, bisect.bisect_right(starts, a.start))} \u00b7 characters {a.start}\u2013{a.end}"
                    where += f" \u00b7 {esc(a.author)}" if a.author else ""
                    where += f" \u00b7 {esc(a.created[:10])}" if a.created else ""
                    yield f"\n\n{block}\n\n{where}"
                    if a.note.strip():
                        note = "\n\n".join("  \n".join(esc(x) for x in p) for p in _split_note(a.note))
                        if note:
                            yield "\n\n**Note:** " + note
        if r.total:
            yield "\n\n## Argument"
            for fp, title, _ in r.docs:
                if not any(r.counts[fp, t] for t in r.order):
                    continue
                if several:
                    yield f"\n\n### {esc(title) or 'Untitled'}"
                text = argument.outline_markdown(
                    r.outline(fp),
                    r.tags,
                    relations=[model.Relation(n, lbl) for n, lbl in r.relations.items()],
                    heading_level=4 if several else 3,
                )
                yield "\n\n" + text.rstrip("\n")
        yield "\n"

    _write(out, pieces())


def html_floor(source: Path, out: Path, generated: str, css: str, csp: str) -> None:
    """The HTML report, written directly with html.escape (no sanitiser)."""
    r = _Report(source)

    def h(text: str) -> str:
        return html.escape(textutil.one_line(text), quote=False)

    def pieces() -> Iterator[str]:
        colours = {t.name: t.colour for t in r.tags}
        rules = []
        for i, name in enumerate(r.order):
            c = colours.get(name, "#8c8c8c")
            rules.append(f"section.tag-{i} {{ --tag: {c if re.match(r'^#[0-9a-fA-F]{6}$', c) else '#8c8c8c'}; }}")
        title = "Tagged passages" + (f": {r.docs[0][1]}" if len(r.docs) == 1 else "")
        yield (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
            '<meta name="referrer" content="no-referrer">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(textutil.one_line(title))}</title>\n<style>{css}"
            + "\n".join(rules)
            + "\n</style>\n</head>\n<body>\n"
        )
        facts = f"{r.total} passage{'s' if r.total != 1 else ''} \u00b7 from {h(source.name)}"
        if generated:
            facts += f" \u00b7 exported {h(generated[:16].replace('T', ' '))}"
        yield f'<section class="head">\n<h1>Tagged passages</h1>\n<p>{facts}</p>\n</section>\n'
        several = sum(1 for fp, _, _ in r.docs if any(r.counts[fp, t] for t in r.order)) > 1
        for fp, title, text in r.docs:
            starts = _starts(text)
            n = sum(r.counts[fp, t] for t in r.order)
            yield f'<section class="document">\n<h2>{h(title) or "Untitled"}</h2>\n<p><code>{fp[:16]}</code> \u00b7 {n} passage{"s" if n != 1 else ""}</p>\n</section>\n'
            for i, name in enumerate(r.order):
                if not r.counts[fp, name]:
                    continue
                yield f'<section class="tag tag-{i}">\n<h3>{h(r.heading(name))} ({r.counts[fp, name]})</h3>\n'
                for a in r.rows(fp, name):
                    paras = [
                        p
                        for p in (h(x) for x in _PARAGRAPHS.split(a.quote.replace("\r\n", "\n").replace("\r", "\n")))
                        if p
                    ] or ["\u2026"]
                    where = f"\u00b6 {max(1, bisect.bisect_right(starts, a.start))} \u00b7 characters {a.start}\u2013{a.end}"
                    where += f" \u00b7 {h(a.author)}" if a.author else ""
                    where += f" \u00b7 {h(a.created[:10])}" if a.created else ""
                    yield "<blockquote>\n<p>" + "</p>\n<p>".join(paras) + f"</p>\n</blockquote>\n<p>{where}</p>\n"
                    note = _split_note(a.note) if a.note.strip() else []
                    if note:
                        yield (
                            "<p><strong>Note:</strong> "
                            + "</p>\n<p>".join("<br>\n".join(html.escape(x, quote=False) for x in p) for p in note)
                            + "</p>\n"
                        )
                yield "</section>\n"
        if r.total:
            yield '<section class="argument">\n<h2>Argument</h2>\n'
            for fp, title, _ in r.docs:
                if not any(r.counts[fp, t] for t in r.order):
                    continue
                if several:
                    yield f"<h3>{h(title) or 'Untitled'}</h3>\n"
                yield from _html_outline(r, r.outline(fp), 4 if several else 3, h)
            yield "</section>\n"
        yield "</body>\n</html>\n"

    _write(out, pieces())


def _html_outline(r: _Report, outline: argument.Outline, level: int, h: Callable[[str], str]) -> Iterator[str]:
    hl = f"h{level}"

    def item(a: model.Annotation) -> str:
        return f"<strong>{h(r.labels.get(a.tag, a.tag))}</strong>: \u201c{h(a.quote)}\u201d"

    yield f"<{hl}>Outline</{hl}>\n"
    if not outline.roots:
        yield "<p>No claims yet.</p>\n"
    previous = -1
    for depth, node in argument.walk(outline.roots):
        shown = min(depth, argument.MAX_INDENT)
        text = item(node.annotation)
        if node.relation is not None:
            text = f"<em>{h(r.relations.get(node.relation, node.relation))}</em>: {text}"
        if node.repeated:
            text += " (see above)"
        if depth > argument.MAX_INDENT:
            text = f"(level {depth}) {text}"
        if previous < 0 or shown > previous:
            yield "<ul>\n"
        else:
            yield "</li>\n" + "</ul>\n</li>\n" * (previous - shown)
        yield "<li>" + text
        previous = shown
    if previous >= 0:
        yield "</li>\n" + "</ul>\n</li>\n" * previous + "</ul>\n"
    if outline.unlinked:
        yield (
            f"<{hl}>Not linked ({len(outline.unlinked)})</{hl}>\n<ul>\n"
            + "".join(f"<li>{item(a)}</li>\n" for a in outline.unlinked)
            + "</ul>\n"
        )
    yield f"<{hl}>Weak points ({outline.weak.total})</{hl}>\n<ul>\n"
    for _name, label, found in outline.weak.items():
        yield f"<li>{label}: {len(found)}"
        if found:
            yield "<ul>\n" + "".join(f"<li>{item(a)}</li>\n" for a in found) + "</ul>\n"
        yield "</li>\n"
    yield "</ul>\n"
