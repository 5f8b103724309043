"""One's own annotation file, damaged or tampered with: refused clearly or read safely, never a crash.

The mutant batch flips bytes and truncates a real annotation file (fixed seed), then opens, reads and
edits each mutant with the real :class:`store.Store`. Every outcome must be a success or a
:class:`errors.WarrantError`; a refused mutant must be byte-for-byte unchanged with nothing left
beside it. The batch runs in a subprocess (this file run as a script), with a per-case watchdog, so a
hang fails the test instead of stalling the run.
"""

from __future__ import annotations

import collections
import faulthandler
import hashlib
import json
import random
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
if __name__ == "__main__":  # run as the batch's subprocess
    sys.path.insert(0, str(REPO))

from desktop.core import anchoring, documents, errors, model, store  # noqa: E402

SEED = 20261126
MUTANTS = 600
PERSIAN = (
    "\u0627\u0639\u0644\u0627\u0645\u06cc\u0647 \u062c\u0647\u0627\u0646\u06cc \u062d\u0642\u0648\u0642 "
    "\u0628\u0634\u0631\u060c \u0645\u06cc\u200c\u0634\u0648\u062f \u06a9\u0644\u06cc\u0647\u0654 "
)


def build_file(path: Path, seed_path: Path) -> None:
    """A real annotation file: two documents (English, Persian with ZWNJ and emoji), annotations, links."""
    rng = random.Random(SEED)
    with store.Store.open(path, annotator="Ana") as s:
        s.add_tag("assumption")
        for loaded in (documents.load(seed_path), documents.from_text((PERSIAN + "\U0001f600 ") * 60, "fa.txt")):
            doc = s.add_document(loaded)
            anns = []
            for _ in range(25):
                start = rng.randrange(len(doc.text) - 40)
                ann = anchoring.new_annotation(
                    doc,
                    start,
                    start + rng.randint(5, 40),
                    rng.choice(["claim", "evidence", "assumption"]),
                    author="Ana",
                    note=rng.choice(["", "see \u00a73", "\u0646\u06a9\u062a\u0647"]),
                )
                if ann is not None:
                    anns.append(ann)
            links = [
                model.Link(model.new_id(), anns[i].id, anns[i + 1].id, "supports", "Ana", model.now_utc())
                for i in range(0, len(anns) - 1, 3)
            ]
            s.insert_annotations(anns, links)


def _mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    kind = rng.choice(("flip", "flip", "bytes", "truncate"))
    out = bytearray(data)
    if kind == "flip":
        pos = rng.randrange(len(out))
        out[pos] ^= 1 << rng.randrange(8)
    elif kind == "bytes":
        for _ in range(rng.randint(2, 20)):
            out[rng.randrange(len(out))] = rng.randrange(256)
    else:
        out = out[: rng.randrange(len(out))]
    return kind, bytes(out)


def _exercise(s: store.Store, outcome: collections.Counter[str], *, edit: bool) -> None:
    """Every read, then (on every tenth file: each is fsynced) a few edits; each works or raises a WarrantError."""
    steps: list[tuple[str, Any]] = [
        ("documents", s.documents),
        ("annotations", s.annotations),
        ("links", s.links),
        ("tags", s.tags),
        ("relations", s.relations),
        ("integrity", s.integrity),
    ]
    for name, step in steps:
        try:
            step()
            outcome[f"read {name} ok"] += 1
        except errors.WarrantError:
            outcome[f"read {name} refused"] += 1
    try:
        for doc in s.documents():
            for ann in s.annotations(doc.fingerprint):
                assert isinstance(ann.start, int) and isinstance(ann.quote, str)
            s.links(doc.fingerprint)
        outcome["read per document ok"] += 1
    except errors.WarrantError:
        outcome["read per document refused"] += 1
    if not edit:
        return
    try:
        anns = s.annotations()
        if anns:
            s.update_annotation(anns[0].id, note="checked")
            gone, links = s.delete_annotations([anns[-1].id])
            s.restore(gone, links)
        s.add_tag("mutant")
        outcome["edits ok"] += 1
    except errors.WarrantError:
        outcome["edits refused"] += 1


def run_batch(source: Path, folder: Path, count: int, seed: int) -> dict[str, Any]:
    """Open ``count`` mutants of ``source``; return the tally and every non-WarrantError."""
    original = source.read_bytes()
    rng = random.Random(seed)
    outcome: collections.Counter[str] = collections.Counter()
    crashes: list[str] = []
    changed: list[int] = []
    debris: list[str] = []
    for i in range(count):
        kind, data = _mutate(original, rng)
        outcome[f"mutant {kind}"] += 1
        path = folder / f"m{i}.warrant"
        path.write_bytes(data)
        faulthandler.dump_traceback_later(60, exit=True)  # a hang ends the batch with a traceback
        try:
            s = store.Store.open(path)
        except errors.WarrantError:
            outcome["refused at open"] += 1
            if path.read_bytes() != data:
                changed.append(i)
            debris += [p.name for p in folder.iterdir() if p.name != path.name]
        except Exception as exc:
            crashes.append(f"mutant {i} ({kind}) open: {type(exc).__name__}: {exc}")
        else:
            outcome["opened"] += 1
            try:
                _exercise(s, outcome, edit=outcome["opened"] % 10 == 1)
            except Exception as exc:
                crashes.append(f"mutant {i} ({kind}) read: {type(exc).__name__}: {exc}")
            finally:
                s.close()
        finally:
            faulthandler.cancel_dump_traceback_later()
        for p in folder.iterdir():
            p.unlink()
    return {"outcome": dict(outcome), "crashes": crashes, "changed": changed, "debris": debris}


def test_mutants_of_a_real_file_never_crash(tmp_path: Path, seed_path: Path) -> None:
    source = tmp_path / "original.warrant"
    build_file(source, seed_path)
    folder = tmp_path / "mutants"
    folder.mkdir()
    result = subprocess.run(
        [sys.executable, __file__, str(source), str(folder), str(MUTANTS), str(SEED)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout)
    print(json.dumps(report["outcome"], indent=1, sort_keys=True))  # the figures for docs/RELIABILITY.md
    assert report["crashes"] == []
    assert report["changed"] == [], "a refused mutant was modified"
    assert report["debris"] == [], "a refused mutant got files beside it"
    outcome = report["outcome"]
    assert outcome["refused at open"] + outcome["opened"] == MUTANTS
    assert outcome["refused at open"] > 50 and outcome["opened"] > 50  # both paths were exercised


# -- forged files --------------------------------------------------------------------------------


@pytest.fixture
def own_file(tmp_path: Path, seed_path: Path) -> Path:
    path = tmp_path / "own.warrant"
    build_file(path, seed_path)
    return path


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _forge(path: Path, *sql: str, ignore_checks: bool = False) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    if ignore_checks:
        conn.execute("PRAGMA ignore_check_constraints=ON")
    for statement in sql:
        conn.execute(statement)
    conn.close()


def _drop_rules(path: Path) -> None:
    """Rewrite the annotations table's definition without CHECK, NOT NULL and STRICT (writable_schema)."""
    conn = sqlite3.connect(path, isolation_level=None)
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'annotations'").fetchone()[0]
    loose = sql.replace("CHECK (start >= 0)", "").replace('CHECK ("end" > start)', "").replace(") STRICT", ")")
    loose = loose.replace("NOT NULL", "")
    assert loose != sql
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'annotations'", (loose,))
    conn.execute("PRAGMA writable_schema=OFF")
    conn.close()


_CHECKS = (
    'UPDATE annotations SET "end" = start - 1 WHERE rowid = 1',
    "UPDATE annotations SET start = -5 WHERE rowid = 1",
    'UPDATE annotations SET "end" = start WHERE rowid = 1',
)
_TYPES = (
    "UPDATE annotations SET start = 'seven' WHERE rowid = 1",
    "UPDATE annotations SET quote = X'4142' WHERE rowid = 1",
    "UPDATE annotations SET note = NULL WHERE rowid = 1",
)


@pytest.mark.parametrize(
    ("how", "update"),
    [("ignore_check_constraints", u) for u in _CHECKS] + [("writable_schema", u) for u in _CHECKS + _TYPES],
)
def test_rows_breaking_the_schema_rules_are_refused(own_file: Path, how: str, update: str) -> None:
    """Forged past the rules: refused when opened (SQLite 3.44+ checks CHECKs in quick_check) or when read."""
    if how == "writable_schema":  # the table's definition loses its rules (STRICT and NOT NULL are no CHECKs)
        _drop_rules(own_file)
        _forge(own_file, update)
    else:
        _forge(own_file, update, ignore_checks=True)
    before = _hash(own_file)
    try:
        s = store.Store.open(own_file)
    except errors.StoreError as exc:
        assert "damaged" in str(exc) and str(own_file) in str(exc)
        assert _hash(own_file) == before
        assert sorted(p.name for p in own_file.parent.iterdir()) == ["own.warrant"]
        return
    with s:
        victim = s.db.conn.execute("SELECT id FROM annotations WHERE rowid = 1").fetchone()[0]
        for read in (s.annotations, lambda: s.annotation(victim)):
            with pytest.raises(errors.StoreError, match="damaged") as info:
                read()
            assert "annotation" in str(info.value)
        count = s.annotation_count()
        with pytest.raises(errors.StoreError, match="damaged"):
            s.delete_annotations([victim])
        assert s.annotation_count() == count  # the refused delete deleted nothing
        assert s.documents() and s.tags()  # the rest of the file still reads


def test_offsets_past_the_end_of_the_text_are_returned_and_can_be_found_again(own_file: Path) -> None:
    # Within the schema's rules but past the document's end: the store returns the row as it is;
    # the quote finds its place again (what the reader's re-anchoring does).
    with store.Store.open(own_file) as s:
        texts = {d.fingerprint: d.text for d in s.documents()}
        target = next(a for a in s.annotations() if texts[a.document].count(a.quote) == 1)
        doc = s.document(target.document)
    assert doc is not None
    shift = len(doc.text)
    _forge(
        own_file, f'UPDATE annotations SET start = start + {shift}, "end" = "end" + {shift} WHERE id = \'{target.id}\''
    )
    with store.Store.open(own_file) as s:
        moved = s.annotation(target.id)
        assert (moved.start, moved.end) == (target.start + shift, target.end + shift)
        assert doc.text[moved.start : moved.end] == ""
        found = anchoring.find_exact(doc.text, moved.quote, moved.prefix, moved.suffix, hint=moved.start)
        assert found is not None and (found.start, found.end) == (target.start, target.end)


def test_text_columns_with_nul_survive_and_invalid_utf8_is_refused(own_file: Path) -> None:
    _forge(
        own_file,
        "UPDATE annotations SET note = CAST(X'6E756C00696E73696465' AS TEXT) WHERE rowid = 1",  # 'nul\0inside'
    )
    with store.Store.open(own_file) as s:
        assert s.db.conn.execute("SELECT note FROM annotations WHERE rowid = 1").fetchone()[0] == "nul\x00inside"
        assert "nul\x00inside" in {a.note for a in s.annotations()}
    for column, blob in (("note", "ED A0 80"), ("quote", "FF FE"), ("note", "ED B0 80 61")):
        # A lone surrogate as WTF-8 bytes, and bytes that are no UTF-8 at all.
        hexbytes = blob.replace(" ", "")
        _forge(own_file, f"UPDATE annotations SET {column} = CAST(X'{hexbytes}' AS TEXT) WHERE rowid = 2")
        with store.Store.open(own_file) as s:
            with pytest.raises(errors.StoreError, match="damaged: it holds text that is not UTF-8"):
                s.annotations()
            assert s.tags()
        _forge(own_file, f"UPDATE annotations SET {column} = 'repaired' WHERE rowid = 2")
    _forge(own_file, "UPDATE documents SET text = CAST(X'C328' AS TEXT) WHERE rowid = 1")
    with store.Store.open(own_file) as s:
        with pytest.raises(errors.StoreError, match="not UTF-8"):
            s.documents()


def test_triggers_and_views_are_refused_extra_tables_kept(own_file: Path) -> None:
    for ddl, refused in (
        ("CREATE TRIGGER wipe AFTER INSERT ON annotations BEGIN DELETE FROM annotations; END", True),
        ("CREATE VIEW everything AS SELECT * FROM annotations", True),
        ("CREATE TABLE scratch (x TEXT)", False),
    ):
        victim = own_file.with_name("victim.warrant")
        victim.write_bytes(own_file.read_bytes())
        _forge(victim, ddl)
        before = _hash(victim)
        if refused:
            with pytest.raises(errors.StoreError, match="never writes"):
                store.Store.open(victim)
            assert _hash(victim) == before
        else:
            with store.Store.open(victim) as s:
                assert s.annotation_count() > 0
        victim.unlink()


def test_wrong_application_id_with_warrant_tables_is_refused(own_file: Path) -> None:
    _forge(own_file, "PRAGMA application_id=0")
    before = _hash(own_file)
    with pytest.raises(errors.StoreError, match="not a Warrant annotation file"):
        store.Store.open(own_file)
    assert _hash(own_file) == before


if __name__ == "__main__":
    print(json.dumps(run_batch(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))
