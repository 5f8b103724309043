"""`python main.py outline ANNOTATIONS [--document D] [--json]` as a real subprocess."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import argument_seed
import pytest

from desktop.core import documents, model, store

REPO = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), "outline", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        timeout=60,
    )


@pytest.fixture
def seed_file(seed_path: Path, tmp_path: Path) -> tuple[Path, argument_seed.SeedArgument]:
    path = tmp_path / "seed.warrant"
    st = store.Store.open(path, annotator="tester")
    seed = argument_seed.build(seed_path, st)
    st.close()
    return path, seed


def snapshot(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_text_outline_of_the_seed(seed_file: tuple[Path, argument_seed.SeedArgument]) -> None:
    path, seed = seed_file
    before = snapshot(path)
    done = run(str(path))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0].startswith(seed.document.title) and seed.document.fingerprint[:12] in lines[0]
    claim = next(i for i, line in enumerate(lines) if "lacks a strategic dimension" in line)
    assert lines[claim].startswith("  [Claim]")
    assert lines[claim + 1].startswith("    supports: [Evidence]") and "ties have so far" in lines[claim + 1]
    assert lines[claim + 2].startswith("    supports: [Evidence]") and "none of these areas" in lines[claim + 2]
    assert lines[claim + 3].startswith("    based on: [Recommendation]") and "if Iran really wants" in lines[claim + 3]
    assert "Weak points (3)" in lines
    assert "  Evidence linked to nothing: 1" in lines
    assert "  Recommendations based on no claim: 0" in lines
    # Read through a private snapshot: the annotation file is exactly as it was.
    assert snapshot(path) == before


def test_json_outline(seed_file: tuple[Path, argument_seed.SeedArgument]) -> None:
    path, seed = seed_file
    done = run(str(path), "--json")
    assert done.returncode == 0, done.stderr
    assert done.stdout.isascii()
    data = json.loads(done.stdout)
    (doc,) = data["documents"]
    assert doc["fingerprint"] == seed.document.fingerprint
    central = next(r for r in doc["roots"] if r["id"] == seed.central.id)
    assert [(c["id"], c["relation"]) for c in central["children"]] == [
        (seed.limited_ties.id, "supports"),
        (seed.not_strategic.id, "supports"),
        (seed.recommendation.id, "based-on"),
    ]
    assert {k: v["count"] for k, v in doc["weak_points"].items()} == {
        "unsupported_claims": 1,
        "unfounded_recommendations": 0,
        "orphan_evidence": 1,
        "contested_claims": 1,
    }
    assert [a["quote"] for a in doc["unlinked"]] == [argument_seed.EVIDENCE_VISAS]


def add_second_document(path: Path) -> model.Document:
    st = store.Store.open(path)
    doc = st.add_document(documents.from_text("The second article here\n\nBells \x07 ring. Proof.", "b.txt"))
    claim = argument_seed.annotate(doc, "Bells \x07 ring.", "claim")
    proof = argument_seed.annotate(doc, "Proof.", "evidence")
    st.insert_annotations([claim, proof], [argument_seed.link(proof, claim, "contradicts")])
    st.close()
    return doc


def test_several_documents_print_all_or_the_one_asked_for(
    seed_file: tuple[Path, argument_seed.SeedArgument],
) -> None:
    path, seed = seed_file
    second = add_second_document(path)
    everything = run(str(path))
    assert everything.returncode == 0, everything.stderr
    assert "lacks a strategic dimension" in everything.stdout and "The second article here" in everything.stdout
    assert "\x07" not in everything.stdout  # control characters never reach the terminal
    by_title = run(str(path), "--document", "The second article here")
    assert by_title.returncode == 0, by_title.stderr
    assert "lacks a strategic dimension" not in by_title.stdout
    assert "    contradicts: [Evidence] \u201cProof.\u201d" in by_title.stdout.splitlines()
    by_prefix = run(str(path), "--document", seed.document.fingerprint[:10], "--json")
    assert [d["title"] for d in json.loads(by_prefix.stdout)["documents"]] == [seed.document.title]
    assert second.fingerprint not in by_prefix.stdout


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda p: None, "cannot be read"),
        (lambda p: p.write_text("not a database at all, just some text that is long enough" * 3), "not a Warrant"),
        (lambda p: p.mkdir(), "folder"),
    ],
)
def test_bad_files_give_one_line(tmp_path: Path, make: object, needle: str) -> None:
    path = tmp_path / "bad.warrant"
    make(path)  # type: ignore[operator]
    done = run(str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("warrant: ")
    assert needle in done.stderr and "Traceback" not in done.stderr


def test_unknown_document_gives_one_line(seed_file: tuple[Path, argument_seed.SeedArgument]) -> None:
    path, _ = seed_file
    done = run(str(path), "--document", "no such article")
    assert done.returncode == 2
    assert done.stderr.startswith("warrant: ") and "no document 'no such article'" in done.stderr
    assert len(done.stderr.splitlines()) == 1


def test_an_empty_file_has_no_documents(tmp_path: Path) -> None:
    path = tmp_path / "empty.warrant"
    store.Store.open(path).close()
    done = run(str(path))
    assert done.returncode == 0 and "holds no documents" in done.stdout
    assert json.loads(run(str(path), "--json").stdout)["documents"] == []
