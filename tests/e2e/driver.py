"""Drive the real Warrant window with random edits, announcing each one on stdout, until killed.

Run from the repository root (the crash tests start it as a subprocess and SIGKILL it)::

    python tests/e2e/driver.py ARTICLE --file F --seed N [--mode edits|save_copy|export] [--dest D]
    python tests/e2e/driver.py --serve FD      # fork runs like the above on request: see serve()

It starts the real program (:func:`desktop.ui.app.main`, so the real ``MainWindow`` over the real
store) and, from a ``QTimer``, edits through the window's own paths: a tag is a reader selection
plus the tag's key pressed on the reader, a delete is pane rows plus the Delete key, a note is the
session's note operation, undo and redo go through the window's ``QUndoStack``, a link through
``start_link``/``editor.finish_link``. In the copy mode File > Save a Copy As... is triggered with its
file dialog answered; in the export mode File > Export... is triggered with its dialogs answered (the
export job writes a CSV through the registry). The driver
keeps its own model of what the file must hold (it never asks the store) and prints, flushed, one
line per step:

* ``START <state>``: the state the window opened with;
* ``WILL <state>``: the state the file holds once the next edit is committed (an annotation or a link
  the window has not yet made is keyed ``NEW``);
* ``DONE <n> <op> <state>``: edit ``n`` (``tag``, ``retag``, ``note``, ``delete``, ``link``, ``undo``,
  ``redo``) is committed and shown;
* ``COPIED <n>`` / ``EXPORTED <n>``: in the copy and export modes, a complete copy or export written;
* ``ERROR <message>``: something the window should not have done; the driver exits with status 3.

A state is ``{"a": {id: [tag, start, end, note]}, "l": {id: [source, target, relation]}}``.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent.parent

State = dict[str, dict[str, list[Any]]]

NOTES = (
    "see para. 4",
    "weak: one source only",
    "«цитата» — مصدر",
    'quote "marks" and, commas',
    "two\nlines",
    "",
)
TAG_KEYS = {"claim": "1", "evidence": "2", "recommendation": "3"}
RELATIONS = ("supports", "contradicts", "based-on")


def emit(kind: str, *parts: object) -> None:
    """Print one protocol line and flush it, so a SIGKILL right after cannot swallow it."""
    text = " ".join([kind, *(p if isinstance(p, str) else json.dumps(p, sort_keys=True) for p in parts)])
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class Driver:
    """Random edits through the window, one per timer tick, with the expected file state tracked."""

    def __init__(self, args: argparse.Namespace) -> None:
        """Remember the options; the window is found when the first tick runs."""
        self.args = args
        self.rng = random.Random(args.seed)
        self.window: Any = None
        self.history: list[State] = []
        self.pos = 0
        self.count = 0
        self.update_calls = 0
        self.exporting = False
        self.export_answered = False

    # -- the expected state ------------------------------------------------------------------

    @property
    def state(self) -> State:
        return self.history[self.pos]

    def _push(self, new: State) -> None:
        self.history = [*self.history[: self.pos + 1], new]
        self.pos += 1

    def _session_state(self) -> State:
        sess = self.window.session
        return {
            "a": {a.id: [a.tag, a.start, a.end, a.note] for a in sess.annotations.values()},
            "l": {k.id: [k.source, k.target, k.relation] for k in sess.links.values()},
        }

    # -- start -------------------------------------------------------------------------------

    def start(self) -> None:
        """Find the window, then wait for its annotation file (opened after the first paint)."""
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        from desktop.ui import main_window

        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, main_window.MainWindow)]
        if len(windows) != 1:
            self.fail(f"expected one window, found {len(windows)}")
            return
        self.window = windows[0]
        self.window.error = self.fail  # a dialog would block the driver: any error ends the run
        self.timer = QTimer(self.window)
        self.timer.setInterval(self.args.interval_ms)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _begin(self) -> None:
        self.window.activateWindow()
        self.window.raise_()
        self.history = [self._session_state()]
        self.pos = 0
        emit("START", self.state)
        if self.args.kill_on_update:
            self._arm_kill_on_update()

    def _tick(self) -> None:
        if self.window.session is None:
            return
        if not self.history:
            self._begin()
            return
        if self.args.ops and self.count >= self.args.ops:
            self.timer.stop()
            self.window.close()
            return
        {"edits": self.edit, "save_copy": self.save_copy, "export": self.export}[self.args.mode]()

    def fail(self, message: str) -> None:
        """Report a failure and stop at once (no dialog, no clean-up)."""
        emit("ERROR", message.replace("\n", " "))
        os._exit(3)

    def _arm_kill_on_update(self) -> None:
        """SIGKILL this process at the Nth annotation UPDATE statement: inside one edit's transaction."""
        import signal

        conn = self.window.session.store.db.conn

        def trace(statement: str) -> None:
            if statement.lstrip().upper().startswith("UPDATE ANNOTATIONS"):
                self.update_calls += 1
                if self.update_calls == self.args.kill_on_update:
                    os.kill(os.getpid(), signal.SIGKILL)

        conn.set_trace_callback(trace)

    # -- one random edit ---------------------------------------------------------------------

    def edit(self) -> None:
        ids = list(self.state["a"])
        undo = self.window.undo_stack
        choices: list[tuple[Callable[[], State | None], int]] = [(self.tag, 6)]
        if ids:
            choices += [(self.note, 2), (self.retag, 2), (self.delete, 2)]
        if len(ids) >= 2:
            choices.append((self.link, 2))
        if self.args.multi_retag:
            choices = [(self.retag_many, 1)] if len(ids) >= 2 else [(self.tag, 1)]
        if undo.canUndo():
            choices.append((self.undo, 2))
        if undo.canRedo():
            choices.append((self.redo, 2))
        op = self.rng.choices([c for c, _ in choices], [w for _, w in choices])[0]
        before = self._session_state()
        if before != self.state:
            self.fail(f"the window shows {before}, the driver expected {self.state}")
        done = op()
        if done is None:
            return
        self.count += 1
        emit("DONE", str(self.count), op.__name__, done)

    def _check(self, expected: State) -> State:
        """Compare the window with ``expected`` after an edit (``NEW`` keys are matched to new ids)."""
        actual = self._session_state()
        for kind in ("a", "l"):
            new_ids = sorted(set(actual[kind]) - set(expected[kind]))
            if "NEW" in expected[kind] and len(new_ids) == 1:
                expected[kind][new_ids[0]] = expected[kind].pop("NEW")
        if actual != expected:
            self.fail(f"after the edit the window shows {actual}, expected {expected}")
        return expected

    def _select_rows(self, ids: Sequence[str], *, focus: str = "pane") -> None:
        """Select rows as a click would: in the pane, or on the passage in the reader (no text selected)."""
        if focus == "reader":
            self.window.reader.setFocus()
            self._clear_reader_selection()
        else:
            self.window.pane.view.setFocus()
        self.window.pane.select_ids(list(ids))
        if sorted(self.window.pane.selected_ids()) != sorted(ids):
            self.fail(f"could not select rows {ids}")

    def _clear_reader_selection(self) -> None:
        cursor = self.window.reader.textCursor()
        cursor.clearSelection()
        self.window.reader.setTextCursor(cursor)

    def _key(self, widget: Any, key: str) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        keys = {"1": Qt.Key.Key_1, "2": Qt.Key.Key_2, "3": Qt.Key.Key_3, "Delete": Qt.Key.Key_Delete}
        self.window.activateWindow()
        QTest.keyClick(widget, keys[key])

    def tag(self) -> State | None:
        text: str = self.window.session.document.text
        for _ in range(50):
            start = self.rng.randrange(len(text))
            end = min(len(text), start + self.rng.randint(1, 120))
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                break
        else:
            return None
        tag = self.rng.choice(list(TAG_KEYS))
        reader = self.window.reader
        reader.setFocus()
        reader.select_cp(start, end)
        if reader.selection_cp() != (start, end):
            self.fail(f"the reader selected {reader.selection_cp()} for {(start, end)}")
        start, end = reader.snapped_selection_cp()  # a tag covers whole words (issue 16)
        will = copy.deepcopy(self.state)
        will["a"]["NEW"] = [tag, start, end, ""]
        emit("WILL", will)
        self._key(reader, TAG_KEYS[tag])
        new = self._check(will)
        self._push(new)
        return new

    def retag(self) -> State | None:
        target = self.rng.choice(list(self.state["a"]))
        tag = self.rng.choice([t for t in TAG_KEYS if t != self.state["a"][target][0]])
        return self._retag([target], tag)

    def retag_many(self) -> State | None:
        ids = self.rng.sample(list(self.state["a"]), 2)
        tag = self.rng.choice([t for t in TAG_KEYS if all(self.state["a"][i][0] != t for i in ids)])
        return self._retag(ids, tag)

    def _retag(self, ids: list[str], tag: str) -> State | None:
        will = copy.deepcopy(self.state)
        for i in ids:
            will["a"][i][0] = tag
        emit("WILL", will)
        # As after a click on the highlighted passage: its row selected, no text selected, the reader
        # focused. (A row clicked in the pane selects its passage in the reader, and the key then
        # tags that passage anew instead of retagging: see test_xdotool's retag test.)
        self._select_rows(ids, focus="reader")
        self._key(self.window.reader, TAG_KEYS[tag])
        new = self._check(will)
        self._push(new)
        return new

    def note(self) -> State | None:
        from desktop.core import operations

        target = self.rng.choice(list(self.state["a"]))
        text = self.rng.choice([n for n in NOTES if n != self.state["a"][target][3]])
        will = copy.deepcopy(self.state)
        will["a"][target][3] = text
        emit("WILL", will)
        self._select_rows([target])
        sess = self.window.session
        current = sess.current([target])
        if not sess.run("Edit note", lambda: operations.note(sess.store, current, text)):
            return None
        new = self._check(will)
        self._push(new)
        return new

    def delete(self) -> State | None:
        ids = self.rng.sample(list(self.state["a"]), min(len(self.state["a"]), self.rng.randint(1, 3)))
        will = copy.deepcopy(self.state)
        for i in ids:
            del will["a"][i]
        will["l"] = {k: v for k, v in will["l"].items() if v[0] not in ids and v[1] not in ids}
        emit("WILL", will)
        self._select_rows(ids)
        self._key(self.window.pane.view, "Delete")
        new = self._check(will)
        self._push(new)
        return new

    def link(self) -> State | None:
        from desktop.core import argument

        annotations = self.window.session.annotations
        source, target = self.rng.sample(list(self.state["a"]), 2)
        # A random relation first, then the pair's usual one, then the other way round: the window
        # refuses links that make no sense (a claim "supporting" evidence), which are not edits.
        for a, b, relation in (
            (source, target, self.rng.choice(RELATIONS)),
            (source, target, self.window.default_relation(annotations[source], annotations[target])),
            (target, source, self.window.default_relation(annotations[target], annotations[source])),
        ):
            if argument.validate_link(annotations[a], annotations[b], relation) is None:
                source, target = a, b
                break
        else:
            return None
        if [source, target, relation] in self.state["l"].values():
            return None
        will = copy.deepcopy(self.state)
        will["l"]["NEW"] = [source, target, relation]
        emit("WILL", will)
        self._select_rows([source])
        self.window.start_link()
        self.window.editor.ask_relation = lambda *_args: relation  # answers the relation menu without showing it
        self.window.editor.finish_link(target)
        new = self._check(will)
        self._push(new)
        return new

    def undo(self) -> State | None:
        emit("WILL", self.history[self.pos - 1])
        self.window.undo_stack.undo()
        self.pos -= 1
        return self._check(copy.deepcopy(self.state))

    def redo(self) -> State | None:
        emit("WILL", self.history[self.pos + 1])
        self.window.undo_stack.redo()
        self.pos += 1
        return self._check(copy.deepcopy(self.state))

    # -- whole-file operations ----------------------------------------------------------------

    def _tag_first(self) -> bool:
        """Make a few tags before copying, so the copy has something to lose."""
        if self.count < self.args.tags_first:
            done = self.tag()
            if done is not None:
                self.count += 1
                emit("DONE", str(self.count), "tag", done)
            return True
        return False

    def save_copy(self) -> None:
        if self._tag_first():
            return
        from PySide6.QtWidgets import QFileDialog

        # File > Save a Copy As..., with the file dialog answered by the driver.
        QFileDialog.getSaveFileName = staticmethod(lambda *a, **k: (self.args.dest, ""))  # type: ignore[method-assign]
        self.window.action_collection.file_save_copy.trigger()
        self.count += 1
        emit("COPIED", str(self.count))

    def export(self) -> None:
        if self._tag_first() or self.exporting:
            return
        from desktop.ui.dialogs import export as export_dialog

        # File > Export..., the path users run: the dialogs answered by the driver, the file written by the
        # export job (the registry's csv row), which reports through its finished signal.
        if not self.export_answered:
            self.export_answered = True
            request = export_dialog.Request("csv", export_dialog.SCOPE_ALL)
            export_dialog.ask_request = lambda *_a: request  # type: ignore[assignment]
            export_dialog.ask_destination = lambda *_a: self.args.dest  # type: ignore[assignment]
            start = export_dialog.start_export

            def watched(*args: Any, **kwargs: Any) -> Any:
                job = start(*args, **kwargs)
                job.finished.connect(self._exported)
                return job

            export_dialog.start_export = watched  # type: ignore[assignment]
        self.exporting = True
        self.window.action_collection.file_export.trigger()

    def _exported(self, result: object) -> None:
        self.exporting = False
        if isinstance(result, Exception):
            self.fail(str(result))
        self.count += 1
        emit("EXPORTED", str(self.count))


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """Read the driver's options."""
    parser = argparse.ArgumentParser(prog="driver.py", description=__doc__.splitlines()[0])
    parser.add_argument("article")
    parser.add_argument("--file", required=True, help="the annotation file")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mode", choices=("edits", "save_copy", "export"), default="edits")
    parser.add_argument("--dest", help="save_copy/export: the file to write again and again")
    parser.add_argument("--ops", type=int, default=500, help="stop (close the window) after this many steps")
    parser.add_argument("--tags-first", type=int, default=3, help="save_copy/export: tags made before copying")
    parser.add_argument("--interval-ms", type=int, default=0, help="pause between steps")
    parser.add_argument("--multi-retag", action="store_true", help="only retag two rows at once")
    parser.add_argument("--kill-on-update", type=int, default=0, help="SIGKILL itself in the Nth annotation update")
    return parser.parse_args(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    """Start the real window with the driver's timer; return the window's exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    if argv[:1] == ["--serve"]:
        return serve(int(argv[1]))
    args = parse(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.ui import app

    qapp = QApplication([sys.argv[0]])
    driver = Driver(args)
    QTimer.singleShot(0, driver.start)
    status = app.main([args.article, "--file", args.file, "--annotator", "driver"])
    del qapp
    return status


def serve(fd: int) -> int:
    """Fork one driver per request (``driver.py --serve FD``), with the modules already imported.

    Importing PySide6, sqlite-utils and the window's modules is ~85 % of a run's CPU time; a crash
    test that kills fifty runs forks them from this server instead of starting fifty interpreters.
    Each child is a fresh process that creates its own QApplication and runs :func:`main` (the real
    ``desktop.ui.app.main``) exactly as ``python driver.py ...`` would, and is SIGKILLed the same way.

    The socket ``fd`` (``AF_UNIX``, ``SOCK_SEQPACKET``) carries requests ``{"argv": [...]}`` with
    two file descriptors for the child's stdout and stderr; the server answers ``PID <pid>`` and,
    when the child has died, ``EXIT <pid> <status>`` (negative: the signal that killed it).
    """
    import socket
    import traceback

    # Imported before the fork, so that the children need not.
    import PySide6.QtCore
    import PySide6.QtGui
    import PySide6.QtTest
    import PySide6.QtWidgets  # noqa: F401

    from desktop.core import exchange, store  # noqa: F401
    from desktop.ui import app, main_window  # noqa: F401

    sock = socket.socket(fileno=fd)
    while True:
        message, fds, _, _ = socket.recv_fds(sock, 65536, 2)
        if not message:
            return 0
        request = json.loads(message)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            sock.close()
            os.dup2(fds[0], 1)
            os.dup2(fds[1], 2)
            os.close(fds[0])
            os.close(fds[1])
            status = 1
            try:
                status = main(request["argv"])
            except SystemExit as exc:
                status = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        for descriptor in fds:
            os.close(descriptor)
        sock.send(f"PID {pid}".encode())
        _, wait_status = os.waitpid(pid, 0)
        sock.send(f"EXIT {pid} {os.waitstatus_to_exitcode(wait_status)}".encode())


if __name__ == "__main__":
    raise SystemExit(main())
