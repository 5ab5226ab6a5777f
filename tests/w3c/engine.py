"""Run W3C evaluation tests in-process, the way the service's engine processes run them.

The store is an in-memory pyoxigraph store (:class:`~regkg.store.embedded.EmbeddedStore`,
empty: not loaded with the shipped files), as an engine process holds its copy. A query goes
through :func:`regkg.workers.engine.run_query` (the text checks, the policy parse, then
``store.query`` with the predeclared prefixes, the base IRI, and the union default graph unless
the query has FROM / FROM NAMED); the result is written by :func:`regkg.sparql.evaluate` under
the service's row cap, in the format of the expected result, and read back. An update goes
through :func:`regkg.workers.engine.compute_change` and ``apply_change``, as /update does.

The data of a test (``qt:data``) goes into the store's default graph and ``qt:graphData``
into named graphs; each query and update gets its file's location as base IRI, as a client
sending the file would (the protocol's base is the endpoint's URL otherwise).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pyoxigraph as ox

from regkg import sparql
from regkg.config import Settings
from regkg.errors import ApiError
from regkg.store.embedded import EmbeddedStore

from .manifest import GraphFile
from .results import Solutions, read_rdf

__all__ = ["MEDIA_TYPES", "Answer", "dataset", "new_store", "run_query", "run_update"]

#: Media types to ask for, by the expected result's file extension.
MEDIA_TYPES: Final = {
    ".srx": "application/sparql-results+xml",
    ".srj": "application/sparql-results+json",
    ".tsv": "text/tab-separated-values",
    ".csv": "text/csv",
}
_GRAPH_MEDIA_TYPE: Final = "application/n-triples"
SETTINGS: Final = Settings()


@dataclass(frozen=True)
class Answer:
    """A query's answer as the service wrote it, and read back."""

    form: str  # SELECT (or ASK) or CONSTRUCT (or DESCRIBE)
    body: bytes
    media_type: str
    #: None for CSV, which cannot be read back into RDF terms (compared as text instead).
    value: Solutions | bool | list[ox.Quad] | None


def new_store(files: Iterable[GraphFile]) -> ox.Store:
    store = EmbeddedStore()
    for f in files:
        store.add(read_rdf(f.path, ox.NamedNode(f.graph) if f.graph else ox.DefaultGraph()))
    return store.ox


def _error(exc: ApiError) -> str:
    return f"the service answers {exc.status} {exc.code}: {exc.message}"


def _engine_query(store: ox.Store, text: str, base: str) -> Any:
    from regkg.workers.engine import run_query as engine_query
    from regkg.workers.messages import QueryJob, RunQuery

    result, _inspection = engine_query(store, RunQuery(QueryJob(text, base_iri=base), SETTINGS.max_rows), SETTINGS)
    return result


def run_query(store: ox.Store, text: str, base: Path, media_type: str | None) -> Answer | str:
    """The answer, or why the service refuses the query (a string)."""
    try:
        result = _engine_query(store, text, base.resolve().as_uri())
        if isinstance(result, ox.QueryTriples):
            form, accept = "CONSTRUCT", _GRAPH_MEDIA_TYPE
        else:
            form, accept = ("ASK" if isinstance(result, ox.QueryBoolean) else "SELECT"), media_type
        fmt = sparql.choose_format(sparql.Inspection(form=form), accept)
        chunks: list[bytes] = []
        sparql.evaluate(result, fmt, SETTINGS.max_rows, chunks.append)
        # pyoxigraph's results may only be freed on this thread (the policy parse runs on another).
        del result
    except ApiError as exc:
        return _error(exc)
    except (OSError, ValueError, RuntimeError, TypeError, SyntaxError) as exc:
        return f"the query fails: {type(exc).__name__}: {exc}"
    body = b"".join(chunks)
    value: Solutions | bool | list[ox.Quad] | None
    if fmt.results_format == ox.QueryResultsFormat.CSV:
        value = None
    elif fmt.results_format is not None:
        parsed = ox.parse_query_results(body, fmt.results_format)
        value = bool(parsed) if isinstance(parsed, ox.QueryBoolean) else Solutions.of(parsed)
    else:
        assert fmt.rdf_format is not None
        value = [ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(body, fmt.rdf_format)]
    return Answer(form, body, fmt.media_type, value)


def run_update(store: ox.Store, text: str, base: Path) -> str | None:
    """None when the update is applied, else why not."""
    from regkg.workers.changes import apply_change, compute_change
    from regkg.workers.messages import ComputeChange, UpdateJob

    try:
        change = compute_change(store, ComputeChange(UpdateJob(text, base_iri=base.resolve().as_uri())), SETTINGS)
        apply_change(store, change)
    except ApiError as exc:
        return _error(exc)
    except Exception as exc:  # the engine's own errors (a copy that diverged) included
        return f"the update fails: {type(exc).__name__}: {exc}"
    return None


def dataset(store: ox.Store) -> list[ox.Quad]:
    """Every quad of the store."""
    return list(store)
