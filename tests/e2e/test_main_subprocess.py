"""The real ``python main.py`` as a subprocess: help, and bad files refused in one line without a traceback."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable
from pathlib import Path

import harness
import pytest

from desktop.core import anchoring, documents, store


def run(args: list[str], home: Path, *, module: bool = False) -> subprocess.CompletedProcess[str]:
    """Run Warrant headless with throwaway data, settings and cache folders."""
    prefix = [harness.PYTHON, "-m", "desktop"] if module else [harness.PYTHON, str(harness.MAIN)]
    return subprocess.run(
        [*prefix, *args], cwd=harness.REPO, env=harness.env(home), capture_output=True, text=True, timeout=60
    )


def run_python(code: str, home: Path) -> subprocess.CompletedProcess[str]:
    """Run a snippet of Python in the same environment as :func:`run`."""
    return subprocess.run(
        [harness.PYTHON, "-c", code],
        cwd=harness.REPO,
        env=harness.env(home),
        capture_output=True,
        text=True,
        timeout=60,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """Throwaway data, settings and cache folders for one run."""
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def good_file(tmp_path: Path, seed_path: Path) -> Path:
    """A real annotation file with the seed article and one tag, closed cleanly."""
    path = tmp_path / "good.warrant"
    with store.Store.open(path, annotator="Ana") as st:
        doc = st.add_document(documents.load(seed_path))
        annotation = anchoring.new_annotation(doc, 200, 260, "claim", author="Ana")
        assert annotation is not None
        st.insert_annotation(annotation)
    return path


def test_help_lists_the_commands(home: Path) -> None:
    result = run(["--help"], home)
    assert result.returncode == 0, result.stderr
    for command in ("export", "import", "compare", "outline"):
        assert command in result.stdout
    assert result.stderr == ""


def test_python_dash_m_desktop_help(home: Path) -> None:
    result = run(["--help"], home, module=True)
    assert result.returncode == 0, result.stderr
    assert "usage: warrant" in result.stdout
    assert "outline" in result.stdout


def test_help_does_not_load_qt(home: Path) -> None:
    """--help answers before Qt is imported (it works on a machine with no display libraries)."""
    code = (
        "import sys\n"
        "from desktop import cli\n"
        "try:\n"
        "    cli.main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('PySide6' in sys.modules)\n"
    )
    result = run_python(code, home)
    assert result.stdout.strip().splitlines()[-1] == "False"


def assert_refused(result: subprocess.CompletedProcess[str], path: Path) -> None:
    """One line on stderr naming the file, a non-zero status, no traceback, nothing on stdout."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("warrant: "), lines[0]
    assert str(path) in lines[0] or path.name in lines[0], lines[0]
    assert result.stdout == ""


def test_missing_file(home: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    result = run([str(missing)], home)
    assert_refused(result, missing)
    assert not missing.exists()


def test_missing_file_at_the_root(home: Path) -> None:
    result = run(["/missing.txt"], home)
    assert_refused(result, Path("/missing.txt"))


def _directory(folder: Path, good: Path) -> Path:
    path = folder / "a folder.txt"
    path.mkdir()
    return path


def _empty(folder: Path, good: Path) -> Path:
    path = folder / "empty.txt"
    path.write_bytes(b"")
    return path


def _binary(folder: Path, good: Path) -> Path:
    path = folder / "picture.txt"
    path.write_bytes(bytes(range(256)) * 40 + b"\x89PNG\r\n\x1a\n\x00\x00")
    return path


def _not_sqlite(folder: Path, good: Path) -> Path:
    path = folder / "notes.warrant"
    path.write_text("these are my notes, not a database\n" * 10, encoding="utf-8")
    return path


def _sqlite_not_warrant(folder: Path, good: Path) -> Path:
    import sqlite3

    path = folder / "other.warrant"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    return path


def _truncated_header(folder: Path, good: Path) -> Path:
    path = folder / "cut-header.warrant"
    path.write_bytes(good.read_bytes()[:60])
    return path


def _truncated_pages(folder: Path, good: Path) -> Path:
    path = folder / "cut-pages.warrant"
    data = good.read_bytes()
    assert len(data) > 3 * 4096
    path.write_bytes(data[: 2 * 4096 + 1000])
    return path


BAD: dict[str, Callable[[Path, Path], Path]] = {
    "directory": _directory,
    "empty": _empty,
    "binary": _binary,
    "not-sqlite": _not_sqlite,
    "sqlite-not-warrant": _sqlite_not_warrant,
    "truncated-header": _truncated_header,
    "truncated-pages": _truncated_pages,
}


@pytest.mark.parametrize("kind", list(BAD))
def test_bad_file_is_refused_and_left_alone(kind: str, home: Path, tmp_path: Path, good_file: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    path = BAD[kind](folder, good_file)
    before = None if path.is_dir() else digest(path)
    result = run([str(path)], home)
    assert_refused(result, path)
    if before is not None:
        assert digest(path) == before


@pytest.mark.parametrize("kind", ["directory", "not-sqlite", "truncated-pages"])
def test_bad_annotation_file_named_with_file(
    kind: str, home: Path, tmp_path: Path, good_file: Path, seed_path: Path
) -> None:
    """``main.py ARTICLE --file BAD``: the article is fine, the annotation file is refused untouched."""
    folder = tmp_path / "bad"
    folder.mkdir()
    path = BAD[kind](folder, good_file)
    before = None if path.is_dir() else digest(path)
    result = run([str(seed_path), "--file", str(path)], home)
    assert_refused(result, path)
    if before is not None:
        assert digest(path) == before


def test_a_refused_file_gets_no_files_beside_it(home: Path, tmp_path: Path, good_file: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    path = _truncated_pages(folder, good_file)
    result = run([str(path)], home)
    assert_refused(result, path)
    beside = sorted(p.name for p in folder.iterdir() if p != path)
    assert beside == [], "refusing a damaged WAL-mode file left files beside it"


def test_unknown_option_is_a_usage_error(home: Path) -> None:
    result = run(["--no-such-option"], home)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "usage: warrant" in result.stderr
