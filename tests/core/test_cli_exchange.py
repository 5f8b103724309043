"""`python main.py export` and `python main.py import`, run as the user runs them (a subprocess)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.core import anchoring, documents, model, store

REPO = Path(__file__).resolve().parents[2]


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


@pytest.fixture
def annotated(tmp_path: Path, testdata: Path) -> tuple[Path, Path, list[model.Annotation]]:
    article = testdata / "texts" / "federalist" / "Federalist1.txt"
    path = tmp_path / "notes.warrant"
    with store.Store.open(path, annotator="ana") as st_:
        doc = st_.add_document(documents.load(article))
        anns = []
        for passage, tag, author in (
            ("unequivocal experience of the inefficiency", "claim", "ana"),
            ("new Constitution for the United States of America", "evidence", "bob"),
            ("safety and welfare of the parts", "recommendation", "ana"),
        ):
            start = " ".join(doc.text.split("\n")).index(passage)
            made = anchoring.new_annotation(doc, start, start + len(passage), tag, author=author, note=f"note on {tag}")
            assert made is not None
            anns.append(made)
        st_.insert_annotations(
            anns, [model.Link(model.new_id(), anns[1].id, anns[0].id, "supports", "bob", model.now_utc())]
        )
    return path, article, anns


def _files(path: Path) -> tuple[bytes, bytes]:
    """The annotation file's bytes and its write-ahead log's (empty when absent)."""
    wal = Path(f"{path}-wal")
    return path.read_bytes(), wal.read_bytes() if wal.exists() else b""


def test_export_writes_beside_the_file_and_never_writes_the_annotation_file(annotated) -> None:  # type: ignore[no-untyped-def]
    path, _article, anns = annotated
    before = _files(path)
    for fmt, ext in (("csv", ".csv"), ("w3c", ".jsonld"), ("markdown", ".md"), ("html", ".html")):
        done = run("export", path, "--format", fmt)
        assert done.returncode == 0, done.stderr
        out = path.with_suffix(ext)
        assert done.stdout == f"wrote 3 passages to {out}\n"
        assert out.stat().st_size > 0
    rows = list(csv.DictReader(io.StringIO(path.with_suffix(".csv").read_text(encoding="utf-8-sig"), newline="")))
    assert {r["id"] for r in rows} == {a.id for a in anns}
    assert _files(path) == before


def test_export_to_stdout_with_filters(annotated) -> None:  # type: ignore[no-untyped-def]
    path, _article, anns = annotated
    done = run("export", path, "--format", "w3c", "--jsonl", "--tag", "claim", "--tag", "evidence", "-o", "-")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["motivation"] for o in lines] == ["commenting", "commenting", "linking"]
    done = run("export", path, "--format", "csv", "--author", "bob", "--document", "Federalist No. 1", "-o", "-")
    rows = list(csv.DictReader(io.StringIO(done.stdout.lstrip("\ufeff"), newline="")))
    assert [r["id"] for r in rows] == [anns[1].id]


def test_import_round_trip_and_summary(annotated, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path, article, anns = annotated
    exported = tmp_path / "shared.jsonld"
    assert run("export", path, "--format", "w3c", "-o", exported).returncode == 0
    fresh = tmp_path / "fresh.warrant"
    done = run("import", exported, "--into", fresh, "--document", article, "--annotator", "carol")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "imported 3, already present 0, orphans 0, links 1 (skipped 0)"
    again = run("import", exported, "--into", fresh)
    assert again.stdout.splitlines()[0].startswith("imported 0, already present 3, orphans 0")
    with store.Store.open(fresh) as st_:
        assert sorted(a.id for a in st_.annotations()) == sorted(a.id for a in anns)
        assert st_.annotator == "carol"


def test_import_lists_orphans(tmp_path: Path, testdata: Path) -> None:
    into = tmp_path / "mine.warrant"
    store.Store.open(into, annotator="ana").close()  # an existing file: the orphans are listed
    done = run("import", testdata / "w3c-web-annotation" / "handwritten" / "claim-quote-position.json", "--into", into)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert first == "imported 0, already present 0, orphans 1"
    assert "6f1c2b1e-8a53-4c3e-9d7a-0b5e2f6c9a11" in second and "tariffs raise consumer prices" in second


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("import", "{bad}", "--into", "{into}"), "is not JSON"),
        (("export", "{missing}", "--format", "csv"), "cannot be read"),
        (("export", "{path}", "--format", "csv", "--document", "no such article"), "has no document"),
        (("export", "{path}", "--format", "csv", "-o", "{path}"), "annotation file itself"),
    ],
)
def test_bad_input_gives_one_line_and_no_traceback(
    annotated, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:  # type: ignore[no-untyped-def]
    path, _article, _anns = annotated
    bad = tmp_path / "bad.json"
    bad.write_text("{'not': json", encoding="utf-8")
    into = tmp_path / "new.warrant"
    before = _files(path)
    names = {"bad": bad, "into": into, "missing": tmp_path / "missing.warrant", "path": path}
    done = run(*(a.format(**names) for a in args))
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("warrant: ")
    assert message in done.stderr
    assert not into.exists()  # a failed import does not leave a new annotation file behind
    assert _files(path) == before


@pytest.mark.parametrize(
    "source", ["w3c-web-annotation/handwritten/claim-quote-position.json", "refi-qda/sky-loom/TestProject.qdpx"]
)
def test_an_import_into_a_new_file_that_places_nothing_is_refused(tmp_path: Path, testdata: Path, source: str) -> None:
    into = tmp_path / "NEW.warrant"
    done = run("import", testdata / source, "--into", into)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("warrant: ") and done.stderr.count("\n") == 1
    assert "nothing imported" in done.stderr and "could be placed" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no file, -wal or -shm left behind
