"""Hostile articles: nothing in Markdown or HTML is executed, fetched or opened; huge or deep input loads.

The loader reduces HTML (and rendered Markdown) to text with ``html.parser``. These tests set traps
(``open``, ``urllib``, sockets) while loading, look for the text of every script, style, frame and
link target in the result, and load 100,000-deep nesting and a 10 MB line in a subprocess, so that a
regression to quadratic time fails instead of stalling the run.
"""

from __future__ import annotations

import builtins
import inspect
import io
import json
import socket
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest

from desktop.core import documents, errors

REPO = Path(__file__).resolve().parents[2]


def test_markdown_raw_html_is_never_run_or_shown() -> None:
    source = (
        "# Title\n\n<script>alert('pwned-script')</script>\n\n"
        "text <script>evil('inline-script')</script> more <style>p{color:red}</style> end\n\n"
        '<img src="file:///etc/hostname" onerror="steal()" alt="a picture">\n\n'
        "[click](javascript:alert('link-js')) and ![pic](file:///etc/hostname)\n"
    )
    doc = documents.from_markdown(source, "x.md")
    for leaked in ("pwned-script", "inline-script", "color:red", "steal", "javascript", "link-js", "file:", "<"):
        assert leaked not in doc.text
    assert "text more end" in doc.text  # one space where the script was, not two
    assert "a picture" in doc.text and "click" in doc.text and "pic" in doc.text


def test_deeply_nested_markdown_is_a_document_error() -> None:
    # The markdown package recurses once per level; a lower limit reaches the same error sooner.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 250)
    try:
        source = "\n".join("    " * i + "- item" for i in range(150))
        with pytest.raises(errors.DocumentError, match="deep") as info:
            documents.from_markdown(source, "deep.md")
    finally:
        sys.setrecursionlimit(limit)
    assert "deep.md" in str(info.value)


HOSTILE_HTML = """<!doctype html><html><head><title>Hostile page</title>
<meta http-equiv="refresh" content="0; url=http://example.invalid/">
<link rel="stylesheet" href="http://example.invalid/x.css">
<style>body { background: url(http://example.invalid/bg.png) } .secret-style {}</style>
<script>document.write('script-text'); fetch('http://example.invalid/')</script>
</head><body onload="alert('onload-text')">
<h1 onclick="alert('onclick-text')">Heading</h1>
<p>Read <a href="javascript:alert('js-href')">this link</a> and <a href="file:///etc/hostname">that file</a>.</p>
<img src="file:///etc/hostname"><img src="http://example.invalid/pixel.gif" alt="remote pixel">
<iframe src="file:///etc/hostname">iframe-fallback</iframe>
<object data="file:///etc/passwd">object-fallback</object><embed src="x.swf">
<svg><title>svg-title</title><text>svg-text</text></svg>
<noscript>noscript-text</noscript><template>template-text</template>
<p>After all of it.</p>
</body></html>"""


def _hostname_text() -> str | None:
    try:
        return Path("/etc/hostname").read_text().strip() or None
    except OSError:
        return None


def test_html_nothing_is_executed_fetched_or_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    hostname = _hostname_text()
    documents.from_html("<p>warm up</p>")  # let lazy imports happen before the traps are set

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError(f"from_html tried to open or fetch {args!r}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(io, "open", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    doc = documents.from_html(HOSTILE_HTML, "hostile.html")
    monkeypatch.undo()
    assert doc.title == "Hostile page"
    assert doc.text == "Heading\n\nRead this link and that file.\n\nremote pixel\n\nAfter all of it."
    for leaked in (
        "script",
        "onload",
        "onclick",
        "js-href",
        "secret",
        "iframe",
        "object",
        "svg",
        "noscript",
        "template",
    ):
        assert leaked not in doc.text
    if hostname and len(hostname) > 3:
        assert hostname not in doc.text


_HUGE_CASES = textwrap.dedent(
    """
    import json, sys
    from desktop.core import documents, errors
    cases = {
        "div-100k": "<div>" * 100_000 + "deep" + "</div>" * 100_000,
        "b-100k-unbalanced": "<b>" * 100_000 + "deep" + "</i>" * 100_000 + "</p>" * 100_000,
        "li-100k-unclosed": "<ul>" + "<li><p><span>x" * 100_000,
        "line-10mb": "<p>" + "word &amp; " * 1_000_000 + "</p>",
        "tags-1mb": "<i>a</i>" * 125_000,
    }
    out = {}
    for name, source in cases.items():
        try:
            doc = documents.from_html(source, name)
            out[name] = ["ok", len(doc.text), doc.text[:4]]
        except errors.DocumentError as exc:
            out[name] = ["refused", str(exc)]
    print(json.dumps(out))
    """
)


def test_huge_and_deep_html_completes_without_recursion_error() -> None:
    # In a subprocess so that a regression to quadratic time shows as a failure, not a hung run.
    result = subprocess.run(
        [sys.executable, "-c", _HUGE_CASES], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout)
    assert out["div-100k"] == ["ok", 4, "deep"]
    assert out["b-100k-unbalanced"] == ["ok", 4, "deep"]
    assert out["li-100k-unclosed"][0] == "ok" and out["li-100k-unclosed"][2] == "• x\n"
    assert out["line-10mb"] == ["ok", len("word & " * 1_000_000) - 1, "word"]
    assert out["tags-1mb"] == ["ok", 125_000, "aaaa"]


def test_hostile_files_through_the_loader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "page.html"
    page.write_text(HOSTILE_HTML, encoding="utf-8")
    note = tmp_path / "note.md"
    note.write_text(
        "# Note\n\n<iframe src='file:///etc/hostname'>frame-text</iframe>\n\n"
        "<object data='file:///etc/passwd'>object-text</object>\n\nKept <b onclick='x()'>bold</b>.\n",
        encoding="utf-8",
    )
    real_open = builtins.open
    opened: list[str] = []

    def watched_open(file: object, *args: object, **kwargs: object) -> object:
        opened.append(str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    documents.load(note)  # let the markdown package finish its lazy imports before watching
    monkeypatch.setattr(builtins, "open", watched_open)
    monkeypatch.setattr(io, "open", watched_open)
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: pytest.fail(f"fetched {a!r}"))
    html_doc = documents.load(page)
    md_doc = documents.load(note)
    monkeypatch.undo()
    assert not [f for f in opened if f not in (str(page), str(note))], opened
    assert html_doc.kind == "html" and html_doc.title == "Hostile page"
    assert md_doc.text == "Note\n\nKept bold."
    for leaked in ("frame-text", "object-text", "onclick", "passwd"):
        assert leaked not in md_doc.text
