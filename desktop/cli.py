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
  export ANNOTATIONS --format csv|w3c|markdown|html|argdown [--tag T ...] [--document D] [--with-text] [-o OUT|-o -]
  import SOURCE.json --into ANNOTATIONS [--document ARTICLE ...]
  compare MINE THEIRS [THEIRS ...] [--document D] [--iou T] [--json]
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
        "--with-text", action="store_true", help="w3c: carry each article's text, so the file imports with none at hand"
    )
    export.add_argument(
        "-o", "--output", metavar="OUT", help="where to write ('-' for standard output; default: beside the file)"
    )
    export.set_defaults(handler=_cmd_export)

    imp = sub.add_parser("import", help="import W3C Web Annotations into an annotation file")
    imp.add_argument("source", metavar="SOURCE.json", help="a W3C annotation, collection, list or JSON-lines file")
    imp.add_argument("--into", required=True, metavar="ANNOTATIONS", help="the annotation file to import into")
    imp.add_argument(
        "--document",
        action="append",
        metavar="ARTICLE",
        help="an article the annotations are about (added if new; repeatable: each passage goes to the one its source names)",
    )
    imp.add_argument("--annotator", metavar="NAME", help="your name, if the annotation file is new")
    imp.set_defaults(handler=_cmd_import)

    compare = sub.add_parser("compare", help="agreement between your annotation file and colleagues' files")
    compare.add_argument("mine", metavar="MINE", help="your annotation file")
    compare.add_argument("theirs", metavar="THEIRS", nargs="+", help="colleagues' annotation files (never written)")
    compare.add_argument("--document", metavar="FINGERPRINT_OR_TITLE", help="only this document")
    compare.add_argument("--json", action="store_true", help="print a machine-readable report")
    compare.add_argument(
        "--iou", type=_iou, default=0.5, metavar="T", help="least overlap (IoU, 0-1] for two passages to be paired"
    )
    compare.set_defaults(handler=_cmd_compare)

    outline = sub.add_parser("outline", help="print the argument's outline and its weak points")
    outline.add_argument("annotations", metavar="ANNOTATIONS", help="the annotation file")
    outline.add_argument("--document", metavar="FINGERPRINT_OR_TITLE", help="only this document")
    outline.add_argument("--json", action="store_true", help="print a machine-readable outline")
    outline.set_defaults(handler=_cmd_outline)
    return parser


def _export_destination(args: argparse.Namespace) -> str | None:
    """Where ``export`` writes: None for standard output, else ``-o`` or a file beside the annotation file."""
    from pathlib import Path

    from desktop.core import exchange

    if args.output == "-":
        return None
    if args.output:
        return str(args.output)
    return str(Path(args.annotations).with_suffix(exchange.extension(args.format, jsonl=args.jsonl)))


def _cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from desktop.core import exchange, store

    if args.jsonl and args.format != "w3c":
        raise errors.ExchangeError("--jsonl only applies to --format w3c")
    if args.with_text and args.format != "w3c":
        raise errors.ExchangeError("--with-text only applies to --format w3c")
    destination = _export_destination(args)
    if destination is not None and Path(destination).resolve() == Path(args.annotations).resolve():
        raise errors.ExchangeError(f"{destination} is the annotation file itself; choose another name with -o")
    source = store.open_readonly_snapshot(args.annotations)  # a private copy: the file is never written
    try:
        fingerprint = source.find_document(args.document).fingerprint if args.document else None
        selection = exchange.select(source, tags=args.tag, authors=args.author, document=fingerprint)
        data = exchange.render_selection(selection, args.format, jsonl=args.jsonl, with_text=args.with_text)
    finally:
        source.close()
    if destination is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    exchange.write_atomic(destination, data)
    count = len(selection.annotations)
    print(f"wrote {count} passage{'s' if count != 1 else ''} to {destination}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from desktop.core import documents, store, textutil
    from desktop.core.exchange import w3c

    parsed = w3c.read_file(args.source)  # checked before the annotation file is opened or created
    loaded = [documents.load(path) for path in args.document] if args.document else None
    into = Path(args.into)
    created = not into.exists()
    target = store.Store.open(into, annotator=args.annotator if created else None, create=True)
    try:
        result = w3c.import_parsed(target, parsed, loaded)
    except BaseException:
        target.close()
        if created:  # a file this command made for an import that failed is removed again
            for suffix in ("", "-wal", "-shm"):
                Path(str(into) + suffix).unlink(missing_ok=True)
        raise
    target.close()
    summary = f"imported {result.imported}, already present {result.skipped_duplicates}, orphans {len(result.orphans)}"
    if result.links_imported or result.links_skipped:
        summary += f", links {result.links_imported} (skipped {len(result.links_skipped)})"
    print(summary)
    for orphan_id, quote, reason in result.orphans:
        print(f"  orphan {textutil.shorten(orphan_id, 60)}: \u201c{textutil.shorten(quote, 80)}\u201d ({reason})")
    for link_id, reason in result.links_skipped:
        print(f"  link {textutil.shorten(link_id, 60)} skipped: {reason}")
    return 0


def _iou(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not 0.0 < number <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not in (0, 1]")
    return number


def _cmd_compare(args: argparse.Namespace) -> int:
    import json

    from desktop.core import review, store

    # Every file, mine included, is read through the untrusted reader: its bytes only, so the
    # comparison never writes anything, not even a -wal or -shm beside a file.
    mine = store.open_untrusted(args.mine)
    theirs = [store.open_untrusted(path) for path in args.theirs]
    result = review.review(mine, theirs, document=args.document, threshold=args.iou)
    if args.json:
        # ASCII escapes: a colleague's quote cannot put control characters on the terminal.
        print(json.dumps(review.report_data(result), indent=2, ensure_ascii=True))
        return 0
    print(review.report_text(review.report_data(result)))
    return 0


def _cmd_outline(args: argparse.Namespace) -> int:
    import json

    from desktop.core import argument, store, textutil

    source = store.open_readonly_snapshot(args.annotations)  # a private copy: the file is never written
    try:
        docs = [source.find_document(args.document)] if args.document else source.documents()
        tags = source.tags()
        relations = source.relations()
        outlines = [
            (doc, argument.build_outline(source.annotations(doc.fingerprint), source.links(doc.fingerprint), tags))
            for doc in docs
        ]
    finally:
        source.close()
    if args.json:
        data = {
            "file": args.annotations,
            "documents": [
                {"fingerprint": doc.fingerprint, "title": doc.title, **argument.outline_json(outline, tags)}
                for doc, outline in outlines
            ],
        }
        # ASCII escapes: a quote cannot put control characters on the terminal.
        print(json.dumps(data, indent=2, ensure_ascii=True))
        return 0
    if not outlines:
        print(f"{textutil.one_line(args.annotations)} holds no documents yet")
        return 0
    chunks = []
    for doc, outline in outlines:
        heading = f"{textutil.one_line(doc.title) or 'Untitled'} ({doc.fingerprint[:12]})"
        body = argument.outline_text(outline, tags, relations=relations)
        chunks.append(f"{heading}\n{'=' * min(len(heading), 78)}\n\n{body}")
    sys.stdout.write("\n".join(chunks))
    sys.stdout.flush()
    return 0


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
