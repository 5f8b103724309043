"""The codebook editor asks the codebook for one edit per button and shows what comes back (issue 16)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog, QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.core import model
from desktop.ui.dialogs import codebook


class FakeCodebook:
    """An in-memory codebook recording every edit asked of it."""

    def __init__(self) -> None:
        self._tags = list(model.DEFAULT_TAGS)
        self.uses = {"claim": 3, "evidence": 0, "recommendation": 1}
        self.calls: list[tuple[Any, ...]] = []

    def tags(self) -> Sequence[model.Tag]:
        return list(self._tags)

    def count(self, name: str) -> int:
        return self.uses.get(name, 0)

    def _edit(self, name: str, **changes: Any) -> None:
        self._tags = [dataclasses.replace(t, **changes) if t.name == name else t for t in self._tags]

    def add(self, label: str) -> None:
        self.calls.append(("add", label))
        self._tags.append(model.Tag(label.lower(), label, "#123456", "", len(self._tags)))

    def rename(self, name: str, label: str) -> None:
        self.calls.append(("rename", name, label))
        self._edit(name, label=label)

    def recolour(self, name: str, colour: str) -> None:
        self.calls.append(("recolour", name, colour))
        self._edit(name, colour=colour)

    def describe(self, name: str, description: str) -> None:
        self.calls.append(("describe", name, description))

    def set_shortcut(self, name: str, key: str) -> None:
        self.calls.append(("shortcut", name, key))
        self._edit(name, shortcut=key)

    def reorder(self, names: Sequence[str]) -> None:
        self.calls.append(("reorder", tuple(names)))
        self._tags.sort(key=lambda t: list(names).index(t.name))

    def delete(self, name: str, reassign_to: str | None) -> None:
        self.calls.append(("delete", name, reassign_to))
        self._tags = [t for t in self._tags if t.name != name]

    def merge(self, name: str, into: str) -> None:
        self.calls.append(("merge", name, into))
        self._tags = [t for t in self._tags if t.name != name]


@pytest.fixture
def book(qtbot: QtBot) -> tuple[codebook.CodebookDialog, FakeCodebook]:
    fake = FakeCodebook()
    dialog = codebook.CodebookDialog(fake)
    qtbot.addWidget(dialog)
    return dialog, fake


def _labels(dialog: codebook.CodebookDialog) -> list[str]:
    return [dialog.list.item(i).text() for i in range(dialog.list.count())]


def test_the_list_shows_label_key_and_use_count(book: tuple[codebook.CodebookDialog, FakeCodebook]) -> None:
    dialog, _ = book
    assert _labels(dialog) == [
        "Claim  [1]  ·  3 passages",
        "Evidence  [2]  ·  0 passages",
        "Recommendation  [3]  ·  1 passage",
    ]


def test_rename_recolour_and_key(
    book: tuple[codebook.CodebookDialog, FakeCodebook], monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog, fake = book
    dialog.list.setCurrentRow(1)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("  Source   fact ", True))
    dialog.rename()
    monkeypatch.setattr(QColorDialog, "getColor", lambda *a, **k: QColor("#ff0000"))
    dialog.recolour()
    monkeypatch.setattr(QInputDialog, "getItem", lambda parent, title, prompt, items, *a: (items[5], True))
    dialog.set_shortcut()
    assert fake.calls == [
        ("rename", "evidence", "Source fact"),
        ("recolour", "evidence", "#ff0000"),
        ("shortcut", "evidence", "5"),
    ]
    assert dialog.current_name() == "evidence"


def test_reorder_moves_the_selected_tag(book: tuple[codebook.CodebookDialog, FakeCodebook]) -> None:
    dialog, fake = book
    dialog.list.setCurrentRow(2)
    dialog.move(-1)
    assert fake.calls == [("reorder", ("claim", "recommendation", "evidence"))]
    assert dialog.current_name() == "recommendation" and dialog.list.currentRow() == 1
    assert not dialog.buttons["up"].isEnabled() or dialog.list.currentRow() > 0


def test_delete_a_used_tag_reassigns_its_passages(
    book: tuple[codebook.CodebookDialog, FakeCodebook], monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog, fake = book
    dialog.list.setCurrentRow(0)
    offered: list[list[str]] = []

    def pick(parent: object, title: str, prompt: str, items: list[str], *a: object) -> tuple[str, bool]:
        offered.append(list(items))
        return items[1], True

    monkeypatch.setattr(QInputDialog, "getItem", pick)
    dialog.delete()
    assert offered == [["Evidence", "Recommendation", "(delete its passages too)"]]
    assert fake.calls == [("delete", "claim", "recommendation")]


def test_deleting_passages_with_their_tag_asks_first(
    book: tuple[codebook.CodebookDialog, FakeCodebook], monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog, fake = book
    dialog.list.setCurrentRow(0)
    monkeypatch.setattr(QInputDialog, "getItem", lambda parent, title, prompt, items, *a: (items[-1], True))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    dialog.delete()
    assert fake.calls == []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.delete()
    assert fake.calls == [("delete", "claim", None)]


def test_merge_into_another_tag(
    book: tuple[codebook.CodebookDialog, FakeCodebook], monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog, fake = book
    dialog.list.setCurrentRow(2)
    monkeypatch.setattr(QInputDialog, "getItem", lambda parent, title, prompt, items, *a: (items[0], True))
    dialog.merge()
    assert fake.calls == [("merge", "recommendation", "claim")]
    assert dialog.current_name() == "claim"


def test_cancelled_questions_change_nothing(
    book: tuple[codebook.CodebookDialog, FakeCodebook], monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog, fake = book
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("x", False))
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("", False))
    monkeypatch.setattr(QColorDialog, "getColor", lambda *a, **k: QColor())
    dialog.rename()
    dialog.add()
    dialog.recolour()
    dialog.merge()
    dialog.delete()
    dialog.set_shortcut()
    assert fake.calls == []
