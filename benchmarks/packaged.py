"""The desktop build (packaging/build.sh) against the venv: size on disk and start to first paint / usable.

Both programs run the same way, ``PROGRAM --smoke-test SEED``: the hidden flag prints ``smoke: painted``
at the article's first paint and ``smoke: usable PATH`` once its annotation file is open, then quits.
The time is from ``Popen`` to each line, interpreter start-up and imports included; the venv's
``python main.py`` is the reference ("floor") measured in the same run, alternating with the build.
The size's reference is what the venv must hold for the same program: the files of Warrant's runtime
libraries (PySide6, shiboken6, sqlite-utils ... as their metadata lists them), Python not counted.

    python -m benchmarks --only packaged              # after packaging/build.sh
    WARRANT_DIST=/path/to/dist/warrant python -m benchmarks --only packaged
"""

from __future__ import annotations

import importlib.metadata
import io
import os
import re
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

from benchmarks import data, measure

REPO = Path(__file__).resolve().parent.parent


def dist_folder() -> Path:
    """The built program's folder: $WARRANT_DIST, else dist/warrant in the repository."""
    return Path(os.environ.get("WARRANT_DIST") or REPO / "dist" / "warrant")


def _env(folder: Path, frozen: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "QT_", "PYTHON", "WARRANT_"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    if not frozen:
        env["PYTHONPATH"] = str(REPO)
    for name in ("DATA", "CONFIG", "CACHE"):
        path = folder / "xdg" / name.lower()
        path.mkdir(parents=True, exist_ok=True)
        env[f"XDG_{name}_HOME"] = str(path)
    return env


def _start(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from Popen to ``smoke: painted`` and to ``smoke: usable``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    marks: dict[str, float] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("smoke: painted"):
            marks["painted"] = time.perf_counter() - t0
        elif line.startswith("smoke: usable"):
            marks["usable"] = time.perf_counter() - t0
            break
    _, err = proc.communicate(timeout=120)
    if proc.returncode != 0 or len(marks) != 2:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode} with {marks}: {err.strip()[-300:]}")
    return marks["painted"], marks["usable"]


def _folder_bytes(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _compressed_bytes(path: Path) -> int:
    """Size of the folder as a .tar.gz (what a download of it weighs)."""

    class Counter(io.RawIOBase):
        def __init__(self) -> None:
            self.count = 0

        def writable(self) -> bool:
            return True

        def write(self, b: Any) -> int:
            self.count += len(b)
            return len(b)

    sink = Counter()
    with tarfile.open(fileobj=sink, mode="w:gz", compresslevel=6) as tar:
        tar.add(path, arcname=path.name)
    return sink.count


def _venv_library_bytes() -> int:
    """The files of Warrant's runtime libraries installed in this environment (the About dialog's list)."""
    total = 0
    pending = ["warrant"]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        key = name.lower().replace("_", "-")
        if key in seen or key in ("pip", "setuptools", "wheel"):
            continue
        seen.add(key)
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        for file in dist.files or []:
            located = Path(str(dist.locate_file(file)))
            if located.is_file():
                total += located.stat().st_size
        for requirement in dist.requires or []:
            spec, _, marker = requirement.partition(";")
            match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
            if match and "extra" not in marker:
                pending.append(match.group(1))
    return total


def rows(folder: Path, row: Any, repeat: int) -> list[Any]:
    """Rows of the table (``row`` is the table's row class): size, first paint and usable, build vs venv."""
    dist = dist_folder()
    program = dist / "warrant"
    if not program.exists():
        return [row("Desktop build vs venv", None, None, note=f"no build at {dist}: run packaging/build.sh")]
    seed = data.write_article(folder, "seed")
    frozen_cmd = [str(program), "--smoke-test", str(seed)]
    venv_cmd = [sys.executable, str(REPO / "main.py"), "--smoke-test", str(seed)]
    built: list[tuple[float, float]] = []
    venv: list[tuple[float, float]] = []
    for i in range(repeat + 1):
        b = _start(frozen_cmd, _env(folder, frozen=True))
        v = _start(venv_cmd, _env(folder, frozen=False))
        if i:  # the first pair is the warm-up (page cache; it also creates the seed's annotation file)
            built.append(b)
            venv.append(v)
    out = []
    for index, what in ((0, "first paint"), (1, "usable")):
        w = [s[index] for s in built]
        f = [s[index] for s in venv]
        r = row(f"Desktop build: start to {what}, seed article", measure.median(w), measure.median(f))
        r.samples, r.floor_samples = w, f
        r.note = "floor: the venv's python main.py, same flag, same run"
        out.append(r)
    size = row("Desktop build: size on disk", _folder_bytes(dist) / 1e6, _venv_library_bytes() / 1e6, unit="MB")
    size.note = f"{_compressed_bytes(dist) / 1e6:.0f} MB as .tar.gz; floor: the runtime libraries in the venv"
    out.append(size)
    return out
