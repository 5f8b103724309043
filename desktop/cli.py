"""Warrant's command line: the window by default, and export/import/compare/outline without Qt.

This module imports no Qt: the subcommands work on a server with no display. Only the default
command (open the window) imports :mod:`desktop.ui.app`, lazily.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from desktop import arguments
from desktop.core import errors

SUBCOMMANDS = ("export", "import", "compare", "outline", "text", "ach")

gui_parser = arguments.gui_parser  # the default command's parser lives apart, so the window needs no cli import


version = arguments.version


def command_parser() -> argparse.ArgumentParser:
    """The parser of the subcommands that need no window."""
    parser = argparse.ArgumentParser(prog="warrant", description="Warrant's commands that need no window.")
    sub = parser.add_subparsers(dest="command", required=True)

    export = sub.add_parser("export", help="export tagged passages")
    export.add_argument("annotations", metavar="ANNOTATIONS", help="the annotation file")
    export.add_argument(
        "--format",
        required=True,
        choices=("csv", "w3c", "markdown", "html", "argdown", "qdpx", "qdc", "xlsx", "brat", "ach"),
        help="the output format (brat writes NAME.ann and NAME.txt)",
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

    imp = sub.add_parser("import", help="import W3C annotations, a REFI-QDA project or codebook, or brat standoff")
    imp.add_argument(
        "source",
        metavar="SOURCE",
        help="a W3C JSON(-lines) file, a REFI-QDA project (.qdpx/.qde), a codebook (.qdc) or a brat .ann",
    )
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

    text = sub.add_parser("text", help="print the canonical text Warrant anchors to (UTF-8), without opening a window")
    text.add_argument("article", metavar="ARTICLE", help="an article in any format Warrant opens")
    text.add_argument("--pages", action="store_true", help="then the page map: 'page N<TAB>start<TAB>end' lines")
    text.add_argument("--encoding", metavar="E", help="decode a text article with this encoding")
    text.add_argument("--password", metavar="P", help="the password of an encrypted PDF")
    text.add_argument("--view", choices=("auto", "article", "full"), default="auto", help="web pages: which text")
    text.set_defaults(handler=_cmd_text)
    ach = sub.add_parser("ach", help="print the ACH matrix: hypotheses ranked by inconsistency, evidence rows")
    ach.add_argument("annotations", metavar="ANNOTATIONS", help="the annotation file")
    ach.add_argument("--document", metavar="FINGERPRINT_OR_TITLE", help="only this document")
    ach.add_argument("--json", action="store_true", help="print a machine-readable matrix")
    ach.set_defaults(handler=_cmd_ach)
    return parser


def _cmd_text(args: argparse.Namespace) -> int:
    from desktop.core import documents

    try:
        loaded = documents.load(args.article, encoding=args.encoding, password=args.password, view=args.view)
    except errors.PasswordRequiredError as exc:
        raise errors.PasswordRequiredError(f"{exc}; give it with --password", path=exc.path) from None
    out = loaded.text
    if args.pages:
        pages = documents.page_map_lines(loaded.page_starts, len(loaded.text))
        out += "\n\f\n" + "".join(f"page {line}\n" for line in pages)
    sys.stdout.buffer.write(out.encode("utf-8", "surrogatepass"))
    sys.stdout.buffer.flush()
    return 0


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

    from desktop.core import exchange, safeio, untrusted

    if args.jsonl and args.format != "w3c":
        raise errors.ExchangeError("--jsonl only applies to --format w3c")
    if args.with_text and args.format != "w3c":
        raise errors.ExchangeError("--with-text only applies to --format w3c")
    destination = _export_destination(args)
    if exchange.get(args.format, jsonl=args.jsonl).write_files is not None and destination is None:
        raise errors.ExchangeError(f"{args.format} writes more than one file; give -o NAME.ann")
    if destination is not None:  # never a FIFO or device, never the annotation file or its -wal/-shm
        safeio.check_output(destination, protected=[args.annotations])
    source = untrusted.open_readonly_snapshot(args.annotations)  # read in place; the file is never written
    try:
        fingerprint = source.find_document(args.document).fingerprint if args.document else None
        out = sys.stdout.buffer if destination is None else destination
        if args.with_text:  # the articles' texts travel with the passages: gathered whole
            selection = exchange.select(source, tags=args.tag, authors=args.author, document=fingerprint)
            count = exchange.write(
                selection, args.format, out, jsonl=args.jsonl, annotation_file=args.annotations, with_text=True
            )
        else:  # streamed from the file, a chunk of rows at a time, where the format allows
            count = exchange.export(
                source, args.format, out, tags=args.tag, authors=args.author, document=fingerprint, jsonl=args.jsonl
            )
    finally:
        source.close()
    if destination is None:
        return 0
    if exchange.get(args.format).write_files is not None:
        destination = f"{destination} and {Path(destination).with_suffix('.txt')}"
    print(f"wrote {count} passage{'s' if count != 1 else ''} to {destination}")
    return 0


_QDA_SUFFIXES = (".qdpx", ".qde", ".qdc", ".ann")


def _nothing_placed(source: object, unplaced: Sequence[tuple[str, str, str]]) -> str:
    """The refusal of an import into a new file that would place nothing (no file is left behind)."""
    from desktop.core import textutil

    why = (
        f"none of its {len(unplaced)} passages could be placed ({textutil.shorten(unplaced[0][2], 120)})"
        if unplaced
        else "it holds no passage to place"
    )
    return f"{errors.shown(source)}: nothing imported, {why}; no annotation file was created"


def _cmd_import_qda(args: argparse.Namespace) -> int:
    """``import`` of a REFI-QDA project (.qdpx/.qde), codebook (.qdc) or brat standoff (.ann)."""
    from pathlib import Path

    from desktop.core import store
    from desktop.core.exchange import brat, qdc, qdpx

    source = Path(args.source)
    suffix = source.suffix.lower()
    if not source.exists():
        raise errors.ExchangeError(f"{source} does not exist")
    into = Path(args.into)
    created = not into.exists()
    target = store.Store.open(into, annotator=args.annotator if created else None, create=True)
    try:
        if suffix == ".qdc":
            report = qdc.import_file(target, source)
        elif suffix == ".ann":
            report = brat.import_file(target, source, args.document)
        else:
            report = qdpx.import_file(target, source, args.document)
        placed = report.tags_added if suffix == ".qdc" else (report.imported or report.links_imported)
        if created and not placed:  # a project's codes alone are not an import: its passages are
            raise errors.ExchangeError(_nothing_placed(source, report.unplaced))
    except BaseException:
        target.close()
        if created:  # a file this command made for an import that failed is removed again
            for end in ("", "-wal", "-shm"):
                Path(str(into) + end).unlink(missing_ok=True)
        raise
    target.close()
    print("\n".join(report.lines()))
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from desktop.core import documents, safeio, store, textutil
    from desktop.core.exchange import w3c

    if Path(args.source).suffix.lower() in _QDA_SUFFIXES:
        return _cmd_import_qda(args)
    parsed = w3c.read_file(args.source)  # checked before the annotation file is opened or created
    loaded = [documents.load(path) for path in args.document] if args.document else None
    into = Path(args.into)
    if os.path.lexists(into):  # never a FIFO, device or socket (Store.open checks it again)
        safeio.check_input(into)
    created = not into.exists()
    target = store.Store.open(into, annotator=args.annotator if created else None, create=True)
    try:
        result = w3c.import_parsed(target, parsed, loaded)
        if created and not (result.imported or result.links_imported or result.assessments_imported):
            raise errors.ExchangeError(_nothing_placed(Path(args.source), result.orphans))
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
    if result.assessments_imported or result.assessments_skipped:  # issue 17: grades, hypotheses, ratings
        summary += f", assessments {result.assessments_imported} (skipped {len(result.assessments_skipped)})"
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

    from desktop.core import assessment, review, untrusted

    # Every file, mine included, is read through the untrusted reader: its bytes only, so the
    # comparison never writes anything, not even a -wal or -shm beside a file.
    mine = untrusted.open_untrusted(args.mine)
    theirs = [untrusted.open_untrusted(path) for path in args.theirs]
    result = review.review(mine, theirs, document=args.document, threshold=args.iou)
    ratings = assessment.compare_files(mine, theirs, document=args.document)  # issue 17
    if args.json:
        # ASCII escapes: a colleague's quote cannot put control characters on the terminal.
        print(json.dumps({**review.report_data(result), "rating_agreement": ratings}, indent=2, ensure_ascii=True))
        return 0
    print(review.report_text(review.report_data(result)))
    print(assessment.agreement_text(ratings), end="")  # issue 17
    return 0


def _cmd_outline(args: argparse.Namespace) -> int:
    import json

    from desktop.core import argument, assessment, textutil, untrusted

    source = untrusted.open_readonly_snapshot(args.annotations)  # a private copy: the file is never written
    try:
        docs = [source.find_document(args.document)] if args.document else source.documents()
        tags = source.tags()
        relations = source.relations()
        assessed = assessment.load(source)  # issue 17: the weak points of grades and hypotheses
        outlines = [
            (
                doc,
                argument.build_outline(
                    source.annotations(doc.fingerprint), source.links(doc.fingerprint), tags, assessed
                ),
            )
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


def _cmd_ach(args: argparse.Namespace) -> int:
    import json

    from desktop.core import assessment, untrusted

    source = untrusted.open_readonly_snapshot(args.annotations)  # a private copy: the file is never written
    try:
        fingerprint = source.find_document(args.document).fingerprint if args.document else None
        matrix = assessment.matrix(source, fingerprint)
    finally:
        source.close()
    if args.json:
        # ASCII escapes: a quote cannot put control characters on the terminal.
        print(json.dumps({"file": args.annotations, **assessment.matrix_json(matrix)}, indent=2, ensure_ascii=True))
        return 0
    sys.stdout.write(assessment.matrix_text(matrix))
    sys.stdout.flush()
    return 0


def _fail(message: str) -> int:
    from desktop.core import textutil

    # One line, and no control or bidi character reaches the terminal (names are escaped already).
    line = textutil.escape_controls(" ".join(message.split("\n")), backslash=False)
    print(f"warrant: {line}", file=sys.stderr)
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
