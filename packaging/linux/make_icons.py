"""Render resources/warrant.svg to the PNG sizes of the hicolor icon theme (packaging/linux/icons/).

    QT_QPA_PLATFORM=offscreen python packaging/linux/make_icons.py

Run again when the SVG changes; install.sh installs the PNGs beside the SVG (some panels and older
desktops take only PNGs).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt  # noqa: TID251 (a build tool, not the core)
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: TID251
from PySide6.QtSvg import QSvgRenderer  # noqa: TID251

REPO = Path(__file__).resolve().parent.parent.parent
SVG = REPO / "resources" / "warrant.svg"
OUT = Path(__file__).resolve().parent / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256)


def main() -> int:
    """Write warrant-<size>.png for every size."""
    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"make_icons: cannot read {SVG}", file=sys.stderr)
        return 1
    OUT.mkdir(exist_ok=True)
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = OUT / f"warrant-{size}.png"
        if not image.save(str(path), "PNG"):
            print(f"make_icons: cannot write {path}", file=sys.stderr)
            return 1
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
