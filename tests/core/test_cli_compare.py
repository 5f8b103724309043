"""`warrant compare`: figures as a table or JSON, hostile files refused in one line, nothing written."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import cli
from desktop.core import anchoring, documents, model, store, untrusted

REPO = Path(__file__).resolve().parents[2]


def make(path: Path, annotator: str, loaded: documents.LoadedDocument, shift: int, tags: tuple[str, ...]) -> None:
    s = store.Store.open(path, annotator=annotator)
    doc = s.add_document(loaded)
    made = []
    for k, m in enumerate(re.finditer(r"[^.\n]{30,}\.", doc.text)):
        if (k + shift) % 5 == 0:
            continue  # each annotator skips other sentences
        a = anchoring.new_annotation(doc, m.start(), m.end(), tags[(k + shift // 2) % len(tags)], author=annotator)
        if a is not None:
            made.append(a)
    s.insert_annotations(made, [model.Link(model.new_id(), made[1].id, made[0].id, "supports", annotator, "")])
    s.close()


@pytest.fixture
def files(tmp_path: Path, seed_path: Path) -> dict[str, Path]:
    seed = documents.load(seed_path)
    edited = tmp_path / "edited.txt"
    changed = seed.text.replace("warming relations", "warmer ties").replace("Lavrov on", "Lavrov, the minister, on")
    edited.write_bytes(changed.replace("since 2014", "since 2013").replace("\n", "\r\n").encode())
    paths = {name: tmp_path / f"{name}.warrant" for name in ("mine", "alice", "bob")}
    make(paths["mine"], "me", seed, 0, ("claim", "evidence", "recommendation"))
    make(paths["alice"], "alice", seed, 1, ("claim", "evidence", "recommendation"))
    make(paths["bob"], "bob", documents.load(edited), 2, ("claim", "evidence"))
    return paths


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = cli.main(["compare", *args])
    out, err = capsys.readouterr()
    return status, out, err


def folder_state(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}


def test_json_report_for_two_annotators(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, str(files["mine"]), str(files["alice"]), "--json")
    assert (status, err) == (0, "")
    data = json.loads(out)
    (doc,) = data["documents"]
    (alice,) = doc["colleagues"]
    assert doc["annotators"] == ["me", "alice"]
    assert set(alice["kappa"]) == {"claim", "evidence", "recommendation"}  # keys are tag names
    assert all(-1.0 <= k <= 1.0 for k in alice["kappa"].values())
    assert set(alice["f1"]) >= {"precision", "recall", "f1"}
    assert set(alice["alignment"]) == {"agreed", "tag-differs", "only-mine", "only-theirs"}
    assert alice["placement"]["exact"] == alice["passages"] and alice["orphans"] == []
    assert doc["alpha"] is None  # two annotators: kappa says it all
    assert doc["pairs"][0]["annotators"] == ["me", "alice"]


def test_json_report_for_three_annotators_has_alpha_and_placements(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, str(files["mine"]), str(files["alice"]), str(files["bob"]), "--json")
    assert status == 0
    data = json.loads(out)
    (doc,) = data["documents"]
    assert doc["alpha"]["annotators"] == ["me", "alice", "bob"]
    assert set(doc["alpha"]["per_tag"]) == {"claim", "evidence", "recommendation"}
    assert len(doc["pairs"]) == 3
    bob = doc["colleagues"][1]
    assert bob["match"] == "same-article"
    assert sum(bob["placement"].values()) == bob["passages"]
    assert bob["placement"]["exact"] < bob["passages"]  # the edited sentence needed more than that
    assert data["overall"]["alpha"]["overall"] == doc["alpha"]["overall"]  # one document: pooled == it


def test_table_output_is_readable(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, str(files["mine"]), str(files["alice"]), str(files["bob"]))
    assert (status, err) == (0, "")
    assert "The Russian-Iranian alliance" in out
    assert re.search(r"^\s+me / alice\s+-?\d\.\d\d", out, re.M)
    assert re.search(r"^\s+alpha, 3 annotators\s+-?\d\.\d\d", out, re.M)
    assert "precision" in out and "agreed" in out and "tag differs" in out


def test_document_filter(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    mine = untrusted.open_untrusted(files["mine"])
    fingerprint = mine.documents[0].fingerprint
    for key in (fingerprint[:12], mine.documents[0].title):
        status, out, _ = run(capsys, str(files["mine"]), str(files["alice"]), "--document", key, "--json")
        assert status == 0 and json.loads(out)["documents"][0]["fingerprint"] == fingerprint
    status, out, err = run(capsys, str(files["mine"]), str(files["alice"]), "--document", "no such article")
    assert status == 2 and out == ""
    assert err.startswith("warrant: ") and "no such article" in err and err.count("\n") == 1


def test_compare_writes_nothing(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    folder = files["mine"].parent
    before = folder_state(folder)
    status, _, _ = run(capsys, str(files["mine"]), str(files["alice"]), str(files["bob"]), "--json")
    assert status == 0
    assert folder_state(folder) == before  # same bytes, same mtimes, no -wal/-shm/-journal


def test_a_hostile_colleague_file_is_one_line_on_stderr(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    conn = sqlite3.connect(files["alice"])
    conn.execute("CREATE TRIGGER t AFTER INSERT ON tags BEGIN SELECT 1; END")
    conn.commit()
    conn.close()
    status, out, err = run(capsys, str(files["mine"]), str(files["alice"]))
    assert status == 2 and out == ""
    assert (
        err
        == f"warrant: {files['alice']} was refused for review: it contains a trigger ('t') that Warrant never writes; it was not changed\n"
    )


def test_terminal_control_characters_from_a_colleague_are_not_printed(
    tmp_path: Path, seed_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = documents.load(seed_path)
    make(tmp_path / "mine.warrant", "me", seed, 0, ("claim",))
    make(tmp_path / "evil.warrant", "\x1b[2J\x1b]0;owned\x07eve\u202e", seed, 1, ("claim",))
    status, out, _ = run(capsys, str(tmp_path / "mine.warrant"), str(tmp_path / "evil.warrant"))
    assert status == 0
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "eve" in out
    status, out, _ = run(capsys, str(tmp_path / "mine.warrant"), str(tmp_path / "evil.warrant"), "--json")
    assert out.isascii() and "\x1b" not in out
    assert json.loads(out)["theirs"][0]["annotator"].startswith("\x1b[2J")  # the data itself is intact


def test_the_real_program(files: dict[str, Path]) -> None:
    done = subprocess.run(
        [sys.executable, "main.py", "compare", str(files["mine"]), str(files["alice"]), "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["documents"][0]["colleagues"][0]["annotator"] == "alice"
    bad = subprocess.run(
        [sys.executable, "main.py", "compare", str(files["mine"]), str(files["mine"].parent / "missing.warrant")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.startswith("warrant: ") and "does not exist" in bad.stderr


def test_a_colleague_file_about_another_article_is_listed_as_not_compared(
    files: dict[str, Path], testdata: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = files["mine"].parent / "carol.warrant"
    make(other, "carol", documents.load(testdata / "texts" / "federalist" / "Federalist1.txt"), 0, ("claim",))
    status, out, _ = run(capsys, str(files["mine"]), str(other))
    assert status == 0
    assert "No document of mine was annotated by a colleague." in out
    assert "carol: \u201cFederalist No. 1\u201d" in out and "no document of mine is this article" in out
    status, out, _ = run(capsys, str(files["mine"]), str(other), "--json")
    (unmatched,) = json.loads(out)["unmatched"]
    assert unmatched["annotator"] == "carol" and unmatched["passages"] > 0


def _empty(path: Path, annotator: str, loaded: documents.LoadedDocument) -> None:
    s = store.Store.open(path, annotator=annotator)
    s.add_document(loaded)
    s.close()


def test_empty_files_give_null_with_the_reason(
    tmp_path: Path, seed_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = documents.load(seed_path)
    mine, theirs = tmp_path / "mine.warrant", tmp_path / "theirs.warrant"
    _empty(mine, "me", seed)
    s = store.Store.open(theirs, annotator="them")
    doc = s.add_document(seed)
    s.close()
    # Their file needs one passage for the document to be reviewed at all; mine has none.
    s = store.Store.open(theirs)
    a = anchoring.new_annotation(doc, 0, 10, "claim", author="them")
    assert a is not None
    s.insert_annotations([a], [])
    s.close()
    status, out, _ = run(capsys, str(mine), str(theirs), "--json")
    assert status == 0
    data = json.loads(out)
    (c,) = data["documents"][0]["colleagues"]
    assert c["f1"]["recall"] is None and "0/0" in c["f1"]["undefined"]["recall"]
    pair = data["documents"][0]["pairs"][0]
    assert pair["kappa"]["claim"] is not None  # one side tagged 10 characters: defined
    status, out, _ = run(capsys, str(mine), str(theirs))
    assert "\u2013" in out  # the undefined recall is a dash in the table


def test_iou_threshold_is_stated_and_changes_the_matching(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, str(files["mine"]), str(files["bob"]), "--json")
    loose = json.loads(out)
    assert loose["iou_threshold"] == 0.5
    _, out, _ = run(capsys, str(files["mine"]), str(files["bob"]), "--json", "--iou", "1.0")
    strict = json.loads(out)
    assert strict["iou_threshold"] == 1.0
    c_loose, c_strict = loose["documents"][0]["colleagues"][0], strict["documents"][0]["colleagues"][0]
    # The alignment's "agreed" rows are the pairs F1 counts, at either threshold.
    for c in (c_loose, c_strict):
        assert c["alignment"]["agreed"] == c["f1"]["matched"]
    assert c_strict["f1"]["matched"] <= c_loose["f1"]["matched"]
    with pytest.raises(SystemExit) as exited:
        cli.main(["compare", str(files["mine"]), str(files["bob"]), "--iou", "1.5"])
    assert exited.value.code == 2
    assert "not in (0, 1]" in capsys.readouterr().err


def test_unitizing_alpha_is_reported(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, str(files["mine"]), str(files["alice"]), str(files["bob"]), "--json")
    assert status == 0
    alpha_u = json.loads(out)["documents"][0]["alpha_u"]
    assert len(alpha_u["annotators"]) == 3
    assert alpha_u["overall"] is not None and -1.0 <= alpha_u["overall"] <= 1.0
    _, out, _ = run(capsys, str(files["mine"]), str(files["alice"]))
    assert re.search(r"^\s+unitizing alpha", out, re.M)
