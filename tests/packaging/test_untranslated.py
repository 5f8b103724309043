"""packaging/untranslated.py: the user-visible string literals of desktop/ui that bypass tr()."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent.parent
SCRIPT = REPO / "packaging" / "untranslated.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("untranslated", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["untranslated"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


untranslated = _load()

SAMPLE = """
from PySide6.QtWidgets import QLabel, QMessageBox
log = None

class Pane:
    def build(self, count, name):
        self.setWindowTitle("Annotations")                        # 7: flagged
        self.title.setText(self.tr("Annotations"))                # through tr: fine
        QLabel("Your data", self)                                  # 9: flagged
        QMessageBox.warning(self, "Warrant", f"{name} is locked")  # 10: both flagged
        log.warning("%s is locked", name)                          # a log line: not shown
        self.status.showMessage("%d passages" % count)            # 12: flagged
        self.status.showMessage(self.tr("%d passages") % count)   # fine
        self.label.setText("" if count else "—")                  # no words: fine
        self.label.setText("%s" % name)                            # a bare placeholder: fine
        self.view.setHeaderLabels(["Quote", self.tr("Tag")])       # 16: "Quote" flagged
        self.setObjectName("pane")                                 # not shown: fine
        self.button.setText(self.tr(name))                         # 18: tr of a variable
        self.box.setToolTip("first" if count else self.tr("second"))  # 19: "first" flagged
"""


def test_flags_literals_outside_tr_and_tr_of_variables(tmp_path: Path) -> None:
    findings = untranslated.scan_source(SAMPLE, tmp_path / "pane.py")
    got = sorted((f.line, f.kind, f.call, f.text) for f in findings)
    assert got == [
        (7, "literal", "setWindowTitle", "Annotations"),
        (9, "literal", "QLabel", "Your data"),
        (10, "literal", "warning", "Warrant"),
        (10, "literal", "warning", "f'{name} is locked'"),
        (12, "literal", "showMessage", "%d passages"),
        (16, "literal", "setHeaderLabels", "Quote"),
        (18, "dynamic-tr", "tr", "name"),
        (19, "literal", "setToolTip", "first"),
    ]


def test_the_about_dialog_has_every_string_through_tr() -> None:
    findings = untranslated.scan([REPO / "desktop" / "ui" / "dialogs" / "about.py"])
    assert [str(f) for f in findings] == []


def test_reports_a_count_for_desktop_ui() -> None:
    proc = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.returncode == 0, proc.stderr
    *lines, summary = proc.stdout.splitlines()
    literal = sum(1 for line in lines if ": literal in " in line)
    dynamic = sum(1 for line in lines if ": dynamic-tr in " in line)
    assert summary == f"{literal} user-visible strings not through tr(); {dynamic} tr() of a non-literal"
    for line in lines:
        assert line.startswith("desktop/ui/"), line
