"""The operation layer's core (Anki's ``CollectionOp``): one function per kind of edit, no Qt.

Each function performs its edit through the store in ONE transaction and returns an :class:`Outcome`:
the :class:`~desktop.core.model.Changes` it made, the :class:`Edit` it applied (to redo it identically,
with the same ids and times) and the :class:`Edit` that reverses it (to undo it exactly). The window's
session (``desktop/ui/session.py``) wraps each call in a ``QUndoCommand``; the command line and tests
call these functions directly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from desktop.core import anchoring, errors, model, store


@dataclass(frozen=True)
class Edit:
    """Everything one edit writes, applied in one transaction by :meth:`store.Store.apply_edit`."""

    documents: tuple[model.Document, ...] = ()
    tags: tuple[model.Tag, ...] = ()
    relations: tuple[model.Relation, ...] = ()
    annotations: tuple[model.Annotation, ...] = ()
    """Annotations inserted."""
    replace: tuple[model.Annotation, ...] = ()
    """Annotations written over the stored ones with the same ids (retag, note, extent)."""
    links: tuple[model.Link, ...] = ()
    remove_links: tuple[str, ...] = ()
    remove_annotations: tuple[str, ...] = ()
    """Annotation ids removed, with every link that touches them."""
    remove_tags: tuple[str, ...] = ()
    remove_relations: tuple[str, ...] = ()
    remove_documents: tuple[str, ...] = ()
    replace_tags: tuple[model.Tag, ...] = ()
    """Tags written over the stored ones with the same names (label, colour, key, position, description)."""

    def __bool__(self) -> bool:
        # Not dataclasses.astuple: it deep-copies every annotation (10,000 on an import).
        return any(getattr(self, f.name) for f in dataclasses.fields(self))


@dataclass(frozen=True)
class Outcome:
    """What an operation did: its changes, the edit to redo it and the edit to undo it."""

    changes: model.Changes
    redo: Edit
    undo: Edit

    def __bool__(self) -> bool:
        return bool(self.redo)


def apply(st: store.Store, edit: Edit) -> tuple[model.Changes, Edit]:
    """Apply ``edit`` in one transaction.

    Returns:
        What changed, and the edit that reverses it (built from what the store actually removed).

    Raises:
        StoreError: the write failed; nothing was changed.
    """
    if not edit:
        return model.Changes(), Edit()
    gone, gone_links = st.apply_edit(
        remove_links=edit.remove_links,
        remove_annotations=edit.remove_annotations,
        remove_tags=edit.remove_tags,
        remove_relations=edit.remove_relations,
        remove_documents=edit.remove_documents,
        documents=edit.documents,
        tags=edit.tags,
        relations=edit.relations,
        annotations=edit.annotations,
        replace=edit.replace,
        links=edit.links,
        replace_tags=edit.replace_tags,
    )
    changes = model.Changes(
        added=tuple(a.id for a in edit.annotations),
        changed=tuple(a.id for a in edit.replace),
        removed=tuple(a.id for a in gone),
        links_added=tuple(k.id for k in edit.links),
        links_removed=tuple(k.id for k in gone_links),
        tags=tuple(dict.fromkeys((*(t.name for t in (*edit.tags, *edit.replace_tags)), *edit.remove_tags))),
        relations=tuple(r.name for r in edit.relations) + edit.remove_relations,
        documents=tuple(d.fingerprint for d in edit.documents) + edit.remove_documents,
    )
    return changes, _inverse(edit, gone, gone_links)


def _inverse(edit: Edit, gone: Sequence[model.Annotation], gone_links: Sequence[model.Link]) -> Edit:
    """The edit that puts back what ``edit`` changed (``replace`` is inverted by the caller, who knows the old rows)."""
    return Edit(
        documents=(),
        tags=(),
        relations=(),
        annotations=tuple(gone),
        links=tuple(gone_links),
        remove_links=tuple(k.id for k in edit.links),
        remove_annotations=tuple(a.id for a in edit.annotations),
        remove_tags=tuple(t.name for t in edit.tags),
        remove_relations=tuple(r.name for r in edit.relations),
        remove_documents=tuple(d.fingerprint for d in edit.documents),
    )


def run(st: store.Store, edit: Edit, *, before: Sequence[model.Annotation] = ()) -> Outcome:
    """Apply ``edit``; ``before`` are the stored versions of the annotations ``edit.replace`` overwrites.

    Raises:
        StoreError: the write failed; nothing was changed.
    """
    changes, inverse = apply(st, edit)
    if before:
        inverse = dataclasses.replace(inverse, replace=tuple(before))
    return Outcome(changes, edit, inverse)


def redo(st: store.Store, outcome: Outcome) -> model.Changes:
    """Apply an outcome's edit again (the same ids and times)."""
    return apply(st, outcome.redo)[0]


def undo(st: store.Store, outcome: Outcome) -> model.Changes:
    """Reverse an outcome's edit."""
    return apply(st, outcome.undo)[0]


# -- one function per kind of edit ----------------------------------------------------------------


def tag(st: store.Store, annotations: Sequence[model.Annotation], links: Sequence[model.Link] = ()) -> Outcome:
    """Add new annotations (a tagged passage), and links among them."""
    return run(st, Edit(annotations=tuple(annotations), links=tuple(links)))


def _rewrite(st: store.Store, current: Sequence[model.Annotation], **values: object) -> Outcome:
    stamp = model.now_utc()
    new = tuple(a.replace(**values, modified=stamp) for a in current)
    return run(st, Edit(replace=new), before=current)


def retag(st: store.Store, current: Sequence[model.Annotation], tag_name: str) -> Outcome:
    """Give annotations (as they are stored now) another tag, all in one transaction."""
    return _rewrite(st, [a for a in current if a.tag != tag_name], tag=tag_name)


def note(st: store.Store, current: Sequence[model.Annotation], text: str) -> Outcome:
    """Set the note of annotations (as they are stored now)."""
    return _rewrite(st, current, note=text)


def change_extent(
    st: store.Store, document: model.Document, current: model.Annotation, start: int, end: int
) -> Outcome:
    """Move an annotation's passage to ``start``-``end`` of ``document``; its quote and context follow.

    Raises:
        ExchangeError: the new extent is empty or outside the document.
    """
    if not 0 <= start < end <= len(document.text):
        raise errors.ExchangeError(f"a passage must cover 1 to {len(document.text)} characters of the document")
    sel = anchoring.select(document.text, start, end)
    return _rewrite(st, [current], start=start, end=end, quote=sel.exact, prefix=sel.prefix, suffix=sel.suffix)


def delete(st: store.Store, annotation_ids: Sequence[str]) -> Outcome:
    """Delete annotations and every link touching them; the undo puts them all back."""
    return run(st, Edit(remove_annotations=tuple(annotation_ids)))


def link(st: store.Store, new: model.Link) -> Outcome:
    """Link two annotations."""
    return run(st, Edit(links=(new,)))


def unlink(st: store.Store, link_id: str) -> Outcome:
    """Remove a link."""
    return run(st, Edit(remove_links=(link_id,)))


def add_tag(
    st: store.Store, name: str, *, label: str | None = None, colour: str | None = None, shortcut: str = ""
) -> Outcome:
    """Add a tag to the file's tag set (nothing when a tag of that name exists).

    Raises:
        StoreError: the name is empty or longer than 64 characters.
    """
    name = name.strip()
    if not name or len(name) > 64:
        raise errors.StoreError("a tag name must have 1 to 64 characters")
    tags = model.TagSet(st.tags())
    if name in tags:
        return Outcome(model.Changes(), Edit(), Edit())
    return run(st, Edit(tags=(tags.new_tag(name, label=label, colour=colour, shortcut=shortcut),)))


# -- the codebook: one transaction per edit of the tag set --------------------------------------------

MAX_LABEL = 64
TAG_KEYS = tuple("123456789")
"""Keys a tag can have: one press tags the selection."""


def _stored_tag(st: store.Store, name: str) -> model.Tag:
    found = model.TagSet(st.tags()).find(name)
    if found is None:
        raise errors.StoreError(f"there is no tag {name!r} in this file")
    return found


def update_tags(st: store.Store, new: Sequence[model.Tag]) -> Outcome:
    """Write tags over the stored ones of the same names; the undo writes the old ones back.

    Raises:
        StoreError: a tag is not in the file.
    """
    old = {t.name: t for t in st.tags()}
    missing = [t.name for t in new if t.name not in old]
    if missing:
        raise errors.StoreError(f"there is no tag {missing[0]!r} in this file")
    changed = tuple(t for t in new if old[t.name] != t)
    if not changed:
        return Outcome(model.Changes(), Edit(), Edit())
    edit = Edit(replace_tags=changed)
    changes, inverse = apply(st, edit)
    return Outcome(changes, edit, dataclasses.replace(inverse, replace_tags=tuple(old[t.name] for t in changed)))


def rename_tag(st: store.Store, name: str, label: str) -> Outcome:
    """Give a tag another label (what the window shows; its name, the key passages use, stays).

    Raises:
        StoreError: the label is empty, longer than 64 characters, or the tag is not in the file.
    """
    label = " ".join(label.split())
    if not label or len(label) > MAX_LABEL:
        raise errors.StoreError(f"a tag's label must have 1 to {MAX_LABEL} characters")
    return update_tags(st, [dataclasses.replace(_stored_tag(st, name), label=label)])


def recolour_tag(st: store.Store, name: str, colour: str) -> Outcome:
    """Give a tag another colour (``#rrggbb``).

    Raises:
        StoreError: the colour is not ``#rrggbb``, or the tag is not in the file.
    """
    colour = colour.strip().lower()
    if len(colour) != 7 or colour[0] != "#" or any(c not in "0123456789abcdef" for c in colour[1:]):
        raise errors.StoreError("a tag's colour must be written #rrggbb")
    return update_tags(st, [dataclasses.replace(_stored_tag(st, name), colour=colour)])


def describe_tag(st: store.Store, name: str, description: str) -> Outcome:
    """Set a tag's description (what it means, when to use it).

    Raises:
        StoreError: the tag is not in the file.
    """
    return update_tags(st, [dataclasses.replace(_stored_tag(st, name), description=description.strip())])


def set_tag_shortcut(st: store.Store, name: str, key: str) -> Outcome:
    """Give a tag the key ``key`` (1-9, or "" for none); a tag that had that key loses it, in the same step.

    Raises:
        StoreError: the key is not 1-9, or the tag is not in the file.
    """
    if key and key not in TAG_KEYS:
        raise errors.StoreError("a tag's key must be one of 1 to 9")
    target = _stored_tag(st, name)
    new = [dataclasses.replace(t, shortcut="") for t in st.tags() if key and t.shortcut == key and t.name != name]
    return update_tags(st, [*new, dataclasses.replace(target, shortcut=key)])


def reorder_tags(st: store.Store, names: Sequence[str]) -> Outcome:
    """Put the tags in the order ``names`` gives (every tag of the file, once each).

    Raises:
        StoreError: ``names`` is not the file's tags in some order.
    """
    tags = {t.name: t for t in st.tags()}
    if sorted(names) != sorted(tags) or len(set(names)) != len(names):
        raise errors.StoreError("the new order must name every tag of the file once")
    return update_tags(st, [dataclasses.replace(tags[n], position=i) for i, n in enumerate(names)])


def delete_tag(st: store.Store, name: str, reassign_to: str | None = None) -> Outcome:
    """Remove a tag from the tag set: its passages (in every document) take ``reassign_to``, or are deleted
    with their links when it is None. The undo puts back the tag, its place and every passage as it was.

    Raises:
        StoreError: the tag or ``reassign_to`` is not in the file, or they are the same tag.
    """
    old = _stored_tag(st, name)
    current = st.annotations(tags=[name])
    if reassign_to is None:
        edit = Edit(remove_annotations=tuple(a.id for a in current), remove_tags=(name,))
        changes, inverse = apply(st, edit)
        return Outcome(changes, edit, dataclasses.replace(inverse, tags=(old,)))
    if reassign_to == name:
        raise errors.StoreError("a tag cannot be merged into itself")
    _stored_tag(st, reassign_to)
    stamp = model.now_utc()
    edit = Edit(replace=tuple(a.replace(tag=reassign_to, modified=stamp) for a in current), remove_tags=(name,))
    changes, inverse = apply(st, edit)
    return Outcome(changes, edit, dataclasses.replace(inverse, tags=(old,), replace=tuple(current)))


def merge_tags(st: store.Store, name: str, into: str) -> Outcome:
    """Merge tag ``name`` into ``into``: its passages take ``into``, and ``name`` leaves the tag set.

    Raises:
        StoreError: either tag is not in the file, or they are the same tag.
    """
    return delete_tag(st, name, reassign_to=into)


def import_tags(st: store.Store, tags: Sequence[model.Tag]) -> Outcome:
    """Add tags (a codebook read from a file) the file lacks, after its own; those it has are left as they are."""
    have = model.TagSet(st.tags())
    new: list[model.Tag] = []
    for t in tags:
        if t.name in have or any(n.name == t.name for n in new):
            continue
        made = model.TagSet([*have, *new]).new_tag(t.name, label=t.label, colour=t.colour or None)
        new.append(dataclasses.replace(made, description=t.description))
    return run(st, Edit(tags=tuple(new)))


def add_relation(st: store.Store, name: str, *, label: str | None = None) -> Outcome:
    """Add a relation links may have (nothing when one of that name exists)."""
    name = name.strip()
    if not name or len(name) > 64:
        raise errors.StoreError("a relation name must have 1 to 64 characters")
    existing = st.relations()
    if any(r.name == name for r in existing):
        return Outcome(model.Changes(), Edit(), Edit())
    position = max((r.position for r in existing), default=-1) + 1
    return run(st, Edit(relations=(model.Relation(name, label or name, position),)))


@dataclass(frozen=True)
class Accepted:
    """What accepting colleagues' passages adds: their annotations and links, and the tags and relations they need."""

    annotations: tuple[model.Annotation, ...]
    links: tuple[model.Link, ...] = ()
    tags: tuple[model.Tag, ...] = ()
    """Colleagues' tags my file lacks (their label and colour kept)."""
    relations: tuple[str, ...] = ()


def accept(st: store.Store, accepted: Accepted) -> Outcome:
    """Copy colleagues' passages into my file with the tags and relations they need, in one transaction."""
    tags = model.TagSet(st.tags())
    new_tags: list[model.Tag] = []
    for theirs in accepted.tags:
        if theirs.name not in tags and all(t.name != theirs.name for t in new_tags):
            mine = model.TagSet([*tags, *new_tags]).new_tag(theirs.name, label=theirs.label, colour=theirs.colour)
            new_tags.append(mine)
    relations = st.relations()
    new_relations: list[model.Relation] = []
    for name in dict.fromkeys(accepted.relations):
        if all(r.name != name for r in relations):
            position = max((r.position for r in [*relations, *new_relations]), default=-1) + 1
            new_relations.append(model.Relation(name, name, position))
    return run(
        st,
        Edit(
            tags=tuple(new_tags),
            relations=tuple(new_relations),
            annotations=accepted.annotations,
            links=accepted.links,
        ),
    )


def import_plan(st: store.Store, plan: ImportPlan) -> Outcome:
    """Apply a prepared import (:func:`desktop.core.exchange.w3c.prepare`): one transaction, undone as one."""
    tags = model.TagSet(st.tags())
    new_tags: list[model.Tag] = []
    colours, descriptions = dict(plan.colours), dict(plan.descriptions)
    for name, label in plan.tags:
        if name not in tags and all(t.name != name for t in new_tags):
            made = model.TagSet([*tags, *new_tags]).new_tag(name, label=label, colour=colours.get(name))
            new_tags.append(dataclasses.replace(made, description=descriptions.get(name, "")))
    relations = st.relations()
    new_relations: list[model.Relation] = []
    for name in plan.relations:
        if all(r.name != name for r in relations):
            position = max((r.position for r in [*relations, *new_relations]), default=-1) + 1
            new_relations.append(model.Relation(name, name, position))
    documents = tuple(d for d in plan.documents if st.document(d.fingerprint, missing_ok=True) is None)
    return run(
        st,
        Edit(
            documents=documents,
            tags=tuple(new_tags),
            relations=tuple(new_relations),
            annotations=plan.annotations,
            links=plan.links,
        ),
    )


@dataclass(frozen=True)
class ImportPlan:
    """An import parsed and placed, not yet written: what :func:`import_plan` adds."""

    annotations: tuple[model.Annotation, ...] = ()
    links: tuple[model.Link, ...] = ()
    documents: tuple[model.Document, ...] = ()
    """Documents to add to the file (the article named on import, when new)."""
    tags: tuple[tuple[str, str | None], ...] = ()
    """(name, label or None) of tags to add."""
    relations: tuple[str, ...] = ()
    colours: tuple[tuple[str, str], ...] = ()
    """(tag name, colour) for tags to add whose colour the source names (else a free colour is picked)."""
    descriptions: tuple[tuple[str, str], ...] = ()
    """(tag name, description) for tags to add that come with one."""


def merge(
    st: store.Store, document: model.Document, current: Sequence[model.Annotation], links: Sequence[model.Link]
) -> Outcome:
    """Merge annotations of one document into the first (in document order): it spans them all, keeps its tag,
    joins their notes, and takes over their links (a link that would join it to itself, or repeat one, goes).

    Args:
        st: the annotation file.
        document: the annotations' document.
        current: the annotations, as stored now (two or more).
        links: the links of the document, as stored now.

    Raises:
        ExchangeError: fewer than two annotations, or of several documents.
    """
    if len(current) < 2 or any(a.document != document.fingerprint for a in current):
        raise errors.ExchangeError("merge two or more passages of the same document")
    ordered = sorted(current, key=lambda a: (a.start, a.end, a.created, a.id))
    first, others = ordered[0], ordered[1:]
    gone = {a.id for a in others}
    start, end = min(a.start for a in ordered), max(a.end for a in ordered)
    sel = anchoring.select(document.text, start, end)
    notes = "\n\n".join(a.note for a in ordered if a.note)
    survivor = first.replace(
        start=start,
        end=end,
        quote=sel.exact,
        prefix=sel.prefix,
        suffix=sel.suffix,
        note=notes,
        modified=model.now_utc(),
    )
    moved: list[model.Link] = []
    seen = {(k.source, k.target, k.relation) for k in links if k.source not in gone and k.target not in gone}
    for k in links:
        if k.source not in gone and k.target not in gone:
            continue
        source = first.id if k.source in gone else k.source
        target = first.id if k.target in gone else k.target
        if source == target or (source, target, k.relation) in seen:
            continue
        seen.add((source, target, k.relation))
        moved.append(dataclasses.replace(k, source=source, target=target))
    edit = Edit(remove_annotations=tuple(a.id for a in others), replace=(survivor,), links=tuple(moved))
    changes, inverse = apply(st, edit)
    # The moved links were deleted with the merged annotations and inserted again with new ends: the
    # undo removes them (by id) before it restores the originals (the same ids).
    inverse = dataclasses.replace(inverse, replace=(first,))
    return Outcome(changes, edit, inverse)
