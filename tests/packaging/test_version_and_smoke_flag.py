"""``--version`` and the hidden ``--smoke-test`` flag that packaging/smoke.sh runs the built program with."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import desktop
from desktop import cli
from desktop.core import anchoring, documents, store

REPO = Path(__file__).resolve().parent.parent.parent
SEED = REPO / "seeds" / "russian-iranian-alliance.txt"


def _env(base: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "WARRANT_", "QT_"))}
    for name in ("data", "config", "cache", "runtime"):
        (base / name).mkdir(parents=True, exist_ok=True)
    (base / "runtime").chmod(0o700)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_DATA_HOME=str(base / "data"),
        XDG_CONFIG_HOME=str(base / "config"),
        XDG_CACHE_HOME=str(base / "cache"),
        XDG_RUNTIME_DIR=str(base / "runtime"),
        PYTHONPATH=str(REPO),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def _run(args: list[str], base: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), *args],
        cwd=REPO,
        env=_env(base),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_version_is_the_projects(tmp_path: Path) -> None:
    expected = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    proc = _run(["--version"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"Warrant {expected}\n"
    assert proc.stderr == ""


def test_version_loads_no_qt(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom desktop import cli\n"
        "try:\n    cli.main(['--version'])\nexcept SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
        "assert 'PySide6' not in sys.modules, 'Qt imported for --version'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=_env(tmp_path), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Warrant ")


def test_version_falls_back_to_the_package_when_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    assert cli.version() == desktop.__version__


def test_smoke_test_flag_is_hidden_from_help(tmp_path: Path) -> None:
    proc = _run(["--help"], tmp_path)
    assert proc.returncode == 0
    assert "--version" in proc.stdout
    assert "smoke" not in proc.stdout


def test_smoke_test_opens_the_seed_article_and_quits(tmp_path: Path) -> None:
    proc = _run(["--smoke-test"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "smoke: painted"
    assert lines[1].startswith("smoke: usable ")
    opened = Path(lines[1].removeprefix("smoke: usable "))
    assert opened.parent == tmp_path / "data" / "Warrant" / "annotations"
    assert opened.suffix == ".warrant" and opened.is_file()
    assert proc.stderr == ""


def test_smoke_test_reopens_an_annotation_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.warrant"
    with store.Store.open(path, annotator="Ana") as st:
        doc = st.add_document(documents.load(SEED))
        annotation = anchoring.new_annotation(doc, 200, 260, "claim", author="Ana")
        assert annotation is not None
        st.insert_annotation(annotation)
    proc = _run(["--smoke-test", str(path)], tmp_path / "home")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["smoke: painted", f"smoke: usable {path}"]


def test_smoke_test_of_a_missing_article_fails_in_one_line(tmp_path: Path) -> None:
    proc = _run(["--smoke-test", str(tmp_path / "nowhere.txt")], tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("warrant: ")
