"""Changes, inside an engine: an update or a Graph Store write turned into the quads it removes and
adds (the engine's copy left as it was), and a change applied to a copy. Cost: the graphs the
operation names, or the change's size -- never the whole graph unless the operation names it all."""

from __future__ import annotations

import functools
import re
from typing import Any, Final

import pyoxigraph as ox

from regkg import vocab
from regkg.config import Settings
from regkg.errors import ApiError
from regkg.workers.messages import Change, ComputeChange, GraphJob

__all__ = ["Diverged", "apply_change", "compute_change", "graph_name", "inspect", "parse_quads"]


@functools.lru_cache(maxsize=2048)
def _inspect_cached(operation: str, text: str) -> Any:
    from regkg import sparql

    return sparql.inspect(operation, text)  # type: ignore[arg-type]


def inspect(operation: str, text: str) -> Any:
    """The policy parse; texts asked again and again (the pages' queries, examples) are remembered."""
    from regkg import sparql

    if len(text) <= 8192:
        return _inspect_cached(operation, text)
    return sparql.inspect(operation, text)  # type: ignore[arg-type]


class Diverged(Exception):
    """The copy no longer matches the durable store: the engine must be replaced."""


def _graph_term(name: str) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if name == "" else ox.NamedNode(name)


def _capture(store: ox.Store, graphs: frozenset[str]) -> set[ox.Quad]:
    from regkg.sparql import ALL_GRAPHS

    if ALL_GRAPHS in graphs:
        return set(store)
    found: set[ox.Quad] = set()
    for g in graphs:
        found.update(store.quads_for_pattern(None, None, None, _graph_term(g)))
    return found


def graph_name(q: ox.Quad) -> str:
    """A quad's graph as a change records it ("" for the default graph)."""
    g = q.graph_name
    return "" if isinstance(g, ox.DefaultGraph) else str(g.value)


def _nquads(quads: set[ox.Quad]) -> bytes:
    return ox.serialize(sorted(quads, key=str), format=ox.RdfFormat.N_QUADS) or b"" if quads else b""


def compute_change(store: ox.Store, msg: ComputeChange, settings: Settings) -> Change:
    """Evaluate an update against this copy, record what it changed, and put the copy back.

    The cost follows the graphs the update names (read from the parse tree), not the store: only
    those graphs are compared before and after."""
    from regkg import sparql
    from regkg.sparql import ALL_GRAPHS

    job = msg.job
    if isinstance(job, GraphJob):
        return _graph_change(store, job, settings)
    sparql.check_text(job.text, settings, "update")
    if job.check_policy and not (job.using_graphs or job.using_named_graphs) and sparql.plain_insert_data(job.text):
        added = _inserted(store, job.text, job.base_iri)
        if added is not None:
            graphs = sorted({graph_name(q) for q in added})
            return Change(b"", _nquads(added), tuple(graphs), 0, len(added))
    if job.check_policy:
        inspection = inspect("update", job.text)
        touched = inspection.touched
        has_dataset = inspection.has_dataset_clause
        data_only = inspection.data_only
    else:
        touched, has_dataset, data_only = frozenset({ALL_GRAPHS}), False, False
    text = job.text
    if job.using_graphs or job.using_named_graphs:
        if has_dataset:
            raise ApiError(
                400,
                "bad_request",
                "using-graph-uri / using-named-graph-uri cannot be combined with USING, USING NAMED or WITH",
            )
        text = sparql.apply_using(text, job.using_graphs, job.using_named_graphs)
    # Counting the copy costs the whole graph (70 ms at 1M quads): done only when the update's
    # parse cannot say for sure which graphs it changes.
    size = None if data_only or ALL_GRAPHS in touched else len(store)
    before = _capture(store, touched)
    try:
        store.update(text, prefixes=dict(vocab.PREFIXES), base_iri=job.base_iri)
    except SyntaxError as exc:
        raise ApiError(400, "syntax_error", f"SPARQL syntax error: {exc.msg or exc}") from None
    except (OSError, ValueError, RuntimeError) as exc:
        # pyoxigraph applies an update all or nothing: the copy is unchanged.
        raise ApiError(400, "update_failed", f"the update failed and changed nothing: {exc}") from None
    after = _capture(store, touched)
    removed, added = before - after, after - before
    for q in added:
        store.remove(q)
    store.extend(removed)
    if size is not None and len(store) != size:
        raise Diverged("the update changed graphs it did not name")
    graphs = sorted({graph_name(q) for q in removed | added})
    return Change(_nquads(removed), _nquads(added), tuple(graphs), len(removed), len(added))


def _inserted(store: ox.Store, text: str, base_iri: str | None) -> set[ox.Quad] | None:
    """The quads a plain INSERT DATA adds to this copy: what it puts into an empty scratch store,
    less what the copy already holds (cost: the update's size). None when pyoxigraph refuses the
    text: the full path then gives the parse's message."""
    scratch = ox.Store()
    try:
        scratch.update(text, prefixes=dict(vocab.PREFIXES), base_iri=base_iri)
    except (SyntaxError, OSError, ValueError, RuntimeError):
        return None
    return {q for q in scratch if q not in store}


_RDF_XML_DTD: Final = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _graph_change(store: ox.Store, job: GraphJob, settings: Settings) -> Change:
    """PUT, POST or DELETE of one graph, as a change against this copy (the copy is untouched)."""
    target = _graph_term(job.graph)
    old = set(store.quads_for_pattern(None, None, None, target))
    if job.method == "DELETE":
        return _as_change(old, set())
    triples: list[ox.Triple] = []
    for media_type, payload in job.parts:
        triples += _parse_part(media_type, payload, job.base_iri, settings)
    new = {ox.Quad(t.subject, t.predicate, t.object, target) for t in triples}
    if job.method == "PUT":
        return _as_change(old - new, new - old)
    return _as_change(set(), new - old)


def _parse_part(media_type: str, payload: bytes, base_iri: str | None, settings: Settings) -> list[ox.Triple]:
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None or fmt.supports_datasets:
        raise ApiError(415, "unsupported_media_type", f"cannot read {media_type!r} as a graph")
    if len(payload) > settings.max_graph_bytes:
        size, limit = len(payload), settings.max_graph_bytes
        raise ApiError(413, "too_large", f"the graph is {size} bytes; the limit is {limit} (REGKG_MAX_GRAPH_BYTES)")
    if fmt == ox.RdfFormat.RDF_XML and _RDF_XML_DTD.search(payload):
        raise ApiError(400, "bad_request", "RDF/XML with a DOCTYPE or ENTITY declaration is refused")
    try:
        return list(ox.parse(payload, format=fmt, base_iri=base_iri))  # type: ignore[arg-type]
    except (SyntaxError, ValueError) as exc:
        raise ApiError(400, "syntax_error", f"the {fmt.name} payload does not parse: {exc}") from None


def _as_change(removed: set[ox.Quad], added: set[ox.Quad]) -> Change:
    graphs = sorted({graph_name(q) for q in removed | added})
    return Change(_nquads(removed), _nquads(added), tuple(graphs), len(removed), len(added))


def parse_quads(data: bytes) -> list[ox.Quad]:
    return list(ox.parse(data, format=ox.RdfFormat.N_QUADS)) if data else []


def apply_change(store: ox.Store, change: Change) -> int:
    """Bring this copy to the next version (cost: the change's size); returns how many quads the
    copy gained (negative: lost), so that nobody counts the whole copy (70 ms at 1M quads)."""
    delta = 0
    for q in parse_quads(change.removed):
        if q in store:
            store.remove(q)
            delta -= 1
    added = [q for q in parse_quads(change.added) if q not in store]
    store.extend(added)
    return delta + len(set(added))
