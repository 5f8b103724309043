"""List the user-visible string literals in desktop/ui that do not go through ``tr()``.

    python packaging/untranslated.py                # every file under desktop/ui
    python packaging/untranslated.py FILE_OR_DIR... [--summary]

Read with ``ast``, never imported. A string counts as user-visible when it is an argument of a Qt call
that shows text (``setText``, ``setWindowTitle``, ``setToolTip``, ``QAction(...)``, ``QMessageBox.warning``,
``addRow`` ...; :data:`TEXT_CALLS`), as a literal, an f-string, a ``"..." % x`` or ``"...".format(x)``,
or either branch of ``a if c else b``, or an item of a list or tuple argument; strings with no letter
(``""``, ``"—"``) are not. Also listed: ``tr()`` of something that is not a literal, which ``pyside6-lupdate``
cannot extract (wrap the literal where it is written in ``QT_TRANSLATE_NOOP``). Exits 0: it reports,
the lead's sweep fixes.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

TEXT_CALLS = frozenset(
    {
        # setters of widgets, actions, items and dialogs
        "setText",
        "setWindowTitle",
        "setToolTip",
        "setStatusTip",
        "setWhatsThis",
        "setPlaceholderText",
        "setLabelText",
        "setTitle",
        "setTabText",
        "setTabToolTip",
        "setItemText",
        "setHeaderLabels",
        "setHorizontalHeaderLabels",
        "setVerticalHeaderLabels",
        "setAccessibleName",
        "setAccessibleDescription",
        "setPrefix",
        "setSuffix",
        "setSpecialValueText",
        "setInformativeText",
        "setDetailedText",
        "setCancelButtonText",
        "setOkButtonText",
        "setNameFilter",
        "setNameFilters",
        "showMessage",
        "addAction",
        "addMenu",
        "addTab",
        "insertTab",
        "addItem",
        "addItems",
        "insertItem",
        "addRow",
        "addButton",
        # constructors that take their text
        "QAction",
        "QLabel",
        "QPushButton",
        "QToolButton",
        "QCheckBox",
        "QRadioButton",
        "QGroupBox",
        "QMenu",
        "QProgressDialog",
        "QMessageBox",
    }
)
STATIC_DIALOGS = {
    "QMessageBox": frozenset({"information", "warning", "critical", "question", "about"}),
    "QInputDialog": frozenset({"getText", "getMultiLineText", "getItem", "getInt", "getDouble"}),
    "QFileDialog": frozenset({"getOpenFileName", "getOpenFileNames", "getSaveFileName", "getExistingDirectory"}),
}
"""Static dialogs (title, text, labels, captions and filters), counted only on these classes (not ``log.warning``)."""
TRANSLATE_CALLS = frozenset({"tr", "translate", "QT_TR_NOOP", "QT_TRANSLATE_NOOP"})
_LETTER = re.compile(r"[^\W\d_]")
_PLACEHOLDER = re.compile(r"%(\(\w+\))?[-#0 +]*\d*(\.\d+)?[sdifr%]|\{[^{}]*\}")


def _shows_words(text: str) -> bool:
    """True when ``text`` has a letter outside its %-style and {}-style placeholders."""
    return bool(_LETTER.search(_PLACEHOLDER.sub("", text)))


@dataclass(frozen=True)
class Finding:
    """One string a person sees that does not go through ``tr()``."""

    path: Path
    line: int
    call: str
    text: str
    kind: str = "literal"  # "literal", or "dynamic-tr": tr() of something lupdate cannot read

    def __str__(self) -> str:
        where = self.path.relative_to(REPO) if self.path.is_relative_to(REPO) else self.path
        return f"{where}:{self.line}: {self.kind} in {self.call}(): {self.text!r}"


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _visible_text(node: ast.expr) -> Iterator[tuple[ast.expr, str]]:
    """The untranslated text pieces an argument expression shows."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if _shows_words(node.value):
            yield node, node.value
    elif isinstance(node, ast.JoinedStr):
        literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        if _shows_words(literal):
            yield node, ast.unparse(node)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        yield from _visible_text(node.left)
        yield from _visible_text(node.right)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        yield from _visible_text(node.func.value)
    elif isinstance(node, ast.IfExp):
        yield from _visible_text(node.body)
        yield from _visible_text(node.orelse)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for item in node.elts:
            yield from _visible_text(item)


def scan_source(source: str, path: Path) -> list[Finding]:
    """The findings in one module's source."""
    findings: list[Finding] = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name in ("tr", "translate"):
            # tr(text), translate(context, text): lupdate reads only a literal there.
            position = 0 if name == "tr" else 1
            if len(node.args) > position:
                arg = node.args[position]
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    findings.append(Finding(path, node.lineno, name, ast.unparse(arg), "dynamic-tr"))
            continue
        owner = (
            node.func.value.id if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) else ""
        )
        if name not in TEXT_CALLS and name not in STATIC_DIALOGS.get(owner, ()):
            continue
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            for piece, text in _visible_text(arg):
                findings.append(Finding(path, piece.lineno, name, text))
    return sorted(set(findings), key=lambda f: (str(f.path), f.line, f.text))


def scan(paths: list[Path]) -> list[Finding]:
    """The findings in every ``.py`` file under ``paths``."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    findings: list[Finding] = []
    for file in files:
        findings.extend(scan_source(file.read_text(encoding="utf-8"), file.resolve()))
    return findings


def main(argv: list[str] | None = None) -> int:
    """Print each finding, then the counts."""
    parser = argparse.ArgumentParser(prog="packaging/untranslated.py", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[REPO / "desktop" / "ui"])
    parser.add_argument("--summary", action="store_true", help="print only the counts per file")
    args = parser.parse_args(argv)
    findings = scan(args.paths)
    literal = [f for f in findings if f.kind == "literal"]
    dynamic = [f for f in findings if f.kind == "dynamic-tr"]
    if args.summary:
        per_file: dict[Path, int] = {}
        for f in findings:
            per_file[f.path] = per_file.get(f.path, 0) + 1
        for path, count in sorted(per_file.items(), key=lambda item: -item[1]):
            print(f"{count:5d}  {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    else:
        for f in findings:
            print(f)
    print(f"{len(literal)} user-visible strings not through tr(); {len(dynamic)} tr() of a non-literal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
