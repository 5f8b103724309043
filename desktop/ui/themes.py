"""The window's colours: the system's palette, or Warrant's own light or dark one (Fusion style)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup

_DARK = {
    _Role.Window: "#232629",
    _Role.WindowText: "#e6e6e6",
    _Role.Base: "#1b1e20",
    _Role.AlternateBase: "#2a2e32",
    _Role.ToolTipBase: "#31363b",
    _Role.ToolTipText: "#eff0f1",
    _Role.Text: "#e6e6e6",
    _Role.Button: "#31363b",
    _Role.ButtonText: "#e6e6e6",
    _Role.BrightText: "#ff6b6b",
    _Role.Highlight: "#3daee9",
    _Role.HighlightedText: "#0b0c0d",
    _Role.Link: "#6cb8ff",
    _Role.PlaceholderText: "#8a9094",
}
_LIGHT = {
    _Role.Window: "#efefef",
    _Role.WindowText: "#1d1d1d",
    _Role.Base: "#ffffff",
    _Role.AlternateBase: "#f5f5f5",
    _Role.ToolTipBase: "#ffffdc",
    _Role.ToolTipText: "#1d1d1d",
    _Role.Text: "#1d1d1d",
    _Role.Button: "#efefef",
    _Role.ButtonText: "#1d1d1d",
    _Role.BrightText: "#d00000",
    _Role.Highlight: "#308cc6",
    _Role.HighlightedText: "#ffffff",
    _Role.Link: "#0b5cad",
    _Role.PlaceholderText: "#7a7a7a",
}

_system: tuple[str, QPalette] | None = None


def palette_for(theme: str) -> QPalette | None:
    """Return Warrant's palette for ``theme`` ("light" or "dark"), or None for the system's own."""
    colours = {"dark": _DARK, "light": _LIGHT}.get(theme)
    if colours is None:
        return None
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    disabled = QColor(colours[_Role.PlaceholderText])
    for role in (_Role.WindowText, _Role.Text, _Role.ButtonText):
        palette.setColor(_Group.Disabled, role, disabled)
    return palette


def apply(app: QApplication, theme: str) -> None:
    """Colour the whole application with ``theme`` ("system", "light" or "dark")."""
    global _system
    if _system is None:
        _system = (app.style().name(), QPalette(app.palette()))
    palette = palette_for(theme)
    if palette is None:
        style_name, system_palette = _system
        app.setStyle(QStyleFactory.create(style_name) or app.style())
        app.setPalette(system_palette)
        return
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:
        app.setStyle(fusion)
    app.setPalette(palette)


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the palette (the application's by default) draws light text on a dark base."""
    palette = palette or QGuiApplication.palette()
    return palette.color(_Role.Base).lightness() < palette.color(_Role.Text).lightness()
