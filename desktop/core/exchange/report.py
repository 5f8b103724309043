"""Markdown and self-contained HTML reports: passages by document and tag, then the argument's outline.

The report lists each document's passages grouped by tag (Claims, Evidence, Recommendations, then
the analyst's own tags in the tag set's order). Each passage is a block quote followed by its
location (paragraph number, page where the document has pages, code-point offsets), author and
date, and its note (line breaks kept). After the passages comes an "Argument" section: the outline
and weak points of :mod:`desktop.core.argument`, computed from the passages in the report.

Both reports are written directly, piece by piece, to a text stream (:func:`write_markdown`,
:func:`write_html`), reading the passages a document and a tag at a time
(:class:`desktop.core.exchange.rows.Rows`), so time grows linearly with the passages and memory
does not grow with the output.

In the Markdown report everything a user wrote (quotes, notes, titles, tag labels, authors) is
escaped once with :func:`desktop.core.textutil.escape_markdown`, so it renders as text and can
never become a link, an image or HTML. The HTML report writes the same text through
:func:`html.escape` into a fixed set of elements (the HTML the Markdown report renders to), and
each piece is then sanitised by ``nh3`` with an allow-list of tags as a second line of defence. The
HTML file has no scripts and loads nothing: its Content-Security-Policy forbids both.
"""

from __future__ import annotations

import functools
import html as html_lib
import io
import re
import sys
from collections.abc import Callable, Iterable, Iterator

from desktop.core import argument, assessment, model, textutil
from desktop.core.exchange import rows as rows_lib
from desktop.core.exchange import scope

DEFAULT_ORDER: tuple[str, ...] = ("claim", "evidence", "recommendation")
HEADINGS: dict[str, str] = {"claim": "Claims", "evidence": "Evidence", "recommendation": "Recommendations"}

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'"
"""The HTML report's Content-Security-Policy: no scripts, no remote loads, inline styles only."""

ALLOWED_TAGS: frozenset[str] = frozenset(
    "h1 h2 h3 h4 h5 h6 p blockquote ul ol li em strong code pre hr br section div span small".split()
    + "table thead tbody tr th td".split()  # issue 17: the grades and the ACH matrix
)
"""Every HTML element the report may contain after sanitising (no links, images, forms or scripts)."""

BATCH = 500
"""Passages (or outline lines) written, and sanitised, together in the HTML report."""

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_FALLBACK_COLOUR = "#8c8c8c"
_PARAGRAPHS = re.compile(r"\n[ \t\r\f\v]*\n")

_CSS = """
:root { color-scheme: light; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans", sans-serif; color: #1f1f1f;
  background: #fff; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; }
h2 { font-size: 1.3rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2.5rem; }
h3 { font-size: 1.1rem; padding-left: .5rem; border-left: 6px solid var(--tag, #8c8c8c); }
blockquote { margin: 1rem 0 .25rem; padding: .25rem .75rem; border-left: 4px solid var(--tag, #8c8c8c);
  background: #f7f7f7; }
blockquote p, li, .meta { unicode-bidi: plaintext; text-align: start; }
p { margin: .4rem 0; }
code { font-size: .9em; }
.argument h3, .argument h4 { border-left: none; padding-left: 0; }
@media print {
  body { max-width: none; margin: 0; font-size: 11pt; color: #000; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  blockquote { background: none; break-inside: avoid; page-break-inside: avoid; }
  section.tag > blockquote + p { break-before: avoid; }
}
"""


def _heading(tag: model.Tag | None, name: str) -> str:
    if name in HEADINGS:
        return HEADINGS[name]
    return tag.label if tag is not None and tag.label else name


def _order(selection: scope.Selection, used: Iterable[str]) -> list[str]:
    names = [t.name for t in selection.tags]
    ordered = [n for n in DEFAULT_ORDER if n in names]
    ordered += [n for n in names if n not in DEFAULT_ORDER]
    ordered += sorted(set(used) - set(ordered))
    return ordered


def tag_order(selection: scope.Selection) -> list[str]:
    """Return the order the report's tag groups come in: the three defaults, then the rest in tag-set order."""
    return _order(selection, {a.tag for a in selection.annotations})


def _paragraphs(text: str) -> list[str]:
    """Split user text into paragraphs (blank-line separated), each a list of its lines joined by newlines."""
    return _PARAGRAPHS.split(text.replace("\r\n", "\n").replace("\r", "\n"))


def _note_paragraphs(note: str) -> list[list[str]]:
    """A note as paragraphs of lines, each line on one line (white space runs, controls and bidi overrides gone)."""
    out = []
    for paragraph in _paragraphs(note):
        lines = [line for line in (_one_line(x) for x in paragraph.split("\n")) if line]
        if lines:
            out.append(lines)
    return out


class _Writer:
    """Shared by both reports: what to write, in what order; each format supplies how."""

    def __init__(self, rows: rows_lib.Rows, title: str | None, generated: str | None, with_argument: bool) -> None:
        self.rows = rows
        self.selection = rows.selection
        self.tags = {t.name: t for t in rows.selection.tags}
        self.order = _order(rows.selection, rows.tags_used)
        self.position = {name: i for i, name in enumerate(self.order)}
        self.title = title
        self.generated = model.now_utc() if generated is None else generated
        self.with_argument = with_argument
        self.tag_labels = {t.name: t.label for t in rows.selection.tags}
        self.relation_labels = {r.name: r.label for r in rows.selection.relations}

    def facts(self, esc: Callable[[str], str]) -> str:
        """The line under the title: how many passages, from which file, when (user text through ``esc``)."""
        count = self.rows.count
        source = self.selection.source.replace(chr(92), "/").rsplit("/", 1)[-1]
        facts = [f"{count} passage{'s' if count != 1 else ''}", f"from {esc(source)}"]
        if self.generated:
            facts.append(f"exported {esc(self.generated[:16].replace('T', ' '))}")
        return " \u00b7 ".join(facts)

    def where(self, a: model.Annotation) -> list[str]:
        """The passage's location line, as plain text pieces joined by " · " (author and date last)."""
        doc = self.selection.document(a.document)
        pieces = [f"\u00b6 {self.selection.paragraph(a)}"]
        page = doc.page_at(a.start)
        if page is not None:
            pieces.append(f"p. {page}")
        pieces.append(f"characters {a.start}\u2013{a.end}")
        if a.author:
            pieces.append(a.author)
        if a.created:
            pieces.append(a.created[:10])
        return pieces

    def groups(self, doc: model.Document) -> Iterator[tuple[str, int]]:
        """The tag groups of one document with their counts, in report order."""
        for name in self.order:
            n = self.rows.groups.get((doc.fingerprint, name), 0)
            if n:
                yield name, n

    def count_of(self, doc: model.Document) -> int:
        return sum(n for _, n in self.groups(doc))

    def outlines(self) -> Iterator[tuple[model.Document, argument.Outline]]:
        """Each document with passages and its outline, one document in memory at a time."""
        for doc in self.selection.documents:
            if not self.count_of(doc):
                continue
            # The outline needs only what it shows: prefix, suffix, note, author and times are left out, and
            # the document and tag strings shared, so a 200,000-passage outline holds half the memory.
            fingerprint = sys.intern(doc.fingerprint)
            annotations = [
                model.Annotation(a.id, fingerprint, sys.intern(a.tag), a.start, a.end, a.quote)
                for a in self.rows.of(doc.fingerprint)
            ]
            ids = {a.id for a in annotations}
            links = [k for k in self.selection.links if k.source in ids]
            del ids
            yield doc, argument.build_outline(annotations, links, self.selection.tags)

    def several(self) -> bool:
        return len([d for d in self.selection.documents if self.count_of(d)]) > 1

    def assessment_sections(self) -> list[dict[str, object]]:
        """Issue 17: the grades, their rationales and the ACH matrix of the report's passages, as
        :func:`desktop.core.assessment.report_sections` gives them (plain text); none when nothing is assessed."""
        source = self.rows._store  # streamed: the grades are read here, once
        if source is not None and not (source.document_grades() or source.hypotheses() or source.passage_grades()):
            return []  # nothing assessed: no passage is read for it
        # The matrix needs the evidence passages and hypotheses in memory (those only, and only when assessed).
        assessed = assessment.load(source) if source is not None else self.selection.assessments
        if not (assessed.reliability or assessed.credibility or assessed.hypotheses):
            return []
        ids: set[str] | None = None
        if source is None:
            ids = {a.id for a in self.selection.annotations}
        elif self.selection.filters:
            ids = {a.id for a in self.rows.all()}
        if ids is not None:
            assessed = assessment.Assessments(
                reliability=assessed.reliability,
                credibility={i: g for i, g in assessed.credibility.items() if i in ids},
                hypotheses={i: h for i, h in assessed.hypotheses.items() if i in ids},
                ratings={k: r for k, r in assessed.ratings.items() if k[0] in ids and k[1] in ids},
                passages={i: a for i, a in assessed.passages.items() if i in ids},
            )
        matrix = assessment.build(assessed)
        return assessment.report_sections(matrix, assessed, self.selection.documents)


def _listed_again(outline: argument.Outline) -> set[str]:
    """The annotations the outline's weak points list (their text is written once and kept for them)."""
    return {a.id for _name, _label, found in outline.weak.items() for a in found}


# -- Markdown ------------------------------------------------------------------------------------


def _md_quote(text: str) -> str:
    escaped = textutil.escape_markdown_block(text) or "\u2026"
    return "\n".join("> " + line if line else ">" for line in escaped.split("\n"))


def _md_note(note: str) -> str:
    """A note as Markdown: paragraphs kept, each line break kept as a hard break (two spaces)."""
    paragraphs = _note_paragraphs(note)
    return "\n\n".join("  \n".join(textutil.escape_markdown(line) for line in lines) for lines in paragraphs)


class _Markdown(_Writer):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.esc = functools.lru_cache(maxsize=4096)(textutil.escape_markdown)

    def passage(self, a: model.Annotation, *, with_tag: bool = False) -> str:
        pieces = self.where(a)
        n = len(pieces) - bool(a.author) - bool(a.created)
        where = " \u00b7 ".join(pieces[:n] + [self.esc(p) for p in pieces[n:]])
        if with_tag:
            tag = self.tags.get(a.tag)
            where = f"**{self.esc(tag.label if tag is not None else a.tag)}** \u00b7 " + where
        text = _md_quote(a.quote) + "\n\n" + where
        note = _md_note(a.note) if a.note.strip() else ""
        if note:
            text += "\n\n**Note:** " + note
        return text

    def write(self, out: rows_lib.Sink) -> None:
        esc = self.esc
        out.write(f"# {esc(self.title or 'Tagged passages')}\n\n")
        out.write(self.facts(esc))
        if self.selection.filters:
            out.write("\n\nOnly " + "; ".join(esc(f) for f in self.selection.filters))
        for doc in self.selection.documents:
            n = self.count_of(doc)
            out.write(
                f"\n\n## {esc(doc.title) or 'Untitled'}\n\n`{doc.fingerprint[:16]}` \u00b7 {n} passage{'s' if n != 1 else ''}"
            )
            for name, count in self.groups(doc):
                out.write(f"\n\n### {esc(_heading(self.tags.get(name), name))} ({count})")
                for a in self.rows.of(doc.fingerprint, name):
                    out.write("\n\n" + self.passage(a))
        if self.with_argument and self.rows.count:
            out.write("\n\n## Argument")
            if self.selection.filters:
                out.write("\n\nComputed from the passages in this report only.")
            several = self.several()
            for doc, outline in self.outlines():
                if several:
                    out.write(f"\n\n### {esc(doc.title) or 'Untitled'}")
                out.write("\n\n")
                self.outline(out, outline, 4 if several else 3)
        self.assessment(out)
        out.write("\n")

    def assessment(self, out: rows_lib.Sink) -> None:
        """The "Assessment" section: each part a Markdown table of escaped cells, then its notes."""
        sections = self.assessment_sections()
        if not sections:
            return

        def cell(value: object) -> str:
            return textutil.escape_markdown(str(value)) or " "  # a pipe becomes &#124;: the columns hold

        out.write("\n\n## Assessment")
        for section in sections:
            columns = [str(c) for c in section["columns"]]  # type: ignore[attr-defined]
            rows = section["rows"]
            out.write(f"\n\n### {cell(section['title'])}\n")
            if not rows:
                out.write("\nNone yet.")
            else:
                out.write("\n| " + " | ".join(cell(c) for c in columns) + " |")
                out.write("\n|" + "---|" * len(columns))
                for row in rows:  # type: ignore[attr-defined]
                    out.write("\n| " + " | ".join(cell(v) for v in row) + " |")
            for note in section["notes"]:  # type: ignore[attr-defined]
                out.write("\n\n- " + cell(note))

    def outline(self, out: rows_lib.Sink, outline: argument.Outline, level: int) -> None:
        """The same Markdown as :func:`desktop.core.argument.outline_markdown`, written line by line."""
        hashes = "#" * min(max(level, 1), 6)
        esc = self.esc
        items: dict[str, str] = {}
        again = _listed_again(outline)

        def item(a: model.Annotation) -> str:
            text = items.get(a.id)
            if text is None:
                label = esc(self.tag_labels.get(a.tag, a.tag))
                text = f"**{label}**: \u201c{textutil.escape_markdown(a.quote)}\u201d"
                if a.id in again:
                    items[a.id] = text
            return text

        out.write(f"{hashes} Outline\n")
        if not outline.roots:
            out.write("\nNo claims yet.")
        for depth, node in argument.walk(outline.roots):
            text = item(node.annotation)
            if node.relation is not None:
                text = f"_{esc(self.relation_labels.get(node.relation, node.relation))}_: {text}"
            if node.repeated:
                text += " (see above)"
            if depth > argument.MAX_INDENT:
                text = f"(level {depth}) {text}"
            out.write("\n" + "    " * min(depth, argument.MAX_INDENT) + "- " + text)
        if outline.unlinked:
            out.write(f"\n\n{hashes} Not linked ({len(outline.unlinked)})\n")
            for a in outline.unlinked:
                out.write("\n- " + item(a))
        out.write(f"\n\n{hashes} Weak points ({outline.weak.total})\n")
        for _name, label, found in outline.weak.items():
            out.write(f"\n- {label}: {len(found)}")
            for a in found:
                out.write("\n    - " + item(a))


# -- HTML ----------------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    """:func:`desktop.core.textutil.one_line`, without its two regular expressions for text already on one line.

    ``str.isprintable`` is false for every control, format (bidi) and separator character but the
    space, so such text only needs its doubled, leading and trailing spaces looked at.
    """
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return textutil.one_line(text)


def _h(text: str) -> str:
    """User text as HTML text on one line (what the escaped Markdown renders to)."""
    return html_lib.escape(_one_line(text), quote=False)


def _html_note(note: str) -> str:
    paragraphs = _note_paragraphs(note)
    rendered = ["<br>\n".join(html_lib.escape(line, quote=False) for line in lines) for lines in paragraphs]
    return "<p><strong>Note:</strong> " + "</p>\n<p>".join(rendered) + "</p>"


def _html_quote(text: str) -> str:
    paragraphs = [p for p in (_h(x) for x in _paragraphs(text)) if p] or ["\u2026"]
    return "<blockquote>\n<p>" + "</p>\n<p>".join(paragraphs) + "</p>\n</blockquote>"


class _Html(_Writer):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.h = functools.lru_cache(maxsize=4096)(_h)

    def passage(self, a: model.Annotation) -> str:
        where = " \u00b7 ".join(self.h(p) for p in self.where(a))
        text = f"{_html_quote(a.quote)}\n<p>{where}</p>"
        if a.note.strip() and _note_paragraphs(a.note):
            text += "\n" + _html_note(a.note)
        return text

    def css(self) -> str:
        colours = {t.name: t.colour for t in self.selection.tags}
        rules = []
        for i, name in enumerate(self.order):
            colour = colours.get(name, _FALLBACK_COLOUR)
            if not _COLOUR.match(colour):
                colour = _FALLBACK_COLOUR
            rules.append(f"section.tag-{i} {{ --tag: {colour}; }}")
        rules.append("table { border-collapse: collapse; } th, td { border: 1px solid #bbb; padding: .2rem .4rem; }")
        return "\n".join(rules)

    def write(self, out: rows_lib.Sink) -> None:
        h = self.h
        page_title = self.title or "Tagged passages"
        if len(self.selection.documents) == 1:
            page_title += f": {self.selection.documents[0].title}"
        out.write(
            "<!DOCTYPE html>\n"
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="referrer" content="no-referrer">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html_lib.escape(textutil.one_line(page_title))}</title>\n"
            f"<style>{_CSS}{self.css()}\n</style>\n</head>\n<body>\n"
        )
        head = [f"<h1>{h(self.title or 'Tagged passages')}</h1>", f"<p>{self.facts(h)}</p>"]
        if self.selection.filters:
            head.append("<p>Only " + "; ".join(h(f) for f in self.selection.filters) + "</p>")
        self.section(out, "head", head)
        for doc in self.selection.documents:
            n = self.count_of(doc)
            self.section(
                out,
                "document",
                [
                    f"<h2>{h(doc.title) or 'Untitled'}</h2>",
                    f"<p><code>{h(doc.fingerprint[:16])}</code> \u00b7 {n} passage{'s' if n != 1 else ''}</p>",
                ],
            )
            for name, count in self.groups(doc):
                heading = f"<h3>{h(_heading(self.tags.get(name), name))} ({count})</h3>"
                passages = (self.passage(a) for a in self.rows.of(doc.fingerprint, name))
                self.section(out, f"tag tag-{self.position[name]}", _chain([heading], passages))
        if self.with_argument and self.rows.count:
            self.section(out, "argument", self.argument_section())
        sections = self.assessment_sections()
        if sections:
            self.section(out, "assessment", self.assessment(sections))
        out.write("</body>\n</html>\n")

    def assessment(self, sections: list[dict[str, object]]) -> Iterator[str]:
        """The "Assessment" section: each part a table of escaped cells, then its notes."""
        h = self.h
        yield "<h2>Assessment</h2>"
        for section in sections:
            yield f"<h3>{h(str(section['title']))}</h3>"
            rows = section["rows"]
            if not rows:
                yield "<p>None yet.</p>"
            else:
                head = "".join(f"<th>{h(str(c))}</th>" for c in section["columns"])  # type: ignore[attr-defined]
                body = "\n".join(
                    "<tr>" + "".join(f"<td>{h(str(v))}</td>" for v in row) + "</tr>"
                    for row in rows  # type: ignore[attr-defined]
                )
                yield f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"
            notes = [f"<li>{h(str(n))}</li>" for n in section["notes"]]  # type: ignore[attr-defined]
            if notes:
                yield "<ul>\n" + "\n".join(notes) + "\n</ul>"

    @staticmethod
    def section(out: rows_lib.Sink, css_class: str, pieces: Iterable[str]) -> None:
        """Write ``<section class=...>`` and its pieces, each a whole element, sanitised :data:`BATCH` at a time.

        A :class:`_Raw` piece is markup of ours (a list's tags around whole items), written as it is.
        """
        out.write(f'<section class="{css_class}">\n')
        batch: list[str] = []
        for piece in pieces:
            if isinstance(piece, _Raw):
                if batch:
                    out.write(sanitise("\n".join(batch)) + "\n")
                    batch.clear()
                out.write(piece)
                continue
            batch.append(piece)
            if len(batch) >= BATCH:
                out.write(sanitise("\n".join(batch)) + "\n")
                batch.clear()
        if batch:
            out.write(sanitise("\n".join(batch)) + "\n")
        out.write("</section>\n")

    def argument_section(self) -> Iterator[str]:
        yield "<h2>Argument</h2>"
        if self.selection.filters:
            yield "<p>Computed from the passages in this report only.</p>"
        several = self.several()
        level = 4 if several else 3
        for doc, outline in self.outlines():
            if several:
                yield f"<h3>{self.h(doc.title) or 'Untitled'}</h3>"
            yield from self.outline(outline, level)

    def outline(self, outline: argument.Outline, level: int) -> Iterator[str]:
        """The outline as nested lists: the HTML the Markdown outline renders to."""
        hl = f"h{min(max(level, 1), 6)}"
        h = self.h
        items: dict[str, str] = {}
        again = _listed_again(outline)

        def item(a: model.Annotation) -> str:
            text = items.get(a.id)
            if text is None:
                text = f"<strong>{h(self.tag_labels.get(a.tag, a.tag))}</strong>: \u201c{_h(a.quote)}\u201d"
                if a.id in again:
                    items[a.id] = text
            return text

        yield f"<{hl}>Outline</{hl}>"
        if not outline.roots:
            yield "<p>No claims yet.</p>"
        # Each root's subtree is one whole <li>, sanitised as such; the list around them is ours.
        parts: list[str] = []
        previous = -1
        for depth, node in argument.walk(outline.roots):
            shown = min(depth, argument.MAX_INDENT)
            text = item(node.annotation)
            if node.relation is not None:
                text = f"<em>{h(self.relation_labels.get(node.relation, node.relation))}</em>: {text}"
            if node.repeated:
                text += " (see above)"
            if depth > argument.MAX_INDENT:
                text = f"(level {depth}) {text}"
            if previous < 0:
                yield _Raw("<ul>\n")
            elif shown > previous:
                parts.append("<ul>\n")
            else:
                parts.append("</li>\n" + "</ul>\n</li>\n" * (previous - shown))
                if shown == 0:
                    yield "".join(parts)[: -len("\n")]
                    parts.clear()
            parts.append("<li>" + text)
            previous = shown
        if previous >= 0:
            parts.append("</li>" + "\n</ul>\n</li>" * previous)
            yield "".join(parts)
            yield _Raw("</ul>\n")
        # The lists below may hold every passage: each item is its own piece (sanitised in batches), the
        # list's tags around them are ours.
        if outline.unlinked:
            yield f"<{hl}>Not linked ({len(outline.unlinked)})</{hl}>"
            yield _Raw("<ul>\n")
            yield from (f"<li>{item(a)}</li>" for a in outline.unlinked)
            yield _Raw("</ul>\n")
        yield f"<{hl}>Weak points ({outline.weak.total})</{hl}>"
        yield _Raw("<ul>\n")
        for _name, label, found in outline.weak.items():
            if not found:
                yield f"<li>{label}: 0</li>"
                continue
            yield _Raw(f"<li>{html_lib.escape(label)}: {len(found)}<ul>\n")
            yield from (f"<li>{item(a)}</li>" for a in found)
            yield _Raw("</ul>\n</li>\n")
        yield _Raw("</ul>\n")


class _Raw(str):
    """Markup of the report's own (never user text), written without sanitising."""


def _chain(first: Iterable[str], rest: Iterable[str]) -> Iterator[str]:
    yield from first
    yield from rest


def sanitise(fragment: str) -> str:
    """Keep only :data:`ALLOWED_TAGS` (and ``class`` on sections) in an HTML fragment, with nh3."""
    import nh3

    return str(
        nh3.clean(
            fragment,
            tags=set(ALLOWED_TAGS),
            clean_content_tags={"script", "style", "template", "noscript", "iframe", "object", "svg", "math"},
            attributes={"section": {"class"}},
            strip_comments=True,
            link_rel=None,
            url_schemes=set(),
        )
    )


def write_markdown(
    rows: rows_lib.Rows,
    out: rows_lib.Sink,
    *,
    title: str | None = None,
    generated: str | None = None,
    with_argument: bool = True,
) -> None:
    """Write the Markdown report of ``rows`` to ``out``, piece by piece (see :func:`markdown`)."""
    _Markdown(rows, title, generated, with_argument).write(out)


def write_html(
    rows: rows_lib.Rows,
    out: rows_lib.Sink,
    *,
    title: str | None = None,
    generated: str | None = None,
    with_argument: bool = True,
) -> None:
    """Write the HTML report of ``rows`` to ``out``, piece by piece (see :func:`html`)."""
    _Html(rows, title, generated, with_argument).write(out)


def _to_string(writer: Callable[..., None], selection: scope.Selection, **options: object) -> str:
    buffer = io.StringIO()
    writer(rows_lib.held(selection), buffer, **options)
    return buffer.getvalue()


def markdown(
    selection: scope.Selection,
    *,
    title: str | None = None,
    generated: str | None = None,
    with_argument: bool = True,
) -> str:
    """Return the report as Markdown.

    Args:
        selection: the passages (:func:`desktop.core.exchange.scope.select`).
        title: the report's heading (default "Tagged passages").
        generated: the time shown as the export time (default now; "" to leave it out).
        with_argument: add the "Argument" section (outline and weak points).

    Returns:
        Markdown in which nothing a user wrote can become markup.
    """
    return _to_string(write_markdown, selection, title=title, generated=generated, with_argument=with_argument)


def html(
    selection: scope.Selection,
    *,
    title: str | None = None,
    generated: str | None = None,
    with_argument: bool = True,
) -> str:
    """Return the report as one self-contained HTML page (inline CSS, no scripts, nothing loaded).

    Args:
        selection: the passages.
        title: the report's heading (default "Tagged passages").
        generated: the time shown as the export time (default now; "" to leave it out).
        with_argument: add the "Argument" section.

    Returns:
        The HTML document: user text escaped with :func:`html.escape` into fixed elements, each piece
        sanitised by ``nh3``, with a strict Content-Security-Policy, tag colours and print styles.
    """
    return _to_string(write_html, selection, title=title, generated=generated, with_argument=with_argument)


def annotations_markdown(selection: scope.Selection, annotation_ids: Iterable[str] | None = None) -> str:
    """Return just the passages (no heading, no argument) as Markdown, for "copy as Markdown".

    Args:
        selection: the passages.
        annotation_ids: keep only these (default: all of ``selection``).
    """
    wanted = None if annotation_ids is None else set(annotation_ids)
    writer = _Markdown(rows_lib.held(selection), None, "", False)
    blocks = [writer.passage(a, with_tag=True) for a in selection.annotations if wanted is None or a.id in wanted]
    return "\n\n".join(blocks) + ("\n" if blocks else "")
