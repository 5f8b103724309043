"""Plain-English wording helpers for texts shown in the window."""

from __future__ import annotations

import re

_PLURAL = re.compile(r"\((e?s)\)")


def counted(text: str, n: int) -> str:
    """English forms for a ``tr("%n passage(s)", "", n)`` text no translation has replaced: "1 passage", "2 passages".

    A translation (with its own plural forms) has no "(s)" left and comes back unchanged.
    """
    return _PLURAL.sub("" if n == 1 else r"\1", text)
