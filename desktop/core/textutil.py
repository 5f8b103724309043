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
# THE sanitiser of user text shown as plain text (terminal, tree views, map boxes, reports). Every
# character of Unicode categories Cc (C0, DEL, C1), Cf (format: bidi embeddings, overrides, isolates
# and marks, zero-width space, BOM, soft hyphen ...), Zl and Zp goes, except ZWNJ and ZWJ (U+200C,
# U+200D), which spell Persian and emoji and cannot reorder or hide text. Format characters are
# invisible and are removed ("invoice\u202etxt.exe" -> "invoicetxt.exe"); controls and line or
# paragraph separators break words and become a space, as white space does. The classes are written
# out (Unicode 14.0, Python 3.11) so that no table is built at start-up; a test compares them with
# ``unicodedata`` so that a newer Python's Unicode cannot leave a gap.
_FORMAT_CLASS = (
    "\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b\u200e-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_BREAK_CLASS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
_CONTROL_CLASS = _FORMAT_CLASS + _BREAK_CLASS
CONTROL = re.compile(f"[{_CONTROL_CLASS}]")
"""One character :func:`one_line` removes (or turns into a space) and :func:`escape_controls` escapes."""
_FORMAT = re.compile(f"[{_FORMAT_CLASS}]+")
# Runs of white space and control characters (with lone surrogates, which no terminal can print): one space.
_BLANK_OR_CONTROL = re.compile(f"(?:\\s|[{_BREAK_CLASS}\ud800-\udfff])+")
_ESCAPED = re.compile(f"[{_CONTROL_CLASS}\ud800-\udfff\\\\]")
_ESCAPED_CONTROLS = re.compile(f"[{_CONTROL_CLASS}\ud800-\udfff]")


def _escape_one(match: re.Match[str]) -> str:
    ch = match.group()
    if ch == "\\":
        return "\\\\"
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escape_controls(text: object, *, backslash: bool = True) -> str:
    """Return ``text`` with control, format, line-separator and bidi characters (and lone surrogates) escaped.

    Used for every file path and name put into an error message (``errors.shown``): the reader sees
    ``\\x1b`` or ``\\u202e`` where the name holds one, and the terminal receives no control sequence.
    A backslash is doubled (unless ``backslash`` is false: a whole message whose names are already
    escaped), so an escape cannot be faked by the name itself.
    """
    value = str(text)
    pattern = _ESCAPED if backslash else _ESCAPED_CONTROLS
    return pattern.sub(_escape_one, value) if pattern.search(value) else value


def _inline_escape(match: re.Match[str]) -> str:
    return _INLINE_ESCAPES[match.group()]


def one_line(text: str) -> str:
    """Return ``text`` on one line: format characters go; runs of white space and controls become one space.

    Used for every plain-text display of user text (terminal, tree views, map boxes, reports): a
    quote cannot move the cursor, ring the bell, change a terminal's colours or reverse the line.
    """
    return _BLANK_OR_CONTROL.sub(" ", _FORMAT.sub("", text)).strip()


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
