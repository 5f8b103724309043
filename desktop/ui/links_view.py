"""Links made visible: the Links column of the annotation list and the hover card on a passage in the reader.

Everything here is plain text: quotes, notes, tag and relation labels come from the file (and from colleagues)
and are never interpreted as markup (:func:`desktop.ui.plain.tooltip` shows them literally).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QToolTip

from desktop.core import model, textutil
from desktop.ui import plain
from desktop.ui import session as session_mod

QUOTE_CHARS = 24
"""Characters of a linked passage's quote named in the Links column."""


def short_quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """A quote on one line, cut at ``limit`` characters, in curly quotes."""
    flat = textutil.one_line(text[: limit * 4])
    return "“" + (flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…") + "”"


class LinkIndex:
    """The links of the shown document by annotation: outgoing and incoming, with what they point at."""

    def __init__(self) -> None:
        """Start with no links."""
        self.outgoing: dict[str, list[model.Link]] = {}
        self.incoming: dict[str, list[model.Link]] = {}
        self.passages: dict[str, model.Annotation] = {}
        self.tag_labels: dict[str, str] = {}
        self.relation_labels: dict[str, str] = {}
        self._cells: dict[str, str] = {}

    def rebuild(
        self,
        links: Iterable[model.Link],
        annotations: Mapping[str, model.Annotation],
        tags: Iterable[model.Tag],
        relations: Iterable[model.Relation],
        elsewhere: Callable[[str], model.Annotation | None] = lambda _id: None,
    ) -> set[str]:
        """Index ``links`` anew; ``elsewhere`` finds a passage of another article. Returns the ids whose cell changed."""
        old = {i: self.cell(i) for i in {*self.outgoing, *self.incoming}}
        outgoing: defaultdict[str, list[model.Link]] = defaultdict(list)
        incoming: defaultdict[str, list[model.Link]] = defaultdict(list)
        passages = dict(annotations)
        for k in links:
            outgoing[k.source].append(k)
            incoming[k.target].append(k)
            for end in (k.source, k.target):
                if end not in passages:
                    found = elsewhere(end)
                    if found is not None:
                        passages[end] = found
        self.outgoing, self.incoming, self.passages = dict(outgoing), dict(incoming), passages
        self.tag_labels = {t.name: t.label for t in tags}
        self.relation_labels = {r.name: r.label for r in relations}
        self._cells = {}
        return {i for i in {*old, *self.outgoing, *self.incoming} if old.get(i, "") != self.cell(i)}

    def _describe(self, annotation_id: str) -> str:
        a = self.passages.get(annotation_id)
        if a is None:
            return "a removed passage"
        return f"{self.tag_labels.get(a.tag, a.tag)} {short_quote(a.quote)}"

    def _relation(self, name: str) -> str:
        return self.relation_labels.get(name, name).replace("-", " ")

    def cell(self, annotation_id: str) -> str:
        """The Links column of one row: e.g. ``→ supports: Claim “Iran and…” · ← 2``."""
        text = self._cells.get(annotation_id)
        if text is None:
            parts = [
                f"→ {self._relation(k.relation)}: {self._describe(k.target)}"
                for k in self.outgoing.get(annotation_id, ())
            ]
            coming = len(self.incoming.get(annotation_id, ()))
            if coming:
                parts.append(f"← {coming}")
            text = self._cells[annotation_id] = " · ".join(parts)
        return text

    def sentences(self, annotation_id: str) -> list[str]:
        """The links of one passage in plain words, one sentence each."""
        out = [
            f"It {self._relation(k.relation)} {self._describe(k.target)}." for k in self.outgoing.get(annotation_id, ())
        ]
        out += [
            f"{self._describe(k.source)} {self._relation(k.relation)} it." for k in self.incoming.get(annotation_id, ())
        ]
        return out


def card_text(a: model.Annotation, tag_label: str, links: LinkIndex, *, quote_chars: int = 400) -> str:
    """The hover card of a passage, as plain text: its tag, quote, note and links."""
    flat = textutil.one_line(a.quote[: quote_chars * 2])
    quote = flat if len(flat) <= quote_chars else flat[: quote_chars - 1] + "…"
    lines = [tag_label, f"“{quote}”"]
    if a.note.strip():
        lines += ["", "Note: " + a.note.strip()]
    sentences = links.sentences(a.id)
    if sentences:
        lines += ["", "Links:", *(f"  {s}" for s in sentences)]
    return "\n".join(lines)


class HoverCards(QObject):
    """Shows a passage's card when the pointer rests on it in the reader (an event filter on its viewport).

    Only the analyst's own passages get a card; elsewhere the reader's own tooltip (colleagues' passages) shows.
    """

    def __init__(self, reader: object, links: LinkIndex, parent: QObject | None = None) -> None:
        """Watch ``reader`` (a :class:`desktop.ui.reader.Reader`) for tooltip events."""
        super().__init__(parent)
        self.reader = reader
        self.links = links
        self.session: session_mod.Session | None = None
        reader.viewport().installEventFilter(self)  # type: ignore[attr-defined]

    def text_at(self, u16: int) -> str:
        """The card for the passages at a UTF-16 position of the reader ('' when none of mine is there)."""
        sess = self.session
        if sess is None:
            return ""
        cards = []
        for key, _mark in self.reader.marks_at(u16, theirs=False):  # type: ignore[attr-defined]
            a = sess.annotations.get(key)
            if a is not None:
                cards.append(card_text(a, sess.tag(a.tag).label, self.links))
        return "\n\n———\n\n".join(cards)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ToolTip or not isinstance(event, QHelpEvent):
            return False
        u16 = self.reader.cursorForPosition(event.pos()).position()  # type: ignore[attr-defined]
        text = self.text_at(u16)
        if not text:
            return False  # the reader's own tooltip (colleagues' passages), or none
        QToolTip.showText(event.globalPos(), plain.tooltip(text), self.reader.viewport())  # type: ignore[attr-defined]
        return True


def follow(sess: session_mod.Session, links: LinkIndex, refreshed: Callable[[set[str]], None]) -> None:
    """Keep ``links`` up to date with ``sess``; ``refreshed`` gets the ids whose Links cell changed."""
    relations: list[model.Relation] = []
    foreign: list[model.Link] = []

    def rebuild(changes: model.Changes | None) -> None:
        if changes is not None:
            if changes.relations:
                relations[:] = sess.store.relations()
            touched = {*changes.removed, *changes.changed}
            named = touched & {*links.outgoing, *links.incoming}
            if not (changes.links_added or changes.links_removed or changes.tags or changes.relations or named):
                return  # a new passage, or one no link touches: no Links cell changes
        else:
            relations[:] = sess.store.relations()
        if changes is None or any(i not in sess.links for i in changes.links_added):
            # Links into this article from passages of the others (the session keeps only its own;
            # an undo elsewhere in the file can bring one back).
            shown = sess.annotations
            foreign[:] = [k for k in sess.store.iter_links() if k.target in shown and k.source not in shown]
        elif changes.links_removed:
            gone = set(changes.links_removed)
            foreign[:] = [k for k in foreign if k.id not in gone]
        changed = links.rebuild(
            [*sess.links.values(), *foreign],
            sess.annotations,
            sess.tags,
            relations,
            elsewhere=lambda i: _elsewhere(sess, i),
        )
        refreshed(changed)

    sess.changed.connect(rebuild)
    sess.document_changed.connect(lambda: rebuild(None))
    rebuild(None)


def _elsewhere(sess: session_mod.Session, annotation_id: str) -> model.Annotation | None:
    from desktop.core import errors

    try:
        return sess.store.annotation(annotation_id)
    except errors.WarrantError:
        return None
