"""REFI-QDA .qdpx: export valid against the REFI XSD, round trip, tolerant import of real files' quirks, hostile zips."""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from desktop.core import anchoring, documents, errors, exchange, model, store
from desktop.core.exchange import qdpx

REPO = Path(__file__).resolve().parents[2]
QDA = "urn:QDA-XML:project:1.0"
TEXT_ONE = "Iran and Russia 🇮🇷 signed a treaty.\n\nThe treaty 😀 binds them for twenty years.\nSo say the sources."
TEXT_TWO = "A second article.\n\nIt recommends caution, and it cites a =SUM(A1) figure."


def _add(
    st_: store.Store, doc: model.Document, passage: str, tag: str, author: str, note: str = ""
) -> model.Annotation:
    start = doc.text.index(passage)
    made = anchoring.new_annotation(doc, start, start + len(passage), tag, author=author, note=note)
    assert made is not None
    st_.insert_annotation(made)
    return made


@pytest.fixture
def filled(tmp_path: Path) -> tuple[store.Store, list[model.Annotation], list[model.Link]]:
    st_ = store.Store.open(tmp_path / "mine.warrant", annotator="ana")
    one = st_.add_document(documents.from_text(TEXT_ONE, "one.txt"))
    two = st_.add_document(documents.from_text(TEXT_TWO, "two.txt"))
    st_.add_tag("rival view", label="Rival view", colour="#13c2c2")
    anns = [
        _add(st_, one, "Iran and Russia 🇮🇷 signed a treaty.", "claim", "ana", note="Check the date.\nSecond line."),
        _add(st_, one, "The treaty 😀 binds them for twenty years.", "evidence", "bob"),
        _add(st_, one, "So say the sources.", "rival view", "ana & <bob>"),
        _add(st_, two, "It recommends caution", "recommendation", "bob", note="<b>not markup</b>"),
        _add(st_, two, "=SUM(A1) figure", "evidence", "ana"),
    ]
    links = [
        model.Link(model.new_id(), anns[1].id, anns[0].id, "supports", "bob", model.now_utc()),
        model.Link(model.new_id(), anns[2].id, anns[0].id, "contradicts", "ana", model.now_utc()),
        model.Link(model.new_id(), anns[4].id, anns[3].id, "based-on", "ana", model.now_utc()),
    ]
    for link in links:
        st_.insert_link(link)
    yield st_, anns, links
    st_.close()


def _schema(testdata: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(testdata / "refi-qda" / "Project-mrt2019.xsd")))


def test_export_validates_against_the_refi_xsd_and_offsets_line_up(filled, testdata: Path) -> None:  # type: ignore[no-untyped-def]
    st_, anns, links = filled
    data = exchange.render(st_, "qdpx")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        qde = z.read("project.qde")
        root = etree.fromstring(qde)
        schema = _schema(testdata)
        assert schema.validate(root.getroottree()), schema.error_log
        sources = {s.get("guid"): s for s in root.iter(f"{{{QDA}}}TextSource")}
        assert len(sources) == 2
        by_guid = {}
        for guid, source in sources.items():
            text = z.read(f"sources/{guid}.txt").decode("utf-8")
            assert source.get("plainTextPath") == f"internal://{guid}.txt"
            for sel in source.iter(f"{{{QDA}}}PlainTextSelection"):
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
                assert text[start:end] == sel.get("name")  # code points, end exclusive
                by_guid[sel.get("guid")] = sel
    for a in anns:
        assert by_guid[a.id].get("name") == a.quote
    doc = st_.documents()[0]
    assert qdpx.document_guid(doc.fingerprint) in sources
    import uuid

    assert qdpx.document_guid(doc.fingerprint) == str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:sha256:{doc.fingerprint}"))
    codes = {c.get("name"): c for c in root.iter(f"{{{QDA}}}Code")}
    assert codes["rival view"].get("color") == "#13c2c2"
    assert codes["rival view"].findtext(f"{{{QDA}}}Description") == "Rival view"
    users = {u.get("name") for u in root.iter(f"{{{QDA}}}User")}
    assert users == {"ana", "bob", "ana & <bob>"}
    qlinks = list(root.iter(f"{{{QDA}}}Link"))
    assert {(k.get("originGUID"), k.get("targetGUID"), k.get("name")) for k in qlinks} == {
        (k.source, k.target, k.relation) for k in links
    }
    assert len(list(root.iter(f"{{{QDA}}}Graph"))) == 2
    assert len(list(root.iter(f"{{{QDA}}}Edge"))) == 3


def test_the_shared_validator_accepts_the_export(filled, tmp_path: Path, testdata: Path) -> None:  # type: ignore[no-untyped-def]
    st_, _anns, _links = filled
    out = tmp_path / "out.qdpx"
    exchange.export(st_, "qdpx", out)
    done = subprocess.run(
        [sys.executable, str(testdata / "tools" / "validate_qde.py"), str(out)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("VALID")


def test_round_trip_is_equal(filled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    st_, anns, links = filled
    out = tmp_path / "out.qdpx"
    exchange.export(st_, "qdpx", out)
    with store.Store.open(tmp_path / "back.warrant", annotator="zoe") as back:
        report = qdpx.import_file(back, out)
        assert report.imported == 5 and report.links_imported == 3 and not report.unplaced
        assert [d.fingerprint for d in back.documents()] == [d.fingerprint for d in st_.documents()]
        assert [d.title for d in back.documents()] == [d.title for d in st_.documents()]

        def passage(a: model.Annotation) -> tuple[object, ...]:
            return (
                a.id,
                a.document,
                a.tag,
                a.start,
                a.end,
                a.quote,
                a.prefix,
                a.suffix,
                a.note,
                a.author,
                a.created,
                a.modified,
            )

        assert sorted(map(passage, back.annotations())) == sorted(map(passage, st_.annotations()))
        assert sorted(back.links(), key=lambda k: k.id) == sorted(st_.links(), key=lambda k: k.id)
        assert [(t.name, t.label, t.colour) for t in back.tags()] == [(t.name, t.label, t.colour) for t in st_.tags()]
        again = qdpx.import_file(back, out)
        assert again.imported == 0 and again.skipped_duplicates == 5


# -- projects written elsewhere ---------------------------------------------------------------------


def _project(body: str, *, origin: str = "NVivo 14") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{QDA}" name="Elsewhere" origin="{origin}">{body}</Project>'
    ).encode()


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return path


G = {i: f"{i:08d}-aaaa-4bbb-8ccc-{i:012d}" for i in range(1, 40)}
USERS = (
    f'<Users><User guid="{G[1].upper()}" name="Nadia"/><User guid="{{{G[2]}}}" name="Omid"/></Users>'
    f"<CodeBook><Codes>"
    f'<Code guid="{G[3].upper()}" name="Economy" isCodable="false" color="#F00">'
    f'<Description>Money matters</Description><Code guid="{G[4]}" name="Oil" isCodable="true" color="#00ff00"/></Code>'
    f'<Code guid="{{{G[5].upper()}}}" name="claim" isCodable="true"/>'
    f"</Codes></CodeBook>"
)


def _selection(guid: str, start: int, end: int, name: str | None, codes: list[tuple[str, str]]) -> str:
    named = f' name="{name}"' if name is not None else ""
    codings = "".join(
        f'<Coding guid="{G[30 + i]}" creatingUser="{user}"><CodeRef targetGUID="{code}"/></Coding>'
        for i, (code, user) in enumerate(codes)
    )
    return f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{end}"{named}>{codings}</PlainTextSelection>'


def test_quirks_of_real_files(tmp_path: Path) -> None:
    # UTF-16 offsets (NVivo): the emoji count two; CRLF counted as two (ATLAS.ti, MAXQDA), the text itself in CRLF.
    emoji_text = "Flags 🇮🇷 first. Oil prices rose sharply."
    crlf_text = "Line one.\r\nLine two is about oil.\r\nLine three."
    oil = emoji_text.index("Oil prices")
    u16 = oil + 2  # two astral characters before it
    crlf_start = crlf_text.index("Line two")  # counted in the CRLF text
    crlf_end = crlf_text.index("oil.") + 4
    body = USERS + (
        "<Sources>"
        f'<TextSource guid="{G[10].upper()}" name="nvivo.txt" plainTextPath="internal://{G[11].upper()}.txt">'
        + _selection(G[12].upper(), u16, u16 + len("Oil prices rose"), "Oil prices rose", [(G[4].upper(), G[1])])
        + _selection(f"{{{G[13]}}}", 0, 5, None, [(G[5], G[2])])
        + "</TextSource>"
        f'<TextSource guid="{G[14]}" name="atlas.txt" plainTextPath="internal://{G[15]}.txt">'
        + _selection(
            G[16],
            crlf_start,
            crlf_end,
            "Line two is about\u2026",
            [(G[4], f"{{{G[1].upper()}}}"), (G[5], G[2])],
        )
        + "</TextSource></Sources>"
    )
    path = _zip(
        tmp_path / "their.qdpx",
        {
            "My Study.qde": _project(body),
            f"Sources/{G[11].upper()}.txt": emoji_text.encode("utf-8"),
            f"Sources/{G[15]}.txt": b"\xef\xbb\xbf" + crlf_text.encode("utf-8"),
        },
    )
    with store.Store.open(tmp_path / "into.warrant", annotator="me") as st_:
        report = qdpx.import_file(st_, path)
        got = {(a.quote, a.tag, a.author) for a in st_.annotations()}
        assert ("Oil prices rose", "Economy / Oil", "Nadia") in got
        assert ("Flags", "claim", "Omid") in got  # no name: read as the source's usual reading would
        assert ("Line two is about oil.", "Economy / Oil", "Nadia") in got
        assert ("Line two is about oil.", "claim", "Omid") in got  # two codings, two passages
        assert report.imported == 4 and not report.unplaced
        text = "\n".join(report.lines())
        assert "UTF-16 code units: 1" in text
        assert "line breaks as two: 1" in text
        assert "2 codings" in text
        assert "2 coders" in text
        tags = {t.name: t for t in st_.tags()}
        assert tags["Economy / Oil"].colour == "#00ff00"
        assert "Economy" not in tags  # only tags that passages use
        ids = {a.id for a in st_.annotations()}
        assert G[12] in ids and G[13] in ids and G[16] in ids  # GUIDs normalised: lower case, no braces


def test_rich_text_only_source_is_read_by_the_document_loaders(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")  # python-docx makes the test file; not our code
    made = docx.Document()
    made.add_paragraph("Rich text only. Oil prices rose sharply.")
    buffer = io.BytesIO()
    made.save(buffer)
    body = USERS + (
        f'<Sources><TextSource guid="{G[20]}" name="rich.docx" richTextPath="internal://{G[21]}.docx">'
        + _selection(G[22], 16, 31, "Oil prices rose", [(G[4], G[1])])
        + "</TextSource></Sources>"
    )
    path = _zip(tmp_path / "rich.qdpx", {"project.qde": _project(body), f"sources/{G[21]}.docx": buffer.getvalue()})
    with store.Store.open(tmp_path / "into.warrant") as st_:
        report = qdpx.import_file(st_, path)
        if ".docx" in getattr(documents, "SUFFIXES", ()):  # the docx loader is there: the passage is placed
            assert [a.quote for a in st_.annotations()] == ["Oil prices rose"]
        else:  # not yet: the report says which passage and why, and nothing is half-imported
            assert report.imported == 0
            assert report.unplaced and "rich text" in report.unplaced[0][2] and G[21] in report.unplaced[0][2]


def test_rtf_only_source_is_read(tmp_path: Path) -> None:
    rtf = rb"{\rtf1\ansi{\fonttbl\f0\fswiss Helvetica;}\f0\pard R\'e9sum\'e9 first. Oil prices rose sharply.\par}"
    body = USERS + (
        f'<Sources><TextSource guid="{G[20]}" name="rich.rtf" richTextPath="internal://{G[21]}.rtf">'
        + _selection(G[22], 15, 30, "Oil prices rose", [(G[4], G[1])])
        + "</TextSource></Sources>"
    )
    path = _zip(tmp_path / "rtf.qdpx", {"project.qde": _project(body), f"sources/{G[21]}.rtf": rtf})
    with store.Store.open(tmp_path / "into.warrant") as st_:
        report = qdpx.import_file(st_, path)
        assert [a.quote for a in st_.annotations()] == ["Oil prices rose"], report.lines()
        assert st_.documents()[0].text.startswith("Résumé first.")
        assert any("rich text" in n for n in report.notes)


def test_document_option_supplies_a_missing_text(tmp_path: Path) -> None:
    text = "Given on the command line. Oil prices rose."
    body = USERS + (
        f'<Sources><TextSource guid="{G[20]}" name="given.txt" plainTextPath="internal://{G[21]}.txt">'
        + _selection(G[22], text.index("Oil"), text.index("Oil") + 10, "Oil prices", [(G[4], G[1])])
        + "</TextSource></Sources>"
    )
    path = _zip(tmp_path / "nosrc.qdpx", {"project.qde": _project(body)})
    article = tmp_path / "given.txt"
    article.write_text(text, encoding="utf-8")
    with store.Store.open(tmp_path / "into.warrant") as st_:
        assert qdpx.import_file(st_, path).unplaced
        report = qdpx.import_file(st_, path, document=article)
        assert [a.quote for a in st_.annotations()] == ["Oil prices"]
        assert any("given on import" in n for n in report.notes)


def test_sky_loom_atlas_ti_sample_imports_and_says_what_cannot_be_placed(testdata: Path, tmp_path: Path) -> None:
    with store.Store.open(tmp_path / "into.warrant") as st_:
        report = qdpx.import_file(st_, testdata / "refi-qda" / "sky-loom" / "TestProject.qdpx")
        assert report.imported == 0
        assert len(report.unplaced) == 8  # every text selection: Sources/ is empty
        assert all("is not in the project file" in why for _, _, why in report.unplaced)
        assert any("sources folder is empty" in n for n in report.notes)
        assert "Oh, that was great. See you tomorrow? Eleven thirty. Mm." in {q for _, q, _ in report.unplaced}
        assert st_.annotation_count() == 0 and st_.document_count() == 0


def test_bad_project_is_rejected_and_nothing_written(testdata: Path, tmp_path: Path) -> None:
    with store.Store.open(tmp_path / "into.warrant") as st_:
        before = st_.tags()
        with pytest.raises(errors.ExchangeError, match="no valid guid"):
            qdpx.import_file(st_, testdata / "refi-qda" / "sky-loom" / "BAD-code-missing-guid.qde")
        assert st_.tags() == before


def test_ornio_project_imports_with_overlapping_selections(testdata: Path, tmp_path: Path) -> None:
    folder = testdata / "refi-qda" / "ornio-qdpx-toolkit"
    packed = _zip(
        tmp_path / "ornio.qdpx",
        {"project.qde": (folder / "project.qde").read_bytes()}
        | {f"sources/{p.name}": p.read_bytes() for p in (folder / "sources").iterdir()},
    )
    with store.Store.open(tmp_path / "into.warrant") as st_:
        report = qdpx.import_file(st_, packed)
        anns = sorted(st_.annotations(), key=lambda a: a.start)
        assert [(a.start, a.quote, a.tag, a.author) for a in anns][0] == (
            0,
            "Diet and health",
            "Topics / Health",
            "Researcher A",
        )
        assert anns[1].start == 9 and anns[1].start < anns[0].end  # overlapping selections both kept
        assert anns[1].tag == "Topics / Health / Diet"
        assert "follow up on diet" in anns[0].note  # the memo linked to the selection
        assert report.imported == 2
    with store.Store.open(tmp_path / "folder.warrant") as st_:
        assert qdpx.import_file(st_, folder).imported == 2  # the unzipped folder too


# -- hostile files -------------------------------------------------------------------------------


def test_xxe_and_doctype_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY x SYSTEM "file://{secret}">]>'
        f'<Project xmlns="{QDA}" name="&x;"/>'
    ).encode()
    path = _zip(tmp_path / "xxe.qdpx", {"project.qde": xxe})
    with store.Store.open(tmp_path / "into.warrant") as st_, pytest.raises(errors.ExchangeError, match="DOCTYPE"):
        qdpx.import_file(st_, path)
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE P [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f'<Project xmlns="{QDA}" name="&b;"/>'
    ).encode()
    path = _zip(tmp_path / "laughs.qdpx", {"project.qde": laughs})
    with store.Store.open(tmp_path / "into2.warrant") as st_, pytest.raises(errors.ExchangeError):
        qdpx.import_file(st_, path)


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    body = USERS + (
        f'<Sources><TextSource guid="{G[20]}" name="bomb.txt" plainTextPath="internal://{G[21]}.txt">'
        + _selection(G[22], 0, 3, "aaa", [(G[4], G[1])])
        + "</TextSource></Sources>"
    )
    path = _zip(
        tmp_path / "bomb.qdpx", {"project.qde": _project(body), f"sources/{G[21]}.txt": b"a" * (20 * 1024 * 1024)}
    )
    with store.Store.open(tmp_path / "into.warrant") as st_, pytest.raises(errors.ExchangeError, match="refused"):
        qdpx.import_file(st_, path)


def test_path_traversal_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("Oil prices rose outside the project.")
    body = USERS + (
        f'<Sources><TextSource guid="{G[20]}" name="t.txt" plainTextPath="internal://../outside.txt">'
        + _selection(G[22], 0, 10, "Oil prices", [(G[4], G[1])])
        + "</TextSource>"
        f'<TextSource guid="{G[23]}" name="abs.txt" plainTextPath="absolute://{outside}">'
        + _selection(G[24], 0, 10, "Oil prices", [(G[4], G[1])])
        + "</TextSource></Sources>"
    )
    folder = tmp_path / "proj"
    (folder / "sources").mkdir(parents=True)
    (folder / "project.qde").write_bytes(_project(body))
    zipped = _zip(tmp_path / "trav.qdpx", {"project.qde": _project(body), "../outside.txt": b"Oil prices rose"})
    for path in (folder, zipped):
        with store.Store.open(tmp_path / f"{path.name}.warrant") as st_:
            report = qdpx.import_file(st_, path)
            assert report.imported == 0 and len(report.unplaced) == 2
            reasons = " ".join(why for _, _, why in report.unplaced)
            assert "refused" in reasons and "never reads it" in reasons


def test_not_a_project(tmp_path: Path) -> None:
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"not a zip")
    with store.Store.open(tmp_path / "into.warrant") as st_:
        with pytest.raises(errors.ExchangeError, match="not a zip"):
            qdpx.import_file(st_, bad)
        with pytest.raises(errors.ExchangeError, match="no .qde"):
            qdpx.import_file(st_, _zip(tmp_path / "empty.qdpx", {"readme.txt": b"hi"}))


def test_offset_readings_map_correctly() -> None:
    text = "a😀b\nc\nd"
    readings = qdpx.Readings(text)
    got = {label: (s, e) for label, s, e in readings.candidates(4, 7)}
    assert text[slice(*got["code points"])] == "c\nd"
    assert text[slice(*got["UTF-16 code units"])] == "\nc\n"  # the emoji counts two
    # the CRLF-expanded text "ab\r\nc\r\nd": offsets 1..5 cover "b\r\nc"
    plain = "ab\nc\nd"
    crlf = {label: (s, e) for label, s, e in qdpx.Readings(plain).candidates(1, 5)}
    assert plain[slice(*crlf["line breaks as two"])] == "b\nc"
    assert qdpx.Readings(plain).candidates(3, 5)[-1][0] == "code points"  # 3 falls between CR and LF


# -- the command line ----------------------------------------------------------------------------


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_cli_export_and_import(filled, tmp_path: Path, testdata: Path) -> None:  # type: ignore[no-untyped-def]
    st_, _anns, _links = filled
    st_.close()
    mine = tmp_path / "mine.warrant"
    for fmt, suffix in (("qdpx", ".qdpx"), ("qdc", ".qdc"), ("xlsx", ".xlsx")):
        done = _run("export", mine, "--format", fmt, "-o", tmp_path / f"out{suffix}")
        assert done.returncode == 0, done.stderr
        assert (tmp_path / f"out{suffix}").stat().st_size > 0
    done = _run("import", tmp_path / "out.qdpx", "--into", tmp_path / "back.warrant")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("imported 5, already present 0, not placed 0, links 3")
    done = _run("import", testdata / "refi-qda" / "sky-loom" / "TestProject.qdpx", "--into", tmp_path / "sky.warrant")
    assert done.returncode == 2 and "nothing imported" in done.stderr  # a new file with nothing placed: refused
    assert not (tmp_path / "sky.warrant").exists()
    bad = _run(
        "import", testdata / "refi-qda" / "sky-loom" / "BAD-code-missing-guid.qde", "--into", tmp_path / "x.warrant"
    )
    assert bad.returncode == 2 and bad.stderr.startswith("warrant: ") and bad.stderr.count("\n") == 1
    assert "Traceback" not in bad.stderr
    assert not (tmp_path / "x.warrant").exists()  # the file made for the failed import is gone
    brat = _run("export", mine, "--format", "brat", "-o", "-")
    assert brat.returncode == 2 and "give -o NAME.ann" in brat.stderr
    fingerprint = documents.fingerprint(TEXT_ONE)[:16]
    one = _run("export", mine, "--format", "brat", "--document", fingerprint, "-o", tmp_path / "one.ann")
    assert one.returncode == 0, one.stderr
    assert (tmp_path / "one.txt").read_text(encoding="utf-8") == TEXT_ONE
    back = _run("import", tmp_path / "one.ann", "--into", tmp_path / "brat.warrant")
    assert back.returncode == 0 and back.stdout.startswith("imported 3,"), back.stdout + back.stderr


def test_names_cut_without_ellipsis_paths_left_out_and_the_project_creator(tmp_path: Path) -> None:
    text = "Intro. The central bank raised interest rates again this spring, twice."
    start = text.index("The central")
    body = (
        f'<Users><User guid="{G[1]}" name="Creator"/></Users>'
        f'<CodeBook><Codes><Code guid="{G[4]}" name="Rates" isCodable="true"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="{G[20]}" name="nopath.txt">'  # no plainTextPath: sources/<guid>.txt
        + _selection(G[22], start, start + 55, "The central bank raised interest", [(G[4], "")]).replace(
            ' creatingUser=""', ""
        )
        + "</TextSource></Sources>"
    )
    project = _project(body).replace(b'name="Elsewhere"', f'name="E" creatingUserGUID="{G[1]}"'.encode())
    path = _zip(tmp_path / "cut.qdpx", {"project.qde": project, f"sources/{G[20]}.txt": text.encode()})
    with store.Store.open(tmp_path / "into.warrant") as st_:
        report = qdpx.import_file(st_, path)
        assert [(a.quote, a.author) for a in st_.annotations()] == [(text[start : start + 55], "Creator")]
        assert any("code points: 1" in n for n in report.notes)


@settings(max_examples=25, deadline=None)
@given(
    # No NUL: no loader gives a canonical text one (a text with NUL is refused as binary).
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=40),
    st.integers(0, 39),
    st.integers(1, 40),
)
def test_any_text_round_trips(body: str, start: int, length: int) -> None:
    """Control characters, astral characters, markup: the passage comes back at the same code points."""
    text = documents.normalise_newlines("x" + body + "y")
    start = min(start, len(text) - 1)
    end = min(len(text), start + length)
    source = store.Store.memory(annotator="ana")
    doc = source.add_document(model.Document(documents.fingerprint(text), "T", "t.txt", text))
    sel = anchoring.select(text, start, end)
    made = model.Annotation(model.new_id(), doc.fingerprint, "claim", start, end, sel.exact, sel.prefix, sel.suffix,
                            note=body, author=body[:5], created=model.now_utc(), modified=model.now_utc())  # fmt: skip
    source.insert_annotation(made)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "p.qdpx"
        exchange.export(source, "qdpx", out)
        back = store.Store.memory(annotator="zoe")
        report = qdpx.import_file(back, out)
        assert report.imported == 1, report.lines()
        (got,) = back.annotations()
        assert (got.start, got.end, got.quote, got.document) == (start, end, sel.exact, doc.fingerprint)
