"""Random edit sequences on random Unicode documents: the file always equals a plain-Python model.

A hypothesis state machine tags, retags, notes, deletes, restores (the undo of a delete), links and
unlinks through the real :class:`store.Store` on a real file. After every step the store, and a fresh
read of the file from disk, hold exactly the model's state, and every quote is the text at its offsets.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from desktop.core import anchoring, documents, errors, model, store, untrusted

_CHARS = st.one_of(
    st.sampled_from(list("ab .\n")),
    st.sampled_from(["\U0001f600", "\u0301", "\u0654", "\u200c", "\u0627", "\u06cc", "\u0416", "\ufeff"]),
    st.characters(blacklist_categories=("Cs",)),
)
TEXTS = st.text(alphabet=_CHARS, min_size=1, max_size=120).filter(lambda t: bool(t.replace("\r", "").strip()))
FIRST_TEXTS = st.text(alphabet=_CHARS, min_size=20, max_size=200).map(lambda t: "Article " + t)
NOTES = st.text(alphabet=_CHARS, max_size=20)
TAGS = st.sampled_from([t.name for t in model.DEFAULT_TAGS])
RELATIONS = st.sampled_from([r.name for r in model.DEFAULT_RELATIONS])


class StoreMachine(RuleBasedStateMachine):
    """The store against a model: documents, annotations and links by id, and an undo stack of deletes."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="warrant-props-"))
        self.path = self.folder / "props.warrant"
        self.store = store.Store.open(self.path, annotator="Ana")
        self.docs: dict[str, model.Document] = {}
        self.anns: dict[str, model.Annotation] = {}
        self.links: dict[str, model.Link] = {}
        self.undo: list[tuple[list[model.Annotation], list[model.Link]]] = []

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- edits -----------------------------------------------------------------------------------

    @initialize(text=FIRST_TEXTS, data=st.data())
    def first_document_and_tags(self, text: str, data: st.DataObject) -> None:
        self.add_document(text)
        for _ in range(data.draw(st.integers(0, 4))):
            self.tag(data, data.draw(TAGS), data.draw(NOTES))

    @rule(text=TEXTS)
    def add_document(self, text: str) -> None:
        doc = self.store.add_document(documents.from_text(text, "doc.txt"))
        if doc.fingerprint in self.docs:
            assert doc == self.docs[doc.fingerprint]
        self.docs[doc.fingerprint] = doc

    @precondition(lambda self: self.docs)
    @rule(data=st.data(), tag=TAGS, note=NOTES)
    def tag(self, data: st.DataObject, tag: str, note: str) -> None:
        doc = self.docs[data.draw(st.sampled_from(sorted(self.docs)))]
        start = data.draw(st.integers(0, len(doc.text)))
        end = data.draw(st.integers(start, len(doc.text)))
        ann = anchoring.new_annotation(doc, start, end, tag, author="Ana", note=note)
        if ann is None:
            return
        self.store.insert_annotation(ann)
        self.anns[ann.id] = ann

    @precondition(lambda self: self.anns)
    @rule(data=st.data(), tag=TAGS)
    def retag(self, data: st.DataObject, tag: str) -> None:
        ann_id = data.draw(st.sampled_from(sorted(self.anns)))
        self.anns[ann_id] = self.store.update_annotation(ann_id, tag=tag)
        assert self.anns[ann_id].tag == tag

    @precondition(lambda self: self.anns)
    @rule(data=st.data(), note=NOTES)
    def note(self, data: st.DataObject, note: str) -> None:
        ann_id = data.draw(st.sampled_from(sorted(self.anns)))
        self.anns[ann_id] = self.store.update_annotation(ann_id, note=note)

    @precondition(lambda self: self.anns)
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        ids = data.draw(st.lists(st.sampled_from(sorted(self.anns)), min_size=1, max_size=3, unique=True))
        gone, links = self.store.delete_annotations(ids)
        assert sorted(gone, key=lambda a: a.id) == sorted((self.anns[i] for i in ids), key=lambda a: a.id)
        touching = {k.id for k in self.links.values() if k.source in ids or k.target in ids}
        assert {k.id for k in links} == touching and len(links) == len(touching)
        for i in ids:
            del self.anns[i]
        for k in touching:
            del self.links[k]
        self.undo.append((gone, links))

    @precondition(lambda self: self.undo)
    @rule()
    def restore(self) -> None:
        gone, links = self.undo.pop()
        self.store.restore(gone, links)
        self.anns.update((a.id, a) for a in gone)
        self.links.update((k.id, k) for k in links)

    @precondition(lambda self: len(self.anns) >= 2)
    @rule(data=st.data(), relation=RELATIONS)
    def link(self, data: st.DataObject, relation: str) -> None:
        source, target = data.draw(st.lists(st.sampled_from(sorted(self.anns)), min_size=2, max_size=2, unique=True))
        new = model.Link(model.new_id(), source, target, relation, "Ana", model.now_utc())
        self.links[new.id] = self.store.insert_link(new)

    @precondition(lambda self: self.anns)
    @rule(data=st.data())
    def self_link_is_refused(self, data: st.DataObject) -> None:
        ann_id = data.draw(st.sampled_from(sorted(self.anns)))
        try:
            self.store.insert_link(model.Link(model.new_id(), ann_id, ann_id, "supports", "Ana", model.now_utc()))
        except errors.StoreError:
            return
        raise AssertionError("a link from an annotation to itself was stored")

    @precondition(lambda self: self.links)
    @rule(data=st.data())
    def unlink(self, data: st.DataObject) -> None:
        link_id = data.draw(st.sampled_from(sorted(self.links)))
        assert self.store.delete_link(link_id) == self.links.pop(link_id)

    @rule()
    def reopen(self) -> None:
        self.store.close()
        self.store = store.Store.open(self.path, create=False)

    # -- what must always hold -------------------------------------------------------------------

    def _matches(self, s: store.Store) -> None:
        assert {d.fingerprint: d for d in s.documents()} == self.docs
        stored = s.annotations()
        assert {a.id: a for a in stored} == self.anns and len(stored) == len(self.anns)
        assert [(a.document, a.start, a.end) for a in stored] == sorted((a.document, a.start, a.end) for a in stored)
        assert {k.id: k for k in s.links()} == self.links
        for a in stored:
            assert self.docs[a.document].text[a.start : a.end] == a.quote
        assert s.tags() == list(model.DEFAULT_TAGS) and s.annotator == "Ana"

    @invariant()
    def store_equals_model(self) -> None:
        self._matches(self.store)

    @invariant()
    def file_on_disk_equals_model(self) -> None:
        snapshot = untrusted.open_readonly_snapshot(self.path)
        try:
            self._matches(snapshot)
        finally:
            snapshot.close()


StoreMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=25, deadline=None)
TestStoreMachine = StoreMachine.TestCase
