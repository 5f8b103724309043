"""Scenarios without a window: exports, the W3C import, comparing two files, re-anchoring after an edit.

Each uses the core modules when this version of Warrant has them and reports ``skipped`` with the
reason otherwise, so the benchmark runs at every stage of the project.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import sqlite3
import time
from pathlib import Path
from typing import Any

from benchmarks import data, measure
from desktop.core import model, store, untrusted


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            return None
        raise


def _peak_during(function: Any) -> tuple[float, float]:
    """Run ``function``; return (seconds, peak memory in MiB above what this process held before it)."""
    import tracemalloc

    tracemalloc.start()
    t0 = time.perf_counter()
    function()
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    tracemalloc.stop()
    return elapsed, peak


def _same_bytes(a: Path, b: Path) -> bool:
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def scenario_export(folder: Path, article: str, count: int, repeat: int) -> dict[str, Any]:
    """Each export format of ``count`` annotations to a file, against a floor that writes the same bytes.

    The floors (:mod:`benchmarks.floors`) read the file with plain sqlite3 and write the same file with
    csv, json or html.escape; Warrant and the floor alternate, sample by sample, in this one process.
    The export time is frozen (``model.now_utc``) so that both write the same "exported" line.
    """
    exchange = _module("desktop.core.exchange")
    if exchange is None or not hasattr(exchange, "export"):
        return {"skipped": "desktop.core.exchange has no export() in this version"}
    from benchmarks import floors
    from desktop.core.exchange import report

    fix = data.fixture(folder, article, count)
    scratch = folder / "work" / f"export-{os.getpid()}"
    work = data.working_copy(fix, scratch)
    source = store.Store.open(work, create=False)
    stamp = "2024-01-01T00:00:00.000Z"
    model.now_utc = lambda: stamp  # the reports' "exported" line, the same in both files
    floor_writers = {
        "csv": lambda o: floors.csv_floor(work, o),
        "w3c": lambda o: floors.w3c_floor(work, o),
        "markdown": lambda o: floors.markdown_floor(work, o, stamp),
        "html": lambda o: floors.html_floor(work, o, stamp, report._CSS, report.CSP),
    }
    results: dict[str, Any] = {}
    wanted = os.environ.get("WARRANT_BENCH_FORMATS")
    for fmt in [f for f in exchange.FORMATS if not wanted or f in wanted.split(",")]:
        out = scratch / f"export{exchange.extension(fmt)}"
        floor_out = scratch / f"floor{exchange.extension(fmt)}"
        floor = floor_writers.get(fmt)
        ours: list[float] = []
        theirs: list[float] = []
        peak = 0.0
        try:
            for i in range(repeat + 1):
                if i == 0:  # the warm-up run, measured for memory (tracemalloc slows it down)
                    _, peak = _peak_during(lambda f=fmt, o=out: exchange.export(source, f, o))
                else:
                    t0 = time.perf_counter()
                    exchange.export(source, fmt, out)
                    ours.append(time.perf_counter() - t0)
                if floor is not None:
                    t0 = time.perf_counter()
                    floor(floor_out)
                    if i:
                        theirs.append(time.perf_counter() - t0)
        except Exception as exc:
            results[fmt] = {"skipped": f"{type(exc).__name__}: {exc}"}
            continue
        same = _same_bytes(out, floor_out) if floor is not None else None
        results[fmt] = {"warrant": ours, "floor": theirs, "bytes": out.stat().st_size, "same": same, "peak_mb": peak}
    source.close()
    return {"formats": results, "peak_rss_mb": measure.peak_rss_mb()}


def scenario_import(folder: Path, article: str, count: int, repeat: int) -> dict[str, Any]:
    """Import a W3C file of ``count`` annotations into a file holding the article but no tags yet."""
    exchange = _module("desktop.core.exchange")
    w3c = _module("desktop.core.exchange.w3c")
    if exchange is None or w3c is None or not hasattr(w3c, "import_file"):
        return {"skipped": "desktop.core.exchange.w3c has no import_file() in this version"}
    fix = data.fixture(folder, article, count)
    empty = data.fixture(folder, article, 0)
    scratch = folder / "work" / f"import-{os.getpid()}"
    source = store.Store.open(data.working_copy(fix, scratch), create=False)
    w3c_path = scratch / "annotations.jsonld"
    exchange.export(source, "w3c", w3c_path)
    source.close()
    samples: list[float] = []
    imported = 0
    for i in range(repeat + 1):
        target_path = data.working_copy(empty, scratch / f"target-{i}")
        target = store.Store.open(target_path, create=False)
        t0 = time.perf_counter()
        report = w3c.import_file(target, w3c_path)
        elapsed = time.perf_counter() - t0
        imported = target.annotation_count()
        target.close()
        if i:
            samples.append(elapsed)
    del report

    def floor_once(i: int) -> float:
        path = scratch / f"floor-{i}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE annotations (id TEXT PRIMARY KEY, body TEXT, target TEXT)")
        t0 = time.perf_counter()
        items = json.loads(w3c_path.read_bytes())
        items = items.get("items", items.get("first", {}).get("items", [])) if isinstance(items, dict) else items
        conn.executemany(
            "INSERT INTO annotations VALUES (?, ?, ?)",
            [(str(o.get("id")), json.dumps(o.get("body")), json.dumps(o.get("target"))) for o in items],
        )
        conn.commit()
        elapsed = time.perf_counter() - t0
        conn.close()
        return elapsed

    floor = [floor_once(i) for i in range(repeat + 1)][1:]
    return {"warrant": samples, "floor": floor, "imported": imported, "peak_rss_mb": measure.peak_rss_mb()}


def _colleague_file(folder: Path, fix: data.Fixture) -> Path:
    """A colleague's file on the same article: half my passages (a third retagged), half their own."""
    path = folder / f"colleague-{fix.annotations.stem}.warrant"
    if path.exists():
        return path
    doc, mine, _ = data.load_rows(fix)
    rng = random.Random(5)
    theirs, links = data.make_annotations(doc, len(mine) // 2, seed=8)
    tags = ("claim", "evidence", "recommendation")
    for a in rng.sample(mine, len(mine) - len(theirs)):
        retag = rng.random() < 1 / 3
        theirs.append(
            a.replace(
                id=model.new_id(),
                author="colleague",
                tag=rng.choice(tags) if retag else a.tag,
            )
        )
    theirs = [a.replace(author="colleague") for a in theirs]
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    st = store.Store.open(partial, annotator="colleague")
    try:
        st.add_document(doc)
        st.insert_annotations(theirs, [k.replace(author="colleague") if hasattr(k, "replace") else k for k in links])
    finally:
        st.close()
    partial.replace(path)
    return path


def scenario_compare(folder: Path, article: str, count: int, repeat: int) -> dict[str, Any]:
    """Compare my file with a colleague's (``count`` annotations each), as ``warrant compare`` does."""
    review = _module("desktop.core.review")
    if review is None or not hasattr(review, "review") or not hasattr(untrusted, "open_untrusted"):
        return {"skipped": "desktop.core.review has no review() in this version"}
    fix = data.fixture(folder, article, count)
    theirs_path = _colleague_file(folder, fix)

    def compare() -> Any:
        mine = untrusted.open_untrusted(fix.annotations)
        theirs = untrusted.open_untrusted(theirs_path)
        result = review.review(mine, [theirs])
        review.report_data(result)
        return result

    samples = measure.timed(compare, repeat=repeat)

    def floor_once() -> int:
        found = []
        for path in (fix.annotations, theirs_path):
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            found.append(conn.execute('SELECT start, "end", tag FROM annotations').fetchall())
            conn.close()
        by_span = {(s, e): t for s, e, t in found[0]}
        return sum(1 for s, e, t in found[1] if by_span.get((s, e)) == t)

    floor = measure.timed(floor_once, repeat=repeat)
    return {"warrant": samples, "floor": floor, "peak_rss_mb": measure.peak_rss_mb()}


def edited(text: str, seed: int = 3) -> str:
    """An edited version of ``text``: every ~4 KB a sentence inserted, a word dropped or a word changed."""
    rng = random.Random(seed)
    out: list[str] = []
    pos = 0
    while pos < len(text):
        step = rng.randint(2000, 6000)
        chunk = text[pos : pos + step]
        cut = chunk.rfind(" ")
        if cut > 0 and pos + step < len(text):
            roll = rng.random()
            if roll < 0.4:
                chunk = chunk[:cut] + " (an editor's insertion here)" + chunk[cut:]
            elif roll < 0.7:
                nxt = chunk.find(" ", cut + 1)
                chunk = chunk[:cut] + (chunk[nxt:] if nxt > 0 else chunk[cut:])
            else:
                chunk = chunk[:cut] + " altered" + chunk[cut:]
        out.append(chunk)
        pos += step
    return "".join(out)


def scenario_reanchor(folder: Path, article: str, count: int, repeat: int) -> dict[str, Any]:
    """Re-anchor ``count`` annotations onto an edited version of their article."""
    reanchor = _module("desktop.core.reanchor")
    if reanchor is None or not hasattr(reanchor, "reanchor"):
        return {"skipped": "desktop.core.reanchor has no reanchor() in this version"}
    fix = data.fixture(folder, article, count)
    doc, rows, _ = data.load_rows(fix)
    new = edited(doc.text)
    result: list[Any] = []
    samples = measure.timed(
        lambda: result.append(reanchor.reanchor(rows, doc.text, new, document="edited")), repeat=repeat
    )
    counts = result[-1].counts()

    def floor_once() -> int:
        shift = len(new) - len(doc.text)
        found = 0
        for a in rows:
            lo = max(0, a.start - 3000 + min(0, shift))
            found += new.find(a.quote, lo, a.end + 3000 + max(0, shift)) >= 0
        return found

    floor = measure.timed(floor_once, repeat=repeat)
    return {"warrant": samples, "floor": floor, "placed": counts, "peak_rss_mb": measure.peak_rss_mb()}
