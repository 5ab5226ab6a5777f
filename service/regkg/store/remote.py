"""A remote SPARQL 1.1 server as the store (``--store http(s)://.../query``), over httpx.

Queries go to the server's query endpoint and updates to its update endpoint
(``REGKG_STORE_UPDATE_URL``; by default the query URL with a final ``/query`` or
``/sparql`` replaced by ``/update``). Results come back as SPARQL JSON results or
N-Triples and are parsed into the same pyoxigraph objects the embedded store returns,
so the protocol layer does not tell them apart.

The server should make its default graph the union of its named graphs (Oxigraph:
``oxigraph serve --union-default-graph``; Fuseki: ``unionDefaultGraph``), as regkg's own
store does. When it holds no regkg ontology graph and an update endpoint is known, the
shipped files are loaded into it on open. Inference runs locally over a copy of the
remote dataset and the inferred graph is written back.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from regkg import inference, vocab
from regkg.store.base import QueryResult, StoreError

__all__ = ["RemoteStore", "default_update_url"]

_ACCEPT: Final = "application/sparql-results+json, application/n-triples;q=0.9"
_BATCH: Final = 5_000


def default_update_url(query_url: str) -> str:
    for suffix in ("/query", "/sparql"):
        if query_url.rstrip("/").endswith(suffix):
            return query_url.rstrip("/")[: -len(suffix)] + "/update"
    return query_url


class RemoteStore:
    """A :class:`~regkg.store.base.Store` over a SPARQL 1.1 Protocol server."""

    def __init__(self, query_url: str, update_url: str | None = None, *, timeout: float = 60.0) -> None:
        self.query_url = query_url
        self.update_url = update_url or default_update_url(query_url)
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)
        self._epoch = uuid.uuid4().hex[:12]
        self._writes = 0

    # -- Store interface -------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
        prefixes: Mapping[str, str] | None = None,
        query_dataset: bool = False,
    ) -> QueryResult:
        data: list[tuple[str, str]] = [("query", _with_prefixes(sparql, prefixes))]
        data += [("default-graph-uri", g) for g in default_graph_uris or ()]
        data += [("named-graph-uri", g) for g in named_graph_uris or ()]
        r = self._post(self.query_url, data, _ACCEPT)
        media_type = r.headers.get("content-type", "").split(";")[0].strip().lower()
        results_format = ox.QueryResultsFormat.from_media_type(media_type)
        if results_format is not None:
            return ox.parse_query_results(r.content, results_format)
        rdf_format = ox.RdfFormat.from_media_type(media_type)
        if rdf_format is None:
            raise StoreError(f"{self.query_url} answered with an unexpected media type {media_type!r}")
        return _Triples(ox.parse(r.content, rdf_format))  # type: ignore[return-value]

    def update(
        self,
        sparql: str,
        *,
        using_graph_uris: Sequence[str] | None = None,
        using_named_graph_uris: Sequence[str] | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> None:
        data: list[tuple[str, str]] = [("update", _with_prefixes(sparql, prefixes))]
        data += [("using-graph-uri", g) for g in using_graph_uris or ()]
        data += [("using-named-graph-uri", g) for g in using_named_graph_uris or ()]
        self._post(self.update_url, data, "*/*")
        self._writes += 1

    def add(self, quads: Iterable[ox.Quad]) -> None:
        for text in _insert_batches(quads):
            self._post(self.update_url, [("update", text)], "*/*")
        self._writes += 1

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        g = ox.NamedNode(graph)
        batches = list(_insert_batches(ox.Quad(q.subject, q.predicate, q.object, g) for q in quads))
        # The drop and the first batch go in one request (one transaction on most servers).
        first = f"DROP SILENT GRAPH <{graph}> ;\n" + (batches[0] if batches else "")
        self._post(self.update_url, [("update", first.rstrip().rstrip(";"))], "*/*")
        for text in batches[1:]:
            self._post(self.update_url, [("update", text)], "*/*")
        self._writes += 1

    def named_graphs(self) -> list[str]:
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        assert isinstance(result, ox.QuerySolutions)
        return sorted(s["g"].value for s in result if isinstance(s["g"], ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
        result = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        assert isinstance(result, ox.QuerySolutions)
        row = next(iter(result))
        return int(row["n"].value)

    def reinfer(self) -> int:
        """Recompute the inferred graph over a local copy of the remote dataset, then write it back."""
        local = ox.Store()
        local.extend(self._all_quads())
        n = inference.infer(local)
        inferred = ox.NamedNode(vocab.INFERRED_GRAPH)
        self.replace_graph(vocab.INFERRED_GRAPH, local.quads_for_pattern(None, None, None, inferred))
        return n

    def snapshot(self, path: Path) -> str:
        # The remote server answers queries itself; workers open it by URL.
        return self.query_url

    def describe(self) -> dict[str, object]:
        try:
            quads: int | None = self.count()
            graphs: int | None = len(self.named_graphs())
        except StoreError:
            quads = graphs = None
        return {
            "kind": "remote",
            "location": self.query_url,
            "update_url": self.update_url,
            "quads": quads,
            "graphs": graphs,
            "data_version": self.data_version,
        }

    def close(self) -> None:
        self._client.close()

    @property
    def data_version(self) -> str:
        return f"{self._epoch}-{self._writes}"

    # -- helpers -----------------------------------------------------------------------
    def _post(self, url: str, data: list[tuple[str, str]], accept: str) -> httpx.Response:
        body = urlencode(data).encode()
        try:
            r = self._client.post(
                url,
                content=body,
                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
            )
        except httpx.HTTPError as exc:
            raise StoreError(f"the SPARQL server at {url} cannot be reached: {exc}") from None
        if r.status_code == 400:
            # The SPARQL protocol's "malformed query / update": report it like our own parser's.
            message = r.text.strip()[:500]
            if url == self.query_url:
                raise SyntaxError(message)
            raise ValueError(f"{url}: {message}")
        if r.status_code >= 300:
            raise StoreError(f"the SPARQL server at {url} answered {r.status_code}: {r.text.strip()[:500]}")
        return r

    def _all_quads(self) -> Iterator[ox.Quad]:
        result = self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            yield ox.Quad(row["s"], row["p"], row["o"], row["g"])

    def load_shipped_if_empty(self) -> bool:
        """Load the shipped ontology and data (and infer) when the server holds no regkg ontology."""
        if vocab.ONTOLOGY_GRAPH in self.named_graphs():
            return False
        from regkg.store.sync import sync_shipped

        sync_shipped(self)
        return True


class _Triples:
    """CONSTRUCT / DESCRIBE results parsed from the server's answer, as an iterator of triples."""

    def __init__(self, parsed: Iterable[Any]) -> None:
        self._it = iter(parsed)

    def __iter__(self) -> _Triples:
        return self

    def __next__(self) -> ox.Triple:
        q = next(self._it)
        return ox.Triple(q.subject, q.predicate, q.object)


def _with_prefixes(sparql: str, prefixes: Mapping[str, str] | None) -> str:
    """Predeclare ``prefixes`` (a later PREFIX in the text overrides them)."""
    if not prefixes:
        return sparql
    head = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items())
    return head + sparql


def _insert_batches(quads: Iterable[ox.Quad]) -> Iterator[str]:
    buf = io.StringIO()
    n = 0
    for q in quads:
        g = q.graph_name
        triple = f"{q.subject} {q.predicate} {q.object} ."
        buf.write(f"GRAPH {g} {{ {triple} }}\n" if isinstance(g, ox.NamedNode) else triple + "\n")
        n += 1
        if n == _BATCH:
            yield f"INSERT DATA {{\n{buf.getvalue()}}}"
            buf = io.StringIO()
            n = 0
    if n:
        yield f"INSERT DATA {{\n{buf.getvalue()}}}"
