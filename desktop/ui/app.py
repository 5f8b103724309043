"""Start the window: arguments, logging, QApplication, then the article or annotation file asked for."""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from desktop import cli
from desktop.core import errors, store

log = logging.getLogger("desktop")

ROOT = Path(__file__).resolve().parent.parent.parent
SEED = ROOT / "seeds" / "russian-iranian-alliance.txt"
ICON = ROOT / "resources" / "warrant.svg"

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if message.startswith("This plugin does not support"):
        return  # the offscreen platform's notice that it has no window manager: not our concern
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
    if ICON.exists():
        from PySide6.QtGui import QIcon

        app.setWindowIcon(QIcon(str(ICON)))

    from desktop.ui import main_window, opening  # after QApplication: module-level Qt objects need it

    window = main_window.MainWindow()
    path = Path(args.path or SEED)
    try:
        if path.is_file() and main_window.is_annotation_file(path) and not args.file:
            window.open_path(path, annotator=args.annotator)
        else:
            # An article: paint it first, then open its annotation file in the next turn of the
            # event loop (sqlite-utils costs ~0.1 s to import). Everything that can fail on the
            # command line is checked before the window appears.
            loaded = opening.load_article(window, path)
            target = Path(args.file) if args.file else main_window.default_annotation_path(loaded)
            if target.exists():
                store.inspect(target)
            elif not target.parent.is_dir():
                raise errors.StoreError(f"cannot create {target}: the folder {target.parent} does not exist")
            window.preview(loaded, then=functools.partial(window.attach, loaded, target, args.annotator))
    except errors.WarrantError as exc:
        print(f"warrant: {exc}", file=sys.stderr)
        return 2
    window.show()
    return app.exec()


def _qt_args() -> list[str]:
    return []
