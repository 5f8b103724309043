"""The default command's arguments (open the window), shared by the command line and the window, without Qt.

Apart from :mod:`desktop.cli` so that :mod:`desktop.ui.app` reads them without importing the command line
(which imports the window lazily: the two would import each other).
"""

from __future__ import annotations

import argparse

from desktop import __version__

_GUI_EPILOG = """\
commands that need no window (run 'warrant COMMAND --help' for each):
  export ANNOTATIONS --format csv|w3c|markdown|html|argdown|qdpx|qdc|xlsx|brat [--tag T ...] [--document D] [-o OUT|-o -]
  import SOURCE.json|PROJECT.qdpx|CODES.qdc|NAME.ann --into ANNOTATIONS [--document ARTICLE]
  compare MINE THEIRS [THEIRS ...] [--document D] [--json]
  outline ANNOTATIONS [--document D] [--json]

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
        help="an article (.txt, .md, .html) to open, or an annotation file (.warrant) to reopen",
    )
    parser.add_argument(
        "--file",
        "-f",
        metavar="ANNOTATIONS",
        help="the annotation file to keep the article's tags in (default: one per article in your data folder)",
    )
    parser.add_argument("--annotator", metavar="NAME", help="your name, recorded as the author of your tags")
    parser.add_argument("--version", action="version", version=f"Warrant {__version__}")
    return parser
