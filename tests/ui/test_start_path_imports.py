"""The window's start path stays light: heavy libraries are imported on first use, not at start-up (issue 15)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("scipy", "numpy", "sqlite_utils", "lxml", "pypdfium2", "xlsxwriter", "openpyxl", "readability")


def test_importing_the_window_pulls_in_no_heavy_library() -> None:
    # SciPy alone cost ~0.35 s of start-up when agreement.py imported it at module level.
    code = (
        "import sys\n"
        "import desktop.ui.app, desktop.ui.main_window\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == "", f"imported at start: {done.stdout.strip()}"
