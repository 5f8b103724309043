"""A sorted index of half-open intervals answering "which intervals touch [a, b)?" in O(log n + k)."""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Iterable


class IntervalIndex:
    """Intervals ``[start, end)`` keyed by any hashable; overlap queries use bisect on the starts.

    The longest interval bounds how far back a query scans, so queries stay cheap for passages
    (sentences, paragraphs) even with tens of thousands of them.
    """

    def __init__(self, items: Iterable[tuple[int, int, Hashable]] = ()) -> None:
        """Build the index from ``(start, end, key)`` triples."""
        entries = sorted(items)
        self._starts = [s for s, _, _ in entries]
        self._entries: list[tuple[int, int, Hashable]] = entries
        self._where: dict[Hashable, tuple[int, int]] = {k: (s, e) for s, e, k in entries}
        self._longest = max((e - s for s, e, _ in entries), default=0)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._where

    def add(self, start: int, end: int, key: Hashable) -> None:
        """Add an interval (replacing any with the same key)."""
        if key in self._where:
            self.remove(key)
        entry = (start, end, key)
        i = bisect.bisect_left(self._starts, start)
        # keep entries sorted by (start, end, key) among equal starts
        while i < len(self._entries) and self._entries[i][0] == start and self._entries[i] < entry:
            i += 1
        self._starts.insert(i, start)
        self._entries.insert(i, entry)
        self._where[key] = (start, end)
        self._longest = max(self._longest, end - start)

    def remove(self, key: Hashable) -> None:
        """Remove the interval with ``key``; unknown keys are ignored."""
        where = self._where.pop(key, None)
        if where is None:
            return
        start, end = where
        i = bisect.bisect_left(self._starts, start)
        while i < len(self._entries):
            if self._entries[i][2] == key:
                del self._entries[i]
                del self._starts[i]
                return
            i += 1

    def overlapping(self, a: int, b: int) -> list[tuple[int, int, Hashable]]:
        """Return the intervals with ``start < b`` and ``end > a`` (and those containing ``a`` when a == b)."""
        hi = bisect.bisect_left(self._starts, b if b > a else a + 1)
        lo = bisect.bisect_left(self._starts, a - self._longest)
        return [entry for entry in self._entries[lo:hi] if entry[1] > a]

    def at(self, position: int) -> list[tuple[int, int, Hashable]]:
        """Return the intervals containing ``position``."""
        return [e for e in self.overlapping(position, position + 1) if e[0] <= position < e[1]]
