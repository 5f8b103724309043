"""Preferences, the first run's name prompt and the themes (issue 16)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.ui import settings, themes
from desktop.ui.dialogs import preferences


@pytest.fixture(autouse=True)
def _fresh_settings() -> None:
    for name in ("annotator", "theme", "reader_font", "reader_point_size", "snap_to_words"):
        settings._settings().remove(name)


def test_defaults_then_saved_values_come_back() -> None:
    first = preferences.Preferences.current()
    assert (first.theme, first.snap_to_words, first.reader_point_size) == ("system", True, 12.5)
    chosen = preferences.Preferences("Dana Analyst", "dark", "DejaVu Serif", 15.0, False)
    chosen.save()
    assert preferences.Preferences.current() == chosen


def test_an_unknown_stored_theme_falls_back_to_the_system() -> None:
    settings.put("theme", "neon")
    assert preferences.Preferences.current().theme == "system"


def test_the_dialog_edits_every_preference(qtbot: QtBot) -> None:
    dialog = preferences.PreferencesDialog(preferences.Preferences("Dana", "light", "", 12.5, True))
    qtbot.addWidget(dialog)
    dialog.name.setText("  Dana\x1b[31m  Q.\n ")
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.size_box.setValue(16.5)
    dialog.snap.setChecked(False)
    chosen = dialog.values()
    assert chosen.annotator == "Dana[31m Q."
    assert (chosen.theme, chosen.reader_point_size, chosen.snap_to_words) == ("dark", 16.5, False)
    assert chosen.reader_font  # the font box always names a family


def test_an_empty_name_falls_back_to_the_system_name(qtbot: QtBot) -> None:
    dialog = preferences.PreferencesDialog(preferences.Preferences("", "system", "", 12.5, True))
    qtbot.addWidget(dialog)
    dialog.name.setText("   ")
    assert dialog.values().annotator == preferences.clean_name(preferences.os_full_name())


def test_first_run_asks_once_prefilled_from_the_system(qtbot: QtBot) -> None:
    asked: list[str] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, preferences.FirstRunDialog)
        asked.append(dialog.name.text())
        dialog.name.setText("Dana Analyst")
        dialog.accept()

    QTimer.singleShot(0, answer)
    assert preferences.ensure_annotator() == "Dana Analyst"
    assert asked == [preferences.clean_name(preferences.os_full_name())]
    # The second run asks nothing: a dialog would block here and the test would hang.
    assert preferences.ensure_annotator() == "Dana Analyst"
    assert settings.get("annotator") == "Dana Analyst"


def test_themes_switch_the_palette_and_back(qapp: QApplication) -> None:
    before = qapp.palette().color(qapp.palette().ColorRole.Base).name()
    themes.apply(qapp, "dark")
    assert themes.is_dark()
    themes.apply(qapp, "light")
    assert not themes.is_dark()
    themes.apply(qapp, "system")
    assert qapp.palette().color(qapp.palette().ColorRole.Base).name() == before
