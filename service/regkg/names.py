"""How two names are compared: the one normalisation of names for search and for matching a name
to a known entity (the importer's and the drafter's resolver).

``"Alibaba"``, ``"ALIBABA "`` and ``"Alibabá"`` are one name: case-folded, NFKC (full-width and
compatibility forms folded), accents removed, whitespace collapsed. Scripts without case or
accents (``"阿里巴巴"``) pass through unchanged.
"""

from __future__ import annotations

import unicodedata

__all__ = ["normalise"]


def normalise(text: str) -> str:
    """Case-folded, NFKC, accents removed, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
