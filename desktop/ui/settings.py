"""Settings declared once as data, persisted with QSettings; window state kept apart in a cache file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QStandardPaths

ORGANISATION = "Warrant"
APPLICATION = "Warrant"
RECENT_LIMIT = 10


@dataclass(frozen=True)
class Setting:
    """One user setting: name, default and what it is for."""

    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("recent_files", [], "Annotation files and articles opened lately, newest first."),
    Setting("annotator", "", "Your name as the author of new tags (empty: your login name)."),
    Setting("reader_point_size", 12.5, "Size of the article's text, in points."),
    Setting("reader_font", "", "Font family of the article's text (empty: the system's reading font)."),
    Setting("theme", "system", "Colours of the window, the map and the review grid: system, light or dark."),
    Setting("snap_to_words", True, "Widen a selection that starts or ends inside a word to the whole word."),
    Setting("export_folder", "", "The folder the last export was written to (empty: your documents folder)."),
    Setting("export_format", "csv", "The format of the last export."),
)
THEMES = ("system", "light", "dark")
_DEFAULTS = {s.name: s.default for s in SETTINGS}


def data_dir() -> Path:
    """Where annotation files made for articles live (created on demand)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    path = Path(base or Path.home() / ".local" / "share") / APPLICATION / "annotations"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


def _state() -> QSettings:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericCacheLocation)
    path = Path(base or Path.home() / ".cache") / APPLICATION
    return QSettings(str(path / "window-state.ini"), QSettings.Format.IniFormat)


def get(name: str) -> Any:
    """Return a setting's value (its default when unset)."""
    default = _DEFAULTS[name]
    value = _settings().value(name, default)
    if isinstance(default, list):
        if value is None:
            return []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1", "yes")
    if isinstance(default, float):
        try:
            return float(str(value))
        except (TypeError, ValueError):
            return default
    return value


def put(name: str, value: Any) -> None:
    """Store a setting."""
    if name not in _DEFAULTS:
        raise KeyError(name)
    _settings().setValue(name, value)


def remember_recent(path: str) -> list[str]:
    """Put ``path`` first in the recent-files list and return the list."""
    path = os.path.abspath(path)
    recent = [p for p in get("recent_files") if p != path]
    recent.insert(0, path)
    recent = recent[:RECENT_LIMIT]
    put("recent_files", recent)
    return recent


def save_window_state(key: str, value: bytes) -> None:
    """Keep geometry and splitter state in the cache (not in the user's settings)."""
    _state().setValue(key, value)


def window_state(key: str) -> Any:
    """Return saved geometry or splitter state, or None."""
    return _state().value(key)
