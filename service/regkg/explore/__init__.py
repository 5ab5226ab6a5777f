"""Exploration: one entity, its neighbourhood, paths between entities, corporate-group roll-ups.

Everything here reads the durable store with small, bounded, service-written SPARQL in the
shape Oxigraph answers fast (DESIGN §9): single patterns, ``VALUES`` blocks of the nodes at
hand, no multi-pattern OPTIONALs; joins happen in Python (:mod:`.query`). Sizes a client
controls (hops, node limits, path length) are capped by the callers' validation and again here.

One module per concept: :mod:`.iri` (client IRIs and CURIEs), :mod:`.labels` (display
labels), :mod:`.nodes` (what a node shown carries), :mod:`.sources` (provenance),
:mod:`.entity`, :mod:`.neighbourhood`, :mod:`.paths` (the networkx projection and path
search), :mod:`.groups` (roll-ups and totals), :mod:`.overview` (the home page's figures).
The names below are the package's public interface.
"""

from __future__ import annotations

from regkg.explore.entity import entity
from regkg.explore.errors import NotApplicable, NotFound
from regkg.explore.groups import group, group_head, outcomes
from regkg.explore.iri import parse_iri
from regkg.explore.labels import labels, predicate_labels
from regkg.explore.limits import EXPLORE_LIMITS, Limits
from regkg.explore.neighbourhood import Subgraph, neighbourhood
from regkg.explore.nodes import Node
from regkg.explore.overview import recent_actions, stats
from regkg.explore.paths import EntityGraph, path_result, paths, project
from regkg.explore.query import exists, select

__all__ = [
    "EXPLORE_LIMITS",
    "EntityGraph",
    "Limits",
    "Node",
    "NotApplicable",
    "NotFound",
    "Subgraph",
    "entity",
    "exists",
    "group",
    "group_head",
    "labels",
    "neighbourhood",
    "outcomes",
    "parse_iri",
    "path_result",
    "paths",
    "predicate_labels",
    "project",
    "recent_actions",
    "select",
    "stats",
]
