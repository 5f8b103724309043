"""The Export dialog (issues 13 and 14.4): every format, everything by default, remembered folder and format,
never the hidden data folder, and never the annotation file, its -wal or its -shm."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from desktop.core import exchange, model, store
from desktop.ui import main_window, settings
from desktop.ui.dialogs import export as export_dialog

PHRASES = (
    ("one key question is whether it is possible to speak of an “alliance” being formed by Iran and Russia", "claim"),
    ("Russia plans to lift visa requirements for Iranian citizens", "evidence"),
)


def _window(qtbot: QtBot, annotation_file: Path, seed_path: Path) -> main_window.MainWindow:
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    w.open_path(seed_path, annotation_file=str(annotation_file), annotator="Ana")
    for phrase, tag in PHRASES:
        start = w.reader.text.index(phrase)
        w.reader.select_cp(start, start + len(phrase))
        w.tag_selection(tag)
    return w


def _parent(qtbot: QtBot) -> QWidget:
    parent = QWidget()
    qtbot.addWidget(parent)
    return parent


def _tags() -> list[model.Tag]:
    return list(model.TagSet())


def test_every_registry_format_and_everything_by_default(qtbot: QtBot) -> None:
    dialog = export_dialog.ExportDialog(_tags(), has_selection=True)
    qtbot.addWidget(dialog)
    offered = [dialog.format.itemData(i) for i in range(dialog.format.count())]
    assert offered == [f.name for f in exchange.REGISTRY]
    assert {"csv", "w3c", "markdown", "html", "argdown", "qdpx", "qdc", "xlsx", "brat", "ach"} <= set(offered)
    assert dialog.request().scope == export_dialog.SCOPE_ALL  # a selected row does not narrow the export
    assert dialog.scope_buttons[export_dialog.SCOPE_SELECTED].isEnabled()


def test_brat_is_one_document_with_its_two_files(qtbot: QtBot) -> None:
    dialog = export_dialog.ExportDialog(_tags(), has_selection=False)
    qtbot.addWidget(dialog)
    dialog.format.setCurrentIndex(dialog.format.findData("brat"))
    assert not dialog.scope_buttons[export_dialog.SCOPE_ALL].isEnabled()
    assert dialog.request().scope == export_dialog.SCOPE_DOCUMENT
    assert ".ann" in dialog.format_note.text() and ".txt" in dialog.format_note.text()
    dialog.format.setCurrentIndex(dialog.format.findData("csv"))
    assert dialog.scope_buttons[export_dialog.SCOPE_ALL].isEnabled()


def test_the_format_and_folder_are_remembered(qtbot: QtBot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def accept_xlsx(self: export_dialog.ExportDialog) -> int:
        self.format.setCurrentIndex(self.format.findData("xlsx"))
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(export_dialog.ExportDialog, "exec", accept_xlsx)
    request = export_dialog.ask_request(_parent(qtbot), _tags(), False, False)
    assert request is not None and request.format == "xlsx"
    assert settings.get("export_format") == "xlsx"
    dialog = export_dialog.ExportDialog(_tags(), has_selection=False)
    qtbot.addWidget(dialog)
    assert dialog.format.currentData() == "xlsx"

    st = store.Store.open(tmp_path / "mine.warrant", annotator="ana")
    chosen = tmp_path / "out"
    chosen.mkdir()
    asked: list[str] = []

    def save_name(_parent, _title, suggestion, _filter):  # type: ignore[no-untyped-def]
        asked.append(suggestion)
        return str(chosen / "passages"), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    assert export_dialog.ask_destination(_parent(qtbot), st, "xlsx") == str(chosen / "passages.xlsx")
    assert settings.get("export_folder") == str(chosen)
    export_dialog.ask_destination(_parent(qtbot), st, "csv")
    assert asked[-1] == str(chosen / "mine.csv")
    st.close()


def test_never_the_hidden_data_folder(qtbot: QtBot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    documents = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation))
    documents.mkdir(parents=True, exist_ok=True)
    annotation_file = settings.data_dir() / "article.warrant"  # where files made for articles live
    st = store.Store.open(annotation_file, annotator="ana")
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda _p, _t, s, _f: (asked.append(s), ("", ""))[1])
    assert export_dialog.ask_destination(_parent(qtbot), st, "markdown") is None
    assert Path(asked[0]) == documents / "article.md"
    settings.put("export_folder", str(settings.data_dir()))  # a remembered hidden folder is not proposed either
    assert export_dialog.default_folder() == documents
    st.close()


def test_a_file_named_notes_md_is_not_proposed_as_its_own_markdown_export(
    qtbot: QtBot, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    annotation_file = tmp_path / "notes.md"
    st = store.Store.open(annotation_file, annotator="ana")
    settings.put("export_folder", str(tmp_path))
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda _p, _t, s, _f: (asked.append(s), ("", ""))[1])
    export_dialog.ask_destination(_parent(qtbot), st, "markdown")
    assert Path(asked[0]).parent == tmp_path
    assert Path(asked[0]) != annotation_file
    assert Path(asked[0]).name == "notes-export.md"
    st.close()


@pytest.mark.parametrize("side", ["", "-wal", "-shm"])
def test_the_window_refuses_the_annotation_file_and_its_side_files(
    qtbot: QtBot, tmp_path: Path, seed_path: Path, monkeypatch, side: str
) -> None:  # type: ignore[no-untyped-def]
    annotation_file = tmp_path / "notes.md"
    w = _window(qtbot, annotation_file, seed_path)
    target = Path(f"{annotation_file}{side}")
    before = hashlib.sha256(target.read_bytes()).hexdigest() if target.exists() else None
    errors: list[str] = []
    monkeypatch.setattr(w, "error", errors.append)
    monkeypatch.setattr(export_dialog, "ask_request", lambda *_a: export_dialog.Request("markdown"))
    monkeypatch.setattr(export_dialog, "ask_destination", lambda *_a: str(target))
    w.export_dialog()
    assert len(errors) == 1 and "annotation file" in errors[0] and "choose another name" in errors[0]
    after = hashlib.sha256(target.read_bytes()).hexdigest() if target.exists() else None
    assert after == before
    reopened = store.Store.open(annotation_file)
    assert len(reopened.annotations()) == 2
    reopened.close()


def test_brat_from_the_window_writes_its_two_files(qtbot: QtBot, tmp_path: Path, seed_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    w = _window(qtbot, tmp_path / "mine.warrant", seed_path)
    dest = tmp_path / "article.ann"
    monkeypatch.setattr(
        export_dialog, "ask_request", lambda *_a: export_dialog.Request("brat", export_dialog.SCOPE_DOCUMENT)
    )
    monkeypatch.setattr(export_dialog, "ask_destination", lambda *_a: str(dest))
    w.export_dialog()
    qtbot.waitUntil(lambda: dest.exists() and dest.with_suffix(".txt").exists())
    assert dest.read_text(encoding="utf-8").count("\nT") + dest.read_text(encoding="utf-8").startswith("T") == 2
    assert dest.with_suffix(".txt").read_text(encoding="utf-8").startswith(w.reader.text[:40])


def test_export_selected_rows_still_starts_on_the_selection(qtbot: QtBot) -> None:
    parent = _parent(qtbot)
    dialog = export_dialog.dialog_for(parent, _tags(), True, True)
    assert dialog.request().scope == export_dialog.SCOPE_SELECTED
    without = export_dialog.dialog_for(parent, _tags(), False, True)
    assert without.request().scope == export_dialog.SCOPE_ALL  # nothing selected: everything
