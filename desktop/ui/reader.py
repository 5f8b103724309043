"""The article view: a read-only plain-text reader, selections in code points, and highlight painting.

The reader is a ``QPlainTextEdit`` (its layout is lazy and cheap even for 10 MB). Highlights are
painted by a ``QSyntaxHighlighter`` attached before the text is set; a tag re-highlights only the
blocks of its own passage. Qt counts UTF-16 code units; every offset that leaves this module is
converted to code points with :class:`desktop.core.anchoring.Utf16Map`.
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QSyntaxHighlighter,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QPlainTextEdit, QToolTip, QWidget

from desktop.core import anchoring, documents, intervals, model
from desktop.ui import snapping

log = logging.getLogger(__name__)

TINT_ALPHA = 72
"""Alpha of one annotation's background tint: readable over light and dark palettes alike."""
MARGIN_WIDTH = 34
READING_WIDTH = 760
"""Widest text column, in pixels: wider windows get side margins, as a reading app would."""


READING_FAMILIES = ("Source Serif 4", "Noto Serif", "DejaVu Serif", "Georgia", "Times New Roman", "serif")
"""The reader's fonts, first found first, when Preferences name none."""

_RTL_CHAR = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def paragraph_direction(text: str) -> Qt.LayoutDirection:
    """The direction of a paragraph by its first strong character (Unicode bidi rules P2 and P3)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return Qt.LayoutDirection.RightToLeft
        if kind == "L":
            return Qt.LayoutDirection.LeftToRight
    return Qt.LayoutDirection.LeftToRight


@dataclass(frozen=True)
class Mark:
    """One highlighted range in UTF-16 units, as the highlighter paints it."""

    start: int
    end: int
    colour: str
    initial: str
    theirs: str = ""
    """The colleague's name for a colleague's annotation; empty for mine."""
    text: str = ""


class Highlighter(QSyntaxHighlighter):
    """Paints my annotations as tints (stronger where they overlap) and colleagues' as wavy underlines."""

    def __init__(self, document: QTextDocument) -> None:
        """Attach to ``document`` (before its text is set, so the first layout is already highlighted)."""
        super().__init__(document)
        self.marks: dict[str, Mark] = {}
        self.index = intervals.IntervalIndex()
        self._formats: dict[tuple[tuple[str, ...], tuple[str, ...]], QTextCharFormat] = {}
        self.blocks_highlighted = 0
        self.deferred = False
        """While true, blocks are left plain: :meth:`Reader.show_text` sets it around ``setPlainText``."""
        self.lit = bytearray()
        """One byte per block of the text shown: 1 once the block is highlighted with the current marks."""

    def reset(self, marks: dict[str, Mark]) -> None:
        """Replace every mark (no repaint: call when the text is about to be set)."""
        self.marks = dict(marks)
        self.index = intervals.IntervalIndex((m.start, m.end, key) for key, m in marks.items())

    def set_mark(self, key: str, mark: Mark) -> None:
        """Add or replace one mark."""
        self.marks[key] = mark
        self.index.add(mark.start, mark.end, key)

    def drop_mark(self, key: str) -> Mark | None:
        """Remove one mark."""
        self.index.remove(key)
        return self.marks.pop(key, None)

    def _format(self, mine: tuple[str, ...], theirs: tuple[str, ...]) -> QTextCharFormat:
        """The format of a stretch covered by ``mine`` (outermost first) and ``theirs`` colours.

        One of my annotations tints its tag's colour; where mine overlap, the innermost colour
        tints more strongly and the outer one underlines it, so both stay visible. A colleague's
        annotations are wavy underlines in their tag's colour.
        """
        key = (mine, theirs)
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = QTextCharFormat()
            if mine:
                tint = QColor(mine[-1])
                tint.setAlpha(min(200, TINT_ALPHA + 48 * (len(mine) - 1)))
                fmt.setBackground(tint)
                if len(mine) > 1:
                    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
                    fmt.setUnderlineColor(QColor(mine[0]))
            if theirs:
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                fmt.setUnderlineColor(QColor(theirs[-1]))
            self._formats[key] = fmt
        return fmt

    def highlightBlock(self, text: str) -> None:
        if self.deferred:
            return
        self.blocks_highlighted += 1
        block = self.currentBlock()
        number = block.blockNumber()
        if number < len(self.lit):
            self.lit[number] = 1
        pos = block.position()
        length = block.length() - 1
        hits = self.index.overlapping(pos, pos + max(length, 1))
        if not hits:
            return
        edges = {0, length}
        spans = []
        for start, end, key in hits:
            s = max(start - pos, 0)
            e = min(end - pos, length)
            if s < e:
                edges.add(s)
                edges.add(e)
                spans.append((s, e, self.marks[str(key)]))
        cuts = sorted(edges)
        for a, b in zip(cuts, cuts[1:], strict=False):
            covering = [m for s, e, m in spans if s <= a and e >= b]
            if not covering:
                continue
            covering.sort(key=lambda m: m.start - m.end)  # outermost (longest) first
            mine = tuple(m.colour for m in covering if not m.theirs)
            theirs = tuple(m.colour for m in covering if m.theirs)
            self.setFormat(a, b - a, self._format(mine, theirs))


class Margin(QWidget):
    """The strip left of the text: a letter per tag beside each line with tagged text (a cue not by colour)."""

    def __init__(self, reader: Reader) -> None:
        """Draw beside ``reader``."""
        super().__init__(reader)
        self.reader = reader
        self.setToolTip("")

    def sizeHint(self) -> QSize:
        return QSize(MARGIN_WIDTH, 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.reader.paint_margin(self, event)


class Reader(QPlainTextEdit):
    """The article view."""

    passage_clicked = Signal(list)
    """list[str]: ids of my annotations under a click that made no selection."""
    extent_requested = Signal(int, int)
    """(start, end) in code points: the passage being edited should cover this (Shift+click or Shift+arrows)."""

    EXTENT_KEYS = {
        Qt.Key.Key_Right: ("end", True),
        Qt.Key.Key_Left: ("end", False),
        Qt.Key.Key_Down: ("start", True),
        Qt.Key.Key_Up: ("start", False),
    }
    """Shift + these keys move one end of the passage being edited by a word (with Alt: one character)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Make an empty reader."""
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setAcceptDrops(False)  # files dropped on the reader go to the window, which opens them
        self.setUndoRedoEnabled(False)
        self.setCenterOnScroll(False)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        font = QFont()
        font.setFamilies(list(READING_FAMILIES))
        font.setPointSizeF(12.5)
        font.setStyleHint(QFont.StyleHint.Serif)
        self.setFont(font)
        self.document().setDocumentMargin(14)
        self.highlighter = Highlighter(self.document())
        self.u16 = anchoring.Utf16Map("")
        self.text = ""
        self.margin = Margin(self)
        self._side = 0
        self.updateRequest.connect(self._update_margin)
        self._update_margins()
        self.snap_words = True
        """Widen mouse selections to whole words (always to whole grapheme clusters)."""
        self.editing_extent: Callable[[], tuple[int, int] | None] = lambda: None
        """The code-point range of the passage Shift+click and Shift+arrows edit, or None (set by the editor)."""

    # -- text ---------------------------------------------------------------------------------

    def show_text(
        self,
        text: str,
        annotations: Iterable[tuple[str, model.Annotation, model.Tag]] = (),
        spans: Sequence[documents.Span] = (),
    ) -> None:
        """Show ``text`` with annotations painted; ``spans`` give headings and emphasis (HTML, Markdown).

        Blocks are highlighted as they are first painted (:meth:`paintEvent`), not all at once:
        a 10 MB article has 57,000 paragraphs, and highlighting them all while the text was set
        took 1 to 2 s before the first paint.
        """
        self.text = text
        self.u16 = anchoring.Utf16Map(text)
        self.highlighter.reset({key: self.mark_for(a, tag) for key, a, tag in annotations})
        self.highlighter.deferred = True
        try:
            # The cursor's character format survives setPlainText: after a heading at the start of
            # one article, the whole next article was set as a heading. Start every text plain.
            self.document().clear()
            self.setCurrentCharFormat(QTextCharFormat())
            self.textCursor().setBlockCharFormat(QTextCharFormat())
            self.setPlainText(text)
            if spans:
                self._apply_spans(spans)
            if _RTL_CHAR.search(text):
                self._align_right_to_left()
        finally:
            self.highlighter.deferred = False
        self.highlighter.lit = bytearray(self.document().blockCount())
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def replace_marks(self, annotations: Iterable[tuple[str, model.Annotation, model.Tag]]) -> None:
        """Replace every mark on the text already shown; blocks are highlighted again as they are painted."""
        had = bool(self.highlighter.marks)
        self.highlighter.reset({key: self.mark_for(a, tag) for key, a, tag in annotations})
        if had or self.highlighter.marks:
            self.highlighter.lit = bytearray(self.document().blockCount())
            self.viewport().update()
        self.margin.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        self._highlight_visible()
        super().paintEvent(event)

    def _highlight_visible(self) -> None:
        """Highlight the blocks in view that are not highlighted with the current marks yet."""
        lit = self.highlighter.lit
        if not lit or b"\x00" not in lit:
            return
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        bottom = self.viewport().height()
        while block.isValid():
            number = block.blockNumber()
            if number < len(lit) and not lit[number]:
                self.highlighter.rehighlightBlock(block)
                lit[number] = 1  # also when the highlighter found nothing to paint
            if self.blockBoundingGeometry(block).translated(offset).top() > bottom:
                break
            block = block.next()

    def _apply_spans(self, spans: Sequence[documents.Span]) -> None:
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        sizes = {"h1": 1.5, "h2": 1.3, "h3": 1.15, "h4": 1.05}
        base = self.font().pointSizeF()
        for span in spans[:5000]:
            fmt = QTextCharFormat()
            if span.style in sizes:
                fmt.setFontWeight(QFont.Weight.Bold)
                fmt.setFontPointSize(base * sizes[span.style])
            elif span.style == "bold":
                fmt.setFontWeight(QFont.Weight.Bold)
            elif span.style == "italic":
                fmt.setFontItalic(True)
            elif span.style == "code":
                fmt.setFontFamilies(["DejaVu Sans Mono", "monospace"])
            else:
                continue
            cursor.setPosition(self.u16.to_utf16(span.start))
            cursor.setPosition(self.u16.to_utf16(span.end), QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(fmt)
        cursor.endEditBlock()

    def _align_right_to_left(self) -> None:
        """Right-align each paragraph whose first strong character is right-to-left (Persian, Arabic, Hebrew)."""
        rtl = QTextBlockFormat()
        rtl.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        rtl.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignAbsolute)
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        block = self.document().begin()
        while block.isValid():
            if paragraph_direction(block.text()) == Qt.LayoutDirection.RightToLeft:
                cursor.setPosition(block.position())
                cursor.mergeBlockFormat(rtl)
            block = block.next()
        cursor.endEditBlock()

    def u16_range(self, start: int, end: int) -> tuple[int, int]:
        """Convert a code-point range to UTF-16."""
        return self.u16.to_utf16(start), self.u16.to_utf16(end)

    def selection_cp(self) -> tuple[int, int]:
        """The selection as a code-point range (empty when nothing is selected)."""
        cursor = self.textCursor()
        return self.u16.to_code_points(cursor.selectionStart()), self.u16.to_code_points(cursor.selectionEnd())

    def snapped_selection_cp(self) -> tuple[int, int]:
        """The selection as a code-point range, widened to whole words (or grapheme clusters) as set."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return self.selection_cp()
        s, e = snapping.snap(self.text, cursor.selectionStart(), cursor.selectionEnd(), words=self.snap_words)
        return self.u16.to_code_points(s), self.u16.to_code_points(e)

    def apply_font(self, family: str, point_size: float) -> None:
        """Set the reading font (empty family: the serif families Warrant prefers) and its size."""
        font = QFont(self.font())
        if family:
            font.setFamilies([family])
        font.setPointSizeF(point_size)
        self.setFont(font)
        self._update_margins()

    def select_cp(self, start: int, end: int, *, scroll: bool = True) -> None:
        """Select a code-point range and scroll it into view."""
        s, e = self.u16_range(start, end)
        cursor = self.textCursor()
        cursor.setPosition(s)
        cursor.setPosition(e, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        if scroll:
            self.centerCursor()
            self.ensureCursorVisible()

    # -- marks --------------------------------------------------------------------------------

    def mark_for(self, annotation: model.Annotation, tag: model.Tag, colleague: str = "") -> Mark:
        """Build the mark that paints ``annotation``."""
        s, e = self.u16_range(annotation.start, annotation.end)
        return Mark(s, e, tag.colour, (tag.label or tag.name)[:1].upper(), colleague, tag.label)

    def set_marks(self, items: Iterable[tuple[str, Mark]]) -> None:
        """Add or replace marks and repaint only their passages."""
        for key, mark in items:
            old = self.highlighter.marks.get(key)
            self.highlighter.set_mark(key, mark)
            if old is not None and (old.start, old.end) != (mark.start, mark.end):
                self._rehighlight(old.start, old.end)
            self._rehighlight(mark.start, mark.end)

    def drop_marks(self, keys: Iterable[str]) -> None:
        """Remove marks and repaint only their passages."""
        for key in keys:
            mark = self.highlighter.drop_mark(key)
            if mark is not None:
                self._rehighlight(mark.start, mark.end)

    def _rehighlight(self, start: int, end: int) -> None:
        block = self.document().findBlock(start)
        while block.isValid() and block.position() < max(end, start + 1):
            self.highlighter.rehighlightBlock(block)
            block = block.next()
        self.margin.update()

    def marks_at(self, u16: int, *, theirs: bool | None = None) -> list[tuple[str, Mark]]:
        """Marks covering a UTF-16 position (mine, theirs, or both when ``theirs`` is None)."""
        out = []
        for _, _, key in self.highlighter.index.at(u16):
            mark = self.highlighter.marks[str(key)]
            if theirs is None or bool(mark.theirs) == theirs:
                out.append((str(key), mark))
        return out

    def snap_selection(self) -> None:
        """Widen the selection to whole words (or only whole grapheme clusters when word snapping is off),
        keeping the end the user moved as the cursor's position."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return
        start, end = snapping.snap(self.text, cursor.selectionStart(), cursor.selectionEnd(), words=self.snap_words)
        if (start, end) == (cursor.selectionStart(), cursor.selectionEnd()):
            return
        backwards = cursor.position() < cursor.anchor()
        cursor.setPosition(end if backwards else start)
        cursor.setPosition(start if backwards else end, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def _extent_target(self) -> tuple[int, int] | None:
        """The passage being edited, in UTF-16, when the reader's selection is that passage."""
        target = self.editing_extent()
        if target is None:
            return None
        s, e = self.u16_range(*target)
        cursor = self.textCursor()
        return (s, e) if (cursor.selectionStart(), cursor.selectionEnd()) == (s, e) else None

    def _request_extent(self, start: int, end: int) -> None:
        if end > start:
            self.extent_requested.emit(self.u16.to_code_points(start), self.u16.to_code_points(end))

    # -- events -------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        mods = event.modifiers()
        move = self.EXTENT_KEYS.get(Qt.Key(event.key()))
        plain = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.KeypadModifier
        target = (
            self._extent_target() if move and mods & Qt.KeyboardModifier.ShiftModifier and not mods & ~plain else None
        )
        if move is None or target is None:
            super().keyPressEvent(event)
            return
        edge, forward = move
        start, end = target
        words = not mods & Qt.KeyboardModifier.AltModifier
        if edge == "end":
            end = snapping.step(self.text, end, forward=forward, words=words, edge="end")
        else:
            start = snapping.step(self.text, start, forward=forward, words=words, edge="start")
        self._request_extent(start, end)
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        target = None
        if event.button() == Qt.MouseButton.LeftButton and event.modifiers() == Qt.KeyboardModifier.ShiftModifier:
            target = self._extent_target()
        if target is None:
            super().mousePressEvent(event)
            return
        # Shift+click: the nearer end of the passage moves to the click (to a word's edge when snapping).
        start, end = target
        pos = self.cursorForPosition(event.position().toPoint()).position()
        lo, hi = snapping.snap(self.text, pos, pos, words=False)
        if abs(pos - start) <= abs(pos - end):
            start = snapping.snap(self.text, lo, min(lo + 1, end), words=self.snap_words)[0] if lo < end else lo
        else:
            end = snapping.snap(self.text, max(hi - 1, start), hi, words=self.snap_words)[1] if hi > start else hi
        self._request_extent(start, end)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self.textCursor().hasSelection():
            self.snap_selection()
        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            pos = self.cursorForPosition(event.position().toPoint()).position()
            ids = [key for key, _ in self.marks_at(pos, theirs=False)]
            if ids:
                self.passage_clicked.emit(ids)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            pos = self.cursorForPosition(event.pos()).position()  # type: ignore[attr-defined]
            lines = []
            for _, mark in self.marks_at(pos):
                who = mark.theirs or "you"
                lines.append(f"{mark.text} ({who})")
            if lines:
                # Escaped and wrapped: names and labels from a colleague's file are never markup.
                QToolTip.showText(
                    event.globalPos(),  # type: ignore[attr-defined]
                    "<qt>" + "<br>".join(html.escape(line) for line in lines) + "</qt>",
                    self,
                )
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    # -- margin and layout --------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Margins first: the text is laid out for the viewport's width when the resize is handled,
        # and a column narrowed afterwards would run past the right edge.
        self._update_margins()
        super().resizeEvent(event)

    def _update_margins(self) -> None:
        width = self.width()
        side = max(0, (width - MARGIN_WIDTH - READING_WIDTH) // 2)
        if side != self._side or self.viewportMargins().left() == 0:
            self._side = side
            self.setViewportMargins(MARGIN_WIDTH + side, 0, side, 0)
        cr = self.contentsRect()
        self.margin.setGeometry(QRect(cr.left() + side, cr.top(), MARGIN_WIDTH, cr.height()))

    def _update_margin(self, rect: QRect, dy: int) -> None:
        if dy:
            self.margin.scroll(0, dy)
        else:
            self.margin.update(0, rect.y(), self.margin.width(), rect.height())

    def paint_margin(self, margin: QWidget, event: QPaintEvent) -> None:
        """Paint each visible line's tag letters (my annotations) in the margin."""
        painter = QPainter(margin)
        painter.fillRect(event.rect(), self.palette().base())
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.7))
        font.setBold(True)
        painter.setFont(font)
        fm = QFontMetrics(font)
        block: QTextBlock = self.firstVisibleBlock()
        offset = self.contentOffset()
        bottom_limit = event.rect().bottom()
        while block.isValid():
            geo = self.blockBoundingGeometry(block).translated(offset)
            if geo.top() > bottom_limit:
                break
            if block.isVisible() and geo.bottom() >= event.rect().top():
                self._paint_block_marks(painter, fm, block, int(geo.top()))
            block = block.next()
        painter.end()

    def _paint_block_marks(self, painter: QPainter, fm: QFontMetrics, block: QTextBlock, top: int) -> None:
        layout = block.layout()
        pos = block.position()
        hits = self.highlighter.index.overlapping(pos, pos + max(block.length() - 1, 1))
        if not hits:
            return
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            a = pos + line.textStart()
            b = a + line.textLength()
            letters: dict[str, str] = {}
            for s, e, key in hits:
                mark = self.highlighter.marks[str(key)]
                if s < b and e > a and not mark.theirs:
                    letters.setdefault(mark.initial, mark.colour)
            if not letters:
                continue
            y = top + int(line.y())
            x = MARGIN_WIDTH - 4
            for initial, colour in sorted(letters.items(), reverse=True):
                w = fm.horizontalAdvance(initial)
                x -= w
                painter.setPen(QColor(colour).darker(130))
                painter.drawText(x, y + fm.ascent() + max(0, int(line.height() - fm.height()) // 2), initial)
                x -= 2
