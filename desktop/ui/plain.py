"""Showing untrusted text in Qt widgets as text: never as rich text, links or images."""

from __future__ import annotations

from PySide6 import QtGui

TOOLTIP_LIMIT = 2000


def tooltip(text: str) -> str:
    """Return ``text`` as a tooltip that Qt shows literally (its rich-text guess is defeated)."""
    if len(text) > TOOLTIP_LIMIT:
        text = text[: TOOLTIP_LIMIT - 1] + "…"
    return QtGui.Qt.convertFromPlainText(text, QtGui.Qt.WhiteSpaceMode.WhiteSpaceNormal)
