"""The disk fails under an open annotation file: full, the file deleted, its folder gone.

Disk full is a real write failure: a child process lowers its file-size limit (RLIMIT_FSIZE) and
ignores SIGXFSZ, so the kernel fails SQLite's writes with EFBIG exactly as a full disk fails them
(SQLite reports ENOSPC as SQLITE_FULL and EFBIG as SQLITE_IOERR_WRITE; both must read as "full").
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop.core import anchoring, documents, errors, model, store

REPO = Path(__file__).resolve().parents[2]

_DISK_FULL_CHILD = textwrap.dedent(
    """
    import json, os, resource, signal, sys
    from pathlib import Path
    from desktop.core import anchoring, errors, store

    path, copy = Path(sys.argv[1]), Path(sys.argv[2])
    report = {}
    s = store.Store.open(path)
    doc = s.documents()[0]
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, hard))  # no room for a copy
    try:
        s.save_copy(copy)
        report["copy"] = "written"
    except errors.WarrantError as exc:
        report["copy"] = f"refused: {exc}"
    largest = max(p.stat().st_size for p in path.parent.iterdir())
    resource.setrlimit(resource.RLIMIT_FSIZE, (largest + 8192, hard))  # room for a few edits
    saved = []
    report["error"] = None
    for i in range(500):
        ann = anchoring.new_annotation(doc, i % 50, i % 50 + 20, "claim", author="Ana", note="n" * 4000)
        try:
            s.insert_annotation(ann)
        except errors.WarrantError as exc:
            report["error"] = f"{type(exc).__name__}: {exc}"
            break
        except Exception as exc:
            report["error"] = f"CRASH {type(exc).__name__}: {exc}"
            break
        saved.append(ann.id)
    try:
        s.update_annotation(s.annotations()[0].id, note="m" * 20000)
        report["second"] = "saved"
    except errors.WarrantError as exc:
        report["second"] = f"{type(exc).__name__}: {exc}"
    report["readable"] = len(s.annotations())
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # space again: close checkpoints normally
    s.close()
    report["saved"] = saved
    print(json.dumps(report))
    """
)


def _filled(path: Path, seed_path: Path) -> list[model.Annotation]:
    with store.Store.open(path, annotator="Ana") as s:
        doc = s.add_document(documents.load(seed_path))
        anns = []
        for start in range(0, 600, 60):
            ann = anchoring.new_annotation(doc, start, start + 30, "evidence", author="Ana")
            assert ann is not None
            anns.append(s.insert_annotation(ann))
        s.insert_link(model.Link(model.new_id(), anns[1].id, anns[0].id, "supports", "Ana", model.now_utc()))
        return anns


def _assert_sound(path: Path, expected_ids: set[str]) -> None:
    with store.Store.open(path) as s:
        assert s.integrity() == "ok"
        doc = s.documents()[0]
        anns = s.annotations()
        assert {a.id for a in anns} == expected_ids
        assert all(doc.text[a.start : a.end] == a.quote for a in anns)
        assert len(s.links()) == 1


def test_disk_full_while_writing(tmp_path: Path, seed_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    path = folder / "mine.warrant"
    before = {a.id for a in _filled(path, seed_path)}
    copy = tmp_path / "copy.warrant"
    copy.write_bytes(b"the previous copy")
    result = subprocess.run(
        [sys.executable, "-c", _DISK_FULL_CHILD, str(path), str(copy)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    print(f"disk full: {len(report['saved'])} edits saved before the first refusal: {report['error']}")
    error = report["error"]
    assert error is not None and error.startswith(("StoreFullError", "StoreIOError")), error
    assert "full" in error and "not saved" in error and str(path) in error
    assert report["second"].startswith(("StoreFullError", "StoreIOError")) and "full" in report["second"]
    assert report["readable"] == len(before) + len(report["saved"])
    # Every edit reported saved is in the file; the failed ones are not; the file is sound.
    _assert_sound(path, before | set(report["saved"]))
    # The copy attempted on the full disk left the previous copy as it was, and no temporary file.
    assert report["copy"].startswith("refused") and "could not write a copy" in report["copy"]
    assert copy.read_bytes() == b"the previous copy"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.warrant", "files"]


@pytest.mark.parametrize("how", ["file deleted", "folder deleted", "file replaced"])
def test_file_gone_while_open(tmp_path: Path, seed_path: Path, how: str) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    path = folder / "mine.warrant"
    anns = _filled(path, seed_path)
    s = store.Store.open(path)
    try:
        doc = s.documents()[0]
        if how == "file deleted":
            for p in folder.iterdir():  # what a file manager's delete of the file (and its -wal, -shm) does
                p.unlink()
        elif how == "folder deleted":
            shutil.rmtree(folder)
        else:
            other = tmp_path / "other.warrant"
            store.Store.open(other).close()
            other.replace(path)
        extra = anchoring.new_annotation(doc, 700, 730, "claim", author="Ana")
        assert extra is not None
        # SQLite would write into the unlinked file, to vanish at close: the edit is refused instead.
        with pytest.raises(errors.StoreError, match="deleted, moved or replaced while open") as info:
            s.insert_annotation(extra)
        assert "Save a copy" in str(info.value)
        with pytest.raises(errors.StoreError, match="not saved"):
            s.update_annotation(anns[0].id, note="lost?")
        # Everything saved before is still readable through the open file, and a copy keeps it.
        assert {a.id for a in s.annotations()} == {a.id for a in anns}
        if how == "folder deleted":
            with pytest.raises(errors.StoreError, match="does not exist"):
                s.save_copy(folder / "again.warrant")
        rescued = tmp_path / "rescued.warrant"
        s.save_copy(rescued)
    finally:
        s.close()
    _assert_sound(rescued, {a.id for a in anns})
    if how == "file replaced":
        with store.Store.open(path) as replaced:
            assert replaced.annotation_count() == 0  # the file now there was never written to


def test_save_copy_into_a_missing_folder(tmp_path: Path, seed_path: Path) -> None:
    path = tmp_path / "mine.warrant"
    _filled(path, seed_path)
    with store.Store.open(path) as s:
        with pytest.raises(errors.StoreError, match="folder .* does not exist") as info:
            s.save_copy(tmp_path / "gone" / "copy.warrant")
        assert str(tmp_path / "gone" / "copy.warrant") in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.warrant"]
