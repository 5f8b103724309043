"""Reviewing colleagues' files: matching documents, aligning passages and links, figures, accepting."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from desktop.core import agreement, anchoring, documents, errors, model, reanchor, review, store, untrusted

TEXT = "".join(f"Sentence number {i} says something about topic {i % 7}. " for i in range(40))
DOC = model.Document(documents.fingerprint(TEXT), "A test article", "a.txt", TEXT)


def ann(start: int, end: int, tag: str, *, id: str | None = None, author: str = "me") -> model.Annotation:
    a = anchoring.new_annotation(DOC, start, end, tag, author=author, trim_whitespace=False)
    assert a is not None
    return a if id is None else a.replace(id=id)


def colleague_file(
    path: str,
    annotator: str,
    annotations: list[model.Annotation],
    links: list[model.Link] = (),  # type: ignore[assignment]
    doc: model.Document = DOC,
    tags: tuple[model.Tag, ...] = model.DEFAULT_TAGS,
) -> untrusted.ColleagueFile:
    return untrusted.ColleagueFile(
        path=path,
        annotator=annotator,
        documents=(doc,),
        tags=tags,
        relations=model.DEFAULT_RELATIONS,
        annotations=tuple(annotations),
        links=tuple(links),
    )


# -- alignment -------------------------------------------------------------------------------------


def test_align_sorts_every_passage_into_one_of_four_kinds() -> None:
    mine = [ann(0, 20, "claim", id="m1"), ann(30, 50, "claim", id="m2"), ann(100, 120, "evidence", id="m3")]
    theirs = [ann(2, 20, "claim", id="t1"), ann(30, 48, "evidence", id="t2"), ann(200, 220, "claim", id="t3")]
    rows = review.align(mine, theirs)
    kinds = {(p.mine.id if p.mine else None, p.theirs.id if p.theirs else None): p.kind for p in rows}
    assert kinds == {
        ("m1", "t1"): review.AGREED,
        ("m2", "t2"): review.TAG_DIFFERS,
        ("m3", None): review.ONLY_MINE,
        (None, "t3"): review.ONLY_THEIRS,
    }
    assert [p.start for p in rows] == sorted(p.start for p in rows)


def test_align_is_one_to_one_by_best_overlap() -> None:
    mine = [ann(0, 40, "claim", id="m1")]
    theirs = [ann(0, 10, "claim", id="small"), ann(0, 38, "evidence", id="big"), ann(0, 40, "claim", id="same")]
    rows = review.align(mine, theirs)
    paired = [p for p in rows if p.mine and p.theirs]
    assert [(p.theirs.id, p.kind) for p in paired if p.theirs] == [("same", review.AGREED)]
    assert sorted(p.theirs.id for p in rows if p.kind == review.ONLY_THEIRS and p.theirs) == ["big", "small"]
    # at equal IoU the same tag wins
    rows = review.align(mine, [ann(0, 40, "evidence", id="e"), ann(0, 40, "claim", id="c")])
    assert next(p for p in rows if p.mine).theirs.id == "c"  # type: ignore[union-attr]


def test_links_agree_when_both_ends_are_aligned_and_the_relation_is_equal() -> None:
    mine = [ann(0, 20, "claim", id="m1"), ann(30, 50, "evidence", id="m2"), ann(60, 80, "evidence", id="m3")]
    theirs = [ann(0, 20, "claim", id="t1"), ann(30, 50, "evidence", id="t2"), ann(60, 80, "evidence", id="t3")]
    my_links = [
        model.Link("l1", "m2", "m1", "supports"),
        model.Link("l2", "m3", "m1", "supports"),
    ]
    their_links = [
        model.Link("k1", "t2", "t1", "supports"),  # agrees with l1
        model.Link("k2", "t3", "t1", "contradicts"),  # same ends as l2, another relation
        model.Link("k3", "t1", "t2", "based-on"),
    ]
    rows = review.align_links(review.align(mine, theirs), my_links, their_links)
    found = {(r.mine.id if r.mine else None, r.theirs.id if r.theirs else None): r.kind for r in rows}
    assert found == {
        ("l1", "k1"): review.AGREED,
        (None, "k2"): review.ONLY_THEIRS,
        (None, "k3"): review.ONLY_THEIRS,
        ("l2", None): review.ONLY_MINE,
    }


# -- matching documents ----------------------------------------------------------------------------


def test_documents_match_by_fingerprint_then_as_another_version(seed_path: Path, testdata: Path) -> None:
    seed = documents.load(seed_path)
    mine_seed = model.Document(seed.fingerprint, seed.title, "", seed.text)
    edited_text = seed.text.replace("warming relations", "warmer ties")
    edited = model.Document(documents.fingerprint(edited_text), seed.title, "", edited_text)
    other = documents.load(testdata / "texts" / "federalist" / "Federalist1.txt")
    federalist = model.Document(other.fingerprint, other.title, "", other.text)
    matches, rest = review.match_documents([mine_seed, DOC], [DOC, edited, federalist])
    found = {(m.mine.fingerprint, m.theirs.fingerprint): m.method for m in matches}
    assert found == {
        (DOC.fingerprint, DOC.fingerprint): review.FINGERPRINT,
        (mine_seed.fingerprint, edited.fingerprint): review.SAME_ARTICLE,
    }
    assert rest == [federalist]


# -- a whole review --------------------------------------------------------------------------------


def test_review_of_two_colleagues_gives_pairs_alpha_and_f1() -> None:
    mine = colleague_file("mine.warrant", "me", [ann(0, 20, "claim"), ann(30, 50, "evidence")])
    alice = colleague_file("alice.warrant", "alice", [ann(0, 20, "claim", author="alice")])
    bob = colleague_file("bob.warrant", "bob", [ann(0, 20, "claim", author="bob"), ann(30, 50, "claim", author="bob")])
    result = review.review(mine, [alice, bob])
    (doc,) = result.documents
    assert [c.label for c in doc.colleagues] == ["alice", "bob"]
    pairs = {(p.first, p.second): p for p in doc.pair_agreement()}
    assert set(pairs) == {("me", "alice"), ("me", "bob"), ("alice", "bob")}
    assert pairs[("me", "alice")].kappa()["claim"] == 1.0
    assert doc.alpha() is not None
    data = review.report_data(result)
    colleague = data["documents"][0]["colleagues"][1]
    assert colleague["alignment"] == {"agreed": 1, "tag-differs": 1, "only-mine": 0, "only-theirs": 0}
    assert colleague["f1"]["precision"] == 0.5 and colleague["f1"]["recall"] == 0.5
    assert {"mine": "evidence", "theirs": "claim", "count": 1} in colleague["confusion"]
    assert data["documents"][0]["alpha"]["annotators"] == ["me", "alice", "bob"]


def test_figures_pooled_over_documents_equal_those_of_the_joined_texts() -> None:
    text2 = "".join(f"Another text, line {i}, with other words in it. " for i in range(30))
    doc2 = model.Document(documents.fingerprint(text2), "Second", "b.txt", text2)

    def on2(start: int, end: int, tag: str) -> model.Annotation:
        a = anchoring.new_annotation(doc2, start, end, tag, author="x", trim_whitespace=False)
        assert a is not None
        return a

    spans = {  # per annotator: passages on DOC, passages on doc2 (claim only in one, evidence only in the other)
        "me": ([ann(0, 30, "claim"), ann(50, 90, "claim")], [on2(10, 40, "evidence")]),
        "alice": ([ann(5, 30, "claim")], [on2(10, 35, "evidence"), on2(100, 140, "evidence")]),
        "bob": ([ann(0, 90, "claim")], []),
    }
    files = [
        untrusted.ColleagueFile(
            f"{name}.warrant", name, (DOC, doc2), model.DEFAULT_TAGS, model.DEFAULT_RELATIONS, tuple(a + b), ()
        )
        for name, (a, b) in spans.items()
    ]
    result = review.review(files[0], files[1:])
    joined = {
        name: [(x.start, x.end, x.tag) for x in a] + [(x.start + len(TEXT), x.end + len(TEXT), x.tag) for x in b]
        for name, (a, b) in spans.items()
    }
    length = len(TEXT) + len(text2)
    pooled = {(p.first, p.second): p for p in result.pair_agreement()}
    for first, second in (("me", "alice"), ("me", "bob"), ("alice", "bob")):
        a, b = joined[first], joined[second]
        for tag in ("claim", "evidence"):
            expected = agreement.binary_counts(
                agreement.tag_intervals(a, length).get(tag, []), agreement.tag_intervals(b, length).get(tag, []), length
            )
            assert pooled[(first, second)].per_tag[tag] == expected
        assert pooled[(first, second)].overall.kappa() == pytest.approx(agreement.category_counts(a, b, length).kappa())
    alpha = result.alpha()
    assert alpha is not None
    per_tag, overall = agreement.alpha_table(list(joined.values()), length)
    for tag in ("claim", "evidence"):
        assert alpha.per_tag[tag].alpha() == pytest.approx(per_tag[tag].alpha())
    assert alpha.overall.alpha() == pytest.approx(overall.alpha())


def test_clashing_annotator_names_get_the_file_name() -> None:
    mine = colleague_file("/x/mine.warrant", "analyst", [])
    other = colleague_file("/y/other.warrant", "analyst", [])
    result = review.review(mine, [other])
    assert result.me == "analyst (mine.warrant)"
    assert result.colleagues[0][0] == "analyst (other.warrant)"


def test_confusion_counts_the_alignment() -> None:
    rng = random.Random(3)
    tags = [t.name for t in model.DEFAULT_TAGS]

    def some(author: str) -> list[model.Annotation]:
        out = []
        for _ in range(25):
            s = rng.randrange(0, len(TEXT) - 60)
            out.append(ann(s, s + rng.randint(5, 60), rng.choice(tags), author=author))
        return out

    mine = colleague_file("m", "me", some("me"))
    theirs = colleague_file("t", "them", some("them"))
    (doc,) = review.review(mine, [theirs]).documents
    (c,) = doc.colleagues
    table = c.confusion()
    counts = c.alignment_counts()
    assert sum(n for (m, t), n in table.items() if m and t and m == t) == counts[review.AGREED]
    assert sum(n for (m, t), n in table.items() if m and t and m != t) == counts[review.TAG_DIFFERS]
    assert sum(n for (m, t), n in table.items() if t is None) == counts[review.ONLY_MINE]
    assert sum(n for (m, t), n in table.items() if m is None) == counts[review.ONLY_THEIRS]
    assert sum(counts.values()) == len(c.pairs)
    assert c.passages() == agreement.passage_scores(
        [(a.start, a.end, a.tag) for a in mine.annotations], [(a.start, a.end, a.tag) for a in theirs.annotations]
    )


def test_a_document_where_most_passages_find_no_place_is_not_the_same_article(seed_path: Path) -> None:
    seed = documents.load(seed_path)
    mine_doc = model.Document(seed.fingerprint, seed.title, "", seed.text)
    # Their version keeps most of the text but rewrites every sentence they annotated.
    sentences = [m for m in re.finditer(r"[^.\n]{40,}\.", seed.text)][:6]
    their_text = seed.text
    for m in sentences:
        their_text = their_text.replace(m.group(), "Zq " * (len(m.group()) // 3))
    their_doc = model.Document(documents.fingerprint(their_text), seed.title, "", their_text)
    theirs = []
    for m in re.finditer(r"(Zq )+", their_text):
        a = anchoring.new_annotation(their_doc, m.start(), m.end(), "claim", author="t")
        assert a is not None
        theirs.append(a)
    mine = colleague_file("m", "me", [], doc=mine_doc)
    them = colleague_file("t", "them", theirs, doc=their_doc)
    result = review.review(mine, [them])
    assert result.documents == ()
    (unmatched,) = result.unmatched
    assert "not taken as the same article" in unmatched.reason
    assert unmatched.annotations == len(theirs)


def test_find_document_by_title_or_fingerprint_prefix() -> None:
    mine = colleague_file("m.warrant", "me", [])
    assert review.find_document(mine, "A test article") == DOC
    assert review.find_document(mine, DOC.fingerprint[:10]) == DOC
    with pytest.raises(errors.NotFoundError, match="no document 'nothing'"):
        review.find_document(mine, "nothing")


# -- accepting -------------------------------------------------------------------------------------


def _one_review(
    mine: list[model.Annotation], theirs: list[model.Annotation], links: list[model.Link] = ()
) -> review.ColleagueReview:  # type: ignore[assignment]
    result = review.review(
        colleague_file("mine.warrant", "me", mine), [colleague_file("/shared/alice.warrant", "alice", theirs, links)]
    )
    (doc,) = result.documents
    (c,) = doc.colleagues
    return c


def test_accepted_copies_carry_provenance_and_a_new_id() -> None:
    html = "<b>see</b> <script>alert(1)</script>"
    theirs = [
        ann(0, 20, "claim", id="t1", author="alice").replace(note=html),
        ann(30, 50, "evidence", id="t2", author=""),
    ]
    c = _one_review([], theirs, [model.Link("k1", "t2", "t1", "supports", "alice", "")])
    accepted = review.accept(c, ["t1", "t2"], author="me")
    by_origin = {a.origin_id: a for a in accepted.annotations}
    assert set(by_origin) == {"t1", "t2"}
    first = by_origin["t1"]
    assert first.id not in ("t1", "t2") and first.author == "me"
    assert first.origin_author == "alice" and first.origin_file == "/shared/alice.warrant"
    assert first.note == html  # plain text, untouched
    assert (first.start, first.end, first.tag, first.quote) == (0, 20, "claim", TEXT[0:20])
    assert by_origin["t2"].origin_author == "alice"  # no author on the passage: the file's annotator
    (link,) = accepted.links
    assert (link.source, link.target, link.relation) == (by_origin["t2"].id, by_origin["t1"].id, "supports")
    assert link.id != "k1" and link.author == "me"
    assert accepted.missing_tags == () and accepted.missing_relations == ()


def test_accepted_copies_go_into_a_real_store_and_are_not_accepted_twice() -> None:
    mine_store = store.Store.memory(annotator="me")
    mine_store.add_document(DOC)
    theirs = [ann(0, 20, "claim", id="t1", author="alice"), ann(30, 50, "evidence", id="t2", author="alice")]
    result = review.review(review.snapshot(mine_store), [colleague_file("alice.warrant", "alice", theirs)])
    c = result.documents[0].colleagues[0]
    accepted = review.accept_tag(c, "claim", author="me")
    assert [a.origin_id for a in accepted.annotations] == ["t1"]
    mine_store.insert_annotations(accepted.annotations, accepted.links)
    stored = mine_store.annotations(DOC.fingerprint)
    assert [(a.origin_id, a.author) for a in stored] == [("t1", "me")]
    again = review.accept(c, ["t1"], author="me", existing=stored)
    assert again.annotations == ()


def test_accept_agreed_copies_only_differing_bounds() -> None:
    mine = [ann(0, 20, "claim", id="m1"), ann(30, 50, "claim", id="m2"), ann(60, 80, "claim", id="m3")]
    theirs = [
        ann(0, 20, "claim", id="same"),
        ann(31, 50, "claim", id="shifted"),
        ann(60, 80, "evidence", id="other-tag"),
        ann(100, 120, "claim", id="new"),
    ]
    c = _one_review(mine, theirs)
    # Every agreed passage overlaps one of mine with its tag at IoU >= the threshold: Accept All
    # Agreed adds no near-duplicate (the bug added "shifted" on top of mine).
    assert review.agreed_to_accept(c) == []
    assert review.accept_agreed(c, author="me").annotations == ()
    # Once my passage is gone, their agreed passage is no longer a duplicate and would be added.
    assert review.agreed_to_accept(c, existing=[m for m in mine if m.id != "m2"]) == ["shifted"]
    assert [a.origin_id for a in review.accept_tag(c, "evidence", author="me").annotations] == ["other-tag"]
    assert [a.origin_id for a in review.accept_tag(c, "claim", author="me").annotations] == ["new"]


def test_missing_tags_and_relations_are_named() -> None:
    theirs = [ann(0, 20, "hypothesis", id="t1"), ann(30, 50, "claim", id="t2")]
    tags = (*model.DEFAULT_TAGS, model.Tag("hypothesis", "Hypothesis", "#123456"))
    result = review.review(
        colleague_file("m", "me", []),
        [
            untrusted.ColleagueFile(
                "t",
                "them",
                (DOC,),
                tags,
                (*model.DEFAULT_RELATIONS, model.Relation("refines", "refines")),
                tuple(theirs),
                (model.Link("k", "t1", "t2", "refines"),),
            )
        ],
    )
    c = result.documents[0].colleagues[0]
    accepted = review.accept(c, ["t1", "t2"], author="me")
    assert accepted.missing_tags == ("hypothesis",)
    assert accepted.missing_relations == ("refines",)


def test_orphans_cannot_be_accepted(seed_path: Path) -> None:
    seed = documents.load(seed_path)
    mine_doc = model.Document(seed.fingerprint, seed.title, "", seed.text)
    sentence = "Furthermore, Russia has over past months declared its willingness"
    their_text = seed.text.replace(sentence, "Something else entirely happened there")
    their_doc = model.Document(documents.fingerprint(their_text), seed.title, "", their_text)
    start = seed.text.index("In another sign")
    kept = anchoring.new_annotation(their_doc, start, start + 50, "claim", author="t")
    lost_at = their_text.index("Something else")
    lost = anchoring.new_annotation(their_doc, lost_at, lost_at + 38, "claim", author="t")
    assert kept is not None and lost is not None
    result = review.review(
        colleague_file("m", "me", [], doc=mine_doc), [colleague_file("t", "them", [kept, lost], doc=their_doc)]
    )
    c = result.documents[0].colleagues[0]
    assert [o.id for o in c.orphans] == [lost.id]
    assert [a.origin_id for a in review.accept(c, [kept.id, lost.id], author="me").annotations] == [kept.id]


# -- end to end on the seed article ----------------------------------------------------------------


def _annotate(
    path: Path, annotator: str, loaded: documents.LoadedDocument, rng: random.Random
) -> list[model.Annotation]:
    s = store.Store.open(path, annotator=annotator)
    doc = s.add_document(loaded)
    made = []
    for m in re.finditer(r"[^.\n]{20,}\.", doc.text):
        if rng.random() < 0.15:
            continue
        # The tag depends on the sentence (not its position), with some disagreement mixed in.
        tag = model.DEFAULT_TAGS[len(m.group()) % 3].name if rng.random() > 0.2 else "evidence"
        a = anchoring.new_annotation(doc, m.start(), m.end(), tag, author=annotator)
        if a is not None:
            made.append(a)
    s.insert_annotations(made, [model.Link(model.new_id(), made[1].id, made[0].id, "supports", annotator, "")])
    s.close()
    return made


def test_two_annotators_one_on_an_edited_crlf_copy(tmp_path: Path, seed_path: Path) -> None:
    seed = documents.load(seed_path)
    edited_path = tmp_path / "edited.txt"
    edited_text = seed.text.replace("warming relations", "warmer ties").replace("Lavrov on", "Lavrov, the minister, on")
    rewritten = "Furthermore, Russia has over past months declared its willingness to back Iran’s full membership"
    assert rewritten in edited_text
    edited_text = edited_text.replace(rewritten, "Russia also said things")
    added = "An added paragraph states a claim of its own that the first version never had."
    cut = edited_text.index("AUTHOR")
    edited_text = edited_text[:cut] + added + "\n\n" + edited_text[cut:]
    edited_path.write_bytes(edited_text.replace("\n", "\r\n").encode("utf-8"))
    mine_made = _annotate(tmp_path / "mine.warrant", "me", seed, random.Random(1))
    their_made = _annotate(tmp_path / "bob.warrant", "bob", documents.load(edited_path), random.Random(2))
    assert any(a.quote == added for a in their_made)

    result = review.review(
        untrusted.open_untrusted(tmp_path / "mine.warrant"), [untrusted.open_untrusted(tmp_path / "bob.warrant")]
    )
    (doc,) = result.documents
    (bob,) = doc.colleagues
    assert bob.match.method == review.SAME_ARTICLE and bob.match.similarity > 0.9
    counts = bob.placement_counts()
    assert counts[reanchor.EXACT] >= len(their_made) - 5
    assert [o.quote for o in bob.orphans] == [added]  # listed with its quote, not dropped
    assert len(bob.placed) + len(bob.orphans) == len(their_made)
    rewritten_placement = next(p for p in bob.placed if "Russia also said things" in p.original.quote)
    assert rewritten_placement.method == reanchor.FUZZY and rewritten_placement.score < 1.0
    sentence_start = seed.text.index("Furthermore, Russia has over past months")
    sentence_end = seed.text.index("Economic Union.", sentence_start) + len("Economic Union.")
    # Placed inside the rewritten sentence (its unchanged part), not on another one.
    assert sentence_start <= rewritten_placement.annotation.start < rewritten_placement.annotation.end <= sentence_end
    kappa = doc.pair_agreement()[0].kappa()
    assert set(kappa) <= {"claim", "evidence", "recommendation"}
    assert all(k is not None and 0.0 < k <= 1.0 for k in kappa.values())
    f1 = bob.passages().f1
    assert f1 is not None and 0.4 < f1 <= 1.0
    assert sum(bob.alignment_counts().values()) >= max(len(mine_made), len(their_made) - 1)


def test_the_alignment_and_f1_use_one_maximum_matching() -> None:
    """The issue's example: mine 0-10 and 0-7, theirs 0-9 and 0-15: two agreed rows and F1 1.0."""
    mine = [ann(0, 10, "claim", id="m1"), ann(0, 7, "claim", id="m2")]
    theirs = [ann(0, 9, "claim", id="t1"), ann(0, 15, "claim", id="t2")]
    c = _one_review(mine, theirs)
    agreed = {(p.mine.id, p.theirs.id) for p in c.pairs if p.kind == review.AGREED and p.mine and p.theirs}
    assert agreed == {("m1", "t2"), ("m2", "t1")}
    assert c.passages().f1 == 1.0 and c.passages().matched == len(agreed)
    # Overlap below the threshold is not "agreed" (the old list counted any overlap).
    c = _one_review([ann(0, 10, "claim", id="m1")], [ann(8, 30, "claim", id="t1")])
    assert c.alignment_counts()[review.AGREED] == 0 == c.passages().matched
