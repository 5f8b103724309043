"""brat standoff: export checked by the shared brat checker, import of brat's own tutorial files, round trip."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop.core import anchoring, documents, errors, exchange, model, store
from desktop.core.exchange import brat

TEXT = "Iran and Russia 😀 signed\na treaty.\n\nThe treaty binds\tthem for twenty years.\nSo say the sources."


@pytest.fixture
def filled() -> tuple[store.Store, list[model.Annotation], list[model.Link]]:
    st_ = store.Store.memory(annotator="ana")
    doc = st_.add_document(documents.from_text(TEXT, "t.txt"))
    st_.add_tag("rival view", label="Rival view")
    anns = []
    for passage, tag, note in (
        ("Iran and Russia 😀 signed\na treaty.", "claim", "two\nlines\tand a tab"),
        ("The treaty binds\tthem for twenty years.", "evidence", ""),
        ("So say the sources.", "rival view", "plain note"),
    ):
        start = doc.text.index(passage)
        made = anchoring.new_annotation(doc, start, start + len(passage), tag, author="ana", note=note)
        assert made is not None
        anns.append(made)
    links = [
        model.Link(model.new_id(), anns[1].id, anns[0].id, "supports", "ana", model.now_utc()),
        model.Link(model.new_id(), anns[2].id, anns[0].id, "contradicts", "ana", model.now_utc()),
    ]
    st_.insert_annotations(anns, links)
    return st_, anns, links


def test_export_passes_the_shared_brat_checker(filled, tmp_path: Path, testdata: Path) -> None:  # type: ignore[no-untyped-def]
    st_, anns, _links = filled
    ann, txt = brat.write(exchange.select(st_), tmp_path / "out.ann")
    assert txt.read_text(encoding="utf-8") == TEXT
    lines = ann.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "T1\tclaim 0 24;25 34\tIran and Russia 😀 signed a treaty."  # split at the line break
    assert lines[2].startswith("T3\trival_view ")
    relations = {line.split("\t", 1)[1] for line in lines if line.startswith("R")}
    assert relations == {"supports Arg1:T2 Arg2:T1", "contradicts Arg1:T3 Arg2:T1"}
    assert "#1\tAnnotatorNotes T1\ttwo lines and a tab" in lines
    done = subprocess.run(
        [sys.executable, str(testdata / "tools" / "check_brat.py"), str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout
    assert "1 passed, 0 failed" in done.stdout


def test_round_trip(filled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    st_, anns, _links = filled
    ann, _txt = brat.write(exchange.select(st_), tmp_path / "out.ann")
    with store.Store.open(tmp_path / "back.warrant", annotator="zoe") as back:
        report = brat.import_file(back, ann)
        assert report.imported == 3 and report.links_imported == 2 and not report.unplaced
        got = sorted((a.start, a.end, a.quote, a.tag) for a in back.annotations())
        want = sorted((a.start, a.end, a.quote, "rival_view" if a.tag == "rival view" else a.tag) for a in anns)
        assert got == want  # a passage split at line breaks comes back whole
        notes = {a.quote: a.note for a in back.annotations()}
        assert notes["So say the sources."] == "plain note"
        assert {a.author for a in back.annotations()} == {"zoe"}
        assert brat.import_file(back, ann).imported == 0  # the same ids: nothing added twice


def test_more_than_one_document_is_refused(filled) -> None:  # type: ignore[no-untyped-def]
    st_, _anns, _links = filled
    other = st_.add_document(documents.from_text("Another text with words.", "b.txt"))
    made = anchoring.new_annotation(other, 0, 7, "claim", author="ana")
    assert made is not None
    st_.insert_annotation(made)
    with pytest.raises(errors.ExchangeError, match="one document"):
        exchange.render(st_, "brat")
    assert exchange.render(st_, "brat", document=other.fingerprint) == b"T1\tclaim 0 7\tAnother\n"


def test_brat_tutorial_files_import(testdata: Path, tmp_path: Path) -> None:
    folder = testdata / "brat" / "tutorials-news"
    total_t = 0
    for ann in sorted(folder.glob("*.ann")):
        t_lines = [line for line in ann.read_text(encoding="utf-8").splitlines() if line.startswith("T")]
        total_t += len(t_lines)
        with store.Store.open(tmp_path / f"{ann.stem}.warrant", annotator="me") as st_:
            report = brat.import_file(st_, ann)
            assert not report.unplaced, (ann.name, report.unplaced)
            text = st_.documents()[0].text if st_.document_count() else ""
            for a in st_.annotations():
                assert text[a.start : a.end] == a.quote
            # every T line became at least one passage at its offsets
            starts = {a.start for a in st_.annotations()}
            for line in t_lines:
                assert int(line.split("\t")[1].split(" ")[1]) in starts
    assert total_t > 50


def test_discontinuous_span_with_words_between_is_split(tmp_path: Path) -> None:
    (tmp_path / "d.txt").write_text("alpha beta gamma delta", encoding="utf-8")
    (tmp_path / "d.ann").write_text("T1\tThing 0 5;11 16\talpha gamma\nE1\tEv:T1\n", encoding="utf-8")
    with store.Store.open(tmp_path / "d.warrant") as st_:
        report = brat.import_file(st_, tmp_path / "d.ann")
        assert sorted(a.quote for a in st_.annotations()) == ["alpha", "gamma"]
        text = "\n".join(report.lines())
        assert "split into a passage per fragment" in text and "1 events not imported" in text


def test_crlf_text_and_bad_lines(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_bytes(b"one\r\ntwo three\r\n")
    (tmp_path / "c.ann").write_text("T1\tX 5 14\ttwo three\nT2\tX 0 3\tONE\n", encoding="utf-8")
    with store.Store.open(tmp_path / "c.warrant") as st_:
        report = brat.import_file(st_, tmp_path / "c.ann")
        assert [a.quote for a in st_.annotations()] == ["two three"]
        assert report.unplaced and report.unplaced[0][0] == "T2"
    (tmp_path / "bad.ann").write_text("T1\tX five six\tword\n", encoding="utf-8")
    (tmp_path / "bad.txt").write_text("word", encoding="utf-8")
    with store.Store.open(tmp_path / "b.warrant") as st_, pytest.raises(errors.ExchangeError, match="line 1"):
        brat.import_file(st_, tmp_path / "bad.ann")
