"""The note editor's keys and the word snapping of selections (issue 16)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel
from pytestqt.qtbot import QtBot

from desktop.ui import snapping
from desktop.ui.dialogs import note


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize(
    ("text", "picked", "expected"),
    [
        ("the developments in Tehran", "velop", "developments"),  # both ends inside one word
        ("the developments in Tehran", "lopments in Teh", "developments in Tehran"),
        ("the developments in Tehran", "developments", "developments"),  # already whole: unchanged
        ("روابط ایران و روسیه", "یران", "ایران"),  # a Persian word missing its first letter
        ("او می\u200cخواهد برود", "خواهد", "می\u200cخواهد"),  # ZWNJ keeps the word whole
        ("Россия и Иран", "осси", "Россия"),
    ],
)
def test_selections_snap_to_whole_words(text: str, picked: str, expected: str) -> None:
    i = text.index(picked)
    start, end = _utf16(text[:i]), _utf16(text[: i + len(picked)])
    s, e = snapping.snap(text, start, end)
    units = text.encode("utf-16-le")
    assert units[2 * s : 2 * e].decode("utf-16-le") == expected


def test_snapping_off_still_keeps_grapheme_clusters_whole() -> None:
    text = "ok 👍🏽 e\u0301te"
    thumb = _utf16("ok ")
    # Half of the surrogate pair, or the emoji without its skin-tone modifier, widens to the whole cluster.
    assert snapping.snap(text, thumb, thumb + 1, words=False) == (thumb, thumb + 4)
    assert snapping.snap(text, thumb, thumb + 2, words=False) == (thumb, thumb + 4)
    accent = _utf16("ok 👍🏽 ")
    # "e" without its combining accent is not a whole character.
    assert snapping.snap(text, accent, accent + 1, words=False) == (accent, accent + 2)
    # Word snapping off: a cut inside a word stays where it is.
    assert snapping.snap("developments", 2, 5, words=False) == (2, 5)


def test_snapping_never_leaves_the_text_and_keeps_empty_selections_empty() -> None:
    assert snapping.snap("word", 2, 2) == (2, 2)
    assert snapping.snap("word", -5, 99) == (0, 4)
    assert snapping.snap("", 0, 0) == (0, 0)


def test_clean_note_keeps_line_breaks_and_drops_trailing_white_space() -> None:
    assert note.clean_note("first line  \r\nsecond\t\n\n \n") == "first line\nsecond"
    assert note.clean_note("  indented\n\n\nkept") == "  indented\n\n\nkept"


def _dialog(qtbot: QtBot, quote: str = "Tehran and Moscow", text: str = "") -> note.NoteDialog:
    dialog = note.NoteDialog(quote, text)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_ctrl_enter_saves_and_enter_makes_a_new_line(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    qtbot.keyClicks(dialog.editor, "one")
    qtbot.keyClick(dialog.editor, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.editor, "two")
    assert dialog.isVisible()
    qtbot.keyClick(dialog.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.note() == "one\ntwo"


def test_escape_cancels(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, text="kept")
    qtbot.keyClicks(dialog.editor, " more")
    qtbot.keyClick(dialog.editor, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_tab_moves_focus_instead_of_typing_a_tab(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.activateWindow()
    dialog.editor.setFocus()
    qtbot.keyClicks(dialog.editor, "note")
    qtbot.keyClick(dialog.editor, Qt.Key.Key_Tab)
    assert "\t" not in dialog.editor.toPlainText()
    assert dialog.editor.tabChangesFocus()


def test_the_passage_is_shown_as_plain_text_and_the_note_wraps(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, quote="<b>not bold</b> & <img src=http://x>")
    passage = dialog.findChild(QLabel, "note_passage")
    assert passage is not None
    assert passage.textFormat() == Qt.TextFormat.PlainText
    assert passage.text() == "<b>not bold</b> & <img src=http://x>"
    assert dialog.editor.lineWrapMode() == dialog.editor.LineWrapMode.WidgetWidth
