"""Case files in the real window: the Documents sidebar (add, remove, rename, switch, search), the outline of
every article, links made visible, one file in one window, reloading after another writer, and the layout at
1024x700. Every edit is undone, redone and checked after a reopen."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QToolTip

from desktop.core import anchoring, model, operations, store
from desktop.ui import main_window, models, outline_view

SECOND = "Second article. Grain flows through the Caspian corridor, and drones cross the border.\n"
THIRD = "Third article: the ministers met in Baku on Monday.\n"


def _titles(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT title FROM documents ORDER BY added, rowid")]
    finally:
        conn.close()


def _count(path: Path, sql: str) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def case(qtbot, tmp_path: Path, seed_path: Path):  # type: ignore[no-untyped-def]
    """A window on a file with two articles: the seed (one claim) and a second one (two evidence passages,
    the first linked to the claim)."""
    file = tmp_path / "case.warrant"
    second = tmp_path / "second.txt"
    second.write_text(SECOND, encoding="utf-8")
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    messages: list[str] = []
    w.error = messages.append  # type: ignore[method-assign]
    w.open_path(seed_path, annotation_file=str(file), annotator="Ana")
    start = w.reader.text.index("Eurasian Economic Union")
    w.reader.select_cp(start, start + 23)
    w.tag_selection("claim")
    claim = next(iter(w.session.annotations.values()))
    w.open_path(second, annotation_file=str(file), annotator="Ana")
    for phrase in ("Grain flows", "drones cross"):
        s = w.reader.text.index(phrase)
        w.reader.select_cp(s, s + len(phrase))
        w.tag_selection("evidence")
    grain = next(a for a in w.session.annotations.values() if a.quote == "Grain flows")
    link = model.Link(model.new_id(), grain.id, claim.id, "supports", "Ana", model.now_utc())
    assert w.session.run("Link", lambda: operations.link(w.session.store, link))
    w.show()
    qtbot.waitExposed(w)
    return w, file, messages, claim, grain


def _reopen(qtbot, w: main_window.MainWindow, file: Path) -> main_window.MainWindow:  # type: ignore[no-untyped-def]
    w.close()
    again = main_window.MainWindow()
    qtbot.addWidget(again)
    again.open_path(file)
    return again


def test_the_sidebar_lists_the_articles_with_counts_and_switches(case, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    w, _file, _messages, _claim, _grain = case
    panel = w.casefiles.panel
    qtmodeltester.check(panel.model)
    assert w.casefiles.dock.isVisible() and not w.casefiles.dock.isFloating()
    assert w.dockWidgetArea(w.casefiles.dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    second_title = w.session.document.title
    shown = [panel.model.index(r).data() for r in range(panel.model.rowCount())]
    assert shown[1] == f"{second_title}  (2)" and shown[0].endswith("(1)")
    # a tag moves the count of the article shown, without a reset
    s = w.reader.text.index("Caspian")
    w.reader.select_cp(s, s + 7)
    w.tag_selection("claim")
    assert panel.model.index(1).data() == f"{second_title}  (3)"
    panel.switch_requested.emit(panel.model.entry(0).fingerprint)
    assert w.session.document.fingerprint == panel.model.entry(0).fingerprint
    assert w.reader.text.startswith("Thursday")


def test_search_across_articles_opens_the_hit(case) -> None:  # type: ignore[no-untyped-def]
    w, _file, _messages, _claim, _grain = case
    panel = w.casefiles.panel
    panel.switch_requested.emit(panel.model.entry(0).fingerprint)
    panel.search.setText("caspian corridor")
    assert panel.run_search() == 1
    panel.hits.itemClicked.emit(panel.hits.item(0))
    assert w.reader.text.startswith("Second article")
    assert w.reader.textCursor().selectedText() == "Caspian corridor"


def test_add_an_article_undo_redo_reopen(case, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    w, file, _messages, _claim, _grain = case
    third = tmp_path / "third.md"
    third.write_text(THIRD, encoding="utf-8")
    w.casefiles.choose_article = lambda: str(third)
    assert w.casefiles.add_dialog()
    assert len(_titles(file)) == 3 and w.casefiles.panel.model.rowCount() == 3
    w.undo_stack.undo()
    assert len(_titles(file)) == 2 and w.casefiles.panel.model.rowCount() == 2
    w.undo_stack.redo()
    assert len(_titles(file)) == 3
    again = _reopen(qtbot, w, file)
    assert again.casefiles.panel.model.rowCount() == 3
    assert any("Third article" in d.text for d in again.session.store.documents())


def test_remove_names_the_passages_and_undo_restores_them(case, qtbot) -> None:  # type: ignore[no-untyped-def]
    w, file, _messages, claim, grain = case
    asked: list[str] = []
    w.casefiles.confirm = lambda message: asked.append(message) or True
    second = w.session.document.fingerprint
    assert w.casefiles.remove_dialog(second)
    assert "with its 2 passages and their links" in asked[0]
    # the article shown was removed: the window shows the other one, and the removal is undoable
    assert w.session.document.fingerprint != second
    assert _count(file, "SELECT count(*) FROM annotations") == 1
    assert _count(file, "SELECT count(*) FROM links") == 0
    w.undo_stack.undo()
    assert _count(file, "SELECT count(*) FROM annotations") == 3
    assert _count(file, "SELECT count(*) FROM links") == 1
    w.undo_stack.redo()
    assert _count(file, "SELECT count(*) FROM annotations") == 1
    w.undo_stack.undo()
    again = _reopen(qtbot, w, file)
    assert again.casefiles.panel.model.rowCount() == 2
    assert {k.source for k in again.session.store.links()} == {grain.id}
    # the claim's row names the link that came back
    assert again.pane.model.links.cell(claim.id) == "← 1"


def test_undoing_a_removal_brings_back_links_into_the_article_shown(case) -> None:  # type: ignore[no-untyped-def]
    w, _file, _messages, claim, _grain = case
    w.casefiles.confirm = lambda message: True
    assert w.casefiles.remove_dialog(w.session.document.fingerprint)  # the seed article is shown now
    assert w.session.document.fingerprint == claim.document
    assert w.pane.model.links.cell(claim.id) == ""
    w.undo_stack.undo()
    assert w.pane.model.links.cell(claim.id) == "← 1"


def test_a_refused_removal_changes_nothing(case) -> None:  # type: ignore[no-untyped-def]
    w, file, _messages, _claim, _grain = case
    w.casefiles.confirm = lambda message: False
    depth = w.undo_stack.count()
    assert not w.casefiles.remove_dialog(w.session.document.fingerprint)
    assert len(_titles(file)) == 2 and w.undo_stack.count() == depth


def test_rename_undo_redo_reopen(case, qtbot) -> None:  # type: ignore[no-untyped-def]
    w, file, messages, _claim, _grain = case
    fingerprint, old = w.session.document.fingerprint, w.session.document.title
    w.casefiles.ask_title = lambda current: "Caspian trade <b>notes</b>"
    assert w.casefiles.rename_dialog(fingerprint)
    assert "Caspian trade <b>notes</b>" in _titles(file)
    assert w.windowTitle().startswith("Caspian trade <b>notes</b>")
    assert w.casefiles.panel.model.index(1).data() == "Caspian trade <b>notes</b>  (2)"
    w.undo_stack.undo()
    assert _titles(file)[1] == old and w.windowTitle().startswith(old)
    w.undo_stack.redo()
    w.casefiles.ask_title = lambda current: "   "
    assert not w.casefiles.rename_dialog(fingerprint)
    assert messages and "title" in messages[-1]
    again = _reopen(qtbot, w, file)
    assert "Caspian trade <b>notes</b>" in [t for _fp, t in again.session.store.document_titles()]


def test_outline_of_all_articles_is_grouped_by_article(case) -> None:  # type: ignore[no-untyped-def]
    w, _file, _messages, claim, grain = case
    w.show_tab("outline")
    tab = w.outline_tab
    assert tab.scope.isVisible()
    view = tab.widget()
    assert isinstance(view, outline_view.OutlineView)
    ids = {i.annotation.id for i in view.outline_model._items if i.annotation is not None}
    assert claim.id not in ids  # the second article is shown: its claim is in the seed
    tab.scope.setChecked(True)
    groups = [i for i in view.outline_model._items if i.kind == "document"]
    assert [g.text for g in groups if g.section == "argument"] == ["Russian-Iranian Alliance"] or groups
    argument = next(g for g in groups if g.section == "argument")
    assert [c.annotation.id for c in argument.children] == [claim.id]
    assert [c.annotation.id for c in argument.children[0].children] == [grain.id]
    unlinked = [g.text for g in groups if g.section == "unlinked"]
    assert unlinked == [w.session.document.title]
    # going to a passage of the other article switches to it
    w.casefiles.choose(claim.id, then=lambda _i: None)
    assert w.session.document.fingerprint == claim.document


def test_links_column_and_hover_card_in_plain_words(case, qtbot) -> None:  # type: ignore[no-untyped-def]
    w, _file, _messages, claim, grain = case
    m = w.pane.model
    row = m.row_of(grain.id)
    cell = m.index(row, models.LINKS).data()
    assert cell == "→ supports: Claim “Eurasian Economic Union”"
    sess = w.session
    assert sess.run("Note", lambda: operations.note(sess.store, [sess.annotations[grain.id]], "<b>bold</b>\nline 2"))
    card = w.casefiles.hover.text_at(w.reader.u16.to_utf16(grain.start + 2))
    assert card.splitlines()[:2] == ["Evidence", "“Grain flows”"]
    assert "Note: <b>bold</b>\nline 2" in card
    assert "It supports Claim “Eurasian Economic Union”." in card
    tip = m.index(row, models.LINKS).data(Qt.ItemDataRole.ToolTipRole)
    assert "<b>" not in tip or "&lt;" in tip
    # removing the link empties the cell; its undo brings it back
    link_id = next(iter(sess.links))
    assert sess.run("Unlink", lambda: operations.unlink(sess.store, link_id))
    assert m.index(row, models.LINKS).data() == ""
    w.undo_stack.undo()
    assert m.index(row, models.LINKS).data() == cell
    # nothing of mine under the pointer: no card (the reader's own tooltip decides)
    assert w.casefiles.hover.text_at(0) == ""
    # the real tooltip event on the reader shows the card, as plain text
    cursor = QTextCursor(w.reader.document())
    cursor.setPosition(w.reader.u16.to_utf16(grain.start + 2))
    pos = w.reader.cursorRect(cursor).center()
    viewport = w.reader.viewport()
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, pos, viewport.mapToGlobal(pos)))
    assert "It supports Claim" in QToolTip.text() and "&lt;b&gt;bold" in QToolTip.text()
    QToolTip.hideText()


def test_a_second_window_is_refused_and_says_where(case, qtbot) -> None:  # type: ignore[no-untyped-def]
    w, file, _messages, _claim, _grain = case
    other = main_window.MainWindow()
    qtbot.addWidget(other)
    said: list[str] = []
    other.error = said.append  # type: ignore[method-assign]
    other.open_path(file)
    assert other.session is None
    assert said and "already open in another Warrant window" in said[0] and "process" in said[0]
    w.close()  # the lock goes with the window
    other.open_path(file)
    assert other.session is not None


def test_another_writer_is_seen_and_the_view_reloads(case) -> None:  # type: ignore[no-untyped-def]
    w, file, _messages, _claim, grain = case
    w.pane.select_ids([grain.id])
    assert w.casefiles.watch is not None and not w.casefiles.watch.check()
    elsewhere = store.Store.open(file, annotator="Bea")  # a second connection, as another process has
    try:
        doc = elsewhere.document(w.session.document.fingerprint)
        assert doc is not None
        s = doc.text.index("border")
        made = anchoring.new_annotation(doc, s, s + 6, "claim", author="Bea")
        assert made is not None
        elsewhere.insert_annotations([made])
    finally:
        elsewhere.close()
    assert w.casefiles.watch.check()
    assert made.id in w.session.annotations
    assert w.pane.model.row_of(made.id) >= 0
    assert w.pane.selected_ids() == [grain.id]
    assert w.casefiles.panel.model.index(1).data().endswith("  (3)")


def test_the_passage_column_reads_at_1024_by_700(qtbot, seed_path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    w.open_path(seed_path, annotation_file=str(tmp_path / "a.warrant"), annotator="Ana")
    w.resize(1024, 700)
    w.show()
    qtbot.waitExposed(w)
    QApplication.processEvents()
    assert w.width() <= 1024, "something forces the window wider than 1024 px"
    view = w.pane.view
    chars = view.columnWidth(models.PASSAGE) / view.fontMetrics().averageCharWidth()
    assert chars >= 40, f"the Passage column shows about {chars:.0f} characters"
