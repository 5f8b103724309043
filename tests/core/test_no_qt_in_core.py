"""The core and the command line never import Qt: they must run on a server with no display."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _run(code: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_every_core_module_and_the_cli_import_without_qt() -> None:
    out = _run(
        """
        import importlib, json, pkgutil, sys
        import desktop.core
        names = sorted(m.name for m in pkgutil.walk_packages(desktop.core.__path__, "desktop.core."))
        for name in names + ["desktop.cli"]:
            importlib.import_module(name)
        qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6"))
        print(json.dumps({"modules": names, "qt": qt}))
        """
    )
    modules = out["modules"]
    assert isinstance(modules, list)
    expected = {p.stem for p in (REPO / "desktop" / "core").glob("*.py") if p.stem != "__init__"}
    assert expected <= {name.split(".")[2] for name in modules}, "walk_packages found every core module"
    assert out["qt"] == []


def test_export_help_through_main_py_imports_no_qt() -> None:
    out = _run(
        """
        import contextlib, io, json, runpy, sys
        sys.argv = ["main.py", "export", "--help"]
        buffer = io.StringIO()
        code = None
        with contextlib.redirect_stdout(buffer):
            try:
                runpy.run_path("main.py", run_name="__main__")
            except SystemExit as exc:
                code = exc.code
        qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
        print(json.dumps({"code": code, "help": buffer.getvalue(), "qt": qt}))
        """
    )
    assert out["code"] in (0, None)
    assert "--format" in str(out["help"])
    assert out["qt"] == []
