"""Saved web pages (.html, .mhtml): a reader view that keeps the article, or the full page's text.

The reader view is readability-lxml's (Mozilla Readability's method): it scores blocks by their text
and links and keeps the article, dropping navigation, ads and comments. Its HTML is then reduced like
any HTML article. A page with no navigation, sidebar, footer or comment blocks is shown whole, so a
plain HTML article's text never depends on a heuristic. Nothing is fetched: MHTML's other parts
(pictures, styles) are ignored and links stay text.
"""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage

from desktop.core import errors
from desktop.core.documents import _base, markup, text

ARTICLE = "article"
FULL = "full"
AUTO = "auto"
VIEWS = (AUTO, ARTICLE, FULL)

_BOILERPLATE = re.compile(
    r"<(?:nav|aside|footer)\b|\b(?:role|class|id)\s*=\s*[\"']?[^\"'>]*"
    r"(?:navigation|navbar|menu|sidebar|comment|advert|banner|cookie|share|related|footer)",
    re.IGNORECASE,
)


def has_boilerplate(source: str) -> bool:
    """True when a page has navigation, sidebars, footers or comments a reader view would drop."""
    return _BOILERPLATE.search(source[:4_000_000]) is not None


def from_page(source: str, path: str, fallback: str, kind: str, view: str = AUTO) -> _base.LoadedDocument:
    """Reduce a web page: the article (reader view) or the full text.

    Args:
        source: the page's HTML.
        path: where it came from, for messages.
        fallback: title when the page has none.
        kind: ``html`` or ``mhtml``; the article view's kind gets ``-article`` appended, so the choice is
            stored with the document and its offsets stay valid.
        view: ``article``, ``full``, or ``auto`` (the article when the page has boilerplate).
    """
    if view not in VIEWS:
        raise errors.DocumentError(f"{view!r} is not a view of a web page (article, full or auto)")
    full = markup.from_html(source, path, fallback, kind)
    if view == FULL or (view == AUTO and not has_boilerplate(source)):
        return full
    article_html = _readable(source)
    if article_html is None:
        return full
    title, body, spans = markup.html_to_text(article_html)
    if view == AUTO and len(body.strip()) < max(200, len(full.text) // 10):
        return full  # the reader view found too little: the page is shown whole
    if not body.strip():
        raise errors.DocumentError(f"{path} has no article text a reader view can keep; show the full page instead")
    dropped = max(0, len(full.text) - len(body))
    return _base.finish(
        path,
        full.title or title or fallback,
        body,
        f"{kind}-article",
        spans,
        notice=f"Reader view: {dropped:,} characters of navigation, ads and comments left out",
    )


def _readable(source: str) -> str | None:
    from readability import Document  # readability-lxml

    try:
        return str(Document(source).summary(html_partial=True))
    except Exception:
        return None


def mhtml_html(data: bytes, path: str) -> str:
    """The HTML of a saved MHTML page (its root part), decoded; other parts are never used.

    Raises:
        DocumentError: no HTML part.
    """
    message = email.message_from_bytes(data, policy=email.policy.default)
    start = message.get_param("start", header="content-type")
    parts = [part for part in message.walk() if part.get_content_type() == "text/html"]
    if isinstance(start, str):
        wanted = start.strip("<>")
        parts.sort(key=lambda part: str(part.get("Content-ID", "")).strip("<>") != wanted)
    if not parts:
        raise errors.DocumentError(f"{path} is not a saved web page: it holds no HTML part")
    part = parts[0]
    assert isinstance(part, EmailMessage)
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raise errors.DocumentError(f"{path} is damaged: its HTML part cannot be decoded")
    charset = part.get_content_charset()
    try:
        if charset:
            return payload.decode(charset, "replace")
    except LookupError:
        pass
    decoded, _ = text.decode(payload, path)
    return decoded
