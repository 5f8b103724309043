"""Snap a selection to whole words (and always to whole grapheme clusters), as Qt's text engine finds them.

Positions are Qt's: UTF-16 units into the text the reader shows. Word and grapheme boundaries follow Unicode
(UAX #29) through ``QTextBoundaryFinder``, so a Persian word with a zero-width non-joiner or an emoji with a
skin-tone modifier is one unit, never cut.
"""

from __future__ import annotations

from PySide6.QtCore import QTextBoundaryFinder

_WORD = QTextBoundaryFinder.BoundaryType.Word
_GRAPHEME = QTextBoundaryFinder.BoundaryType.Grapheme


def _back_to_boundary(finder: QTextBoundaryFinder, pos: int) -> int:
    finder.setPosition(pos)
    if finder.isAtBoundary():
        return pos
    back = finder.toPreviousBoundary()
    return pos if back < 0 else back


def _on_to_boundary(finder: QTextBoundaryFinder, pos: int) -> int:
    finder.setPosition(pos)
    if finder.isAtBoundary():
        return pos
    on = finder.toNextBoundary()
    return pos if on < 0 else on


def snap(text: str, start: int, end: int, *, words: bool = True) -> tuple[int, int]:
    """Return the selection ``start``–``end`` (UTF-16 positions in ``text``) widened to whole units.

    Args:
        text: the text the positions count into.
        start: the selection's first position.
        end: the position after its last character (``start <= end``).
        words: widen a selection that starts or ends inside a word to the whole word; when False only
            grapheme clusters are kept whole.

    Returns:
        The widened (start, end). An empty selection stays empty (at a grapheme boundary).
    """
    length = len(text.encode("utf-16-le")) // 2
    start = max(0, min(start, length))
    end = max(start, min(end, length))
    graphemes = QTextBoundaryFinder(_GRAPHEME, text)
    start = _back_to_boundary(graphemes, start)
    end = _on_to_boundary(graphemes, end)
    if not words or start == end:
        return start, end
    finder = QTextBoundaryFinder(_WORD, text)
    finder.setPosition(start)
    if not finder.isAtBoundary():
        start = _back_to_boundary(finder, start)
    finder.setPosition(end)
    if not finder.isAtBoundary():
        end = _on_to_boundary(finder, end)
    return start, end


def step(text: str, pos: int, *, forward: bool, words: bool = True, edge: str = "end") -> int:
    """Move one end of a passage (a UTF-16 position in ``text``) by one word or one grapheme cluster.

    Args:
        text: the text the position counts into.
        pos: the end's position now.
        forward: towards the end of the text.
        words: by a word (to the next word's end for an ``end``, start for a ``start``); else by one
            grapheme cluster.
        edge: "end" or "start": which end of the passage ``pos`` is (an end stops after a word, a
            start before one, so a passage never begins or ends with the space between words).

    Returns:
        The new position (``pos`` when there is nowhere to go).
    """
    kind = _WORD if words else _GRAPHEME
    finder = QTextBoundaryFinder(kind, text)
    finder.setPosition(pos)
    want = (
        QTextBoundaryFinder.BoundaryReason.EndOfItem
        if edge == "end"
        else QTextBoundaryFinder.BoundaryReason.StartOfItem
    )
    while True:
        found = finder.toNextBoundary() if forward else finder.toPreviousBoundary()
        if found < 0:
            return pos
        if not words or finder.boundaryReasons() & want:
            return found
