"""Caps on what one exploration request may ask for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["EXPLORE_LIMITS", "Limits"]


@dataclass(frozen=True)
class Limits:
    max_hops: int = 3
    max_nodes: int = 500
    default_nodes: int = 100
    max_path_hops: int = 8
    default_path_hops: int = 5
    max_paths: int = 10
    incoming: int = 500
    group_actions: int = 2000


EXPLORE_LIMITS: Final = Limits()
