"""A realistic argument over the seed article, shared by the outline, Argdown and map tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from desktop.core import anchoring, documents, model, store

# Exact passages of seeds/russian-iranian-alliance.txt.
CENTRAL_CLAIM = "the Russian-Iranian relationship lacks a strategic dimension, thus effectively precluding an alliance."
EVIDENCE_LIMITED_TIES = (
    "ties have so far been limited to economic exchanges, the arms trade and, at the highest level, "
    "cooperation in the sphere of nuclear technology."
)
EVIDENCE_NOT_STRATEGIC = (
    "For Russia, however, none of these areas of collaboration are considered strategic or non-negligible interests."
)
RECOMMENDATION = "if Iran really wants to elevate the level of its bilateral relationship with Russia, now is the best time to do so."
CLAIM_NOT_UNIQUE = "Russia’s approach toward Iran is not as unique and special as it may seem"
EVIDENCE_EXPANSIVE_TIES = (
    "Russia has at present, and on a critical issue such as Syria, comparably the most expansive ties with Iran"
)
EVIDENCE_VISAS = "it was announced Oct. 24 that Russia plans to lift visa requirements for Iranian citizens."


@dataclass
class SeedArgument:
    """The store, the document and the annotations by role."""

    store: store.Store
    document: model.Document
    central: model.Annotation
    limited_ties: model.Annotation
    not_strategic: model.Annotation
    recommendation: model.Annotation
    not_unique: model.Annotation
    expansive_ties: model.Annotation
    visas: model.Annotation
    links: list[model.Link]


def annotate(doc: model.Document, passage: str, tag: str) -> model.Annotation:
    """An annotation of the one occurrence of ``passage`` in the document."""
    start = doc.text.index(passage)
    assert doc.text.count(passage) == 1, passage
    made = anchoring.new_annotation(doc, start, start + len(passage), tag, author="tester")
    assert made is not None
    return made


def link(source: model.Annotation, target: model.Annotation, relation: str) -> model.Link:
    """A new link (not stored)."""
    return model.Link(model.new_id(), source.id, target.id, relation, "tester", model.now_utc())


def build(seed_path: Path, st: store.Store | None = None) -> SeedArgument:
    """Store the seed and its argument: two pieces of evidence support the central claim, the
    recommendation is based on it, a second claim is only contradicted, and one piece of evidence
    is linked to nothing."""
    st = st or store.Store.memory(annotator="tester")
    doc = st.add_document(documents.load(seed_path))
    central = annotate(doc, CENTRAL_CLAIM, "claim")
    limited = annotate(doc, EVIDENCE_LIMITED_TIES, "evidence")
    not_strategic = annotate(doc, EVIDENCE_NOT_STRATEGIC, "evidence")
    rec = annotate(doc, RECOMMENDATION, "recommendation")
    not_unique = annotate(doc, CLAIM_NOT_UNIQUE, "claim")
    expansive = annotate(doc, EVIDENCE_EXPANSIVE_TIES, "evidence")
    visas = annotate(doc, EVIDENCE_VISAS, "evidence")
    links = [
        link(limited, central, "supports"),
        link(not_strategic, central, "supports"),
        link(rec, central, "based-on"),
        link(expansive, not_unique, "contradicts"),
    ]
    st.insert_annotations([central, limited, not_strategic, rec, not_unique, expansive, visas], links)
    return SeedArgument(st, doc, central, limited, not_strategic, rec, not_unique, expansive, visas, links)
