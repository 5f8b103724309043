"""Start the window: arguments, logging, QApplication, then the article or annotation file asked for."""

from __future__ import annotations

import functools
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QLibraryInfo,
    QLocale,
    QMessageLogContext,
    QObject,
    QTimer,
    QtMsgType,
    QTranslator,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication

from desktop import arguments
from desktop.core import errors, store

log = logging.getLogger("desktop")

ROOT = Path(__file__).resolve().parent.parent.parent
SEED = ROOT / "seeds" / "russian-iranian-alliance.txt"
ICON = ROOT / "resources" / "warrant.svg"
TRANSLATIONS = ROOT / "resources" / "translations"
SMOKE_TEST_TIMEOUT_S = 60

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
    args = arguments.gui_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    from desktop.ui import display

    no_screen = None if QApplication.instance() is not None else display.problem()
    if no_screen is not None:  # Qt would abort the process (exit 134) with its own messages
        print(f"warrant: {no_screen}", file=sys.stderr)
        return 2
    configure_logging()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setOrganizationName("Warrant")
    app.setApplicationName("Warrant")
    app.setApplicationDisplayName("Warrant")
    app.setDesktopFileName("warrant")
    install_translations(app)
    if ICON.exists():
        from PySide6.QtGui import QIcon

        app.setWindowIcon(QIcon(str(ICON)))

    from desktop.ui import article_loading, main_window, themes  # after QApplication: module-level Qt objects need it
    from desktop.ui.dialogs import preferences

    themes.apply(app, str(preferences.Preferences.current().theme))
    if first_run_needed(annotator=args.annotator, smoke_test=args.smoke_test):
        preferences.ensure_annotator()  # the first run asks the analyst's name (prefilled from the system)

    window = main_window.MainWindow()
    path = Path(args.path or SEED)
    try:
        if path.is_file() and main_window.is_annotation_file(path) and not args.file:
            window.open_path(path, annotator=args.annotator)
        else:
            # An article: paint it first, then open its annotation file in the next turn of the
            # event loop (sqlite-utils costs ~0.1 s to import). Everything that can fail on the
            # command line is checked before the window appears.
            loaded = article_loading.load_article(window, path)
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
    if args.smoke_test:
        _SmokeTest(app, window)
    return app.exec()


def first_run_needed(*, annotator: str | None, smoke_test: bool) -> bool:
    """True when the analyst's name must be asked: none stored, none given, and not under test or a smoke test."""
    from desktop.ui import settings

    if annotator or smoke_test or os.environ.get("WARRANT_TEST"):
        return False
    return not str(settings.get("annotator")).strip()


def install_translations(
    app: QCoreApplication, locale: QLocale | None = None, folder: Path = TRANSLATIONS
) -> list[QTranslator]:
    """Install the compiled translations that match ``locale`` (default: the system's); return them.

    Warrant's own come from ``folder`` (``warrant_<lang>.qm``, compiled from
    ``resources/translations/*.ts`` by ``pyside6-lrelease``), Qt's standard dialogs' from Qt's
    translations (``qtbase_<lang>.qm``). A language with no file stays in English.
    """
    locale = locale if locale is not None else QLocale()
    installed = []
    qt_folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name, directory in (("warrant", str(folder)), ("qtbase", qt_folder)):
        translator = QTranslator(app)
        if translator.load(locale, name, "_", directory) and app.installTranslator(translator):
            log.debug("translation %s loaded", translator.filePath())
            installed.append(translator)
    return installed


class _SmokeTest(QObject):
    """``--smoke-test``: print ``smoke: painted`` at the article's first paint and ``smoke: usable PATH``
    once the annotation file is open (checked every 5 ms from the event loop), then quit with 0; quit
    with 1 when that has not happened within :data:`SMOKE_TEST_TIMEOUT_S`."""

    def __init__(self, app: QApplication, window: QObject) -> None:
        super().__init__(app)
        self.app = app
        self.window = window
        self.painted = False
        self.started = time.monotonic()
        app.installEventFilter(self)
        QTimer.singleShot(0, self._check)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        parent = watched.parent() if event.type() == QEvent.Type.Paint else None
        if not self.painted and parent is not None and type(parent).__name__ == "Reader":
            self.painted = True
            print("smoke: painted", flush=True)
        return False

    def _check(self) -> None:
        sess = getattr(self.window, "session", None)
        if self.painted and sess is not None:
            self.app.removeEventFilter(self)
            print(f"smoke: usable {sess.store.path}", flush=True)
            self.app.exit(0)
        elif time.monotonic() - self.started > SMOKE_TEST_TIMEOUT_S:
            print("warrant: smoke test: the window did not become usable", file=sys.stderr, flush=True)
            self.app.exit(1)
        else:
            QTimer.singleShot(5, self._check)
