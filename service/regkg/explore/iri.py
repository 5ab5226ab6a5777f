"""IRIs from clients: an absolute IRI or a CURIE of a known prefix, checked before any query sees it."""

from __future__ import annotations

import re
from typing import Final

import pyoxigraph as ox

from regkg import vocab

__all__ = ["parse_iri"]

_IRI_BAD: Final = re.compile('[\x00-\x20\x7f<>"{}|\\\\^`\ud800-\udfff]')
_CURIE: Final = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):([^/].*)?$")
_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")


def parse_iri(value: str) -> str:
    """An absolute IRI, or a CURIE with one of :data:`vocab.PREFIXES` (``rk:Platform``,
    ``concern:antitrust``), expanded. Raises ValueError with a message for anything else."""
    value = value.strip()
    if not value:
        raise ValueError("an IRI is required")
    if _IRI_BAD.search(value):
        raise ValueError('an IRI cannot contain spaces, control characters, lone surrogates or any of <>"{}|\\^`')
    m = _CURIE.match(value)
    if m and m.group(1) in vocab.PREFIXES and not value.startswith(("http:", "https:", "urn:")):
        return vocab.PREFIXES[m.group(1)] + (m.group(2) or "")
    scheme, sep, rest = value.partition(":")
    if not sep or not _SCHEME.fullmatch(scheme) or not rest:
        raise ValueError(f"not an absolute IRI nor a known prefix: {value!r}")
    if scheme.lower() in {"http", "https"} and not rest.startswith("//"):
        raise ValueError(f"not an absolute IRI: {value!r}")
    try:
        ox.NamedNode(value)  # the engine's own IRI parser has the last word
    except ValueError as exc:
        raise ValueError(f"not a valid IRI: {exc}") from None
    return value
