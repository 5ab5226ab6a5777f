"""The one table of serialisation formats, and content negotiation over it.

Every module that writes RDF or SPARQL results (the SPARQL endpoint, export,
linked-data pages) reads media types, pyoxigraph formats and file extensions from
:data:`FORMATS` and picks one with :func:`negotiate`. Serialising is always done
by pyoxigraph's own serialisers; Accept headers are parsed with python-mimeparse,
which honours ``q=`` weights and wildcards.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import mimeparse
import pyoxigraph as ox

__all__ = [
    "FORMATS",
    "HTML_TYPES",
    "Format",
    "Kind",
    "NotAcceptable",
    "by_extension",
    "by_media_type",
    "negotiate",
    "negotiate_html",
    "supported",
]


class Kind(StrEnum):
    """What is being serialised."""

    #: SELECT and ASK results.
    RESULTS = "results"
    #: a set of triples: CONSTRUCT and DESCRIBE results, service descriptions, pages' data.
    GRAPH = "graph"
    #: a set of quads (named graphs kept): export, N-Quads / TriG.
    DATASET = "dataset"


@dataclass(frozen=True)
class Format:
    """One serialisation: its media type, file extension and pyoxigraph format."""

    media_type: str
    extension: str
    kinds: frozenset[Kind]
    results_format: ox.QueryResultsFormat | None = None
    rdf_format: ox.RdfFormat | None = None
    #: offered to a client whose Accept is a wildcard (``*/*``, ``text/*``); otherwise only when named.
    default_ok: bool = True

    @property
    def content_type(self) -> str:
        """The Content-Type header value (text formats carry charset=utf-8)."""
        if self.media_type.startswith("text/") or self.media_type in _UTF8_TYPES:
            return f"{self.media_type}; charset=utf-8"
        return self.media_type


_UTF8_TYPES: Final = {"application/n-triples", "application/n-quads", "application/trig"}

_R = frozenset({Kind.RESULTS})
_G = frozenset({Kind.GRAPH, Kind.DATASET})
_D = frozenset({Kind.DATASET, Kind.GRAPH})

#: Every format, in order of preference within each kind (first = preferred).
FORMATS: Final[tuple[Format, ...]] = (
    Format("application/sparql-results+json", "srj", _R, results_format=ox.QueryResultsFormat.JSON),
    Format("application/sparql-results+xml", "srx", _R, results_format=ox.QueryResultsFormat.XML),
    Format("text/csv", "csv", _R, results_format=ox.QueryResultsFormat.CSV),
    Format("text/tab-separated-values", "tsv", _R, results_format=ox.QueryResultsFormat.TSV),
    Format("application/json", "json", _R, results_format=ox.QueryResultsFormat.JSON, default_ok=False),
    Format("text/turtle", "ttl", _G, rdf_format=ox.RdfFormat.TURTLE),
    Format("application/n-triples", "nt", _G, rdf_format=ox.RdfFormat.N_TRIPLES),
    Format("application/ld+json", "jsonld", _G, rdf_format=ox.RdfFormat.JSON_LD),
    Format("application/rdf+xml", "rdf", _G, rdf_format=ox.RdfFormat.RDF_XML),
    # Quad formats: a graph is written into the default graph; chosen only when named explicitly
    # for CONSTRUCT / DESCRIBE, preferred for whole-dataset exports.
    Format("application/n-quads", "nq", _D, rdf_format=ox.RdfFormat.N_QUADS, default_ok=False),
    Format("application/trig", "trig", _D, rdf_format=ox.RdfFormat.TRIG, default_ok=False),
)


class NotAcceptable(Exception):
    """No supported format satisfies the Accept header (HTTP 406)."""

    def __init__(self, accept: str, kind: Kind) -> None:
        self.accept = accept
        self.kind = kind
        self.supported = [f.media_type for f in supported(kind)]
        super().__init__(f"cannot answer with {accept!r}; supported media types: {', '.join(self.supported)}")


def supported(kind: Kind) -> list[Format]:
    """The formats available for ``kind``, preferred first."""
    fmts = [f for f in FORMATS if kind in f.kinds]
    if kind is Kind.DATASET:
        # For a dataset, quad formats come first: they keep the named graphs.
        fmts.sort(key=lambda f: f.media_type not in {"application/n-quads", "application/trig"})
    return fmts


def by_media_type(media_type: str, kind: Kind | None = None) -> Format | None:
    mt = media_type.split(";", 1)[0].strip().lower()
    for f in FORMATS:
        if f.media_type == mt and (kind is None or kind in f.kinds):
            return f
    return None


def by_extension(extension: str, kind: Kind | None = None) -> Format | None:
    ext = extension.lower().lstrip(".")
    for f in FORMATS:
        if f.extension == ext and (kind is None or kind in f.kinds):
            return f
    return None


def negotiate(accept: str | None, kind: Kind) -> Format:
    """The best format for an Accept header (``q=`` weights honoured); raises :class:`NotAcceptable`.

    A missing or empty header gets the preferred format of ``kind``. Formats marked
    ``default_ok=False`` are chosen only when the header names them (not through a wildcard).
    """
    if accept is not None and len(accept) > 1024:
        raise NotAcceptable(accept[:64] + "...", kind)
    return _negotiate(accept, kind)


@functools.lru_cache(maxsize=512)
def _negotiate(accept: str | None, kind: Kind) -> Format:
    # Clients send a handful of distinct Accept headers: remember the answers (not the refusals).
    fmts = supported(kind)
    if accept is None or not accept.strip():
        return fmts[0]
    try:
        ranges = [mimeparse.parse_media_range(r) for r in accept.split(",") if r.strip()]
    except (mimeparse.MimeTypeParseException, ValueError, IndexError):
        raise NotAcceptable(accept, kind) from None
    named = {f"{t}/{s}".lower() for t, s, _ in ranges if t != "*" and s != "*"}
    candidates = [f for f in fmts if f.default_ok or kind is Kind.DATASET or f.media_type in named]
    # mimeparse wants the list in increasing order of preference.
    try:
        best = mimeparse.best_match([f.media_type for f in reversed(candidates)], accept)
    except (mimeparse.MimeTypeParseException, ValueError, IndexError):
        raise NotAcceptable(accept, kind) from None
    if not best:
        raise NotAcceptable(accept, kind)
    for f in candidates:
        if f.media_type == best:
            return f
    raise NotAcceptable(accept, kind)  # pragma: no cover - best_match only returns candidates


#: Media types of HTML pages, offered next to RDF when a resource has a web page (linked data).
HTML_TYPES: Final = ("text/html", "application/xhtml+xml")


def negotiate_html(accept: str | None, kind: Kind = Kind.GRAPH) -> Format | None:
    """Like :func:`negotiate` with an HTML page on offer too: None means "send the HTML page".

    HTML wins a tie (a missing header, ``*/*``, a browser's Accept); an RDF format wins when
    the header weights it higher. Raises :class:`NotAcceptable` (its ``supported`` lists
    ``text/html`` first) when neither is acceptable.
    """
    if accept is None or not accept.strip():
        return None
    fmts = [f for f in supported(kind) if f.default_ok]
    offers = [f.media_type for f in reversed(fmts)] + list(reversed(HTML_TYPES))
    try:
        best = mimeparse.best_match(offers, accept)
    except (mimeparse.MimeTypeParseException, ValueError, IndexError):
        best = ""
    if best in HTML_TYPES:
        return None
    for f in fmts:
        if f.media_type == best:
            return f
    exc = NotAcceptable(accept, kind)
    exc.supported = [*HTML_TYPES, *(f.media_type for f in fmts)]
    exc.args = (f"cannot answer with {accept!r}; supported media types: {', '.join(exc.supported)}",)
    raise exc
