"""W3C Web Annotation export and import: shapes, round trip, anchoring, duplicates, orphans, malformed files."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from desktop.core import anchoring, documents, errors, exchange, model, store
from desktop.core.exchange import w3c

POLICY = (
    "Policy brief 001\n\n"
    "Some say tariffs raise consumer prices quickly. Others disagree.\n\n"
    "Yet the evidence shows that tariffs raise consumer prices within a year, as table 2 shows.\n"
)


def _annotate(doc: model.Document, passage: str, tag: str, *, note: str = "", author: str = "ana") -> model.Annotation:
    start = doc.text.index(passage)
    made = anchoring.new_annotation(doc, start, start + len(passage), tag, author=author, note=note)
    assert made is not None
    return made


def _seeded(
    testdata: Path, path: Path | None = None
) -> tuple[store.Store, model.Document, list[model.Annotation], list[model.Link]]:
    st_ = store.Store.open(path) if path else store.Store.memory(annotator="ana")
    doc = st_.add_document(documents.load(testdata / "texts" / "udhr" / "udhr_pes_1.txt"))
    text = doc.text
    first = text.index("از آنجا که")
    anns = [
        _annotate(doc, text[first : first + 50].strip(), "claim", note="ادعای اصلی 😀\nبا دو خط"),
        _annotate(doc, text[first + 300 : first + 380].strip(), "evidence", author="Bahar"),
        _annotate(doc, text[first + 600 : first + 640].strip(), "recommendation", note="[x](javascript:alert(1))"),
    ]
    links = [
        model.Link(model.new_id(), anns[1].id, anns[0].id, "supports", "Bahar", "2024-05-01T10:15:00Z"),
        model.Link(model.new_id(), anns[2].id, anns[0].id, "based-on", "ana", model.now_utc()),
    ]
    st_.insert_annotations(anns, links)
    return st_, doc, anns, links


def _fields(a: model.Annotation) -> tuple[object, ...]:
    return (a.id, a.document, a.tag, a.note, a.start, a.end, a.quote, a.prefix, a.suffix, a.author, a.created)


def _one(**changes: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "@context": w3c.CONTEXT,
        "id": "urn:uuid:6f1c2b1e-8a53-4c3e-9d7a-0b5e2f6c9a11",
        "type": "Annotation",
        "body": {"type": "TextualBody", "purpose": "tagging", "value": "claim"},
        "target": {
            "source": "urn:example:doc",
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": "tariffs raise consumer prices",
                    "prefix": "shows that ",
                    "suffix": " within",
                },
                {"type": "TextPositionSelector", "start": 0, "end": 29},
            ],
        },
    }
    obj.update(changes)
    return obj


@pytest.fixture
def policy_store() -> store.Store:
    st_ = store.Store.memory(annotator="me")
    st_.add_document(documents.from_text(POLICY, "policy.txt"))
    return st_


def _import(st_: store.Store, tmp_path: Path, content: object, name: str = "in.json") -> w3c.ImportReport:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return w3c.import_file(st_, path)


# -- export ------------------------------------------------------------------------------------------


def test_export_shapes(testdata: Path) -> None:
    st_, doc, anns, links = _seeded(testdata)
    data = json.loads(exchange.render(st_, "w3c"))
    assert data["type"] == "AnnotationCollection" and data["total"] == 5
    items = data["first"]["items"]
    assert [i["id"] for i in items] == [f"urn:uuid:{x.id}" for x in anns] + [f"urn:uuid:{k.id}" for k in links]
    first = items[0]
    assert first["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert first["motivation"] == "commenting"
    assert first["body"][0] == {"type": "TextualBody", "purpose": "tagging", "value": "claim"}
    assert first["body"][1]["purpose"] == "commenting" and first["body"][1]["value"] == anns[0].note
    assert first["target"]["source"]["id"] == f"urn:sha256:{doc.fingerprint}"
    assert first["target"]["source"]["label"] == doc.title
    quote, position = first["target"]["selector"]
    assert quote["exact"] == doc.text[position["start"] : position["end"]]
    assert items[1]["motivation"] == "highlighting" and len(items[1]["body"]) == 1
    assert items[1]["creator"]["name"] == "Bahar"
    link = items[3]
    assert link["motivation"] == "linking"
    assert link["target"] == f"urn:uuid:{anns[1].id}"
    assert link["body"] == [
        {"id": f"urn:uuid:{anns[0].id}"},
        {"type": "TextualBody", "purpose": "tagging", "value": "supports"},
    ]
    # The same passages give the same file.
    assert exchange.render(st_, "w3c") == exchange.render(st_, "w3c")


def test_jsonl_has_one_annotation_per_line(testdata: Path) -> None:
    st_, _doc, anns, links = _seeded(testdata)
    lines = exchange.render(st_, "w3c", jsonl=True).decode("utf-8").splitlines()
    assert len(lines) == len(anns) + len(links)
    assert all(json.loads(line)["type"] == "Annotation" for line in lines)


def test_links_to_passages_left_out_are_not_exported(testdata: Path) -> None:
    st_, _doc, anns, _links = _seeded(testdata)
    data = json.loads(exchange.render(st_, "w3c", tags=["claim", "evidence"]))
    linking = [i for i in data["first"]["items"] if i["motivation"] == "linking"]
    assert len(linking) == 1 and linking[0]["target"] == f"urn:uuid:{anns[1].id}"


# -- round trip --------------------------------------------------------------------------------------


@pytest.mark.parametrize("jsonl", [False, True])
def test_round_trip_into_a_fresh_file(testdata: Path, tmp_path: Path, jsonl: bool) -> None:
    st_, doc, anns, links = _seeded(testdata)
    exported = tmp_path / ("out.jsonl" if jsonl else "out.jsonld")
    exchange.export(st_, "w3c", exported, jsonl=jsonl)
    fresh = store.Store.open(tmp_path / "fresh.warrant", annotator="someone else")
    result = w3c.import_file(fresh, exported, document=testdata / "texts" / "udhr" / "udhr_pes_1.txt")
    assert (result.imported, result.skipped_duplicates, result.orphans) == (3, 0, [])
    assert result.links_imported == 2
    assert sorted(map(_fields, fresh.annotations())) == sorted(map(_fields, anns))
    key = lambda k: (k.id, k.source, k.target, k.relation, k.author, k.created)  # noqa: E731
    assert sorted(map(key, fresh.links())) == sorted(map(key, links))
    assert [d.fingerprint for d in fresh.documents()] == [doc.fingerprint]
    # Twice: nothing is added.
    again = w3c.import_file(fresh, exported)
    assert (again.imported, again.skipped_duplicates, again.links_imported) == (0, 3, 0)
    assert fresh.annotation_count() == 3 and len(fresh.links()) == 2


def test_import_into_a_file_that_has_the_document_matches_its_fingerprint(testdata: Path, tmp_path: Path) -> None:
    st_, doc, anns, _links = _seeded(testdata)
    exported = tmp_path / "out.jsonld"
    exchange.export(st_, "w3c", exported)
    other = store.Store.memory()
    other.add_document(documents.load(testdata / "texts" / "udhr" / "udhr_rus.txt"))
    other.add_document(documents.load(testdata / "texts" / "udhr" / "udhr_pes_1.txt"))
    other.add_document(documents.load(testdata / "texts" / "udhr" / "udhr_eng.txt"))
    result = w3c.import_file(other, exported)
    assert result.imported == 3
    assert {a.document for a in other.annotations()} == {doc.fingerprint}


# -- anchoring -------------------------------------------------------------------------------------


def test_position_is_used_when_it_matches_the_quote(policy_store: store.Store, tmp_path: Path) -> None:
    start = POLICY.index("tariffs raise consumer prices within")
    obj = _one()
    obj["target"]["selector"][1] = {"type": "TextPositionSelector", "start": start, "end": start + 29}
    obj["target"]["selector"][0]["prefix"] = obj["target"]["selector"][0]["suffix"] = ""
    _import(policy_store, tmp_path, obj)
    (a,) = policy_store.annotations()
    assert (a.start, a.end) == (start, start + 29)


def test_quote_elsewhere_is_found_by_its_context(policy_store: store.Store, tmp_path: Path) -> None:
    # The position (0) is wrong; the quote occurs twice; prefix and suffix pick the second.
    report = _import(policy_store, tmp_path, _one())
    assert report.imported == 1
    (a,) = policy_store.annotations()
    assert POLICY[a.start : a.end] == "tariffs raise consumer prices"
    assert a.start == POLICY.index("tariffs raise consumer prices within")
    assert a.prefix == POLICY[a.start - model.CONTEXT_CHARS : a.start]


def test_position_only(policy_store: store.Store, tmp_path: Path) -> None:
    obj = _one()
    obj["target"]["selector"] = {"type": "TextPositionSelector", "start": 18, "end": 26}
    _import(policy_store, tmp_path, obj)
    (a,) = policy_store.annotations()
    assert a.quote == POLICY[18:26]


def test_handwritten_w3c_samples(testdata: Path) -> None:
    hand = testdata / "w3c-web-annotation" / "handwritten"
    st_ = store.Store.memory()
    filler = "x" * (412 - len("the evidence shows that "))
    st_.add_document(
        documents.from_text(filler + "the evidence shows that tariffs raise consumer prices within a year.\n")
    )
    report = w3c.import_file(st_, hand / "claim-quote-position.json")
    assert (report.imported, report.orphans) == (1, [])
    (a,) = st_.annotations()
    assert (a.id, a.tag, a.start, a.end, a.quote) == (
        "6f1c2b1e-8a53-4c3e-9d7a-0b5e2f6c9a11", "claim", 412, 441, "tariffs raise consumer prices",
    )  # fmt: skip
    assert (a.author, a.created) == ("Analyst One", "2024-05-01T10:15:00Z")

    fa = store.Store.memory()
    text = "مقدمه\n\nاین سیاست جدید است و سیاست جدید خوب است.\n"
    fa.add_document(documents.from_text(text))
    report = w3c.import_file(fa, hand / "rtl-persian-comment.json", document=None)
    (b,) = fa.annotations()
    assert report.tags_added == [w3c.DEFAULT_TAG]
    assert (b.tag, b.note) == (w3c.DEFAULT_TAG, "این ادعا به شواهد بیشتری نیاز دارد")
    assert text[b.start : b.end] == "سیاست جدید" and b.start == text.index("سیاست جدید")


def test_hypothesis_api_annotation(testdata: Path) -> None:
    st_ = store.Store.memory()
    text = "y" * 388 + "the evidence shows that tariffs raise consumer prices within a year.\n"
    st_.add_document(documents.from_text(text))
    report = w3c.import_file(st_, testdata / "hypothesis" / "handwritten-api-annotation.json")
    assert report.imported == 1
    (a,) = st_.annotations()
    assert (a.tag, a.note, a.author) == ("evidence", "Evidence for the tariff claim; see table 2.", "Analyst One")
    assert (a.start, a.end) == (412, 441) and a.quote == "tariffs raise consumer prices"
    assert a.id == str(uuid.uuid5(w3c.NAMESPACE, "hAnDwRiTtEn0001")) and a.origin_id == "hAnDwRiTtEn0001"
    assert a.origin_file == str((testdata / "hypothesis" / "handwritten-api-annotation.json").resolve())
    assert a.modified == "2024-05-01T10:15:00.000000+00:00"
    assert w3c.import_file(st_, testdata / "hypothesis" / "handwritten-api-annotation.json").skipped_duplicates == 1


def test_the_broken_samples_are_refused(testdata: Path) -> None:
    st_ = store.Store.memory()
    st_.add_document(documents.from_text(POLICY))
    with pytest.raises(errors.ExchangeError, match="both 'body' and 'bodyValue'"):
        w3c.import_file(st_, testdata / "w3c-web-annotation" / "handwritten" / "BAD-quote-without-exact.json")
    with pytest.raises(errors.ExchangeError, match="selector has no 'type'"):
        w3c.import_file(st_, testdata / "hypothesis" / "BAD-permissions.json")
    assert st_.annotation_count() == 0


# -- input forms, tags, notes, links ----------------------------------------------------------------


def test_single_list_jsonl_and_paged_collection(policy_store: store.Store, tmp_path: Path) -> None:
    ids = [str(uuid.uuid4()) for _ in range(4)]
    objs = [_one(id=f"urn:uuid:{i}") for i in ids]
    assert _import(policy_store, tmp_path, objs[0]).imported == 1
    assert _import(policy_store, tmp_path, [objs[0], objs[1]]).imported == 1
    jsonl = "\n".join(json.dumps(o) for o in objs[:3]) + "\n"
    assert _import(policy_store, tmp_path, jsonl, "in.jsonl").imported == 1
    collection = {
        "@context": w3c.CONTEXT, "id": "http://example.org/c", "type": "AnnotationCollection",
        "first": {"type": "AnnotationPage", "items": objs[:2], "next": {"type": "AnnotationPage", "items": objs[2:]}},
    }  # fmt: skip
    report = _import(policy_store, tmp_path, collection)
    assert (report.imported, report.skipped_duplicates) == (1, 3)
    assert {a.id for a in policy_store.annotations()} == set(ids)


def test_tags_notes_and_authors(policy_store: store.Store, tmp_path: Path) -> None:
    bodies: list[Any] = [
        {"type": "TextualBody", "purpose": "tagging", "value": "Evidence"},  # a label: the evidence tag
        {"type": "TextualBody", "purpose": "tagging", "value": "second tag is ignored"},
        {"type": "TextualBody", "purpose": "commenting", "value": "a comment"},
        "a plain string body",
    ]
    made = [
        _one(id="urn:uuid:00000000-0000-4000-8000-000000000001", body=bodies, creator={"id": "x", "nickname": "nick"}),
        _one(id="urn:uuid:00000000-0000-4000-8000-000000000002", body={"type": "TextualBody", "purpose": "tagging", "value": "question"}, creator="http://example.org/u"),
        _one(id="urn:uuid:00000000-0000-4000-8000-000000000003", bodyValue="just a note", body=None),
    ]  # fmt: skip
    del made[2]["body"]
    report = _import(policy_store, tmp_path, made)
    assert report.imported == 3 and sorted(report.tags_added) == ["imported", "question"]
    by_id = {a.id[-1]: a for a in policy_store.annotations()}
    assert (by_id["1"].tag, by_id["1"].note, by_id["1"].author) == (
        "evidence",
        "a comment\n\na plain string body",
        "nick",
    )
    assert (by_id["2"].tag, by_id["2"].author) == ("question", "http://example.org/u")
    assert (by_id["3"].tag, by_id["3"].note) == ("imported", "just a note")
    assert "question" in {t.name for t in policy_store.tags()}


def test_links_are_imported_after_annotations(policy_store: store.Store, tmp_path: Path) -> None:
    a, b = "urn:uuid:00000000-0000-4000-8000-00000000000a", "urn:uuid:00000000-0000-4000-8000-00000000000b"

    def link(lid: str, source: str, target: str, relation: str | None) -> dict[str, Any]:
        body: list[Any] = [{"id": target}]
        if relation:
            body.append({"type": "TextualBody", "purpose": "tagging", "value": relation})
        return {
            "@context": w3c.CONTEXT,
            "id": lid,
            "type": "Annotation",
            "motivation": "linking",
            "body": body,
            "target": source,
        }

    items = [
        link("urn:uuid:00000000-0000-4000-8000-0000000000f1", b, a, "undermines"),  # before its ends, in the file
        _one(id=a),
        _one(id=b, body={"type": "TextualBody", "purpose": "tagging", "value": "evidence"}),
        link("http://example.org/l2", b, "urn:uuid:00000000-0000-4000-8000-0000000000ff", "supports"),
        link("http://example.org/l3", a, b, None),
    ]
    report = _import(policy_store, tmp_path, items)
    assert report.links_imported == 1
    assert sorted(r for _, r in report.links_skipped) == [
        "it has no relation (a tagging body naming it)",
        "it links an annotation that is not in the annotation file",
    ]
    (k,) = policy_store.links()
    assert (k.source, k.target, k.relation) == (b[9:], a[9:], "undermines")
    assert "undermines" in {r.name for r in policy_store.relations()}

    # A later file may link to passages already in the annotation file; relations match case-insensitively.
    other = policy_store.add_document(documents.from_text("A second document, with its own passage.\n", "two.txt"))
    c = "urn:uuid:00000000-0000-4000-8000-00000000000c"
    second = [
        _one(id=c, target={"source": f"urn:sha256:{other.fingerprint}", "selector": {"type": "TextQuoteSelector", "exact": "its own passage"}}),
        link("urn:uuid:00000000-0000-4000-8000-0000000000f4", a, b, "Supports"),
        link("urn:uuid:00000000-0000-4000-8000-0000000000f5", b, a, "UNDERMINES"),
        link("urn:uuid:00000000-0000-4000-8000-0000000000f6", c, a, "supports"),
    ]  # fmt: skip
    report = _import(policy_store, tmp_path, second)
    assert (report.imported, report.links_imported) == (1, 1)
    assert sorted(r for _, r in report.links_skipped) == [
        "it is already in the annotation file",
        "it links passages of two different documents",
    ]
    assert {(k.source, k.target, k.relation) for k in policy_store.links()} == {
        (b[9:], a[9:], "undermines"),
        (a[9:], b[9:], "supports"),
    }


def test_orphans_are_reported_with_id_quote_and_reason(tmp_path: Path) -> None:
    st_ = store.Store.memory()
    st_.add_document(documents.from_text("One document here.\n"))
    st_.add_document(documents.from_text("Another document here.\n"))
    report = _import(
        st_, tmp_path, [_one(), _one(id="urn:uuid:00000000-0000-4000-8000-000000000009", target="http://x/y")]
    )
    assert report.imported == 0
    assert report.orphans[0][:2] == ("urn:uuid:6f1c2b1e-8a53-4c3e-9d7a-0b5e2f6c9a11", "tariffs raise consumer prices")
    assert "document" in report.orphans[0][2]
    one = store.Store.memory()
    one.add_document(documents.from_text("A text that does not hold the quoted passage at all.\n"))
    report = _import(one, tmp_path, [_one()])
    assert report.orphans == [
        (
            "urn:uuid:6f1c2b1e-8a53-4c3e-9d7a-0b5e2f6c9a11",
            "tariffs raise consumer prices",
            "its quote is not in 'A text that does not hold the quoted passage at all.'",
        )
    ]
    assert one.annotation_count() == 0 and [t.name for t in one.tags()] == ["claim", "evidence", "recommendation"]


# -- malformed input leaves the annotation file unchanged -------------------------------------------


def _snapshot(path: Path) -> tuple[bytes, bytes]:
    wal = Path(str(path) + "-wal")
    return path.read_bytes(), wal.read_bytes() if wal.exists() else b""


def _bad_cases() -> list[tuple[str, object, str]]:
    quote = {"type": "TextQuoteSelector", "exact": "tariffs"}
    return [
        ("not json", "{'id': 1,", "not JSON"),
        ("jsonl broken", '{"type": "Annotation"}\n{"type": \n', "neither JSON nor JSON lines"),
        ("a number", 42, "holds a number"),
        ("list of numbers", [1, 2], "annotation 1: it is a number"),
        ("start as text", _one(target={"source": "s", "selector": {"type": "TextPositionSelector", "start": "ten", "end": 3}}), "start is a string"),
        ("negative", _one(target={"source": "s", "selector": {"type": "TextPositionSelector", "start": -1, "end": 3}}), "start -1 is out of range"),
        ("reversed", _one(target={"source": "s", "selector": {"type": "TextPositionSelector", "start": 9, "end": 3}}), "ends \\(3\\) before it starts"),
        ("beyond the text", _one(target={"source": "s", "selector": {"type": "TextPositionSelector", "start": 10, "end": 99999}}), "outside"),
        ("quote longer than the document", _one(target={"source": "s", "selector": {**quote, "exact": "x" * (len(POLICY) + 1)}}), "longer than"),
        ("exact as number", _one(target={"source": "s", "selector": {**quote, "exact": 5}}), "exact is a number"),
        ("body value as list", _one(body={"type": "TextualBody", "value": ["x"]}), "value is a list"),
        ("tag too long", _one(body={"type": "TextualBody", "purpose": "tagging", "value": "t" * 65}), "longer than 64"),
        ("bad date", _one(created="yesterday"), "not a date"),
        ("id as number", _one(id=7), "id is a number"),
        ("wrong type", _one(type="Person"), "not 'Annotation'"),
        ("linked page", {"type": "AnnotationCollection", "first": "http://example.org/page1"}, "pages are not in the file"),
        ("deep nesting", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ]  # fmt: skip


@pytest.mark.parametrize(("case", "content", "message"), _bad_cases(), ids=[c[0] for c in _bad_cases()])
def test_malformed_input_is_refused_and_changes_nothing(
    tmp_path: Path, case: str, content: object, message: str
) -> None:
    path = tmp_path / "mine.warrant"
    st_ = store.Store.open(path)
    st_.add_document(documents.from_text(POLICY, "policy.txt"))
    existing = _import(st_, tmp_path, _one(id="urn:uuid:00000000-0000-4000-8000-0000000000aa"), "ok.json")
    assert existing.imported == 1
    before, annotations_before = _snapshot(path), st_.annotations()
    with pytest.raises(errors.ExchangeError, match=message) as caught:
        _import(st_, tmp_path, content, "bad.json")
    assert "bad.json" in str(caught.value)
    assert _snapshot(path) == before
    assert st_.annotations() == annotations_before
    st_.close()


def test_a_50_mb_string_and_a_file_over_the_cap(
    policy_store: store.Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    huge = tmp_path / "huge.json"
    huge.write_text(json.dumps(_one(body={"type": "TextualBody", "value": "n" * (50 * 1024 * 1024)})), encoding="utf-8")
    with pytest.raises(errors.ExchangeError, match="52,428,800 characters long"):
        w3c.import_file(policy_store, huge)
    monkeypatch.setattr(w3c, "MAX_IMPORT_BYTES", 1024 * 1024)
    with pytest.raises(errors.ExchangeError, match="files up to 1 MB"):
        w3c.import_file(policy_store, huge)
    assert policy_store.annotation_count() == 0


def test_missing_and_non_utf8_files(policy_store: store.Store, tmp_path: Path) -> None:
    with pytest.raises(errors.ExchangeError, match="does not exist"):
        w3c.import_file(policy_store, tmp_path / "nope.json")
    bad = tmp_path / "latin1.json"
    bad.write_bytes(b'{"id": "caf\xe9"}')
    with pytest.raises(errors.ExchangeError, match="not UTF-8"):
        w3c.import_file(policy_store, bad)
    with pytest.raises(errors.ExchangeError, match="is a folder"):
        w3c.import_file(policy_store, tmp_path)


def test_a_failed_write_rolls_back_the_new_document_and_tags(
    testdata: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "mine.warrant"
    st_ = store.Store.open(path)
    obj = _one(body={"type": "TextualBody", "purpose": "tagging", "value": "brand-new-tag"})
    source = tmp_path / "in.json"
    source.write_text(json.dumps(obj), encoding="utf-8")
    article = tmp_path / "policy.txt"
    article.write_text(POLICY, encoding="utf-8")

    def fail(*args: object, **kwargs: object) -> None:
        raise errors.StoreError("disk full")

    monkeypatch.setattr(st_, "_insert_tag", fail)  # inside the one transaction, after the document is added
    with pytest.raises(errors.StoreError, match="disk full"):
        w3c.import_file(st_, source, document=article)
    assert st_.documents() == [] and "brand-new-tag" not in {t.name for t in st_.tags()}
    monkeypatch.undo()
    report = w3c.import_file(st_, source, document=article)
    assert report.imported == 1 and report.tags_added == ["brand-new-tag"] and len(st_.documents()) == 1
    st_.close()


def test_dates_that_rfc_3339_does_not_allow_are_rewritten(policy_store: store.Store, tmp_path: Path) -> None:
    _import(policy_store, tmp_path, _one(created="2024-05-01T10:15", modified="2024-05-02T10:15:30.5+02:00"))
    (a,) = policy_store.annotations()
    assert (a.created, a.modified) == ("2024-05-01T10:15:00+00:00", "2024-05-02T10:15:30.5+02:00")


def test_normalise_id() -> None:
    u = "6F1C2B1E-8A53-4C3E-9D7A-0B5E2F6C9A11"
    assert w3c.normalise_id(f"urn:uuid:{u}") == u.lower() == w3c.normalise_id(u)
    assert w3c.normalise_id("http://example.org/anno1") == w3c.normalise_id("http://example.org/anno1")
    assert w3c.normalise_id("http://example.org/anno1") != w3c.normalise_id("http://example.org/anno2")
    uuid.UUID(w3c.normalise_id("anything at all"))
