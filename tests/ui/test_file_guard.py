"""One file, one window: the open lock and the watch for other writers (issue 16)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.ui import file_guard


def test_a_second_lock_names_the_first_holder_and_is_free_after_release(tmp_path: Path) -> None:
    f = tmp_path / "mine.warrant"
    f.write_bytes(b"x")
    first, second = file_guard.OpenLock(f), file_guard.OpenLock(f)
    assert first.acquire() is None
    # QLockFile is per process; a second lock object in the same process sees the file as locked by us.
    message = second.acquire()
    assert message is not None and f"process {os.getpid()}" in message
    first.release()
    assert second.acquire() is None
    second.release()


def test_the_lock_follows_the_file_not_its_name(tmp_path: Path) -> None:
    f = tmp_path / "mine.warrant"
    f.write_bytes(b"x")
    alias = tmp_path / "alias.warrant"
    alias.symlink_to(f)
    assert file_guard.lock_path(f) == file_guard.lock_path(alias)
    assert file_guard.lock_path(f).parent != tmp_path  # nothing is written beside the annotation file


def test_a_lock_held_by_another_process_is_reported_and_a_dead_ones_is_not(tmp_path: Path) -> None:
    f = tmp_path / "mine.warrant"
    f.write_bytes(b"x")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys
                from desktop.ui import file_guard
                lock = file_guard.OpenLock({str(f)!r})
                assert lock.acquire() is None
                print("held", flush=True)
                sys.stdin.readline()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        message = file_guard.OpenLock(f).acquire()
        assert message is not None and f"process {holder.pid}" in message
    finally:
        holder.kill()
        holder.communicate()
    mine = file_guard.OpenLock(f)
    assert mine.acquire() is None  # the holder died: its lock is stale and taken over
    mine.release()


def test_the_watch_sees_a_commit_from_another_connection(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "f.sqlite"
    ours = sqlite3.connect(db)
    ours.execute("PRAGMA journal_mode=WAL")
    ours.execute("CREATE TABLE t (x)")
    ours.commit()

    def version() -> int:
        return int(ours.execute("PRAGMA data_version").fetchone()[0])

    watch = file_guard.ChangeWatch(version)
    assert not watch.check()
    ours.execute("INSERT INTO t VALUES (1)")  # our own writes do not count
    ours.commit()
    assert not watch.check()
    theirs = sqlite3.connect(db)
    theirs.execute("INSERT INTO t VALUES (2)")
    theirs.commit()
    with qtbot.waitSignal(watch.changed_elsewhere, timeout=5000):
        pass
    assert not watch.check()
    watch.stop()
    theirs.close()
    ours.close()
