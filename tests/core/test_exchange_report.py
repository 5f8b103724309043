"""Markdown and HTML reports: grouping, locations, the argument section, and hostile text rendered inert."""

from __future__ import annotations

import html.parser
import re
from pathlib import Path

import markdown
import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core import anchoring, argument, documents, exchange, model, store, textutil
from desktop.core.exchange import report
from desktop.core.exchange import rows as exchange_rows

HOSTILE = [
    "[x](javascript:alert(1))",
    "![i](http://evil/x.png)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href='http://evil'>click</a>",
    "[ref][1]\n\n[1]: http://evil/ref",
    "<http://evil/auto> and <mail@evil.example>",
    "&lt;script&gt;alert(2)&lt;/script&gt;",
    "`code` *em* __strong__ # not a heading",
    "<!-- comment --><iframe src=http://evil></iframe>",
    "<svg onload=alert(1)>",
    "1. not a list\n- nor this\n> nor a quote\n===",
]

TEXT = (
    "A Title Of The Article\n\n"
    "Claim one: sanctions failed to change policy.\n\n"
    "Evidence: exports rose 12% in 2023 (see table 2).\n"
    "More evidence on the same paragraph.\n\n"
    "We recommend a new approach to engagement.\n\n"
    "An open question remains about enforcement.\n"
)


class _Elements(html.parser.HTMLParser):
    """Collects every start tag and attribute of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((tag, name, value) for name, value in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _elements(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    parser.close()
    return parser


def _annotate(doc: model.Document, passage: str, tag: str, note: str = "", author: str = "ana") -> model.Annotation:
    start = doc.text.index(passage)
    made = anchoring.new_annotation(doc, start, start + len(passage), tag, author=author, note=note)
    assert made is not None
    return made


@pytest.fixture
def argued() -> tuple[store.Store, model.Document, list[model.Annotation]]:
    st_ = store.Store.memory(annotator="ana")
    st_.add_tag("question")
    doc = st_.add_document(documents.from_text(TEXT, "article.txt"))
    anns = [
        _annotate(doc, "An open question remains", "question"),
        _annotate(doc, "We recommend a new approach", "recommendation", note="Talk to **the team**"),
        _annotate(doc, "exports rose 12% in 2023", "evidence", author="bob"),
        _annotate(doc, "sanctions failed to change policy", "claim", note="Main claim."),
        _annotate(doc, "More evidence on the same paragraph", "evidence"),
    ]
    st_.insert_annotations(
        anns,
        [
            model.Link(model.new_id(), anns[2].id, anns[3].id, "supports", "ana", model.now_utc()),
            model.Link(model.new_id(), anns[1].id, anns[3].id, "based-on", "ana", model.now_utc()),
        ],
    )
    return st_, doc, anns


def test_grouped_by_document_then_tag_in_order(argued) -> None:  # type: ignore[no-untyped-def]
    st_, doc, _anns = argued
    text = report.markdown(exchange.select(st_), generated="")
    headings = re.findall(r"^(#+) (.*)$", text, flags=re.M)
    assert headings[:6] == [
        ("#", "Tagged passages"),
        ("##", "A Title Of The Article"),
        ("###", "Claims (1)"),
        ("###", "Evidence (2)"),
        ("###", "Recommendations (1)"),
        ("###", "Question (1)"),
    ]
    assert headings[6] == ("##", "Argument")
    # Within a tag, passages come in document order.
    assert text.index("exports rose 12%") < text.index("More evidence on the same paragraph")


def test_each_passage_has_its_location_note_and_author(argued) -> None:  # type: ignore[no-untyped-def]
    st_, doc, anns = argued
    text = report.markdown(exchange.select(st_), generated="")
    evidence = anns[2]
    assert (
        f"> exports rose 12% in 2023\n\n\u00b6 3 \u00b7 characters {evidence.start}\u2013{evidence.end} \u00b7 bob"
        in text
    )
    assert "\u00b6 3 \u00b7 characters" in text.split("More evidence on the same paragraph", 1)[1]
    assert "**Note:** Talk to \\*\\*the team\\*\\*" in text
    assert "\u00b6 4" in text.split("We recommend", 1)[1].split("\n\n")[1]


def test_the_argument_section_has_outline_and_weak_points(argued) -> None:  # type: ignore[no-untyped-def]
    st_, _doc, _anns = argued
    text = report.markdown(exchange.select(st_), generated="")
    argument = text.split("## Argument", 1)[1]
    assert "### Outline" in argument and "### Weak points" in argument
    assert "- **Claim**: \u201csanctions failed to change policy\u201d" in argument
    assert "_supports_: **Evidence**: \u201cexports rose 12% in 2023\u201d" in argument
    # The second piece of evidence is linked to nothing: a weak point.
    assert (
        "- Evidence linked to nothing: 1\n    - **Evidence**: \u201cMore evidence on the same paragraph\u201d"
        in argument
    )
    assert "## Argument" not in report.markdown(exchange.select(st_), with_argument=False)


def test_copy_as_markdown_of_selected_rows(argued) -> None:  # type: ignore[no-untyped-def]
    st_, _doc, anns = argued
    selection = exchange.select(st_, annotation_ids=[anns[3].id, anns[0].id])
    text = report.annotations_markdown(selection)
    assert "sanctions failed" in text and "An open question" in text and "exports rose" not in text
    assert text.startswith("> sanctions failed to change policy")
    assert "**Claim** \u00b7 \u00b6 2" in text and "**Question** \u00b7 \u00b6 5" in text
    full = report.markdown(selection, generated="")
    assert "Only 2 selected passages" in full


def _hostile_store() -> store.Store:
    st_ = store.Store.memory(annotator="<b>me</b>")
    body = "\n\n".join(HOSTILE) + "\n"
    title = "<script>alert('title')</script> [t](javascript:x)"
    loaded = documents.LoadedDocument(
        path="x", title=title, text=body, fingerprint=documents.fingerprint(body), kind="txt"
    )
    doc = st_.add_document(loaded)
    st_.add_tag(
        "<img src=x onerror=alert(3)>", label="[lbl](javascript:alert(4))", colour="red;}</style><script>x</script>"
    )
    anns = []
    for i, passage in enumerate(HOSTILE):
        start = body.index(passage)
        made = anchoring.new_annotation(
            doc, start, start + len(passage), ["claim", "evidence", "<img src=x onerror=alert(3)>"][i % 3],
            author=HOSTILE[(i + 1) % len(HOSTILE)], note=HOSTILE[(i + 2) % len(HOSTILE)],
        )  # fmt: skip
        assert made is not None
        anns.append(made)
    st_.insert_annotations(anns, [model.Link(model.new_id(), anns[1].id, anns[0].id, "supports", "x", model.now_utc())])
    return st_


def test_hostile_text_renders_as_text_in_markdown() -> None:
    text = report.markdown(exchange.select(_hostile_store()))
    for renderer in (lambda s: markdown.markdown(s), lambda s: markdown.markdown(s, extensions=["extra"])):
        rendered = renderer(text)
        found = _elements(rendered)
        assert not {"a", "img", "script", "iframe", "svg", "style"} & set(found.tags), set(found.tags)
        assert not [a for a in found.attributes if a[1].startswith("on") or a[1] in ("href", "src")]
        shown = "".join(found.text)
        # What the analyst wrote is there, literally.
        assert "[x](javascript:alert(1))" in shown
        assert "<script>alert(1)</script>" in shown
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in shown
        assert "<img src=x onerror=alert(1)>" in shown


def test_html_is_self_contained_and_inert() -> None:
    page = report.html(exchange.select(_hostile_store()))
    found = _elements(page)
    assert not {"a", "img", "script", "iframe", "svg", "link", "object", "embed", "form", "base"} & set(found.tags)
    assert not [a for a in found.attributes if a[1].startswith("on") or a[1] in ("href", "src", "style", "action")]
    assert ("meta", "charset", "utf-8") in found.attributes
    csp = next(v for t, n, v in found.attributes if t == "meta" and n == "content" and v and "default-src" in v)
    assert "default-src 'none'" in csp and "script-src" not in csp and "style-src 'unsafe-inline'" in csp
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "@media print" in style and "</" not in style and "url(" not in style and "@import" not in style
    assert "#e6a23c" in style and "#9b6ade" in style  # tag colours
    assert "#8c8c8c" in style  # the hostile tag's "colour" was replaced
    shown = "".join(found.text)
    assert "<script>alert(1)</script>" in shown and "[x](javascript:alert(1))" in shown
    assert "<script>alert('title')</script>" in shown  # the title, as text
    assert page.count("<script") == 0 and "javascript:" not in "".join(str(v) for _, _, v in found.attributes)


def test_html_of_a_normal_report(argued) -> None:  # type: ignore[no-untyped-def]
    st_, _doc, _anns = argued
    page = report.html(exchange.select(st_), generated="")
    found = _elements(page)
    assert found.tags.count("blockquote") == 5
    assert [t for t in found.tags if t == "h3"]
    assert '<section class="tag tag-0">' in page and "section.tag-0 { --tag: #e6a23c; }" in page
    assert "<strong>Note:</strong> Talk to **the team**" in page


def test_sanitise_is_a_second_line_of_defence() -> None:
    dirty = (
        '<p onclick="x()">ok</p><a href="javascript:alert(1)">a</a><img src=x onerror=alert(1)>'
        '<script>alert(1)</script><style>body{}</style><section class="tag" style="x">s</section>'
    )
    clean = report.sanitise(dirty)
    found = _elements(clean)
    assert set(found.tags) == {"p", "section"}
    assert found.attributes == [("section", "class", "tag")]
    assert "alert" not in clean and "body{}" not in clean


def test_markdown_of_persian_and_emoji(testdata: Path) -> None:
    st_ = store.Store.memory()
    doc = st_.add_document(documents.load(testdata / "texts" / "udhr" / "udhr_pes_1.txt"))
    start = doc.text.index("از آنجا که")
    made = anchoring.new_annotation(doc, start, start + 40, "claim", author="بهار", note="😀 یادداشت")
    assert made is not None
    st_.insert_annotation(made)
    text = report.markdown(exchange.select(st_), generated="")
    assert made.quote.split()[0] in text and "😀 یادداشت" in text and "بهار" in text
    page = report.html(exchange.select(st_), generated="")
    assert "😀 یادداشت" in page and "unicode-bidi: plaintext" in page


# -- written directly (issue 15): same text as the Markdown, line breaks kept, pages, linear outline ----------


def _shown_text(page: str) -> str:
    """The text a browser shows (tags dropped, white space collapsed)."""
    return " ".join("".join(_elements(page).text).split())


@pytest.mark.parametrize("which", ["argued", "hostile"])
def test_html_shows_the_same_text_as_the_markdown_report_rendered_by_the_markdown_package(which: str, request) -> None:  # type: ignore[no-untyped-def]
    st_ = request.getfixturevalue("argued")[0] if which == "argued" else _hostile_store()
    selection = exchange.select(st_)
    page = report.html(selection, generated="")
    body = page.split("<body>", 1)[1]
    independent = markdown.markdown(report.markdown(selection, generated=""), output_format="html")
    assert _shown_text(body) == _shown_text(independent)


def test_multi_line_notes_keep_their_line_breaks(argued) -> None:  # type: ignore[no-untyped-def]
    st_, _doc, anns = argued
    st_.update_annotation(anns[3].id, note="first line\nsecond - line\n\n> third paragraph")
    selection = exchange.select(st_)
    text = report.markdown(selection, generated="")
    rendered = markdown.markdown(text, output_format="html")
    assert "<p><strong>Note:</strong> first line<br>\nsecond - line</p>\n<p>&gt; third paragraph</p>" in rendered
    page = report.html(selection, generated="")
    assert "<p><strong>Note:</strong> first line<br>\nsecond - line</p>\n<p>&gt; third paragraph</p>" in page
    copied = report.annotations_markdown(selection, [anns[3].id])
    assert "first line  \nsecond - line\n\n&gt; third paragraph" in copied


def test_a_page_label_beside_each_passage_of_a_paged_document() -> None:
    st_ = store.Store.memory(annotator="ana")
    text = "Page one text here.\n\nPage two text here.\n"
    paged = documents.from_text(text, "paged.txt")
    doc = st_.add_document(paged)
    doc = model.Document(**{**doc.__dict__, "page_starts": (0, text.index("Page two"))})
    made = [_annotate(doc, "Page one text", "claim"), _annotate(doc, "Page two text", "evidence")]
    st_.insert_annotations(made)
    selection = exchange.select(st_)
    selection = exchange.Selection(**{**selection.__dict__, "documents": (doc,), "_by_fingerprint": {}})
    text_md = report.markdown(selection, generated="")
    assert "\u00b6 1 \u00b7 p. 1 \u00b7 characters 0\u201313" in text_md
    assert "\u00b6 2 \u00b7 p. 2 \u00b7 characters 21\u201334" in text_md
    assert "\u00b6 2 \u00b7 p. 2 \u00b7 characters 21\u201334" in report.html(selection, generated="")
    # A document without pages (the argued fixture's plain text) shows no page label.
    unpaged = report.markdown(exchange.select(st_), generated="")
    assert "p. " not in unpaged


def test_a_deep_chain_is_a_bounded_nested_list_in_html() -> None:
    st_ = store.Store.memory(annotator="ana")
    depth = 40
    text = "".join(f"Claim number {i} holds.\n\n" for i in range(depth))
    doc = st_.add_document(documents.from_text(text, "chain.txt"))
    anns = [_annotate(doc, f"Claim number {i} holds.", "claim") for i in range(depth)]
    links = [model.Link(model.new_id(), anns[i].id, anns[i - 1].id, "supports", "", "") for i in range(1, depth)]
    st_.insert_annotations(anns, links)
    page = report.html(exchange.select(st_), generated="")
    outline = page.split("<h3>Outline</h3>", 1)[1].split("<h3>", 1)[0]
    deepest = max(len(re.findall("<ul>", m)) - len(re.findall("</ul>", m)) for m in _prefixes(outline))
    assert deepest == argument.MAX_INDENT + 1
    assert f"(level {depth - 1}) <em>supports</em>" in outline
    assert outline.count("<li>") == depth and outline.count("<ul>") == outline.count("</ul>")
    # The Markdown report says the same, rendered by the markdown package.
    md = report.markdown(exchange.select(st_), generated="")
    assert _shown_text(page.split("<body>", 1)[1]) == _shown_text(markdown.markdown(md, output_format="html"))


def _prefixes(fragment: str) -> list[str]:
    return [fragment[: m.end()] for m in re.finditer("<li>", fragment)]


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_the_one_line_fast_path_agrees_with_one_line(text: str) -> None:
    assert report._one_line(text) == textutil.one_line(text)


def test_the_report_is_written_piece_by_piece(argued) -> None:  # type: ignore[no-untyped-def]
    st_, _doc, _anns = argued
    writes: list[str] = []

    class Recorder:
        def write(self, text: str) -> int:
            writes.append(text)
            return len(text)

    rows = exchange_rows.streamed(st_)
    report.write_html(rows, Recorder(), generated="")
    assert "".join(writes) == report.html(exchange.select(st_), generated="")
    assert len(writes) > 5 and max(map(len, writes)) < len("".join(writes)) / 2
