"""Weighing the evidence in the window (issue 17): the ACH tab, the grade keys, the hypothesis flag, rationales.

Everything here runs an :class:`~desktop.core.assessment.Edit` through :meth:`desktop.ui.session.Session.run_edit`
(one undoable command, saved at once) and follows the session's one ``changed`` signal. The window calls
:func:`install` once and :meth:`Assessing.follow` for every session it opens.

Keys: Shift+A ... Shift+F grade the shown document's reliability; Alt+1 ... Alt+6 grade the selected passages'
credibility (Alt+0 clears it); Ctrl+Shift+H marks the selected claims as hypotheses (or unmarks them);
Ctrl+5 shows the ACH tab. The grade of the selected passage (e.g. ``B2``) shows in the status bar and in
(:func:`grade_label_for`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMenu, QVBoxLayout, QWidget

from desktop.core import assessment, errors, model, store
from desktop.ui import ach_view
from desktop.ui import session as session_mod

if TYPE_CHECKING:
    from desktop.ui import main_window

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Batch:
    """Several assessment edits as one (the selected passages' grades): all made, or none."""

    text: str
    edits: tuple[assessment.Edit, ...]

    def do(self, source: store.Store) -> model.Changes:
        return self._each(source, list(self.edits), forward=True)

    def undo(self, source: store.Store) -> model.Changes:
        return self._each(source, list(reversed(self.edits)), forward=False)

    @staticmethod
    def _each(source: store.Store, edits: list[assessment.Edit], *, forward: bool) -> model.Changes:
        changes = model.Changes()
        done: list[assessment.Edit] = []
        try:
            for edit in edits:
                changes = changes | (edit.do(source) if forward else edit.undo(source))
                done.append(edit)
        except errors.WarrantError:
            for edit in reversed(done):  # put back what this step already wrote
                if forward:
                    edit.undo(source)
                else:
                    edit.do(source)
            raise
        return changes


def grade_label_for(sess: session_mod.Session | None) -> Callable[[model.Annotation], str]:
    """Return a function giving a passage's Admiralty grade (``B2``, ``?3``; empty when ungraded), read now."""
    if sess is None:
        return lambda _a: ""
    st = sess.store
    documents = {g.document: g for g in st.document_grades()}

    def label(annotation: model.Annotation) -> str:
        passages = {g.annotation: g for g in st.passage_grades([annotation.id])}
        return assessment.Assessments(reliability=documents, credibility=passages).grade_label(annotation)

    return label


def ask_rationale(parent: QWidget, title: str, label: str, current: str) -> str | None:
    """Ask for a rationale; None when cancelled. Tests replace this function."""
    text, ok = QInputDialog.getMultiLineText(parent, title, label, current)
    return text if ok else None


class AchTab(QWidget):
    """The ACH tab's page: builds its :class:`~desktop.ui.ach_view.AchView` when first shown, and again
    when the file changes; while hidden it only notes that it is stale."""

    def __init__(self, parent: QWidget, error: Callable[[str], None], go_to: Callable[[str], None]) -> None:
        super().__init__(parent)
        self.view: ach_view.AchView | None = None
        self.session: session_mod.Session | None = None
        self.stale = True
        self._error, self._go_to = error, go_to
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def follow(self, sess: session_mod.Session | None) -> None:
        """Show ``sess``'s matrix from now on (built when the tab is in view)."""
        if self.view is not None:
            self._layout.removeWidget(self.view)
            self.view.deleteLater()
            self.view = None
        self.session, self.stale = sess, True

    def changed(self, changes: model.Changes, in_view: bool) -> None:
        """An edit: refresh what it names when in view, otherwise remember to rebuild."""
        if self.view is not None and in_view and not self.stale:
            self.view.refresh(changes)
        else:
            self.stale = True

    def document_changed(self) -> None:
        """Another document is shown."""
        self.stale = True

    def shown(self) -> None:
        """The tab came into view: build or re-read the matrix if it is out of date."""
        sess = self.session
        if sess is None or not self.stale:
            return
        self.stale = False
        if self.view is None:
            run_edit = sess.run_edit

            def apply(edit: assessment.Edit) -> None:
                run_edit(edit)

            self.view = ach_view.AchView(sess.store, apply, sess.document.fingerprint, self)
            self.view.passage_activated.connect(self._go_to)
            self.view.failed.connect(self._error)
            self._layout.addWidget(self.view)
        else:
            self.view.model.set_document(sess.document.fingerprint)


class Assessing(QObject):
    """The window's assessment actions and the ACH tab."""

    def __init__(self, window: main_window.MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session: session_mod.Session | None = None
        self.last_grade = ""
        """What :meth:`show_grade` said last (the status bar's message fades)."""
        self.tab = AchTab(window, window.error, self._show_passage)
        window.add_extra_tab("ach", self.tab, self.tr("ACH"))
        window.tabs.currentChanged.connect(lambda _i: self._tab_changed())
        self.actions: dict[str, QAction] = {}
        self._add("view_ach", self.tr("&ACH Matrix"), ["Ctrl+5"], lambda: window.show_tab("ach"), needs_file=False)
        for letter in model.RELIABILITY_GRADES:
            self._add(
                f"grade_reliability_{letter}",
                self.tr("Source Reliability &%s (%s)") % (letter, assessment.RELIABILITY_LABELS[letter]),
                [f"Shift+{letter}"],
                functools.partial(self.grade_document, letter),
            )
        for grade in model.CREDIBILITY_GRADES:
            self._add(
                f"grade_credibility_{grade}",
                self.tr("Credibility &%d (%s)") % (grade, assessment.CREDIBILITY_LABELS[grade]),
                [f"Alt+{grade}"],
                functools.partial(self.grade_passages, grade),
            )
        self._add(
            "grade_credibility_clear", self.tr("&Clear Credibility"), ["Alt+0"], lambda: self.grade_passages(None)
        )
        self._add("assess_hypothesis", self.tr("Mark as &Hypothesis"), ["Ctrl+Shift+H"], self.toggle_hypothesis)
        self._add("assess_rationale", self.tr("Grade &Rationale..."), [], self.edit_rationale)
        self.menu = self._build_menu()
        window.pane.view.selectionModel().selectionChanged.connect(lambda *_: self.show_grade())
        self.set_enabled(False)

    def _add(
        self, name: str, text: str, keys: Sequence[str], handler: Callable[[], object], *, needs_file: bool = True
    ) -> None:
        action = QAction(text, self.window)
        action.setObjectName(name)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setProperty("needs_file", needs_file)
        action.triggered.connect(lambda _checked=False: handler())
        self.window.addAction(action)
        self.actions[name] = action

    def _build_menu(self) -> QMenu:
        menu = QMenu(self.tr("A&ssess"), self.window)
        reliability = menu.addMenu(self.tr("Source &Reliability"))
        credibility = menu.addMenu(self.tr("Information &Credibility"))
        for name, action in self.actions.items():
            if name.startswith("grade_reliability_"):
                reliability.addAction(action)
            elif name.startswith("grade_credibility_"):
                credibility.addAction(action)
        menu.addActions([self.actions["assess_hypothesis"], self.actions["assess_rationale"]])
        menu.addSeparator()
        menu.addAction(self.actions["view_ach"])
        bar = self.window.menuBar()
        help_menu = bar.actions()[-1] if bar.actions() else None
        bar.insertMenu(help_menu, menu) if help_menu is not None else bar.addMenu(menu)
        return menu

    def set_enabled(self, enabled: bool) -> None:
        """Grades and flags need an open file."""
        for action in self.actions.values():
            if action.property("needs_file"):
                action.setEnabled(enabled)

    # -- following the session ------------------------------------------------------------------------

    def follow(self, sess: session_mod.Session | None) -> None:
        """Work on ``sess`` from now on (a file was opened)."""
        self.session = sess
        self.tab.follow(sess)
        self.set_enabled(sess is not None)
        if sess is not None:
            sess.changed.connect(self._changed)
            sess.document_changed.connect(self._document_changed)
        self._tab_changed()

    def _in_view(self) -> bool:
        return self.window.tabs.currentWidget() is self.tab

    def _changed(self, changes: model.Changes) -> None:
        self.tab.changed(changes, self._in_view())
        if changes.assessments:
            self.show_grade()

    def _document_changed(self) -> None:
        self.tab.document_changed()
        self._tab_changed()

    def _tab_changed(self) -> None:
        if self._in_view():
            self.tab.shown()

    def _show_passage(self, annotation_id: str) -> None:
        self.window.editor.go_to(annotation_id)

    # -- the edits ----------------------------------------------------------------------------------------

    def _run(self, make: Callable[[store.Store], assessment.Edit]) -> bool:
        sess = self.session
        if sess is None:
            return False
        try:
            edit = make(sess.store)
        except errors.WarrantError as exc:
            self.window.error(str(exc))
            return False
        return sess.run_edit(edit)

    def _selected(self) -> list[str]:
        sess = self.session
        return [] if sess is None else [i for i in self.window.pane.selected_ids() if i in sess.annotations]

    def grade_document(self, grade: str | None) -> bool:
        """Set (or clear) the shown document's reliability grade, keeping its rationale."""
        sess = self.session
        if sess is None:
            return False
        fingerprint = sess.document.fingerprint
        old = next((g for g in sess.store.document_grades() if g.document == fingerprint), None)
        rationale = old.rationale if old else ""
        return self._run(lambda st: assessment.reliability_edit(st, fingerprint, grade, rationale))

    def grade_passages(self, grade: int | None) -> bool:
        """Set (or clear) the selected passages' credibility grade, as one edit, keeping their rationales."""
        ids = self._selected()
        if not ids:
            self.window.status(self.tr("Select the passages to grade first"), 4000)
            return False

        def make(st: store.Store) -> assessment.Edit:
            old = {g.annotation: g.rationale for g in st.passage_grades(ids)}
            edits = tuple(assessment.credibility_edit(st, i, grade, old.get(i, "")) for i in ids)
            return edits[0] if len(edits) == 1 else Batch(edits[0].text, edits)

        return self._run(make)

    def toggle_hypothesis(self) -> bool:
        """Mark the selected claims as hypotheses; if all of them are already, unmark them."""
        sess = self.session
        ids = self._selected()
        if sess is None or not ids:
            self.window.status(self.tr("Select a claim to mark as a hypothesis"), 4000)
            return False
        flagged = {h.annotation for h in sess.store.hypotheses()}
        flag = not all(i in flagged for i in ids)

        def make(st: store.Store) -> assessment.Edit:
            edits = tuple(assessment.hypothesis_edit(st, i, flag) for i in ids)
            return edits[0] if len(edits) == 1 else Batch(edits[0].text, edits)

        return self._run(make)

    def edit_rationale(self) -> bool:
        """Write the rationale of the selected passage's credibility grade, or else of the document's reliability."""
        sess = self.session
        if sess is None:
            return False
        ids = self._selected()
        grades = {g.annotation: g for g in sess.store.passage_grades(ids)} if ids else {}
        if len(ids) == 1 and ids[0] in grades:
            passage = grades[ids[0]]
            text = ask_rationale(
                self.window,
                self.tr("Credibility Rationale"),
                self.tr("Why is this passage graded %d (%s)?")
                % (passage.credibility, assessment.CREDIBILITY_LABELS[passage.credibility]),
                passage.rationale,
            )
            if text is None or text == passage.rationale:
                return False
            why: str = text
            return self._run(lambda st: assessment.credibility_edit(st, passage.annotation, passage.credibility, why))
        fingerprint = sess.document.fingerprint
        document = next((g for g in sess.store.document_grades() if g.document == fingerprint), None)
        if document is None:
            self.window.error(
                self.tr(
                    "Grade first: select one graded passage (Alt+1 ... Alt+6) to explain its credibility, "
                    "or grade this document's reliability (Shift+A ... Shift+F) to explain it."
                )
            )
            return False
        text = ask_rationale(
            self.window,
            self.tr("Reliability Rationale"),
            self.tr("Why is this source graded %s (%s)?")
            % (document.reliability, assessment.RELIABILITY_LABELS[document.reliability]),
            document.rationale,
        )
        if text is None or text == document.rationale:
            return False
        reason: str = text
        return self._run(lambda st: assessment.reliability_edit(st, fingerprint, document.reliability, reason))

    # -- showing grades -----------------------------------------------------------------------------------

    def show_grade(self) -> None:
        """Say the selected passage's grade in the status bar (e.g. ``Grade: B2``)."""
        sess = self.session
        ids = self._selected()
        if sess is None or len(ids) != 1:
            return
        label = grade_label_for(sess)(sess.annotations[ids[0]])
        if ids[0] in {h.annotation for h in sess.store.hypotheses()}:
            label = (label + " " if label else "") + self.tr("hypothesis")
        self.last_grade = label
        if label:
            self.window.status(self.tr("Grade: %s") % label, 6000)


def install(window: main_window.MainWindow) -> Assessing:
    """Add the ACH tab, the Assess menu and its keys to ``window``."""
    return Assessing(window)
