"""Markdown and HTML articles: reduced to their visible text with headings, lists and emphasis as spans.

Markdown is rendered with the ``markdown`` package and HTML is reduced to its visible text: scripts,
styles, frames, images and links are never executed, fetched or made clickable, because the reader
shows text only.
"""

from __future__ import annotations

import html
import html.parser
import re

from desktop.core import errors
from desktop.core.documents import _base
from desktop.core.documents._base import Span

MARKDOWN_MAX_BRACKETS = 1000
"""More "[" (or more "<") than this, and a Markdown article is shown as its plain source (see from_markdown)."""
MARKDOWN_MAX_MARKUP = 10_000
"""More inline markup characters (``<[`&*_``) than this, and the same."""
MARKDOWN_MAX_INDENT = 64
"""Columns of indentation kept on a Markdown line: deeper lists are flattened to this depth."""

_LEADING = re.compile(r"^[ \t]{17,}", re.MULTILINE)


def _cap_indent(match: re.Match[str]) -> str:
    indent = match.group()
    width = len(indent.expandtabs(4))
    return indent if width <= MARKDOWN_MAX_INDENT else " " * MARKDOWN_MAX_INDENT


def too_much_markup(source: str) -> bool:
    """True when the ``markdown`` package would take quadratic time over ``source``'s inline markup.

    The package keeps a placeholder for every link, tag, entity, code span and emphasis and rescans
    the rest of the text for every unclosed "[" and "<": 300 KB of ``<a `` took over 90 s, and 20,000
    plain ``*a*`` took 3 s. Past these counts (each a linear scan) the article is shown as its source.
    """
    brackets, angles = source.count("["), source.count("<")
    if brackets > MARKDOWN_MAX_BRACKETS or angles > MARKDOWN_MAX_BRACKETS:
        return True
    inline = brackets + angles + sum(source.count(ch) for ch in "`&*_")
    return inline > MARKDOWN_MAX_MARKUP


def defuse_markdown(source: str) -> str:
    """Cut indentation past :data:`MARKDOWN_MAX_INDENT` columns (deeper lists are flattened to that depth).

    The package recurses, quadratically, once per level of list nesting (2,000 levels took 175 s).
    Ordinary articles are returned unchanged; the pass is one linear regular-expression scan.
    """
    return _LEADING.sub(_cap_indent, source)


def from_markdown(source: str, path: str = "", fallback: str = "Untitled") -> _base.LoadedDocument:
    """Render Markdown with the ``markdown`` package and keep its visible text.

    An article with more inline markup than the package renders in linear time is shown as its
    plain source instead (all its text, none hidden), with a notice saying so.
    """
    import markdown  # imported here: only Markdown articles pay for it

    if too_much_markup(source):
        text = _base.normalise_newlines(source)
        return _base.finish(
            path,
            _base.guess_title(text, fallback),
            text,
            "md",
            notice="Shown as plain text: too much Markdown markup to render quickly",
        )
    source = defuse_markdown(source)
    try:
        rendered = markdown.markdown(source, output_format="html")
    except RecursionError:
        raise errors.DocumentError(
            f"{path or 'the Markdown'} is nested too deeply to render (quotes hundreds of levels deep); "
            "open it as a .txt file instead"
        ) from None
    title, text, spans = html_to_text(rendered)
    return _base.finish(path, title or fallback, text, "md", spans)


def from_html(source: str, path: str = "", fallback: str = "Untitled", kind: str = "html") -> _base.LoadedDocument:
    """Keep an HTML article's visible text; nothing in it is executed or fetched."""
    title, text, spans = html_to_text(source)
    return _base.finish(path, title or fallback, text, kind, spans)


_BLOCK = frozenset(
    "address article aside blockquote body dd details dialog div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody thead tfoot tr ul "
    "caption center".split()
)
_SKIP = frozenset("script style template iframe noscript object embed svg math canvas video audio select".split())
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_HEAD_CONTENT = frozenset("base link meta title style script noscript template".split())
"""What may stand in ``<head>``; anything else ends it, as in a browser (``</head>`` is optional)."""
_PARAGRAPH_BREAK = frozenset("p h1 h2 h3 h4 h5 h6 pre blockquote table ul ol".split())
_STYLE = {
    "h1": "h1",
    "h2": "h2",
    "h3": "h3",
    "h4": "h4",
    "h5": "h4",
    "h6": "h4",
    "strong": "bold",
    "b": "bold",
    "em": "italic",
    "i": "italic",
    "code": "code",
    "pre": "code",
    "blockquote": "quote",
}
_SPACES = re.compile(r"[ \t\n\f\r]+")


class _TextExtractor(html.parser.HTMLParser):
    """Collects the visible text of an HTML page with its block structure, iteratively (no recursion).

    Every handler does O(1) work (amortised), so hostile nesting or mismatched tags cannot make
    extraction quadratic.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.skip_depth = 0
        self.pre_depth = 0
        self.in_head = False
        self.in_title = False
        self.title_parts: list[str] = []
        self.first_h1: list[str] | None = None
        self.h1_depth = 0
        # Per styled tag, a stack of [start] cells; a start of -1 waits for the element's first text.
        self.open_styles: dict[str, list[list[int]]] = {}
        self.unstarted: list[list[int]] = []
        self.spans: list[Span] = []
        self.pending_break = 0
        self.at_line_start = True
        self.after_bullet = False

    def _emit(self, s: str) -> None:
        if not s:
            return
        if self.pending_break and not self.pre_depth and not s.strip(" "):
            return
        if self.pending_break and self.length:
            if not self.pre_depth:
                self._trim_trailing_spaces()
            brk = "\n" * self.pending_break
            self.parts.append(brk)
            self.length += len(brk)
            self.at_line_start = True
        self.pending_break = 0
        if not self.pre_depth and (self.at_line_start or (self.parts and self.parts[-1].endswith(" "))):
            s = s.lstrip(" ")  # white space collapses across elements too: never two spaces in a row
            if not s:
                return
        start = self.length
        self.parts.append(s)
        self.length += len(s)
        self.at_line_start = s.endswith("\n")
        self.after_bullet = False
        if self.unstarted:
            text = s if self.pre_depth else s.lstrip(" ")
            if text:  # a styled element starts at its first visible character
                for cell in self.unstarted:
                    cell[0] = start + len(s) - len(text)
                self.unstarted.clear()

    def _trim_trailing_spaces(self) -> None:
        last = self.parts[-1]
        trimmed = last.rstrip(" ")
        if trimmed == last:
            return
        self.parts[-1] = trimmed
        self.length -= len(last) - len(trimmed)
        # Spans are appended in order of their end, so only the last few can reach past the cut.
        i = len(self.spans) - 1
        while i >= 0 and self.spans[i].end > self.length:
            span = self.spans[i]
            if span.start >= self.length:
                del self.spans[i]
            else:
                self.spans[i] = Span(span.start, self.length, span.style)
            i -= 1

    def _block(self, lines: int) -> None:
        if self.length and not self.after_bullet:
            self.pending_break = max(self.pending_break, lines)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self.in_head = True
            return
        if self.in_head and (tag == "body" or tag not in _HEAD_CONTENT):
            self.in_head = False
        if tag in _SKIP:
            if tag not in _VOID:
                self.skip_depth += 1
            return
        if self.skip_depth:
            return
        if tag == "title":
            self.in_title = True
            return
        if tag == "br":
            self._emit_break()
            return
        if tag == "li":
            self.after_bullet = False
        if tag in _BLOCK:
            self._block(2 if tag in _PARAGRAPH_BREAK else 1)
        if tag == "pre":
            self.pre_depth += 1
        if tag == "li":
            self._emit("• ")
            self.after_bullet = True
        if tag == "h1" and self.first_h1 is None:
            self.first_h1 = []
            self.h1_depth = 1
        if tag in _STYLE:
            cell = [-1]
            self.open_styles.setdefault(tag, []).append(cell)
            self.unstarted.append(cell)
        if tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self._emit(_SPACES.sub(" ", alt))

    def _emit_break(self) -> None:
        self.parts.append("\n")
        self.length += 1
        self.at_line_start = True
        self.pending_break = 0
        self.after_bullet = False

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            return
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return  # void elements have no content; a stray end tag closes nothing
        if tag == "head":
            self.in_head = False
            return
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag == "title":
            self.in_title = False
            return
        if self.skip_depth:
            return
        stack = self.open_styles.get(tag)
        if stack:
            start = stack.pop()[0]
            end = self.length
            if end and not self.pre_depth and self.parts[-1].endswith(" "):
                end -= 1
            if 0 <= start < end:
                self.spans.append(Span(start, end, _STYLE[tag]))
        if tag == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)
        if tag == "h1" and self.h1_depth:
            self.h1_depth = 0
        if tag == "li":
            self.after_bullet = False
        if tag in _BLOCK:
            self._block(2 if tag in _PARAGRAPH_BREAK else 1)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
            return
        if self.skip_depth:
            return
        if self.in_head:
            if not data.strip():
                return
            self.in_head = False  # text in <head> starts the body, as in a browser
        if self.h1_depth and self.first_h1 is not None:
            self.first_h1.append(data)
        if self.pre_depth:
            self._emit(data)
        else:
            collapsed = _SPACES.sub(" ", data)
            if collapsed.strip() or not self.at_line_start:
                self._emit(collapsed)

    def text(self) -> str:
        return "".join(self.parts)


def html_to_text(source: str) -> tuple[str, str, tuple[Span, ...]]:
    """Reduce HTML to (title, visible text, style spans). Nothing is fetched or run.

    Args:
        source: the HTML.

    Returns:
        The page title (``<title>`` or first ``<h1>``), the visible text, and style spans.
    """
    parser = _TextExtractor()
    parser.feed(source)
    parser.close()
    raw = parser.text()
    # Trailing spaces before line breaks are an artefact of collapsing; strip them while keeping spans right.
    text = raw.rstrip()
    spans = tuple(Span(s.start, min(s.end, len(text)), s.style) for s in parser.spans if s.start < len(text))
    title = _SPACES.sub(" ", html.unescape("".join(parser.title_parts))).strip()
    if not title and parser.first_h1:
        title = _SPACES.sub(" ", "".join(parser.first_h1)).strip()
    return title[:200], text, spans
