"""Render the README's screenshot: the real window, offscreen, with the seed article and a few tags.

Run from the repository root: ``python docs/make_screenshot.py [OUT.png] [TAB]`` (default docs/screenshot.png;
TAB ``map``, ``outline`` or ``review`` shows that tab instead of the list, e.g. docs/screenshot-map.png map).
Nothing of the user's is touched: the annotation file lives in a temporary folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TAGS = (
    ("the Russian-Iranian relationship lacks a strategic dimension, thus effectively precluding an alliance.", "claim"),
    (
        "ties have so far been limited to economic exchanges, the arms trade and, at the highest level, "
        "cooperation in the sphere of nuclear technology.",
        "evidence",
    ),
    (
        "For Russia, however, none of these areas of collaboration are considered strategic or non-negligible "
        "interests.",
        "evidence",
    ),
    ("it was announced Oct. 24 that Russia plans to lift visa requirements for Iranian citizens.", "evidence"),
    (
        "if Iran really wants to elevate the level of its bilateral relationship with Russia, now is the best "
        "time to do so.",
        "recommendation",
    ),
)


def main() -> int:
    """Make the screenshot; return 0."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshot.png"
    scratch = tempfile.mkdtemp(prefix="warrant-shot-")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ[name] = os.path.join(scratch, name.lower())
    sys.path.insert(0, str(ROOT))
    from PySide6.QtWidgets import QApplication

    from desktop.core import model, operations
    from desktop.ui import main_window

    app = QApplication([])
    window = main_window.MainWindow()
    window.open_path(
        ROOT / "seeds" / "russian-iranian-alliance.txt", annotation_file=os.path.join(scratch, "a.warrant")
    )
    window.resize(1400, 860)
    window.show()
    text = window.reader.text
    ids = {}
    for phrase, tag in TAGS:
        start = text.index(phrase)
        window.reader.select_cp(start, start + len(phrase))
        window.tag_selection(tag)
        ids[phrase] = next(a.id for a in window.session.annotations.values() if a.quote == phrase)
    sess = window.session
    claim = ids[TAGS[0][0]]
    for phrase, relation in ((TAGS[1][0], "supports"), (TAGS[2][0], "supports"), (TAGS[4][0], "based-on")):
        link = model.Link(model.new_id(), ids[phrase], claim, relation, sess.store.annotator, model.now_utc())
        sess.run("Link", lambda k=link: operations.link(sess.store, k))
    note = "Central claim of the piece: check against the 2024 treaty."
    sess.run("Edit note", lambda: operations.note(sess.store, sess.current([claim]), note))
    at = text.index(TAGS[1][0])
    window.reader.select_cp(at, at)
    window.reader.centerCursor()
    window.pane.select_ids([claim])
    if len(sys.argv) > 2:
        window.show_tab(sys.argv[2])
    for _ in range(5):
        app.processEvents()
    window.grab().save(str(out))
    print(out)
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
