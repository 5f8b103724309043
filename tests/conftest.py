"""Shared test set-up: headless Qt, a throwaway data folder, and the shared test data."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"
# Every test run gets its own data and settings folders (qutebrowser's --temp-basedir), so no
# test reads or writes the developer's real annotation files, recent-files list or window state.
_BASE = tempfile.mkdtemp(prefix="warrant-tests-")
os.environ["XDG_DATA_HOME"] = os.path.join(_BASE, "data")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_BASE, "config")
os.environ["XDG_CACHE_HOME"] = os.path.join(_BASE, "cache")
os.environ.setdefault("XDG_RUNTIME_DIR", os.path.join(_BASE, "runtime"))
os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
os.environ["WARRANT_TEST"] = "1"

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "russian-iranian-alliance.txt"
TESTDATA = REPO.parent / "shared" / "testdata"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_BASE, ignore_errors=True)


@pytest.fixture(autouse=True)
def fresh_data_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data folder for EACH test: XDG data/config/cache, HOME, and QSettings' user path point into a
    new temporary folder, so no test sees another's recent files, settings, window state or annotation files."""
    base = tmp_path_factory.mktemp("home")
    for name in ("DATA", "CONFIG", "CACHE"):
        folder = base / name.lower()
        folder.mkdir()
        monkeypatch.setenv(f"XDG_{name}_HOME", str(folder))
    monkeypatch.setenv("HOME", str(base))
    qtcore = sys.modules.get("PySide6.QtCore")  # only when Qt is loaded: core tests stay free of it
    if qtcore is not None:
        settings = qtcore.QSettings
        settings.setPath(settings.Format.IniFormat, settings.Scope.UserScope, str(base / "config"))
    return base


@pytest.fixture
def testdata() -> Path:
    """The shared conformance data beside the repository; the test skips when it is absent."""
    if not TESTDATA.is_dir():
        pytest.skip(f"shared test data not found at {TESTDATA} (it sits beside the repository in development)")
    return TESTDATA


@pytest.fixture
def seed_path() -> Path:
    """The bundled seed article."""
    return SEED
