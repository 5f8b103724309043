"""Issue 17: Admiralty grades, hypotheses, ACH ratings, their scores, exchange forms and agreement."""

from __future__ import annotations

import itertools
import json
import random
import sqlite3
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop import cli
from desktop.core import anchoring, argument, assessment, documents, errors, exchange, model, store, untrusted
from desktop.core.exchange import csvfile, w3c

TEXT = (
    "The army moved north in spring.\n\n"
    "The army stayed in its barracks.\n\n"
    "Satellite images show tanks on the northern road.\n\n"
    "A farmer saw soldiers cooking in the barracks.\n\n"
    "Fuel deliveries rose in March.\n"
)
OTHER = "Second source.\n\nA radio intercept mentions the northern road.\n"


def _ann(doc: model.Document, phrase: str, tag: str, author: str = "ana") -> model.Annotation:
    start = doc.text.index(phrase)
    made = anchoring.new_annotation(doc, start, start + len(phrase), tag, author=author)
    assert made is not None
    return made


class World:
    """A file with two hypotheses and four evidence passages over two documents."""

    def __init__(self, path: Path | None = None, annotator: str = "ana") -> None:
        self.store = store.Store.open(path, annotator=annotator) if path else store.Store.memory(annotator=annotator)
        self.doc = self.store.add_document(documents.from_text(TEXT, "report.txt"))
        self.other = self.store.add_document(documents.from_text(OTHER, "intercept.txt"))
        self.h1 = _ann(self.doc, "The army moved north in spring.", "claim")
        self.h2 = _ann(self.doc, "The army stayed in its barracks.", "claim")
        self.e1 = _ann(self.doc, "Satellite images show tanks on the northern road.", "evidence")
        self.e2 = _ann(self.doc, "A farmer saw soldiers cooking in the barracks.", "evidence")
        self.e3 = _ann(self.doc, "Fuel deliveries rose in March.", "evidence")
        self.e4 = _ann(self.other, "A radio intercept mentions the northern road.", "evidence")
        self.store.insert_annotations([self.h1, self.h2, self.e1, self.e2, self.e3, self.e4])


@pytest.fixture
def w() -> World:
    return World()


def _rate_all(w: World) -> None:
    s = w.store
    assessment.set_hypothesis(s, w.h1.id)
    assessment.set_hypothesis(s, w.h2.id)
    for e, h, r in [
        (w.e1, w.h1, "CC"),
        (w.e1, w.h2, "II"),
        (w.e2, w.h1, "I"),
        (w.e2, w.h2, "C"),
        (w.e3, w.h1, "C"),
        (w.e3, w.h2, "C"),
        (w.e4, w.h1, "C"),
        (w.e4, w.h2, "I"),
    ]:
        assessment.set_rating(s, e.id, h.id, r)


# -- schema and edits ------------------------------------------------------------------------------


def test_the_schema_refuses_values_warrant_never_writes(w: World) -> None:
    conn = w.store.db.conn
    assessment.set_hypothesis(w.store, w.h1.id)
    bad = [
        ("INSERT INTO document_grades VALUES (?, 'G', '', 'a', 't')", (w.doc.fingerprint,)),
        ("INSERT INTO document_grades VALUES (?, 'b', '', 'a', 't')", (w.doc.fingerprint,)),
        ("INSERT INTO passage_grades VALUES (?, 7, '', 'a', 't')", (w.e1.id,)),
        ("INSERT INTO passage_grades VALUES (?, 0, '', 'a', 't')", (w.e1.id,)),
        ("INSERT INTO passage_grades VALUES (?, 'two', '', 'a', 't')", (w.e1.id,)),  # STRICT: text is not a grade
        ("INSERT INTO passage_grades VALUES ('', 2, '', 'a', 't')", ()),
        ("INSERT INTO document_grades VALUES ('not-a-fingerprint', 'A', '', 'a', 't')", ()),
        ("INSERT INTO ach_ratings VALUES (?, ?, 'X', 'a', 't')", (w.e1.id, w.h1.id)),
        ("INSERT INTO ach_ratings VALUES (?, ?, 'C', 'a', 't')", (w.h1.id, w.h1.id)),
    ]
    for sql, params in bad:
        with pytest.raises(sqlite3.IntegrityError), w.store.db.atomic():
            conn.execute(sql, params)
        conn.rollback()


def test_each_edit_returns_its_changes_and_undoes(w: World) -> None:
    s = w.store
    edit = assessment.reliability_edit(s, w.doc.fingerprint, "B", "a wire agency")
    assert edit.do(s) == model.Changes(assessments=(w.doc.fingerprint,))
    assert [(g.reliability, g.rationale, g.author) for g in s.document_grades()] == [("B", "a wire agency", "ana")]
    second = assessment.reliability_edit(s, w.doc.fingerprint, "D")
    second.do(s)
    second.undo(s)
    assert [g.reliability for g in s.document_grades()] == ["B"]
    edit.undo(s)
    assert s.document_grades() == []

    assert assessment.set_credibility(s, w.e1.id, 2, "seen twice") == model.Changes(assessments=(w.e1.id,))
    grade = assessment.credibility_edit(s, w.e1.id, None)
    grade.do(s)
    assert s.passage_grades() == []
    grade.undo(s)
    assert [(g.credibility, g.rationale) for g in s.passage_grades()] == [(2, "seen twice")]

    flag = assessment.hypothesis_edit(s, w.h1.id, True)
    assert flag.do(s) == model.Changes(assessments=(w.h1.id,))
    rate = assessment.rating_edit(s, w.e1.id, w.h1.id, "II")
    assert rate.do(s) == model.Changes(assessments=(w.e1.id, w.h1.id))
    assessment.set_rating(s, w.e1.id, w.h1.id, "C")
    assert [r.rating for r in s.ach_ratings()] == ["C"]
    assessment.rating_edit(s, w.e1.id, w.h1.id, None).do(s)
    assert s.ach_ratings() == []
    rate.undo(s)  # back to no rating, the state before it
    assert s.ach_ratings() == []


def test_wrong_grades_and_ratings_are_refused_with_a_message(w: World) -> None:
    s = w.store
    with pytest.raises(assessment.AssessmentError, match="A-F"):
        assessment.set_reliability(s, w.doc.fingerprint, "G")
    with pytest.raises(assessment.AssessmentError, match="1-6"):
        assessment.set_credibility(s, w.e1.id, 7)
    with pytest.raises(assessment.AssessmentError, match="only a claim"):
        assessment.set_hypothesis(s, w.e1.id)
    with pytest.raises(assessment.AssessmentError, match="hypothesis first"):
        assessment.set_rating(s, w.e1.id, w.h1.id, "C")
    assessment.set_hypothesis(s, w.h1.id)
    with pytest.raises(assessment.AssessmentError, match="CC, C, N, I, II"):
        assessment.set_rating(s, w.e1.id, w.h1.id, "X")
    with pytest.raises(assessment.AssessmentError, match="evidence"):
        assessment.set_rating(s, w.h2.id, w.h1.id, "C")
    with pytest.raises(errors.NotFoundError):
        assessment.set_credibility(s, "no-such-id", 2)
    assert s.passage_grades() == [] and s.ach_ratings() == [] and s.document_grades() == []


def test_deleting_a_passage_and_undoing_puts_its_assessments_back(w: World) -> None:
    s = w.store
    _rate_all(w)
    assessment.set_credibility(s, w.e1.id, 1)
    before = assessment.matrix_json(assessment.matrix(s))
    gone, links = s.delete_annotations([w.e1.id, w.h1.id])
    after_delete = assessment.load(s)
    assert w.e1.id not in after_delete.credibility and w.h1.id not in after_delete.hypotheses
    assert all(w.e1.id not in key and w.h1.id not in key for key in after_delete.ratings)
    assert [h["id"] for h in assessment.matrix_json(assessment.build(after_delete))["hypotheses"]] == [w.h2.id]
    s.restore(gone, links)  # what the undo of a delete does: the grade and ratings come back with it
    assert assessment.matrix_json(assessment.matrix(s)) == before
    assert assessment.load(s).credibility_of(w.e1.id) == 1


# -- scores ------------------------------------------------------------------------------------------------


def test_heuer_inconsistency_ranking_and_diagnosticity(w: World) -> None:
    _rate_all(w)
    assessment.set_credibility(w.store, w.e1.id, 1)
    assessment.set_credibility(w.store, w.e2.id, 5)
    m = assessment.matrix(w.store)
    # H1: I (e2) = 1.  H2: II (e1) + I (e4) = 3.  Least inconsistent first.
    assert m.inconsistency == {w.h1.id: 1, w.h2.id: 3}
    assert [h.id for h in m.hypotheses] == [w.h1.id, w.h2.id]
    # Weighted: e2 has credibility 5 (weight 1/sqrt 2); e1 credibility 1 (sqrt 2); e4 ungraded (1).
    assert m.weighted[w.h1.id] == pytest.approx(1 / 2**0.5)
    assert m.weighted[w.h2.id] == pytest.approx(2 * 2**0.5 + 1)
    # e3 rates both hypotheses C: non-diagnostic; the others are diagnostic.
    assert {e.id: m.diagnostic(e.id) for e in m.evidence} == {
        w.e1.id: True,
        w.e2.id: True,
        w.e3.id: False,
        w.e4.id: True,
    }
    in_report = [e.id for e in m.evidence if e.document == w.doc.fingerprint]
    assert in_report == [w.e1.id, w.e2.id, w.e3.id]  # document order
    assert m.diagnosticity[w.e1.id] == 4 and m.diagnosticity[w.e3.id] == 0
    assert m.grades[w.e1.id] == "?1"
    assessment.set_reliability(w.store, w.doc.fingerprint, "B")
    assert assessment.matrix(w.store).grades[w.e1.id] == "B1"
    # Ranking follows the ratings: make H1 the most inconsistent.
    assessment.set_rating(w.store, w.e3.id, w.h1.id, "II")
    assessment.set_rating(w.store, w.e4.id, w.h1.id, "II")
    assert [h.id for h in assessment.matrix(w.store).hypotheses] == [w.h2.id, w.h1.id]
    assert [h.id for h in assessment.matrix(w.store, w.other.fingerprint).hypotheses] == []


@given(st.lists(st.sampled_from([None, *model.ACH_RATINGS]), max_size=12))
def test_diagnosticity_is_the_mean_pairwise_difference(row: list[str | None]) -> None:
    scores = [assessment.RATING_SCORES[r or "N"] for r in row]
    pairs = list(itertools.combinations(scores, 2))
    expected = sum(abs(a - b) for a, b in pairs) / len(pairs) if pairs else 0.0
    assert assessment.diagnosticity(row) == pytest.approx(expected)
    assert (assessment.diagnosticity(row) == 0) == (len(set(scores)) <= 1)


# -- agreement: ordinal alpha against the krippendorff package -----------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_ordinal_alpha_matches_the_krippendorff_package(seed: int) -> None:
    rng = random.Random(seed)
    coders, units = rng.randint(2, 4), rng.randint(5, 40)
    order = list(model.ACH_RATINGS)
    table = []
    for _ in range(units):
        truth = rng.randrange(len(order))
        row = []
        for _ in range(coders):
            if rng.random() < 0.2:
                row.append(None)
            else:
                row.append(order[max(0, min(len(order) - 1, truth + rng.choice([-1, 0, 0, 1])))])
        table.append(row)
    ours = assessment.ordinal_alpha(table, order)
    data = np.array([[np.nan if v is None else order.index(v) for v in row] for row in table], dtype=float).T
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal")
    assert ours == pytest.approx(theirs)


def test_alpha_is_none_when_undefined() -> None:
    assert assessment.ordinal_alpha([["C", None], [None, "I"]], model.ACH_RATINGS) is None
    assert assessment.ordinal_alpha([["C", "C"], ["C", "C"]], model.ACH_RATINGS) is None


def _colleague(path: Path, annotator: str, ratings: dict[str, str], credibility: int) -> None:
    world = World(path, annotator)
    s = world.store
    assessment.set_hypothesis(s, world.h1.id)
    assessment.set_hypothesis(s, world.h2.id)
    assessment.set_reliability(s, world.doc.fingerprint, "B")
    assessment.set_credibility(s, world.e1.id, credibility)
    passages = {"e1": world.e1, "e2": world.e2, "e3": world.e3, "e4": world.e4}
    for key, rating in ratings.items():
        e, h = key.split("/")
        assessment.set_rating(s, passages[e].id, (world.h1 if h == "h1" else world.h2).id, rating)
    s.close()


def test_compare_json_has_rating_agreement_checked_against_krippendorff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = {"e1/h1": "CC", "e1/h2": "II", "e2/h1": "I", "e2/h2": "C", "e3/h1": "C"}
    b = {"e1/h1": "C", "e1/h2": "II", "e2/h1": "I", "e2/h2": "CC", "e3/h1": "C", "e4/h2": "N"}
    _colleague(tmp_path / "a.warrant", "ana", a, 2)
    _colleague(tmp_path / "b.warrant", "bo", b, 4)
    code = cli.main(["compare", str(tmp_path / "a.warrant"), str(tmp_path / "b.warrant"), "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    key = next(k for k in data if "rating" in k)
    ratings = data[key]["ratings"]
    cells = sorted(set(a) | set(b))
    order = list(model.ACH_RATINGS)
    reference = np.array(
        [[order.index(x[c]) if c in x else np.nan for c in cells] for x in (a, b)],
        dtype=float,
    )
    assert ratings["alpha"] == pytest.approx(krippendorff.alpha(reference, level_of_measurement="ordinal"), abs=1e-6)
    assert ratings["units"] == 6 and ratings["units_coded_by_two_or_more"] == 5
    shown = {(d["evidence"]["quote"][:9], d["hypothesis"]["quote"][:16]): d["values"] for d in ratings["disagreements"]}
    assert shown == {
        ("Satellite", "The army moved n"): {"ana": "CC", "bo": "C"},
        ("A farmer ", "The army stayed "): {"ana": "C", "bo": "CC"},
    }
    cred = data[key]["credibility"]
    assert cred["disagreements"][0]["values"] == {"ana": 2, "bo": 4}
    assert data[key]["reliability"]["disagreements"] == []
    code = cli.main(["compare", str(tmp_path / "a.warrant"), str(tmp_path / "b.warrant")])
    assert code == 0 and "ACH ratings: alpha" in capsys.readouterr().out


# -- weak points ----------------------------------------------------------------------------------------------


def test_three_new_weak_points(w: World) -> None:
    s = w.store
    anns = s.annotations(w.doc.fingerprint)
    # No assessment at all: the checklist is as before issue 17.
    assert "ungraded_evidence" not in argument.weak_points(anns, s.links(), assessment.load(s)).counts()
    _rate_all(w)
    assessment.set_reliability(s, w.doc.fingerprint, "B")
    assessment.set_credibility(s, w.e1.id, 5)
    assessment.set_credibility(s, w.e3.id, 4)
    weak = argument.weak_points(anns, s.links(), assessment.load(s))
    assert [a.id for a in weak.ungraded_evidence] == [w.e2.id]  # e1, e3 fully graded: B5, B4 (e4 is elsewhere)
    # H1 leads (inconsistency 1); its consistent evidence is e1 (5), e3 (4) and e4 (ungraded): all low.
    assert [a.id for a in weak.low_credibility_leaders] == [w.h1.id]
    # H1 is supported from two documents (e4 is in the intercept); H2 only by e2 and e3, in the report.
    assert [a.id for a in weak.single_source_claims] == [w.h2.id]
    assessment.set_credibility(s, w.e4.id, 2)
    assert argument.weak_points(anns, s.links(), assessment.load(s)).low_credibility_leaders == ()
    outline = argument.build_outline(anns, s.links(), s.tags(), assessment.load(s))
    assert outline.weak.counts()["single_source_claims"] == 1


# -- command line -----------------------------------------------------------------------------------------------


def test_ach_command_prints_the_matrix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mine.warrant"
    w = World(path)
    _rate_all(w)
    w.store.close()
    assert cli.main(["ach", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(h["quote"], h["inconsistency"]) for h in data["hypotheses"]] == [
        ("The army moved north in spring.", 1),
        ("The army stayed in its barracks.", 3),
    ]
    diagnostic = {e["quote"]: e["diagnostic"] for e in data["evidence"]}
    assert diagnostic["Fuel deliveries rose in March."] is False
    assert diagnostic["Satellite images show tanks on the northern road."] is True
    assert cli.main(["ach", str(path), "--document", w.other.fingerprint, "--json"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert one["hypotheses"] == [] and [e["quote"] for e in one["evidence"]] == [
        "A radio intercept mentions the northern road."
    ]
    assert cli.main(["ach", str(path)]) == 0
    text = capsys.readouterr().out
    assert "inconsistency 1" in text and "non-diagnostic" in text


def test_ach_command_on_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.warrant"
    bad.write_bytes(b"not a database at all" * 10)
    assert cli.main(["ach", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("warrant: ") and err.count("\n") == 1
    assert bad.read_bytes() == b"not a database at all" * 10


# -- exports ------------------------------------------------------------------------------------------------------


def test_csv_has_grade_columns_and_the_ach_export_has_scores(w: World) -> None:
    _rate_all(w)
    assessment.set_reliability(w.store, w.doc.fingerprint, "C")
    assessment.set_credibility(w.store, w.e1.id, 3)
    rows = {r["quote"]: r for r in csvfile.read(exchange.render(w.store, "csv"))}
    assert (rows[w.e1.quote]["reliability"], rows[w.e1.quote]["credibility"]) == ("C", "3")
    assert (rows[w.e4.quote]["reliability"], rows[w.e4.quote]["credibility"]) == ("", "")
    table = [r for r in __import__("csv").reader(exchange.render(w.store, "ach").decode("utf-8-sig").splitlines())]
    assert table[0][:4] == ["evidence", "grade", "diagnosticity", "diagnostic"]
    assert table[0][4].startswith("H1: The army moved north")
    assert table[-2] == ["inconsistency", "", "", "", "1", "3"]
    assert table[1][:2] == [w.e1.quote, "C3"] and table[1][4:] == ["CC", "II"]
    assert exchange.extension("ach") == ".ach.csv"


def test_report_sections_are_plain_data(w: World) -> None:
    _rate_all(w)
    assessment.set_reliability(w.store, w.doc.fingerprint, "A", "<b>not markup</b>")
    a = assessment.load(w.store)
    sections = assessment.report_sections(assessment.build(a), a, w.store.documents())
    assert [s["title"] for s in sections] == [
        "Source reliability",
        "Information credibility",
        "Analysis of competing hypotheses",
    ]
    assert sections[0]["rows"][0] == [w.doc.title, "A", "completely reliable", "<b>not markup</b>"]
    assert sections[2]["notes"] == ["Non-diagnostic: \u201cFuel deliveries rose in March.\u201d"]
    json.dumps(sections)  # plain data
    codes = assessment.qdpx_codes(a)
    assert codes["Hypothesis"] == [w.h1.id, w.h2.id] and codes["ACH/II/H2"] == [w.e1.id]
    assert codes["Reliability/A"] == [w.h1.id, w.h2.id, w.e1.id, w.e2.id, w.e3.id]
    assessment.set_credibility(w.store, w.e2.id, 5, "one farmer")
    assert assessment.qdpx_notes(assessment.load(w.store)) == [
        (w.doc.fingerprint, "Reliability A (completely reliable): <b>not markup</b>"),
        (w.e2.id, "Credibility 5 (improbable): one farmer"),
    ]


def _w3c_items(s: store.Store) -> list[dict[str, Any]]:
    data = json.loads(exchange.render(s, "w3c"))
    items: list[dict[str, Any]] = data["first"]["items"]
    return items


def test_w3c_forms_exactly_as_the_issue_says(w: World) -> None:
    _rate_all(w)
    assessment.set_credibility(w.store, w.e1.id, 2)
    assessment.set_reliability(w.store, w.doc.fingerprint, "B", "wire agency")
    items = {i["id"]: i for i in _w3c_items(w.store)}
    e1 = items[f"urn:uuid:{w.e1.id}"]
    assert {"type": "TextualBody", "purpose": "assessing", "value": "credibility: 2"} in e1["body"]
    h1 = items[f"urn:uuid:{w.h1.id}"]
    assert h1["body"][0]["value"] == "claim"
    assert {"type": "TextualBody", "purpose": "classifying", "value": "hypothesis"} in h1["body"]
    ratings = [i for i in items.values() if i.get("motivation") == "assessing" and isinstance(i["target"], str)]
    assert len(ratings) == 8
    one = next(r for r in ratings if r["target"] == f"urn:uuid:{w.e1.id}" and r["body"][1]["id"].endswith(w.h2.id))
    assert one["body"] == [
        {"type": "TextualBody", "purpose": "assessing", "value": "II"},
        {"id": f"urn:uuid:{w.h2.id}"},
    ]
    reliability = [i for i in items.values() if i.get("motivation") == "assessing" and isinstance(i["target"], dict)]
    assert [r["target"]["id"] for r in reliability] == [f"urn:sha256:{w.doc.fingerprint}"]
    assert reliability[0]["body"][0] == {"type": "TextualBody", "purpose": "assessing", "value": "reliability: B"}


def test_w3c_round_trip_brings_everything_back(w: World, tmp_path: Path) -> None:
    _rate_all(w)
    assessment.set_credibility(w.store, w.e1.id, 2, "two sources")
    assessment.set_reliability(w.store, w.doc.fingerprint, "B", "wire agency")
    exported = tmp_path / "out.jsonld"
    exported.write_bytes(exchange.render(w.store, "w3c"))
    fresh = store.Store.memory(annotator="bo")
    fresh.add_document(documents.from_text(TEXT, "report.txt"))
    fresh.add_document(documents.from_text(OTHER, "intercept.txt"))
    report = w3c.import_file(fresh, exported)
    assert report.imported == 6 and report.assessments_imported == 1 + 1 + 2 + 8
    assert report.assessments_skipped == []
    assert assessment.matrix_json(assessment.matrix(fresh)) == assessment.matrix_json(assessment.matrix(w.store))
    assert [(g.credibility, g.rationale) for g in fresh.passage_grades()] == [(2, "two sources")]
    assert [(g.reliability, g.rationale) for g in fresh.document_grades()] == [("B", "wire agency")]
    assert fresh.annotation(w.e1.id).note == ""  # the assessing bodies are not notes
    assert fresh.annotation(w.h1.id).tag == "claim"
    again = w3c.import_file(fresh, exported)
    assert again.assessments_imported == 0


def test_w3c_import_of_forms_written_by_hand(w: World) -> None:
    s = w.store
    assessment.set_hypothesis(s, w.h1.id)
    lines = [
        {
            "type": "Annotation",
            "motivation": "assessing",
            "target": f"urn:uuid:{w.e2.id}",
            "body": [{"type": "TextualBody", "purpose": "assessing", "value": "II"}, {"id": f"urn:uuid:{w.h1.id}"}],
        },
        {
            "type": "Annotation",
            "motivation": "assessing",
            "target": f"urn:uuid:{w.e2.id}",
            "body": [{"type": "TextualBody", "purpose": "assessing", "value": "C"}, {"id": f"urn:uuid:{w.h2.id}"}],
        },
        {  # hypothesis body first: the tag is still the claim's
            "id": f"urn:uuid:{w.h2.id}",
            "type": "Annotation",
            "body": [
                {"type": "TextualBody", "purpose": "classifying", "value": "hypothesis"},
                {"type": "TextualBody", "purpose": "tagging", "value": "claim"},
            ],
            "target": {
                "source": f"urn:sha256:{w.doc.fingerprint}",
                "selector": {"type": "TextQuoteSelector", "exact": w.h2.quote},
            },
        },
    ]
    fresh = "urn:uuid:6f1d0c36-1111-4c1e-9a55-0123456789ab"
    lines.append(lines[2] | {"id": fresh})  # a new passage, its hypothesis body first
    data = "\n".join(json.dumps(x) for x in lines).encode()
    report = w3c.import_parsed(s, w3c.read(data, "hand.jsonl"))
    assert report.skipped_duplicates == 1 and report.imported == 1
    assert report.assessments_imported == 4  # flag h2 and the new claim, both ratings
    assert s.annotation(fresh[9:]).tag == "claim"
    assert {h.annotation for h in s.hypotheses()} == {w.h1.id, w.h2.id, fresh[9:]}
    assert {(r.evidence, r.hypothesis): r.rating for r in s.ach_ratings()} == {
        (w.e2.id, w.h1.id): "II",
        (w.e2.id, w.h2.id): "C",
    }
    bad = json.dumps(lines[0] | {"target": "urn:uuid:00000000-0000-0000-0000-000000000000"}).encode()
    skipped = w3c.import_parsed(s, w3c.read(bad, "bad.json"))
    assert skipped.assessments_imported == 0 and "not in the annotation file" in skipped.assessments_skipped[0][1]


def test_assessment_exports_pass_the_w3c_suite(w: World) -> None:
    import test_w3c_conformance as conformance  # the suite's offline validator, beside this file

    if not conformance.TESTDATA.is_dir():
        pytest.skip(f"shared test data not found at {conformance.TESTDATA}")
    suite = conformance.Suite(conformance.TESTDATA / "w3c-web-annotation")
    _rate_all(w)
    assessment.set_credibility(w.store, w.e1.id, 2, "two sources")
    assessment.set_reliability(w.store, w.doc.fingerprint, "B", "wire agency")
    assessment.set_reliability(w.store, w.other.fingerprint, "F")
    items = _w3c_items(w.store)
    assert sum(1 for i in items if i.get("motivation") == "assessing") == 8 + 2
    for item in items:
        assert suite.failures(item) == [], item["id"]
    # The suite can fail: a rating without its target fails a MUST.
    rating = next(i for i in items if i.get("motivation") == "assessing")
    broken = {k: v for k, v in rating.items() if k != "target"}
    assert suite.failures(broken) != []


def test_a_colleague_file_with_a_rating_warrant_never_writes_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _colleague(tmp_path / "a.warrant", "ana", {"e1/h1": "C"}, 2)
    _colleague(tmp_path / "b.warrant", "bo", {"e1/h1": "I"}, 3)
    conn = sqlite3.connect(tmp_path / "b.warrant")
    conn.execute("PRAGMA ignore_check_constraints=ON")
    conn.execute("UPDATE ach_ratings SET rating = 'ZZ'")
    conn.commit()
    conn.close()
    before = (tmp_path / "b.warrant").read_bytes()
    assert cli.main(["compare", str(tmp_path / "a.warrant"), str(tmp_path / "b.warrant"), "--json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("warrant: ") and err.count("\n") == 1 and "b.warrant" in err
    assert (tmp_path / "b.warrant").read_bytes() == before
    with pytest.raises(errors.UntrustedFileError):
        untrusted.open_untrusted(tmp_path / "b.warrant")


def test_a_file_from_before_the_assessments_is_reviewed_and_left_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _colleague(tmp_path / "a.warrant", "ana", {"e1/h1": "C"}, 2)
    old = tmp_path / "old.warrant"
    World(old, "bo").store.close()
    conn = sqlite3.connect(old)  # what a Warrant of format 2 wrote: no assessment tables, no tag descriptions
    for table in ("document_grades", "passage_grades", "hypotheses", "ach_ratings"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("ALTER TABLE tags DROP COLUMN description")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name IN ('m003_assessment', 'm004_tag_description')")
    conn.execute("PRAGMA user_version=2")
    conn.commit()
    conn.close()
    before = old.read_bytes()
    # The review upgrades its private in-memory copy; the colleague's file is not changed.
    assert cli.main(["compare", str(tmp_path / "a.warrant"), str(old), "--json"]) == 0
    assert old.read_bytes() == before
    ratings = json.loads(capsys.readouterr().out)["rating_agreement"]["ratings"]
    assert ratings["units"] == 1 and ratings["units_coded_by_two_or_more"] == 0
