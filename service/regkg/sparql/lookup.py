"""Point lookups: the one query shape answered without a SPARQL engine.

``SELECT ?p ?o WHERE { <s> ?p ?o }`` is what linked-data clients, SPARQLWrapper scripts and
YASGUI's entity views ask most. Sending it to an engine process costs a process hop, the
engine's checks and a parse: about two thirds of its price (bench/results/lookups.md). But the
answer is one index scan, which the web process can make itself, safely *by construction*:

* :func:`recognise` is a whitelist, not a guard. It accepts exactly one grammar -- ``SELECT``,
  variables or ``*``, an optional ``WHERE``, one triple pattern whose subject is an absolute IRI
  and whose predicate and object are IRIs, ``a`` or distinct variables, an optional ``LIMIT`` --
  and returns None for anything else, which then goes to an engine as before. A spelling it did
  not foresee is not answered here, so it cannot slip past it.
* What it returns is three terms, not a query: the answer is read with the store's
  ``quads_for_pattern``. No SPARQL is evaluated in the web process, so there is no SERVICE, no
  function, nothing to sandbox.
* The rows are bounded before they are read (``REGKG_LOOKUP_LANE_ROWS``): a subject with more
  goes to an engine, so a lookup never holds the event loop for long.

The answer is the engine's answer: the default graph is the union of all graphs (a triple in two
graphs is two rows, as pyoxigraph's union gives it), the row cap and its headers are the same,
and the body is written by pyoxigraph's own serialisers from the rows' TSV, the way
:mod:`regkg.sparql.results` writes a capped result.
"""

from __future__ import annotations

import json
import re
from typing import Final, NamedTuple

import pyoxigraph as ox

from regkg import formats

__all__ = ["Lookup", "recognise", "serialise"]

_RDF_TYPE: Final = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

_WS = r"[ \t\r\n]"
_VAR = r"\?[A-Za-z_][A-Za-z0-9_]*"
# IRIREF of SPARQL 1.1 (section 19.8) without UCHAR escapes (a backslash is not accepted).
_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_TERM = rf"(?:{_IRI}|{_VAR}|a(?={_WS}))"
_SHAPE: Final = re.compile(
    rf"{_WS}*SELECT{_WS}+(?P<proj>\*|{_VAR}(?:{_WS}*{_VAR})*){_WS}*(?:WHERE{_WS}*)?"
    rf"\{{{_WS}*(?P<s>{_IRI}){_WS}*(?P<p>{_TERM}){_WS}*(?P<o>{_IRI}|{_VAR})(?:{_WS}*\.)?{_WS}*\}}"
    rf"(?:{_WS}*LIMIT{_WS}+(?P<limit>[0-9]{{1,9}}))?{_WS}*",
    re.IGNORECASE,
)
_VARS: Final = re.compile(_VAR)


class Lookup(NamedTuple):
    """One triple pattern with a bound subject: ``predicate`` / ``obj`` None where a variable
    stands; ``columns`` the projected variables in order, each named by the position it binds."""

    subject: ox.NamedNode
    predicate: ox.NamedNode | None
    obj: ox.NamedNode | None
    columns: tuple[tuple[str, str], ...]  # (variable name, "p" or "o")
    limit: int | None


def _node(token: str) -> ox.NamedNode | None:
    """An absolute IRI; None for a relative one (it would need the base IRI: an engine's job)."""
    try:
        node = ox.NamedNode(token[1:-1])
    except ValueError:
        return None
    return node if ":" in node.value else None


def recognise(text: str, max_chars: int = 4096) -> Lookup | None:
    """The lookup ``text`` asks for, or None when it is anything but the one accepted shape."""
    if len(text) > max_chars:
        return None
    m = _SHAPE.fullmatch(text)
    if m is None:
        return None
    subject = _node(m["s"])
    if subject is None:
        return None
    positions: dict[str, str] = {}
    bound: dict[str, ox.NamedNode | None] = {"p": None, "o": None}
    for where in ("p", "o"):
        token = m[where]
        if token.startswith("?"):
            if token[1:] in positions:
                return None  # ?x ?x: an equality the engine checks
            positions[token[1:]] = where
        elif token == "a" or token == "A":
            if token == "A" or where == "o":
                return None
            bound[where] = _RDF_TYPE
        else:
            node = _node(token)
            if node is None:
                return None
            bound[where] = node
    if not positions:
        return None
    # SELECT *: the columns in the order the engine gives them, by name (pyoxigraph sorts them)
    projected = sorted(positions) if m["proj"] == "*" else [v[1:] for v in _VARS.findall(m["proj"])]
    if len(set(projected)) != len(projected) or any(v not in positions for v in projected):
        return None
    return Lookup(
        subject,
        bound["p"],
        bound["o"],
        tuple((v, positions[v]) for v in projected),
        int(m["limit"]) if m["limit"] is not None else None,
    )


def serialise(lookup: Lookup, quads: list[ox.Quad], fmt: formats.Format) -> bytes:
    """The rows of ``quads`` (already limited and capped) in ``fmt``: SPARQL JSON written here,
    the other formats by pyoxigraph's serialiser from the rows' TSV."""
    assert fmt.results_format is not None
    if fmt.results_format == ox.QueryResultsFormat.JSON:
        body = _json(lookup, quads)
        if body is not None:
            return body
    lines = ["\t".join(f"?{v}" for v, _ in lookup.columns)]
    if len(lookup.columns) == 2:
        if lookup.columns[0][1] == "p":
            lines += [f"{q.predicate}\t{q.object}" for q in quads]
        else:
            lines += [f"{q.object}\t{q.predicate}" for q in quads]
    else:
        (_, where) = lookup.columns[0]
        lines += [str(q.predicate if where == "p" else q.object) for q in quads]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    parsed = ox.parse_query_results(data, ox.QueryResultsFormat.TSV)
    assert isinstance(parsed, ox.QuerySolutions)
    return parsed.serialize(format=fmt.results_format) or b""


# -- SPARQL 1.1 Query Results JSON, written directly (a third of a lookup's cost went to the TSV round trip)

_XSD_STRING: Final = "http://www.w3.org/2001/XMLSchema#string"
_quote = json.encoder.encode_basestring  # type: ignore[attr-defined]  # the C encoder json.dumps uses
_PREDICATES: dict[ox.NamedNode, str] = {}  # predicates repeat: their JSON is kept (bounded)
_PREDICATES_KEPT: Final = 4096


def _term(t: object) -> str | None:
    """One term's JSON object, as pyoxigraph writes it; None for what it would write otherwise
    (a triple term, a literal with a base direction): the caller then lets pyoxigraph write it."""
    if isinstance(t, ox.NamedNode):
        return '{"type":"uri","value":' + _quote(t.value) + "}"
    if isinstance(t, ox.Literal):
        if t.direction is not None:
            return None
        out = '{"type":"literal","value":' + _quote(t.value)
        if t.language is not None:
            return out + ',"xml:lang":' + _quote(t.language) + "}"
        if t.datatype.value != _XSD_STRING:
            return out + ',"datatype":' + _quote(t.datatype.value) + "}"
        return out + "}"
    if isinstance(t, ox.BlankNode):
        return '{"type":"bnode","value":' + _quote(t.value) + "}"
    return None


def _predicate(p: ox.NamedNode) -> str:
    out = _PREDICATES.get(p)
    if out is None:
        out = '{"type":"uri","value":' + _quote(p.value) + "}"
        if len(_PREDICATES) >= _PREDICATES_KEPT:
            _PREDICATES.clear()
        _PREDICATES[p] = out
    return out


def _json(lookup: Lookup, quads: list[ox.Quad]) -> bytes | None:
    names = [_quote(v) for v, _ in lookup.columns]
    rows: list[str] = []
    for q in quads:
        cells = []
        for name, (_, where) in zip(names, lookup.columns, strict=True):
            value = _predicate(q.predicate) if where == "p" else _term(q.object)
            if value is None:
                return None
            cells.append(name + ":" + value)
        rows.append("{" + ",".join(cells) + "}")
    head = '{"head":{"vars":[' + ",".join(names) + ']},"results":{"bindings":['
    return (head + ",".join(rows) + "]}}").encode("utf-8")
