"""What an exploration can answer instead of a result; the routers turn these into 404 and 422."""

from __future__ import annotations

__all__ = ["NotApplicable", "NotFound"]


class NotFound(Exception):
    """The store holds nothing about this IRI."""

    def __init__(self, iri: str) -> None:
        self.iri = iri
        super().__init__(f"no entity {iri} in the graph")


class NotApplicable(Exception):
    """The entity exists but the question does not apply to it (e.g. a group of a regulator)."""
