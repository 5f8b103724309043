"""The workbench in the window (issue 16): word snapping, Preferences, the codebook editor, F1, no display."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontInfo
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog

from desktop.core import model
from desktop.ui import argument_map, main_window, themes, workbench
from desktop.ui.dialogs import preferences

REPO = Path(__file__).resolve().parents[2]


def _window(qtbot, tmp_path: Path, text: str) -> main_window.MainWindow:  # type: ignore[no-untyped-def]
    article = tmp_path / "article.txt"
    article.write_text(text, encoding="utf-8")
    w = main_window.MainWindow()
    qtbot.addWidget(w)
    w.open_path(article, annotation_file=str(tmp_path / "mine.warrant"), annotator="Ana")
    return w


def _select(w: main_window.MainWindow, start: int, end: int) -> None:
    w.reader.select_cp(start, end, scroll=False)


def _quotes(w: main_window.MainWindow) -> list[str]:
    assert w.session is not None
    return [a.quote for a in w.session.sorted_annotations()]


def test_a_selection_inside_a_word_is_tagged_as_the_whole_word(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Guards "develop|ments": a selection that stops inside a word became a passage cut in two."""
    text = "Recent developments were slow.\nکتاب خوب است\n"
    w = _window(qtbot, tmp_path, text)
    start = text.index("developments")
    _select(w, start, start + len("develop"))
    w.tag_selection("claim")
    persian = text.index("کتاب")
    _select(w, persian + 1, persian + 4)  # the Persian word without its first letter
    w.tag_selection("evidence")
    assert _quotes(w) == ["developments", "کتاب"]


def test_a_mouse_selection_snaps_when_the_button_is_released(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = "Recent developments were slow.\n"
    w = _window(qtbot, tmp_path, text)
    w.show()
    qtbot.waitExposed(w)
    reader = w.reader
    start = text.index("developments")

    def point(cp: int):  # type: ignore[no-untyped-def]
        cursor = reader.textCursor()
        cursor.setPosition(cp)
        return reader.cursorRect(cursor).center()

    QTest.mousePress(reader.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point(start + 2))
    _select(w, start + 2, start + 7)  # what the drag selected: "velop"
    QTest.mouseRelease(reader.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point(start + 7))
    cursor = reader.textCursor()
    assert (cursor.selectionStart(), cursor.selectionEnd()) == (start, start + len("developments"))


def test_word_snapping_off_keeps_the_selection_but_never_cuts_a_grapheme(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = "Recent developments; cafe\u0301 culture.\n"
    w = _window(qtbot, tmp_path, text)
    answer = _preferences_answer(snap=False)
    assert workbench.open_preferences(w, answer=answer)
    assert w.reader.snap_words is False
    start = text.index("developments")
    _select(w, start, start + len("develop"))
    w.tag_selection("claim")
    cafe = text.index("cafe")
    _select(w, cafe, cafe + 4)  # ends between "e" and its combining accent
    w.tag_selection("evidence")
    assert _quotes(w) == ["develop", "cafe\u0301"]


def _preferences_answer(**changes: object):  # type: ignore[no-untyped-def]
    def answer(dialog: preferences.PreferencesDialog) -> int:
        if "name" in changes:
            dialog.name.setText(str(changes["name"]))
        if "theme" in changes:
            dialog.theme.setCurrentIndex(dialog.theme.findData(changes["theme"]))
        if "font" in changes:
            dialog.font_box.setCurrentFont(QFont(str(changes["font"])))
        if "size" in changes:
            dialog.size_box.setValue(float(changes["size"]))  # type: ignore[arg-type]
        if "snap" in changes:
            dialog.snap.setChecked(bool(changes["snap"]))
        return QDialog.DialogCode.Accepted

    return answer


def test_preferences_apply_to_the_reader_the_name_and_the_map(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = "Alpha claims a thing. Beta gives evidence for it.\n"
    w = _window(qtbot, tmp_path, text)
    for phrase, tag in (("Alpha claims a thing", "claim"), ("Beta gives evidence", "evidence")):
        _select(w, text.index(phrase), text.index(phrase) + len(phrase))
        w.tag_selection(tag)
    w.show_tab("map")
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    family = QFont("DejaVu Sans").family()
    try:
        assert workbench.open_preferences(
            w, answer=_preferences_answer(name="Ana Lyst", theme="dark", font=family, size=17.0)
        )
        assert themes.is_dark()
        view = w.map_tab.widget().view  # type: ignore[attr-defined]
        assert view.scene().backgroundBrush().color() == argument_map.DARK_BACKGROUND
        assert w.reader.font().pointSizeF() == 17.0 and w.reader.font().family() == family
        assert w.session is not None and w.session.store.annotator == "Ana Lyst"
        assert preferences.Preferences.current().theme == "dark"
        # A new window starts with the stored reading font and snapping.
        again = main_window.MainWindow()
        qtbot.addWidget(again)
        assert again.reader.font().pointSizeF() == 17.0
    finally:
        themes.apply(app, "system")
    cancelled = workbench.open_preferences(w, answer=lambda _d: QDialog.DialogCode.Rejected)
    assert not cancelled and preferences.Preferences.current().reader_point_size == 17.0


def test_the_codebook_editor_follows_undo_and_the_tag_keys_follow_the_codebook(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    w = _window(qtbot, tmp_path, "Alpha claims a thing.\n")
    shown: list[list[str]] = []

    def answer(dialog: QDialog) -> int:
        codebook = dialog.codebook  # type: ignore[attr-defined]
        codebook.rename("claim", "Key judgement")
        codebook.set_shortcut("recommendation", "1")
        shown.append([dialog.list.item(i).text() for i in range(dialog.list.count())])  # type: ignore[attr-defined]
        w.undo_stack.undo()  # the key goes back while the editor is open
        shown.append([dialog.list.item(i).text() for i in range(dialog.list.count())])  # type: ignore[attr-defined]
        return 0

    workbench.open_codebook(w, answer=answer)
    assert shown[0][0].startswith("Key judgement") and "[1]" not in shown[0][0] and "[1]" in shown[0][2]
    assert "[1]" in shown[1][0]
    assert w.undo_stack.undoText() == "Rename Tag Claim"
    keys = {name: a.shortcut().toString() for name, a in w.action_collection.tag_actions.items()}
    assert keys == {"claim": "1", "evidence": "2", "recommendation": "3"}
    assert w.action_collection.tag_actions["claim"].text() == "Tag as Key judgement"


def test_f1_lists_every_key_grouped_like_the_menus(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    w = _window(qtbot, tmp_path, "Alpha claims a thing.\n")
    assert w.session is not None
    from desktop.core import operations

    for n in range(4, 10):
        w.session.run("add", lambda n=n: operations.add_tag(w.session.store, f"t{n}", shortcut=str(n)))  # type: ignore[union-attr]
    dialog = workbench.show_shortcuts(w)
    qtbot.addWidget(dialog)
    rows = dialog.rows()
    groups = [g for g, _, _ in rows]
    assert list(dict.fromkeys(groups)) == [
        "File",
        "Edit",
        "Annotation",
        "View",
        "Help",
        "Assess",
        "Reading and Passages",
    ]
    text = {what: keys for _, what, keys in rows}
    assert text["Undo"] and text["Redo"] and text["Preferences"] and text["Codebook"]
    assert [text[f"Tag as T{n}"] for n in range(4, 10)] == [str(n) for n in range(4, 10)]
    assert text["Tag as Claim"] == "1"
    assert any(keys == "Esc" for keys in text.values())
    assert any("Shift+Right" in keys for keys in text.values())
    assert not any(", " in keys or "Shift+Save" in keys for keys in text.values())


def test_export_and_import_the_codebook_from_the_window(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    w = _window(qtbot, tmp_path, "Alpha claims a thing.\n")
    assert w.session is not None
    codebook = workbench.SessionCodebook(w.session)
    codebook.add("Assumption")
    codebook.describe("assumption", "Taken for granted")
    assert workbench.export_codebook(w, str(tmp_path / "tags.qdc"))
    other = tmp_path / "other"
    other.mkdir()
    fresh = _window(qtbot, other, "Something else.\n")
    assert fresh.session is not None
    pushed = fresh.undo_stack.count()
    assert workbench.import_codebook(fresh, str(tmp_path / "tags.qdc"))
    assert fresh.undo_stack.count() == pushed + 1
    got = model.TagSet(fresh.session.store.tags()).find("assumption")
    assert got is not None and got.description == "Taken for granted"
    assert "tag_assumption" in {a.objectName() for a in fresh.action_collection.tag_actions.values()}
    fresh.undo_stack.undo()
    assert model.TagSet(fresh.session.store.tags()).find("assumption") is None


def test_no_display_is_one_line_and_exit_2() -> None:
    """Guards "exit code 134 and Qt's messages" when there is no display."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run(
        [sys.executable, str(REPO / "main.py"), str(REPO / "seeds" / "russian-iranian-alliance.txt")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warrant: ") and "display" in lines[0]


def test_the_first_run_asks_only_when_no_name_is_stored_or_given(monkeypatch) -> None:
    from desktop.ui import app, settings

    monkeypatch.delenv("WARRANT_TEST", raising=False)
    assert app.first_run_needed(annotator=None, smoke_test=False) is True
    assert app.first_run_needed(annotator="Ana", smoke_test=False) is False
    assert app.first_run_needed(annotator=None, smoke_test=True) is False
    settings.put("annotator", "Ana Lyst")
    assert app.first_run_needed(annotator=None, smoke_test=False) is False
    monkeypatch.setenv("WARRANT_TEST", "1")
    settings.put("annotator", "")
    assert app.first_run_needed(annotator=None, smoke_test=False) is False


def test_preferences_ok_without_a_change_keeps_the_reading_font(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Guards "OK in Preferences turned the reader into the first sans font of the list" (seen under Xvfb)."""
    w = _window(qtbot, tmp_path, "Alpha claims a thing.\n")
    before = QFontInfo(w.reader.font()).family()  # the font drawn, not the first name asked for
    assert "Serif" in before
    assert workbench.open_preferences(w, answer=lambda _d: QDialog.DialogCode.Accepted)
    assert QFontInfo(w.reader.font()).family() == before


def test_counts_read_as_english_without_a_translation() -> None:
    from desktop.ui import wording

    assert wording.counted("1 passage(s)", 1) == "1 passage"
    assert wording.counted("3 passage(s)", 3) == "3 passages"
    assert wording.counted("2 match(es)", 2) == "2 matches"
    assert wording.counted("2 Passagen", 2) == "2 Passagen"


def test_undo_texts_and_messages_are_plain_english(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = "Alpha claims a thing. Recommend doing it.\n"
    w = _window(qtbot, tmp_path, text)
    assert w.session is not None
    for phrase, tag in (("Alpha claims a thing", "claim"), ("Recommend doing it", "recommendation")):
        _select(w, text.index(phrase), text.index(phrase) + len(phrase))
        w.tag_selection(tag)
    ids = {a.tag: a.id for a in w.session.annotations.values()}
    w.pane.select_ids([ids["recommendation"]])
    w.editor.ask_relation = lambda _p, _r, default, _w: default
    w.start_link()
    w.editor.finish_link(ids["claim"])
    assert w.undo_stack.undoText() == "Link (based on)"
    assert "based on" in w.statusBar().currentMessage() and "based-on" not in w.statusBar().currentMessage()
    w.pane.select_ids([ids["claim"]])
    w.delete_selected()
    assert w.undo_action.text().replace("&", "") == "Undo Delete Passage"
    w.undo_stack.undo()
    w.pane.select_ids(list(ids.values()))
    w.delete_selected()
    assert w.undo_stack.undoText() == "Delete 2 Passages"


def test_the_pane_counts_passages_in_plain_english(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Guards "1 annotations" in the pane's summary line."""
    text = "Alpha claims a thing. Recommend doing it.\n"
    w = _window(qtbot, tmp_path, text)
    _select(w, 0, len("Alpha claims a thing"))
    w.tag_selection("claim")
    assert w.pane.counts.text().startswith("1 passage  ·  ")
    _select(w, text.index("Recommend"), text.index("Recommend") + len("Recommend doing it"))
    w.tag_selection("recommendation")
    assert w.pane.counts.text().startswith("2 passages  ·  ")
