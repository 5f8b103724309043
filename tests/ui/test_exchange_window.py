"""Export, import and copy-as-Markdown from the window."""

from __future__ import annotations

import csv
import io
import json

import pytest
from PySide6.QtWidgets import QApplication

from desktop.core import exchange
from desktop.ui import main_window
from desktop.ui.dialogs import export as export_dialog

PHRASES = (
    ("one key question is whether it is possible to speak of an “alliance” being formed by Iran and Russia", "claim"),
    ("Russia plans to lift visa requirements for Iranian citizens", "evidence"),
    ("now is the best time to do so", "recommendation"),
)


def tagged_window(qtbot, tmp_path, seed_path, name="mine.warrant"):
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    w.open_path(seed_path, annotation_file=str(tmp_path / name), annotator="Ana")
    for phrase, tag in PHRASES:
        start = w.reader.text.index(phrase)
        w.reader.select_cp(start, start + len(phrase))
        w.tag_selection(tag)
    return w


def answer_export(monkeypatch, request, destination):  # type: ignore[no-untyped-def]
    """Answer the export dialog and the file dialog without showing them."""
    monkeypatch.setattr(export_dialog, "ask_request", lambda *_args: request)
    monkeypatch.setattr(export_dialog, "ask_destination", lambda *_args: str(destination))


def test_export_csv_from_the_window(qtbot, tmp_path, seed_path, monkeypatch):
    w = tagged_window(qtbot, tmp_path, seed_path)
    dest = tmp_path / "out.csv"
    answer_export(monkeypatch, export_dialog.Request("csv", export_dialog.SCOPE_DOCUMENT), dest)
    w.export_dialog()
    qtbot.waitUntil(dest.exists)
    rows = list(csv.DictReader(io.StringIO(dest.read_bytes().decode("utf-8-sig"))))
    assert len(rows) == 3
    text = w.reader.text
    for row in rows:
        start = int(next(v for k, v in row.items() if k.lower() == "start"))
        end = int(next(v for k, v in row.items() if k.lower() == "end"))
        quote = next(v for k, v in row.items() if k.lower() == "quote")
        assert text[start:end] == quote


def test_export_selected_rows_only(qtbot, tmp_path, seed_path, monkeypatch):
    w = tagged_window(qtbot, tmp_path, seed_path)
    w.pane.select_ids([a.id for a in w.pane.model.annotations() if a.tag == "evidence"])
    dest = tmp_path / "sel.jsonl"
    answer_export(monkeypatch, export_dialog.Request("w3c-jsonl", export_dialog.SCOPE_SELECTED), dest)
    w.export_dialog(selected_only=True)
    qtbot.waitUntil(dest.exists)
    lines = [json.loads(line) for line in dest.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) == 1 and "visa requirements" in json.dumps(lines[0], ensure_ascii=False)


def test_w3c_export_imports_into_a_fresh_file_and_undo_removes_it(qtbot, tmp_path, seed_path, monkeypatch):
    w = tagged_window(qtbot, tmp_path, seed_path)
    dest = tmp_path / "all.jsonld"
    answer_export(monkeypatch, export_dialog.Request("w3c", export_dialog.SCOPE_DOCUMENT), dest)
    w.export_dialog()
    qtbot.waitUntil(dest.exists)
    fresh = main_window.MainWindow()
    qtbot.addWidget(fresh)
    fresh.open_path(seed_path, annotation_file=str(tmp_path / "fresh.warrant"))
    fresh.import_dialog(str(dest))
    got = sorted((a.tag, a.start, a.end, a.quote) for a in fresh.pane.model.annotations())
    want = sorted((a.tag, a.start, a.end, a.quote) for a in w.pane.model.annotations())
    assert got == want
    assert len(fresh.reader.highlighter.marks) == 3
    fresh.undo_stack.undo()
    assert fresh.pane.model.rowCount() == 0 and fresh.session.store.annotation_count() == 0
    fresh.undo_stack.redo()
    assert fresh.session.store.annotation_count() == 3


def test_copy_as_markdown(qtbot, tmp_path, seed_path):
    w = tagged_window(qtbot, tmp_path, seed_path)
    w.pane.select_ids([a.id for a in w.pane.model.annotations() if a.tag == "claim"])
    w.copy_markdown()
    text = QApplication.clipboard().text()
    assert "speak of an" in text and "visa" not in text


def test_the_export_dialog_offers_the_registry(qtbot):
    dialog = export_dialog.ExportDialog([], False)
    qtbot.addWidget(dialog)
    offered = [(dialog.format.itemText(i), dialog.format.itemData(i)) for i in range(dialog.format.count())]
    assert offered == [(f.label, f.name) for f in exchange.REGISTRY]


def test_actions_are_typed_attributes(qtbot):
    from desktop.ui import actions

    owner = main_window.MainWindow()
    qtbot.addWidget(owner)
    declared = set(actions.Actions.__annotations__) - {"by_name", "tag_actions"}
    assert declared == {spec.name for spec in actions.SPECS}
    assert all(getattr(owner.action_collection, name) is owner.action_collection.by_name[name] for name in declared)
    with pytest.raises(AttributeError):
        owner.action_collection.file_opne  # noqa: B018 - a typo is an error, not a silent None
