"""Reads keyed on the data version: validators (ETag, If-None-Match) and the hot-result cache.

A read's answer is a function of the data version and of what was asked (the query or the path,
and the negotiated format): the same key makes its ETag and its place in the cache. A write
moves the version, so every ETag changes and the cache empties itself; nothing is kept from an
older version and no answer outlives its data.

* :func:`etag` -- a weak validator for the parts of a key (``W/"..."``);
* :func:`not_modified` -- whether an ``If-None-Match`` header names it (weak comparison, RFC 9110);
* :class:`ResultCache` -- results of one data version, least recently used first out, bounded in
  entries and bytes (``REGKG_RESULT_CACHE_ENTRIES``, ``REGKG_RESULT_CACHE_BYTES``; 0 entries: off).

The version a read is keyed on must be read *before* the read runs: the data it sees is then of
that version or a newer one, never an older one.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Final

__all__ = ["CACHE_CONTROL", "CACHE_HEADER", "Entry", "ResultCache", "Version", "etag", "not_modified"]

#: (epoch, counter): the counter moves with each write; the epoch is new with each cache, so a
#: restarted service never reuses the tags of the one before, whatever its counter says.
Version = tuple[str, int]

#: Clients and shared caches may keep an answer but must revalidate it (If-None-Match) before each
#: use: it changes with the next write, which no expiry time can foresee.
CACHE_CONTROL: Final = "public, no-cache"
#: Response header saying whether the answer came from the result cache ("hit") or was evaluated
#: ("miss"; kept when it came from the engine in one piece); absent when the cache is off.
CACHE_HEADER: Final = "X-RegKG-Cache"


def etag(*parts: object) -> str:
    """A weak validator: two answers with the same tag are the same data in the same format (byte
    order of rows may differ between engines, hence weak)."""
    digest = hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
    return f'W/"{digest}"'


def not_modified(if_none_match: str | None, tag: str) -> bool:
    """True when ``If-None-Match`` names ``tag`` or is ``*`` (weak comparison: ``W/`` ignored)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    opaque = tag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == opaque for t in if_none_match.split(","))


@dataclass(frozen=True)
class Entry:
    """A complete answer as it was sent: body, media type, and the headers that describe it."""

    body: bytes
    media_type: str
    headers: tuple[tuple[str, str], ...] = ()
    size: int = field(init=False)

    def __post_init__(self) -> None:
        overhead = 200 + sum(len(k) + len(v) for k, v in self.headers)
        object.__setattr__(self, "size", len(self.body) + len(self.media_type) + overhead)


class ResultCache:
    """Answers of the current data version, at most ``entries`` of them and ``max_bytes`` in all.

    A lookup or a store with a newer version empties the cache first (a write happened); a store
    with an older version is dropped (it was computed before the write that is now current).
    """

    def __init__(self, entries: int, max_bytes: int) -> None:
        self.max_entries = max(0, entries)
        self.max_bytes = max(0, max_bytes)
        self.epoch = uuid.uuid4().hex[:12]
        self.version: Version | None = None
        self._items: OrderedDict[Hashable, Entry] = OrderedDict()
        self.bytes = 0
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._items)

    def at(self, counter: int) -> Version:
        """The version of data counter ``counter`` in this cache's epoch."""
        return (self.epoch, counter)

    def _at(self, version: Version) -> bool:
        """Move to ``version`` if it is new; False when ``version`` is not the current one."""
        if version == self.version:
            return True
        if self.version is None or version[0] != self.version[0] or version[1] > self.version[1]:
            self._items.clear()
            self.bytes = 0
            self.version = version
            return True
        return False

    def get(self, version: Version, key: Hashable) -> Entry | None:
        if not self.enabled or not self._at(version):
            return None
        entry = self._items.get(key)
        if entry is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return entry

    def put(self, version: Version, key: Hashable, entry: Entry) -> None:
        if not self.enabled or entry.size > self.max_bytes or not self._at(version):
            return
        old = self._items.pop(key, None)
        if old is not None:
            self.bytes -= old.size
        self._items[key] = entry
        self.bytes += entry.size
        while len(self._items) > self.max_entries or self.bytes > self.max_bytes:
            _, dropped = self._items.popitem(last=False)
            self.bytes -= dropped.size

    def state(self) -> dict[str, object]:
        return {
            "entries": len(self._items),
            "bytes": self.bytes,
            "max_entries": self.max_entries,
            "max_bytes": self.max_bytes,
            "hits": self.hits,
            "misses": self.misses,
        }
