"""From an article to a proposed enforcement action (`regkg draft`, `POST /api/draft`, /draft).

:class:`Drafter` reads one article or press release (text or HTML) and proposes one action:
regulator, targets and platforms resolved against the graph's names in every language,
kind, concerns, dates, the amount exactly as stated, and the source, each field with the
sentence it came from; what the text does not settle is left empty and listed in
``unsure``. :func:`render` turns a draft (or a reviewer's edit of it) into a CSV row that
`regkg import` accepts and into Turtle, through the importer's own row model
(:mod:`regkg.action_row`), resolver (:mod:`regkg.resolver`) and emitter
(:mod:`regkg.emitter`), validated by the shapes.
"""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox

from regkg.drafting.draft import Draft, Drafter, EntityField, Evidence
from regkg.drafting.rows import Rendered, draft_row, render, row_csv
from regkg.resolver import Catalogue

__all__ = [
    "Draft",
    "Drafter",
    "EntityField",
    "Evidence",
    "Rendered",
    "draft_row",
    "render",
    "row_csv",
    "shipped",
]


@lru_cache(maxsize=1)
def shipped() -> tuple[Drafter, tuple[ox.Quad, ...]]:
    """A drafter over the shipped graph, and that graph's quads (the context drafts are validated in)."""
    from regkg.importer import context_quads

    quads = tuple(context_quads())
    return Drafter(Catalogue(quads)), quads
