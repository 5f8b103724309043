"""The default command's arguments (open the window), shared by the command line and the window, without Qt.

Apart from :mod:`desktop.cli` so that :mod:`desktop.ui.app` reads them without importing the command line
(which imports the window lazily: the two would import each other).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from desktop import __version__

_GUI_EPILOG = """\
commands that need no window (run 'warrant COMMAND --help' for each):
  export ANNOTATIONS --format csv|w3c|markdown|html|argdown|qdpx|qdc|xlsx|brat|ach [--tag T ...] [--document D] [-o OUT|-o -]
  import SOURCE.json|PROJECT.qdpx|CODES.qdc|NAME.ann --into ANNOTATIONS [--document ARTICLE]
  compare MINE THEIRS [THEIRS ...] [--document D] [--json]
  outline ANNOTATIONS [--document D] [--json]
  ach ANNOTATIONS [--document D] [--json]
  text ARTICLE [--pages] [--encoding E] [--password P] [--view article|full]

With no argument the bundled seed article opens, its annotations kept in your data folder.
Every tag is saved the moment it is made; there is no Save command.
"""


def gui_parser() -> argparse.ArgumentParser:
    """The parser of the default command: open the reader window."""
    parser = argparse.ArgumentParser(
        prog="warrant",
        description="Warrant: read an article and tag its claims, evidence and recommendations.",
        epilog=_GUI_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "path",
        nargs="?",
        help="an article (PDF, docx, odt, epub, html, mhtml, md, txt) to open, or an annotation file (.warrant) to reopen",
    )
    parser.add_argument(
        "--file",
        "-f",
        metavar="ANNOTATIONS",
        help="the annotation file to keep the article's tags in (default: one per article in your data folder)",
    )
    parser.add_argument("--annotator", metavar="NAME", help="your name, recorded as the author of your tags")
    parser.add_argument("--version", action=_VersionAction, help="print Warrant's version and exit")
    # Hidden: open, show, wait until the annotation file is open, print what was reached and quit
    # with 0 (packaging/smoke.sh checks a built program with it; benchmarks time its marks).
    parser.add_argument("--smoke-test", action="store_true", help=argparse.SUPPRESS)
    return parser


def version() -> str:
    """Warrant's version: the installed distribution's (``importlib.metadata``), else the package's own."""
    from importlib import metadata

    try:
        return metadata.version("warrant")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return __version__


class _VersionAction(argparse.Action):
    """``--version``: looks the version up only when asked (importlib.metadata costs start-up time)."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        print(f"Warrant {version()}")
        parser.exit()
