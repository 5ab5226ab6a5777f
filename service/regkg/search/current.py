"""The current search index of a store, following its data version (see :class:`SearchIndex`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Final

from regkg.config import Settings
from regkg.explore import deadline
from regkg.longlived import long_lived
from regkg.search.build import build_index
from regkg.search.ranking import Hit, Index
from regkg.store.base import Store

__all__ = ["SearchIndex"]

#: The defaults of the REGKG_SEARCH_* settings.
_DEFAULTS: Final = Settings()


class SearchIndex:
    """The current :class:`Index` of a store, rebuilt when its ``data_version`` changes.

    Building reads every name of the graph, seconds on a large one, so it never runs on the
    event loop: the search route runs in FastAPI's thread pool and every build
    happens on a thread.

    * The first search (no index yet) builds one and waits for it, on its worker thread.
    * When the data version moves on and the last build took less than ``sync_rebuild_seconds``
      (``REGKG_SEARCH_SYNC_REBUILD_SECONDS``; a small graph), the search that notices rebuilds
      before answering, so a write is searchable at once.
    * Otherwise (a large graph) one background thread rebuilds, and searches meanwhile **answer
      from the previous index** (never 503): the new names are found once the rebuild is done.
    """

    def __init__(
        self,
        store: Store,
        *,
        stage: int = _DEFAULTS.search_stage_names,
        sync_rebuild_seconds: float = _DEFAULTS.search_sync_rebuild_seconds,
    ) -> None:
        self.store = store
        self.stage = stage
        self.sync_rebuild_seconds = sync_rebuild_seconds
        self._index: Index | None = None
        self._lock = threading.Lock()
        self._building = False
        self._seconds = 0.0

    def get(self) -> Index:
        index = self._index
        if index is None:
            with deadline.paused(), self._lock:
                if self._index is None:
                    self._build()
                assert self._index is not None
                return self._index
        if index.data_version != self.store.data_version and not self._building:
            if self._seconds < self.sync_rebuild_seconds:
                # a small graph: rebuild now, so a write is searchable at once
                with deadline.paused(), self._lock:
                    if self._index is index:
                        self._build()
                    assert self._index is not None
                    return self._index
            with self._lock:
                if not self._building:
                    self._building = True
                    threading.Thread(target=self._rebuild, name="regkg-search-index", daemon=True).start()
        return index

    def _build(self) -> None:
        started = time.perf_counter()
        # no collector pauses, and the index is never walked again; one build serves every later
        # search, so it is not cut at the time limit of the request that started it
        with long_lived(), deadline.paused():
            self._index = build_index(self.store)
        self._seconds = time.perf_counter() - started

    def _rebuild(self) -> None:
        try:
            self._build()
        finally:
            self._building = False

    def search(self, query: str, *, types: Iterable[str] = (), limit: int = 10) -> list[Hit]:
        return self.get().search(query, types=types, limit=limit, stage=self.stage)
