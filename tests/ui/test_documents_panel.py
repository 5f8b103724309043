"""The Documents sidebar: list, switch, ask for edits, search all articles (issue 16)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.core import model
from desktop.ui import documents_panel

DOCS = [
    model.Document("fa", "First <b>article</b>", "/a.txt", "Iran and Russia. Iran again."),
    model.Document("fb", "Second", "/b.txt", "Tehran looks east; Iran waits."),
]


def _panel(qtbot: QtBot, qtmodeltester: object) -> documents_panel.DocumentsPanel:
    panel = documents_panel.DocumentsPanel()
    qtbot.addWidget(panel)
    qtmodeltester.check(panel.model)  # type: ignore[attr-defined]
    entries = [documents_panel.Entry(d.fingerprint, d.title, n) for d, n in zip(DOCS, (3, 0), strict=True)]
    panel.set_documents(entries, "fa", lambda: DOCS)
    return panel


def test_lists_articles_with_counts_and_the_shown_one_in_bold(qtbot: QtBot, qtmodeltester: object) -> None:
    panel = _panel(qtbot, qtmodeltester)
    m = panel.model
    assert [m.data(m.index(i)) for i in range(m.rowCount())] == ["First <b>article</b>  (3)", "Second  (0)"]
    assert m.data(m.index(0), Qt.ItemDataRole.FontRole).bold()
    assert m.data(m.index(1), Qt.ItemDataRole.FontRole) is None
    assert panel.selected() == "fa"


def test_choosing_another_article_asks_to_switch(qtbot: QtBot, qtmodeltester: object) -> None:
    panel = _panel(qtbot, qtmodeltester)
    with qtbot.waitSignal(panel.switch_requested) as got:
        panel.view.activated.emit(panel.model.index(1))
    assert got.args == ["fb"]
    with qtbot.assertNotEmitted(panel.switch_requested):
        panel.view.activated.emit(panel.model.index(0))  # the one already shown


def test_rename_and_remove_name_the_selected_article(qtbot: QtBot, qtmodeltester: object) -> None:
    panel = _panel(qtbot, qtmodeltester)
    panel.view.setCurrentIndex(panel.model.index(1))
    with qtbot.waitSignal(panel.rename_requested) as renamed:
        panel.rename_button.click()
    with qtbot.waitSignal(panel.remove_requested) as removed:
        panel.remove_button.click()
    assert renamed.args == ["fb"] and removed.args == ["fb"]


def test_the_last_article_cannot_be_removed(qtbot: QtBot, qtmodeltester: object) -> None:
    panel = _panel(qtbot, qtmodeltester)
    panel.set_documents([documents_panel.Entry("fa", "Only", 1)], "fa", lambda: DOCS[:1])
    assert not panel.remove_button.isEnabled()


def test_search_lists_hits_in_every_article_and_opens_them(qtbot: QtBot, qtmodeltester: object) -> None:
    panel = _panel(qtbot, qtmodeltester)
    panel.search.setText("iran")
    assert panel.run_search() == 3
    assert panel.hits.item(2).text().startswith("Second: ")
    with qtbot.waitSignal(panel.hit_activated) as chosen:
        panel.hits.itemActivated.emit(panel.hits.item(2))
    assert chosen.args == ["fb", 19, 23]
    assert DOCS[1].text[19:23] == "Iran"
