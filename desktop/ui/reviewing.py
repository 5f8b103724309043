"""Drives a review: reads colleagues' files, overlays their passages in the reader, accepts into mine.

The reviewer knows the session (my file, its operations) and the reader (the overlay), never the window.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from desktop.core import assessment, errors, model, operations, review, untrusted
from desktop.ui import reader as reader_mod
from desktop.ui import review_pane, wording
from desktop.ui import session as session_mod

log = logging.getLogger(__name__)

MARK_PREFIX = "review:"


class Reviewer(QObject):
    """The colleagues' files under review and the current result, for the window's current document."""

    def __init__(
        self,
        reader: reader_mod.Reader,
        parent: QObject | None = None,
        *,
        status: Callable[[str, int], None] = lambda _text, _ms: None,
        in_view: Callable[[], bool] = lambda: True,
    ) -> None:
        """Overlay colleagues' passages in ``reader``; ``in_view`` says whether the Review tab is shown."""
        super().__init__(parent)
        self.reader = reader
        self.session: session_mod.Session | None = None
        self.status = status
        self.in_view = in_view
        self.files: list[untrusted.ColleagueFile] = []
        self.result: review.Review | None = None
        self.current: review.DocumentReview | None = None
        self.hidden: set[str] = set()
        self.pane: review_pane.ReviewPane | None = None
        self.stale = False
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.setInterval(0)
        self._pending.timeout.connect(self.refresh)

    def set_session(self, sess: session_mod.Session | None) -> None:
        """Review against ``sess`` (my open file) from now on; my edits mark the comparison stale."""
        if self.session is not None:
            self.session.changed.disconnect(self._on_changes)
        self._pending.stop()
        self.session = sess
        if sess is not None:
            sess.changed.connect(self._on_changes)

    def _on_changes(self, changes: model.Changes) -> None:
        if changes.added or changes.changed or changes.removed or changes.links_added or changes.links_removed:
            self.schedule()
        elif changes.assessments:  # issue 17: grades and ratings are compared too
            self.schedule()

    # -- files --------------------------------------------------------------------------------

    def add_files(self, paths: Sequence[str]) -> list[str]:
        """Read colleagues' files (untrusted); return a message per file that was refused."""
        refused = []
        for path in paths:
            if any(f.path == path for f in self.files):
                continue
            try:
                self.files.append(untrusted.open_untrusted(path))
            except errors.WarrantError as exc:
                refused.append(str(exc))
        return refused

    def close(self) -> None:
        """Stop reviewing: drop the overlay and forget the files."""
        self._drop_marks()
        self.files = []
        self.result = None
        self.current = None

    # -- refreshing ---------------------------------------------------------------------------

    def schedule(self) -> None:
        """My annotations changed: recompute once this turn if the Review tab is in view, else when it is shown.

        A comparison reads my whole file and aligns every passage (about a second with 10,000), so
        it never runs on the tagging path while the analyst is not looking at it.
        """
        if not self.files:
            return
        self.stale = True
        if self.pane is not None and self.in_view():
            self._pending.start()

    def refresh_if_stale(self) -> None:
        """Recompute if my annotations changed since the last comparison."""
        if self.stale:
            self.refresh()

    def refresh(self) -> None:
        """Compare my file (as it is now) with the colleagues' files, for the shown document."""
        sess = self.session
        if sess is None or not self.files:
            return
        self.stale = False
        mine = review.snapshot(sess.store)
        self.result = review.review(mine, self.files, document=sess.document.fingerprint)
        self.current = next(
            (d for d in self.result.documents if d.document.fingerprint == sess.document.fingerprint), None
        )
        data = review.report_data(self.result)
        doc_data: dict[str, Any] = next(
            (d for d in data["documents"] if d["fingerprint"] == sess.document.fingerprint), {}
        )
        notes = [f"{u['annotator']}: {u['title']!r} not compared ({u['reason']})" for u in data.get("unmatched", [])]
        if self.current is None:
            notes.append("No colleague's file has this article (or a version of it).")
        tags = self._tags(sess)
        if self.pane is not None:
            self.pane.show_review(self.current, doc_data, tags, notes)
            self._show_assessment(sess, mine)
        self._draw_marks(tags)

    def _show_assessment(self, sess: session_mod.Session, mine: untrusted.ColleagueFile) -> None:
        """Issue 17: compare the grades and ACH ratings of the shown document; list where colleagues disagree."""
        assert self.pane is not None
        st = sess.store
        mine = dataclasses.replace(
            mine,
            assessments=(
                tuple(st.document_grades()),
                tuple(st.passage_grades()),
                tuple(st.hypotheses()),
                tuple(st.ach_ratings()),
            ),
        )
        try:
            data = assessment.compare_files(mine, self.files, document=sess.document.fingerprint)
        except errors.WarrantError as exc:
            log.warning("assessments not compared: %s", exc)
            data = {}
        titles = {d.fingerprint: d.title for d in mine.documents}
        self.pane.show_assessment(data, titles)

    def show_place(self, document: str, start: int, end: int) -> None:
        """A disagreement was clicked: show its passage if it is in the shown document."""
        sess = self.session
        if sess is not None and document == sess.document.fingerprint:
            self.reader.select_cp(start, end)

    def _tags(self, sess: session_mod.Session) -> model.TagSet:
        return sess.tags.with_extra(t for f in self.files for t in f.tags)

    def _drop_marks(self) -> None:
        reader = self.reader
        reader.drop_marks([k for k in reader.highlighter.marks if k.startswith(MARK_PREFIX)])

    def _draw_marks(self, tags: model.TagSet) -> None:
        self._drop_marks()
        if self.current is None:
            return
        reader = self.reader
        items = []
        for c in self.current.colleagues:
            if c.label in self.hidden:
                continue
            for a in c.annotations:
                tag = tags.get(a.tag)
                items.append((f"{MARK_PREFIX}{c.label}:{a.id}", reader.mark_for(a, tag, colleague=c.label)))
        reader.set_marks(items)

    def toggle(self, label: str, shown: bool) -> None:
        """Show or hide one colleague's passages in the reader."""
        if shown:
            self.hidden.discard(label)
        else:
            self.hidden.add(label)
        sess = self.session
        if sess is not None:
            self._draw_marks(self._tags(sess))

    def show_row(self, row: object) -> None:
        """Show both passages of an alignment row: the reader selects the stretch covering them."""
        spans = [a for a in (getattr(row, "mine", None), getattr(row, "theirs", None)) if a is not None]
        if getattr(row, "kind", "") == "orphan":
            spans = [a for a in spans if a is not getattr(row, "theirs", None)]
        if spans:
            self.reader.select_cp(min(a.start for a in spans), max(a.end for a in spans))

    # -- accepting ----------------------------------------------------------------------------

    def _colleague(self, label: str) -> review.ColleagueReview | None:
        if self.current is None:
            return None
        return next((c for c in self.current.colleagues if c.label == label), None)

    def accept_rows(self, rows: Sequence[review_pane.Row]) -> int:
        """Accept their passages of these rows; one undoable step. Returns how many were copied."""
        by_colleague: dict[str, list[str]] = {}
        for row in rows:
            if row.theirs is not None and row.kind != review_pane.ORPHAN:
                by_colleague.setdefault(row.colleague, []).append(row.theirs.id)
        acceptances = []
        for label, ids in by_colleague.items():
            c = self._colleague(label)
            if c is not None:
                acceptances.append((c, ids))
        return self._apply(acceptances, "Accept theirs")

    def accept_agreed(self) -> int:
        """Accept the agreed passages the core picks (none a near-duplicate of mine), after asking; one undo step."""
        if self.current is None or self.session is None:
            return 0
        existing = list(self.session.annotations.values())
        ids = [(c, review.agreed_to_accept(c, existing)) for c in self.current.colleagues if c.label not in self.hidden]
        if self.pane is not None and not self.pane.confirm_accept_agreed(sum(len(i) for _, i in ids)):
            return 0
        return self._apply(ids, "Accept all agreed")

    def accept_tag(self, tag: str) -> int:
        """Accept every passage of theirs with ``tag`` that I do not have."""
        if self.current is None:
            return 0
        ids = [
            (
                c,
                [
                    p.theirs.id
                    for p in c.pairs
                    if p.theirs is not None
                    and p.theirs.tag == tag
                    and p.kind in (review.ONLY_THEIRS, review.TAG_DIFFERS)
                ],
            )
            for c in self.current.colleagues
            if c.label not in self.hidden
        ]
        return self._apply(ids, f"Accept all theirs of {tag}")

    def _apply(self, acceptances: Sequence[tuple[review.ColleagueReview, list[str]]], text: str) -> int:
        """Accept: their passages and links, and the tags and relations they need, as ONE undoable step."""
        sess = self.session
        if sess is None:
            return 0
        annotations: list[model.Annotation] = []
        links: list[model.Link] = []
        tags: list[model.Tag] = []
        relations: list[str] = []
        existing = list(sess.annotations.values())
        mine_tags = [t.name for t in sess.store.tags()]
        mine_relations = [r.name for r in sess.store.relations()]
        for c, ids in acceptances:
            result = review.accept(
                c,
                ids,
                author=sess.store.annotator,
                existing=existing + annotations,
                tags=mine_tags + [t.name for t in tags],
                relations=mine_relations + relations,
            )
            theirs = model.TagSet(c.file.tags)
            tags.extend(theirs.get(name) for name in result.missing_tags)
            relations.extend(result.missing_relations)
            annotations.extend(result.annotations)
            links.extend(result.links)
        if not annotations:
            self.status(self.tr("Nothing to accept: those passages are in your file already"), 5000)
            return 0
        accepted = operations.Accepted(tuple(annotations), tuple(links), tuple(tags), tuple(relations))
        if not sess.run(f"{text} ({len(annotations)})", lambda: operations.accept(sess.store, accepted)):
            return 0
        n = len(annotations)
        self.status(wording.counted(self.tr("Accepted %n passage(s) into your file", "", n), n), 5000)
        return len(annotations)


def open_review(
    reader: reader_mod.Reader,
    parent: QWidget,
    sess: session_mod.Session | None,
    *,
    status: Callable[[str, int], None],
    in_view: Callable[[review_pane.ReviewPane], bool],
) -> Reviewer:
    """Make a reviewer and its Review pane (``reviewer.pane``), wired to each other and to ``sess``."""
    page = review_pane.ReviewPane(parent)
    reviewer = Reviewer(reader, parent, status=status, in_view=lambda: in_view(page))
    reviewer.pane = page
    reviewer.set_session(sess)
    page.row_activated.connect(reviewer.show_row)
    page.colleague_toggled.connect(reviewer.toggle)
    page.accept_selected.connect(lambda: reviewer.accept_rows(page.selected_rows()))
    page.accept_agreed.connect(reviewer.accept_agreed)
    page.accept_tag.connect(reviewer.accept_tag)
    page.place_activated.connect(reviewer.show_place)
    return reviewer
