"""What users expect of a desktop program: recent files, drop to open, remembered layout, documents, tags."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QInputDialog

from desktop.ui import main_window, models, settings


def make_window(qtbot, path: Path, **kwargs) -> main_window.MainWindow:
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    w.open_path(path, **kwargs)
    return w


def test_recent_files_list_newest_first(qtbot, tmp_path, seed_path):
    other = tmp_path / "other.md"
    other.write_text("# Other article\n\nIt has *one* claim.\n", encoding="utf-8")
    w = make_window(qtbot, seed_path, annotation_file=str(tmp_path / "a.warrant"))
    w.open_path(other, annotation_file=str(tmp_path / "b.warrant"))
    recent = settings.get("recent_files")
    assert recent[:2] == [str(other), str(seed_path)]
    w._fill_recent()
    assert [a.text() for a in w.recent_menu.actions()][:2] == [str(other), str(seed_path)]


def test_dropping_a_file_opens_it(qtbot, tmp_path, seed_path):
    w = make_window(qtbot, seed_path, annotation_file=str(tmp_path / "a.warrant"))
    article = tmp_path / "dropped.txt"
    article.write_text("A dropped article with a claim in it.\n", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(article))])
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    try:  # Qt 6.12 takes a QPointF and deprecates the QPoint form; earlier Qt has only the QPoint form
        enter = QDragEnterEvent(QPointF(10, 10), *args)
    except (TypeError, ValueError):
        enter = QDragEnterEvent(QPoint(10, 10), *args)
    w.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    w.dropEvent(drop)
    qtbot.waitUntil(lambda: w.reader.text.startswith("A dropped article"), timeout=3000)
    assert "dropped" in w.windowTitle().lower() or "A dropped article" in w.windowTitle()


def test_window_size_and_splitter_are_remembered(qtbot, tmp_path, seed_path):
    w = make_window(qtbot, seed_path, annotation_file=str(tmp_path / "a.warrant"))
    w.show()
    w.resize(760, 540)
    w.splitter.setSizes([450, 300])
    sizes = w.splitter.sizes()
    w.close()
    again = make_window(qtbot, seed_path, annotation_file=str(tmp_path / "a.warrant"))
    again.show()
    qtbot.waitExposed(again)
    assert again.size().width() == 760 and again.size().height() == 540
    assert again.splitter.sizes() == sizes


def test_several_documents_in_one_file_switch(qtbot, tmp_path, seed_path):
    second = tmp_path / "second.txt"
    second.write_text("Second article: evidence here and a recommendation there.\n", encoding="utf-8")
    file = tmp_path / "both.warrant"
    w = make_window(qtbot, seed_path, annotation_file=str(file))
    start = w.reader.text.index("Eurasian")
    w.reader.select_cp(start, start + 8)
    w.tag_selection("claim")
    w.open_path(second, annotation_file=str(file))
    assert w.document_box.count() == 2 and w.pane.model.rowCount() == 0
    w.reader.select_cp(0, 6)
    w.tag_selection("evidence")
    seed_index = next(i for i in range(2) if w.document_box.itemData(i) != w.session.document.fingerprint)
    w.document_box.setCurrentIndex(seed_index)
    w._document_chosen(seed_index)
    assert w.reader.text.startswith("Thursday")
    assert [a.quote for a in w.pane.model.annotations()] == ["Eurasian"]


def test_custom_tag_gets_the_next_key(qtbot, tmp_path, seed_path, monkeypatch):
    w = make_window(qtbot, seed_path, annotation_file=str(tmp_path / "a.warrant"))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Assumption", True))
    w.editor.add_tag_dialog()
    action = w.action_collection.tag_actions["assumption"]
    assert action.shortcut().toString() == "4"
    start = w.reader.text.index("Eurasian")
    w.reader.select_cp(start, start + 8)
    action.trigger()
    assert [a.tag for a in w.session.store.annotations()] == ["assumption"]
    assert "Assumption 1" in w.pane.counts.text()


def test_tooltips_show_markup_as_text(qtbot, tmp_path):
    article = tmp_path / "hostile.txt"
    article.write_text("Before <b>bold?</b> <img src=file:///etc/hostname> after.\n", encoding="utf-8")
    w = make_window(qtbot, article, annotation_file=str(tmp_path / "a.warrant"))
    w.reader.select_cp(7, 22)
    w.tag_selection("claim")
    tip = w.pane.model.data(w.pane.model.index(0, models.PASSAGE), Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;" in tip and "<b>" not in tip


def test_text_column_never_runs_past_the_right_edge(qtbot, tmp_path, seed_path):
    """The side margins are set before the resize is handled, so the text wraps inside the viewport."""
    w = make_window(qtbot, seed_path, annotation_file=str(tmp_path / "a.warrant"))
    w.resize(1400, 860)
    w.show()
    qtbot.waitExposed(w)
    qtbot.wait(20)
    assert w.reader.horizontalScrollBar().maximum() == 0, w.reader.viewportMargins()


def test_bidi_overrides_and_controls_in_notes_do_not_reorder_the_list(qtbot, tmp_path, seed_path, monkeypatch):
    w = make_window(qtbot, seed_path, annotation_file=str(tmp_path / "a.warrant"))
    start = w.reader.text.index("Eurasian")
    w.reader.select_cp(start, start + 8)
    w.tag_selection("claim")
    w.editor.ask_note = lambda *a, **k: "invoice\u202etxt.exe\x07\x1b[31m"
    w.pane.select_ids([w.pane.model.annotation(0).id])
    w.edit_note()
    assert w.session.store.annotations()[0].note == "invoice\u202etxt.exe\x07\x1b[31m"  # stored as written
    shown = w.pane.model.data(w.pane.model.index(0, models.NOTE), Qt.ItemDataRole.DisplayRole)
    assert shown == "invoicetxt.exe [31m"


def test_every_action_has_its_keys_even_where_the_platform_has_no_standard_key(qtbot):
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    keys = {a.objectName(): [k.toString() for k in a.shortcuts()] for a in w.action_collection.by_name.values()}
    assert "Ctrl+Q" in keys["file_quit"]  # the offscreen platform defines no standard Quit key
    assert "Ctrl+F" in keys["edit_find"] and "Del" in keys["annotation_delete"]
    assert all(len(v) == len(set(v)) for v in keys.values())
