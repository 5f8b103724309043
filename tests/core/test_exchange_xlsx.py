"""Excel export: read back with openpyxl (an independent reader); content is never a formula."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from desktop.core import anchoring, documents, exchange, model, store
from desktop.core.exchange import csvfile, xlsx

openpyxl = pytest.importorskip("openpyxl")  # the independent reader; not our code

TEXT = '=1+1 starts a formula.\n\n+2 and -3 and @SUM(A1) too.\n\nPlain text 😀 here, and =HYPERLINK("http://x").'


@pytest.fixture
def filled() -> tuple[store.Store, list[model.Annotation]]:
    st_ = store.Store.memory(annotator="ana")
    doc = st_.add_document(documents.from_text(TEXT, "=evil.txt"))
    anns = []
    for passage, tag, note in (
        ("=1+1 starts a formula.", "claim", "-minus note"),
        ("+2 and -3", "evidence", "@at note"),
        ("@SUM(A1) too.", "evidence", '=HYPERLINK("http://evil")'),
        ("Plain text 😀 here", "recommendation", ""),
    ):
        start = doc.text.index(passage)
        made = anchoring.new_annotation(doc, start, start + len(passage), tag, author="-bob", note=note)
        assert made is not None
        anns.append(made)
    links = [model.Link(model.new_id(), anns[1].id, anns[0].id, "supports", "ana", model.now_utc())]
    st_.insert_annotations(anns, links)
    return st_, anns


def test_passages_sheet_has_the_csv_columns_and_exact_values(filled) -> None:  # type: ignore[no-untyped-def]
    st_, anns = filled
    data = exchange.render(st_, "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Passages", "Tags"]
    rows = list(book["Passages"].iter_rows(values_only=True))
    assert list(rows[0]) == list(csvfile.COLUMNS)
    by_id = {r[csvfile.COLUMNS.index("id")]: r for r in rows[1:]}
    for a in anns:
        r = by_id[a.id]
        assert r[csvfile.COLUMNS.index("quote")] == a.quote  # no apostrophe needed: typed as text
        assert (r[csvfile.COLUMNS.index("note")] or "") == a.note
        assert r[csvfile.COLUMNS.index("start")] == a.start and isinstance(r[csvfile.COLUMNS.index("start")], int)
        assert r[csvfile.COLUMNS.index("document")] == st_.documents()[0].title == "=1+1 starts a formula."
    assert by_id[anns[1].id][csvfile.COLUMNS.index("links_to")].startswith(f"supports:{anns[0].id} (claim:")


def test_no_cell_is_a_formula(filled) -> None:  # type: ignore[no-untyped-def]
    st_, _anns = filled
    data = exchange.render(st_, "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type in ("s", "n"), (cell.coordinate, cell.value, cell.data_type)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)


def test_summary_per_tag(filled) -> None:  # type: ignore[no-untyped-def]
    st_, _anns = filled
    book = openpyxl.load_workbook(io.BytesIO(exchange.render(st_, "xlsx")))
    rows = list(book["Tags"].iter_rows(values_only=True))
    assert list(rows[0]) == list(xlsx.SUMMARY_COLUMNS)
    summary = {r[0]: r for r in rows[1:]}
    assert summary["evidence"][2:] == (2, 1, 1, 2, 1, 0)
    assert summary["claim"][2:] == (1, 1, 1, 1, 0, 1)
    assert summary["recommendation"][2:] == (1, 1, 1, 0, 0, 0)


def test_long_cells_are_cut_not_dropped() -> None:
    st_ = store.Store.memory(annotator="ana")
    doc = st_.add_document(documents.from_text("word " * 10_000, "long.txt"))
    made = anchoring.new_annotation(doc, 0, len(doc.text), "claim", author="ana")
    assert made is not None
    st_.insert_annotation(made)
    book = openpyxl.load_workbook(io.BytesIO(exchange.render(st_, "xlsx")))
    quote = book["Passages"].cell(row=2, column=4).value
    assert len(quote) == xlsx.MAX_CELL and quote.endswith("\u2026")


def test_libreoffice_opens_it(filled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    st_, anns = filled
    source = tmp_path / "passages.xlsx"
    exchange.export(st_, "xlsx", source)
    subprocess.run(
        [soffice, "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir",
         str(tmp_path / "out"), str(source)],
        check=True, capture_output=True, timeout=180, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    text = (tmp_path / "out" / "passages.csv").read_text(encoding="utf-8")
    for a in anns:
        assert a.quote in text  # LibreOffice shows the text, not a computed value
    assert "#NAME" not in text and "Err:" not in text
