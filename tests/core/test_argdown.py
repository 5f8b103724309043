"""The Argdown export: statements, relations, escaping, several documents, and the exchange entry point."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import argument_seed
import pytest

from desktop.core import documents, exchange, model, store, textutil
from desktop.core.exchange import argdown

# One line of the export: indentation, optional relation symbol, [Title], optional ": text #(tag)".
LINE = re.compile(
    r"^(?P<indent>(?:    )*)(?:(?P<symbol><\+|<-|\+>) )?\[(?P<title>[^\[\]\n]+)\]"
    r"(?:: (?P<text>.*?)(?: #\((?P<tag>[^()\n]*)\))?)?$"
)
SPECIAL = set("\\[]<>{}@#*_/=`")


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def unescaped_specials(text: str) -> set[str]:
    return set(re.sub(r"\\.", "", text)) & SPECIAL


def parse(text: str) -> list[dict[str, str | int | None]]:
    """The statement and relation lines, checked against the line grammar above."""
    rows: list[dict[str, str | int | None]] = []
    for line in text.splitlines():
        if not line or line.startswith("//") or line.startswith("# "):
            continue
        m = LINE.match(line)
        assert m, f"not an Argdown statement or relation line: {line!r}"
        rows.append(
            {
                "depth": len(m["indent"]) // 4,
                "symbol": m["symbol"],
                "title": m["title"],
                "text": m["text"],
                "tag": m["tag"],
            }
        )
    return rows


def test_seed_export_nests_the_argument(seed_path: Path) -> None:
    seed = argument_seed.build(seed_path)
    out = argdown.argdown(seed.store)
    assert out.splitlines()[2] == f"# {argdown.escape_argdown(seed.document.title)}"
    rows = parse(out)
    by_text = {unescape(str(r["text"])): r for r in rows if r["text"] is not None}
    central = by_text[argument_seed.CENTRAL_CLAIM]
    assert central["depth"] == 0 and central["symbol"] is None and central["tag"] == "claim"
    i = rows.index(central)
    children = rows[i + 1 : i + 4]
    assert [(c["depth"], c["symbol"], unescape(str(c["text"]))) for c in children] == [
        (1, "<+", argument_seed.EVIDENCE_LIMITED_TIES),
        (1, "<+", argument_seed.EVIDENCE_NOT_STRATEGIC),
        (1, "+>", argument_seed.RECOMMENDATION),
    ]
    contested = by_text[argument_seed.CLAIM_NOT_UNIQUE]
    j = rows.index(contested)
    assert rows[j + 1]["symbol"] == "<-" and unescape(str(rows[j + 1]["text"])) == argument_seed.EVIDENCE_EXPANSIVE_TIES
    visas = by_text[argument_seed.EVIDENCE_VISAS]
    assert visas["depth"] == 0 and visas["tag"] == "evidence"
    # Seven annotations, seven statements with text, seven distinct titles.
    assert len(by_text) == 7 and len({r["title"] for r in rows}) == 7


EVIL = [
    "[Claim 9]: fake <Arg>: x {a: 1} @[Claim 1] #tag #(x y) **bold** _it_ // comment /* c */ <!-- h -->",
    "line one\n\n+> [X]\n  <- [Y]\n-- inference --\n=== front ===\n# heading",
    "back\\slash \\[ ends with a backslash \\",
    "a -> b <- c >< d _> e <_ f, g; h: i (j) k + l - m `code`",
]


def evil_store() -> tuple[store.Store, list[model.Annotation]]:
    st = store.Store.memory()
    text = "\n\n".join(EVIL) + "\n"
    doc = st.add_document(documents.from_text(text, "evil.txt"))
    custom = st.add_tag("q]uest[ion) #x", label="Qu]e[st <i>")
    kinds = ["claim", "evidence", "recommendation", custom.name]
    anns = []
    for kind, passage in zip(kinds, EVIL, strict=True):
        start = text.index(passage)
        anns.append(model.Annotation(model.new_id(), doc.fingerprint, kind, start, start + len(passage), passage))
    links = [argument_seed.link(anns[1], anns[0], "supports"), argument_seed.link(anns[2], anns[0], "based-on")]
    st.insert_annotations(anns, links)
    relation = st.add_relation("under]mines // x\ny")
    st.insert_link(argument_seed.link(anns[3], anns[0], relation.name))
    return st, anns


def test_user_text_cannot_break_the_syntax() -> None:
    st, anns = evil_store()
    out = argdown.argdown(st)
    rows = parse(out)  # every line still matches the grammar
    texts = [r for r in rows if r["text"] is not None]
    assert len(texts) == len(anns)
    for row in texts:
        assert not unescaped_specials(str(row["text"])), row
    assert sorted(unescape(str(r["text"])) for r in texts) == sorted(textutil.one_line(a.quote) for a in anns)
    heading = next(line for line in out.splitlines() if line.startswith("# "))
    assert not unescaped_specials(heading[2:])
    # The custom relation is a comment on one line; its newline did not start a new Argdown line.
    comments = [line for line in out.splitlines() if line.startswith("//")]
    assert any("under mines" in c for c in comments)
    assert not any(line.startswith("y") for line in out.splitlines())


def test_custom_relations_become_comments_and_their_sources_are_still_defined() -> None:
    st, anns = evil_store()
    rows = parse(argdown.argdown(st))
    custom = next(r for r in rows if r["text"] is not None and unescape(str(r["text"])).startswith("a -> b"))
    assert custom["depth"] == 0 and custom["symbol"] is None
    assert custom["tag"] == "q uest ion x"


def test_a_passage_is_defined_once_and_referenced_after() -> None:
    st = store.Store.memory()
    doc = st.add_document(documents.from_text("one two three four five six seven", "t.txt"))
    c1 = model.Annotation("c1", doc.fingerprint, "claim", 0, 3, "one")
    c2 = model.Annotation("c2", doc.fingerprint, "claim", 4, 7, "two")
    e = model.Annotation("e", doc.fingerprint, "evidence", 8, 13, "three")
    st.insert_annotations(
        [c1, c2, e],
        [argument_seed.link(e, c1, "supports"), argument_seed.link(e, c2, "contradicts")],
    )
    rows = parse(argdown.argdown(st))
    mentions = [r for r in rows if r["title"] == "Evidence 1"]
    assert [(r["symbol"], r["text"]) for r in mentions] == [("<+", "three"), ("<-", None)]


def test_several_documents_get_headings_and_unique_titles(seed_path: Path) -> None:
    seed = argument_seed.build(seed_path)
    other = seed.store.add_document(documents.from_text("The second article\n\nA claim here. Evidence there.", "b.txt"))
    claim = argument_seed.annotate(other, "A claim here.", "claim")
    evidence = argument_seed.annotate(other, "Evidence there.", "evidence")
    seed.store.insert_annotations([claim, evidence], [argument_seed.link(evidence, claim, "supports")])
    out = argdown.argdown(seed.store)
    assert [line for line in out.splitlines() if line.startswith("# ")] == [
        f"# {argdown.escape_argdown(seed.document.title)}",
        "# The second article",
    ]
    titles = [r["title"] for r in parse(out) if r["text"] is not None]
    assert len(titles) == len(set(titles)) == 9
    only = argdown.argdown(seed.store, document=other.fingerprint)
    assert [r["text"] for r in parse(only)] == ["A claim here.", "Evidence there."]


def test_the_exchange_module_exports_argdown(seed_path: Path, tmp_path: Path) -> None:
    seed = argument_seed.build(seed_path)
    data = exchange.render(seed.store, "argdown")
    assert data.decode("utf-8") == argdown.argdown(seed.store)
    claims_only = exchange.render(seed.store, "argdown", tags=["claim"]).decode("utf-8")
    assert {r["tag"] for r in parse(claims_only)} == {"claim"}
    target = tmp_path / "seed.argdown"
    exchange.export(seed.store, "argdown", target)
    assert target.read_text(encoding="utf-8") == argdown.argdown(seed.store)


# The real Argdown parser (@argdown/core, Node) when a developer has it: set WARRANT_ARGDOWN_MODULES
# to a node_modules folder holding @argdown/core (``npm install @argdown/core`` in any folder).
_NODE_CHECK = """
const core = require("@argdown/core");
const input = require("fs").readFileSync(0, "utf8");
const app = new core.ArgdownApplication();
app.addPlugin(new core.ParserPlugin(), "parse-input");
app.addPlugin(new core.ModelPlugin(), "build-model");
const r = app.run({ process: ["parse-input", "build-model"], input });
console.log(JSON.stringify({
  errors: [...(r.lexerErrors || []), ...(r.parserErrors || [])].map(e => e.message),
  statements: Object.values(r.statements || {}).map(ec => ({ title: ec.title,
    text: (ec.members.find(m => m.text !== undefined) || {}).text })),
  relations: (r.relations || []).map(k => [k.from.title, k.to.title, k.relationType]),
}));
"""


def test_the_real_argdown_parser_reads_the_export() -> None:
    modules = os.environ.get("WARRANT_ARGDOWN_MODULES")
    node = shutil.which("node")
    if not modules or not node or not (Path(modules) / "@argdown" / "core").is_dir():
        pytest.skip("set WARRANT_ARGDOWN_MODULES to a node_modules folder with @argdown/core to run this check")
    st, anns = evil_store()
    out = argdown.argdown(st)
    done = subprocess.run(
        [node, "-e", _NODE_CHECK],
        input=out,
        capture_output=True,
        text=True,
        env={**os.environ, "NODE_PATH": modules},
        timeout=60,
        check=True,
    )
    result = json.loads(done.stdout)
    assert result["errors"] == []
    texts = sorted(re.sub(r" #\([^()]*\)$", "", s["text"]) for s in result["statements"])
    assert texts == sorted(textutil.one_line(a.quote) for a in anns)
    assert sorted(k[2] for k in result["relations"]) == ["support", "support"]


def _chain_store(n: int) -> tuple[store.Store, list[model.Annotation]]:
    """A chain of ``n`` claims, each supporting the one before it (issue 14 item 11)."""
    st_ = store.Store.memory()
    text = "".join(f"Claim number {i} holds.\n\n" for i in range(n))
    doc = st_.add_document(documents.from_text(text, "chain.txt"))
    anns, pos = [], 0
    for i in range(n):
        quote = f"Claim number {i} holds."
        anns.append(model.Annotation(f"a{i:06d}", doc.fingerprint, "claim", pos, pos + len(quote), quote))
        pos += len(quote) + 2
    links = [model.Link(f"l{i:06d}", anns[i].id, anns[i - 1].id, "supports") for i in range(1, n)]
    st_.insert_annotations(anns, links)
    return st_, anns


def _edges(text: str) -> set[tuple[str, str, str]]:
    """(source title, symbol, target title) for every relation line, read by indentation and block roots."""
    edges = set()
    for block in text.split("\n\n"):
        parents: list[str] = []
        for line in block.splitlines():
            if line.startswith("//") or line.startswith("# "):
                continue
            m = LINE.match(line)
            assert m, line
            depth = len(m["indent"]) // 4
            del parents[depth:]
            if depth:
                edges.add((m["title"], str(m["symbol"]), parents[depth - 1]))
            parents.append(m["title"])
    return edges


def test_a_deep_chain_is_written_with_references_and_grows_linearly() -> None:
    n = 20_000
    st_, anns = _chain_store(n)
    out = argdown.argdown(st_)
    # 800 MB before (indentation by depth); now a few dozen bytes per claim.
    assert len(out.encode("utf-8")) < 100 * n
    rows = parse(out)
    assert max(int(str(r["depth"])) for r in rows) <= argdown.MAX_DEPTH
    defined = [r["title"] for r in rows if r["text"] is not None]
    assert len(defined) == len(set(defined)) == n  # each claim written with its text exactly once
    titles = {unescape(str(r["text"])): r["title"] for r in rows if r["text"] is not None}
    expected = {(titles[anns[i].quote], "<+", titles[anns[i - 1].quote]) for i in range(1, n)}
    assert _edges(out) == expected  # every link there, once, none invented


def test_a_chain_just_past_the_depth_continues_under_a_reference() -> None:
    st_, _anns = _chain_store(argdown.MAX_DEPTH + 3)
    blocks = argdown.argdown(st_).split("\n\n")
    tree, continuation = blocks[2], blocks[3]
    assert len(tree.splitlines()) == argdown.MAX_DEPTH + 1
    last = LINE.match(tree.splitlines()[-1])
    assert last is not None
    assert continuation.splitlines()[0] == f"[{last['title']}]"  # a reference: Argdown joins it to the statement
    assert continuation.splitlines()[1].startswith("    <+ [Claim ")
