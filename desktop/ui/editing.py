"""The window's edit flows: from a key, a click or a dialog to one operation run by the session.

The :class:`Editor` knows the reader and the pane (what is selected) and asks the user what it must (a
note, a relation, a tag name, a file); every change it makes is a :mod:`desktop.core.operations` call
run by :meth:`desktop.ui.session.Session.run`, so it is one undoable step. It never repaints: views
follow the session's ``changed`` signal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QWidget

from desktop.core import anchoring, errors, model, operations
from desktop.ui import pane as pane_mod
from desktop.ui import reader as reader_mod
from desktop.ui import session as session_mod
from desktop.ui.dialogs import note as note_dialog

log = logging.getLogger(__name__)

StatusSink = Callable[[str, int], None]


def default_relation(source: model.Annotation, target: model.Annotation) -> str:
    """The relation a link between these tags most likely has."""
    return "based-on" if source.tag == "recommendation" else "supports"


def ask_relation(parent: QWidget, relations: list[model.Relation], default: str, where: QPoint | None) -> str | None:
    """Ask which relation a link has: a menu at the click, the default first. Tests replace this function."""
    relations = sorted(relations, key=lambda r: r.name != default)
    menu = QMenu(parent)
    for rel in relations:
        menu.addAction(rel.label).setData(rel.name)
    chosen = menu.exec(where or QCursor.pos())
    return str(chosen.data()) if chosen is not None else None


class Editor(QObject):
    """Turns the user's gestures into operations on the open session."""

    def __init__(
        self,
        parent: QWidget,
        reader: reader_mod.Reader,
        pane: pane_mod.AnnotationPane,
        status: StatusSink,
        error: Callable[[str], None],
    ) -> None:
        """Edit what ``reader`` and ``pane`` show; messages go to ``status`` and ``error``."""
        super().__init__(parent)
        self.parent_widget = parent
        self.reader = reader
        self.pane = pane
        self.status = status
        self.error = error
        self.session: session_mod.Session | None = None
        self.link_source: list[str] = []
        self.shown_by_row: tuple[int, int] | None = None
        """The passage a row click selected in the reader: a key then retags that row, not tags it again."""
        self.ask_relation: Callable[[QWidget, list[model.Relation], str, QPoint | None], str | None] = ask_relation
        """Asks which relation a new link has (tests answer it without a menu)."""
        self.show_list: Callable[[], None] = lambda: None
        """Brings the annotation list forward (a passage was clicked)."""
        self.followed: Callable[[str], None] = lambda _annotation_id: None
        """Tells the outline and the map which annotation the reader shows."""
        self.ask_note: Callable[..., str | None] = note_dialog.edit_note
        """Asks for a note (the note dialog; tests answer it without one)."""
        self._syncing = False
        reader.editing_extent = self.editing_extent
        reader.extent_requested.connect(self.change_extent_to)

    def attach(self, sess: session_mod.Session | None) -> None:
        """Edit ``sess`` from now on."""
        self.session = sess
        self.link_source = []
        self.shown_by_row = None

    # -- following the selection ----------------------------------------------------------------------

    def choose(self, annotation_id: str, where: QPoint | None = None) -> None:
        """A row, outline item or map box was chosen: end a link there, or go to its passage."""
        if self.link_source:
            self.finish_link(annotation_id, where)
        else:
            self.go_to(annotation_id)

    def passage_clicked(self, ids: list[str]) -> None:
        """A marked passage of the reader was clicked: end a link there, or select its rows."""
        if self.link_source:
            self.finish_link(ids[0])
            return
        self._syncing = True
        try:
            self.show_list()
            self.pane.select_ids(ids)
        finally:
            self._syncing = False

    def go_to(self, annotation_id: str) -> None:
        """Scroll to an annotation's passage and select it."""
        sess = self.session
        if sess is None or annotation_id not in sess.annotations:
            return
        a = sess.annotations[annotation_id]
        self.reader.select_cp(a.start, a.end)
        self.shown_by_row = (a.start, a.end)
        self.followed(annotation_id)

    def rows_selected(self) -> None:
        """One row was selected in the list by the user: show its passage."""
        ids = self.pane.selected_ids()
        if not self._syncing and len(ids) == 1 and self.pane.view.hasFocus():
            self.go_to(ids[0])

    # -- tagging ------------------------------------------------------------------------------------

    def tag_selection(self, tag: str) -> None:
        """Tag the reader's selection with ``tag``; with no selection, retag the selected rows."""
        sess = self.session
        if sess is None:
            return
        start, end = self.reader.selection_cp()
        rows = self.pane.selected_ids()
        if (start, end) != self.shown_by_row:
            start, end = self.reader.snapped_selection_cp()  # whole words (or grapheme clusters), as set
        if end > start and rows and (start, end) == self.shown_by_row:
            # The selection is the passage a row click showed: the key retags that row, as in
            # any list, rather than tagging the same characters a second time.
            end = start
        if end > start:
            annotation = anchoring.new_annotation(sess.document, start, end, tag, author=sess.store.annotator)
            if annotation is None:
                self.status(self.tr("Only white space is selected: nothing to tag"), 4000)
                return
            text = self.tr("Tag as %s") % sess.tag(tag).label
            if sess.run(text, lambda: operations.tag(sess.store, [annotation])):
                cursor = self.reader.textCursor()
                cursor.clearSelection()
                self.reader.setTextCursor(cursor)
            return
        current = [a for a in sess.current(rows) if a.tag != tag]
        if current:
            sess.run(self.tr("Retag as %s") % sess.tag(tag).label, lambda: operations.retag(sess.store, current, tag))
        elif not rows:
            self.status(self.tr("Select a passage in the article first, then press its key"), 4000)

    def delete_selected(self) -> None:
        """Delete the annotations selected in the pane (and their links)."""
        sess = self.session
        ids = self.pane.selected_ids()
        if sess is not None and ids:
            text = self.tr("Delete %n Passages", "", len(ids)) if len(ids) > 1 else self.tr("Delete Passage")
            sess.run(text, lambda: operations.delete(sess.store, ids))

    def edit_note(self) -> None:
        """Write or change the note of the selected annotations."""
        sess = self.session
        ids = self.pane.selected_ids() if sess else []
        if sess is None or not ids:
            self.status(self.tr("Select an annotation in the list first"), 4000)
            return
        current = sess.current(ids)
        old = current[0].note if len(current) == 1 else ""
        text = self.ask_note(self.parent_widget, current[0].quote, old, count=len(current))
        if text is not None and (len(current) > 1 or text != old):
            sess.run(self.tr("Edit Note"), lambda: operations.note(sess.store, current, text))

    def set_extent(self) -> None:
        """Make the selected annotation's passage the reader's selection."""
        sess = self.session
        ids = self.pane.selected_ids()
        start, end = self.reader.selection_cp()
        if sess is None or len(ids) != 1 or end <= start:
            self.status(self.tr("Select one annotation in the list and the new passage in the article"), 5000)
            return
        (current,) = sess.current(ids)
        if (current.start, current.end) == (start, end):
            return
        doc = sess.document
        sess.run(self.tr("Change Passage"), lambda: operations.change_extent(sess.store, doc, current, start, end))

    def editing_extent(self) -> tuple[int, int] | None:
        """The passage Shift+click and Shift+arrows in the reader edit: the one selected row's, or None."""
        sess = self.session
        ids = self.pane.selected_ids()
        if sess is None or len(ids) != 1 or ids[0] not in sess.annotations:
            return None
        a = sess.annotations[ids[0]]
        return a.start, a.end

    def change_extent_to(self, start: int, end: int) -> None:
        """Move the selected passage to ``start``-``end`` (from the reader), as one undoable step; keep it selected."""
        sess = self.session
        ids = self.pane.selected_ids()
        if sess is None or len(ids) != 1 or ids[0] not in sess.annotations:
            return
        current, doc = sess.annotations[ids[0]], sess.document
        if (current.start, current.end) == (start, end) or end <= start:
            return
        if sess.run(self.tr("Change Passage"), lambda: operations.change_extent(sess.store, doc, current, start, end)):
            self.reader.select_cp(start, end, scroll=False)
            self.shown_by_row = (start, end)

    def merge_selected(self) -> None:
        """Merge the selected annotations into one."""
        sess = self.session
        ids = self.pane.selected_ids()
        if sess is None or len(ids) < 2:
            self.status(self.tr("Select two or more annotations to merge"), 4000)
            return
        current, links, doc = sess.current(ids), list(sess.links.values()), sess.document
        sess.run(
            self.tr("Merge %n Passages", "", len(current)),
            lambda: operations.merge(sess.store, doc, current, links),
        )

    def add_tag_dialog(self) -> None:
        """Add a tag of the user's own to the file's tag set."""
        sess = self.session
        if sess is None:
            return
        name, ok = QInputDialog.getText(self.parent_widget, self.tr("Add Tag"), self.tr("Name of the new tag:"))
        if not ok or not name.strip():
            return
        used = {t.shortcut for t in sess.tags}
        key = next((str(n) for n in range(4, 10) if str(n) not in used), "")
        label = name.strip()
        sess.run(
            self.tr("Add Tag %s") % label,
            lambda: operations.add_tag(sess.store, label.lower(), label=label, shortcut=key),
        )

    # -- links --------------------------------------------------------------------------------------

    def start_link(self) -> None:
        """Begin a link from the selected annotation: the next clicked passage or row is the target."""
        ids = self.pane.selected_ids()
        if self.session is None or len(ids) != 1:
            self.status(self.tr("Select one annotation to link from"), 4000)
            return
        self.link_source = ids
        self.status(self.tr("Link: click the passage or row it relates to (Esc cancels)"), 15000)

    def cancel_link(self) -> bool:
        """Esc: stop linking; True if a link was being made."""
        if not self.link_source:
            return False
        self.link_source = []
        self.status(self.tr("Link cancelled"), 3000)
        return True

    def finish_link(self, target_id: str, where: QPoint | None = None) -> None:
        """Link the source chosen by :meth:`start_link` to ``target_id``, asking for the relation."""
        from desktop.core import argument

        sess = self.session
        source_id = self.link_source[0]
        self.link_source = []
        if sess is None or source_id not in sess.annotations or target_id not in sess.annotations:
            return
        source, target = sess.annotations[source_id], sess.annotations[target_id]
        if source_id == target_id:
            self.status(self.tr("A passage cannot be linked to itself"), 6000)
            return
        relations = sess.store.relations()
        relation = self.ask_relation(self.parent_widget, relations, default_relation(source, target), where)
        if relation is None:
            return
        existing = list(sess.links.values())
        refusal = argument.validate_link(
            source, target, relation, existing=existing, relations=[r.name for r in relations]
        )
        if refusal is not None:
            self.status(self.tr("Not linked: %s") % refusal, 8000)
            return
        caution = argument.link_warning(source, target, relation, existing=existing)
        new = model.Link(model.new_id(), source_id, target_id, relation, sess.store.annotator, model.now_utc())
        shown = next((r.label for r in relations if r.name == relation), relation).replace("-", " ")
        if sess.run(self.tr("Link (%s)") % shown, lambda: operations.link(sess.store, new)):
            done = self.tr("Linked: %s %s %s") % (sess.tag(source.tag).label, shown, sess.tag(target.tag).label)
            self.status(f"{done}. {caution}" if caution else done, 8000)

    def remove_link_dialog(self) -> None:
        """Remove one of the selected annotation's links."""
        sess = self.session
        ids = self.pane.selected_ids()
        if sess is None or len(ids) != 1:
            self.status(self.tr("Select one annotation whose link to remove"), 4000)
            return
        links = [k for k in sess.links.values() if ids[0] in (k.source, k.target)]
        if not links:
            self.status(self.tr("The selected annotation has no links"), 4000)
            return
        labels = []
        for k in links:
            other = sess.annotations.get(k.target if k.source == ids[0] else k.source)
            labels.append(f"{k.relation}: {other.quote[:60] if other else '?'}")
        choice, ok = QInputDialog.getItem(
            self.parent_widget, self.tr("Remove Link"), self.tr("Link:"), labels, 0, False
        )
        if ok:
            gone = links[labels.index(choice)]
            sess.run(
                self.tr("Remove Link (%s)") % gone.relation.replace("-", " "),
                lambda: operations.unlink(sess.store, gone.id),
            )

    # -- import -------------------------------------------------------------------------------------

    def import_file(self, path: str | None = None) -> None:
        """File > Import: W3C/Hypothesis JSON, REFI-QDA (.qdpx/.qde/.qdc) or brat (.ann), by suffix, as ONE
        undoable step (undo removes all it added); the report says what was placed, what not and why."""
        from desktop.ui import importing

        sess = self.session
        if sess is None:
            return
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self.parent_widget, self.tr("Import Annotations"), "", self.tr(importing.FILE_FILTER)
            )
            if not path:
                return
        try:
            prepared = importing.prepare(sess.store, path, sess.document)
        except errors.WarrantError as exc:
            self.error(str(exc))
            return
        if not prepared.empty:
            text = self.tr("Import %d annotations") % prepared.placed
            p, assessed = prepared.plan, prepared.assessments
            passages = bool(p.annotations or p.links or p.tags or p.documents)
            both = passages and assessed is not None
            if both:
                sess.undo_stack.beginMacro(text)  # the passages with their grades and ratings: ONE undo step
            try:
                ran = not passages or sess.run(text, lambda: operations.import_plan(sess.store, p))
                if ran and assessed is not None:
                    ran = sess.run_edit(assessed)
            finally:
                if both:
                    sess.undo_stack.endMacro()
            if not ran:
                return
            if prepared.assessments is not None and prepared.assessments.count:
                prepared.lines.insert(1, f"grades, hypotheses and ratings {prepared.assessments.count}")
        self.status(prepared.lines[0], 8000)
        if prepared.worth_a_dialog:
            importing.show_report(self.parent_widget, path, prepared.lines)


def repaint_reader(reader: reader_mod.Reader, sess: session_mod.Session, changes: model.Changes) -> None:
    """Repaint the passages an edit names (and nothing else)."""
    before = sess.before
    gone = [i for i in changes.removed if i not in sess.annotations]
    moved = [
        i
        for i in changes.changed
        if i in before
        and i in sess.annotations
        and (before[i].start, before[i].end) != (sess.annotations[i].start, sess.annotations[i].end)
    ]
    if gone or moved:
        reader.drop_marks([*gone, *moved])
    items = []
    for annotation_id in changes.added:
        a = sess.annotations.get(annotation_id)
        if a is not None:
            items.append((a.id, reader.mark_for(a, sess.tag(a.tag))))
    for annotation_id in changes.changed:
        a, old = sess.annotations.get(annotation_id), before.get(annotation_id)
        if a is not None and (old is None or old.tag != a.tag or annotation_id in moved):
            items.append((a.id, reader.mark_for(a, sess.tag(a.tag))))
    if items:
        reader.set_marks(items)
    if changes.added and log.isEnabledFor(logging.INFO):  # WARRANT_DEBUG=1: the end-to-end tests read this line
        added = [sess.annotations[i] for i in changes.added if i in sess.annotations]
        log.info("tagged %s", " ".join(f"{a.id}:{a.tag}:{a.start}-{a.end}" for a in added))
