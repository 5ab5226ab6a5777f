"""The one URL builder: IRIs of the graph <-> paths of the service.

Every link the service writes (redirects, ``Link`` headers, ``<link rel=alternate>``,
VoID dump URLs, web-page hrefs) is built here, so the scheme is written down once.

IRIs and where the service answers for them (paths are relative to the service's root)::

    {base}id/<kind>/<slug>        /id/<kind>/<slug>      303 -> /page/<kind>/<slug>  (HTML)
                                                          303 -> /data/<kind>/<slug>.<ext>  (RDF)
    …/regkg/concern/<slug>        /concern/<slug>        303 -> /page/concern/<slug> | /data/concern/<slug>.<ext>
    …/regkg/concern/              /concern/              303 -> /page/concern | /data/concern.<ext>
    …/regkg/sector/<slug>         /sector/<slug>         (as concern)
    …/regkg/ontology              /ontology              303 -> /ontology.html | /ontology.<ext>
    …/regkg/ontology#Term         /ontology#Term         (a hash IRI: the client fetches /ontology)
    …/regkg/ontology/<version>    /ontology/<version>    the current version: as /ontology
    …/regkg/graph/<name>          /graph/<name>          200: the named graph's triples (Turtle, ...)

Pages and the JSON API name an IRI in a query string where it has no key: ``/page?iri=``,
``/explore?iri=``, ``/api/entity?iri=``, ``/api/neighbourhood?iri=`` (:meth:`Urls.page_any`,
:meth:`Urls.explorer`, :meth:`Urls.api_entity`, :meth:`Urls.api_neighbourhood`).

``{base}`` is the deployment's base IRI (``REGKG_BASE_IRI``, default ``https://w3id.org/regkg/``):
it applies to the data's things (``id/``). The vocabularies -- the ontology, the concern and
sector schemes -- keep their published IRIs under ``https://w3id.org/regkg/`` on every
deployment, as any reused vocabulary does, and this service answers for them too.

A *key* is the part shared by ``/page/<key>`` and ``/data/<key>.<ext>``: ``org/alibaba-group``
for a thing, ``concern/antitrust`` for a concept, ``concern`` for the scheme. The first segments
``concern`` and ``sector`` are therefore reserved: no thing kind is named so.

Use :func:`for_base` (or ``Urls(settings.base_iri)``) to get a builder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final
from urllib.parse import urlencode

from regkg import vocab

__all__ = [
    "CONCEPT_SCHEMES",
    "CONTEXT",
    "DATA_EXTENSIONS",
    "EXAMPLES",
    "EXPORT",
    "EXPORT_EXTENSIONS",
    "GRAPH",
    "ONTOLOGY",
    "OPENAPI",
    "SPARQL",
    "VOID",
    "Urls",
    "absolute",
    "for_base",
    "link_header",
    "split_extension",
]

#: Paths of the service's fixed documents.
SPARQL: Final = "/sparql"
EXPORT: Final = "/export"
VOID: Final = "/.well-known/void"
CONTEXT: Final = "/context.jsonld"
ONTOLOGY: Final = "/ontology"
GRAPH: Final = "/graph/"
OPENAPI: Final = "/openapi.json"
EXAMPLES: Final = "/api/examples"

#: Extensions of /data/<key>.<ext> and /ontology.<ext> (formats.FORMATS has their media types).
DATA_EXTENSIONS: Final = ("ttl", "nt", "jsonld", "rdf")
#: Extensions of /export.<ext>.
EXPORT_EXTENSIONS: Final = ("nq", "trig", "ttl", "nt", "jsonld")

#: key prefix -> namespace of the concept schemes the service answers for.
CONCEPT_SCHEMES: Final[dict[str, str]] = {"concern": vocab.CONCERN, "sector": vocab.SECTOR}

_KEY: Final = re.compile(r"[A-Za-z0-9_~%-]+(?:/[A-Za-z0-9_~%-]+)*")


def link_header(links: Iterable[tuple[str, str | None]], rel: str = "alternate") -> str:
    """A ``Link`` header value naming each ``(path, media type or None)`` with relation ``rel``: one way
    to write it for every response (pages' alternates, linked data's ``describedby``, ...)."""
    return ", ".join(f'<{path}>; rel="{rel}"' + (f'; type="{media}"' if media else "") for path, media in links)


def _with_iri(path: str, iri: str) -> str:
    return f"{path}?{urlencode({'iri': iri})}"


def absolute(root: str, path: str) -> str:
    """``path`` (``/id/...``) made absolute on a service root (``http://host:8000/``)."""
    return root.rstrip("/") + path


@dataclass(frozen=True)
class Urls:
    """IRI <-> path mapping for one base IRI."""

    base_iri: str = vocab.BASE

    def __post_init__(self) -> None:
        if not self.base_iri.endswith("/"):
            object.__setattr__(self, "base_iri", self.base_iri + "/")

    # -- namespaces ------------------------------------------------------------
    @property
    def things(self) -> str:
        """The namespace of the data's things: ``{base}id/``."""
        return self.base_iri + "id/"

    # -- IRI -> key -----------------------------------------------------------------
    def key(self, iri: str) -> str | None:
        """The key of an IRI this service describes at /page/<key> and /data/<key>.<ext>, else None.

        The ontology and its terms have no key: they are documented at /ontology.
        """
        if iri.startswith(self.things):
            rest = iri[len(self.things) :]
            return rest if _valid_key(rest) and rest.split("/", 1)[0] not in CONCEPT_SCHEMES else None
        for prefix, ns in CONCEPT_SCHEMES.items():
            if iri == ns:
                return prefix
            if iri.startswith(ns):
                rest = iri[len(ns) :]
                return f"{prefix}/{rest}" if _valid_key(rest) and "/" not in rest else None
        return None

    def iri(self, key: str) -> str | None:
        """The IRI of a key (the inverse of :meth:`key`); None for a malformed key."""
        key = key.strip("/")
        if not _valid_key(key):
            return None
        head, _, rest = key.partition("/")
        if head in CONCEPT_SCHEMES:
            if not rest:
                return CONCEPT_SCHEMES[head]
            return CONCEPT_SCHEMES[head] + rest if "/" not in rest else None
        return self.things + key

    def is_ontology(self, iri: str) -> bool:
        """The ontology itself or one of its terms (``…/ontology#Term``)."""
        return iri == vocab.ONTOLOGY_IRI or iri.startswith(vocab.RK)

    # -- IRI -> paths -------------------------------------------------------------
    def path(self, iri: str) -> str | None:
        """Where the service answers for ``iri`` (``/id/org/x``, ``/concern/x``, ``/ontology#X``), or None."""
        if self.is_ontology(iri) or iri.startswith(vocab.ONTOLOGY_IRI + "/"):
            return ONTOLOGY + iri[len(vocab.ONTOLOGY_IRI) :]
        if iri.startswith(vocab.GRAPH):
            rest = iri[len(vocab.GRAPH) :]
            return GRAPH + rest if _valid_key(rest) else None
        key = self.key(iri)
        if key is None:
            return None
        head, _, rest = key.partition("/")
        if head in CONCEPT_SCHEMES:
            return f"/{head}/{rest}"
        return "/id/" + key

    def page(self, iri: str) -> str | None:
        """The HTML page about ``iri``: ``/page/<key>``; ``/ontology.html#Term`` for the ontology."""
        if self.is_ontology(iri):
            return ONTOLOGY + ".html" + _fragment(iri)
        key = self.key(iri)
        return None if key is None else "/page/" + key

    def data(self, iri: str, extension: str = "ttl") -> str | None:
        """The RDF document about ``iri`` in one format: ``/data/<key>.<ext>``; ``/ontology.<ext>``."""
        ext = extension.lstrip(".")
        if self.is_ontology(iri):
            return f"{ONTOLOGY}.{ext}"
        key = self.key(iri)
        return None if key is None else f"/data/{key}.{ext}"

    def alternates(self, iri: str) -> list[tuple[str, str]]:
        """``(path, media type)`` of every representation of ``iri``: the HTML page, then each RDF format."""
        from regkg import formats

        out: list[tuple[str, str]] = []
        page = self.page(iri)
        if page is not None:
            out.append((page.split("#", 1)[0], "text/html"))
        for ext in DATA_EXTENSIONS:
            path = self.data(iri, ext)
            fmt = formats.by_extension(ext, formats.Kind.GRAPH)
            if path is not None and fmt is not None:
                out.append((path, fmt.media_type))
        return out

    def link_header(self, iri: str, current: str | None = None) -> str:
        """A ``Link`` header naming every alternate representation of ``iri`` except ``current`` (a path).

        Web pages (HTML) send it with ``current`` set to their own path, and write the same list as
        ``<link rel="alternate" type=... href=...>`` elements (see :meth:`alternates`).
        """
        return link_header((path, media) for path, media in self.alternates(iri) if path != current)

    # -- pages and API answers about any IRI ------------------------------------------
    def page_any(self, iri: str) -> str:
        """The page of any IRI: :meth:`page` when it has one, else ``/page?iri=`` (which serves it)."""
        return self.page(iri) or _with_iri("/page", iri)

    @staticmethod
    def explorer(iri: str) -> str:
        """The graph explorer opened on ``iri``."""
        return _with_iri("/explore", iri)

    @staticmethod
    def api_entity(iri: str) -> str:
        return _with_iri("/api/entity", iri)

    @staticmethod
    def api_neighbourhood(iri: str) -> str:
        return _with_iri("/api/neighbourhood", iri)

    # -- paths -> IRI -------------------------------------------------------------
    def from_path(self, path: str) -> str | None:
        """The IRI a local path is about: ``/id/..``, ``/page/..``, ``/data/...<ext>``, ``/concern/..``,
        ``/sector/..``, ``/ontology[.ext]``, ``/ontology/<version>``, ``/graph/..``; None for any other path."""
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path == ONTOLOGY or (path.startswith(ONTOLOGY + ".") and "/" not in path[1:]):
            return vocab.ONTOLOGY_IRI
        for prefix in ("/id/", "/page/"):
            if path.startswith(prefix):
                key = path[len(prefix) :]
                if prefix == "/id/" and key.split("/", 1)[0] in CONCEPT_SCHEMES:
                    return None
                return self.iri(key)
        if path.startswith("/data/"):
            key, ext = split_extension(path[len("/data/") :])
            return self.iri(key) if ext is not None else None
        head = path.strip("/").split("/", 1)[0]
        if head in CONCEPT_SCHEMES:
            return self.iri(path.strip("/"))
        if path.startswith(GRAPH):
            rest = path[len(GRAPH) :]
            return vocab.GRAPH + rest if _valid_key(rest) else None
        if path.startswith(ONTOLOGY + "/") and _valid_key(path[len(ONTOLOGY) + 1 :].replace(".", "-")):
            return vocab.ONTOLOGY_IRI + path[len(ONTOLOGY) :]
        return None

    # -- fixed documents -------------------------------------------------------
    @staticmethod
    def export(extension: str) -> str:
        return f"{EXPORT}.{extension.lstrip('.')}"

    @property
    def dataset(self) -> str:
        """The IRI of the dataset as described by VoID/DCAT (a hash IRI in the VoID document)."""
        return self.base_iri + VOID.lstrip("/") + "#dataset"

    @property
    def void_namespace(self) -> str:
        """Every node of the VoID/DCAT description has an IRI starting with this."""
        return self.base_iri + VOID.lstrip("/") + "#"


def split_extension(path: str) -> tuple[str, str | None]:
    """``org/x.ttl`` -> (``org/x``, ``ttl``); the extension is None when it is not a data extension."""
    stem, dot, ext = path.rpartition(".")
    if not dot or "/" in ext or ext.lower() not in DATA_EXTENSIONS:
        return path, None
    return stem, ext.lower()


def _fragment(iri: str) -> str:
    return "#" + iri.split("#", 1)[1] if "#" in iri else ""


def _valid_key(key: str) -> bool:
    return bool(key) and _KEY.fullmatch(key) is not None and ".." not in key


@lru_cache(maxsize=8)
def for_base(base_iri: str = vocab.BASE) -> Urls:
    """The (cached) builder for a base IRI; ``for_base(settings.base_iri)``."""
    return Urls(base_iri)
