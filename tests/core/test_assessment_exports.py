"""Issue 17 in the exports: the grades and the ACH matrix as report sections (escaped), QDPX codes and notes
(valid against the REFI-QDA XSD, left out again by Warrant's own import), and an "ACH" sheet in the workbook."""

from __future__ import annotations

import html.parser
import io
import zipfile
from pathlib import Path

import markdown as markdown_lib
import pytest
from lxml import etree

from desktop.core import anchoring, assessment, documents, exchange, store
from desktop.core.exchange import qdpx

TEXT = (
    "The army moved north in spring.\n\n"
    "The army stayed in its barracks.\n\n"
    "Satellite images show tanks on the northern road.\n\n"
    "A farmer saw soldiers cooking in the barracks.\n"
)
HOSTILE = "<script>alert(1)</script> | *seen* [x](http://a)"


@pytest.fixture
def graded(tmp_path: Path) -> tuple[store.Store, dict[str, str]]:
    st = store.Store.open(tmp_path / "graded.warrant", annotator="ana")
    doc = st.add_document(documents.from_text(TEXT, "report.txt"))
    ids = {}
    made = []
    for key, phrase, tag in [
        ("h1", "The army moved north in spring.", "claim"),
        ("h2", "The army stayed in its barracks.", "claim"),
        ("e1", "Satellite images show tanks on the northern road.", "evidence"),
        ("e2", "A farmer saw soldiers cooking in the barracks.", "evidence"),
    ]:
        start = TEXT.index(phrase)
        a = anchoring.new_annotation(doc, start, start + len(phrase), tag, author="ana")
        assert a is not None
        made.append(a)
        ids[key] = a.id
    st.insert_annotations(made)
    assessment.set_reliability(st, doc.fingerprint, "B", HOSTILE)
    assessment.set_credibility(st, ids["e1"], 2, "two satellites")
    assessment.set_hypothesis(st, ids["h1"])
    assessment.set_hypothesis(st, ids["h2"])
    assessment.set_rating(st, ids["e1"], ids["h2"], "II")
    assessment.set_rating(st, ids["e1"], ids["h1"], "C")
    assessment.set_rating(st, ids["e2"], ids["h1"], "I")
    return st, ids


class _Cells(html.parser.HTMLParser):
    """The text of every table cell, and every element seen (the standard library's parser, not ours)."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.tags: set[str] = set()
        self._in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag in ("td", "th"):
            self._in = True
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._in = False

    def handle_data(self, data: str) -> None:
        if self._in:
            self.cells[-1] += data


@pytest.mark.parametrize("streamed", [False, True])
def test_html_report_has_the_sections_escaped(graded, tmp_path: Path, streamed: bool) -> None:  # type: ignore[no-untyped-def]
    st, ids = graded
    if streamed:
        exchange.export(st, "html", tmp_path / "r.html")
        page = (tmp_path / "r.html").read_text(encoding="utf-8")
    else:
        page = exchange.render(st, "html").decode("utf-8")
    parser = _Cells()
    parser.feed(page)
    assert "script" not in parser.tags and "a" not in parser.tags
    for title in ("Source reliability", "Information credibility", "Analysis of competing hypotheses"):
        assert f"<h3>{title}</h3>" in page
    assert HOSTILE in parser.cells  # the rationale, as text
    assert "B2" in parser.cells
    row = parser.cells.index("inconsistency")
    assert parser.cells[row + 4 : row + 6] == ["1", "2"]  # H1 (one I) ranked before H2 (one II)


@pytest.mark.parametrize("streamed", [False, True])
def test_markdown_report_has_the_sections_escaped(graded, tmp_path: Path, streamed: bool) -> None:  # type: ignore[no-untyped-def]
    st, ids = graded
    if streamed:
        exchange.export(st, "markdown", tmp_path / "r.md")
        text = (tmp_path / "r.md").read_text(encoding="utf-8")
    else:
        text = exchange.render(st, "markdown").decode("utf-8")
    assert "## Assessment" in text and "### Analysis of competing hypotheses" in text
    rendered = markdown_lib.markdown(text, extensions=["tables"])
    parser = _Cells()
    parser.feed(rendered)
    assert not parser.tags & {"script", "a", "em"}
    assert HOSTILE in parser.cells  # the table kept its columns: the pipe is escaped, nothing became markup
    assert "B2" in parser.cells and "Non-diagnostic" not in text  # both rows rate the hypotheses differently


def test_a_report_of_claims_only_has_no_evidence_rows(graded) -> None:  # type: ignore[no-untyped-def]
    st, ids = graded
    text = exchange.render(st, "markdown", tags=["claim"]).decode("utf-8")
    assert "two satellites" not in text  # the credibility of a passage not in the report
    assert "Satellite images" not in text


def test_qdpx_carries_codes_and_notes_valid_and_round_trips(graded, testdata: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    st, ids = graded
    data = exchange.render(st, "qdpx")
    qde = zipfile.ZipFile(io.BytesIO(data)).read("project.qde")
    schema = etree.XMLSchema(etree.parse(str(testdata / "refi-qda" / "Project-mrt2019.xsd")))
    root = etree.fromstring(qde)
    assert schema.validate(root), schema.error_log
    ns = {"q": qdpx.NS}
    parent = root.find(".//q:Code[@name='Warrant assessment']", ns)
    assert parent is not None and parent.get("isCodable") == "false"
    credibility = parent.find("q:Code[@name='Credibility']/q:Code[@name='2']", ns)
    assert credibility is not None
    e1 = root.find(f".//q:PlainTextSelection[@guid='{qdpx.as_guid(ids['e1'])}']", ns)
    refs = {r.get("targetGUID") for r in e1.iterfind("q:Coding/q:CodeRef", ns)}
    assert credibility.get("guid") in refs
    notes = [n.findtext("q:PlainTextContent", namespaces=ns) for n in root.iterfind(".//q:Note", ns)]
    assert any(n.startswith("Reliability B (usually reliable): <script>") for n in notes)
    assert any(n == "Credibility 2 (probably true): two satellites" for n in notes)
    # Warrant's own import leaves the assessment codings out: the same passages and tags come back.
    out = tmp_path / "graded.qdpx"
    out.write_bytes(data)
    back = store.Store.open(tmp_path / "back.warrant", annotator="bo")
    report = qdpx.import_file(back, out)
    assert report.imported == 4 and not report.unplaced
    assert sorted((a.tag, a.start, a.end, a.note) for a in back.annotations()) == sorted(
        (a.tag, a.start, a.end, a.note) for a in st.annotations()
    )
    assert {t.name for t in back.tags()} == {t.name for t in st.tags()}
    assert not any("no known code" in n for n in report.notes)


def test_xlsx_has_an_ach_sheet_only_with_a_matrix(graded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    openpyxl = pytest.importorskip("openpyxl")  # the independent reader; not our code
    st, ids = graded
    book = openpyxl.load_workbook(io.BytesIO(exchange.render(st, "xlsx")))
    assert book.sheetnames == ["Passages", "Tags", "ACH"]
    rows = [[c.value for c in r] for r in book["ACH"].iter_rows()]
    assert rows[0][:4] == ["evidence", "grade", "diagnosticity", "diagnostic"]
    assert rows[0][4].startswith("H1: The army moved north")
    assert rows[1][:2] == ["Satellite images show tanks on the northern road.", "B2"]
    assert rows[-2][4:6] == ["1", "2"]
    claims_only = openpyxl.load_workbook(io.BytesIO(exchange.render(st, "xlsx", tags=["claim"])))
    assert claims_only.sheetnames == ["Passages", "Tags"]


@pytest.mark.parametrize("fmt", ["w3c", "w3c-jsonl", "csv"])
def test_a_streamed_export_carries_the_grades_as_the_rendered_one_does(graded, tmp_path: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    # exchange.export (the command line's path) streams; it used to leave every grade and rating out.
    st, ids = graded
    path = tmp_path / f"out{exchange.extension(fmt)}"
    exchange.export(st, fmt, path)
    streamed = path.read_bytes()
    if fmt == "csv":
        import csv

        rows = list(csv.DictReader(io.StringIO(streamed.decode("utf-8-sig"))))
        row = next(r for r in rows if r["id"] == ids["e1"])
        assert (row["reliability"], row["credibility"]) == ("B", "2")
    else:
        assert b"credibility: 2" in streamed
    if fmt.startswith("w3c"):
        parsed = __import__("desktop.core.exchange.w3c", fromlist=["read_file"]).read_file(path)
        assert parsed.assessed.reliability and parsed.assessed.ratings and parsed.assessed.hypotheses
