"""Small text helpers shared by every output: one-line plain text, shortened quotes, Markdown escaping."""

from __future__ import annotations

import re

_WHITESPACE = re.compile(r"\s+")
ELLIPSIS = "\u2026"

# Characters escaped wherever they appear. Backslash escapes are used only for the characters that
# both CommonMark and Python-Markdown (the ``markdown`` package) treat as escapable, so the escaped
# text reads the same in either; the rest become character references, which no Markdown flavour
# turns into markup (CommonMark: "entity references cannot stand in for structural characters").
_INLINE_ESCAPES: dict[str, str] = {
    "\\": "\\\\",
    "`": "\\`",
    "*": "\\*",
    "_": "\\_",
    "{": "\\{",
    "}": "\\}",
    "[": "\\[",
    "]": "\\]",
    "#": "\\#",
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "|": "&#124;",
    "~": "&#126;",
    "$": "&#36;",
}
# Characters that only mean something at the start of a line (lists, block quotes, definition
# lists, setext underlines); escaped there only, so "Russian-Iranian" stays readable.
_LEADING_ESCAPES: dict[str, str] = {
    "-": "\\-",
    "+": "\\+",
    "=": "&#61;",
    ":": "&#58;",
    "!": "\\!",
}
_ORDERED_LIST_START = re.compile(r"^(\d+)([.)])")
_INLINE_SPECIAL = re.compile("[" + re.escape("".join(_INLINE_ESCAPES)) + "]")
# Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): a "\u202e" in a note would
# show the rest of the line reversed ("exe.txt" as "txt.exe"). ZWNJ, ZWJ and the LRM/RLM marks stay:
# Persian and emoji need them and they cannot reorder text.
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
# White space, and Unicode category Cc (C0 controls, DEL, C1 controls), in runs: one space each.
_BLANK_OR_CONTROL = re.compile("[\\s\x00-\x1f\x7f-\x9f]+")


def _inline_escape(match: re.Match[str]) -> str:
    return _INLINE_ESCAPES[match.group()]


def one_line(text: str) -> str:
    """Return ``text`` on one line: runs of white space become one space, control and bidi-override characters go.

    Used for every plain-text display of user text (terminal, tree views, map boxes): a quote
    cannot move the cursor, ring the bell or change a terminal's colours.
    """
    return _BLANK_OR_CONTROL.sub(" ", _BIDI_CONTROL.sub("", text)).strip()


def shorten(text: str, limit: int) -> str:
    """Return ``text`` on one line, cut at a word boundary to at most ``limit`` characters.

    Args:
        text: any user text.
        limit: the most characters the result may have, the ellipsis included (at least 2).

    Returns:
        The text itself when it is short enough, otherwise its start and an ellipsis.
    """
    limit = max(limit, 2)
    flat = one_line(text)
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + ELLIPSIS


def escape_markdown(text: str) -> str:
    """Return ``text`` as one line of Markdown that renders as exactly that text, never as markup.

    White space (newlines included) collapses to single spaces and control characters are
    dropped, so the result can go anywhere on a line: a list item, a table cell, a heading, a
    link's text. Emphasis, links, images, code, raw HTML, tables, headings and lists cannot be
    started by the text. It is safe for CommonMark, GitHub Markdown and Python-Markdown.

    Args:
        text: untrusted user text (a quote, a note, a title).

    Returns:
        The escaped single line.
    """
    flat = one_line(text)
    out = _INLINE_SPECIAL.sub(_inline_escape, flat) if _INLINE_SPECIAL.search(flat) else flat
    match = _ORDERED_LIST_START.match(out)
    if match:
        # "1. text" would start an ordered list; "1\. text" is the number and the dot.
        out = match.group(1) + "\\" + match.group(2) + out[match.end() :]
    elif out[:1] in _LEADING_ESCAPES:
        out = _LEADING_ESCAPES[out[0]] + out[1:]
    return out


def escape_markdown_block(text: str) -> str:
    """Return multi-paragraph user text (a note) as escaped Markdown paragraphs.

    Paragraphs (separated by blank lines) are kept; each one becomes a single escaped line
    (see :func:`escape_markdown`), and paragraphs are joined by one blank line.
    """
    paragraphs = re.split(r"\n[ \t\r\f\v]*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n\n".join(p for p in (escape_markdown(par) for par in paragraphs) if p)
