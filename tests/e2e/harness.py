"""Helpers shared by the end-to-end and crash tests: the subprocess environment, the driver's protocol, the file's state.

The annotation file is read here with plain ``sqlite3`` in read-only mode, not through the store, so
the check does not share code with what it checks and leaves a crashed file's WAL for the program to
recover on its next start.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parent.parent.parent
SEED = REPO / "seeds" / "russian-iranian-alliance.txt"
DRIVER = Path(__file__).resolve().with_name("driver.py")
MAIN = REPO / "main.py"
PYTHON = sys.executable

State = dict[str, dict[str, list[Any]]]


def env(base: Path, **extra: str) -> dict[str, str]:
    """The environment of a Warrant subprocess: headless Qt, its own data, settings and cache folders."""
    out = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "WARRANT_", "QT_"))}
    for name in ("data", "config", "cache", "runtime"):
        (base / name).mkdir(parents=True, exist_ok=True)
    (base / "runtime").chmod(0o700)
    out.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_DATA_HOME=str(base / "data"),
        XDG_CONFIG_HOME=str(base / "config"),
        XDG_CACHE_HOME=str(base / "cache"),
        XDG_RUNTIME_DIR=str(base / "runtime"),
        PYTHONPATH=str(REPO),
        PYTHONDONTWRITEBYTECODE="1",
        WARRANT_TEST="1",
    )
    out.update(extra)
    return out


@dataclass
class FileState:
    """What an annotation file holds, read independently of the store."""

    integrity: str
    foreign_key_problems: list[tuple[Any, ...]]
    state: State
    bad_quotes: list[str]
    """Ids of annotations whose quote is not the document's text between their offsets."""
    documents: int


def read_file(path: Path) -> FileState:
    """Open ``path`` read-only with sqlite3 and return its integrity verdict and its annotations and links."""
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=10)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        texts = dict(conn.execute("SELECT fingerprint, text FROM documents"))
        annotations: dict[str, list[Any]] = {}
        bad = []
        rows = conn.execute('SELECT id, document, tag, start, "end", note, quote FROM annotations')
        for aid, doc, tag, start, end, note, quote in rows:
            annotations[aid] = [tag, start, end, note]
            if texts.get(doc, "")[start:end] != quote:
                bad.append(aid)
        links = {lid: [s, t, r] for lid, s, t, r in conn.execute("SELECT id, source, target, relation FROM links")}
    finally:
        conn.close()
    return FileState(integrity, fk, {"a": annotations, "l": links}, bad, len(texts))


def matches(actual: State, expected: State) -> bool:
    """True when ``actual`` is ``expected``, where an entry keyed ``NEW`` stands for one new id."""
    for kind in ("a", "l"):
        want = dict(expected[kind])
        got = dict(actual[kind])
        new = want.pop("NEW", None)
        if new is not None:
            extra = set(got) - set(want)
            if len(extra) != 1 or got[next(iter(extra))] != new:
                return False
            del got[next(iter(extra))]
        if got != want:
            return False
    return True


@dataclass
class Transcript:
    """What the driver printed before it died."""

    start: State | None = None
    done: list[tuple[int, str, State]] = field(default_factory=list)
    pending: State | None = None
    """The ``WILL`` state announced after the last ``DONE``: committed or not, the kill decides."""
    errors: list[str] = field(default_factory=list)
    copies: int = 0

    @property
    def last(self) -> State | None:
        """The state after the last reported edit (the start state when none was reported)."""
        return self.done[-1][2] if self.done else self.start


def parse(lines: list[str]) -> Transcript:
    """Read the driver's lines; a line cut short by the kill is ignored."""
    out = Transcript()
    for line in lines:
        if not line.endswith("\n"):
            break
        kind, _, rest = line.rstrip("\n").partition(" ")
        if kind == "START":
            out.start = json.loads(rest)
        elif kind == "WILL":
            out.pending = json.loads(rest)
        elif kind == "DONE":
            n, op, state = rest.split(" ", 2)
            out.done.append((int(n), op, json.loads(state)))
            out.pending = None
        elif kind in ("COPIED", "EXPORTED"):
            out.copies += 1
        elif kind == "ERROR":
            out.errors.append(rest)
    return out


class Run:
    """One run of the driver: its stdout to read, a SIGKILL to send, an exit status to collect."""

    def __init__(self, pid: int, stdout: IO[str], wait: Any, kill: Any) -> None:
        self.pid = pid
        self.stdout = stdout
        self._wait = wait
        self._kill = kill
        self.returncode: int | None = None

    def kill(self) -> None:
        """SIGKILL the run (nothing happens if it has already died)."""
        if self.returncode is None:
            try:
                self._kill()
            except ProcessLookupError:
                pass

    def wait(self) -> int:
        """Wait for the run to die; return its status (negative: the signal that killed it)."""
        if self.returncode is None:
            self.returncode = int(self._wait())
        return self.returncode


def run_driver(home: Path, args: list[str], stderr: Path) -> Run:
    """Start ``python driver.py ARGS`` as a new interpreter."""
    with stderr.open("w", encoding="utf-8") as err:
        proc = subprocess.Popen(
            [PYTHON, str(DRIVER), *args],
            cwd=REPO,
            env=env(home),
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            bufsize=1,
        )
    assert proc.stdout is not None
    return Run(proc.pid, proc.stdout, proc.wait, lambda: proc.send_signal(signal.SIGKILL))


class ForkServer:
    """``driver.py --serve``: runs of the driver forked with PySide6 and the window's modules already imported."""

    def __init__(self, home: Path) -> None:
        """Start the server with ``home``'s throwaway folders (every run it forks shares them)."""
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(120)
        self.proc = subprocess.Popen(
            [PYTHON, str(DRIVER), "--serve", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            cwd=REPO,
            env=env(home, OPENBLAS_NUM_THREADS="1"),
        )
        theirs.close()

    def start(self, args: list[str], stderr: Path) -> Run:
        """Fork ``driver.py ARGS``; its stdout comes back through a pipe, its stderr goes to ``stderr``."""
        read_end, write_end = os.pipe()
        err = os.open(stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            socket.send_fds(self.sock, [json.dumps({"argv": args}).encode()], [write_end, err])
        finally:
            os.close(write_end)
            os.close(err)
        kind, pid = self.sock.recv(100).decode().split()
        assert kind == "PID"

        def wait() -> int:
            kind, got, status = self.sock.recv(100).decode().split()
            assert kind == "EXIT" and int(got) == int(pid)
            return int(status)

        return Run(
            int(pid), os.fdopen(read_end, "r", encoding="utf-8"), wait, lambda: os.kill(int(pid), signal.SIGKILL)
        )

    def close(self) -> None:
        """Stop the server (it exits when its socket closes)."""
        self.sock.close()
        self.proc.wait(timeout=30)
