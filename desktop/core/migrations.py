"""Schema steps of the annotation file, one function each, applied with sqlite-utils Migrations."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlite_utils import Database

FORMAT_VERSION = 4
"""The annotation-file format this Warrant writes; stored as ``PRAGMA user_version``. 2: the page map
(:func:`m002_page_starts`); 3: the assessment tables (:func:`m003_assessment`); 4: each tag's description
(:func:`m004_tag_description`)."""

APPLICATION_ID = 0x57415252
"""``PRAGMA application_id`` of every Warrant annotation file ('WARR')."""


def m001_initial(db: Database) -> None:
    """Meta, documents, tags, relations, annotations and links."""
    db.execute(
        """CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) STRICT"""
    )
    db.execute(
        """CREATE TABLE documents (
            fingerprint TEXT PRIMARY KEY CHECK (length(fingerprint) = 64),
            title TEXT NOT NULL,
            path TEXT NOT NULL,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            added TEXT NOT NULL
        ) STRICT"""
    )
    db.execute(
        """CREATE TABLE tags (
            name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
            label TEXT NOT NULL,
            colour TEXT NOT NULL,
            shortcut TEXT NOT NULL,
            position INTEGER NOT NULL
        ) STRICT"""
    )
    db.execute(
        """CREATE TABLE relations (
            name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
            label TEXT NOT NULL,
            position INTEGER NOT NULL
        ) STRICT"""
    )
    db.execute(
        """CREATE TABLE annotations (
            id TEXT PRIMARY KEY,
            document TEXT NOT NULL REFERENCES documents(fingerprint) ON DELETE CASCADE,
            tag TEXT NOT NULL REFERENCES tags(name) ON UPDATE CASCADE,
            start INTEGER NOT NULL CHECK (start >= 0),
            "end" INTEGER NOT NULL CHECK ("end" > start),
            quote TEXT NOT NULL,
            prefix TEXT NOT NULL,
            suffix TEXT NOT NULL,
            note TEXT NOT NULL,
            author TEXT NOT NULL,
            created TEXT NOT NULL,
            modified TEXT NOT NULL,
            origin_author TEXT NOT NULL,
            origin_id TEXT NOT NULL,
            origin_file TEXT NOT NULL
        ) STRICT"""
    )
    db.execute('CREATE INDEX annotations_by_position ON annotations (document, start, "end")')
    db.execute(
        """CREATE TABLE links (
            id TEXT PRIMARY KEY,
            source TEXT NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
            target TEXT NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
            relation TEXT NOT NULL REFERENCES relations(name) ON UPDATE CASCADE,
            author TEXT NOT NULL,
            created TEXT NOT NULL,
            CHECK (source <> target)
        ) STRICT"""
    )
    db.execute("CREATE INDEX links_by_source ON links (source)")
    db.execute("CREATE INDEX links_by_target ON links (target)")


def m002_page_starts(db: Database) -> None:
    """Each document's page map: the code-point offset of every page's start, as space-separated integers."""
    db.execute("ALTER TABLE documents ADD COLUMN page_starts TEXT NOT NULL DEFAULT ''")


STEPS: tuple[Callable[[Database], None], ...] = (m001_initial, m002_page_starts)
"""Every schema step, oldest first; a step is never edited once released, only added after."""


def apply(db: Database) -> None:
    """Apply the steps this file has not had yet, each in its own transaction (sqlite-utils Migrations)."""
    from sqlite_utils.migrations import Migrations

    migration_set = Migrations("warrant")
    for step in STEPS:
        migration_set(name=step.__name__)(step)
    migration_set.apply(db)


def m003_assessment(db: Database) -> None:
    """Admiralty grades (document reliability, passage credibility), hypotheses and ACH ratings (issue 17).

    No foreign keys on purpose: deleting a passage leaves its grade and ratings in place, unseen (every reader
    keeps only rows whose passages exist), so undoing the delete brings them back with the passage, at no
    cost to the delete itself (a cascade would add a statement per table and lose them on undo).
    """
    db.execute(
        """CREATE TABLE document_grades (
            document TEXT PRIMARY KEY CHECK (length(document) = 64),
            reliability TEXT NOT NULL CHECK (reliability IN ('A', 'B', 'C', 'D', 'E', 'F')),
            rationale TEXT NOT NULL,
            author TEXT NOT NULL,
            modified TEXT NOT NULL
        ) STRICT"""
    )
    db.execute(
        """CREATE TABLE passage_grades (
            annotation TEXT PRIMARY KEY CHECK (length(annotation) > 0),
            credibility INTEGER NOT NULL CHECK (credibility BETWEEN 1 AND 6),
            rationale TEXT NOT NULL,
            author TEXT NOT NULL,
            modified TEXT NOT NULL
        ) STRICT"""
    )
    db.execute(
        """CREATE TABLE hypotheses (
            annotation TEXT PRIMARY KEY CHECK (length(annotation) > 0),
            author TEXT NOT NULL,
            created TEXT NOT NULL
        ) STRICT"""
    )
    db.execute(
        """CREATE TABLE ach_ratings (
            evidence TEXT NOT NULL CHECK (length(evidence) > 0),
            hypothesis TEXT NOT NULL CHECK (length(hypothesis) > 0),
            rating TEXT NOT NULL CHECK (rating IN ('CC', 'C', 'N', 'I', 'II')),
            author TEXT NOT NULL,
            modified TEXT NOT NULL,
            PRIMARY KEY (evidence, hypothesis),
            CHECK (evidence <> hypothesis)
        ) STRICT"""
    )
    db.execute("CREATE INDEX ach_ratings_by_hypothesis ON ach_ratings (hypothesis)")


STEPS = (*STEPS, m003_assessment)


def m004_tag_description(db: Database) -> None:
    """Each tag's description: what it means and when to use it (the codebook's definition)."""
    db.execute("ALTER TABLE tags ADD COLUMN description TEXT NOT NULL DEFAULT ''")


STEPS = (*STEPS, m004_tag_description)
