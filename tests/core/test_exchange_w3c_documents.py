"""W3C import: documents by fingerprint, several --document, articles carried in the file, colliding ids, browser quotes."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from desktop.core import anchoring, documents, errors, exchange, model, store
from desktop.core.exchange import w3c

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

GETTYSBURG = (
    "Four score and seven years ago our fathers brought forth on this continent a new nation.\n\n"
    "It is for us the living, rather, to be dedicated here to the unfinished work.\n\n"
    "That government of the people, by the people, for the people, shall not perish from the earth.\n"
)
OTHER = (
    "A memo on the budget.\n\nThe government of the people has asked for a review.\n\n"
    "We recommend that the government publish the figures.\n"
)


def _load_module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _passage(doc: model.Document, quote: str, tag: str, ident: str) -> dict[str, Any]:
    start = doc.text.index(quote)
    return {
        "@context": w3c.CONTEXT,
        "id": f"urn:uuid:{ident}",
        "type": "Annotation",
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": tag}],
        "target": {
            "source": {"id": f"urn:sha256:{doc.fingerprint}", "type": "Text", "label": doc.title},
            "selector": [
                {"type": "TextQuoteSelector", "exact": quote, "prefix": "", "suffix": ""},
                {"type": "TextPositionSelector", "start": start, "end": start + len(quote)},
            ],
        },
    }


def _two_articles(tmp_path: Path) -> tuple[Path, Path, Path, model.Document, model.Document]:
    a_path, b_path = tmp_path / "gettysburg.txt", tmp_path / "memo.txt"
    a_path.write_text(GETTYSBURG, encoding="utf-8")
    b_path.write_text(OTHER, encoding="utf-8")
    a, b = documents.load(a_path), documents.load(b_path)
    doc_a = model.Document(a.fingerprint, a.title, a.path, a.text)
    doc_b = model.Document(b.fingerprint, b.title, b.path, b.text)
    items = [
        _passage(doc_a, "government of the people", "claim", "00000000-0000-4000-8000-000000000001"),
        _passage(doc_a, "unfinished work", "evidence", "00000000-0000-4000-8000-000000000002"),
        # The memo's passages: their quotes also occur in the Gettysburg address.
        _passage(doc_b, "government", "claim", "00000000-0000-4000-8000-000000000003"),
        _passage(doc_b, "of the people", "evidence", "00000000-0000-4000-8000-000000000004"),
    ]
    source = tmp_path / "two.jsonld"
    source.write_text(json.dumps(items), encoding="utf-8")
    return source, a_path, b_path, doc_a, doc_b


def test_a_passage_of_another_article_never_goes_onto_the_named_one(tmp_path: Path) -> None:
    source, a_path, b_path, doc_a, doc_b = _two_articles(tmp_path)
    st_ = store.Store.memory(annotator="me")
    report = w3c.import_file(st_, source, document=a_path)
    assert report.imported == 2
    assert {a.document for a in st_.annotations()} == {doc_a.fingerprint}
    assert sorted(o[1] for o in report.orphans) == ["government", "of the people"]
    assert all(o[2].startswith("document not available") for o in report.orphans)
    # A second import with the other article places them: they were never "already present".
    again = w3c.import_file(st_, source, document=b_path)
    assert (again.imported, again.skipped_duplicates) == (2, 2)
    by_doc = {a.quote: a.document for a in st_.annotations()}
    assert by_doc["government"] == doc_b.fingerprint and by_doc["of the people"] == doc_b.fingerprint


def test_several_documents_on_the_command_line(tmp_path: Path) -> None:
    source, a_path, b_path, doc_a, doc_b = _two_articles(tmp_path)
    into = tmp_path / "mine.warrant"
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "import", str(source), "--into", str(into)]
        + ["--document", str(a_path), "--document", str(b_path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "imported 4" in done.stdout
    with store.Store.open(into) as st_:
        placed = {(a.quote, a.document, a.start) for a in st_.annotations()}
    assert placed == {
        ("government of the people", doc_a.fingerprint, GETTYSBURG.index("government of the people")),
        ("unfinished work", doc_a.fingerprint, GETTYSBURG.index("unfinished work")),
        ("government", doc_b.fingerprint, OTHER.index("government")),
        ("of the people", doc_b.fingerprint, OTHER.index("of the people")),
    }


def test_an_export_that_carries_its_articles_re_imports_with_none_at_hand(tmp_path: Path, testdata: Path) -> None:
    st_ = store.Store.memory(annotator="ana")
    fa = st_.add_document(documents.load(testdata / "texts" / "udhr" / "udhr_pes_1.txt"))
    en = st_.add_document(documents.load(testdata / "texts" / "udhr" / "udhr_eng.html"))
    made = [
        anchoring.new_annotation(fa, 40, 120, "claim", author="بهار"),
        anchoring.new_annotation(en, 100, 180, "evidence", author="Ann"),
        anchoring.new_annotation(en, 500, 560, "claim", author="Ann"),
    ]
    anns = [a for a in made if a is not None]
    st_.insert_annotations(anns, [])
    data = w3c.render(exchange.select(st_), with_text=True)
    items = json.loads(data)["first"]["items"]
    carried = [i["target"]["source"] for i in items if "value" in i["target"]["source"]]
    assert len(carried) == 2  # once per article, not once per passage
    # Still a conforming W3C export.
    conformance = _load_module("test_w3c_conformance")
    suite = conformance.Suite(testdata / "w3c-web-annotation")
    assert all(suite.failures(item) == [] for item in items)
    path = tmp_path / "carried.jsonld"
    path.write_bytes(data)
    fresh = store.Store.memory(annotator="bob")
    report = w3c.import_file(fresh, path)
    assert (report.imported, report.orphans) == (3, [])
    assert {d.fingerprint for d in fresh.documents()} == {fa.fingerprint, en.fingerprint}
    assert sorted((a.document, a.start, a.end, a.quote) for a in fresh.annotations()) == sorted(
        (a.document, a.start, a.end, a.quote) for a in anns
    )
    # A carried text that is not the article its id names is refused, and nothing is imported.
    tampered = json.loads(data)
    first = next(i for i in tampered["first"]["items"] if "value" in i["target"]["source"])
    first["target"]["source"]["value"] += " (edited)"
    path.write_text(json.dumps(tampered), encoding="utf-8")
    with pytest.raises(errors.ExchangeError, match="SHA-256"):
        w3c.import_file(store.Store.memory(annotator="c"), path)


def test_colliding_ids_are_refused_with_their_names(tmp_path: Path) -> None:
    source, a_path, _b, doc_a, _doc_b = _two_articles(tmp_path)
    items = json.loads(source.read_text(encoding="utf-8"))[:2]
    link = {
        "@context": w3c.CONTEXT,
        "id": items[0]["id"],  # a link reusing a passage's id
        "type": "Annotation",
        "motivation": "linking",
        "body": [{"id": items[1]["id"]}, {"type": "TextualBody", "purpose": "tagging", "value": "supports"}],
        "target": items[0]["id"],
    }
    bad = tmp_path / "bad.jsonld"
    bad.write_text(json.dumps([*items, link]), encoding="utf-8")
    st_ = store.Store.memory(annotator="me")
    with pytest.raises(errors.ExchangeError, match="00000000-0000-4000-8000-000000000001"):
        w3c.import_file(st_, bad, document=a_path)
    assert st_.annotations() == [] or list(st_.annotations()) == []
    twice = tmp_path / "twice.jsonld"
    twice.write_text(json.dumps([items[0], dict(items[1], id=items[0]["id"])]), encoding="utf-8")
    with pytest.raises(errors.ExchangeError, match="id"):
        w3c.import_file(st_, twice, document=a_path)
    # A link whose id is a passage's already in the file.
    fine = tmp_path / "fine.jsonld"
    fine.write_text(json.dumps(items), encoding="utf-8")
    assert w3c.import_file(st_, fine, document=a_path).imported == 2
    clash = dict(link, id="urn:uuid:00000000-0000-4000-8000-000000000002", target=items[0]["id"])
    clash["body"] = [{"id": items[0]["id"]}, {"type": "TextualBody", "purpose": "tagging", "value": "x"}]
    later = tmp_path / "later.jsonld"
    later.write_text(json.dumps([clash]), encoding="utf-8")
    with pytest.raises(errors.ExchangeError, match="00000000-0000-4000-8000-000000000002"):
        w3c.import_file(st_, later)


@pytest.mark.parametrize("name", ["udhr_eng.html", "udhr_pes_1.html", "udhr_rus.html"])
def test_hypothesis_json_made_from_the_page_is_placed(tmp_path: Path, testdata: Path, name: str) -> None:
    """Hypothesis API annotations with browser quotes (the page's indentation and line breaks kept)."""
    corpus = _load_module("test_anchoring_corpus")
    page = testdata / "texts" / "udhr" / name
    text, cases = corpus._browser_cases(page)
    rows = []
    for k, (quote, prefix, suffix, dom_at, _s, _e) in enumerate(cases):
        rows.append(
            {
                "id": f"hyp{k:05d}",
                "uri": "https://example.org/udhr.html",
                "text": "",
                "tags": ["evidence"],
                "target": [
                    {
                        "source": "https://example.org/udhr.html",
                        "selector": [
                            {"type": "TextPositionSelector", "start": dom_at, "end": dom_at + len(quote)},
                            {"type": "TextQuoteSelector", "exact": quote, "prefix": prefix, "suffix": suffix},
                        ],
                    }
                ],
            }
        )
    path = tmp_path / "hypothesis.json"
    path.write_text(json.dumps({"total": len(rows), "rows": rows}), encoding="utf-8")
    st_ = store.Store.memory(annotator="me")
    report = w3c.import_file(st_, path, document=page)
    assert report.orphans == []
    placed = {a.origin_id: (a.start, a.end) for a in st_.annotations()}
    expected = {f"hyp{k:05d}": (s, e) for k, (_q, _p, _x, _d, s, e) in enumerate(cases)}
    assert placed == expected


def test_export_with_text_on_the_command_line_re_imports_into_an_empty_file(tmp_path: Path) -> None:
    source, a_path, b_path, doc_a, doc_b = _two_articles(tmp_path)
    first = tmp_path / "first.warrant"
    run = [sys.executable, "-m", "desktop"]
    imported = subprocess.run(
        [*run, "import", str(source), "--into", str(first), "--document", str(a_path), "--document", str(b_path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    out = tmp_path / "carried.jsonld"
    exported = subprocess.run(
        [*run, "export", str(first), "--format", "w3c", "--with-text", "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert exported.returncode == 0, exported.stderr
    second = tmp_path / "second.warrant"
    again = subprocess.run(
        [*run, "import", str(out), "--into", str(second)], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert again.returncode == 0, again.stderr
    assert "imported 4" in again.stdout and "orphans 0" in again.stdout
    with store.Store.open(second) as st_:
        assert {d.fingerprint for d in st_.documents()} == {doc_a.fingerprint, doc_b.fingerprint}
    refused = subprocess.run(
        [*run, "export", str(first), "--format", "csv", "--with-text", "-o", str(tmp_path / "x.csv")],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert refused.returncode == 2 and refused.stderr.startswith("warrant: ")
