"""The page map end to end: ``warrant text --pages``, the annotation file, CSV, W3C; and the command
line's refusals of bad articles (one ``warrant:`` line, exit 2, no traceback)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.core import anchoring, documents, errors, exchange, store
from desktop.core.exchange import csvfile, w3c

sys.path.insert(0, str(Path(__file__).resolve().parent))
import document_samples

REPO = Path(__file__).resolve().parents[2]


def run(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "main.py", *map(str, args)], cwd=REPO, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pages") / "report.pdf"
    document_samples.make_pdf(path, 4)
    return path


def test_text_command_prints_the_canonical_text_in_utf8(report: Path) -> None:
    result = run("text", report)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("utf-8") == documents.load(report).text
    assert result.stderr == b""


def test_text_command_pages(report: Path) -> None:
    doc = documents.load(report)
    out = run("text", report, "--pages").stdout.decode("utf-8")
    text, pages = out.split("\n\f\n")
    assert text == doc.text
    rows = [line.split("\t") for line in pages.splitlines()]
    assert [int(r[1]) for r in rows] == list(doc.page_starts)
    assert [r[0] for r in rows] == [f"page {n}" for n in range(1, 5)]
    assert int(rows[-1][2]) == len(doc.text)


def test_text_command_imports_no_qt(report: Path) -> None:
    code = (
        "import sys; from desktop import cli; rc = cli.main(['text', sys.argv[1]]); "
        "assert 'PySide6' not in sys.modules, 'Qt imported'; raise SystemExit(rc)"
    )
    result = subprocess.run([sys.executable, "-c", code, str(report)], cwd=REPO, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode()


def test_text_command_persian_and_other_encodings(testdata: Path, tmp_path: Path) -> None:
    source = testdata / "texts" / "udhr" / "udhr_pes_1.txt"
    assert run("text", source).stdout.decode("utf-8") == documents.load(source).text
    koi = tmp_path / "rus.txt"
    text = documents.load(testdata / "texts" / "udhr" / "udhr_rus.txt").text
    koi.write_bytes(text.encode("koi8-r"))
    assert run("text", koi, "--encoding", "koi8-r").stdout.decode("utf-8") == text


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        ("fifo", "FIFO (named pipe), not a file"),
        ("missing", "does not exist"),
        ("corrupt-pdf", "damaged"),
        ("encrypted", "--password"),
        ("bomb-docx", "zip bomb"),
        ("binary", "binary"),
    ],
)
def test_text_command_refusals_are_one_line(tmp_path: Path, make: str, expected: str) -> None:
    import os
    import zipfile

    path = tmp_path / "article"
    if make == "fifo":
        os.mkfifo(path)
    elif make == "corrupt-pdf":
        path = path.with_suffix(".pdf")
        path.write_bytes(b"%PDF-1.7\ngarbage")
    elif make == "encrypted":
        path = path.with_suffix(".pdf")
        document_samples.make_pdf(path, 1, encrypt="pw")
    elif make == "bomb-docx":
        path = path.with_suffix(".docx")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            info = zipfile.ZipInfo("word/document.xml")
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w", force_zip64=True) as out:
                for _ in range(600):
                    out.write(b"\0" * (1 << 20))
    elif make == "binary":
        path.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(256)))
    result = run("text", path)
    err = result.stderr.decode()
    assert result.returncode == 2 and result.stdout == b""
    assert err.startswith("warrant: ") and err.count("\n") == 1 and "Traceback" not in err
    assert expected in err


def test_encrypted_pdf_with_password_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "secret.pdf"
    document_samples.make_pdf(path, 1, encrypt="pw")
    result = run("text", path, "--password", "pw")
    assert result.returncode == 0 and "Paragraph 1.1" in result.stdout.decode()


# -- the annotation file, CSV and W3C ------------------------------------------------------------


def test_page_map_is_saved_in_the_annotation_file(report: Path, tmp_path: Path) -> None:
    loaded = documents.load(report)
    path = tmp_path / "a.warrant"
    with store.Store.open(path, annotator="ana") as st:
        stored = st.add_document(loaded)
        assert stored.page_starts == loaded.page_starts
    conn = sqlite3.connect(path)
    try:  # what is on disk, read independently
        (raw,) = conn.execute("SELECT page_starts FROM documents").fetchone()
    finally:
        conn.close()
    assert tuple(int(n) for n in raw.split()) == loaded.page_starts
    with store.Store.open(path) as st:
        assert st.document(loaded.fingerprint).page_starts == loaded.page_starts  # type: ignore[union-attr]
        assert st.documents()[0].page_starts == loaded.page_starts
        txt = st.add_document(documents.from_text("A plain article without pages."))
        assert txt.page_starts == () and st.document(txt.fingerprint).page_starts == ()  # type: ignore[union-attr]


def test_damaged_page_map_is_refused(report: Path, tmp_path: Path) -> None:
    path = tmp_path / "a.warrant"
    with store.Store.open(path, annotator="ana") as st:
        st.add_document(documents.load(report))
    conn = sqlite3.connect(path)
    conn.execute("UPDATE documents SET page_starts = '0 500 100'")
    conn.commit()
    conn.close()
    with store.Store.open(path) as st, pytest.raises(errors.StoreError, match="page map"):
        st.documents()


def _annotated(report: Path, tmp_path: Path) -> tuple[store.Store, list[tuple[str, int]]]:
    st = store.Store.memory()
    doc = st.add_document(documents.load(report))
    expected = []
    for page in (1, 3, 4):
        phrase = f"Paragraph {page}."
        start = doc.text.index(phrase)
        made = anchoring.new_annotation(doc, start, start + 20, "claim", author="ana")
        assert made is not None
        st.insert_annotation(made)
        expected.append((made.id, page))
    return st, expected


def test_csv_has_the_page_of_each_passage(report: Path, tmp_path: Path) -> None:
    st, expected = _annotated(report, tmp_path)
    data = exchange.render_selection(exchange.select(st), "csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert "page" in csvfile.COLUMNS
    assert {row["id"]: int(row["page"]) for row in rows} == dict(expected)
    plain = store.Store.memory()
    doc = plain.add_document(documents.from_text("A plain article with a claim in it."))
    plain.insert_annotation(anchoring.new_annotation(doc, 2, 7, "claim", author="ana"))  # type: ignore[arg-type]
    rows = list(
        csv.DictReader(io.StringIO(exchange.render_selection(exchange.select(plain), "csv").decode("utf-8-sig")))
    )
    assert rows[0]["page"] == ""


def test_w3c_names_the_page_as_an_rfc3778_fragment(report: Path, tmp_path: Path, testdata: Path) -> None:
    st, expected = _annotated(report, tmp_path)
    data = json.loads(exchange.render_selection(exchange.select(st), "w3c"))
    items = data["first"]["items"] if "first" in data else data["items"]
    pages = {}
    for item in items:
        fragments = [s for s in item["target"]["selector"] if s["type"] == "FragmentSelector"]
        assert len(fragments) == 1 and fragments[0]["conformsTo"] == w3c.RFC3778
        pages[item["id"].removeprefix("urn:uuid:")] = int(fragments[0]["value"].removeprefix("page="))
    assert pages == dict(expected)
    # still valid for the W3C suite, and read back by our own importer
    validator = testdata / "tools" / "validate_w3c_anno.py"
    single = tmp_path / "one.json"
    single.write_text(json.dumps(items[0]), encoding="utf-8")
    result = subprocess.run([sys.executable, str(validator), str(single)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    parsed = w3c.read(json.dumps(items).encode())
    assert len(parsed.annotations) == 3 if hasattr(parsed, "annotations") else True


def test_import_document_pdf_uses_the_text_command_text(report: Path, tmp_path: Path) -> None:
    text = run("text", report).stdout.decode("utf-8")
    phrase = "Paragraph 3."
    anno = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "urn:uuid:6a8f1c2e-0000-4000-8000-000000000001",
        "type": "Annotation",
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": "claim"}],
        "target": {"source": "urn:x", "selector": {"type": "TextQuoteSelector", "exact": phrase}},
    }
    source = tmp_path / "in.json"
    source.write_text(json.dumps(anno), encoding="utf-8")
    into = tmp_path / "a.warrant"
    result = run("import", source, "--into", into, "--document", report, "--annotator", "ana")
    assert result.returncode == 0, result.stderr
    with store.Store.open(into) as st:
        (doc,) = st.documents()
        assert doc.text == text and doc.page_starts == documents.load(report).page_starts
        (ann,) = st.annotations(doc.fingerprint)
        assert ann.start == text.index(phrase) and doc.page_at(ann.start) == 3
