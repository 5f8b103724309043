"""The real program under Xvfb, driven with real key and mouse events from xdotool.

``python main.py ARTICLE --file F`` runs as a subprocess on its own X server; the test clicks into
the reader, selects words with the keyboard, presses 1, 2 and 3, waits for the window to log each
tag it shows (``WARRANT_DEBUG=1``), then SIGKILLs it, or quits with Ctrl+Q and starts it again, and
reads F with plain sqlite3. Skipped when Xvfb or xdotool is not installed.
"""

from __future__ import annotations

import os
import queue
import re
import select
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import harness
import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("Xvfb") is None or shutil.which("xdotool") is None,
    reason="needs an X server and key events: apt-get install xvfb xdotool",
)

SCREENSHOT = Path("/tmp/xvfb_shot.png")
TAGGED = re.compile(r"tagged (\S+):(\w+):(\d+)-(\d+)")
READER = (300, 300)
"""A point inside the reader, in window coordinates (the window opens at 1280x820 with fresh settings)."""
FIRST_ROW = (950, 185)
"""The middle of the first row of the annotation list, in window coordinates (under the tag filters and the search)."""


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """A private Xvfb on the first free display number (``-displayfd`` reports it)."""
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], 15)
        number = os.read(read_end, 32).decode().strip() if ready else ""
        if not number:
            pytest.skip("Xvfb did not start")
        yield f":{number}"
    finally:
        os.close(read_end)
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class App:
    """``python main.py`` on the test's X server, its log read line by line."""

    def __init__(self, display: str, home: Path, *args: str) -> None:
        self.display = display
        self.env = harness.env(home, QT_QPA_PLATFORM="xcb", DISPLAY=display, WARRANT_DEBUG="1")
        self.proc = subprocess.Popen(
            [harness.PYTHON, str(harness.MAIN), *args],
            cwd=harness.REPO,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line)
            self.lines.put(line)
        self.lines.put("")

    def wait_for(self, pattern: re.Pattern[str], timeout: float = 15) -> re.Match[str]:
        """Wait for a log line matching ``pattern``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line == "":
                pytest.fail(
                    f"Warrant exited ({self.proc.poll()}) before logging {pattern.pattern}:\n{''.join(self.log)}"
                )
            found = pattern.search(line)
            if found:
                return found
        pytest.fail(f"no {pattern.pattern!r} within {timeout} s:\n{''.join(self.log)}")

    def xdotool(self, *args: str) -> str:
        result = subprocess.run(
            ["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=20, check=False
        )
        assert result.returncode == 0, f"xdotool {' '.join(args)}: {result.stderr}"
        return result.stdout

    def window(self, title: str) -> str:
        """Wait until a visible window's title contains ``title`` (the annotation file's name once it is open)."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = "".join(self.log)
                if "xcb" in log and "plugin" in log:
                    pytest.skip(f"Qt's xcb platform plugin cannot start here: {log.strip().splitlines()[-1]}")
                pytest.fail(f"Warrant exited with {self.proc.returncode}:\n{log}")
            found = subprocess.run(
                ["xdotool", "search", "--onlyvisible", "--name", re.escape(title)],
                env=self.env,
                capture_output=True,
                text=True,
                timeout=20,
            ).stdout.split()
            if found:
                return found[0]
            time.sleep(0.1)
        pytest.fail(f"no window titled {title!r}:\n{''.join(self.log)}")

    def click(self, window: str, x: int, y: int) -> None:
        self.xdotool("mousemove", "--window", window, str(x), str(y), "click", "1")

    def keys(self, *keys: str) -> None:
        self.xdotool("key", "--delay", "20", *keys)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self.reader.join(timeout=10)
        assert self.proc.stderr is not None
        self.proc.stderr.close()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def tag_three_passages(app: App, window: str) -> list[tuple[str, str, int, int]]:
    """Select three passages with the keyboard and press 1, 2, 3; return what the window logged."""
    app.click(window, *READER)
    tagged = []
    app.keys("ctrl+Home", *["shift+ctrl+Right"] * 3, "1")
    tagged.append(app.wait_for(TAGGED))
    app.keys(*["Down"] * 4, "Home", *["shift+ctrl+Right"] * 5, "2")
    tagged.append(app.wait_for(TAGGED))
    app.keys(*["Down"] * 6, "Home", "shift+End", "3")
    tagged.append(app.wait_for(TAGGED))
    return [(m[1], m[2], int(m[3]), int(m[4])) for m in tagged]


def assert_in_file(path: Path, tagged: list[tuple[str, str, int, int]]) -> None:
    fs = harness.read_file(path)
    assert fs.integrity == "ok"
    assert fs.bad_quotes == []
    assert fs.state["a"] == {i: [tag, start, end, ""] for i, tag, start, end in tagged}


def screenshot(app: App, path: Path) -> None:
    """Grab the whole X screen with Qt in a separate process (no ImageMagick needed)."""
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "sys.exit(0 if app.primaryScreen().grabWindow(0).save(sys.argv[1]) else 1)\n"
    )
    subprocess.run([harness.PYTHON, "-c", code, str(path)], env=app.env, timeout=30, check=True)


def test_tags_by_key_survive_sigkill(display: str, home: Path, tmp_path: Path) -> None:
    path = tmp_path / "killed.warrant"
    app = App(display, home, str(harness.SEED), "--file", str(path))
    try:
        window = app.window(path.name)
        tagged = tag_three_passages(app, window)
        os.kill(app.proc.pid, signal.SIGKILL)
        app.proc.wait(timeout=10)
    finally:
        app.stop()
    assert app.proc.returncode == -signal.SIGKILL
    assert [t[1] for t in tagged] == ["claim", "evidence", "recommendation"]
    assert tagged[0][2] == 0  # Ctrl+Home, then words: the first passage starts the article
    assert_in_file(path, tagged)


def test_tag_quit_and_reopen(display: str, home: Path, tmp_path: Path) -> None:
    """The issue's 'Done when': tag three passages, close the window normally, run again: the tags are there."""
    path = tmp_path / "reopened.warrant"
    app = App(display, home, str(harness.SEED), "--file", str(path))
    try:
        window = app.window(path.name)
        tagged = tag_three_passages(app, window)
        screenshot(app, SCREENSHOT)
        app.keys("ctrl+q")
        assert app.proc.wait(timeout=15) == 0, "".join(app.log)
    finally:
        app.stop()
    assert not Path(f"{path}-wal").exists(), "a normal quit leaves one file"
    assert_in_file(path, tagged)

    again = App(display, home, str(harness.SEED), "--file", str(path))
    try:
        window = again.window(path.name)
        assert_in_file(path, tagged)
        again.click(window, *READER)  # no window manager: a click gives the window the keyboard
        again.keys("ctrl+q")
        assert again.proc.wait(timeout=15) == 0, "".join(again.log)
    finally:
        again.stop()
    assert_in_file(path, tagged)
    assert not [line for line in app.log + again.log if "Traceback" in line or " ERROR " in line]


def test_click_a_row_then_press_a_key_retags_it(display: str, home: Path, tmp_path: Path) -> None:
    """Click a claim's row in the list, press 2: the claim becomes evidence (the status tip's promise)."""
    path = tmp_path / "retag.warrant"
    app = App(display, home, str(harness.SEED), "--file", str(path))
    try:
        window = app.window(path.name)
        app.click(window, *READER)
        app.keys("ctrl+Home", *["shift+ctrl+Right"] * 3, "1")
        first = app.wait_for(TAGGED)
        app.click(window, *FIRST_ROW)
        app.keys("2")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            state = harness.read_file(path).state["a"]
            if len(state) > 1 or state[first[1]][0] != "claim":
                break
            time.sleep(0.05)
    finally:
        app.stop()
    # The bug this guards: the row click selects its passage in the reader, and the key tagged that passage
    # a second time (a new 'evidence' annotation beside the claim) instead of retagging the row.
    assert state == {first[1]: ["evidence", 0, int(first[4]), ""]}
