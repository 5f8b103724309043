"""Start the window: arguments, logging, QApplication, then the article or annotation file asked for."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from desktop import cli
from desktop.core import errors

log = logging.getLogger("desktop")

SEED = Path(__file__).resolve().parent.parent.parent / "seeds" / "russian-iranian-alliance.txt"

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    logging.getLogger("qt").log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def configure_logging() -> None:
    """Log warnings to stderr (WARRANT_DEBUG=1 for everything), Qt's messages included."""
    level = logging.DEBUG if os.environ.get("WARRANT_DEBUG") else logging.WARNING
    logging.basicConfig(level=level, format="warrant: %(levelname)s %(name)s: %(message)s")
    qInstallMessageHandler(_qt_message)


def main(argv: Sequence[str] | None = None) -> int:
    """Open the window; return the exit status.

    Bad arguments (a missing or unreadable file, a damaged annotation file) print one line on
    stderr and return 2 before any window appears.
    """
    args = cli.gui_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    configure_logging()
    app = QApplication.instance() or QApplication([sys.argv[0], *_qt_args()])
    assert isinstance(app, QApplication)
    app.setOrganizationName("Warrant")
    app.setApplicationName("Warrant")
    app.setApplicationDisplayName("Warrant")
    app.setDesktopFileName("warrant")

    from desktop.ui import main_window  # after QApplication: module-level Qt objects need it

    window = main_window.MainWindow()
    path = args.path or str(SEED)
    try:
        window.open_path(path, annotation_file=args.file, annotator=args.annotator)
    except errors.WarrantError as exc:
        print(f"warrant: {exc}", file=sys.stderr)
        return 2
    window.show()
    return app.exec()


def _qt_args() -> list[str]:
    return []
