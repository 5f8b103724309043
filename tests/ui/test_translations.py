"""Translations: a compiled .qm matching the locale is loaded; the committed .ts compiles with lrelease."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import PySide6
import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from desktop.ui import app

TOOLS = Path(PySide6.__file__).resolve().parent
TRANSLATIONS = Path(__file__).resolve().parent.parent.parent / "resources" / "translations"

TS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="{language}">
<context>
    <name>MainWindow</name>
    <message>
        <source>Opening the annotation file...</source>
        <translation>{translation}</translation>
    </message>
</context>
</TS>
"""


def _tool(name: str) -> Path:
    """A Qt Linguist tool as PySide6-Essentials ships it (PySide6/lrelease, PySide6/lupdate)."""
    path = TOOLS / name
    if not path.exists():
        pytest.skip(f"{name} is not shipped with this PySide6 ({path} is absent)")
    return path


def _compile(ts: Path, qm: Path) -> None:
    proc = subprocess.run([str(_tool("lrelease")), str(ts), "-qm", str(qm)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert qm.is_file()


@pytest.fixture
def installed(qapp: QApplication) -> Iterator[list[QTranslator]]:
    """The translators a test installs, removed again afterwards (the application is shared)."""
    translators: list[QTranslator] = []
    yield translators
    for translator in translators:
        QCoreApplication.removeTranslator(translator)


def test_a_translation_matching_the_locale_is_loaded(qapp, installed, tmp_path: Path) -> None:
    ts = tmp_path / "warrant_eo.ts"
    ts.write_text(TS.format(language="eo", translation="Malfermante la notdosieron..."), encoding="utf-8")
    _compile(ts, tmp_path / "warrant_eo.qm")

    # Esperanto stands in for any language: no other file of Warrant's or Qt's is named for it.
    installed.extend(app.install_translations(qapp, QLocale("eo"), tmp_path))
    assert [Path(t.filePath()).name for t in installed] == ["warrant_eo.qm"]
    assert QCoreApplication.translate("MainWindow", "Opening the annotation file...") == "Malfermante la notdosieron..."


def test_a_regional_locale_falls_back_to_its_language(qapp, installed, tmp_path: Path) -> None:
    ts = tmp_path / "warrant_eo.ts"
    ts.write_text(TS.format(language="eo", translation="Malfermante..."), encoding="utf-8")
    _compile(ts, tmp_path / "warrant_eo.qm")
    installed.extend(app.install_translations(qapp, QLocale("eo_001"), tmp_path))
    assert "warrant_eo.qm" in [Path(t.filePath()).name for t in installed]


def test_no_translation_for_another_locale(qapp, installed, tmp_path: Path) -> None:
    ts = tmp_path / "warrant_eo.ts"
    ts.write_text(TS.format(language="eo", translation="Malfermante..."), encoding="utf-8")
    _compile(ts, tmp_path / "warrant_eo.qm")
    installed.extend(app.install_translations(qapp, QLocale("en_GB"), tmp_path))
    assert not [t for t in installed if Path(t.filePath()).name.startswith("warrant")]
    assert (
        QCoreApplication.translate("MainWindow", "Opening the annotation file...") == "Opening the annotation file..."
    )


def test_qts_own_translation_is_loaded_for_its_dialogs(qapp, installed, tmp_path: Path) -> None:
    qt_folder = Path(app.QLibraryInfo.path(app.QLibraryInfo.LibraryPath.TranslationsPath))
    if not (qt_folder / "qtbase_de.qm").is_file():
        pytest.skip(f"this Qt ships no qtbase_de.qm in {qt_folder}")
    installed.extend(app.install_translations(qapp, QLocale("de_DE"), tmp_path))
    assert [Path(t.filePath()).name for t in installed] == ["qtbase_de.qm"]


def test_committed_translation_sources_compile(tmp_path: Path) -> None:
    sources = sorted(TRANSLATIONS.glob("warrant_*.ts"))
    assert sources, f"no warrant_<lang>.ts in {TRANSLATIONS}"
    for ts in sources:
        root = ET.parse(ts).getroot()
        assert root.tag == "TS" and root.get("language")
        messages = root.findall("./context/message")
        assert len(messages) > 50, (
            f"{ts.name} holds only {len(messages)} messages: run packaging/update_translations.sh"
        )
        _compile(ts, tmp_path / ts.with_suffix(".qm").name)
