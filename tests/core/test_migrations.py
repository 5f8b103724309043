"""The annotation file's schema: its steps, its rules, and files left half-made."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from desktop.core import documents, migrations, model, store

TABLES = {"meta", "documents", "tags", "relations", "annotations", "links"}
TABLES |= {"document_grades", "passage_grades", "hypotheses", "ach_ratings"}  # issue 17


def _conn(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def test_schema_of_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "new.warrant"
    store.Store.open(path).close()
    conn = _conn(path)
    listed = {row[1]: row for row in conn.execute("PRAGMA main.table_list") if not row[1].startswith("sqlite_")}
    assert set(listed) == TABLES | {"_sqlite_migrations"}
    assert all(listed[name][5] == 1 for name in TABLES), "every table of Warrant's is STRICT"
    assert conn.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID == 0x57415252
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.FORMAT_VERSION
    applied = conn.execute("SELECT migration_set, name FROM _sqlite_migrations").fetchall()
    assert applied == [("warrant", step.__name__) for step in migrations.STEPS]
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE type IN ('trigger', 'view')").fetchone()[0] == 0
    conn.close()


def test_steps_are_named_in_order_and_documented() -> None:
    names = [step.__name__ for step in migrations.STEPS]
    assert names == sorted(names) and len(set(names)) == len(names)
    for i, step in enumerate(migrations.STEPS, start=1):
        assert re.fullmatch(rf"m{i:03d}_[a-z0-9_]+", step.__name__)
        assert step.__doc__


def test_reopening_applies_nothing_again(tmp_path: Path) -> None:
    path = tmp_path / "again.warrant"
    for _ in range(3):
        store.Store.open(path).close()
    conn = _conn(path)
    assert conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(migrations.STEPS)
    assert conn.execute("SELECT count(*) FROM tags").fetchone()[0] == len(model.DEFAULT_TAGS)
    conn.close()


def test_schema_rules_hold_at_the_sql_level(tmp_path: Path, seed_path: Path) -> None:
    path = tmp_path / "rules.warrant"
    with store.Store.open(path) as s:
        doc = s.add_document(documents.load(seed_path))
    conn = _conn(path)
    columns = 'id, document, tag, start, "end", quote, prefix, suffix, note, author, created, modified, ' + (
        "origin_author, origin_id, origin_file"
    )

    def annotation(id_: str, start: object, end: object, document: str = doc.fingerprint, tag: str = "claim") -> None:
        conn.execute(
            f"INSERT INTO annotations ({columns}) VALUES (?, ?, ?, ?, ?, 'q', '', '', '', 'a', 't', 't', '', '', '')",
            (id_, document, tag, start, end),
        )

    annotation("ok-1", 0, 5)
    annotation("ok-2", 6, 9)
    for bad in (
        ("neg", -1, 5),
        ("empty", 5, 5),
        ("reversed", 9, 3),
        ("text-offset", "three", 5),  # STRICT: no text where an integer belongs
    ):
        with pytest.raises(sqlite3.IntegrityError):
            annotation(*bad)
    with pytest.raises(sqlite3.IntegrityError):
        annotation("orphan", 0, 1, document="f" * 64)
    with pytest.raises(sqlite3.IntegrityError):
        annotation("untagged", 0, 1, tag="nope")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO documents VALUES ('short', 't', 'p', 'txt', 'text', 'now', '')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO links VALUES ('l0', 'ok-1', 'ok-1', 'supports', 'a', 't')")
    conn.execute("INSERT INTO links VALUES ('l1', 'ok-1', 'ok-2', 'supports', 'a', 't')")
    # Renaming a tag follows into annotations; deleting a document takes its annotations and links.
    conn.execute("UPDATE tags SET name = 'thesis' WHERE name = 'claim'")
    assert {row[0] for row in conn.execute("SELECT tag FROM annotations")} == {"thesis"}
    conn.execute("DELETE FROM documents")
    assert conn.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM links").fetchone()[0] == 0
    conn.close()


def test_a_file_interrupted_after_its_header_is_completed(tmp_path: Path) -> None:
    # Creation writes the header (application id, version) first; a crash right after leaves this.
    path = tmp_path / "half.warrant"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id={migrations.APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version={migrations.FORMAT_VERSION}")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.commit()
    conn.close()
    with store.Store.open(path, annotator="Ana") as s:
        assert s.tags() == list(model.DEFAULT_TAGS)
        assert s.relations() == list(model.DEFAULT_RELATIONS)
        assert s.annotator == "Ana" and s.integrity() == "ok"


def test_an_older_version_number_is_brought_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "old.warrant"
    store.Store.open(path, annotator="Ana").close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=0")
    conn.commit()
    conn.close()
    with store.Store.open(path) as s:
        assert s.format_version() == migrations.FORMAT_VERSION
        assert s.annotator == "Ana"
