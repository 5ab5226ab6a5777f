"""Entity search: an in-memory index of every label and alias, in every language.

The index is built from the store in one pass (:mod:`.build`), ranks names against a query
(:mod:`.ranking`) and is kept in step with the store's ``data_version`` (:mod:`.current`), so a
request never scans the graph.
"""

from __future__ import annotations

from regkg.search.build import build_index
from regkg.search.current import SearchIndex
from regkg.search.ranking import Hit, Index

__all__ = ["Hit", "Index", "SearchIndex", "build_index"]
