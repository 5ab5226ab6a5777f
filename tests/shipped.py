"""Helpers shared by the query, data-quality and shape tests (not fixtures: conftest.py is
another module's). The shipped store is built once per test session and cached here."""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from regkg import inference, loading, resources, vocab
from regkg.store.sync import shipped_in_memory

RK = vocab.RK
ID = vocab.ID
ORG = f"{ID}org/"
PLATFORM = f"{ID}platform/"
ACTION = f"{ID}action/"
PENALTY = f"{ID}penalty/"
SOURCE = f"{ID}source/"
CAMPAIGN = f"{ID}campaign/"
RULE = f"{ID}rule/"
CONCERN = vocab.CONCERN

_XSD_DECIMAL = vocab.XSD + "decimal"
_XSD_INTEGER = vocab.XSD + "integer"


@functools.cache
def shipped_store() -> Any:
    """The shipped ontology and data with the inferred graph, in memory (one per session)."""
    return shipped_in_memory()


def term_value(term: object) -> Any:
    """A query result term as a plain Python value: IRIs as str, numbers as Decimal/int,
    dates and other literals as their lexical form."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype is not None else None
        if dt == _XSD_DECIMAL:
            return Decimal(term.value)
        if dt == _XSD_INTEGER:
            return int(term.value)
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def rows_of(result: Any) -> list[dict[str, Any]]:
    assert isinstance(result, ox.QuerySolutions), f"expected SELECT solutions, got {type(result).__name__}"
    names = [v.value for v in result.variables]
    return [{n: term_value(sol[n]) for n in names} for sol in result]


def select(store: Any, sparql: str) -> list[dict[str, Any]]:
    """Run a SELECT with the usual prefixes predeclared; rows as dicts of Python values."""
    return rows_of(store.query(vocab.sparql_prefixes() + sparql))


def query_file(name: str) -> Path:
    return resources.queries_dir() / name


def mini_store(turtle: str) -> ox.Store:
    """The ontology plus a small crafted Turtle dataset, with regkg's inferences materialised."""
    store = ox.Store()
    for f in loading.ontology_files():
        store.extend(loading.parse_file(f.path, f.graph))
    graph = ox.NamedNode(vocab.DATA_GRAPH_PREFIX + "test")
    prefixes = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in vocab.PREFIXES.items())
    prefixes += f"@prefix o: <{ORG}> .\n@prefix act: <{ACTION}> .\n@prefix pen: <{PENALTY}> .\n"
    prefixes += f"@prefix jur: <{ID}jurisdiction/> .\n"
    for t in ox.parse(prefixes + turtle, format=ox.RdfFormat.TURTLE):
        store.add(ox.Quad(t.subject, t.predicate, t.object, graph))
    inference.infer(store)
    return store


def run_on(store: ox.Store, sparql: str) -> list[dict[str, Any]]:
    """Run a self-contained query (its own PREFIXes) on a pyoxigraph store, union default graph."""
    return rows_of(store.query(sparql, use_default_graph_as_union=True))
