"""packaging/linux/install.sh in a throwaway HOME: menu entry, icons, the .warrant file type, uninstall."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.core import store

REPO = Path(__file__).resolve().parent.parent.parent
INSTALL = REPO / "packaging" / "linux" / "install.sh"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux desktop integration")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "QT_"))}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_DIRS="/usr/local/share:/usr/share",
        QT_QPA_PLATFORM="offscreen",
    )
    return env


def _install(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(INSTALL), *args], env=_env(home), capture_output=True, text=True, timeout=120, cwd=home
    )


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A stand-in for dist/warrant: a program that says where it runs from."""
    folder = tmp_path / "dist" / "warrant"
    (folder / "_internal").mkdir(parents=True)
    program = folder / "warrant"
    program.write_text('#!/bin/sh\necho "warrant from $0 $*"\n', encoding="utf-8")
    program.chmod(0o755)
    return folder


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """A real annotation file, the same bytes renamed .db, and a plain SQLite database."""
    folder = tmp_path / "files"
    folder.mkdir()
    ours = folder / "mine.warrant"
    store.Store.open(ours, annotator="Ana", create=True).close()
    renamed = folder / "renamed.db"
    shutil.copy(ours, renamed)
    plain = folder / "plain.db"
    conn = sqlite3.connect(plain)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    return {"ours": ours, "renamed": renamed, "plain": plain}


def test_installs_program_menu_entry_icons_and_file_type(home: Path, dist: Path) -> None:
    proc = _install(home, "--dist", str(dist))
    assert proc.returncode == 0, proc.stderr
    prefix = home / ".local"
    program = prefix / "bin" / "warrant"
    assert program.is_symlink()
    assert subprocess.run([str(program), "x.warrant"], capture_output=True, text=True).stdout.startswith(
        f"warrant from {program} x.warrant"
    )
    entry = prefix / "share" / "applications" / "warrant.desktop"
    lines = entry.read_text(encoding="utf-8").splitlines()
    assert f"Exec={program} %f" in lines
    assert "Icon=warrant" in lines
    assert any(line.startswith("MimeType=") and "application/x-warrant;" in line for line in lines)
    icons = prefix / "share" / "icons" / "hicolor"
    assert (icons / "scalable" / "apps" / "warrant.svg").is_file()
    assert (icons / "48x48" / "apps" / "warrant.png").is_file()
    assert (icons / "256x256" / "mimetypes" / "application-x-warrant.png").is_file()
    assert (prefix / "share" / "mime" / "packages" / "warrant.xml").is_file()
    if shutil.which("update-mime-database"):
        assert (prefix / "share" / "mime" / "mime.cache").is_file()


def test_desktop_file_is_valid(home: Path, dist: Path) -> None:
    validate = shutil.which("desktop-file-validate")
    if validate is None:
        pytest.skip("desktop-file-validate is not installed (apt-get install desktop-file-utils)")
    assert _install(home, "--dist", str(dist)).returncode == 0
    entry = home / ".local" / "share" / "applications" / "warrant.desktop"
    proc = subprocess.run([validate, str(entry)], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr


def test_qt_recognises_warrant_files_by_name_and_by_header(home: Path, dist: Path, files: dict[str, Path]) -> None:
    assert _install(home, "--dist", str(dist)).returncode == 0
    code = (
        "import sys\nfrom PySide6.QtCore import QMimeDatabase\ndb = QMimeDatabase()\n"
        "for p in sys.argv[1:]:\n    print(db.mimeTypeForFile(p).name())\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *(str(p) for p in files.values())],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    ours, renamed, plain = proc.stdout.split()
    assert ours == renamed == "application/x-warrant"
    # Plain SQLite: named as the system's database names it (Qt's built-in copy says x-sqlite3).
    assert plain in ("application/vnd.sqlite3", "application/x-sqlite3")


def test_xdg_mime_opens_warrant_files_with_warrant(home: Path, dist: Path, files: dict[str, Path]) -> None:
    xdg_mime = shutil.which("xdg-mime")
    if xdg_mime is None:
        pytest.skip("xdg-mime is not installed (apt-get install xdg-utils shared-mime-info)")
    assert _install(home, "--dist", str(dist)).returncode == 0

    def query(*args: str) -> str:
        proc = subprocess.run([xdg_mime, "query", *args], env=_env(home), capture_output=True, text=True, timeout=60)
        return proc.stdout.strip()

    assert query("filetype", str(files["ours"])) == "application/x-warrant"
    assert query("filetype", str(files["renamed"])) == "application/x-warrant"
    assert query("filetype", str(files["plain"])) != "application/x-warrant"
    assert query("default", "application/x-warrant") == "warrant.desktop"


def test_uninstall_removes_everything_it_installed(home: Path, dist: Path) -> None:
    assert _install(home, "--dist", str(dist)).returncode == 0
    proc = _install(home, "--uninstall")
    assert proc.returncode == 0, proc.stderr
    share = home / ".local" / "share"
    leftovers = list((home / ".local").rglob("*warrant*"))
    assert leftovers == []
    assert not (home / ".local" / "bin" / "warrant").exists()
    assert not (share / "mime" / "packages" / "warrant.xml").exists()


def test_refuses_without_a_build_or_with_an_unsafe_command(home: Path, tmp_path: Path) -> None:
    missing = _install(home, "--dist", str(tmp_path / "nowhere"))
    assert missing.returncode == 2
    assert "packaging/build.sh" in missing.stderr
    unsafe = _install(home, "--exec", "/opt/my apps/warrant")
    assert unsafe.returncode == 2
    assert not (home / ".local" / "share" / "applications" / "warrant.desktop").exists()


def test_prefix_option_and_exec_for_a_checkout(home: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "elsewhere"
    proc = _install(home, "--prefix", str(prefix), "--exec", "/usr/local/bin/warrant")
    assert proc.returncode == 0, proc.stderr
    entry = prefix / "share" / "applications" / "warrant.desktop"
    assert "Exec=/usr/local/bin/warrant %f" in entry.read_text(encoding="utf-8").splitlines()
    assert not (prefix / "lib" / "warrant").exists()  # nothing copied: the command is used as it is
    assert not (home / ".config" / "mimeapps.list").exists()  # not a per-user install: no default changed
