"""Warrant's command line: the window by default, and export/import/compare/outline without Qt.

This module imports no Qt: the subcommands work on a server with no display. Only the default
command (open the window) imports :mod:`desktop.ui.app`, lazily.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from desktop import __version__
from desktop.core import errors

SUBCOMMANDS = ("export", "import", "compare", "outline")

_GUI_EPILOG = """\
commands that need no window (run 'warrant COMMAND --help' for each):
  export ANNOTATIONS --format csv|w3c|markdown|html|argdown [--tag T ...] [--document D] [-o OUT|-o -]
  import SOURCE.json --into ANNOTATIONS [--document ARTICLE]
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


def command_parser() -> argparse.ArgumentParser:
    """The parser of the subcommands that need no window."""
    parser = argparse.ArgumentParser(prog="warrant", description="Warrant's commands that need no window.")
    sub = parser.add_subparsers(dest="command", required=True)

    export = sub.add_parser("export", help="export tagged passages")
    export.add_argument("annotations", metavar="ANNOTATIONS", help="the annotation file")
    export.add_argument(
        "--format", required=True, choices=("csv", "w3c", "markdown", "html", "argdown"), help="the output format"
    )
    export.add_argument("--tag", action="append", metavar="TAG", help="only this tag (repeatable)")
    export.add_argument("--author", action="append", metavar="NAME", help="only this author (repeatable)")
    export.add_argument("--document", metavar="FINGERPRINT_OR_TITLE", help="only this document")
    export.add_argument("--jsonl", action="store_true", help="w3c: one annotation per line instead of a collection")
    export.add_argument(
        "-o", "--output", metavar="OUT", help="where to write ('-' for standard output; default: beside the file)"
    )
    export.set_defaults(handler=_cmd_export)

    imp = sub.add_parser("import", help="import W3C Web Annotations into an annotation file")
    imp.add_argument("source", metavar="SOURCE.json", help="a W3C annotation, collection, list or JSON-lines file")
    imp.add_argument("--into", required=True, metavar="ANNOTATIONS", help="the annotation file to import into")
    imp.add_argument("--document", metavar="ARTICLE", help="the article the annotations are about (added if new)")
    imp.add_argument("--annotator", metavar="NAME", help="your name, if the annotation file is new")
    imp.set_defaults(handler=_cmd_import)

    compare = sub.add_parser("compare", help="agreement between your annotation file and colleagues' files")
    compare.add_argument("mine", metavar="MINE", help="your annotation file")
    compare.add_argument("theirs", metavar="THEIRS", nargs="+", help="colleagues' annotation files (never written)")
    compare.add_argument("--document", metavar="FINGERPRINT_OR_TITLE", help="only this document")
    compare.add_argument("--json", action="store_true", help="print a machine-readable report")
    compare.set_defaults(handler=_cmd_compare)

    outline = sub.add_parser("outline", help="print the argument's outline and its weak points")
    outline.add_argument("annotations", metavar="ANNOTATIONS", help="the annotation file")
    outline.add_argument("--document", metavar="FINGERPRINT_OR_TITLE", help="only this document")
    outline.add_argument("--json", action="store_true", help="print a machine-readable outline")
    outline.set_defaults(handler=_cmd_outline)
    return parser


def _cmd_export(args: argparse.Namespace) -> int:
    raise errors.WarrantError("export is not available yet")


def _cmd_import(args: argparse.Namespace) -> int:
    raise errors.WarrantError("import is not available yet")


def _cmd_compare(args: argparse.Namespace) -> int:
    raise errors.WarrantError("compare is not available yet")


def _cmd_outline(args: argparse.Namespace) -> int:
    raise errors.WarrantError("outline is not available yet")


def _fail(message: str) -> int:
    print(f"warrant: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run Warrant with command-line arguments; return the process's exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_list and args_list[0] in SUBCOMMANDS:
            args = command_parser().parse_args(args_list)
            handler: Callable[[argparse.Namespace], int] = args.handler
            return handler(args)
        gui_parser().parse_args(args_list)  # --help, --version and usage errors, before Qt loads
        from desktop.ui import app  # Qt is imported only when a window is wanted

        return app.main(args_list)
    except errors.WarrantError as exc:
        return _fail(str(exc))
    except BrokenPipeError:
        return 1
    except KeyboardInterrupt:
        return 130
