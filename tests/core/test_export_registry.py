"""One export pipeline: the registry of formats, used by the command line, the export dialog and the tests."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from desktop.core import anchoring, documents, errors, exchange, store


@pytest.fixture
def source(tmp_path: Path, seed_path: Path) -> store.Store:
    st = store.Store.open(tmp_path / "mine.warrant", annotator="me")
    doc = st.add_document(documents.load(seed_path))
    a = anchoring.new_annotation(doc, 100, 160, "claim", author="me")
    assert a is not None
    st.insert_annotation(a)
    return st


def _content(data: bytes) -> object:
    """The bytes, or for a zip (qdpx, xlsx) each member's bytes: a zip's own header holds the time it was made."""
    if not data.startswith(b"PK\x03\x04"):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist() if name not in ("docProps/core.xml",)}


def test_every_format_is_one_row_with_a_name_label_extension_and_render(source: store.Store, tmp_path: Path) -> None:
    assert [f.name for f in exchange.REGISTRY] == list(exchange.FORMATS)
    selection = exchange.select(source)
    for fmt in exchange.REGISTRY:
        assert fmt.extension.startswith(".") and fmt.extension in fmt.label
        data = fmt.render(selection)
        assert isinstance(data, bytes) and data
        out = tmp_path / f"out{fmt.extension}"
        assert exchange.write(selection, fmt.name, out, annotation_file=source.path) == 1
        stream = io.BytesIO()
        assert exchange.export(source, fmt.name, stream) == 1
        assert _content(out.read_bytes()) == _content(data) == _content(stream.getvalue())


def test_w3c_with_jsonl_is_the_w3c_jsonl_row(source: store.Store) -> None:
    assert exchange.get("w3c", jsonl=True) is exchange.FORMATS["w3c-jsonl"]
    assert exchange.extension("w3c", jsonl=True) == ".jsonl"
    assert exchange.render(source, "w3c", jsonl=True) == exchange.render(source, "w3c-jsonl")
    with pytest.raises(errors.ExchangeError, match="unknown export format"):
        exchange.get("docx")


def test_an_export_over_the_annotation_file_itself_is_refused(source: store.Store) -> None:
    with pytest.raises(errors.WarrantError, match="annotation file itself"):
        exchange.export(source, "csv", source.path)
    assert store.Store.open(source.path).annotation_count() == 1
