"""The argument map: boxes in tag colours (recommendations, claims, evidence) joined by labelled arrows.

The layout comes from :func:`desktop.core.argument.layout_map`; this module only draws it. Every
piece of user text goes into the scene as plain text (``QGraphicsTextItem.setPlainText``,
``QGraphicsSimpleTextItem``), never as HTML. Ctrl+wheel and the +/- keys zoom, dragging pans,
clicking a box emits :attr:`ArgumentMapView.annotation_activated`. The map exports as SVG and
PNG, each written atomically.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from collections.abc import Iterable, Iterator, Sequence

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QResizeEvent,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
    QWidget,
)

from desktop.core import argument, errors, exchange, model
from desktop.core import textutil as core_text
from desktop.ui import plain, themes

BOX_WIDTH = 230.0
BOX_HEIGHT = 96.0
LABEL_CHARS = 200
PADDING = 8.0
ARROW_SIZE = 9.0
ZOOM_STEP = 1.2
MIN_ZOOM = 0.1
MAX_ZOOM = 6.0

BACKGROUND = QColor("#fbfbfb")
TEXT_COLOUR = QColor("#1f1f1f")
DARK_BACKGROUND = QColor("#1e2124")
DARK_TEXT_COLOUR = QColor("#e8e8e8")
READABLE_ZOOM = 0.6
"""Fitting never shrinks the map below this scale: under it a box's quote cannot be read, so the map is
fitted to the pane's width instead and scrolls."""
SVG_FONT_FALLBACK = "sans-serif"
RELATION_COLOURS = {
    argument.SUPPORTS: QColor("#2e7d32"),
    argument.CONTRADICTS: QColor("#c62828"),
    argument.BASED_ON: QColor("#455a64"),
}
OTHER_RELATION_COLOUR = QColor("#6d6d6d")

ID_KEY = 0
"""The ``QGraphicsItem.data`` key holding a box's annotation id."""

Z_EDGE, Z_BOX, Z_LABEL = 0.0, 1.0, 2.0


def background() -> QColor:
    """The canvas colour for the current theme."""
    return DARK_BACKGROUND if themes.is_dark() else BACKGROUND


def text_colour() -> QColor:
    """The quote colour for the current theme."""
    return DARK_TEXT_COLOUR if themes.is_dark() else TEXT_COLOUR


def _tint(colour: QColor, amount: float = 0.82) -> QColor:
    """The colour mixed with the canvas (``amount`` of it), for a box's fill."""
    base = background()
    return QColor(
        round(colour.red() + (base.red() - colour.red()) * amount),
        round(colour.green() + (base.green() - colour.green()) * amount),
        round(colour.blue() + (base.blue() - colour.blue()) * amount),
    )


def _svg_fonts(svg: bytes) -> bytes:
    """Name a generic fallback after each font family, so a browser without the family draws sans-serif."""

    def fallback(match: re.Match[bytes]) -> bytes:
        family = match.group(1).decode("utf-8", "replace").replace("&quot;", "").strip("'\" ")
        if family.lower() in ("sans serif", "sans-serif", ""):
            return f'font-family="{SVG_FONT_FALLBACK}"'.encode()
        return f"font-family=\"'{family}', {SVG_FONT_FALLBACK}\"".encode()

    return re.sub(rb'font-family="([^"]*)"', fallback, svg)


class _Box(QGraphicsRectItem):
    """One annotation: a tinted box with its tag's label and the start of its quote."""

    def __init__(self, box: argument.MapBox, annotation: model.Annotation, tag: model.Tag) -> None:
        super().__init__(0, 0, box.w, box.h)
        self.annotation_id = box.id
        self.setPos(box.x, box.y)
        self.setZValue(Z_BOX)
        self.setData(ID_KEY, box.id)
        colour = QColor(tag.colour)
        if not colour.isValid():
            colour = QColor(model.UNKNOWN_TAG_COLOUR)
        self.colour = colour
        self.setBrush(QBrush(_tint(colour)))
        self.setPen(QPen(colour.darker(115), 1.6))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape, True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(plain.tooltip(f"{tag.label}\n\n{annotation.quote}"))
        self.setAcceptHoverEvents(True)

        heading = QGraphicsSimpleTextItem(core_text.one_line(tag.label).upper(), self)
        font = QFont()
        font.setPointSizeF(7.5)
        font.setBold(True)
        font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
        heading.setFont(font)
        heading.setBrush(QBrush(colour.lighter(160) if themes.is_dark() else colour.darker(170)))
        heading.setPos(PADDING, PADDING * 0.6)

        body = QGraphicsTextItem(self)
        body.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        body.setDefaultTextColor(text_colour())
        body_font = QFont()
        body_font.setPointSizeF(8.5)
        body.setFont(body_font)
        body.document().setDocumentMargin(0)
        body.setTextWidth(box.w - 2 * PADDING)
        body.setPos(PADDING, PADDING * 0.6 + heading.boundingRect().height() + 3)
        # As much of the quote as the box holds with this font: shorten until it fits.
        room = box.h - body.pos().y() - PADDING * 0.5
        text = core_text.shorten(annotation.quote, LABEL_CHARS)
        body.setPlainText(text)  # plain text: a quote is never HTML
        while body.boundingRect().height() > room and len(text) > 12:
            text = core_text.shorten(text.rstrip(core_text.ELLIPSIS), int(len(text) * 0.85))
            body.setPlainText(text)
        self.body = body
        self.heading = heading

    def set_highlighted(self, on: bool) -> None:
        """Draw a thick border around the box (the annotation shown in the reader)."""
        self.setPen(QPen(self.colour.darker(150) if on else self.colour.darker(115), 3.2 if on else 1.6))


class _Edge:
    """One link: a line, an arrowhead at the target and the relation's label."""

    def __init__(self, scene: QGraphicsScene, edge: argument.MapEdge) -> None:
        colour = RELATION_COLOURS.get(edge.relation, OTHER_RELATION_COLOUR)
        pen = QPen(colour, 1.5)
        if edge.relation == argument.CONTRADICTS:
            pen.setStyle(Qt.PenStyle.DashLine)
        points = [QPointF(x, y) for x, y in (edge.points or ((edge.x1, edge.y1), (edge.x2, edge.y2)))]
        end, before = points[-1], points[-2]
        angle = math.atan2(end.y() - before.y(), end.x() - before.x())
        # The line stops at the arrowhead's base so its end does not poke through the tip.
        base = end - QPointF(math.cos(angle), math.sin(angle)) * ARROW_SIZE
        path = QPainterPath(points[0])
        for point in points[1:-1]:
            path.lineTo(point)
        path.lineTo(base)
        self.line = QGraphicsPathItem(path)
        self.line.setPen(pen)
        self.line.setZValue(Z_EDGE)
        scene.addItem(self.line)

        left = end - QPointF(math.cos(angle - 0.42), math.sin(angle - 0.42)) * ARROW_SIZE * 1.25
        right = end - QPointF(math.cos(angle + 0.42), math.sin(angle + 0.42)) * ARROW_SIZE * 1.25
        self.head = QGraphicsPolygonItem(QPolygonF([end, left, right]))
        self.head.setBrush(QBrush(colour))
        self.head.setPen(QPen(colour, 1))
        self.head.setZValue(Z_EDGE)
        scene.addItem(self.head)

        self.label = QGraphicsSimpleTextItem(edge.label)
        font = QFont()
        font.setPointSizeF(7.5)
        font.setItalic(True)
        self.label.setFont(font)
        self.label.setBrush(QBrush(colour.darker(120)))
        rect = self.label.boundingRect()
        self.label.setPos(edge.label_x - rect.width() / 2, edge.label_y - rect.height() / 2)
        self.label.setZValue(Z_LABEL + 0.1)
        self.backdrop = QGraphicsRectItem(rect.adjusted(-3, -1, 3, 1))
        self.backdrop.setPos(self.label.pos())
        self.backdrop.setBrush(QBrush(background()))
        self.backdrop.setPen(QPen(Qt.PenStyle.NoPen))
        self.backdrop.setZValue(Z_LABEL)
        scene.addItem(self.backdrop)
        scene.addItem(self.label)


class ArgumentMapView(QGraphicsView):
    """The argument map of one document; zoomable, pannable, clickable, exportable."""

    annotation_activated = Signal(str)
    """A box was clicked: its annotation's id."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Make an empty map."""
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.scene().setBackgroundBrush(QBrush(background()))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(self.tr("Argument map"))
        self.map_layout = argument.MapLayout()
        self.boxes: dict[str, _Box] = {}
        self._edges: list[_Edge] = []
        self._press: QPoint | None = None
        self._highlighted: str | None = None
        self.auto_fit = True
        """Fit the map to the pane on open and on every resize, until the analyst zooms by hand."""
        self._show_empty()

    # -- data -----------------------------------------------------------------------------------

    def set_data(
        self,
        annotations: Iterable[model.Annotation],
        links: Iterable[model.Link],
        tags: Sequence[model.Tag],
        relations: Sequence[model.Relation] = model.DEFAULT_RELATIONS,
    ) -> None:
        """Draw the map of one document's annotations and links (the zoom is kept)."""
        anns = list(annotations)
        by_id = {a.id: a for a in anns}
        tag_of = model.TagSet(tags)
        self.map_layout = argument.layout_map(
            anns,
            links,
            tags,
            relations=relations,
            box_width=BOX_WIDTH,
            box_height=BOX_HEIGHT,
            label_chars=LABEL_CHARS,
        )
        scene = self.scene()
        scene.clear()
        scene.setBackgroundBrush(QBrush(background()))
        self.boxes = {}
        self._edges = []
        if not self.map_layout.boxes:
            self._show_empty()
            return
        for box in self.map_layout.boxes:
            item = _Box(box, by_id[box.id], tag_of.get(box.tag))
            scene.addItem(item)
            self.boxes[box.id] = item
        self._edges = [_Edge(scene, edge) for edge in self.map_layout.edges]
        scene.setSceneRect(QRectF(0, 0, self.map_layout.width, self.map_layout.height))
        if self._highlighted in self.boxes:
            self.boxes[self._highlighted].set_highlighted(True)
        if self.auto_fit:
            self.fit(manual=False)

    def _show_empty(self) -> None:
        scene = self.scene()
        scene.clear()
        note = QGraphicsSimpleTextItem("Tag claims, evidence and recommendations, then link them to see the map.")
        note.setBrush(QBrush(QColor("#9a9a9a" if themes.is_dark() else "#6d6d6d")))
        scene.addItem(note)
        scene.setSceneRect(note.boundingRect().adjusted(-24, -24, 24, 24))

    def highlight(self, annotation_id: str | None, *, centre: bool = True) -> bool:
        """Mark one box (e.g. the annotation current in the reader) and scroll it into view.

        Returns:
            Whether the annotation has a box on the map.
        """
        if self._highlighted in self.boxes:
            self.boxes[self._highlighted].set_highlighted(False)
        self._highlighted = annotation_id
        box = self.boxes.get(annotation_id or "")
        if box is None:
            return False
        box.set_highlighted(True)
        if centre:
            self.centerOn(box)
        return True

    def box_at(self, pos: QPoint) -> str | None:
        """Return the annotation id of the box under a viewport position, if any."""
        for item in self.items(pos):
            while item is not None:
                annotation_id = item.data(ID_KEY)
                if annotation_id:
                    return str(annotation_id)
                item = item.parentItem()
        return None

    # -- zoom and pan ---------------------------------------------------------------------------

    def zoom(self) -> float:
        """The current scale (1.0 is 100 %)."""
        return self.transform().m11()

    def set_zoom(self, factor: float, *, manual: bool = True) -> None:
        """Scale the map to ``factor`` (clamped to 10 % to 600 %); a manual zoom stops the automatic fit."""
        if manual:
            self.auto_fit = False
        factor = min(max(factor, MIN_ZOOM), MAX_ZOOM)
        current = self.zoom()
        if current > 0:
            self.scale(factor / current, factor / current)

    def zoom_in(self) -> None:
        """Zoom in one step."""
        self.set_zoom(self.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        """Zoom out one step."""
        self.set_zoom(self.zoom() / ZOOM_STEP)

    def reset_zoom(self) -> None:
        """Back to 100 %."""
        self.set_zoom(1.0)

    def fit(self, *, manual: bool = True) -> None:
        """Zoom so the whole map fits the pane, never above 100 % nor below a readable size.

        A map too big to fit readably is fitted to the pane's width (at least :data:`READABLE_ZOOM`) and
        scrolled to its top, or to the highlighted box. Fit (the button) turns the automatic fit back on.
        """
        self.auto_fit = True
        rect = self.scene().sceneRect()
        viewport = self.viewport().size()
        if rect.isEmpty() or viewport.width() < 2 or viewport.height() < 2:
            return
        margin = 12.0
        whole = min((viewport.width() - margin) / rect.width(), (viewport.height() - margin) / rect.height())
        if whole >= READABLE_ZOOM:
            factor = min(1.0, whole)
        else:
            factor = min(1.0, max(READABLE_ZOOM, (viewport.width() - margin) / rect.width()))
        self.set_zoom(factor, manual=False)
        box = self.boxes.get(self._highlighted or "")
        if box is not None:
            self.centerOn(box)
        elif whole < READABLE_ZOOM:
            self.centerOn(rect.center().x(), rect.top() + viewport.height() / (2 * factor))
        else:
            self.centerOn(rect.center())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.auto_fit:
            self.fit(manual=False)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.auto_fit:
            self.fit(manual=False)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.set_zoom(self.zoom() * ZOOM_STEP**steps)
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_out()
        elif key == Qt.Key.Key_0:
            self.reset_zoom()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    # -- clicks ---------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = event.position().toPoint() if event.button() == Qt.MouseButton.LeftButton else None
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        press, self._press = self._press, None
        if press is None or event.button() != Qt.MouseButton.LeftButton:
            return
        event.accept()  # the view handles left clicks itself (pan or go to a passage)
        pos = event.position().toPoint()
        if (pos - press).manhattanLength() >= QApplication.startDragDistance():
            return  # that was a pan, not a click
        annotation_id = self.box_at(pos)
        if annotation_id is not None:
            self.annotation_activated.emit(annotation_id)

    # -- export ---------------------------------------------------------------------------------

    def _export_rect(self) -> QRectF:
        return self.scene().sceneRect()

    @contextlib.contextmanager
    def _unselected(self) -> Iterator[None]:
        """Draw without the highlighted box's thick border (an export shows the map, not the reader's state)."""
        box = self.boxes.get(self._highlighted or "")
        if box is not None:
            box.set_highlighted(False)
        try:
            yield
        finally:
            if box is not None:
                box.set_highlighted(True)

    def svg_bytes(self, title: str = "Argument map") -> bytes:
        """Return the map as an SVG document."""
        rect = self._export_rect()
        size = QSize(math.ceil(rect.width()), math.ceil(rect.height()))
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        generator = QSvgGenerator()
        generator.setOutputDevice(buffer)
        generator.setSize(size)
        generator.setResolution(96)
        generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
        generator.setTitle(core_text.one_line(title))
        generator.setDescription("Argument map exported from Warrant")
        painter = QPainter()
        if not painter.begin(generator):
            raise errors.ExchangeError("the map could not be drawn as SVG")
        try:
            painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
            with self._unselected():
                self.scene().render(painter, QRectF(0, 0, size.width(), size.height()), rect)
        finally:
            painter.end()
        buffer.close()
        return _svg_fonts(bytes(data.data()))

    def png_image(self, scale: float = 1.0) -> QImage:
        """Return the map drawn at ``scale`` (1.0: one pixel per scene unit) on an opaque background."""
        rect = self._export_rect()
        size = QSize(max(1, math.ceil(rect.width() * scale)), max(1, math.ceil(rect.height() * scale)))
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(background())
        painter = QPainter(image)
        try:
            painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
            with self._unselected():
                self.scene().render(painter, QRectF(0, 0, size.width(), size.height()), rect)
        finally:
            painter.end()
        return image

    def export_svg(self, path: str | os.PathLike[str], title: str = "Argument map") -> None:
        """Write the map as SVG, atomically.

        Raises:
            ExchangeError: the file could not be written (an existing file is left as it was).
        """
        exchange.write_atomic(path, self.svg_bytes(title))

    def export_png(self, path: str | os.PathLike[str], scale: float = 2.0) -> None:
        """Write the map as PNG at ``scale`` pixels per scene unit (2.0 for sharp print), atomically.

        Raises:
            ExchangeError: the image could not be encoded or the file written.
        """
        image = self.png_image(scale)
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # the stubs say bytes; PySide takes str
            raise errors.ExchangeError(f"the map could not be encoded as PNG for {os.fspath(path)}")
        buffer.close()
        exchange.write_atomic(path, bytes(data.data()))
