"""Run one scenario in this process and print its result line: ``python -m benchmarks.child NAME ...``.

The parent (:mod:`benchmarks.__main__`) starts one child per scenario, so each runs in a fresh
interpreter with its own peak memory, and one scenario's caches never speed up the next.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from benchmarks import measure

SCENARIOS = {
    "open": ("benchmarks.scenarios_window", "scenario_open"),
    "tag": ("benchmarks.scenarios_window", "scenario_tag"),
    "filter": ("benchmarks.scenarios_window", "scenario_filter"),
    "export": ("benchmarks.scenarios_core", "scenario_export"),
    "import": ("benchmarks.scenarios_core", "scenario_import"),
    "compare": ("benchmarks.scenarios_core", "scenario_compare"),
    "reanchor": ("benchmarks.scenarios_core", "scenario_reanchor"),
    "qda-export": ("benchmarks.scenarios_qda", "scenario_qda"),
    "pdf": ("benchmarks.scenarios_documents", "scenario_pdf"),
    "docx": ("benchmarks.scenarios_documents", "scenario_docx"),
    "ach": ("benchmarks.scenarios_ach", "scenario_ach"),
}


def main(argv: list[str]) -> int:
    """Parse the arguments, run the scenario, print ``RESULT {json}``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.child")
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--article", default="1mb")
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args(argv)
    module_name, function_name = SCENARIOS[args.scenario]
    function = getattr(importlib.import_module(module_name), function_name)
    result = function(args.data, args.article, args.count, args.repeat)
    measure.emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
