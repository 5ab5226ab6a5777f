"""Caps on what one exploration request may ask for: the ``REGKG_EXPLORE_*`` settings of
:class:`regkg.config.Settings`, gathered in the shape the exploration functions take.

The values live in Settings (one place, documented in README); :data:`EXPLORE_LIMITS` holds their
defaults for callers that have no settings at hand (tests, scripts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from regkg.config import Settings

__all__ = ["EXPLORE_LIMITS", "Limits"]


@dataclass(frozen=True)
class Limits:
    max_hops: int
    max_nodes: int
    default_nodes: int
    max_path_hops: int
    default_path_hops: int
    max_paths: int
    path_visits: int
    incoming: int
    group_actions: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            max_hops=settings.explore_max_hops,
            max_nodes=settings.explore_max_nodes,
            default_nodes=settings.explore_default_nodes,
            max_path_hops=settings.explore_max_path_hops,
            default_path_hops=settings.explore_default_path_hops,
            max_paths=settings.explore_max_paths,
            path_visits=settings.explore_path_visits,
            incoming=settings.explore_incoming,
            group_actions=settings.explore_group_actions,
        )


EXPLORE_LIMITS: Final = Limits.of(Settings())
