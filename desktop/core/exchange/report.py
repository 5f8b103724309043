"""Markdown and self-contained HTML reports: passages by document and tag, then the argument's outline.

The report lists each document's passages grouped by tag (Claims, Evidence, Recommendations, then
the analyst's own tags in the tag set's order). Each passage is a block quote followed by its
location (paragraph number, code-point offsets), author and date, and its note. After the passages
comes an "Argument" section: the outline and weak points of :mod:`desktop.core.argument`, computed
from the passages in the report.

Everything a user wrote (quotes, notes, titles, tag labels, authors) is escaped with
:func:`desktop.core.textutil.escape_markdown`, so it renders as text and can never become a link,
an image or HTML. The HTML report is rendered from the same Markdown with the ``markdown`` package,
configured without links, images, references, autolinks or raw HTML, and then sanitised by ``nh3``
with an allow-list of tags as a second line of defence. The HTML file has no scripts and loads
nothing: its Content-Security-Policy forbids both.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from desktop.core import argument, model, textutil
from desktop.core.exchange import scope

if TYPE_CHECKING:
    import markdown as markdown_lib

DEFAULT_ORDER: tuple[str, ...] = ("claim", "evidence", "recommendation")
HEADINGS: dict[str, str] = {"claim": "Claims", "evidence": "Evidence", "recommendation": "Recommendations"}

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'"
"""The HTML report's Content-Security-Policy: no scripts, no remote loads, inline styles only."""

ALLOWED_TAGS: frozenset[str] = frozenset(
    "h1 h2 h3 h4 h5 h6 p blockquote ul ol li em strong code pre hr br section div span small".split()
)
"""Every HTML element the report may contain after sanitising (no links, images, forms or scripts)."""

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_FALLBACK_COLOUR = "#8c8c8c"

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


def tag_order(selection: scope.Selection) -> list[str]:
    """Return the order the report's tag groups come in: the three defaults, then the rest in tag-set order."""
    names = [t.name for t in selection.tags]
    ordered = [n for n in DEFAULT_ORDER if n in names]
    ordered += [n for n in names if n not in DEFAULT_ORDER]
    ordered += sorted({a.tag for a in selection.annotations} - set(ordered))
    return ordered


def _quote_block(text: str) -> str:
    escaped = textutil.escape_markdown_block(text) or "\u2026"
    return "\n".join("> " + line if line else ">" for line in escaped.split("\n"))


def _passage(selection: scope.Selection, a: model.Annotation, *, with_tag: bool = False) -> str:
    where = f"\u00b6 {selection.paragraph(a)} \u00b7 characters {a.start}\u2013{a.end}"
    if with_tag:
        tag = selection.tag(a.tag)
        where = f"**{textutil.escape_markdown(tag.label if tag is not None else a.tag)}** \u00b7 " + where
    if a.author:
        where += f" \u00b7 {textutil.escape_markdown(a.author)}"
    if a.created:
        where += f" \u00b7 {textutil.escape_markdown(a.created[:10])}"
    parts = [_quote_block(a.quote), "", where]
    if a.note.strip():
        note = textutil.escape_markdown_block(a.note)
        parts += ["", "**Note:** " + note]
    return "\n".join(parts)


def _chunks(
    selection: scope.Selection, *, title: str | None, generated: str | None, with_argument: bool
) -> list[tuple[str, str]]:
    """The report as ``(css class, Markdown)`` pieces; :func:`markdown` joins them, :func:`html` wraps them."""
    tags = {t.name: t for t in selection.tags}
    order = tag_order(selection)
    position = {name: i for i, name in enumerate(order)}
    count = len(selection.annotations)
    head = [f"# {textutil.escape_markdown(title or 'Tagged passages')}", ""]
    facts = [f"{count} passage{'s' if count != 1 else ''}"]
    facts.append(f"from {textutil.escape_markdown(selection.source.replace(chr(92), '/').rsplit('/', 1)[-1])}")
    if generated is None:
        generated = model.now_utc()
    if generated:
        facts.append(f"exported {textutil.escape_markdown(generated[:16].replace('T', ' '))}")
    head.append(" \u00b7 ".join(facts))
    if selection.filters:
        head += ["", "Only " + "; ".join(textutil.escape_markdown(f) for f in selection.filters)]
    chunks: list[tuple[str, str]] = [("head", "\n".join(head))]

    by_document: dict[str, dict[str, list[model.Annotation]]] = {}
    for a in selection.annotations:
        by_document.setdefault(a.document, {}).setdefault(a.tag, []).append(a)
    for doc in selection.documents:
        groups = by_document.get(doc.fingerprint, {})
        n = sum(len(g) for g in groups.values())
        chunks.append(
            (
                "document",
                f"## {textutil.escape_markdown(doc.title) or 'Untitled'}\n\n"
                f"`{doc.fingerprint[:16]}` \u00b7 {n} passage{'s' if n != 1 else ''}",
            )
        )
        for name in order:
            passages = groups.get(name)
            if not passages:
                continue
            heading = textutil.escape_markdown(_heading(tags.get(name), name))
            body = [f"### {heading} ({len(passages)})"]
            body += [_passage(selection, a) for a in passages]
            chunks.append((f"tag tag-{position[name]}", "\n\n".join(body)))
    if with_argument and selection.annotations:
        chunks.append(("argument", _argument(selection, by_document)))
    return chunks


def _argument(selection: scope.Selection, by_document: dict[str, dict[str, list[model.Annotation]]]) -> str:
    parts = ["## Argument"]
    if selection.filters:
        parts.append("Computed from the passages in this report only.")
    several = len([d for d in selection.documents if d.fingerprint in by_document]) > 1
    for doc in selection.documents:
        groups = by_document.get(doc.fingerprint)
        if not groups:
            continue
        annotations = [a for g in groups.values() for a in g]
        ids = {a.id for a in annotations}
        links = [k for k in selection.links if k.source in ids]
        outline = argument.build_outline(annotations, links, selection.tags)
        if several:
            parts.append(f"### {textutil.escape_markdown(doc.title) or 'Untitled'}")
        parts.append(
            argument.outline_markdown(
                outline, selection.tags, relations=selection.relations, heading_level=4 if several else 3
            ).rstrip("\n")
        )
    return "\n\n".join(parts)


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
    chunks = _chunks(selection, title=title, generated=generated, with_argument=with_argument)
    return "\n\n".join(text for _, text in chunks) + "\n"


def _converter() -> markdown_lib.Markdown:
    """A ``markdown.Markdown`` that knows no links, images, references, autolinks or raw HTML."""
    import markdown as markdown_lib  # imported here: only HTML reports pay for it

    md = markdown_lib.Markdown(output_format="html")
    for name in (
        "reference",
        "link",
        "image_link",
        "image_reference",
        "short_reference",
        "short_image_ref",
        "autolink",
        "automail",
        "html",
    ):
        if name in md.inlinePatterns:
            md.inlinePatterns.deregister(name)
    if "html_block" in md.preprocessors:
        md.preprocessors.deregister("html_block")
    if "reference" in md.parser.blockprocessors:
        md.parser.blockprocessors.deregister("reference")
    return md


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


def _tag_css(selection: scope.Selection) -> str:
    colours = {t.name: t.colour for t in selection.tags}
    rules = []
    for i, name in enumerate(tag_order(selection)):
        colour = colours.get(name, _FALLBACK_COLOUR)
        if not _COLOUR.match(colour):
            colour = _FALLBACK_COLOUR
        rules.append(f"section.tag-{i} {{ --tag: {colour}; }}")
    return "\n".join(rules)


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
        The HTML document: the Markdown report rendered by the ``markdown`` package, sanitised by
        ``nh3``, with a strict Content-Security-Policy, tag colours and print styles.
    """
    md = _converter()
    pieces = []
    for css_class, text in _chunks(selection, title=title, generated=generated, with_argument=with_argument):
        md.reset()
        rendered = md.convert(text)
        pieces.append(f'<section class="{css_class}">\n{rendered}\n</section>')
    body = sanitise("\n".join(pieces))
    page_title = title or "Tagged passages"
    if len(selection.documents) == 1:
        page_title += f": {selection.documents[0].title}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html_lib.escape(textutil.one_line(page_title))}</title>\n"
        f"<style>{_CSS}{_tag_css(selection)}\n</style>\n</head>\n<body>\n"
        f"{body}\n</body>\n</html>\n"
    )


def annotations_markdown(selection: scope.Selection, annotation_ids: Iterable[str] | None = None) -> str:
    """Return just the passages (no heading, no argument) as Markdown, for "copy as Markdown".

    Args:
        selection: the passages.
        annotation_ids: keep only these (default: all of ``selection``).
    """
    wanted = None if annotation_ids is None else set(annotation_ids)
    blocks = [_passage(selection, a, with_tag=True) for a in selection.annotations if wanted is None or a.id in wanted]
    return "\n\n".join(blocks) + ("\n" if blocks else "")
