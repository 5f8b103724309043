"""Streamed exports (issue 14 item 13, issue 15): rows read from SQLite a chunk at a time, the same bytes as before."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop.core import anchoring, documents, errors, exchange, model, store
from desktop.core.exchange import rows

TEXT_A = "Alpha claim holds here.\n\nBeta evidence rose sharply.\nGamma note line.\n\nDelta recommends a change.\n"
TEXT_B = "Second article: its own claim.\n\nIts own evidence, with = sign.\n"


def _annotate(doc: model.Document, passage: str, tag: str, *, author: str = "ana", note: str = "") -> model.Annotation:
    start = doc.text.index(passage)
    made = anchoring.new_annotation(doc, start, start + len(passage), tag, author=author, note=note)
    assert made is not None
    return made


@pytest.fixture
def two_documents() -> tuple[store.Store, list[model.Annotation]]:
    st_ = store.Store.memory(annotator="ana")
    st_.add_tag("question")
    st_.add_relation("undermines")
    a = st_.add_document(documents.from_text(TEXT_A, "a.txt"))
    b = st_.add_document(documents.from_text(TEXT_B, "b.txt"))
    anns = [
        _annotate(a, "Alpha claim holds", "claim", note="two\nlines"),
        _annotate(a, "Beta evidence rose", "evidence", author="bob"),
        _annotate(a, "Gamma note line", "question", note="=cmd()"),
        _annotate(a, "Delta recommends a change", "recommendation"),
        _annotate(b, "its own claim", "claim", author="bob"),
        _annotate(b, "Its own evidence, with = sign", "evidence"),
    ]
    st_.insert_annotations(
        anns,
        [
            model.Link("l1", anns[1].id, anns[0].id, "supports", "ana", "2024-01-01T00:00:00.000Z"),
            model.Link("l2", anns[3].id, anns[0].id, "based-on", "ana", "2024-01-01T00:00:01.000Z"),
            model.Link("l3", anns[2].id, anns[0].id, "undermines", "ana", "2024-01-01T00:00:02.000Z"),
            model.Link("l4", anns[5].id, anns[4].id, "contradicts", "bob", "2024-01-01T00:00:03.000Z"),
        ],
    )
    return st_, anns


def _without_time(data: bytes) -> bytes:
    return re.sub(rb"exported \d{4}-\d\d-\d\d \d\d:\d\d", b"exported T", data)


FILTERS = [
    {},
    {"tags": ["claim", "question"]},
    {"authors": ["bob"]},
    {"document": "B"},
    {"annotation_ids": [0, 2, 4]},
    {"tags": []},
]


STREAMED = sorted(f.name for f in exchange.REGISTRY if f.stream is not None)
"""The formats written as the rows are read (the others, zips and workbooks, are gathered whole)."""


@pytest.mark.parametrize("fmt", STREAMED)
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "all")
def test_a_streamed_export_is_byte_for_byte_the_rendered_one(two_documents, tmp_path: Path, fmt: str, filters) -> None:  # type: ignore[no-untyped-def]
    st_, anns = two_documents
    options = dict(filters)
    if "document" in options:
        options["document"] = anns[4].document
    if "annotation_ids" in options:
        options["annotation_ids"] = [anns[i].id for i in options["annotation_ids"]]
    for jsonl in (False, True) if fmt == "w3c" else (False,):
        held = exchange.render(st_, fmt, jsonl=jsonl, **options)
        path = tmp_path / f"out{exchange.extension(fmt, jsonl=jsonl)}"
        count = exchange.export(st_, fmt, path, jsonl=jsonl, **options)
        assert _without_time(path.read_bytes()) == _without_time(held)
        assert count == len(exchange.select(st_, **options).annotations)


def test_an_export_never_holds_every_annotation(two_documents, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    st_, _anns = two_documents
    expected = {fmt: exchange.render(st_, fmt) for fmt in STREAMED}

    def refuse(*args: object, **kwargs: object) -> list[model.Annotation]:
        raise AssertionError("an export read every annotation into a list")

    monkeypatch.setattr(store.Store, "annotations", refuse)
    monkeypatch.setattr(store.Store, "links", refuse)
    for fmt in STREAMED:
        path = tmp_path / f"out{exchange.extension(fmt)}"
        exchange.export(st_, fmt, path)
        assert _without_time(path.read_bytes()) == _without_time(expected[fmt])


@pytest.mark.parametrize("chunk", [1, 2, 5, 1000])
def test_iter_annotations_reads_in_chunks_in_document_order(two_documents, chunk: int) -> None:  # type: ignore[no-untyped-def]
    st_, anns = two_documents
    assert list(st_.iter_annotations(chunk=chunk)) == st_.annotations()
    doc = anns[0].document
    assert list(st_.iter_annotations(doc, tags=["claim", "evidence"], chunk=chunk)) == st_.annotations(
        doc, tags=["claim", "evidence"]
    )
    assert list(st_.iter_annotations(authors=["bob"], chunk=chunk)) == st_.annotations(authors=["bob"])
    assert list(st_.iter_annotations(tags=[], chunk=chunk)) == []
    assert list(st_.iter_links(chunk=chunk)) == st_.links()
    keys = sorted(st_.iter_annotation_keys(doc, tags=["claim"]))
    assert keys == sorted((a.id, a.document, a.tag) for a in st_.annotations(doc, tags=["claim"]))


def test_iter_annotations_is_lazy(two_documents, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    st_, _anns = two_documents
    fetched: list[int] = []
    real = store.Store._stream

    def counting(self, sql, params, factory, chunk):  # type: ignore[no-untyped-def]
        for item in real(self, sql, params, factory, chunk):
            fetched.append(1)
            yield item

    monkeypatch.setattr(store.Store, "_stream", counting)
    iterator = st_.iter_annotations(chunk=2)
    next(iterator)
    assert len(fetched) == 1  # one passage made, not six


def test_a_damaged_row_met_while_streaming_is_a_store_error(two_documents) -> None:  # type: ignore[no-untyped-def]
    st_, anns = two_documents
    st_.db.conn.execute("PRAGMA ignore_check_constraints=ON")
    st_.db.conn.execute('UPDATE annotations SET start = "end" + 5 WHERE id = ?', (anns[5].id,))
    with pytest.raises(errors.StoreError, match="damaged"):
        list(st_.iter_annotations(chunk=2))


def test_a_failing_stream_leaves_the_previous_file(
    two_documents, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    st_, _anns = two_documents
    dest = tmp_path / "report.html"
    dest.write_bytes(b"old")
    real = store.Store.iter_annotations

    def failing(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        yield from list(real(self, *args, **kwargs))[:2]
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(store.Store, "iter_annotations", failing)
    monkeypatch.setattr(rows, "Encoder", lambda out: _Flushing(out))
    with pytest.raises(errors.ExchangeError, match="left as it was"):
        exchange.export(st_, "html", dest)
    assert dest.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


class _Flushing(rows.Encoder):
    """Writes every piece at once, so a failure comes after bytes have reached the temporary file."""

    def __init__(self, out) -> None:  # type: ignore[no-untyped-def]
        super().__init__(out, chunk=1)
