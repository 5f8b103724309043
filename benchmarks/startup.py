"""Benchmark-only start-up wrapper: run the window as ``main.py`` does and report its first paint.

``python -m benchmarks.startup warrant ARGS...`` runs Warrant's real entry point (``desktop.cli.main``)
with ARGS; ``python -m benchmarks.startup floor ARTICLE`` shows the same text in a bare
QMainWindow + QTextBrowser (``--plain`` for a QPlainTextEdit). Only when ``WARRANT_BENCH_REPORT`` is
set does an event filter watch the article view's viewport: after its first paint the wrapper prints
``PAINT <peak RSS MiB>``; with ``WARRANT_BENCH_REPORT=usable`` it then waits until the event loop is
idle, prints ``USABLE <peak RSS MiB>`` and quits. The parent measures the wall time from ``Popen`` to
those lines, so interpreter start-up and imports count, as they do for a person.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

IDLE_TICK_S = 0.002


def _vmhwm_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class FirstPaint(QObject):
    """Application-wide event filter: notices the first paint of the article view's viewport."""

    def __init__(self, app: QApplication, view_classes: tuple[str, ...], mode: str) -> None:
        super().__init__()
        self.app = app
        self.view_classes = view_classes
        self.mode = mode
        self.seen = False
        self._last = 0.0
        self._quiet = 0
        app.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if not self.seen and event.type() == QEvent.Type.Paint and isinstance(obj, QWidget):
            parent = obj.parent()
            if parent is not None and type(parent).__name__ in self.view_classes:
                self.seen = True
                # Reported from the next turn of the loop, so the paint itself is counted.
                QTimer.singleShot(0, self._painted)
        return False

    def _painted(self) -> None:
        self.app.removeEventFilter(self)
        print(f"PAINT {_vmhwm_mb():.1f}", flush=True)
        if self.mode != "usable":
            self.app.quit()
            return
        self._last = time.perf_counter()
        QTimer.singleShot(0, self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self._quiet = self._quiet + 1 if now - self._last < IDLE_TICK_S else 0
        self._last = now
        if self._quiet >= 3:
            print(f"USABLE {_vmhwm_mb():.1f}", flush=True)
            self.app.quit()
            return
        QTimer.singleShot(0, self._tick)


def _floor(path: str, plain: bool, annotations: str | None = None) -> int:
    from PySide6.QtCore import QStringListModel
    from PySide6.QtWidgets import QListView, QMainWindow, QPlainTextEdit, QSplitter, QTextBrowser

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    window = QMainWindow()
    view: QPlainTextEdit | QTextBrowser = QPlainTextEdit() if plain else QTextBrowser()
    with open(path, encoding="utf-8") as f:
        view.setPlainText(f.read())
    if annotations is None:
        window.setCentralWidget(view)
    else:
        # The same annotations, read with plain sqlite3 in document order and listed by their quotes.
        import sqlite3
        from pathlib import Path

        conn = sqlite3.connect(f"{Path(annotations).resolve().as_uri()}?mode=ro", uri=True)
        quotes = [q for (q,) in conn.execute('SELECT quote FROM annotations ORDER BY document, start, "end"')]
        conn.close()
        listing = QListView()
        listing.setUniformItemSizes(True)
        model = QStringListModel(quotes, listing)
        listing.setModel(model)
        splitter = QSplitter()
        splitter.addWidget(view)
        splitter.addWidget(listing)
        window.setCentralWidget(splitter)
    window.resize(1280, 820)
    window.show()
    return app.exec()


def main(argv: list[str]) -> int:
    """Run Warrant or the floor, with the first-paint hook when ``WARRANT_BENCH_REPORT`` is set."""
    mode = os.environ.get("WARRANT_BENCH_REPORT", "")
    which, args = argv[0], argv[1:]
    if mode:
        app = QApplication([sys.argv[0]])
        classes = ("Reader",) if which == "warrant" else ("QTextBrowser", "QPlainTextEdit")
        _hook = FirstPaint(app, classes, mode)
    if which == "floor":
        plain = "--plain" in args
        annotations = args[args.index("--annotations") + 1] if "--annotations" in args else None
        return _floor([a for a in args if a != "--plain"][0], plain, annotations)
    from desktop import cli

    return cli.main(args)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
