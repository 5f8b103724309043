"""Help > About: the version, the bundled libraries' licences read from their metadata, where the data lives."""

from __future__ import annotations

import email.message
import importlib.metadata
import sqlite3
import tomllib
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, qVersion
from pytestqt.qtbot import QtBot

from desktop import cli
from desktop.ui import settings
from desktop.ui.dialogs import about

REPO = Path(__file__).resolve().parent.parent.parent


def _meta(**fields: str | list[str]) -> email.message.Message:
    meta = email.message.Message()
    for key, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            meta[key.replace("_", "-")] = item
    return meta


def test_licence_expression_wins_over_classifiers_and_field() -> None:
    meta = _meta(
        License_Expression="Apache-2.0",
        Classifier=["License :: OSI Approved :: MIT License"],
        License="BSD",
    )
    assert about.licence_of(meta) == "Apache-2.0"


def test_licence_from_classifiers_then_from_the_field() -> None:
    classified = _meta(Classifier=["Programming Language :: Python", "License :: OSI Approved :: MIT License"])
    assert about.licence_of(classified) == "MIT License"
    assert about.licence_of(_meta(License="Apache License, Version 2.0")) == "Apache License, Version 2.0"
    # A whole licence text in the field is cut to its first line.
    text = "BSD 3-Clause License\n\nCopyright (c) 2024, someone\nRedistribution and use ..."
    assert about.licence_of(_meta(License=text)) == "BSD 3-Clause License"
    assert about.licence_of(_meta(License="UNKNOWN")) == "not stated"
    assert about.licence_of(_meta()) == "not stated"


def test_requirements_of_extras_are_not_bundled() -> None:
    names = about._requirement_names(
        ["sqlite-utils>=4.2", "PySide6-Essentials>=6.8,<6.12; python_version<'3.12'", 'pytest>=8; extra == "test"']
    )
    assert names == ["sqlite-utils", "PySide6-Essentials"]


def _runtime_requirements() -> set[str]:
    """The runtime dependencies named in pyproject.toml (read independently of the dialog's code)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = set()
    for requirement in project["dependencies"]:
        name = requirement.split(";")[0]
        for stop in "<>=!~[ ":
            name = name.split(stop)[0]
        try:
            importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # a dependency another engineer added that this environment lacks, or another Python's
        names.add(name.lower().replace("_", "-"))
    return names


def test_the_bundled_libraries_are_the_runtime_requirements_with_their_declared_licences() -> None:
    listed = {c.name.lower().replace("_", "-"): c for c in about.python_components()}
    # Every runtime requirement of the installed Warrant is listed (pyproject.toml may be ahead of the
    # installed metadata in a worktree: only what both name is compared).
    installed = {n.lower().replace("_", "-") for n in about._requirement_names(importlib.metadata.requires("warrant"))}
    assert installed & _runtime_requirements() <= listed.keys()
    # Test-only tools and installers are not bundled libraries.
    assert not {"pytest", "hypothesis", "mypy", "ruff", "pip", "warrant"} & listed.keys()
    # The requirements' own requirements are followed (sqlite-utils needs click, PySide6 needs shiboken6).
    assert {"click", "shiboken6"} <= listed.keys()
    pyside = listed["pyside6-essentials"]
    assert pyside.version == importlib.metadata.version("PySide6-Essentials")
    assert "LGPL-3.0" in pyside.licence
    assert listed["rapidfuzz"].licence == "MIT"
    assert listed["sqlite-utils"].licence == "Apache-2.0"


def test_native_components_report_the_running_versions() -> None:
    native = {c.name: c for c in about.native_components()}
    assert native["Qt"].version == qVersion()
    assert native["Qt"].licence == "LGPL-3.0-only"
    assert native["SQLite"].version == sqlite3.sqlite_version
    assert native["SQLite"].licence == "Public domain"


def test_dialog_shows_version_libraries_and_data_paths(qtbot, qtmodeltester, tmp_path) -> None:
    open_file = str(tmp_path / "mine.warrant")
    dialog = about.AboutDialog(annotation_file=open_file)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)

    assert cli.version() in dialog.title.text()
    qtmodeltester.check(dialog.model)
    rows = {dialog.model.index(r, 0).data(): dialog.model.index(r, 2).data() for r in range(dialog.model.rowCount())}
    assert rows["Qt"] == "LGPL-3.0-only"
    assert rows["sqlite-utils"] == "Apache-2.0"
    assert dialog.model.headerData(2, Qt.Orientation.Horizontal) == "Licence"

    assert dialog.paths["annotation file"].text() == open_file
    assert dialog.paths["annotation folder"].text() == str(settings.data_dir())
    ini = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Warrant", "Warrant")
    assert dialog.paths["settings file"].text() == ini.fileName()
    # A path is shown as text, never as markup.
    assert dialog.paths["annotation file"].textFormat() == Qt.TextFormat.PlainText


def test_dialog_without_an_open_file(qtbot) -> None:
    dialog = about.AboutDialog()
    qtbot.addWidget(dialog)
    assert "annotation file" not in dialog.paths
    assert dialog.paths["annotation folder"].text() == str(settings.data_dir())


def test_help_about_opens_the_about_dialog_naming_the_open_file(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.ui import main_window

    shown: list[str | None] = []
    monkeypatch.setattr(about.AboutDialog, "exec", lambda self: shown.append(self.annotation_file) or 0)
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    w.open_path(
        str(Path(__file__).resolve().parents[2] / "seeds" / "russian-iranian-alliance.txt"),
        annotation_file=str(tmp_path / "a.warrant"),
        annotator="me",
    )
    w.action_collection.help_about.trigger()
    assert shown == [str(tmp_path / "a.warrant")]
