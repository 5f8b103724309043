"""``python -m benchmarks``: Warrant against the floor, measured in the same run, with targets.

Every scenario runs in its own child process (fresh interpreter, its own peak memory) after a
warm-up; the table gives medians (or the percentile named), the floor (the least any program must
do for the same work), their ratio, the child's peak RSS, and whether the target is met.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import data, measure, packaged

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    """One line of the table."""

    scenario: str
    warrant: float | None
    floor: float | None
    unit: str = "s"
    peak_rss_mb: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    samples: list[float] = field(default_factory=list)
    floor_samples: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.warrant is None or not self.floor:
            return None
        return self.warrant / self.floor


def _env(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    # An installed program has its bytecode compiled; without this every start would compile Warrant's
    # modules from source (PYTHONDONTWRITEBYTECODE is set on the shared machine), which the floor never does.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    for name in ("DATA", "CONFIG", "CACHE"):
        path = folder / "xdg" / name.lower()
        path.mkdir(parents=True, exist_ok=True)
        env[f"XDG_{name}_HOME"] = str(path)
    return env


def _child(folder: Path, scenario: str, article: str, count: int, repeat: int) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.child", scenario, "--data", str(folder)]
    cmd += ["--article", article, "--count", str(count), "--repeat", str(repeat)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(folder), cwd=REPO, timeout=1800)
    for line in proc.stdout.splitlines():
        if line.startswith(measure.RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line[len(measure.RESULT_PREFIX) :])
            return result
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {"skipped": f"the child failed (exit {proc.returncode}): {' | '.join(tail)}"}


def _spawn_until(folder: Path, argv: list[str], marks: tuple[str, ...], report: str) -> dict[str, float]:
    """Start ``python -m benchmarks.startup ARGV``; return seconds from Popen to each mark, and peak RSS."""
    env = _env(folder)
    env["WARRANT_BENCH_REPORT"] = report
    cmd = [sys.executable, "-m", "benchmarks.startup", *argv]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=REPO)
    out: dict[str, float] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        word, _, rest = line.strip().partition(" ")
        if word in marks:
            out[word] = time.perf_counter() - t0
            out[f"{word}_rss"] = float(rest or 0)
        if all(m in out for m in marks):
            break
    proc.wait(timeout=120)
    if not all(m in out for m in marks):
        raise RuntimeError(f"{' '.join(cmd)} ended without reporting {marks}")
    return out


def _met(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


# -- scenarios -------------------------------------------------------------------------------------


def run_startup(folder: Path, repeat: int) -> list[Row]:
    """Start to usable: 1 MB article with 10,000 annotations, Warrant vs a bare window that reads them with sqlite3.

    Usable means the event loop is idle after the first paint of the article with its annotations
    listed (the floor: a QMainWindow with a QTextBrowser showing the text and a QListView of the
    quotes read with plain sqlite3). Interpreter start-up and imports count, as they do for a person.
    """
    fix = data.fixture(folder, "1mb", 10_000)
    warrant: list[float] = []
    floor: list[float] = []
    rss: list[float] = []
    first: list[float] = []
    for i in range(repeat + 1):
        work = data.working_copy(fix, folder / "work" / f"startup-{i}")
        w = _spawn_until(folder, ["warrant", str(fix.article), "--file", str(work)], ("PAINT", "USABLE"), "usable")
        f = _spawn_until(folder, ["floor", str(fix.article), "--annotations", str(work)], ("PAINT", "USABLE"), "usable")
        if i:  # the first pair is the warm-up (it also fills the bytecode cache)
            warrant.append(w["USABLE"])
            floor.append(f["USABLE"])
            first.append(w["PAINT"])
            rss.append(w["USABLE_rss"])
    row = Row("Start to usable, 1 MB + 10,000 annotations", measure.median(warrant), measure.median(floor))
    row.samples, row.floor_samples, row.peak_rss_mb = warrant, floor, max(rss)
    row.target = "<= 2x floor"
    row.met = row.ratio is not None and row.ratio <= 2
    row.note = f"first paint {_fmt(measure.median(first), 's')}; floor: QTextBrowser + QListView from sqlite3"
    return [row]


def run_open(folder: Path, article: str, count: int, repeat: int) -> list[Row]:
    """Open an article with its annotation file in a running window: first paint, and fully usable."""
    result = _child(folder, "open", article, count, repeat)
    label = f"Open {article.upper().replace('MB', ' MB')}, {count:,} annotations"
    if "skipped" in result:
        return [Row(label, None, None, note=result["skipped"])]
    rows = []
    for key, what in (("first", "to first paint"), ("usable", "to usable")):
        w, f = result[key]["warrant"], result[key]["floor"]
        row = Row(f"{label}: {what}", measure.median(w), measure.median(f), peak_rss_mb=result["peak_rss_mb"])
        row.samples, row.floor_samples = w, f
        if article == "1mb" and count and key == "usable":
            row.target, row.met = "<= 1 s", _met(row.warrant, 1.0)
        elif article == "10mb":
            limit = 1.0 if key == "first" else 3.0
            row.target, row.met = f"<= {limit:g} s", _met(row.warrant, limit)
        rows.append(row)
    return rows


def run_tag(folder: Path, article: str, count: int, repeat: int) -> list[Row]:
    """Key press to row committed and painted, p50 and p95, against one INSERT + commit."""
    result = _child(folder, "tag", article, count, repeat)
    label = f"Tag a passage ({count:,} there)"
    if "skipped" in result:
        return [Row(label, None, None, note=result["skipped"])]
    w, f = result["warrant"], result["floor"]
    limit = 0.016 if count <= 10_000 else 0.025
    p50 = Row(f"{label}: p50", measure.percentile(w, 50), measure.percentile(f, 50), peak_rss_mb=result["peak_rss_mb"])
    p95 = Row(f"{label}: p95", measure.percentile(w, 95), measure.percentile(f, 95), peak_rss_mb=result["peak_rss_mb"])
    p95.target, p95.met = f"<= {limit * 1000:g} ms", _met(p95.warrant, limit)
    for row in (p50, p95):
        row.samples, row.floor_samples = w, f
        row.note = f"{len(w)} taggings"
    return [p50, p95]


def run_filter(folder: Path, article: str, count: int, repeat: int) -> list[Row]:
    """Filter the pane by tag and search it, until the list has repainted; floor: a list comprehension."""
    result = _child(folder, "filter", article, count, repeat)
    if "skipped" in result:
        return [Row(f"Filter/search {count:,} rows", None, None, note=result["skipped"])]
    rows = []
    for key, what in (("tag", "Filter pane by tag"), ("search", "Search pane")):
        w, f = result[key]["warrant"], result[key]["floor"]
        row = Row(f"{what}, {count:,} rows", measure.median(w), measure.median(f), peak_rss_mb=result["peak_rss_mb"])
        row.samples, row.floor_samples = w, f
        if count >= 50_000:
            row.target, row.met = "<= 100 ms", _met(row.warrant, 0.1)
        rows.append(row)
    return rows


def run_export(folder: Path, article: str, count: int, repeat: int) -> list[Row]:
    """Every export format; floor: the same file, byte for byte, from plain sqlite3 (see benchmarks/floors.py)."""
    result = _child(folder, "export", article, count, repeat)
    if "skipped" in result:
        return [Row(f"Export {count:,} annotations", None, None, note=result["skipped"])]
    rows = []
    for fmt, r in result["formats"].items():
        label = f"Export {fmt}, {count:,} annotations"
        if "skipped" in r:
            rows.append(Row(label, None, None, note=r["skipped"][:120]))
            continue
        floor = measure.median(r["floor"]) if r["floor"] else None
        row = Row(label, measure.median(r["warrant"]), floor, peak_rss_mb=result["peak_rss_mb"])
        row.samples, row.floor_samples = r["warrant"], r["floor"]
        row.target = "<= 3x floor"
        row.met = None if row.ratio is None else row.ratio <= 3
        if fmt == "html" and count >= 200_000:
            row.target, row.met = "<= 10 s and <= 3x floor", (row.warrant or 0) <= 10 and row.met is not False
        same = {True: "same bytes as the floor", False: "**differs from the floor**", None: "no same-output floor"}
        row.note = f"{r['bytes'] / 1e6:.1f} MB; {same[r['same']]}; export peak {r['peak_mb']:.0f} MB (tracemalloc)"
        rows.append(row)
    return rows


def _exponent(sizes: list[int], times: list[float]) -> float | None:
    """The least-squares slope of log(time) on log(size): 1 is linear, 2 quadratic."""
    import math

    pairs = [(math.log(n), math.log(t)) for n, t in zip(sizes, times, strict=True) if t > 0]
    if len(pairs) < 2:
        return None
    mx = sum(x for x, _ in pairs) / len(pairs)
    my = sum(y for _, y in pairs) / len(pairs)
    sxx = sum((x - mx) ** 2 for x, _ in pairs)
    return sum((x - mx) * (y - my) for x, y in pairs) / sxx if sxx else None


def run_scaling(folder: Path, article: str, counts: tuple[int, ...], repeat: int) -> list[Row]:
    """Every export at each size, Warrant and floor, with the growth exponent per format."""
    table: dict[str, dict[int, tuple[float, float | None, float]]] = {}
    for count in counts:
        result = _child(folder, "export", article, count, repeat)
        for fmt, r in result.get("formats", {}).items():
            if "skipped" in r:
                continue
            floor = measure.median(r["floor"]) if r["floor"] else None
            table.setdefault(fmt, {})[count] = (measure.median(r["warrant"]), floor, r["peak_mb"])
    rows = []
    for fmt, by_count in table.items():
        sizes = sorted(by_count)
        ours = [by_count[n][0] for n in sizes]
        floors_ = [by_count[n][1] for n in sizes]
        exponent = _exponent(sizes, ours)
        floor_exponent = _exponent(sizes, [f for f in floors_ if f is not None]) if None not in floors_ else None
        cells = ", ".join(
            f"{n // 1000}k: {_fmt(by_count[n][0], 's')} / {_fmt(by_count[n][1], 's')}"
            + (f" ({by_count[n][0] / f:.1f}x)" if (f := by_count[n][1]) else "")
            for n in sizes
        )
        row = Row(f"Scaling: export {fmt}", ours[-1], floors_[-1], peak_rss_mb=max(p for _, _, p in by_count.values()))
        row.target = "exponent <= 1.15"
        row.met = None if exponent is None else exponent <= 1.15
        floor_text = f"{floor_exponent:.2f}" if floor_exponent is not None else "—"
        row.note = f"exponent {exponent:.2f} (floor {floor_text}); Warrant / floor: {cells}"
        rows.append(row)
    return rows


def run_qda(folder: Path, article: str, count: int, repeat: int) -> list[Row]:
    """10,000 passages to .qdpx and .xlsx; floor: lxml / XlsxWriter writing the same file directly."""
    result = _child(folder, "qda-export", article, count, repeat)
    if "skipped" in result:
        return [Row(f"Export qdpx/xlsx, {count:,} passages", None, None, note=result["skipped"])]
    rows = []
    for fmt, r in result["formats"].items():
        row = Row(f"Export {fmt} (QDA), {count:,} passages", measure.median(r["warrant"]), measure.median(r["floor"]))
        row.peak_rss_mb, row.samples, row.floor_samples = result["peak_rss_mb"], r["warrant"], r["floor"]
        row.target = "<= 3x floor"
        row.met = row.ratio is not None and row.ratio <= 3
        row.note = f"{r['bytes'] / 1e6:.1f} MB; floor: the library writing the same file (same output: {r['same']})"
        rows.append(row)
    return rows


def _single(
    scenario: str, label: str, limit: float, note: Callable[[dict[str, Any]], str]
) -> Callable[[Path, str, int, int], list[Row]]:
    def run(folder: Path, article: str, count: int, repeat: int) -> list[Row]:
        result = _child(folder, scenario, article, count, repeat)
        text = label.format(count=count)
        if "skipped" in result:
            return [Row(text, None, None, note=result["skipped"])]
        row = Row(text, measure.median(result["warrant"]), measure.median(result["floor"]))
        row.peak_rss_mb = result["peak_rss_mb"]
        row.samples, row.floor_samples = result["warrant"], result["floor"]
        row.target, row.met = f"<= {limit:g} s", _met(row.warrant, limit)
        row.note = note(result)
        return [row]

    return run


run_import = _single(
    "import", "Import W3C, {count:,} annotations", 1.0, lambda r: "floor: json.loads + INSERT of the same items"
)
run_compare = _single(
    "compare", "Compare two files of {count:,}", 1.0, lambda r: "floor: read both, match exact spans in a dict"
)
run_reanchor = _single(
    "reanchor",
    "Re-anchor {count:,} after an edit",
    2.0,
    lambda r: (
        "placed "
        + ", ".join(f"{k} {v}" for k, v in r.get("placed", {}).items() if v)
        + "; floor: str.find near the old offset"
    ),
)


def run_document(folder: Path, kind: str, count: int, repeat: int) -> list[Row]:
    """Open a PDF of ``count`` pages or a docx of ``count`` bytes (benchmarks/scenarios_documents.py)."""
    result = _child(folder, kind, "", count, repeat)
    label = f"Open a {count}-page PDF" if kind == "pdf" else f"Open a {count / 1024 / 1024:g} MB docx"
    if "skipped" in result:
        return [Row(label, None, None, note=result["skipped"])]
    limits = {"pdf": {"first": 1.0} if count <= 100 else {"usable": 5.0}, "docx": {"usable": 1.0}}[kind]
    rows = []
    for key, what in (("first", "to first paint"), ("usable", "to usable")):
        w, f = result[key]["warrant"], result[key]["floor"]
        row = Row(f"{label}: {what}", measure.median(w), measure.median(f), peak_rss_mb=result["peak_rss_mb"])
        row.samples, row.floor_samples = w, f
        if key in limits:
            row.target, row.met = f"<= {limits[key]:g} s", _met(row.warrant, limits[key])
        row.note = (
            f"progress reports: {max(result['progress_reports'], default=0)}; floor: library text + QPlainTextEdit"
        )
        rows.append(row)
    return rows


def run_ach(folder: Path, article: str, count: int, repeat: int) -> list[Row]:
    """Issue 17: a rating key on a 20 x ``count`` ACH matrix until the view has repainted, p50 and p95."""
    result = _child(folder, "ach", article, count, repeat)
    label = f"Rate an ACH cell (20 x {count:,})"
    if "skipped" in result:
        return [Row(label, None, None, note=result["skipped"])]
    w, f = result["warrant"], result["floor"]
    rows = []
    for q in (50, 95):
        row = Row(
            f"{label}: p{q}", measure.percentile(w, q), measure.percentile(f, q), peak_rss_mb=result["peak_rss_mb"]
        )
        row.samples, row.floor_samples = w, f
        row.note = f"{len(w)} ratings; floor: one UPDATE + commit + one dataChanged of a plain model"
        rows.append(row)
    rows[1].target, rows[1].met = "<= 16 ms", _met(rows[1].warrant, 0.016)
    return rows


def run_memory(folder: Path, repeat: int) -> list[Row]:
    """Start Warrant on a 10 MB article with 50,000 annotations until usable: time and peak RSS vs the floor."""
    fix = data.fixture(folder, "10mb", 50_000)
    samples: list[dict[str, float]] = []
    floors: list[dict[str, float]] = []
    for i in range(max(1, repeat)):
        work = data.working_copy(fix, folder / "work" / f"memory-{i}")
        samples.append(
            _spawn_until(folder, ["warrant", str(fix.article), "--file", str(work)], ("PAINT", "USABLE"), "usable")
        )
        floors.append(_spawn_until(folder, ["floor", str(fix.article), "--plain"], ("PAINT", "USABLE"), "usable"))
    w_rss = measure.median([s["USABLE_rss"] for s in samples])
    f_rss = measure.median([s["USABLE_rss"] for s in floors])
    rows = []
    for mark, what, limit in (("PAINT", "to first paint", None), ("USABLE", "to usable", None)):
        w = [s[mark] for s in samples]
        f = [s[mark] for s in floors]
        row = Row(f"Start with 10 MB, 50,000 annotations: {what}", measure.median(w), measure.median(f))
        row.samples, row.floor_samples, row.peak_rss_mb = w, f, w_rss
        row.note = "from process start; floor: QPlainTextEdit"
        del limit
        rows.append(row)
    mem = Row("Peak memory, 10 MB + 50,000 annotations", w_rss, f_rss, unit="MB", peak_rss_mb=w_rss)
    mem.target = "< 300 MB over floor"
    mem.met = w_rss - f_rss < 300
    mem.note = f"{w_rss - f_rss:.0f} MB over the floor"
    rows.append(mem)
    return rows


# -- output ----------------------------------------------------------------------------------------


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "MB":
        return f"{value:.0f} MB"
    if value < 0.001:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    head = "| Scenario | Warrant | Floor | Ratio | Peak RSS | Target | Met | Notes |"
    lines = [head, "|---|---:|---:|---:|---:|---|---|---|"]
    for r in rows:
        ratio = f"{r.ratio:.1f}x" if r.ratio is not None else "—"
        rss = f"{r.peak_rss_mb:.0f} MB" if r.peak_rss_mb else "—"
        met = {True: "yes", False: "**no**", None: ""}[r.met]
        cells = [r.scenario, _fmt(r.warrant, r.unit), _fmt(r.floor, r.unit), ratio, rss, r.target, met, r.note]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plan(quick: bool) -> list[tuple[str, Callable[..., list[Row]], tuple[Any, ...]]]:
    """The scenarios to run: (name, function, arguments after the data folder)."""
    if quick:
        return [
            ("startup", run_startup, (3,)),
            ("open-1mb-10k", run_open, ("1mb", 10_000, 2)),
            ("tag-10k", run_tag, ("1mb", 10_000, 40)),
            ("filter-10k", run_filter, ("1mb", 10_000, 3)),
            ("export-10k", run_export, ("1mb", 10_000, 1)),
            ("scaling", run_scaling, ("1mb", (1_000, 4_000), 1)),
            ("import-10k", run_import, ("1mb", 10_000, 2)),
            ("compare-10k", run_compare, ("1mb", 10_000, 2)),
            ("reanchor-10k", run_reanchor, ("1mb", 10_000, 2)),
            ("qda-export-10k", run_qda, ("1mb", 10_000, 2)),
            ("pdf-60", run_document, ("pdf", 60, 2)),
            ("docx-1mb", run_document, ("docx", 1024 * 1024, 2)),
            ("ach-20x500", run_ach, ("", 500, 40)),
        ]
    return [
        ("startup", run_startup, (9,)),
        ("open-1mb-0", run_open, ("1mb", 0, 5)),
        ("open-1mb-10k", run_open, ("1mb", 10_000, 5)),
        ("open-10mb-0", run_open, ("10mb", 0, 3)),
        ("open-10mb-10k", run_open, ("10mb", 10_000, 3)),
        ("tag-10k", run_tag, ("1mb", 10_000, 200)),
        ("tag-50k", run_tag, ("10mb", 50_000, 200)),
        ("filter-50k", run_filter, ("10mb", 50_000, 7)),
        ("export-10k", run_export, ("1mb", 10_000, 5)),
        ("export-200k", run_export, ("10mb", 200_000, 2)),
        ("scaling", run_scaling, ("10mb", (1_000, 10_000, 50_000, 200_000), 2)),
        ("open-50mb-0", run_open, ("50mb", 0, 2)),
        ("import-10k", run_import, ("1mb", 10_000, 5)),
        ("compare-10k", run_compare, ("1mb", 10_000, 5)),
        ("reanchor-10k", run_reanchor, ("1mb", 10_000, 5)),
        ("qda-export-10k", run_qda, ("1mb", 10_000, 5)),
        ("pdf-60", run_document, ("pdf", 60, 5)),
        ("pdf-500", run_document, ("pdf", 500, 3)),
        ("docx-1mb", run_document, ("docx", 1024 * 1024, 5)),
        ("ach-20x500", run_ach, ("", 500, 200)),
        ("memory-10mb-50k", run_memory, (2,)),
        ("packaged", packaged.rows, (Row, 5)),  # the desktop build vs the venv (after packaging/build.sh)
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a subset (1 MB, 10,000 annotations) in under a minute")
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the rows, with every sample, as JSON")
    parser.add_argument("--data", metavar="DIR", type=Path, help="keep the generated data here (reused next time)")
    parser.add_argument("--only", metavar="NAME", action="append", help="run only these scenarios (repeatable)")
    args = parser.parse_args(argv)
    folder = args.data or Path(tempfile.mkdtemp(prefix="warrant-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rows: list[Row] = []
    try:
        for name, function, params in plan(args.quick):
            if args.only and name not in args.only:
                continue
            t = time.perf_counter()
            print(f"running {name} ...", file=sys.stderr, flush=True)
            rows.extend(function(folder, *params))
            print(f"  {name} took {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
    finally:
        if args.data is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(table(rows))
    print(
        f"\n{len(rows)} rows in {time.perf_counter() - started:.0f} s on {os.cpu_count()} cores; Python {sys.version.split()[0]}"
    )
    if args.json:
        payload = {
            "command": "python -m benchmarks" + (" --quick" if args.quick else ""),
            "cores": os.cpu_count(),
            "python": sys.version.split()[0],
            "rows": [{**asdict(r), "ratio": r.ratio} for r in rows],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
