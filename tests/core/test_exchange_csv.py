"""CSV export (offsets, paragraphs, links, formula-injection guard) and the export API (filters, atomic writes)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core import anchoring, documents, errors, exchange, model, store
from desktop.core.exchange import csvfile, scope

EMOJI_TEXT = (
    "Flags 🇮🇷 and faces 😀 come first.\n\n"
    "=1+1 looks like a formula, and so does\n"
    "+2 or -3 or @SUM(A1).\n\n\n"
    'The last paragraph 👩‍👩‍👧 ends here with a "quoted" word, a comma, and more.'
)


def _annotate(
    doc: model.Document, passage: str, tag: str, *, note: str = "", author: str = "ana", nth: int = 0
) -> model.Annotation:
    start = -1
    for _ in range(nth + 1):
        start = doc.text.index(passage, start + 1)
    made = anchoring.new_annotation(doc, start, start + len(passage), tag, author=author, note=note)
    assert made is not None
    return made


def _raw(doc: model.Document, start: int, end: int, tag: str, note: str = "") -> model.Annotation:
    """An annotation exactly at [start, end) (untrimmed: a passage may start with a tab)."""
    sel = anchoring.select(doc.text, start, end)
    return model.Annotation(
        id=model.new_id(), document=doc.fingerprint, tag=tag, start=start, end=end, quote=sel.exact,
        prefix=sel.prefix, suffix=sel.suffix, note=note, author="ana", created=model.now_utc(), modified=model.now_utc(),
    )  # fmt: skip


@pytest.fixture
def filled(testdata: Path) -> tuple[store.Store, dict[str, model.Document], list[model.Annotation], list[model.Link]]:
    st_ = store.Store.memory(annotator="ana")
    docs: dict[str, model.Document] = {}
    for name in ("udhr_pes_1", "udhr_rus"):
        docs[name] = st_.add_document(documents.load(testdata / "texts" / "udhr" / f"{name}.txt"))
    docs["emoji"] = st_.add_document(documents.from_text(EMOJI_TEXT, "emoji.txt"))
    fa, em = docs["udhr_pes_1"].text, docs["emoji"]
    anns = [
        _annotate(
            docs["udhr_pes_1"], fa[fa.index("از آنجا که") : fa.index("از آنجا که") + 60], "claim", note="یادداشت"
        ),
        _annotate(docs["udhr_rus"], "Статья 1\n\nВсе люди рождаются свободными", "evidence", author="Борис"),
        _annotate(
            docs["udhr_rus"], "равными в своем достоинстве и правах", "claim", note='line one\nline "two", three'
        ),
        _annotate(em, "faces 😀 come", "recommendation", note='=HYPERLINK("http://evil")'),
        _annotate(em, "=1+1 looks like a formula", "claim", note="-minus"),
        _annotate(em, "+2 or -3", "evidence", note="@at"),
        _annotate(em, '👩‍👩‍👧 ends here with a "quoted" word, a comma', "evidence", note="'=already guarded?"),
        _raw(em, em.text.index("@SUM"), em.text.index("@SUM") + 9, "claim", note="\tstarts with a tab"),
    ]
    links = [
        model.Link(model.new_id(), anns[1].id, anns[2].id, "supports", "ana", model.now_utc()),
        model.Link(model.new_id(), anns[5].id, anns[4].id, "contradicts", "ana", model.now_utc()),
        model.Link(model.new_id(), anns[3].id, anns[4].id, "based-on", "ana", model.now_utc()),
    ]
    st_.insert_annotations(anns, links)
    return st_, docs, anns, links


def _paragraph_by_lines(text: str, offset: int) -> int:
    """Independent count: walk the lines, a new paragraph starts at a non-blank line after a blank one."""
    number = 0
    previous_blank = True
    position = 0
    for line in text.split("\n"):
        blank = not line.strip(" \t")
        if not blank and previous_blank:
            first = position + (len(line) - len(line.lstrip()))
            if first > offset and number > 0:
                break
            number += 1
        previous_blank = blank
        position += len(line) + 1
    return max(number, 1)


def test_rows_read_back_give_the_exact_passages(filled) -> None:  # type: ignore[no-untyped-def]
    st_, docs, anns, links = filled
    data = exchange.render(st_, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = csvfile.read(data)
    assert len(rows) == len(anns)
    by_fp = {d.fingerprint: d for d in docs.values()}
    by_id = {a.id: a for a in anns}
    for row in rows:
        doc = by_fp[row["fingerprint"]]
        start, end = int(row["start"]), int(row["end"])
        assert row["quote"] == doc.text[start:end]
        original = by_id[row["id"]]
        assert (row["quote"], row["note"], row["tag"], row["author"]) == (
            original.quote, original.note, original.tag, original.author,
        )  # fmt: skip
        assert row["document"] == doc.title
        assert int(row["paragraph"]) == _paragraph_by_lines(doc.text, start)
    assert {r["fingerprint"] for r in rows} == set(by_fp)


def test_records_end_in_crlf_and_multiline_cells_are_quoted(filled) -> None:  # type: ignore[no-untyped-def]
    st_, _docs, _anns, _links = filled
    text = exchange.render(st_, "csv").decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert records[0] == list(csvfile.COLUMNS)
    assert text.split("\r\n", 1)[0] == ",".join(csvfile.COLUMNS)
    assert text.endswith("\r\n")
    assert '"Статья 1\n\nВсе люди рождаются свободными"' in text
    assert '"line one\nline ""two"", three"' in text


def test_formula_cells_are_guarded_and_numbers_are_not(filled) -> None:  # type: ignore[no-untyped-def]
    st_, _docs, _anns, _links = filled
    raw = list(csv.reader(io.StringIO(exchange.render(st_, "csv").decode("utf-8-sig"), newline="")))
    header, body = raw[0], raw[1:]
    text_columns = [i for i, c in enumerate(header) if c not in ("start", "end", "paragraph")]
    for record in body:
        for i in text_columns:
            assert record[i][:1] not in ("=", "+", "-", "@", "\t", "\r"), (header[i], record[i])
        for name in ("start", "end", "paragraph"):
            assert record[header.index(name)].isdigit()
    cells = {c for record in body for c in record}
    assert "'=1+1 looks like a formula" in cells
    assert "'+2 or -3" in cells
    assert "'@SUM(A1)." in cells
    assert '\'=HYPERLINK("http://evil")' in cells
    assert "'-minus" in cells
    assert "'\tstarts with a tab" in cells
    assert "''=already guarded?" in cells


@given(st.text(max_size=30))
def test_guard_is_reversible_and_always_safe(value: str) -> None:
    guarded = csvfile.escape_cell(value)
    assert csvfile.unescape_cell(guarded) == value
    assert guarded[:1] not in ("=", "+", "-", "@", "\t", "\r")


def test_link_columns(filled) -> None:  # type: ignore[no-untyped-def]
    st_, _docs, anns, _links = filled
    rows = {r["id"]: r for r in csvfile.read(exchange.render(st_, "csv"))}
    # The target's tag and first six words beside its id (the quote's line break shown as a space).
    assert rows[anns[1].id]["links_to"] == f'supports:{anns[2].id} (claim: "равными в своем достоинстве и правах")'
    assert rows[anns[2].id]["linked_from"] == (
        f'supports:{anns[1].id} (evidence: "Статья 1 Все люди рождаются свободными")'
    )
    assert rows[anns[5].id]["links_to"] == f'contradicts:{anns[4].id} (claim: "=1+1 looks like a formula")'
    target = rows[anns[4].id]["linked_from"].split("; ")
    assert sorted(target) == sorted(
        [f'contradicts:{anns[5].id} (evidence: "+2 or -3")', f'based-on:{anns[3].id} (recommendation: "faces 😀 come")']
    )
    assert rows[anns[0].id]["links_to"] == rows[anns[0].id]["linked_from"] == ""
    # A filtered export still names links to passages left out, by id (their words are not in the export).
    only_claims = {r["id"]: r for r in csvfile.read(exchange.render(st_, "csv", tags=["claim"]))}
    assert only_claims[anns[2].id]["linked_from"] == f"supports:{anns[1].id}"


def test_first_words_are_cut_with_an_ellipsis() -> None:
    assert csvfile.first_words("one two\nthree  four five six seven") == "one two three four five six\u2026"
    assert csvfile.first_words("short") == "short"


def test_paragraph_numbers_follow_the_definition() -> None:
    text = "  Title\n\nFirst para\nstill first\n \t \n\n\nSecond\n\nThird\n\n"
    starts = scope.paragraph_starts(text)
    assert [text[s : s + 5] for s in starts] == ["Title", "First", "Secon", "Third"]
    assert scope.paragraph_number(starts, 0) == 1
    assert scope.paragraph_number(starts, text.index("still")) == 2
    assert scope.paragraph_number(starts, text.index(" \t \n")) == 2  # blank lines belong to the paragraph before
    assert scope.paragraph_number(starts, text.index("Third")) == 4
    for offset in range(len(text)):
        assert scope.paragraph_number(starts, offset) == _paragraph_by_lines(text, offset)


# -- the export API: filters, streams, atomic writes ---------------------------------------------


def test_filters_by_tag_author_document_and_ids(filled) -> None:  # type: ignore[no-untyped-def]
    st_, docs, anns, _links = filled

    def ids(**filters: object) -> set[str]:
        return {r["id"] for r in csvfile.read(exchange.render(st_, "csv", **filters))}  # type: ignore[arg-type]

    assert ids() == {a.id for a in anns}
    assert ids(tags=["claim"]) == {a.id for a in anns if a.tag == "claim"}
    assert ids(authors=["Борис"]) == {anns[1].id}
    assert ids(document=docs["emoji"].fingerprint) == {a.id for a in anns if a.document == docs["emoji"].fingerprint}
    assert ids(annotation_ids=[anns[0].id, anns[3].id]) == {anns[0].id, anns[3].id}
    assert ids(tags=["claim"], document=docs["udhr_rus"].fingerprint) == {anns[2].id}
    with pytest.raises(errors.NotFoundError, match="no annotation"):
        exchange.render(st_, "csv", annotation_ids=[anns[0].id, "not-an-id"])
    with pytest.raises(errors.ExchangeError, match="unknown export format"):
        exchange.render(st_, "docx")


def test_export_to_a_stream_and_to_a_file(filled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    st_, _docs, anns, _links = filled
    stream = io.BytesIO()
    assert exchange.export(st_, "csv", stream, tags=["evidence"]) == 3
    assert len(csvfile.read(stream.getvalue())) == 3
    out = tmp_path / "out.csv"
    assert exchange.export(st_, "csv", out) == len(anns)
    assert out.read_bytes() == exchange.render(st_, "csv")
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_export_refuses_to_overwrite_the_annotation_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.warrant"
    with store.Store.open(path) as st_:
        st_.add_document(documents.from_text("Some text to read here.\n", "x.txt"))
        before = path.read_bytes()
        with pytest.raises(errors.WarrantError, match="annotation file itself"):
            exchange.export(st_, "csv", path)
        assert path.read_bytes() == before


def test_a_writer_failing_midway_leaves_the_previous_file(tmp_path: Path) -> None:
    dest = tmp_path / "report.md"
    dest.write_bytes(b"previous report\n")
    os.chmod(dest, 0o640)

    def half_then_fail(f: io.BufferedWriter) -> None:
        f.write(b"half of the new rep")
        raise RuntimeError("disk unplugged")

    with pytest.raises(RuntimeError, match="unplugged"):
        exchange.write_atomic(dest, half_then_fail)
    assert dest.read_bytes() == b"previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]
    exchange.write_atomic(dest, b"new report\n")
    assert dest.read_bytes() == b"new report\n"
    assert dest.stat().st_mode & 0o777 == 0o640  # permissions kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_a_failing_export_writes_nothing(filled, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    st_, _docs, _anns, _links = filled
    dest = tmp_path / "passages.csv"
    dest.write_bytes(b"old")

    def broken(rows: object, out: io.TextIOBase) -> None:
        out.write("document,half a row")  # the export streams: a failure comes after some bytes
        raise errors.ExchangeError("formatter broke")

    monkeypatch.setattr(csvfile, "write", broken)
    with pytest.raises(errors.ExchangeError, match="formatter broke"):
        exchange.export(st_, "csv", dest)
    assert dest.read_bytes() == b"old"
    fresh = tmp_path / "fresh.csv"
    with pytest.raises(errors.ExchangeError):
        exchange.export(st_, "csv", fresh)
    assert not fresh.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["passages.csv"]


def test_write_atomic_reports_a_missing_folder_and_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(errors.ExchangeError, match="does not exist"):
        exchange.write_atomic(tmp_path / "missing" / "x.csv", b"x")
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(errors.ExchangeError, match="is a folder"):
        exchange.write_atomic(tmp_path / "folder.csv", b"x")

    def os_failure(f: io.BufferedWriter) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(errors.ExchangeError, match="No space left"):
        exchange.write_atomic(tmp_path / "y.csv", os_failure)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.csv"]


def _soffice() -> str:
    import shutil

    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    return found


def test_libreoffice_reads_the_csv_as_utf8(filled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """LibreOffice Calc itself parses the file: every cell comes back as written (commas, quotes, line breaks)."""
    import subprocess

    openpyxl = pytest.importorskip("openpyxl")  # reads what LibreOffice wrote; not our code
    soffice = _soffice()
    st_, _docs, anns, _links = filled
    source = tmp_path / "passages.csv"
    exchange.export(st_, "csv", source)
    # Headless conversion has no import dialog, so the options the dialog would show are given:
    # comma (44), double quote (34), UTF-8 (76), from line 1.
    subprocess.run(
        [soffice, "--headless", "--infilter=Text - txt - csv (StarCalc):44,34,76,1", "--convert-to", "xlsx",
         "--outdir", str(tmp_path / "out"), str(source)],
        check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    sheet = openpyxl.load_workbook(tmp_path / "out" / "passages.xlsx").active
    rows = [[("" if c is None else str(c)) for c in r] for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "document"  # the byte-order mark is not part of the first cell
    assert rows[0] == list(csvfile.COLUMNS)
    quotes = {r[3] for r in rows[1:]}
    for a in anns:
        assert csvfile.escape_cell(a.quote) in quotes
