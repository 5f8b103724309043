"""SIGKILL the real program at random moments while it edits, copies and exports: nothing reported is lost, nothing is half-done.

Each run is ``tests/e2e/driver.py`` (the real ``desktop.ui.app.main`` and ``MainWindow`` over the
real store, offscreen), which makes random edits through the window and prints each one as it is
committed. The test kills it with SIGKILL after a random number of edits plus a random few
milliseconds (or at a random moment of its start-up), then reads the file with plain sqlite3:
``integrity_check`` is ``ok``, and the file holds exactly the state after the last reported edit,
or after one more edit that was committed but not yet reported. The next run reopens the same
file (recovering its WAL) and must start from that state. The seed is fixed; the moments of the
kills are not, and need not be.

The fifty kills fork their runs from ``driver.py --serve`` (the modules imported once, each run a
fresh process with its own QApplication); the copy and export kills too. The two-row retag and the
empty-file tests start new interpreters.
"""

from __future__ import annotations

import collections
import csv
import io
import random
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from desktop.core import anchoring, documents, store

# The harness lives beside the end-to-end tests, which import it as ``harness``; the same module here.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "e2e"))
import harness

SEED = 20240611
KILLS = 50
WORKERS = 2
RUNS_WHOLE_FILE = 8
EMPTY: dict[str, dict[str, list[Any]]] = {"a": {}, "l": {}}
RESULTS: dict[str, Any] = {}
"""Figures of this run, printed by each test (``pytest -s`` shows them), for docs/RELIABILITY.md."""


@dataclass
class Tally:
    """What one worker saw."""

    kills: int = 0
    reported: int = 0
    outcomes: collections.Counter[str] = field(default_factory=collections.Counter)
    ops: collections.Counter[str] = field(default_factory=collections.Counter)


def driver_args(path: Path, seed: int, *extra: str) -> list[str]:
    return [str(harness.SEED), "--file", str(path), "--seed", str(seed), *extra]


def spawn(path: Path, home: Path, seed: int, *extra: str, server: Any = None) -> Any:
    """Start the driver on ``path`` (forked from ``server``, or a new interpreter); stderr goes to a file."""
    stderr = home / f"stderr-{seed}.txt"
    if server is not None:
        return server.start(driver_args(path, seed, *extra), stderr)
    return harness.run_driver(home, driver_args(path, seed, *extra), stderr)


def kill_after(run: Any, *, marker: str, count: int, jitter: float) -> list[str]:
    """Read lines until the ``count``-th line starting with ``marker``, wait ``jitter`` s, SIGKILL; return every line."""
    watchdog = threading.Timer(60, run.kill)
    watchdog.start()
    lines: list[str] = []
    seen = 0
    try:
        for line in run.stdout:
            lines.append(line)
            if line.startswith("ERROR"):
                break
            if line.startswith(marker):
                seen += 1
                if seen >= count:
                    time.sleep(jitter)
                    break
        run.kill()
        lines.extend(run.stdout)
        run.wait()
    finally:
        watchdog.cancel()
        run.stdout.close()
    return lines


def kill_at(run: Any, delay: float) -> list[str]:
    """SIGKILL ``delay`` seconds after the start, wherever the program is (starting up, opening, editing)."""
    timer = threading.Timer(delay, run.kill)
    timer.start()
    try:
        lines = list(run.stdout)
        run.wait()
    finally:
        timer.cancel()
        run.stdout.close()
    return lines


def stderr_of(home: Path, seed: int) -> str:
    return (home / f"stderr-{seed}.txt").read_text(errors="replace")[-2000:]


def check_after_kill(path: Path, before: Any, lines: list[str], tally: Tally, label: str) -> Any:
    """Verify the file after a kill; return its state (the next run must start from it)."""
    t = harness.parse(lines)
    assert not t.errors, f"{label}: the driver reported {t.errors}"
    if t.start is not None:
        assert t.start == before, f"{label}: the window opened with {t.start}, the file held {before}"
    last = t.last if t.last is not None else before
    if not path.exists():
        assert t.start is None and before == EMPTY, f"{label}: the file vanished"
        tally.outcomes["killed before the file was created"] += 1
        return EMPTY
    assert path.stat().st_size > 0, f"{label}: the kill left an empty file (see test_crash_while_the_file_is_created)"
    fs = harness.read_file(path)
    assert fs.integrity == "ok", f"{label}: integrity_check says {fs.integrity}"
    assert fs.foreign_key_problems == [], f"{label}: dangling references {fs.foreign_key_problems}"
    assert fs.bad_quotes == [], f"{label}: quotes that are not the text at their offsets: {fs.bad_quotes}"
    if harness.matches(fs.state, last):
        if t.start is None:
            tally.outcomes["killed before the window opened the file"] += 1
        elif t.pending is not None:
            tally.outcomes["last reported edit (next one not committed)"] += 1
        else:
            tally.outcomes["last reported edit"] += 1
    elif t.pending is not None and harness.matches(fs.state, t.pending):
        tally.outcomes["one more edit, committed but not yet reported"] += 1
    else:
        pytest.fail(f"{label}: the file holds {fs.state}\nlast reported: {last}\nannounced next: {t.pending}")
    tally.reported += len(t.done)
    tally.ops.update(op for _, op, _ in t.done)
    return fs.state


def worker(index: int, runs: int, base: Path) -> Tally:
    """Start, edit, kill, check, ``runs`` times on one file."""
    rng = random.Random(SEED + index)
    home = base / f"worker{index}"
    home.mkdir()
    path = home / "crash.warrant"
    state: Any = EMPTY
    tally = Tally()
    server = harness.ForkServer(home)
    try:
        for number in range(runs):
            seed = SEED * 100 + index * 1000 + number
            run = spawn(path, home, seed, server=server)
            if number > 0 and rng.random() < 0.15:
                lines = kill_at(run, rng.uniform(0.01, 0.4))
            else:
                lines = kill_after(run, marker="DONE", count=rng.randint(1, 6), jitter=rng.uniform(0, 0.03))
            label = f"worker {index} run {number} (driver seed {seed})"
            assert run.returncode == -signal.SIGKILL, (
                f"{label}: exit {run.returncode}\n{stderr_of(home, seed)}\n" + "\n".join(lines[-5:])
            )
            tally.kills += 1
            try:
                state = check_after_kill(path, state, lines, tally, label)
            except BaseException:
                print(stderr_of(home, seed))
                raise
    finally:
        server.close()
    return tally


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing_reported(tmp_path: Path) -> None:
    started = time.monotonic()
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(worker, i, KILLS // WORKERS, tmp_path) for i in range(WORKERS)]
        tallies = [f.result() for f in futures]
    total = Tally()
    for t in tallies:
        total.kills += t.kills
        total.reported += t.reported
        total.outcomes.update(t.outcomes)
        total.ops.update(t.ops)
    RESULTS["random kills"] = {
        "kills": total.kills,
        "edits reported and verified": total.reported,
        "outcomes": dict(total.outcomes),
        "edits by kind": dict(total.ops),
        "seconds": round(time.monotonic() - started, 1),
    }
    print(RESULTS["random kills"])
    assert total.kills >= KILLS
    assert total.reported >= KILLS  # the kills did not all land at start-up
    assert {"tag", "delete", "undo"} <= set(total.ops)


def test_sigkill_inside_a_two_row_retag(tmp_path: Path) -> None:
    """The driver SIGKILLs itself between the two row updates of one retag (press 2 with two rows selected)."""
    path = tmp_path / "retag.warrant"
    run = spawn(path, tmp_path, 7, "--multi-retag", "--kill-on-update", "2")
    lines = kill_at(run, 60)
    assert run.returncode == -signal.SIGKILL, stderr_of(tmp_path, 7)
    t = harness.parse(lines)
    assert t.pending is not None and t.done, "the driver did not reach a two-row retag"
    before = {k: v[0] for k, v in t.last["a"].items()}
    after = {k: v[0] for k, v in t.pending["a"].items()}
    assert sum(before[k] != after[k] for k in before) == 2, "the announced edit is not a two-row retag"
    fs = harness.read_file(path)
    assert fs.integrity == "ok"
    got = {k: v[0] for k, v in fs.state["a"].items()}
    assert got in (before, after), f"a two-row retag was left half done: before {before}, file {got}, after {after}"
    assert harness.matches(fs.state, t.last) or harness.matches(fs.state, t.pending)


def _old_copy(path: Path) -> bytes:
    """A complete annotation file with a state of its own, to be overwritten by the copy."""
    with store.Store.open(path, annotator="old") as st:
        doc = st.add_document(documents.load(harness.SEED))
        annotation = anchoring.new_annotation(doc, 0, 8, "evidence", author="old", note="the old copy")
        assert annotation is not None
        st.insert_annotation(annotation)
    return path.read_bytes()


def _whole_file_kills(tmp_path: Path, mode: str, dest: Path, runs: int, check_new: Any) -> collections.Counter[str]:
    """Kill the driver while it rewrites ``dest`` again and again; ``dest`` is always a whole file."""
    rng = random.Random(SEED + len(mode))
    source = tmp_path / "source.warrant"
    outcomes: collections.Counter[str] = collections.Counter()
    server = harness.ForkServer(tmp_path)
    try:
        for number in range(runs):
            old = dest.read_bytes()
            temporary = {p.name for p in dest.parent.iterdir() if p.name.endswith(".tmp")}
            seed = 500 + number
            run = spawn(source, tmp_path, seed, "--mode", mode, "--dest", str(dest), "--tags-first", "2", server=server)
            # Two tags are made first, then the copy or export is written in a loop: the kill lands
            # before, inside or between writes of the destination.
            lines = kill_after(run, marker="DONE", count=2, jitter=rng.uniform(0, 0.08))
            assert run.returncode == -signal.SIGKILL, stderr_of(tmp_path, seed)
            t = harness.parse(lines)
            assert not t.errors, t.errors
            if dest.read_bytes() == old:
                outcomes["old file"] += 1
            else:
                check_new(dest, t.last)
                outcomes["complete new file"] += 1
            if {p.name for p in dest.parent.iterdir() if p.name.endswith(".tmp")} - temporary:
                outcomes["killed mid-write (a temporary file was left)"] += 1
    finally:
        server.close()
    return outcomes


def test_sigkill_during_save_copy(tmp_path: Path) -> None:
    dest = tmp_path / "copy.warrant"
    _old_copy(dest)

    def check_new(path: Path, state: Any) -> None:
        assert not path.with_name(path.name + "-wal").exists(), "a copy must be one file"
        fs = harness.read_file(path)
        assert fs.integrity == "ok"
        assert fs.state == state, "the copy is not the state it was made from"
        assert fs.bad_quotes == []

    outcomes = _whole_file_kills(tmp_path, "save_copy", dest, RUNS_WHOLE_FILE, check_new)
    RESULTS["save copy kills"] = dict(outcomes)
    print(outcomes)
    assert outcomes["old file"] + outcomes["complete new file"] == RUNS_WHOLE_FILE


def test_sigkill_during_export(tmp_path: Path) -> None:
    """The driver exports through the window's own path (the export dialog's job, the registry's csv row)."""
    dest = tmp_path / "passages.csv"
    dest.write_bytes(b"the old export\n")

    def check_new(path: Path, state: Any) -> None:
        rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
        got = {r["id"]: [r["tag"], int(r["start"]), int(r["end"]), r["note"]] for r in rows}
        assert got == state["a"], "the export is not complete"

    outcomes = _whole_file_kills(tmp_path, "export", dest, RUNS_WHOLE_FILE, check_new)
    RESULTS["export kills"] = dict(outcomes)
    print(outcomes)
    assert outcomes["old file"] + outcomes["complete new file"] == RUNS_WHOLE_FILE


def test_crash_while_the_file_is_created(tmp_path: Path) -> None:
    """A kill while a new annotation file is being made leaves no file at its name (never an empty or
    half-made one), and the next start makes it afresh."""
    path = tmp_path / "new.warrant"
    code = (
        "import os, signal, sys\n"
        f"sys.path.insert(0, {str(harness.REPO)!r})\n"
        "from desktop.core import migrations, store\n"
        "real = migrations.m001_initial\n"
        "def dying(db):\n"
        "    real(db)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "migrations.STEPS = (dying,)\n"
        f"store.Store.open({str(path)!r})\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert not path.exists(), "a half-made annotation file was left under its real name"
    with store.Store.open(path) as st:
        assert st.integrity() == "ok" and [t.name for t in st.tags()] == ["claim", "evidence", "recommendation"]
