"""Drives a review in the window: reads colleagues' files, overlays their passages, accepts into mine."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from desktop.core import errors, model, review, store
from desktop.ui import commands, review_pane

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

MARK_PREFIX = "review:"


class Reviewer(QObject):
    """The colleagues' files under review and the current result, for the window's current document."""

    def __init__(self, window: MainWindow) -> None:
        """Attach to ``window``; nothing is reviewed yet."""
        super().__init__(window)
        self.window = window
        self.files: list[store.ColleagueFile] = []
        self.result: review.Review | None = None
        self.current: review.DocumentReview | None = None
        self.hidden: set[str] = set()
        self.pane: review_pane.ReviewPane | None = None
        self.stale = False
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.setInterval(0)
        self._pending.timeout.connect(self.refresh)

    # -- files --------------------------------------------------------------------------------

    def add_files(self, paths: Sequence[str]) -> list[str]:
        """Read colleagues' files (untrusted); return a message per file that was refused."""
        refused = []
        for path in paths:
            if any(f.path == path for f in self.files):
                continue
            try:
                self.files.append(store.open_untrusted(path))
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
        if self.pane is not None and self.window.tabs.currentWidget() is self.pane:
            self._pending.start()

    def refresh_if_stale(self) -> None:
        """Recompute if my annotations changed since the last comparison."""
        if self.stale:
            self.refresh()

    def refresh(self) -> None:
        """Compare my file (as it is now) with the colleagues' files, for the shown document."""
        sess = self.window.session
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
        tags = {t.name: t for t in sess.tags}
        for f in self.files:
            for t in f.tags:
                tags.setdefault(t.name, t)
        if self.pane is not None:
            self.pane.show_review(self.current, doc_data, tags, notes)
        self._draw_marks(tags)

    def _drop_marks(self) -> None:
        reader = self.window.reader
        reader.drop_marks([k for k in reader.highlighter.marks if k.startswith(MARK_PREFIX)])

    def _draw_marks(self, tags: dict[str, model.Tag]) -> None:
        self._drop_marks()
        if self.current is None:
            return
        reader = self.window.reader
        items = []
        for c in self.current.colleagues:
            if c.label in self.hidden:
                continue
            for a in c.annotations:
                tag = tags.get(a.tag) or model.Tag(a.tag, a.tag, "#8c8c8c")
                items.append((f"{MARK_PREFIX}{c.label}:{a.id}", reader.mark_for(a, tag, colleague=c.label)))
        reader.set_marks(items)

    def toggle(self, label: str, shown: bool) -> None:
        """Show or hide one colleague's passages in the reader."""
        if shown:
            self.hidden.discard(label)
        else:
            self.hidden.add(label)
        sess = self.window.session
        if sess is not None:
            tags = {t.name: t for t in sess.tags}
            for f in self.files:
                for t in f.tags:
                    tags.setdefault(t.name, t)
            self._draw_marks(tags)

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
        if self.current is None or self.window.session is None:
            return 0
        existing = list(self.window.session.annotations.values())
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
        window = self.window
        sess = window.session
        if sess is None:
            return 0
        annotations: list[model.Annotation] = []
        links: list[model.Link] = []
        existing = list(sess.annotations.values())
        for c, ids in acceptances:
            result = review.accept(
                c,
                ids,
                author=sess.store.annotator,
                existing=existing + annotations,
                tags=[t.name for t in sess.store.tags()],
                relations=[r.name for r in sess.store.relations()],
            )
            try:
                for name in result.missing_tags:
                    theirs = next((t for t in c.file.tags if t.name == name), None)
                    sess.store.add_tag(
                        name, label=theirs.label if theirs else None, colour=theirs.colour if theirs else None
                    )
                for name in result.missing_relations:
                    sess.store.add_relation(name)
            except errors.WarrantError as exc:
                window.error(str(exc))
                return 0
            if result.missing_tags:
                sess.reload_tags()
            annotations.extend(result.annotations)
            links.extend(result.links)
        if not annotations:
            window.statusBar().showMessage(
                window.tr("Nothing to accept: those passages are in your file already"), 5000
            )
            return 0
        command = commands.AddAnnotations(sess, annotations, links, text=f"{text} ({len(annotations)})")
        if not window.run_command(command):
            return 0
        window.statusBar().showMessage(window.tr("Accepted %d passages into your file") % len(annotations), 5000)
        return len(annotations)
