"""Benchmark data made on the spot: long articles grown from the seed, and annotation files full of tags.

Everything is deterministic (seeded ``random.Random``), so two runs measure the same work. Files are
written once into a data folder and reused by every scenario; scenarios that write copy them first.
"""

from __future__ import annotations

import random
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from desktop.core import anchoring, documents, model, store

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "russian-iranian-alliance.txt"

KB = 1024
MB = 1024 * 1024
ARTICLE_SIZES: dict[str, int] = {"10kb": 10 * KB, "1mb": MB, "10mb": 10 * MB, "50mb": 50 * MB}
TAG_WEIGHTS: tuple[tuple[str, int], ...] = (("claim", 35), ("evidence", 45), ("recommendation", 20))
NOTE_SHARE = 0.2
AUTHOR = "bench"

_WORD = re.compile(r"[A-Za-z][a-z]{3,}")


@dataclass(frozen=True)
class Fixture:
    """One article with its annotation file, as a scenario uses it."""

    article: Path
    annotations: Path
    count: int


def grow_article(size: int, seed_text: str | None = None) -> str:
    """Return an article of about ``size`` bytes: the seed repeated, each copy numbered and varied.

    Each copy gets a heading and about one word in twenty swapped for another word of the seed, so
    that quotes are not all identical (re-anchoring and search see realistic text).
    """
    base = (seed_text if seed_text is not None else SEED.read_text(encoding="utf-8")).strip()
    words = sorted(set(_WORD.findall(base)))
    parts: list[str] = []
    total = 0
    copy = 0
    while total < size:
        rng = random.Random(copy)
        varied = _WORD.sub(lambda m, r=rng: r.choice(words) if r.random() < 0.05 else m.group(0), base)
        part = f"Part {copy + 1}\n\n{varied}\n\n"
        parts.append(part)
        total += len(part.encode("utf-8"))
        copy += 1
    text = "".join(parts)
    cut = text.encode("utf-8")[:size].decode("utf-8", errors="ignore")
    return cut[: cut.rfind("\n") + 1] if "\n" in cut else cut


def _tag(rng: random.Random) -> str:
    roll = rng.randrange(100)
    for name, weight in TAG_WEIGHTS:
        if roll < weight:
            return name
        roll -= weight
    return TAG_WEIGHTS[-1][0]


def make_annotations(
    document: model.Document, count: int, *, seed: int = 7
) -> tuple[list[model.Annotation], list[model.Link]]:
    """Make ``count`` overlapping annotations in all three tags, a fifth with notes, and links among them.

    Passages start at word boundaries; 60% are sentence-long (40-250 characters), 30% short
    (10-40) and 10% paragraph-long (250-1,500), so many overlap. About one evidence in five
    supports an earlier claim and one recommendation in three is based on one.
    """
    rng = random.Random(seed)
    text = document.text
    n = len(text)
    out: list[model.Annotation] = []
    links: list[model.Link] = []
    claims: list[str] = []
    i = 0
    while len(out) < count:
        i += 1
        start = rng.randrange(0, max(1, n - 40))
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 40 else start
        kind = rng.random()
        length = rng.randint(40, 250) if kind < 0.6 else rng.randint(10, 40) if kind < 0.9 else rng.randint(250, 1500)
        s, e = anchoring.trim(text, start, min(n, start + length))
        if e <= s:
            continue
        sel = anchoring.select(text, s, e)
        tag = _tag(rng)
        stamp = f"2024-03-{1 + (i // 86_400_000) % 28:02d}T{(i // 3_600_000) % 24:02d}:{(i // 60_000) % 60:02d}:{(i // 1000) % 60:02d}.{i % 1000:03d}Z"
        a = model.Annotation(
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            document=document.fingerprint,
            tag=tag,
            start=sel.start,
            end=sel.end,
            quote=sel.exact,
            prefix=sel.prefix,
            suffix=sel.suffix,
            note=f"Note {i}: check {rng.choice(['source', 'date', 'figure', 'wording'])}"
            if rng.random() < NOTE_SHARE
            else "",
            author=AUTHOR,
            created=stamp,
            modified=stamp,
        )
        out.append(a)
        if tag == "claim":
            claims.append(a.id)
        elif claims and (
            (tag == "evidence" and rng.random() < 0.2) or (tag == "recommendation" and rng.random() < 0.33)
        ):
            relation = "based-on" if tag == "recommendation" else rng.choice(["supports", "supports", "contradicts"])
            links.append(
                model.Link(
                    str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    a.id,
                    rng.choice(claims),
                    relation,
                    AUTHOR,
                    stamp,
                )
            )
    return out, links


def write_article(folder: Path, name: str) -> Path:
    """Write the article ``name`` (a key of :data:`ARTICLE_SIZES`, or ``seed``) into ``folder``."""
    path = folder / f"article-{name}.txt"
    if not path.exists():
        if name == "seed":
            shutil.copyfile(SEED, path)
        else:
            path.write_text(grow_article(ARTICLE_SIZES[name]), encoding="utf-8")
    return path


def fixture(folder: Path, article: str, count: int) -> Fixture:
    """Return (making it the first time) the article ``article`` with an annotation file of ``count`` tags."""
    folder.mkdir(parents=True, exist_ok=True)
    path = write_article(folder, article)
    target = folder / f"annotations-{article}-{count}.warrant"
    if not target.exists():
        loaded = documents.load(path)
        partial = target.with_suffix(".partial")
        for stale in folder.glob(partial.name + "*"):
            stale.unlink()
        st = store.Store.open(partial, annotator=AUTHOR)
        try:
            doc = st.add_document(loaded)
            if count:
                annotations, links = make_annotations(doc, count)
                st.insert_annotations(annotations, links)
        finally:
            st.close()
        partial.replace(target)
    return Fixture(path, target, count)


def working_copy(fix: Fixture, folder: Path) -> Path:
    """Copy a fixture's annotation file into ``folder`` for a scenario that writes to it."""
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / fix.annotations.name
    for suffix in ("-wal", "-shm"):  # a stale WAL beside a fresh copy would be replayed into it
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(fix.annotations, dest)
    return dest


def load_rows(fix: Fixture) -> tuple[model.Document, list[model.Annotation], list[model.Link]]:
    """Read a fixture's document, annotations and links (for floors that work on lists in memory)."""
    st = store.Store.open(fix.annotations, create=False)
    try:
        doc = st.documents()[0]
        return doc, st.annotations(doc.fingerprint), st.links(doc.fingerprint)
    finally:
        st.close()
